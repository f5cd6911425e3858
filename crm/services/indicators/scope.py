"""What the indicators are computed over: an area (the region, a département, a basin, an RSA pilot
territory; optionally one organisation's work in it) or one adviser's work, and a period of French
calendar days."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Basin, Company, Department, Organisation, Role, RsaPilotTerritory, User
from crm.services.companies.listing import department_condition
from crm.services.plans import objectives
from crm.services.platform.refusals import InvalidInput
from crm.services.territory import communes, rsa_pilots

REGION_CODE = "27"  # Bourgogne-Franche-Comté (INSEE region code)
REGION_NAME = "Bourgogne-Franche-Comté"
MAX_PERIOD_DAYS = 2 * 366


class Level(StrEnum):
    REGION = "region"
    DEPARTEMENT = "departement"
    BASIN = "basin"
    RSA = "rsa"
    ADVISER = "adviser"


LEVEL_LABELS = {Level.REGION: "Région", Level.DEPARTEMENT: "Département",
                Level.BASIN: "Bassin d'emploi", Level.RSA: "Territoire pilote RSA",
                Level.ADVISER: "Conseiller"}
AREA_LEVELS = (Level.REGION, Level.DEPARTEMENT, Level.BASIN, Level.RSA)
ADVISER_ROLES = (Role.ADVISER, Role.MANAGER)  # the people who pilot needs


@dataclass(frozen=True)
class Scope:
    """An area: the region ("27"), a département (its number), a basin (its ZE2020 code) or an RSA
    pilot territory (its id); with `organisation_id`, only that organisation's contacts, visits and
    piloted needs in the area. The adviser level (code: the user's id) is the whole region, counting
    only that adviser's contacts, visits and piloted needs."""

    level: Level
    code: str
    name: str = ""
    organisation_id: int | None = None
    organisation_name: str = ""

    def company_condition(self) -> sa.ColumnElement[bool]:
        """The firms of the area (the firm's own location, as the plans' objectives count them)."""
        if self.level == Level.BASIN:
            return Company.basin_code == self.code
        if self.level == Level.DEPARTEMENT:
            return department_condition(self.code)
        if self.level == Level.RSA:
            return Company.commune_code.in_(rsa_pilots.territory_communes(int(self.code)))
        return sa.true()

    def place_condition(self, commune: objectives.Column, basin: objectives.Column) -> sa.ColumnElement[bool]:
        """Records placed in the area by their own commune and basin columns (an event's
        place, not a firm's)."""
        if self.level == Level.BASIN:
            return basin == self.code
        if self.level == Level.DEPARTEMENT:
            return commune.in_(communes.department_communes(self.code))
        if self.level == Level.RSA:
            return commune.in_(rsa_pilots.territory_communes(int(self.code)))
        return sa.true()

    @property
    def adviser_id(self) -> int | None:
        return int(self.code) if self.level == Level.ADVISER else None

    def by_whom(self, organisation: objectives.Column,
                person: objectives.Column) -> list[sa.ColumnElement[bool]]:
        """The conditions keeping the scope's organisation's or adviser's work: `organisation`
        and `person` are the organisation and user columns of what is counted."""
        conditions = [] if self.organisation_id is None else [organisation == self.organisation_id]
        if self.adviser_id is not None:
            conditions.append(person == self.adviser_id)
        return conditions

    @property
    def label(self) -> str:
        area = f"{LEVEL_LABELS[self.level]} : {self.name or self.code}"
        return f"{area} – {self.organisation_name}" if self.organisation_name else area


@dataclass(frozen=True)
class Period(objectives.Period):
    """French calendar days from `start` to `end`, both included (the plans' period)."""

    @property
    def previous(self) -> "Period":
        """The period of the same length just before."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def year_before(self) -> "Period":
        """The same days one year before (29 February becomes 28 February)."""
        return Period(one_year_before(self.start), one_year_before(self.end))

    @property
    def label(self) -> str:
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"


def one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def parse_scope(level: str | None, code: str | None, organisation_id: int | None = None,
                levels: tuple[Level, ...] = tuple(Level)) -> Scope:
    """The scope named by a level and a code, with the area's (or adviser's) name; refused in
    French otherwise."""
    level, code = (level or "").strip(), (code or "").strip()
    if level not in levels:
        raise InvalidInput({"level": [f"Niveau inconnu : choisissez {', '.join(levels)}."]})
    organisation_name = ""
    if organisation_id is not None:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            raise InvalidInput({"organisation": ["Structure inconnue."]})
        organisation_name = organisation.name
    if level == Level.REGION:
        if code not in ("", REGION_CODE):
            raise InvalidInput({"code": [f"Code de région inconnu : la seule région est {REGION_CODE}."]})
        return Scope(Level.REGION, REGION_CODE, REGION_NAME, organisation_id, organisation_name)
    if not code:
        missing = {Level.RSA: "Choisissez un territoire pilote RSA.",
                   Level.ADVISER: "Choisissez un conseiller."}.get(Level(level),
                                                                    "Indiquez le code du territoire.")
        raise InvalidInput({"code": [missing]})
    if level in (Level.RSA, Level.ADVISER):
        return Scope(Level(level), code, named(Level(level), code), organisation_id, organisation_name)
    found = (db.session.get(Department, code) if level == Level.DEPARTEMENT
             else db.session.get(Basin, code))
    if found is None:
        what = "Département inconnu" if level == Level.DEPARTEMENT else "Bassin d'emploi inconnu"
        raise InvalidInput({"code": [f"{what} : {code[:10]}."]})
    return Scope(Level(level), code, found.name, organisation_id, organisation_name)


def named(level: Level, code: str) -> str:
    """The RSA pilot territory's or the adviser's name; refused in French when unknown."""
    key = int(code) if code.isascii() and code.isdigit() and len(code) < 10 else None
    if level == Level.RSA:
        territory = db.session.get(RsaPilotTerritory, key) if key else None
        if territory is None:
            raise InvalidInput({"code": [f"Territoire pilote RSA inconnu : {code[:10]}."]})
        return territory.label
    user = db.session.get(User, key) if key else None
    if user is None or user.role not in ADVISER_ROLES:
        raise InvalidInput({"code": [f"Conseiller inconnu : {code[:10]}."]})
    return user.name


def adviser_choices(viewer: User) -> list[tuple[str, str]]:
    """The advisers whose indicators the viewer may read: everyone's for an admin, their
    organisation's for a manager, their own for an adviser (docs/indicators.md)."""
    query = (sa.select(User.id, User.name).where(User.role.in_(ADVISER_ROLES))
             .order_by(User.name, User.id))
    if viewer.role == Role.MANAGER:
        query = query.where(User.organisation_id == viewer.organisation_id)
    elif viewer.role != Role.ADMIN:
        query = query.where(User.id == viewer.id)
    return [(str(key), name) for key, name in db.session.execute(query)]


def may_read(viewer: User, chosen: Scope) -> bool:
    """Admins read every scope; managers every area and their organisation's advisers; an
    adviser only their own figures."""
    if viewer.role == Role.ADMIN:
        return True
    if chosen.level != Level.ADVISER:
        return viewer.role == Role.MANAGER
    if viewer.role == Role.MANAGER:
        adviser = db.session.get(User, chosen.adviser_id)
        return adviser is not None and adviser.organisation_id == viewer.organisation_id
    return viewer.role == Role.ADVISER and chosen.adviser_id == viewer.id


def parse_day(text: str | None, field: str, label: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise InvalidInput({field: [f"{label} : date invalide (format AAAA-MM-JJ)."]}) from None


def parse_period(start: str | date | None, end: str | date | None) -> Period:
    """A period from two ISO dates (or dates), both included; refused in French when a date is
    invalid, the end is before the start, or the period is longer than two years."""
    first = start if isinstance(start, date) else parse_day(start, "from", "Début de période")
    last = end if isinstance(end, date) else parse_day(end, "to", "Fin de période")
    if last < first:
        raise InvalidInput({"to": ["La fin de la période précède son début."]})
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput({"to": ["La période ne peut dépasser deux ans."]})
    return Period(first, last)


def default_period(today: date) -> Period:
    """The last twelve months, up to today."""
    return Period(one_year_before(today) + timedelta(days=1), today)
