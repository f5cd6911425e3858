"""Forms of the routing rules, the simulator and the spotter indicators."""

from typing import TYPE_CHECKING

from wtforms import BooleanField, Field, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from crm.blueprints.forms import FilterForm, FrenchForm, options
from crm.models import Commune, OrganisationKind
from crm.services.needs import spotter_stats
from crm.services.routing import criteria
from crm.services.routing.rules import MAX_NAME, MAX_REASON


class CriteriaFields:
    """A form offering one set of checkboxes per routing criterion (`routing.criteria`)."""

    if TYPE_CHECKING:
        def __getitem__(self, name: str) -> Field: ...  # the form's, in the forms this is mixed into

    def criteria_fields(self) -> list[SelectMultipleField]:
        return [self[c.name] for c in criteria.CRITERIA]

    def criteria_values(self) -> dict[str, list[str]]:
        return {c.name: self[c.name].data or [] for c in criteria.CRITERIA}


def add_criteria_fields(form_class: type[FrenchForm], *, on_rule: bool) -> None:
    """Give the form a field per criterion: optional with its hint on the rule form."""
    for c in criteria.CRITERIA:
        label, hint = (f"{c.label} (facultatif)", c.rule_help) if on_rule else (c.label, "")
        setattr(form_class, c.name, SelectMultipleField(label, choices=options(c.values.choices()),
                                                        description=hint))


class RuleForm(CriteriaFields, FrenchForm):
    name = StringField(
        "Nom de la règle",
        validators=[DataRequired("Saisissez le nom de la règle."), Length(max=MAX_NAME)],
        description="Court et parlant, ex. Handicap",
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


class SimulatorForm(CriteriaFields, FilterForm):
    siret = StringField(
        "SIRET de l'entreprise (facultatif)", validators=[Length(max=20)],
        description="Si l'entreprise est connue du CRM, son référent est pris en compte.",
    )
    place = StringField(
        "Commune du lieu de travail", validators=[Length(max=10)],
        description="Code postal ou code INSEE ; facultatif si l'entreprise est connue du CRM.",
    )
    commune_code = SelectField("Commune", choices=[], validate_choice=False)

    def offer_communes(self, communes: list[Commune]) -> None:
        """Let the user pick the workplace among the communes of a postal code, if several."""
        if communes:
            self.commune_code.choices = options(
                [("", "Choisissez la commune")],
                [(c.code, f"{c.name} ({c.code})") for c in communes])


add_criteria_fields(RuleForm, on_rule=True)
add_criteria_fields(SimulatorForm, on_rule=False)


class PeriodForm(FilterForm):
    period = SelectField("Période", choices=options(spotter_stats.PERIOD_CHOICES),
                         default=spotter_stats.ALL_TIME)
