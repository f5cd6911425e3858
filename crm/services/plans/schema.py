"""A plan sent through the API: the JSON object read into a PlanInput, field by field, with French
messages for every field that is missing or wrong (nothing is stored then)."""

from datetime import date
from typing import Any

from crm.models import Indicator, PlanStatus
from crm.services.plans.fiche import MAX_TEXT, PlanInput
from crm.services.platform.refusals import InvalidInput

MAX_OBJECTIVES = len(Indicator)
FIELDS = {"basin_code", "title", "period_start", "period_end", "status", "objectives",
          "priority_segments", "priority_sectors", "methods", "resources"}


class Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def text(payload: dict, name: str, errors: Errors, required: bool, limit: int) -> str:
    value = payload.get(name)
    if value is None or value == "":
        if required:
            errors.add(name, "Ce champ est obligatoire.")
        return ""
    if not isinstance(value, str):
        errors.add(name, "Une chaîne de caractères est attendue.")
        return ""
    if len(value) > limit:
        errors.add(name, f"{limit} caractères au plus.")
    return value


def day(payload: dict, name: str, errors: Errors) -> date | None:
    value = payload.get(name)
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.add(name, "Une date AAAA-MM-JJ est attendue.")
    return None


def status(payload: dict, errors: Errors) -> PlanStatus:
    value = payload.get("status", PlanStatus.DRAFT.value)
    if value not in {member.value for member in PlanStatus}:
        errors.add("status", "Valeurs possibles : " + ", ".join(m.value for m in PlanStatus) + ".")
        return PlanStatus.DRAFT
    return PlanStatus(value)


def objective(item: Any, errors: Errors) -> tuple[Indicator, int] | None:
    if not isinstance(item, dict) or set(item) != {"indicator", "target"}:
        errors.add("objectives", "Chaque objectif est un objet {\"indicator\", \"target\"}.")
        return None
    if item["indicator"] not in {member.value for member in Indicator}:
        errors.add("objectives", f"Indicateur inconnu : {str(item['indicator'])[:40]}.")
        return None
    target = item["target"]
    if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= 10_000_000:
        errors.add("objectives", "La cible d'un objectif est un nombre entier positif.")
        return None
    return Indicator(item["indicator"]), target


def objectives(payload: dict, errors: Errors) -> dict[Indicator, int]:
    items = payload.get("objectives", [])
    if not isinstance(items, list) or len(items) > MAX_OBJECTIVES:
        errors.add("objectives", f"Une liste de {MAX_OBJECTIVES} objectifs au plus est attendue.")
        return {}
    found: dict[Indicator, int] = {}
    for item in items:
        parsed = objective(item, errors)
        if parsed is None:
            continue
        if parsed[0] in found:
            errors.add("objectives", f"L'indicateur {parsed[0].value} figure deux fois.")
        found[parsed[0]] = parsed[1]
    return found


def codes(payload: dict, name: str, errors: Errors) -> list[str]:
    items = payload.get(name, [])
    if not isinstance(items, list) or not all(isinstance(item, str) and len(item) <= 40
                                              for item in items) or len(items) > 30:
        errors.add(name, "Une liste de codes est attendue.")
        return []
    return items


def parse_plan(payload: dict) -> PlanInput:
    """The plan described by the JSON object; InvalidInput listing every wrong field."""
    errors = Errors()
    unknown = set(payload) - FIELDS
    for name in sorted(unknown)[:10]:
        errors.add(str(name)[:40], "Champ inconnu.")
    data = PlanInput(
        title=text(payload, "title", errors, True, 160),
        basin_code=text(payload, "basin_code", errors, True, 4),
        period_start=day(payload, "period_start", errors) or date.min,
        period_end=day(payload, "period_end", errors) or date.min,
        status=status(payload, errors), objectives=objectives(payload, errors),
        priority_segments=codes(payload, "priority_segments", errors),
        priority_sectors=codes(payload, "priority_sectors", errors),
        methods=text(payload, "methods", errors, False, MAX_TEXT),
        resources=text(payload, "resources", errors, False, MAX_TEXT))
    if errors:
        raise InvalidInput(dict(errors))
    return data
