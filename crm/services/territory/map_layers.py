"""What the maps show, computed in SQL: firms per commune, firms in a bounding box, basin
indicators, open needs, upcoming visits and events, and the outlines of basins and départements.

Every function runs one query. Point layers come back as compact rows ([lat, lon, ...]) that the
page sends as data; the browser draws them (crm/static/js/map-layers.js).

The unfiltered counts (active firms per commune and per basin, open needs per basin) are read from
`area_counts`, which `refresh_area_counts` recomputes (a scheduled job and after imports,
jobs/derived.py); the page says when. Until it first ran, and with any filter, they are counted
live.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import (
    AreaCount,
    Basin,
    Commune,
    Company,
    Department,
    Event,
    EventStatus,
    HiringNeed,
    Interaction,
    NafCode,
    RomeCode,
    TableRefresh,
    User,
    Visit,
    VisitStatus,
    utcnow,
)
from crm.services.accounts import access
from crm.services.territory import rsa_pilots

BBOX_CAP = 5_000
LAYER_CAP = 2_000
VISIT_DAYS = 30
INDICATORS = {
    "establishments": "Établissements",
    "open_needs": "Besoins ouverts",
    "needs_per_1000": "Besoins ouverts pour 1 000 établissements",
    "contacted": "Entreprises contactées sur la période",
}
PERIODS = {30: "30 derniers jours", 90: "3 derniers mois", 365: "12 derniers mois"}
AREA_COUNTS = "area_counts"  # its name in table_refreshes
COMMUNE, BASIN = "commune", "basin"


@dataclass(frozen=True)
class MapFilters:
    """What the map's firms are filtered on; empty values do not filter."""

    basin: str = ""
    naf_section: str = ""
    band: str = ""
    open_need: bool = False
    rsa_pilot: bool = False  # only firms in an RSA pilot territory today


@dataclass(frozen=True)
class BoundingBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @classmethod
    def parse(cls, text: str) -> "BoundingBox":
        """'minlon,minlat,maxlon,maxlat' in degrees; ValueError (French) when malformed."""
        parts = text.split(",")
        try:
            box = cls(*(float(part) for part in parts)) if len(parts) == 4 else None
        except ValueError:
            box = None
        if box is None or not (-180 <= box.min_lon <= box.max_lon <= 180
                               and -90 <= box.min_lat <= box.max_lat <= 90):
            raise ValueError("Le paramètre bbox doit valoir « lonmin,latmin,lonmax,latmax » "
                             "en degrés, les minimums avant les maximums.")
        return box


def open_need_exists() -> ColumnElement[bool]:
    """The firm has an open need (its denormalised count, crm/services/companies/counters.py)."""
    return Company.open_needs_count > 0


def company_conditions(filters: MapFilters,
                       with_basin: bool = True) -> list[sa.ColumnExpressionArgument[bool]]:
    """SQL conditions on active companies for the filters (the basin one only if asked)."""
    conditions: list[sa.ColumnExpressionArgument[bool]] = [Company.active]
    if with_basin and filters.basin:
        conditions.append(Company.basin_code == filters.basin)
    if filters.naf_section:
        sections = sa.select(NafCode.code).where(NafCode.section == filters.naf_section)
        conditions.append(Company.naf_code.in_(sections))
    if filters.band:
        conditions.append(Company.headcount_band == filters.band)
    if filters.open_need:
        conditions.append(open_need_exists())
    if filters.rsa_pilot:
        conditions.append(Company.commune_code.in_(rsa_pilots.pilot_communes()))
    return conditions


def count_by(column: sa.orm.QueryableAttribute, conditions: list[sa.ColumnExpressionArgument[bool]]) -> dict:
    """Matching active firms per value of `column` (a covering index serves the unfiltered case).
    With filters, SQLite reads the matches in a subquery it plans apart (LIMIT -1 keeps it from
    being merged): it then takes the filter's index instead of walking the grouping one and
    reading every firm's row."""
    if len(conditions) > 1 and db.session.get_bind().dialect.name == "sqlite":
        matches = sa.select(column.label("key")).where(*conditions).limit(-1).subquery()
        query = sa.select(matches.c.key, sa.func.count()).group_by(matches.c.key)
    else:
        query = sa.select(column, sa.func.count()).where(*conditions).group_by(column)
    return dict(db.session.execute(query).all())


def counts_refreshed_at() -> datetime | None:
    """When `area_counts` was last computed; None before its first run."""
    stamp = db.session.get(TableRefresh, AREA_COUNTS)
    return stamp.refreshed_at if stamp else None


def stored_counts(filters: MapFilters, level: str, column: str) -> dict[str, int] | None:
    """The stored counts of a level (one column) for unfiltered views once computed, else None."""
    if filters != MapFilters() or counts_refreshed_at() is None:
        return None
    query = (sa.select(AreaCount.code, getattr(AreaCount, column))
             .where(AreaCount.level == level, getattr(AreaCount, column) > 0))
    return dict(db.session.execute(query).all())


def live_commune_counts(filters: MapFilters) -> dict[str, int]:
    return {code: count for code, count in
            count_by(Company.commune_code, company_conditions(filters)).items() if code}


def live_establishments_by_basin(filters: MapFilters) -> dict[str, int]:
    counts = count_by(Company.basin_code, company_conditions(filters, with_basin=False))
    return {code: count for code, count in counts.items() if code}


def live_open_needs_by_basin(filters: MapFilters) -> dict[str, int]:
    """Open needs per basin, of firms matching the filters."""
    query = (sa.select(HiringNeed.basin_code, sa.func.count())
             .join(Company, Company.id == HiringNeed.company_id)
             .where(HiringNeed.is_open,
                    *company_conditions(filters, with_basin=False))
             .group_by(HiringNeed.basin_code))
    return counts_by_basin(query)


def live_area_counts() -> dict[tuple[str, str], tuple[int, int]]:
    """(level, code) → (active firms, open needs) counted now, for every commune and basin."""
    unfiltered = MapFilters()
    communes = {(COMMUNE, code): (count, 0) for code, count in live_commune_counts(unfiltered).items()}
    firms, needs = live_establishments_by_basin(unfiltered), live_open_needs_by_basin(unfiltered)
    basins = {(BASIN, code): (firms.get(code, 0), needs.get(code, 0)) for code in firms | needs}
    return communes | basins


def refresh_area_counts() -> int:
    """Recompute `area_counts` in the current transaction; returns how many rows it holds."""
    rows = [{"level": level, "code": code, "establishments": firms, "open_needs": needs}
            for (level, code), (firms, needs) in live_area_counts().items()]
    db.session.execute(sa.delete(AreaCount))
    if rows:
        db.session.execute(sa.insert(AreaCount), rows)
    stamp = db.session.get(TableRefresh, AREA_COUNTS) or TableRefresh(name=AREA_COUNTS)
    stamp.refreshed_at = utcnow()
    db.session.add(stamp)
    db.session.flush()
    return len(rows)


def commune_counts(filters: MapFilters) -> list[list]:
    """[lat, lon, count, commune name] of every commune with matching firms, by commune code.

    Stored counts: one query joining them to the communes. Live: two plain queries, the count per
    commune code, then the communes' points (joining them in one query lets SQLite's planner walk
    the communes for every firm)."""
    if filters == MapFilters() and counts_refreshed_at() is not None:
        stored = (sa.select(Commune.latitude, Commune.longitude, AreaCount.establishments, Commune.name)
                  .join(Commune, Commune.code == AreaCount.code)
                  .where(AreaCount.level == COMMUNE, AreaCount.establishments > 0)
                  .order_by(Commune.code))
        return [[round(lat, 5), round(lon, 5), count, name]
                for lat, lon, count, name in db.session.execute(stored)]
    counts = live_commune_counts(filters)
    query = (sa.select(Commune.code, Commune.latitude, Commune.longitude, Commune.name)
             .order_by(Commune.code))
    return [[round(lat, 5), round(lon, 5), counts[code], name]
            for code, lat, lon, name in db.session.execute(query) if code in counts]


def companies_in_box(filters: MapFilters, box: BoundingBox) -> tuple[list[list], bool]:
    """[lat, lon, id, name] of matching firms inside the box (at most BBOX_CAP), and whether more."""
    query = (sa.select(Company.latitude, Company.longitude, Company.id, Company.name)
             .where(*company_conditions(filters),
                    Company.latitude.between(box.min_lat, box.max_lat),
                    Company.longitude.between(box.min_lon, box.max_lon))
             .limit(BBOX_CAP + 1))
    rows = [[round(lat, 5), round(lon, 5), key, name]  # type: ignore[arg-type]  # between() excludes NULL
            for lat, lon, key, name in db.session.execute(query)]
    return rows[:BBOX_CAP], len(rows) > BBOX_CAP


def counts_by_basin(query: sa.Select[str | None, int]) -> dict[str, int]:
    """A (basin_code, count) query as a mapping."""
    return {code: count for code, count in db.session.execute(query) if code}


def establishments_by_basin(filters: MapFilters) -> dict[str, int]:
    stored = stored_counts(filters, BASIN, "establishments")
    return live_establishments_by_basin(filters) if stored is None else stored


def open_needs_by_basin(filters: MapFilters) -> dict[str, int]:
    """Open needs per basin, of firms matching the filters."""
    stored = stored_counts(filters, BASIN, "open_needs")
    return live_open_needs_by_basin(filters) if stored is None else stored


def contacted_by_basin(filters: MapFilters, since: datetime) -> dict[str, int]:
    """Distinct matching firms with at least one ledger entry since the date, per basin."""
    query = (sa.select(Company.basin_code, sa.func.count(sa.distinct(Interaction.company_id)))
             .join(Company, Company.id == Interaction.company_id)
             .where(Interaction.occurred_at >= since,
                    *company_conditions(filters, with_basin=False))
             .group_by(Company.basin_code))
    return counts_by_basin(query)


def basin_indicator(indicator: str, filters: MapFilters, period_days: int,
                    now: datetime | None = None) -> dict[str, float]:
    """The chosen indicator per basin code (basins without any are absent)."""
    if indicator == "establishments":
        return dict(establishments_by_basin(filters))
    if indicator == "open_needs":
        return dict(open_needs_by_basin(filters))
    if indicator == "contacted":
        return dict(contacted_by_basin(filters, (now or utcnow()) - timedelta(days=period_days)))
    firms, needs = establishments_by_basin(filters), open_needs_by_basin(filters)
    return {code: round(1000 * needs.get(code, 0) / count, 1) for code, count in firms.items()}


def located_company() -> tuple:
    """A company's point, else its commune's (join Commune on Company.commune_code)."""
    return (sa.func.coalesce(Company.latitude, Commune.latitude),
            sa.func.coalesce(Company.longitude, Commune.longitude))


def capped(query: sa.Select, cap: int) -> tuple[list[list], bool]:
    rows = [[round(row[0], 5), round(row[1], 5), *row[2:]]
            for row in db.session.execute(query.limit(cap + 1))]
    return rows[:cap], len(rows) > cap


def open_need_points(user: User, filters: MapFilters,
                     cap: int = LAYER_CAP) -> tuple[list[list], bool]:
    """[lat, lon, reference, job title, company name] of the open needs the user may see."""
    lat, lon = located_company()
    job = sa.func.coalesce(HiringNeed.job_title, RomeCode.label)
    query = (sa.select(lat, lon, HiringNeed.reference, job, Company.name)
             .join(Company, Company.id == HiringNeed.company_id)
             .outerjoin(RomeCode, RomeCode.code == HiringNeed.rome_code)
             .outerjoin(Commune, Commune.code == Company.commune_code)
             .where(HiringNeed.is_open, access.need_scope(user),
                    *company_conditions(filters), lat.is_not(None))
             .order_by(HiringNeed.created_at.desc()))
    return capped(query, cap)


def upcoming_visit_points(filters: MapFilters, now: datetime | None = None,
                          cap: int = LAYER_CAP) -> tuple[list[list], bool]:
    """[lat, lon, scheduled_at, company name] of visits planned in the next 30 days."""
    now = now or utcnow()
    lat, lon = located_company()
    query = (sa.select(lat, lon, Visit.scheduled_at, Company.name)
             .join(Company, Company.id == Visit.company_id)
             .outerjoin(Commune, Commune.code == Company.commune_code)
             .where(Visit.status == VisitStatus.PLANNED,
                    Visit.scheduled_at.between(now, now + timedelta(days=VISIT_DAYS)),
                    *company_conditions(filters), lat.is_not(None))
             .order_by(Visit.scheduled_at))
    return capped(query, cap)


def upcoming_event_points(basin: str = "", now: datetime | None = None,
                          cap: int = LAYER_CAP) -> tuple[list[list], bool]:
    """[lat, lon, starts_at, title, venue, id] of published events to come, at their commune."""
    query = (sa.select(Commune.latitude, Commune.longitude, Event.starts_at, Event.title,
                       Event.venue, Event.id)
             .join(Commune, Commune.code == Event.commune_code)
             .where(Event.status == EventStatus.PUBLISHED, Event.ends_at >= (now or utcnow()),
                    *([Event.basin_code == basin] if basin else []))
             .order_by(Event.starts_at))
    return capped(query, cap)


def basin_outlines(codes: list[str] | None = None) -> list[tuple[str, str, dict]]:
    """(code, name, GeoJSON geometry) of the basins (all, or the given ones), by code."""
    query = sa.select(Basin.code, Basin.name, Basin.outline).where(Basin.outline.is_not(None))
    if codes is not None:
        query = query.where(Basin.code.in_(codes))
    # a JSON column's type holds Any, so select()'s typed overloads give up and rows read as objects
    return [tuple(row) for row in db.session.execute(query.order_by(Basin.code))]  # type: ignore[misc]


def department_outlines() -> list[tuple[str, str, dict]]:
    query = (sa.select(Department.code, Department.name, Department.outline)
             .where(Department.outline.is_not(None)).order_by(Department.code))
    return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]  # as basin_outlines
