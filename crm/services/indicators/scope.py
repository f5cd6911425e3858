"""What the indicators are computed over: an area (the region, a département, a basin; optionally
one organisation's work in it) and a period of French calendar days."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Basin, Company, Department, Organisation
from crm.services.companies.listing import department_condition
from crm.services.plans import objectives
from crm.services.platform.refusals import InvalidInput

REGION_CODE = "27"  # Bourgogne-Franche-Comté (INSEE region code)
REGION_NAME = "Bourgogne-Franche-Comté"
MAX_PERIOD_DAYS = 2 * 366


class Level(StrEnum):
    REGION = "region"
    DEPARTEMENT = "departement"
    BASIN = "basin"


LEVEL_LABELS = {Level.REGION: "Région", Level.DEPARTEMENT: "Département",
                Level.BASIN: "Bassin d'emploi"}


@dataclass(frozen=True)
class Scope:
    """An area: the region ("27"), a département (its number) or a basin (its ZE2020 code); with
    `organisation_id`, only that organisation's contacts, visits and piloted needs in the area."""

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
        return sa.true()

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


def parse_scope(level: str | None, code: str | None, organisation_id: int | None = None) -> Scope:
    """The scope named by a level and a code, with the area's name; refused in French otherwise."""
    level, code = (level or "").strip(), (code or "").strip()
    if level not in set(Level):
        raise InvalidInput({"level": ["Niveau inconnu : choisissez region, departement ou basin."]})
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
        raise InvalidInput({"code": ["Indiquez le code du territoire."]})
    found = (db.session.get(Department, code) if level == Level.DEPARTEMENT
             else db.session.get(Basin, code))
    if found is None:
        what = "Département inconnu" if level == Level.DEPARTEMENT else "Bassin d'emploi inconnu"
        raise InvalidInput({"code": [f"{what} : {code[:10]}."]})
    return Scope(Level(level), code, found.name, organisation_id, organisation_name)


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
