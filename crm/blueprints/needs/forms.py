"""Forms of the needs pages: the list filter, the actions on a need and the partner's flag."""

from datetime import datetime, timedelta

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from crm.blueprints.forms import FilterForm, FrenchForm, VersionedForm, options
from crm.blueprints.public.forms import NeedRequestForm
from crm.models import (
    CandidateStatus,
    ClosingReason,
    CoHandlerStatus,
    NeedSource,
    NeedStatus,
    NotRetainedReason,
    Role,
    User,
)
from crm.services.accounts import users
from crm.services.indicators.scope import adviser_choices
from crm.services.needs import queries
from crm.services.needs.workflow import CONTACT_KINDS, MAX_MESSAGE, OUTCOMES
from crm.services.platform.local_time import local_now, utc_from_local
from crm.services.territory import rsa_pilots

AGE_CHOICES = [("", "Toutes les dates"), ("week", "Moins de 7 jours"),
               ("month", "De 7 à 30 jours"), ("older", "Plus de 30 jours")]



class NeedFilterForm(FilterForm):
    q = SearchField("Référence ou entreprise", validators=[Length(max=100)])
    scope = SelectField("Demandes", default="")
    status = SelectField("Statut", choices=options([("", "Tous les statuts")],
                                                   NeedStatus.choices()), default="")
    basin = SelectField("Bassin d'emploi", default="")
    age = SelectField("Déposée", choices=options(AGE_CHOICES), default="")
    late = SelectField("Premier contact", default="",
                       choices=options([("", "Tous les délais"),
                                        ("1", "En retard de premier contact")]))
    rsa = SelectField("Territoire", default="",
                      choices=options([("", "Tous les territoires"),
                                       ("1", "Territoires pilotes RSA")]))
    # the records behind an indicator (links of /pilotage/indicateurs)
    departement = SelectField("Département de l'entreprise", default="")
    bassin_entreprise = SelectField("Bassin de l'entreprise", default="")
    source = SelectField("Origine", default="",
                         choices=options([("", "Toutes les origines")], NeedSource.choices()))
    du = DateField("Déposée du", validators=[Optional()])
    au = DateField("Déposée au", validators=[Optional()])
    clos_du = DateField("Clôturée du", validators=[Optional()])
    clos_au = DateField("Clôturée au", validators=[Optional()])
    issue = SelectField("Issue", default="", choices=options(
        [("", "Toutes les issues"), ("outcome", "Pourvue, partiellement ou non pourvue"),
         ("filled", "Pourvue ou partiellement pourvue")]))
    rome = StringField("Code ROME du métier", validators=[Optional(), Regexp(
        r"^[A-Za-z]\d{4}$", message="Un code ROME est une lettre suivie de 4 chiffres (ex. : N1103).")])
    repereur = SelectField("Structure repéreuse", default="")
    tension = SelectField("Métier en tension", default="", choices=options(
        [("", "Tous les métiers"), ("oui", "Métiers en tension"),
         ("non", "Métiers hors tension (ou sans code ROME)")]))
    motif = SelectField("Motif de clôture", default="", choices=options(
        [("", "Tous les motifs")], ClosingReason.choices()))
    rome_hors = StringField("Hors codes ROME (séparés par des virgules)", validators=[
        Optional(), Length(max=200), Regexp(
            r"^\s*[A-Za-z]\d{4}(\s*,\s*[A-Za-z]\d{4})*\s*$",
            message="Indiquez des codes ROME séparés par des virgules (ex. : N1103, K2204).")])
    conseiller = SelectField("Conseiller pilote", default="")
    structure = SelectField("Structure pilote", default="")
    territoire_rsa = SelectField("Territoire pilote RSA de l'entreprise", default="")

    def __init__(self, formdata, user: User):
        super().__init__(formdata)
        scopes = [("", "Toutes"), ("mine", "Assignées à moi"),
                  ("organisation", "Mon organisation")]
        if user.role == Role.MANAGER:
            scopes.append(("basins", "Mes bassins"))
        self.scope.choices = options(scopes)
        self.basin.choices = options([("", "Tous les bassins")], users.basin_choices())
        self.bassin_entreprise.choices = options([("", "Tous les bassins")], users.basin_choices())
        self.departement.choices = options([("", "Tous les départements")],
                                           users.department_choices())
        organisations = [(str(key), name) for key, name in users.organisation_choices()]
        self.repereur.choices = options([("", "Toutes les structures")], organisations)
        self.structure.choices = options([("", "Toutes les structures")], organisations)
        # only the advisers whose needs the user may see (as the dashboard's adviser level)
        self.conseiller.choices = options([("", "Tous les conseillers")], adviser_choices(user))
        self.territoire_rsa.choices = options([("", "Tous les territoires pilotes")],
                                              rsa_pilots.territory_choices())

    def filters(self) -> queries.NeedFilters:
        return queries.NeedFilters(
            scope=self.scope.data, status=self.status.data, basin=self.basin.data,
            age=self.age.data, late=self.late.data == "1", search=self.q.data or "",
            rsa_pilot=self.rsa.data == "1", department=self.departement.data,
            firm_basin=self.bassin_entreprise.data, source=self.source.data,
            filed_from=self.du.data, filed_to=self.au.data, closed_from=self.clos_du.data,
            closed_to=self.clos_au.data, outcome=self.issue.data,
            rome=(self.rome.data or "").strip().upper(), shortage=self.tension.data,
            spotter_organisation=int(self.repereur.data) if self.repereur.data else None,
            closing_reason=self.motif.data,
            rome_excluded=tuple(code.strip().upper() for code in (self.rome_hors.data or "").split(",")
                                if code.strip()),
            pilot_adviser=int(self.conseiller.data) if self.conseiller.data else None,
            pilot_organisation=int(self.structure.data) if self.structure.data else None,
            rsa_territory=int(self.territoire_rsa.data) if self.territoire_rsa.data else None)



class TakeInChargeForm(VersionedForm):
    pass


class ContactForm(VersionedForm):
    kind = SelectField("Mode de contact", choices=options(
        [(kind.value, kind.label) for kind in CONTACT_KINDS]))
    occurred_at = DateTimeLocalField(
        "Date et heure du contact", format="%Y-%m-%dT%H:%M", default=local_now,
        validators=[DataRequired("Indiquez la date et l'heure du contact.")])
    summary = TextAreaField("Compte rendu", validators=[
        DataRequired("Résumez l'échange avec l'employeur."), Length(max=MAX_MESSAGE)])

    def validate_occurred_at(self, field) -> None:
        if field.data and field.data > local_now() + timedelta(minutes=5):
            raise ValidationError("La date du contact ne peut pas être dans le futur.")

    def occurred_at_utc(self) -> datetime:
        """The contact time typed in French local time, as stored (naive UTC)."""
        return utc_from_local(self.occurred_at.data)


class TransferForm(VersionedForm):
    organisation = SelectField("Structure destinataire", coerce=int, validators=[
        DataRequired("Choisissez la structure destinataire.")])
    reason = TextAreaField("Motif du transfert", validators=[
        DataRequired("Indiquez le motif du transfert."), Length(max=MAX_MESSAGE)])

    def __init__(self, *args, targets: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options([(0, "Choisissez la structure")], targets)


class ProposeTransferForm(FrenchForm):
    reason = TextAreaField("Motif de la proposition", validators=[
        DataRequired("Indiquez pourquoi votre structure devrait piloter cette demande."),
        Length(max=MAX_MESSAGE)])


class AcceptTransferForm(VersionedForm):
    pass


class RefuseTransferForm(FrenchForm):
    reason = TextAreaField("Raison du refus", validators=[
        DataRequired("Indiquez la raison du refus."), Length(max=MAX_MESSAGE)])


class CloseForm(VersionedForm):
    outcome = SelectField("Issue", choices=options(
        [("", "Choisissez l'issue")], [(status.value, status.label) for status in OUTCOMES]),
        validators=[DataRequired("Choisissez l'issue de la demande.")])
    hires = IntegerField(
        "Nombre de personnes recrutées", validators=[Optional(), NumberRange(0, 999)],
        description="Obligatoire si la demande est pourvue, même partiellement.")
    closing_reason = SelectField(
        "Motif de clôture", default="", validate_choice=False,
        choices=options([("", "Choisissez le motif")], ClosingReason.choices()),
        description="Obligatoire si la demande n'est pas pourvue, est annulée ou partiellement "
                    "pourvue.")
    reason = TextAreaField(
        "Précisions", validators=[Length(max=MAX_MESSAGE)],
        description="Obligatoires pour le motif « Autre ».")

    def chosen_reason(self) -> ClosingReason | None:
        """The reason picked from the list (an unknown value is refused by the form)."""
        return ClosingReason(self.closing_reason.data) if self.closing_reason.data else None

    def validate_closing_reason(self, field) -> None:
        if field.data and field.data not in {reason.value for reason in ClosingReason}:
            raise ValidationError("Choisissez un motif de clôture de la liste.")


class MessageForm(FrenchForm):
    body = TextAreaField("Message", validators=[
        DataRequired("Le message est vide."), Length(max=MAX_MESSAGE)])
    internal = BooleanField("Note interne (jamais montrée à l'employeur ni aux partenaires)")


YES_NO = [("yes", "Oui"), ("no", "Non")]
PARTNER_WORDING = {
    "siret": ("SIRET de l'établissement qui recrute", "14 chiffres, espaces acceptés."),
    "company_name": ("Nom de l'entreprise",
                     "Obligatoire si l'établissement n'est pas encore connu du réseau."),
    "publics": ("Publics visés (facultatif)", ""),
    "services": ("Services souhaités par l'employeur (facultatif)", ""),
    "contact_name": ("Nom et prénom de la personne à contacter dans l'entreprise", ""),
    "contact_email": ("Son adresse électronique", "Format attendu : nom@domaine.fr"),
    "contact_phone": ("Son téléphone (facultatif)", "Ex. 03 80 12 34 56"),
}


class FlagForm(NeedRequestForm):
    """A need flagged by an offer spotter: the employer's request form worded for the partner,
    plus how the need was known and whether the employer agreed to be contacted. The employer's
    consent box is not shown: a partner does not consent for the employer."""

    website = consent = None
    how_known = TextAreaField("Comment avez-vous connu ce besoin ? (facultatif)",
                              description="Ex. visite d'un adhérent, appel de l'entreprise")
    employer_agreed_contact = RadioField(
        "L'employeur a accepté d'être contacté", choices=options(YES_NO),
        invalid_choice_message="Indiquez si l'employeur a accepté d'être contacté.")
    # the firm of a check-list the flag answers (checked against the partner's own open lists)
    checklist_item = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, hint) in PARTNER_WORDING.items():
            self[name].label.text, self[name].description = label, hint

    def answers(self) -> dict:
        return {"employer_agreed_contact": {"yes": True, "no": False}.get(
            self.employer_agreed_contact.data)}


class AddCoHandlerForm(FrenchForm):
    organisation = SelectField("Structure à inviter", coerce=int, validators=[
        DataRequired("Choisissez la structure à inviter.")])

    def __init__(self, *args, targets: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options([(0, "Choisissez la structure")], targets)


class AskCoHandlingForm(FrenchForm):
    pass


class CoHandlingForm(FrenchForm):
    status = SelectField("Statut de votre structure", choices=options(CoHandlerStatus.choices()),
                         validators=[DataRequired("Choisissez le statut.")])
    reason = TextAreaField("Raison", validators=[Length(max=MAX_MESSAGE)],
                           description="Obligatoire pour « Pas pour nous ».")


class RemoveCoHandlerForm(FrenchForm):
    reason = StringField("Raison du retrait", validators=[
        DataRequired("Indiquez pourquoi cette structure ne co-traite plus la demande."),
        Length(max=MAX_MESSAGE)])


class CandidateForm(FrenchForm):
    reference = StringField("Initiales ou référence interne", validators=[
        DataRequired("Indiquez des initiales ou une référence interne."), Length(max=20)],
        description="Jamais le nom de la personne. Ex. « J.D. » ou « ML-2026-014 ».")
    consent_on = DateField("Date du consentement de la personne", validators=[
        DataRequired("Indiquez la date du consentement de la personne.")])


class CandidateMoveForm(FrenchForm):
    status = SelectField("Nouvelle étape", choices=options(
        [(s.value, s.label) for s in CandidateStatus if s != CandidateStatus.PROPOSED]),
        validators=[DataRequired("Choisissez l'étape.")])
    reason = SelectField("Raison (si non retenu)", default="", choices=options(
        [("", "Choisissez la raison")], NotRetainedReason.choices()))
