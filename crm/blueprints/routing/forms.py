"""Forms of the routing rules, the simulator and the spotter indicators."""

from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from crm.blueprints.forms import FilterForm, FrenchForm, options
from crm.models import Commune, EmployerService, OrganisationKind, Public
from crm.services.needs import spotter_stats
from crm.services.routing.rules import MAX_NAME, MAX_REASON


class RuleForm(FrenchForm):
    name = StringField(
        "Nom de la règle",
        validators=[DataRequired("Saisissez le nom de la règle."), Length(max=MAX_NAME)],
        description="Court et parlant, ex. Handicap",
    )
    publics = SelectMultipleField(
        "Publics recherchés (facultatif)", choices=options(Public.choices()),
        description="La règle s'applique si la demande vise l'un des publics cochés.",
    )
    services = SelectMultipleField(
        "Services demandés (facultatif)", choices=options(EmployerService.choices()),
        description="… ou si elle demande l'un des services cochés. "
                    "Sans public ni service coché, la règle s'applique à toutes les demandes.",
    )
    target_kind = SelectField(
        "Structure pilote", choices=options(OrganisationKind.choices()),
        description="La structure de ce type qui couvre le bassin, sinon le département, "
                    "sinon la région, pilote la demande.",
    )
    reason = TextAreaField(
        "Motif montré aux conseillers",
        validators=[DataRequired("Saisissez la phrase montrée aux conseillers."),
                    Length(max=MAX_REASON)],
        description=f"Une phrase, {MAX_REASON} caractères au plus.",
    )
    active = BooleanField("Règle active", default=True)


class SimulatorForm(FilterForm):
    siret = StringField(
        "SIRET de l'entreprise (facultatif)", validators=[Length(max=20)],
        description="Si l'entreprise est connue du CRM, son référent est pris en compte.",
    )
    place = StringField(
        "Commune du lieu de travail", validators=[Length(max=10)],
        description="Code postal ou code INSEE ; facultatif si l'entreprise est connue du CRM.",
    )
    commune_code = SelectField("Commune", choices=[], validate_choice=False)
    publics = SelectMultipleField("Publics recherchés", choices=options(Public.choices()))
    services = SelectMultipleField("Services demandés",
                                   choices=options(EmployerService.choices()))

    def offer_communes(self, communes: list[Commune]) -> None:
        """Let the user pick the workplace among the communes of a postal code, if several."""
        if communes:
            self.commune_code.choices = options(
                [("", "Choisissez la commune")],
                [(c.code, f"{c.name} ({c.code})") for c in communes])


class PeriodForm(FilterForm):
    period = SelectField("Période", choices=options(spotter_stats.PERIOD_CHOICES),
                         default=spotter_stats.ALL_TIME)
