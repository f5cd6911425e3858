"""Administration of the routing rules (create, edit, reorder, disable) and the simulator that
runs the real routing engine on a sample input without storing anything."""

from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Commune,
    CommunePostalCode,
    Company,
    HiringNeed,
    LabelledEnum,
    OrganisationKind,
    RoutingRule,
    User,
)
from crm.services.companies import records
from crm.services.platform import audit
from crm.services.platform.identifiers import clean_siret, siret_problem
from crm.services.platform.refusals import InvalidInput, Refused
from crm.services.routing import criteria
from crm.services.routing import engine as routing
from crm.services.routing.criteria import Facts

MAX_NAME = 120
MAX_REASON = 255
RULE_FIELDS = ("name", *criteria.NAMES, "target_kind", "reason", "active")
LEVEL_LABELS = {
    "basin": "Bassin d'emploi",
    "department": "Département",
    "region": "Région",
    "none": "Aucune structure : la demande attendrait dans la file du bassin",
}


class RuleError(Refused):
    """A change to the rules that cannot be made; the message is French and user-facing, about
    the form field `field`."""

    def __init__(self, message: str, field: str):
        super().__init__(message, field)


# Reading the rules


def all_rules() -> list[RoutingRule]:
    """Every rule, active or not, in evaluation order."""
    query = sa.select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)
    return list(db.session.scalars(query))


def matches_everything(rule: RoutingRule) -> bool:
    """A rule without conditions fires for every need."""
    return criteria.rule_matches(rule, {})


def conditions(rule: RoutingRule) -> list[str]:
    """The rule's conditions in French, one line per kind; any one of them is enough."""
    return criteria.summary_lines(rule) or ["Toutes les demandes"]


@dataclass
class RuleOverview:
    """The rules in order, the first active rule matching everything, and the active rules after
    it (they can never fire)."""

    rules: list[RoutingRule]
    catch_all: RoutingRule | None
    unreachable: set[int]


def rule_overview() -> RuleOverview:
    """The ordered rules with what an administrator must know about their coverage."""
    rules = all_rules()
    active = [r for r in rules if r.active]
    catch_all = next((r for r in active if matches_everything(r)), None)
    after = active[active.index(catch_all) + 1:] if catch_all else []
    return RuleOverview(rules, catch_all, {r.id for r in after})


# Changing the rules


def renumber(rules: list[RoutingRule]) -> None:
    """Positions 1..n in the order of the list."""
    for position, rule in enumerate(rules, start=1):
        rule.position = position


def known_values(values: list[str], enum: type[LabelledEnum], field_name: str) -> list[str]:
    """The values in the enumeration's order; an unknown value is refused."""
    unknown = sorted(set(values) - {m.value for m in enum})
    if unknown:
        raise RuleError(f"Valeur inconnue : {', '.join(unknown)}.", field_name)
    return [m.value for m in enum if m.value in values]


def check_name_free(rule: RoutingRule, name: str) -> None:
    query = sa.select(RoutingRule).where(sa.func.lower(RoutingRule.name) == name.lower())
    other = db.session.scalars(query).first()
    if other is not None and other is not rule:
        raise RuleError(f"Une règle nommée « {other.name} » existe déjà : choisissez un autre nom.",
                        "name")


def check_text(value: str, maximum: int, field_name: str, missing: str) -> str:
    value = value.strip()
    if not value:
        raise RuleError(missing, field_name)
    if len(value) > maximum:
        raise RuleError(f"Ce texte ne doit pas dépasser {maximum} caractères.", field_name)
    return value


def snapshot(rule: RoutingRule) -> dict:
    return {name: getattr(rule, name) for name in RULE_FIELDS}


def place_new_rule(rule: RoutingRule) -> None:
    """A new rule with conditions goes just before the first rule matching everything (else it
    could never fire); a rule matching everything goes last."""
    rules = all_rules()
    catch_all = next((r for r in rules if matches_everything(r)), None)
    index = rules.index(catch_all) if catch_all and not matches_everything(rule) else len(rules)
    rules.insert(index, rule)
    renumber(rules)


def target_kind_of(value: str) -> OrganisationKind:
    try:
        return OrganisationKind(value)
    except ValueError:
        raise RuleError("Choisissez le type de structure pilote.", "target_kind") from None


def checked_values(rule: RoutingRule, name: str, conditions: Facts, target_kind: str,
                   reason: str) -> dict:
    """The rule's new values, cleaned; a problem raises RuleError on its field."""
    name = check_text(name, MAX_NAME, "name", "Saisissez le nom de la règle.")
    check_name_free(rule, name)
    return {
        "name": name,
        **{c.name: known_values(list(conditions.get(c.name, ())), c.values, c.name)
           for c in criteria.CRITERIA},
        "target_kind": target_kind_of(target_kind),
        "reason": check_text(reason, MAX_REASON, "reason",
                             "Saisissez la phrase montrée aux conseillers."),
    }


def save_rule(rule: RoutingRule, *, name: str, conditions: Facts, target_kind: str, reason: str,
              active: bool = True, actor: User | None = None) -> RoutingRule:
    """Create or update a rule (`conditions`: its values per routing criterion); every change goes
    to the audit trail."""
    values = checked_values(rule, name, conditions, target_kind, reason)
    creating = rule.id is None
    before = {} if creating else snapshot(rule)
    for key, value in {**values, "active": active}.items():
        setattr(rule, key, value)
    if creating:
        place_new_rule(rule)
        db.session.add(rule)
    db.session.flush()
    changes = {k: [before.get(k), v] for k, v in snapshot(rule).items() if before.get(k) != v}
    if creating:
        changes["position"] = [None, rule.position]
    audit.record(actor, "create" if creating else "update", rule, changes)
    return rule


def move_rule(rule: RoutingRule, direction: Literal["up", "down"],
              actor: User | None = None) -> bool:
    """Swap the rule with its neighbour; False when it is already first (up) or last (down)."""
    rules = all_rules()
    index = rules.index(rule)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rules):
        renumber(rules)
        return False
    before = rule.position
    rules[index], rules[other] = rules[other], rules[index]
    renumber(rules)
    audit.record(actor, "move", rule, {"position": [before, rule.position]})
    return True


def set_rule_active(rule: RoutingRule, active: bool, actor: User | None = None) -> None:
    """Enable or disable a rule; a disabled rule is skipped by the routing."""
    rule.active = active
    audit.record(actor, "activate" if active else "deactivate", rule, {"active": active})


# The simulator


class SimulationError(InvalidInput):
    """Input the simulator cannot use: French messages per field, and the communes to choose
    from when a postal code serves several."""

    def __init__(self, fields: dict[str, list[str]], communes: list[Commune] | None = None):
        super().__init__(fields)
        self.communes = communes or []


@dataclass
class RuleCheck:
    """One rule as the simulated need met it."""

    rule: RoutingRule
    matched: bool
    fired: bool

    @property
    def verdict(self) -> str:
        if self.fired:
            return "Appliquée"
        if not self.rule.active:
            return "Désactivée : ignorée"
        if self.matched:
            return "Conditions remplies, mais une règle précédente s'applique"
        return "Conditions non remplies"


@dataclass
class Simulation:
    """What the routing engine would decide for the sample need, and why."""

    company: Company
    known_company: bool
    commune: Commune | None
    basin_code: str | None
    department_code: str | None
    decision: routing.Routing
    level: str
    checks: list[RuleCheck] = field(default_factory=list)
    communes: list[Commune] = field(default_factory=list)
    adviser_is_referent: bool = False
    adviser_open_needs: int | None = None

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


def communes_matching(place: str) -> list[Commune]:
    """The region's communes whose INSEE code or one of whose postal codes is `place`."""
    code = place.replace(" ", "")
    by_postal_code = sa.select(CommunePostalCode.commune_code).where(
        CommunePostalCode.postal_code == code)
    query = (sa.select(Commune)
             .where(sa.or_(Commune.code == code, Commune.code.in_(by_postal_code)))
             .order_by(Commune.name))
    return list(db.session.scalars(query))


def chosen_commune(place: str, commune_code: str | None) -> tuple[Commune | None, list[Commune]]:
    """The commune meant by a code or chosen among those of a postal code, with the communes
    to choose from when the postal code serves several."""
    if not place.strip():
        return None, []
    communes = communes_matching(place)
    chosen = [c for c in communes if c.code == commune_code] or communes
    if not chosen:
        raise SimulationError({"place": [
            "Aucune commune de Bourgogne-Franche-Comté n'a ce code postal ou ce code INSEE."]})
    if len(chosen) > 1:
        raise SimulationError({"commune_code": [
            f"{len(chosen)} communes correspondent à ce code : choisissez-en une."]}, chosen)
    return chosen[0], communes if len(communes) > 1 else []


def sample_company(siret: str) -> tuple[Company, bool]:
    """The company known under this SIRET, or a transient one never added to the session."""
    if not siret.strip():
        return Company(name="Entreprise non renseignée", tags=[]), False
    if problem := siret_problem(siret):
        raise SimulationError({"siret": [problem]})
    company = records.find_by_siret(siret)
    if company is not None:
        return company, True
    return Company(siret=clean_siret(siret), name="Entreprise inconnue du CRM", tags=[]), False


def open_needs_of(adviser: User) -> int:
    query = sa.select(sa.func.count(HiringNeed.id)).where(
        HiringNeed.adviser_id == adviser.id, HiringNeed.is_open)
    return db.session.scalar(query) or 0


def simulate(*, siret: str = "", place: str = "", commune_code: str | None = None,
             facts: Facts) -> Simulation:
    """Route a sample need with the real engine; nothing is written to the database."""
    company, known = sample_company(siret)
    commune, communes = chosen_commune(place, commune_code)
    commune = commune or (company.commune if known else None)
    basin_code = commune.basin_code if commune else company.basin_code
    if basin_code is None:
        raise SimulationError({"place": [
            "Indiquez la commune du lieu de travail, ou le SIRET d'une entreprise connue du CRM "
            "dont la commune est renseignée."]})
    department_code = commune.department_code if commune else None
    decision = routing.route(company, basin_code, department_code, facts,
                             commune_code=commune.code if commune else None)
    fired = decision.rule.id if decision.rule else None
    checks = [RuleCheck(r, criteria.rule_matches(r, facts), r.id == fired)
              for r in all_rules()]
    adviser = decision.adviser
    return Simulation(
        company, known, commune, basin_code, department_code, decision, decision.coverage, checks,
        communes, adviser_is_referent=decision.chosen_by == routing.BY_REFERENT,
        adviser_open_needs=open_needs_of(adviser) if adviser else None,
    )
