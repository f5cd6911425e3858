"""The POE request form, a workflow step, and the administrators' parameter and FRAP line forms."""

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from crm.blueprints.forms import FilterForm, FrenchForm, options
from crm.models import (
    FrapLine,
    ParameterKey,
    PromisedContract,
    TrainingKind,
    TrainingMode,
    TrainingRequest,
    TrainingStatus,
    User,
)
from crm.services.accounts import users
from crm.services.indicators.poe_requests import STEPS, PoeFilters
from crm.services.indicators.scope import adviser_choices
from crm.services.territory import rsa_pilots
from crm.services.training.parameters import FrapInput

TRI_STATE = [("", "Non renseigné"), ("oui", "Oui"), ("non", "Non")]
TRI_FIELDS = ("priority_public", "offer_filed", "contributions_up_to_date",
              "economic_layoff_12_months", "refused_hire_after_poe", "private_individual_employer",
              "qualiopi", "opco_cofunding")
PLAIN_FIELDS = ("contract_months", "missions_months_within_9", "hours_body", "hours_tutoring",
                "training_body", "qualiopi_number", "tutor_experience_years",
                "tutor_current_trainees", "opco_name", "candidate", "training_starts_on")


def tri_state(label: str, description: str | None = None) -> SelectField:
    return SelectField(label, choices=options(TRI_STATE), description=description, validate_choice=False)


def hours(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(0, 10_000)])


def number(value: str | None) -> int | None:
    return int(value) if value else None


def in_order(first: DateField, last: DateField) -> None:
    """Refuses a last day before the first."""
    if first.data and last.data and last.data < first.data:
        raise ValidationError("La date de fin précède la date de début.")


class RequestFilterForm(FilterForm):
    """The requests list's filters; those of the firm, the carrier, the days and the step give the
    requests a POE figure of the dashboard counts (docs/indicators.md, Links)."""

    statut = SelectField("Statut", default="", choices=options([("", "Tous les statuts")],
                                                               TrainingStatus.choices()))
    etape = SelectField("Étape du parcours (indicateurs)", default="", choices=options(
        [("", "Toutes les étapes")], ((key, label) for key, (label, _) in STEPS.items())))
    departement = SelectField("Département de l'entreprise", default="")
    bassin_entreprise = SelectField("Bassin de l'entreprise", default="")
    territoire_rsa = SelectField("Territoire pilote RSA de l'entreprise", default="")
    structure = SelectField("Structure porteuse", default="")
    conseiller = SelectField("Conseiller auteur de la demande", default="")
    du = DateField("Demandée du", validators=[Optional()])
    au = DateField("Demandée au", validators=[Optional()])
    debut_du = DateField("Formation commencée du", validators=[Optional()])
    debut_au = DateField("Formation commencée au", validators=[Optional()])

    def __init__(self, formdata, user: User):
        super().__init__(formdata)
        self.departement.choices = options([("", "Tous les départements")],
                                           users.department_choices())
        self.bassin_entreprise.choices = options([("", "Tous les bassins")], users.basin_choices())
        self.territoire_rsa.choices = options([("", "Tous les territoires pilotes")],
                                              rsa_pilots.territory_choices())
        self.structure.choices = options([("", "Toutes les structures")], (
            (str(key), name) for key, name in users.organisation_choices()))
        # only the advisers whose indicators the user may read (as the dashboard's adviser level)
        self.conseiller.choices = options([("", "Tous les conseillers")], adviser_choices(user))

    def validate_au(self, field: DateField) -> None:
        in_order(self.du, field)

    def validate_debut_au(self, field: DateField) -> None:
        in_order(self.debut_du, field)

    def filters(self) -> PoeFilters:
        return PoeFilters(
            status=self.statut.data, step=self.etape.data, department=self.departement.data,
            basin=self.bassin_entreprise.data, rsa_territory=number(self.territoire_rsa.data),
            organisation=number(self.structure.data), adviser=number(self.conseiller.data),
            requested_from=self.du.data, requested_to=self.au.data,
            started_from=self.debut_du.data, started_to=self.debut_au.data)


class TrainingRequestForm(FrenchForm):
    kind = SelectField("Dispositif", choices=options((k.value, k.label) for k in TrainingKind))
    mode = SelectField("Mode de formation", choices=options([("", "Non renseigné")], TrainingMode.choices()))
    contract_type = SelectField("Contrat promis à l'issue de la formation",
                                choices=options([("", "Non renseigné")], PromisedContract.choices()))
    contract_months = IntegerField("Durée du contrat (mois)", validators=[Optional(), NumberRange(1, 120)],
                                   description="Pour un CDD, un contrat en alternance ou saisonnier")
    missions_months_within_9 = IntegerField(
        "Missions d'intérim : mois cumulés dans les 9 mois suivant la formation",
        validators=[Optional(), NumberRange(0, 9)])
    hours_body = hours("Heures en organisme de formation")
    hours_tutoring = hours("Heures en tutorat")
    priority_public = tri_state("Public prioritaire (RSA, senior…)",
                                "Ouvre une durée plus longue")
    offer_filed = tri_state("Offre déposée auprès de France Travail")
    contributions_up_to_date = tri_state("Employeur à jour de ses cotisations sociales")
    economic_layoff_12_months = tri_state("Licenciement économique dans les 12 derniers mois")
    refused_hire_after_poe = tri_state("Refus d'embauche sans motif après une POEI ou AFPR")
    private_individual_employer = tri_state("Particulier employeur")
    training_body = StringField("Organisme de formation", validators=[Optional(), Length(max=200)])
    qualiopi = tri_state("Organisme certifié Qualiopi")
    qualiopi_number = StringField("Numéro de certificat Qualiopi", validators=[Optional(), Length(max=40)])
    tutor_experience_years = FloatField("Expérience du tuteur (années)",
                                        validators=[Optional(), NumberRange(0, 60)])
    tutor_current_trainees = IntegerField("Stagiaires POEI déjà suivis par le tuteur",
                                          validators=[Optional(), NumberRange(0, 100)])
    opco_cofunding = tri_state("Cofinancement de l'OPCO")
    opco_name = StringField("OPCO", validators=[Optional(), Length(max=120)])
    frap_requested = BooleanField("Demander le complément FRAP de la Région")
    frap_line_id = SelectField("Ligne de financement FRAP", choices=[], validate_choice=False)
    candidate = StringField("Candidat (initiales ou libellé minimal)",
                            validators=[Optional(), Length(max=120)],
                            description="Remplacé par un numéro à la clôture de la demande")
    training_starts_on = DateField("Début de formation prévu", validators=[Optional()])

    def __init__(self, lines: list[FrapLine], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frap_line_id.choices = options([("", "Aucune")], [(str(line.id), line.name) for line in lines])

    def fill(self, request: TrainingRequest) -> None:
        self.kind.data = request.kind.value
        self.mode.data = request.mode.value if request.mode else ""
        self.contract_type.data = request.contract_type.value if request.contract_type else ""
        for name in TRI_FIELDS:
            value = getattr(request, name)
            self[name].data = "" if value is None else ("oui" if value else "non")
        for name in PLAIN_FIELDS:
            self[name].data = getattr(request, name)
        self.frap_requested.data = request.frap_requested
        self.frap_line_id.data = str(request.frap_line_id) if request.frap_line_id else ""

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "kind": TrainingKind(self.kind.data),
            "mode": TrainingMode(self.mode.data) if self.mode.data else None,
            "contract_type": PromisedContract(self.contract_type.data) if self.contract_type.data else None,
            "frap_requested": bool(self.frap_requested.data),
            "frap_line_id": int(self.frap_line_id.data) if (self.frap_line_id.data or "").isdigit() else None,
        }
        for name in TRI_FIELDS:
            found[name] = {"oui": True, "non": False}.get(self[name].data or "")
        for name in PLAIN_FIELDS:
            value = self[name].data
            found[name] = value.strip() or None if isinstance(value, str) else value
        return found


class TransitionForm(FrenchForm):
    to = HiddenField()
    reason = TextAreaField("Motif", validators=[Optional(), Length(max=2000)])
    day = DateField("Date", validators=[Optional()])


class ParameterForm(FrenchForm):
    key = SelectField("Paramètre", choices=options(ParameterKey.choices()))
    value = IntegerField("Valeur", validators=[DataRequired("Indiquez la valeur."), NumberRange(0, 100_000)],
                         description="Heures, ou centimes d'euro pour un montant")
    source = StringField("Source", validators=[DataRequired("Indiquez la source."), Length(max=300)])
    valid_from = DateField("En vigueur à partir du", validators=[Optional()])
    valid_to = DateField("Jusqu'au (inclus)", validators=[Optional()])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FrapLineForm(FrenchForm):
    name = StringField("Nom de la ligne", validators=[DataRequired("Nommez la ligne."), Length(max=160)])
    max_employees = IntegerField("Entreprises de moins de (salariés)",
                                 validators=[Optional(), NumberRange(1, 100_000)])
    contracts = MultiCheckboxField("Contrats financés", choices=options(PromisedContract.choices()))
    hourly_euros = FloatField("Montant par heure (€)", validators=[DataRequired("Indiquez le montant."),
                                                                  NumberRange(0, 1000)])
    ceiling_euros = FloatField("Plafond par demande (€)", validators=[DataRequired("Indiquez le plafond."),
                                                                     NumberRange(0, 1_000_000)])
    valid_from = DateField("En vigueur à partir du", validators=[Optional()])
    valid_to = DateField("Jusqu'au (inclus)", validators=[Optional()])
    source = StringField("Source (délibération, règlement…)", validators=[Optional(), Length(max=300)])

    def frap_input(self) -> FrapInput:
        return FrapInput(self.name.data or "", self.max_employees.data, list(self.contracts.data or []),
                         round((self.hourly_euros.data or 0) * 100),
                         round((self.ceiling_euros.data or 0) * 100),
                         self.valid_from.data, self.valid_to.data, self.source.data)
