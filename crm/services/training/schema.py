"""A POE case or request as JSON (API) read field by field, with French messages per wrong field.
`null` or a missing field is unknown, never false."""

from datetime import date
from typing import Any

from crm.models import PromisedContract, TrainingKind, TrainingMode
from crm.services.platform.refusals import InvalidInput
from crm.services.training.eligibility import Case

BOOLEANS = ("priority_public", "offer_filed", "contributions_up_to_date", "economic_layoff_12_months",
            "refused_hire_after_poe", "qualiopi", "private_individual_employer")
INTEGERS = {"contract_months": (1, 120), "missions_months_within_9": (0, 9),
            "training_hours": (0, 10_000), "tutoring_hours": (0, 10_000),
            "tutor_current_trainees": (0, 100)}
DATES = ("on_date", "convention_signed_on", "training_starts_on")
ENUMS: dict[str, Any] = {"kind": TrainingKind, "contract_type": PromisedContract, "mode": TrainingMode}
CASE_FIELDS = {*BOOLEANS, *INTEGERS, *DATES, *ENUMS, "tutor_experience_years", "frap_requested"}
REQUEST_TEXTS = {"siret": 20, "need_reference": 30, "training_body": 200, "qualiopi_number": 40,
                 "opco_name": 120, "candidate": 120}
REQUEST_FIELDS = (CASE_FIELDS - {"on_date"}) | set(REQUEST_TEXTS) | {
    "opco_cofunding", "frap_line_id", "training_ends_on"}
MAX_ID = 2**31 - 1


class Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def boolean(payload: dict, name: str, errors: Errors) -> bool | None:
    value = payload.get(name)
    if value is None or isinstance(value, bool):
        return value
    errors.add(name, "Vrai, faux ou null (inconnu) est attendu.")
    return None


def integer(payload: dict, name: str, low: int, high: int, errors: Errors) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors.add(name, f"Un nombre entier entre {low} et {high} est attendu.")
        return None
    return value


def number(payload: dict, name: str, errors: Errors) -> float | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 60:
        errors.add(name, "Un nombre d'années entre 0 et 60 est attendu.")
        return None
    return float(value)


def day(payload: dict, name: str, errors: Errors) -> date | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            parsed = date.fromisoformat(value)
            if 1900 <= parsed.year <= 2200:
                return parsed
        except ValueError:
            pass
    errors.add(name, "Une date AAAA-MM-JJ est attendue.")
    return None


def choice(payload: dict, name: str, errors: Errors) -> Any:
    value, enum = payload.get(name), ENUMS[name]
    if value is None:
        return None
    if not isinstance(value, str) or value not in {member.value for member in enum}:
        errors.add(name, "Valeurs possibles : " + ", ".join(member.value for member in enum) + ".")
        return None
    return enum(value)


def text(payload: dict, name: str, errors: Errors) -> str | None:
    value, limit = payload.get(name), REQUEST_TEXTS[name]
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        errors.add(name, f"Une chaîne de {limit} caractères au plus est attendue.")
        return None
    return value.strip() or None


def unknown_fields(payload: dict, known: set[str], errors: Errors) -> None:
    for name in sorted(set(payload) - known)[:10]:
        errors.add(str(name)[:40], "Champ inconnu.")


def case_values(payload: dict, errors: Errors) -> dict[str, Any]:
    values: dict[str, Any] = {name: boolean(payload, name, errors) for name in BOOLEANS}
    values |= {name: integer(payload, name, *bounds, errors) for name, bounds in INTEGERS.items()}
    values |= {name: day(payload, name, errors) for name in DATES if name in payload}
    values |= {name: choice(payload, name, errors) for name in ENUMS}
    values["tutor_experience_years"] = number(payload, "tutor_experience_years", errors)
    values["frap_requested"] = bool(boolean(payload, "frap_requested", errors))
    if values["kind"] is None:
        if "kind" in payload:
            errors.add("kind", "Valeurs possibles : poei, poec.")
        values["kind"] = TrainingKind.POEI
    return values


def parse_case(payload: dict) -> Case:
    """The case of POST /training/eligibility; `kind` defaults to POEI."""
    errors = Errors()
    unknown_fields(payload, CASE_FIELDS, errors)
    values = case_values(payload, errors)
    if errors:
        raise InvalidInput(dict(errors))
    return Case(**values)


def parse_request(payload: dict) -> dict[str, Any]:
    """The fields of a new request, named as the model's columns (plus `siret`, `need_reference`)."""
    errors = Errors()
    unknown_fields(payload, REQUEST_FIELDS, errors)
    values = case_values({k: v for k, v in payload.items() if k != "on_date"}, errors)
    values |= {name: text(payload, name, errors) for name in REQUEST_TEXTS}
    values["opco_cofunding"] = boolean(payload, "opco_cofunding", errors)
    values["frap_line_id"] = integer(payload, "frap_line_id", 1, MAX_ID, errors)
    values["training_ends_on"] = day(payload, "training_ends_on", errors)
    if not values["siret"]:
        errors.add("siret", "Le SIRET de l'établissement est obligatoire.")
    if errors:
        raise InvalidInput(dict(errors))
    values["hours_body"] = values.pop("training_hours")
    values["hours_tutoring"] = values.pop("tutoring_hours")
    return values
