"""The RSA pilot territories, as data an administrator keeps: communes, EPCI, basins or
départements, each from a date and possibly until another. The 2023 pilots (Côte-d'Or around
Genlis and Beaune, Yonne Avallon-Tonnerre) and the 2024 extensions (Territoire de Belfort,
Haute-Saône, Saône-et-Loire) are installed when there are none."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import Basin, Commune, Department, RsaPilotTerritory, TerritoryScope, User
from crm.services.platform import audit
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import Refused

PILOTS_2023 = date(2023, 4, 1)
EXTENSION_2024 = date(2024, 3, 1)
DEFAULT_TERRITORIES: tuple[tuple[TerritoryScope, str, str, date], ...] = (
    (TerritoryScope.EPCI, "200000925", "Côte-d'Or : CC de la Plaine Dijonnaise (Genlis)",
     PILOTS_2023),
    (TerritoryScope.EPCI, "200006682", "Côte-d'Or : CA Beaune, Côte et Sud", PILOTS_2023),
    (TerritoryScope.EPCI, "200039758", "Yonne : CC Avallon, Vézelay, Morvan", PILOTS_2023),
    (TerritoryScope.EPCI, "200039642", "Yonne : CC Le Tonnerrois en Bourgogne", PILOTS_2023),
    (TerritoryScope.DEPARTMENT, "90", "Territoire de Belfort", EXTENSION_2024),
    (TerritoryScope.DEPARTMENT, "70", "Haute-Saône", EXTENSION_2024),
    (TerritoryScope.DEPARTMENT, "71", "Saône-et-Loire", EXTENSION_2024),
)


class TerritoryError(Refused):
    """A pilot territory that cannot be saved; the message is French, about the field `field`."""


def install_default_territories() -> int:
    """The 2023 pilots and 2024 extensions, when no territory is recorded yet."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(RsaPilotTerritory)):
        return 0
    for scope, code, label, start in DEFAULT_TERRITORIES:
        db.session.add(RsaPilotTerritory(scope=scope, code=code, label=label, valid_from=start))
    return len(DEFAULT_TERRITORIES)


def all_territories() -> list[RsaPilotTerritory]:
    query = sa.select(RsaPilotTerritory).order_by(RsaPilotTerritory.valid_from,
                                                  RsaPilotTerritory.label)
    return list(db.session.scalars(query))


def in_force(day: date) -> ColumnElement[bool]:
    return sa.and_(RsaPilotTerritory.valid_from <= day,
                   sa.or_(RsaPilotTerritory.valid_until.is_(None),
                          RsaPilotTerritory.valid_until >= day))


def covers_commune() -> ColumnElement[bool]:
    """Join condition: the territory contains the commune."""
    code = RsaPilotTerritory.code
    return sa.or_(
        sa.and_(RsaPilotTerritory.scope == TerritoryScope.COMMUNE, code == Commune.code),
        sa.and_(RsaPilotTerritory.scope == TerritoryScope.EPCI, code == Commune.epci_siren),
        sa.and_(RsaPilotTerritory.scope == TerritoryScope.BASIN, code == Commune.basin_code),
        sa.and_(RsaPilotTerritory.scope == TerritoryScope.DEPARTMENT,
                code == Commune.department_code))


def pilot_communes(day: date | None = None) -> sa.Select:
    """The codes of the communes in a pilot territory on that day (today by default)."""
    return (sa.select(Commune.code).join(RsaPilotTerritory, covers_commune())
            .where(in_force(day or local_today())))


def is_pilot_commune(commune_code: str | None, day: date | None = None) -> bool:
    if not commune_code:
        return False
    query = pilot_communes(day).where(Commune.code == commune_code).limit(1)
    return db.session.scalar(query) is not None


def pilot_basin_codes(day: date | None = None) -> set[str]:
    """The basins with at least one commune in a pilot territory on that day."""
    query = (sa.select(Commune.basin_code).join(RsaPilotTerritory, covers_commune())
             .where(in_force(day or local_today())).distinct())
    return set(db.session.scalars(query))


def check_code(scope: TerritoryScope, code: str) -> str:
    code = code.strip()
    known = {
        TerritoryScope.COMMUNE: sa.select(Commune.code).where(Commune.code == code),
        TerritoryScope.EPCI: sa.select(Commune.code).where(Commune.epci_siren == code),
        TerritoryScope.BASIN: sa.select(Basin.code).where(Basin.code == code),
        TerritoryScope.DEPARTMENT: sa.select(Department.code).where(Department.code == code),
    }[scope]
    if not code or db.session.scalar(known.limit(1)) is None:
        raise TerritoryError(f"Code inconnu pour « {scope.label} » dans la région.", "code")
    return code


def add_territory(actor: User, scope: TerritoryScope, code: str, label: str, valid_from: date,
                  valid_until: date | None) -> RsaPilotTerritory:
    """An administrator records a pilot territory."""
    code = check_code(scope, code)
    label = label.strip()
    if not label or len(label) > 160:
        raise TerritoryError("Indiquez un nom de 160 caractères au plus.", "label")
    if valid_until is not None and valid_until < valid_from:
        raise TerritoryError("La fin ne peut pas précéder le début.", "valid_until")
    territory = RsaPilotTerritory(scope=scope, code=code, label=label, valid_from=valid_from,
                                  valid_until=valid_until)
    db.session.add(territory)
    db.session.flush()
    audit.record(actor, "add_rsa_pilot", territory, {"label": label, "code": code})
    return territory


def end_territory(actor: User, territory: RsaPilotTerritory, valid_until: date) -> None:
    """The pilot ends on that day (it stays in the history)."""
    if valid_until < territory.valid_from:
        raise TerritoryError("La fin ne peut pas précéder le début.", "valid_until")
    territory.valid_until = valid_until
    audit.record(actor, "end_rsa_pilot", territory, {"valid_until": valid_until})


def territory_communes(territory_id: int) -> sa.Select:
    """The codes of the communes of one pilot territory (whatever its dates)."""
    return (sa.select(Commune.code).join(RsaPilotTerritory, covers_commune())
            .where(RsaPilotTerritory.id == territory_id))


def territory_choices() -> list[tuple[str, str]]:
    """(id, label) of every pilot territory, oldest pilots first."""
    return [(str(territory.id), territory.label) for territory in all_territories()]
