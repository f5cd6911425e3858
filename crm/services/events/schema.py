"""The JSON of the API's events and registrations, read into the services' inputs; type errors
are InvalidInput with a French message per field (nothing is stored)."""

from datetime import UTC, datetime

from crm.services.events.organising import EventInput
from crm.services.events.registrations import Candidate
from crm.services.platform.local_time import utc_from_local
from crm.services.platform.refusals import InvalidInput

EVENT_FIELDS = {"kind", "title", "starts_at", "ends_at", "commune_code", "venue", "online_url",
                "capacity", "organiser_ids", "registration_closes_at", "description", "sectors",
                "rome_codes"}
REGISTRATION_FIELDS = {"name", "email", "phone", "consent", "heard_from"}
TIME_HINT = ("Indiquez la date et l'heure au format ISO 8601, ex. 2026-11-26T09:30:00+01:00 "
             "(sans fuseau : heure de Paris).")


def moment(value: object) -> datetime | None:
    """An ISO 8601 time as stored (naive UTC); a time without offset is read as Paris time.
    Raises ValueError when it is not one."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(value)
    parsed = datetime.fromisoformat(value)
    try:
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC).replace(tzinfo=None)
        return utc_from_local(parsed)
    except OverflowError:
        raise ValueError(value) from None


def unknown_fields(payload: dict, known: set[str], errors: dict[str, list[str]]) -> None:
    for name in payload:
        if name not in known:
            errors[str(name)[:60]] = ["Champ inconnu."]


def parse_event(payload: dict) -> EventInput:
    errors: dict[str, list[str]] = {}
    unknown_fields(payload, EVENT_FIELDS, errors)

    def text(name: str, required: bool = False) -> str | None:
        value = payload.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            errors[name] = ["Indiquez un texte."]
            return None
        return value

    def time(name: str, required: bool = False) -> datetime | None:
        value = payload.get(name)
        if value is None and not required:
            return None
        try:
            return moment(value)
        except (ValueError, TypeError):
            errors[name] = [TIME_HINT]
            return None

    def codes(name: str) -> list[str]:
        value = payload.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and len(item) <= 10
                                                  for item in value) or len(value) > 50:
            errors[name] = ["Indiquez une liste de codes."]
            return []
        return value

    capacity = payload.get("capacity")
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)):
        errors["capacity"] = ["Indiquez un nombre entier de places (au moins 1)."]
        capacity = None
    organiser_ids = payload.get("organiser_ids")
    if not isinstance(organiser_ids, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in organiser_ids):
        errors["organiser_ids"] = ["Indiquez la liste des identifiants des structures organisatrices."]
        organiser_ids = []
    data = EventInput(
        kind=text("kind", True), title=text("title", True), starts_at=time("starts_at", True),
        ends_at=time("ends_at", True), organiser_ids=[i for i in organiser_ids if 0 < i < 2**31],
        commune_code=text("commune_code"), venue=text("venue"), online_url=text("online_url"),
        capacity=capacity if isinstance(capacity, int) and abs(capacity) < 2**31 else (
            0 if capacity is not None else None),
        registration_closes_at=time("registration_closes_at"), description=text("description"),
        sectors=codes("sectors"), rome_codes=codes("rome_codes"))
    if len(organiser_ids) != len(data.organiser_ids) and "organiser_ids" not in errors:
        errors["organiser_ids"] = ["Une structure organisatrice est inconnue ou inactive."]
    if errors:
        raise InvalidInput(errors)
    return data


def parse_candidate(payload: dict) -> Candidate:
    errors: dict[str, list[str]] = {}
    unknown_fields(payload, REGISTRATION_FIELDS, errors)
    values = {}
    for name in ("name", "email", "phone", "heard_from"):
        value = payload.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = ["Indiquez un texte."]
            value = None
        values[name] = value
    consent = payload.get("consent", False)
    if not isinstance(consent, bool):
        errors["consent"] = ["Indiquez true ou false."]
    if errors:
        raise InvalidInput(errors)
    return Candidate(name=values["name"], email=values["email"], phone=values["phone"],
                     consent=consent is True, heard_from=values["heard_from"])
