"""The committee dashboards computed ahead, once a day, for the period every reader opens first (the
last twelve months up to today) and every territory (the region, each département, each basin,
all organisations together), with the period's breakdown tables and the basins' map figures: the
nightly job (`jobs/indicators.py`) runs `refresh()`; the pages and the API read the stored figures
through `dashboard()` when they exist, and compute live otherwise (another period, an
organisation, an RSA pilot territory, an adviser, a snapshot not made yet).

Why whole dashboards rather than per-day counts: the heaviest figures count *distinct* firms over
the period (firms contacted, penetration rate, TPE/PME share), which do not add up day by day.
The stored figures are those of the live computation at `computed_at` (docs/indicators.md,
Performance); the page says when they were computed.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime

import sqlalchemy as sa

from crm.clock import utcnow
from crm.extensions import db
from crm.models import Basin, Department, Indicator, IndicatorSnapshot
from crm.services.indicators import basins, breakdowns, figures
from crm.services.indicators.breakdowns import (
    Breakdowns,
    JobFigures,
    JobRow,
    JobTable,
    ObjectiveRow,
    PlanRow,
    SpotterFigures,
    SpotterRow,
)
from crm.services.indicators.definitions import BY_KEY, KEYS
from crm.services.indicators.figures import Dashboard, Figure, Measures, Row
from crm.services.indicators.scope import REGION_CODE, REGION_NAME, Level, Period, Scope, default_period
from crm.services.platform import unit_of_work
from crm.services.platform.local_time import local_from_utc, local_today

WHICH = ("current", "previous", "year_before")
STORED_LEVELS = (Level.REGION, Level.DEPARTEMENT, Level.BASIN)


@dataclass(frozen=True)
class Computed:
    """A dashboard and when its figures were computed (None: now, live)."""

    board: Dashboard
    computed_at: datetime | None
    basin_map: basins.BasinMap | None = None  # stored with the region's and départements' figures
    breakdowns: Breakdowns | None = None  # the period's breakdown tables, when stored

    @property
    def freshness(self) -> str:
        """What the page says of the figures' age, in French."""
        if self.computed_at is None:
            return "Chiffres calculés à l'ouverture de la page."
        moment = local_from_utc(self.computed_at)
        return f"Chiffres calculés le {moment:%d/%m/%Y} à {moment:%H:%M}."


def territories() -> list[Scope]:
    """The region, each département and each basin (all organisations together)."""
    departments = db.session.execute(sa.select(Department.code, Department.name).order_by(Department.code))
    areas = db.session.execute(sa.select(Basin.code, Basin.name).order_by(Basin.code))
    return [Scope(Level.REGION, REGION_CODE, REGION_NAME),
            *(Scope(Level.DEPARTEMENT, code, name) for code, name in departments),
            *(Scope(Level.BASIN, code, name) for code, name in areas)]


# 2: the jobs and spotters tables over the three periods; 3: the plans' achieved figures at the
# end of the previous period and a year before
BREAKDOWNS_VERSION = 3


def job_row(row: JobRow) -> list:
    return [row.key, row.label, row.shortage,
            {which: asdict(figures) for which, figures in row.periods.items()}]


def spotter_row(row: SpotterRow) -> list:
    return [row.organisation_id, row.name,
            {which: [found.flags, found.hired, found.conversion.value, found.median_first_contact.value]
             for which, found in row.periods.items()}]


def stored_breakdowns(found: Breakdowns) -> dict:
    return {
        "version": BREAKDOWNS_VERSION,
        "jobs": [job_row(row) for row in found.jobs.jobs],
        "shortage": [job_row(row) for row in found.jobs.shortage],
        "plans": None if found.plans is None else [
            [plan.plan_id, plan.name, plan.basin_code, plan.start.isoformat(), plan.end.isoformat(),
             [[row.indicator.value, row.target, row.achieved, row.expected, row.compared]
              for row in plan.objectives]]
            for plan in found.plans],
        "spotters": [spotter_row(row) for row in found.spotters],
    }


def read_job(key: str, label: str, shortage: bool | None, periods: dict) -> JobRow:
    return JobRow(key, label, shortage, {which: JobFigures(**values) for which, values in periods.items()})


def read_spotter(organisation_id: int | None, name: str, periods: dict) -> SpotterRow:
    return SpotterRow(organisation_id, name, {
        which: SpotterFigures(flags, hired, figure("spotter_hire_conversion", conversion),
                              figure("spotter_median_first_contact_working_days", delay))
        for which, (flags, hired, conversion, delay) in periods.items()})


def read_breakdowns(values: dict) -> Breakdowns:
    plans = None if values["plans"] is None else [
        PlanRow(plan_id, name, basin_code, date.fromisoformat(start), date.fromisoformat(end),
                [ObjectiveRow(Indicator(indicator), target, achieved, expected, compared)
                 for indicator, target, achieved, expected, compared in rows])
        for plan_id, name, basin_code, start, end, rows in values["plans"]]
    return Breakdowns(JobTable([read_job(*row) for row in values["jobs"]],
                               [read_job(*row) for row in values["shortage"]]),
                      plans, [read_spotter(*row) for row in values["spotters"]])


def stored_figures(board: Dashboard, today: date) -> dict:
    """The three periods' values (null: not available), the period's breakdown tables, and for a
    region or a département the basins' figures of its map."""
    stored: dict = {which: {row.definition.key: getattr(row, which).value for row in board.rows}
                    for which in WHICH}
    stored["breakdowns"] = stored_breakdowns(
        breakdowns.breakdowns(board.scope, board.period, today, board.measures))
    if board.scope.level in basins.MAPPED:
        stored["basins"] = [[basin.code, basin.establishments, basin.needs]
                            for basin in basins.by_basin(board.scope, board.period, board.measures).basins]
    return stored


def refresh(today: date | None = None) -> int:
    """Compute and store the dashboard of every territory for the last twelve months up to
    `today` (the French day), replacing the snapshots of earlier days; returns how many."""
    today = today or local_today()
    period = default_period(today)
    now = utcnow()
    rows = []
    for scope in territories():
        board = figures.dashboard(scope, period, now=now, per_basin=scope.level in basins.MAPPED)
        rows.append({"level": scope.level.value, "code": scope.code, "period_start": period.start,
                     "period_end": period.end, "figures": stored_figures(board, today), "computed_at": now})
    db.session.execute(sa.delete(IndicatorSnapshot))
    db.session.execute(sa.insert(IndicatorSnapshot), rows)
    unit_of_work.commit()
    return len(rows)


def refreshed_at() -> datetime | None:
    """When the stored dashboards were last computed (None: never)."""
    return db.session.scalar(sa.select(sa.func.max(IndicatorSnapshot.computed_at)))


def figure(key: str, value: float | None) -> Figure:
    return Figure(key, value, value is not None)


def stored(scope: Scope, period: Period) -> Computed | None:
    """The stored dashboard of the territory and period, if the job made one (never for an
    organisation's, an RSA pilot territory's or an adviser's figures)."""
    if scope.organisation_id is not None or scope.level not in STORED_LEVELS:
        return None
    snapshot = db.session.scalar(sa.select(IndicatorSnapshot).where(
        IndicatorSnapshot.level == scope.level.value, IndicatorSnapshot.code == scope.code,
        IndicatorSnapshot.period_start == period.start, IndicatorSnapshot.period_end == period.end))
    if (snapshot is None or set(snapshot.figures.get("current", {})) != set(KEYS)
            or snapshot.figures.get("breakdowns", {}).get("version") != BREAKDOWNS_VERSION):
        return None  # none yet, or made before an indicator or a table was added
    values = snapshot.figures
    rows = [Row(BY_KEY[key], *(figure(key, values[which].get(key)) for which in WHICH))
            for key in KEYS]
    basin_map = None if "basins" not in values else basins.basin_map(
        {code: (establishments, needs) for code, establishments, needs in values["basins"]})
    return Computed(Dashboard(scope, period, rows, Measures(scope, period)), snapshot.computed_at,
                    basin_map, read_breakdowns(values["breakdowns"]))


def dashboard(scope: Scope, period: Period) -> Computed:
    """The dashboard of the territory and period: stored when the job made it, live otherwise
    (a region's or a département's establishments counted per basin, as its map reads them)."""
    return stored(scope, period) or Computed(
        figures.dashboard(scope, period, per_basin=scope.level in basins.MAPPED), None)
