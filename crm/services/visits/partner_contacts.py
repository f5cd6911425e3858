"""Partner systems adding a contact to the shared ledger through the API."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crm.extensions import db
from crm.models import Company, Interaction, InteractionKind, User
from crm.models.base import utcnow
from crm.services.companies.records import find_by_siret
from crm.services.platform.identifiers import clean_siret, siret_problem
from crm.services.platform.refusals import InvalidInput

API_KINDS = {kind.value: kind for kind in (InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.VISIT,
                                           InteractionKind.MEETING, InteractionKind.EVENT)}
MAX_SUMMARY = 2000
MAX_OUTCOME = 255
FUTURE_TOLERANCE = timedelta(minutes=5)
OLDEST = timedelta(days=366)


class InvalidInteraction(InvalidInput):
    """An interaction the API refuses; `fields` says why, field by field."""


@dataclass(frozen=True)
class InteractionInput:
    company: Company
    kind: InteractionKind
    occurred_at: datetime
    summary: str | None
    outcome: str | None


def _company(raw: object, errors: dict[str, list[str]]) -> Company | None:
    siret = clean_siret(raw) if isinstance(raw, str) else ""
    problem = siret_problem(siret) if siret else "Le SIRET est obligatoire."
    company = None if problem else find_by_siret(siret)
    if problem or company is None:
        errors["siret"] = [problem or "Aucun établissement connu avec ce SIRET."]
    return company


def _kind(raw: object, errors: dict[str, list[str]]) -> InteractionKind | None:
    if not isinstance(raw, str) or raw not in API_KINDS:
        errors["kind"] = ["Type de contact inconnu. Valeurs possibles : " + ", ".join(API_KINDS) + "."]
        return None
    return API_KINDS[raw]


def _moment(raw: object, errors: dict[str, list[str]], now: datetime) -> datetime | None:
    """An ISO 8601 date-time, stored as naive UTC (a time without offset is read as UTC)."""
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None:
        errors["occurred_at"] = ["Indiquez la date et l'heure au format ISO 8601, "
                                 "ex. 2026-11-26T09:30:00+01:00."]
        return None
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # year 1 or 9999 moved out of range by its offset
            moment = None
    if moment is None or moment > now + FUTURE_TOLERANCE or moment < now - OLDEST:
        errors["occurred_at"] = ["La date doit être passée et dater de moins d'un an."]
        return None
    return moment


def _text(payload: dict, name: str, limit: int, errors: dict[str, list[str]]) -> str | None:
    value = payload.get(name)
    if value is not None and not isinstance(value, str):
        errors[name] = ["Ce champ doit être un texte."]
        return None
    value = (value or "").strip() or None
    if value and len(value) > limit:
        errors[name] = [f"{limit} caractères au plus."]
    return value


def parse_interaction(payload: dict, now: datetime | None = None) -> InteractionInput:
    """Validate an API payload; InvalidInteraction lists the French message of each bad field."""
    errors: dict[str, list[str]] = {}
    company = _company(payload.get("siret"), errors)
    kind = _kind(payload.get("kind"), errors)
    moment = _moment(payload.get("occurred_at"), errors, now or utcnow())
    summary = _text(payload, "summary", MAX_SUMMARY, errors)
    outcome = _text(payload, "outcome", MAX_OUTCOME, errors)
    if errors or company is None or kind is None or moment is None:  # None only with an error
        raise InvalidInteraction(errors)
    return InteractionInput(company, kind, moment, summary, outcome)


def add_to_ledger(data: InteractionInput, user: User) -> Interaction:
    """Record the contact for the token's user and organisation (the caller commits)."""
    interaction = Interaction(company=data.company, user_id=user.id, organisation_id=user.organisation_id,
                              kind=data.kind, occurred_at=data.occurred_at, summary=data.summary,
                              outcome=data.outcome)
    db.session.add(interaction)
    return interaction
