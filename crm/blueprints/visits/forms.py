"""Forms of the visits pages: quick contact logging, the visit form with its need rows and follow-up
task, and the filters of the visit list and week calendar."""

from datetime import date, datetime, timedelta

from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from crm.blueprints.forms import FilterForm, FrenchForm, VersionedForm, job_field, options
from crm.models import Company, ContractType, HiringNeed, InteractionKind, User, Visit, VisitMode, VisitStatus
from crm.services.accounts import users
from crm.services.platform.local_time import local_from_utc, local_now, utc_from_local
from crm.services.visits import catalogue, finding
from crm.services.visits.finding import VisitFilters
from crm.services.visits.interactions import MAX_OUTCOME, MAX_SUMMARY, QUICK_KINDS, ContactInput
from crm.services.visits.plan_choice import active_plans_of, targeting_plan_id
from crm.services.visits.recording import MAX_TEXT, NeedRow, VisitFollowUp, VisitInput

NEED_ROWS = 3
NO_CONTACT = 0
NO_PLAN = 0
PLAN_HINT = "Proposé d'office quand l'entreprise est une cible du plan."


def plan_field() -> SelectField:
    return SelectField("Plan de prospection", coerce=int, default=NO_PLAN, validate_choice=False,
                       description=PLAN_HINT)


def offer_plans(field: SelectField, company: Company, submitted: bool, current: int | None = None) -> None:
    """The active plans of the firm's basin as choices, the one targeting the firm preselected."""
    plans = active_plans_of(company, keep=current)
    field.choices = options([(NO_PLAN, "Aucun plan")], [(plan.id, plan.name) for plan in plans])
    if not submitted:
        field.data = current or targeting_plan_id(company, plans) or NO_PLAN


def clean(value: str | None) -> str | None:
    return (value or "").strip() or None


class LogInteractionForm(FrenchForm):
    kind = SelectField("Type d'échange", choices=options(
        [(kind.value, kind.label) for kind in QUICK_KINDS]))
    occurred_at = DateTimeLocalField(
        "Date et heure", format="%Y-%m-%dT%H:%M", default=local_now,
        validators=[DataRequired("Indiquez la date et l'heure de l'échange.")])
    summary = TextAreaField("Compte rendu", validators=[
        DataRequired("Résumez l'échange avec l'entreprise."), Length(max=MAX_SUMMARY)])
    outcome = StringField("Suite donnée (facultatif)", validators=[Length(max=MAX_OUTCOME)],
                          description="Ex. rappeler en septembre, offre à déposer, pas de besoin")
    need = SelectField("Demande concernée (facultatif)", coerce=int, default=NO_CONTACT)
    plan = plan_field()

    def __init__(self, *args, open_needs: list[HiringNeed], company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        offer_plans(self.plan, company, self.is_submitted())
        self.need.choices = options([(NO_CONTACT, "Aucune demande en particulier")],
                                    [(n.id, f"{n.reference} – {n.job_label}") for n in open_needs])

    def validate_occurred_at(self, field) -> None:
        if field.data and field.data.date() > local_now().date():
            raise ValidationError("La date de l'échange ne peut pas être après aujourd'hui.")

    def contact(self) -> ContactInput:
        return ContactInput(
            kind=InteractionKind(self.kind.data), occurred_at=utc_from_local(self.occurred_at.data),
            summary=self.summary.data, outcome=clean(self.outcome.data), need_id=self.need.data or None,
            plan_id=self.plan.data or None)


class NeedRowForm(Form):
    """One need identified during the visit (a blank row is ignored)."""

    class Meta:
        locales = ("fr_FR", "fr")

    job_title = StringField("Intitulé du poste", validators=[Length(max=200)])
    rome_code = job_field("Métier du référentiel ROME (facultatif)")
    positions = StringField("Nombre de postes", render_kw={"inputmode": "numeric"})
    contract_type = SelectField("Contrat", choices=options(
        [("", "Choisissez le contrat")], ContractType.choices()), default="")
    contract_months = StringField("Durée en mois (CDD, intérim, saisonnier)",
                                  render_kw={"inputmode": "numeric"})
    contact = SelectField("Contact chez l'employeur", coerce=int, default=NO_CONTACT)
    contact_name = StringField("Nom du contact", validators=[Length(max=120)])
    contact_email = StringField("Son adresse électronique", validators=[
        Optional(), Email("Saisissez une adresse électronique valide, ex. nom@exemple.fr.")])
    contact_phone = StringField("Son téléphone (facultatif)", validators=[Length(max=20)])

    def filled(self) -> bool:
        return any(clean(self[name].data) for name in (
            "job_title", "rome_code", "positions", "contract_type", "contract_months",
            "contact_name", "contact_email"))

    def row(self) -> NeedRow:
        return NeedRow(
            positions=clean(self.positions.data), contract_type=self.contract_type.data or "",
            rome_code=clean(self.rome_code.data), job_title=clean(self.job_title.data),
            contract_months=clean(self.contract_months.data), contact_id=self.contact.data or None,
            contact_name=clean(self.contact_name.data), contact_email=clean(self.contact_email.data),
            contact_phone=clean(self.contact_phone.data))


class VisitForm(VersionedForm):
    scheduled_at = DateTimeLocalField("Date et heure", format="%Y-%m-%dT%H:%M", validators=[
        DataRequired("Indiquez la date et l'heure de la visite, au format JJ/MM/AAAA HH:MM.")])
    mode = SelectField("Mode", choices=options(VisitMode.choices()), default=VisitMode.ON_SITE.value)
    status = SelectField("Statut", choices=options(VisitStatus.choices()),
                         default=VisitStatus.PLANNED.value)
    participants = SelectMultipleField(
        "Participants", coerce=int,
        description="Une ou plusieurs personnes, de une ou plusieurs organisations (task force).")
    purpose = TextAreaField("Objet de la visite", validators=[Length(max=MAX_TEXT)])
    findings = TextAreaField(
        "Constats", validators=[Length(max=MAX_TEXT)],
        description="Activité, projets, difficultés de recrutement, besoins en compétences")
    services = SelectMultipleField("Services proposés", choices=options(
        [(s.key, s.label) for s in catalogue.selectable()]))
    needs = FieldList(FormField(NeedRowForm), min_entries=NEED_ROWS, max_entries=10)
    next_step = TextAreaField("Prochaine étape", validators=[Length(max=MAX_TEXT)])
    plan = plan_field()
    task_title = StringField("Tâche de suivi (facultatif)", validators=[Length(max=200)],
                             description="Ex. envoyer la convention de POEI")
    task_due_on = DateField("Échéance de la tâche", validators=[Optional()])
    task_assignee = SelectField("Chargé de la tâche", coerce=int, validate_choice=False)

    def __init__(self, *args, company: Company, user: User, visit: Visit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = [p.user_id for p in visit.participants] if visit else []
        self.participants.choices = options(finding.participant_choices(company, user, current))
        self.task_assignee.choices = options(users.staff_choices(user))
        offer_plans(self.plan, company, self.is_submitted(), visit.plan_id if visit else None)
        contacts = [(c.id, f"{c.name}{' – ' + c.email if c.email else ''}") for c in company.contacts]
        for entry in self.needs:
            entry.contact.choices = options([(NO_CONTACT, "Aucun : saisir ci-dessous")], contacts)
            if contacts:  # the name field is then an alternative to the list above it
                entry.contact_name.label.text = "Ou nom du contact"
        if not self.is_submitted():
            self.task_assignee.data = self.task_assignee.data or user.id
            self.participants.data = self.participants.data or current or [user.id]

    def filled_rows(self) -> list[tuple[int, NeedRowForm]]:
        """(index in the form, row) of the need rows that were filled in."""
        return [(index, entry.form) for index, entry in enumerate(self.needs) if entry.form.filled()]

    def follow_up(self) -> VisitFollowUp | None:
        title = clean(self.task_title.data)
        if title is None:
            return None
        return VisitFollowUp(title=title, due_on=self.task_due_on.data, assignee_id=self.task_assignee.data)

    def visit_input(self) -> VisitInput:
        return VisitInput(
            scheduled_at=utc_from_local(self.scheduled_at.data), mode=VisitMode(self.mode.data),
            status=VisitStatus(self.status.data), participant_ids=list(self.participants.data or []),
            purpose=clean(self.purpose.data), findings=clean(self.findings.data),
            services=list(self.services.data or []), next_step=clean(self.next_step.data),
            needs=[row.row() for _, row in self.filled_rows()], follow_up=self.follow_up(),
            plan_id=self.plan.data or None)

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        """Put a service's refusals on the fields they are about (need rows by their form index)."""
        rows = [index for index, _ in self.filled_rows()]
        for name, messages in errors.items():
            if name.startswith("needs-"):
                _, position, field_name = name.split("-", 2)
                target = self.needs[rows[int(position)]][field_name]
            elif name in self and name != "needs":
                target = self[name]
            else:
                self.form_errors.extend(messages)
                continue
            target.errors = [*target.errors, *messages]


def visit_data(visit: Visit) -> dict:
    """A visit's stored values as the form's initial data (local time)."""
    return {"scheduled_at": local_from_utc(visit.scheduled_at), "mode": visit.mode.value,
            "status": visit.status.value, "participants": [p.user_id for p in visit.participants],
            "purpose": visit.purpose, "findings": visit.findings, "services": visit.services_proposed,
            "next_step": visit.next_step, "version": visit.version}


def next_hour() -> datetime:
    """The default time of a new visit: the next round hour, French local time."""
    return local_now().replace(minute=0) + timedelta(hours=1)


class VisitFilterForm(FilterForm):
    conseiller = SelectField("Conseiller", default="")
    bassin = SelectField("Bassin d'emploi", default="")
    statut = SelectField("Statut", default="", choices=options(
        [("", "Tous les statuts")], VisitStatus.choices()))
    periode = SelectField("Période", default="upcoming", choices=options(
        [("upcoming", "À venir"), ("past", "Passées"), ("all", "Toutes")]))

    def __init__(self, formdata, user: User):
        super().__init__(formdata)
        self.user = user
        self.conseiller.choices = options([("", "Mes visites"), ("tous", "Tous les conseillers")],
                                          [(str(k), n) for k, n in finding.colleagues(user)
                                           if k != user.id])
        self.bassin.choices = options([("", "Tous les bassins")], users.basin_choices())

    def filters(self) -> VisitFilters:
        """My visits by default; everyone's when a basin or "all advisers" is chosen."""
        chosen = self.conseiller.data
        if chosen == "tous" or (not chosen and self.bassin.data):
            adviser_id = None
        else:
            adviser_id = int(chosen) if chosen else self.user.id
        return VisitFilters(adviser_id=adviser_id, basin=self.bassin.data or "",
                            status=self.statut.data or "", period=self.periode.data or "upcoming")


def week_start(raw: str | None, today: date) -> date:
    """The Monday of the week asked for in ?debut=YYYY-MM-DD (this week when absent or invalid)."""
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    return finding.monday_of(day)
