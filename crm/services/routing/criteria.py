"""The conditions a routing rule may set, as data: each criterion is a list of values held under
the same name by the hiring need and by the rule; a rule fires when, for any criterion, the need
and the rule share a value (a rule setting none fires for every need).

Adding a criterion touches the models (a JSON list column on `HiringNeed` and `RoutingRule`), this
registry and a migration; the engine, the rule form, the simulator and the rule summaries follow.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crm.models import EmployerService, HiringNeed, LabelledEnum, Public, RoutingRule

Facts = Mapping[str, Sequence[str]]  # criterion name -> values of a need


@dataclass(frozen=True)
class Criterion:
    name: str  # attribute of HiringNeed and RoutingRule, key of the API payload and form field
    values: type[LabelledEnum]
    label: str  # the form field's label
    summary: str  # how a rule's conditions start in French, e.g. "Public : A ou B"
    rule_help: str  # the rule form's hint

    def label_of(self, value: str) -> str:
        return {member.value: member.label for member in self.values}.get(value, value)


CRITERIA = (
    Criterion("publics", Public, "Publics recherchés", "Public",
              "La règle s'applique si la demande vise l'un des publics cochés."),
    Criterion("services", EmployerService, "Services demandés", "Services",
              "… ou si elle demande l'un des services cochés. "
              "Sans public ni service coché, la règle s'applique à toutes les demandes."),
)
NAMES = tuple(criterion.name for criterion in CRITERIA)


def values_of(record: HiringNeed | RoutingRule) -> dict[str, list[str]]:
    """The record's values for each criterion (a need's facts or a rule's conditions)."""
    return {criterion.name: list(getattr(record, criterion.name) or []) for criterion in CRITERIA}


def rule_matches(rule: RoutingRule, facts: Facts) -> bool:
    conditions = values_of(rule)
    if not any(conditions.values()):
        return True
    return any(set(conditions[name]) & set(facts.get(name, ())) for name in NAMES)


def summary_lines(rule: RoutingRule) -> list[str]:
    """The rule's conditions in French, one line per criterion it sets."""
    return [f"{criterion.summary} : " + " ou ".join(criterion.label_of(v) for v in values)
            for criterion in CRITERIA if (values := getattr(rule, criterion.name))]
