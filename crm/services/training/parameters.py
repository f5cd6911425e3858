"""Dated parameters of the POE (hour caps, tutoring amount) and the Région's FRAP funding lines,
both set by administrators. A parameter is in force from `valid_from` to `valid_to` (inclusive,
open when empty); when several are, the latest start wins; with none in the table, the shipped
service-public value applies (shown with its source)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from crm.extensions import db
from crm.models import FrapLine, ParameterKey, PromisedContract, TrainingParameter, User
from crm.services.accounts import access
from crm.services.platform import audit
from crm.services.platform.refusals import InvalidInput, Refused
from crm.services.training.eligibility import Cap, Caps, FrapTerms

SERVICE_PUBLIC = ("service-public.fr, « Préparation opérationnelle à l'emploi individuelle (POEI) » "
                  "(art. L6326-1 et D6326-1 C. trav.)")
SHIPPED: dict[ParameterKey, tuple[int, str]] = {
    ParameterKey.POEI_MAX_HOURS: (450, SERVICE_PUBLIC),
    ParameterKey.POEI_MAX_HOURS_PRIORITY: (
        600, SERVICE_PUBLIC + " : publics prioritaires (RSA, seniors…)"),
    ParameterKey.POEI_MAX_HOURS_TUTORED: (300, SERVICE_PUBLIC + " : formation entièrement en tutorat"),
    ParameterKey.POEC_MAX_HOURS: (400, "France Travail, POE collective (art. L6326-3 C. trav.)"),
    ParameterKey.TUTORING_HOURLY_CENTS: (500, "France Travail, aide au tutorat de la POEI (5 € par heure)"),
}
MAX_VALUE = 100_000
NOT_ADMIN = "Seuls les administrateurs modifient les paramètres de la POE et les lignes FRAP."


def in_force(day: date) -> sa.ColumnElement[bool]:
    return sa.and_(sa.or_(TrainingParameter.valid_from.is_(None), TrainingParameter.valid_from <= day),
                   sa.or_(TrainingParameter.valid_to.is_(None), TrainingParameter.valid_to >= day))


def values_on(day: date) -> dict[ParameterKey, tuple[int, str]]:
    """Each parameter's value and source on `day` (one query)."""
    rows = db.session.scalars(sa.select(TrainingParameter).where(in_force(day)).order_by(
        TrainingParameter.valid_from.is_(None).desc(), TrainingParameter.valid_from,
        TrainingParameter.id))
    found = dict(SHIPPED)
    for row in rows:  # later starts overwrite earlier ones
        found[row.key] = (row.value, row.source)
    return found


def caps_on(day: date) -> Caps:
    values = values_on(day)

    def cap(key: ParameterKey) -> Cap:
        return Cap(*values[key])

    return Caps(cap(ParameterKey.POEI_MAX_HOURS), cap(ParameterKey.POEI_MAX_HOURS_PRIORITY),
                cap(ParameterKey.POEI_MAX_HOURS_TUTORED), cap(ParameterKey.POEC_MAX_HOURS))


def all_parameters() -> list[TrainingParameter]:
    return list(db.session.scalars(sa.select(TrainingParameter).order_by(
        TrainingParameter.key, TrainingParameter.valid_from.is_(None).desc(),
        TrainingParameter.valid_from, TrainingParameter.id)))


def require_admin(user: User) -> None:
    if not access.is_admin(user):
        raise Refused(NOT_ADMIN)


def check_period(valid_from: date | None, valid_to: date | None, errors: dict[str, list[str]]) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = ["La fin de validité doit suivre le début."]


def add_parameter(user: User, key: str, value: int, source: str, valid_from: date | None,
                  valid_to: date | None) -> TrainingParameter:
    """A new dated value for a parameter (earlier values stay, for history)."""
    require_admin(user)
    errors: dict[str, list[str]] = {}
    if key not in {member.value for member in ParameterKey}:
        errors["key"] = ["Paramètre inconnu."]
    if not 0 <= value <= MAX_VALUE:
        errors["value"] = [f"Une valeur entre 0 et {MAX_VALUE}."]
    if not source.strip():
        errors["source"] = ["Indiquer la source (texte, page officielle…)."]
    check_period(valid_from, valid_to, errors)
    if errors:
        raise InvalidInput(errors)
    parameter = TrainingParameter(key=ParameterKey(key), value=value, source=source.strip()[:300],
                                  valid_from=valid_from, valid_to=valid_to)
    db.session.add(parameter)
    db.session.flush()
    audit.record(user, "training_parameter_added", parameter,
                 {"key": key, "value": value, "valid_from": valid_from, "valid_to": valid_to})
    return parameter


def frap_lines() -> list[FrapLine]:
    return list(db.session.scalars(sa.select(FrapLine).order_by(FrapLine.name, FrapLine.id)))


def lines_on(day: date) -> list[FrapLine]:
    return [line for line in frap_lines()
            if (line.valid_from is None or line.valid_from <= day)
            and (line.valid_to is None or line.valid_to >= day)]


@dataclass(frozen=True)
class FrapInput:
    name: str
    max_employees: int | None
    contracts: list[str]
    hourly_cents: int
    ceiling_cents: int
    valid_from: date | None
    valid_to: date | None
    source: str | None


def add_frap_line(user: User, data: FrapInput) -> FrapLine:
    require_admin(user)
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = ["Donner un nom à la ligne de financement."]
    known = {member.value for member in PromisedContract}
    if any(contract not in known for contract in data.contracts):
        errors["contracts"] = ["Contrat inconnu."]
    if data.max_employees is not None and not 0 < data.max_employees <= MAX_VALUE:
        errors["max_employees"] = ["Un effectif entre 1 et 100 000."]
    for name in ("hourly_cents", "ceiling_cents"):
        if not 0 <= getattr(data, name) <= 100 * MAX_VALUE:
            errors[name] = ["Un montant positif."]
    check_period(data.valid_from, data.valid_to, errors)
    if errors:
        raise InvalidInput(errors)
    line = FrapLine(name=data.name.strip()[:160], max_employees=data.max_employees,
                    contracts=sorted(set(data.contracts)), hourly_cents=data.hourly_cents,
                    ceiling_cents=data.ceiling_cents, valid_from=data.valid_from,
                    valid_to=data.valid_to, source=(data.source or "").strip()[:300] or None)
    db.session.add(line)
    db.session.flush()
    audit.record(user, "frap_line_added", line, {"name": line.name, "hourly_cents": line.hourly_cents,
                                                 "ceiling_cents": line.ceiling_cents})
    return line


def terms_of(line: FrapLine | None) -> FrapTerms | None:
    if line is None:
        return None
    return FrapTerms(line.name, line.max_employees, frozenset(line.contracts), line.hourly_cents,
                     line.ceiling_cents, line.valid_from, line.valid_to,
                     line.source or "Région Bourgogne-Franche-Comté (FRAP)")
