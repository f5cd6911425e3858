"""The dashboard's breakdown tables: needs by ROME job (the most requested jobs, then "Autres
métiers") with shortage jobs apart, over the chosen period, the previous one and the same period a
year before (the dashboard's three periods), the prospection plans' objectives
(target, achieved, expected by the period's end) and the spotters' flags by organisation. Each
column is defined once (`definitions.py`, `COLUMNS` and the indicators it repeats per row); a
figure that cannot be computed is "non disponible", never 0. A fixed number of queries whatever the
number of rows (docs/indicators.md)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    ClosingReason,
    Commune,
    HiringNeed,
    Indicator,
    NeedStatus,
    PlanStatus,
    ProspectionPlan,
    RomeCode,
)
from crm.services.indicators.figures import (
    FILLED,
    OUTCOMES,
    Figure,
    Measures,
    SpotterFlag,
    count,
    day_spans,
    middle,
    number,
    ratio,
    rows_of,
)
from crm.services.indicators.scope import Level, Period, Scope
from crm.services.needs import cohandling
from crm.services.plans import objectives
from crm.services.territory import rsa_pilots

TOP_JOBS = 10
OTHERS = "autres"  # the key of the row gathering the jobs after the first ten (and needs without a job)
SHORTAGE, NOT_SHORTAGE = "tension", "hors-tension"


PERIODS = ("current", "previous", "year_before")  # the dashboard's three periods
# the jobs table's figures, per job and period
JOB_FIGURES = ("needs_collected", "positions", "needs_filled", "fill_rate", "median_time_to_fill_days",
               "closed_for_lack_of_candidates")


@dataclass
class JobFigures:
    """One job's (or group of jobs') figures over one period: the needs filed in it, and those
    closed in it."""

    needs: int = 0
    positions: int = 0
    filled: int = 0
    closed: int = 0  # closed filled, partly filled or unfilled
    lack: int = 0  # closed for lack of candidates
    known: int = 0  # closed with a known outcome: filled, or a closing reason from the list
    fill_days: list[int] = field(default_factory=list)

    def add(self, other: "JobFigures") -> None:
        self.needs += other.needs
        self.positions += other.positions
        self.filled += other.filled
        self.closed += other.closed
        self.lack += other.lack
        self.known += other.known
        self.fill_days += other.fill_days

    @property
    def fill_rate(self) -> Figure:
        return ratio("fill_rate", self.filled, self.closed)

    @property
    def median_time_to_fill(self) -> Figure:
        return middle("median_time_to_fill_days", self.fill_days)

    @property
    def lack_share(self) -> Figure:
        """The share closed for lack of candidates, as `closed_for_lack_of_candidates`."""
        return ratio("closed_for_lack_of_candidates", self.lack, self.known)

    def figure(self, key: str) -> Figure:
        """The figure of one of JOB_FIGURES."""
        counts = {"needs_collected": self.needs, "positions": self.positions, "needs_filled": self.filled}
        if key in counts:
            return count(key, counts[key])
        return {"fill_rate": self.fill_rate, "median_time_to_fill_days": self.median_time_to_fill,
                "closed_for_lack_of_candidates": self.lack_share}[key]


def no_figures() -> dict[str, JobFigures]:
    return {which: JobFigures() for which in PERIODS}


@dataclass
class JobRow:
    """One ROME job (or a group of jobs) over the chosen period, the previous one and a year
    before."""

    key: str  # the ROME code, OTHERS, SHORTAGE or NOT_SHORTAGE
    label: str
    shortage: bool | None = None  # None for a group row
    periods: dict[str, JobFigures] = field(default_factory=no_figures)

    def add(self, other: "JobRow") -> None:
        for which in PERIODS:
            self.periods[which].add(other.periods[which])

    @property
    def current(self) -> JobFigures:
        return self.periods["current"]

    @property
    def code(self) -> str:
        """The ROME code of a job's row; empty for a group of jobs."""
        return self.key if self.shortage is not None and self.key != OTHERS else ""


@dataclass(frozen=True)
class JobTable:
    jobs: list[JobRow]  # the most requested jobs, then OTHERS when there are more
    shortage: list[JobRow]  # shortage jobs, then the other jobs


def compared_bounds(period: Period) -> dict[str, tuple[datetime, datetime]]:
    """The stored bounds of the period, the previous one and the same period a year before."""
    return {"current": period.bounds, "previous": period.previous.bounds,
            "year_before": period.year_before.bounds}


def within(column: objectives.Column, bounds: tuple[datetime, datetime]) -> sa.ColumnElement[bool]:
    return sa.and_(column >= bounds[0], column < bounds[1])


def within_any(column: objectives.Column,
               periods: dict[str, tuple[datetime, datetime]]) -> sa.ColumnElement[bool]:
    """Within one of the periods, inside their enclosing range: the index range is read once
    (SQLite reads the rows of an OR of ranges from the table, not from the covering index)."""
    lows, highs = zip(*periods.values(), strict=True)
    return sa.and_(column >= min(lows), column < max(highs),
                   sa.or_(*(within(column, bounds) for bounds in periods.values())))


def job_rows(measures: Measures) -> dict[str | None, JobRow]:
    """Per ROME code (None: no code), the needs filed and closed over the three periods: two
    queries (the periods may overlap: each is counted by a CASE on its own bounds)."""
    rows: dict[str | None, JobRow] = {}
    periods = compared_bounds(measures.period)
    whose = [measures.area(), *measures.piloted()]

    def row(code: str | None, label: str | None, shortage: bool | None) -> JobRow:
        if code not in rows:
            rows[code] = JobRow(code or OTHERS, label or "Sans code ROME", bool(shortage))
        return rows[code]

    def filed_in(bounds: tuple[datetime, datetime]) -> list[sa.ColumnElement[int]]:
        inside = within(HiringNeed.created_at, bounds)
        return [sa.func.count(sa.case((inside, HiringNeed.id))),
                sa.func.coalesce(sa.func.sum(sa.case((inside, HiringNeed.positions))), 0)]

    filed = (sa.select(HiringNeed.rome_code, RomeCode.label, RomeCode.shortage,
                       *(column for bounds in periods.values() for column in filed_in(bounds)))
             .select_from(HiringNeed))
    filed = (measures.of_area(filed, HiringNeed.company_id)
             .outerjoin(RomeCode, RomeCode.code == HiringNeed.rome_code)
             .where(within_any(HiringNeed.created_at, periods), *whose)
             .group_by(HiringNeed.rome_code, RomeCode.label, RomeCode.shortage))
    filed_rows: Sequence[Any] = rows_of(filed)
    for code, label, shortage, *counts in filed_rows:
        found = row(code, label, shortage)
        for index, which in enumerate(PERIODS):
            found.periods[which].needs = number(counts[2 * index])
            found.periods[which].positions = number(counts[2 * index + 1])
    closed = (sa.select(HiringNeed.rome_code, RomeCode.label, RomeCode.shortage, HiringNeed.status,
                        HiringNeed.closing_reason, HiringNeed.created_at, HiringNeed.closed_at)
              .select_from(HiringNeed))
    closed = (measures.of_area(closed, HiringNeed.company_id)
              .outerjoin(RomeCode, RomeCode.code == HiringNeed.rome_code)
              .where(within_any(HiringNeed.closed_at, periods), ~HiringNeed.is_open, *whose))
    closed_rows: Sequence[Any] = rows_of(closed)
    spans = iter(day_spans([row[5:] for row in closed_rows if row[3] in FILLED]))
    for code, label, shortage, status, reason, _, closed_at in closed_rows:
        found = row(code, label, shortage)
        days = None
        if status in FILLED:
            filed_on, closed_on = next(spans)
            days = (closed_on - filed_on).days
        for which, (low, high) in periods.items():
            if low <= closed_at < high:
                count_closed(found.periods[which], status, reason, days)
    return rows


def count_closed(figures: JobFigures, status: NeedStatus, reason: ClosingReason | None,
                 fill_days: int | None) -> None:
    """Count a need closed in the period (`fill_days`: the days it took to fill, None when not
    filled nor partly filled): with an outcome (filled, partly filled or unfilled), filled, its
    outcome known (filled, or a reason from the list) and closed for lack of candidates, as the
    dashboard's `fill_rate` and `closed_for_lack_of_candidates` count them."""
    figures.closed += status in OUTCOMES
    figures.known += status == NeedStatus.FILLED or reason is not None
    figures.lack += reason == ClosingReason.LACK_OF_CANDIDATES
    if fill_days is not None:
        figures.filled += 1
        figures.fill_days.append(fill_days)


def job_table(measures: Measures, top: int = TOP_JOBS) -> JobTable:
    """The `top` jobs with the most needs filed in the chosen period (then filled, then by code),
    "Autres métiers" for the rest and the needs without a ROME code; and the shortage jobs
    against the others; each over the three periods."""
    rows = job_rows(measures)
    coded = sorted((row for code, row in rows.items() if code is not None),
                   key=lambda row: (-row.current.needs, -row.current.filled, row.key))
    jobs = coded[:top]
    rest = [*coded[top:], *([rows[None]] if None in rows else [])]
    if rest:
        others = JobRow(OTHERS, "Autres métiers")
        for row in rest:
            others.add(row)
        jobs.append(others)
    shortage = JobRow(SHORTAGE, "Métiers en tension")
    not_shortage = JobRow(NOT_SHORTAGE, "Autres métiers (hors tension)")
    for code, row in rows.items():
        (shortage if code is not None and row.shortage else not_shortage).add(row)
    return JobTable(jobs, [shortage, not_shortage])


# -- prospection plans ---------------------------------------------------------------------------

COMPARED = ("previous", "year_before")  # the periods a breakdown is compared with


def achieved_figure(value: int | None) -> Figure:
    return Figure("plan_achieved", value, value is not None)


@dataclass(frozen=True)
class ObjectiveRow:
    indicator: Indicator
    target: int
    achieved: int | None  # None: a share with no firm to measure
    expected: int
    # the achieved figure at the end of the previous period and a year before (None: the plan
    # had not started then, or a share with no firm to measure)
    compared: dict[str, int | None]

    @property
    def achieved_figure(self) -> Figure:
        return achieved_figure(self.achieved)

    def compared_figure(self, which: str) -> Figure:
        """The achieved figure at the end of the compared period ("non disponible" when the plan
        had not started)."""
        return achieved_figure(self.compared[which])


@dataclass(frozen=True)
class PlanRow:
    plan_id: int
    name: str
    basin_code: str
    start: date
    end: date
    objectives: list[ObjectiveRow]


def plan_basins(scope: Scope) -> sa.ColumnElement[bool] | None:
    """The plans of the area (a plan is a basin's); None when the level has no plans."""
    column = ProspectionPlan.basin_code
    if scope.level == Level.BASIN:
        return column == scope.code
    if scope.level == Level.DEPARTEMENT:
        return column.in_(sa.select(Commune.basin_code).where(Commune.department_code == scope.code))
    if scope.level == Level.RSA:
        communes = rsa_pilots.territory_communes(int(scope.code)).subquery()
        return column.in_(sa.select(Commune.basin_code).where(Commune.code.in_(sa.select(communes))))
    if scope.level == Level.REGION:
        return sa.true()
    return None


def measured_until(plan: ProspectionPlan, end: date) -> objectives.Period | None:
    """The plan's days up to `end` (or its own end); None when it had not started by then."""
    if end < plan.period_start:
        return None
    return objectives.Period(plan.period_start, min(plan.period_end, end))


def plans_progress(scope: Scope, period: Period, today: date) -> list[PlanRow] | None:
    """The plans of the area that are under way (or closed) during the period, each objective's
    target, achieved figure (from the plan's start to the period's end, or the plan's end), the
    same at the end of the previous period and a year before (None when the plan had not started
    then), and the figure expected at the period's end (or today). None for a level without
    plans (an adviser). Two queries for the plans, then one per indicator and distinct measuring
    period: plans of a territory share their periods, so this does not grow with the plans."""
    area = plan_basins(scope)
    if area is None:
        return None
    query = (sa.select(ProspectionPlan)
             .where(area, ProspectionPlan.status != PlanStatus.DRAFT,
                    ProspectionPlan.period_start <= period.end,
                    ProspectionPlan.period_end >= period.start)
             .options(selectinload(ProspectionPlan.objectives))
             .order_by(ProspectionPlan.basin_code, ProspectionPlan.period_start, ProspectionPlan.id))
    plans = list(db.session.scalars(query))
    ends = {"current": period.end, "previous": period.previous.end,
            "year_before": period.year_before.end}
    measured = {(plan.id, which): measured_until(plan, end)
                for plan in plans for which, end in ends.items()}
    wanted: dict[tuple[objectives.Period, Indicator], set[str]] = defaultdict(set)
    for plan in plans:
        for objective in plan.objectives:
            for which in ends:
                days = measured[plan.id, which]
                if days is not None:
                    wanted[days, objective.indicator].add(plan.basin_code)
    achieved = {key: objectives.achieved_by_basin(key[1], key[0], sorted(basins))
                for key, basins in wanted.items()}

    def achieved_then(plan: ProspectionPlan, indicator: Indicator, which: str) -> int | None:
        days = measured[plan.id, which]
        return None if days is None else achieved[days, indicator][plan.basin_code]

    moment = min(today, period.end)
    order = list(Indicator)
    return [PlanRow(plan.id, plan.name, plan.basin_code, plan.period_start, plan.period_end, [
        ObjectiveRow(objective.indicator, objective.target,
                     achieved_then(plan, objective.indicator, "current"),
                     objectives.expected(objective.indicator, objective.target,
                                         objectives.period_of(plan), moment),
                     {which: achieved_then(plan, objective.indicator, which) for which in COMPARED})
        for objective in sorted(plan.objectives, key=lambda o: order.index(o.indicator))])
        for plan in plans]


# -- spotters by organisation --------------------------------------------------------------------

@dataclass(frozen=True)
class SpotterFigures:
    """One flagging organisation's figures over one period."""

    flags: int
    hired: int
    conversion: Figure
    median_first_contact: Figure


@dataclass(frozen=True)
class SpotterRow:
    organisation_id: int | None
    name: str
    periods: dict[str, SpotterFigures]  # the three periods (PERIODS)

    @property
    def current(self) -> SpotterFigures:
        return self.periods["current"]


def spotter_figures(flags: list[SpotterFlag]) -> SpotterFigures:
    hired = sum(flag.hired for flag in flags)
    return SpotterFigures(
        len(flags), hired, ratio("spotter_hire_conversion", hired, len(flags)),
        middle("spotter_median_first_contact_working_days",
               [flag.first_contact_days for flag in flags if flag.first_contact_days is not None]))


def spotters_by_organisation(measures: dict[str, Measures]) -> list[SpotterRow]:
    """Per flagging organisation, most flags in the chosen period first: the spotter figures of
    the three periods (`Measures.compared`: the flags the dashboard's figures read, one query per
    period)."""
    grouped: dict[int | None, dict[str, list[SpotterFlag]]] = defaultdict(
        lambda: {which: [] for which in PERIODS})
    names: dict[int | None, str] = {}
    for which, found in measures.items():
        for flag in found.spotter_flags:
            grouped[flag.organisation_id][which].append(flag)
            names[flag.organisation_id] = flag.organisation_name
    rows = [SpotterRow(organisation_id, names[organisation_id] or "Structure non renseignée",
                       {which: spotter_figures(flags) for which, flags in periods.items()})
            for organisation_id, periods in grouped.items()]
    return sorted(rows, key=lambda row: (-row.current.flags, row.name))


# -- co-handlers' "not for me" answers by organisation -------------------------------------------

@dataclass(frozen=True)
class RefusalRow:
    """An organisation invited to co-handle the area's needs: its co-handlings and "not for me"
    answers for the needs filed in each of the three periods."""

    organisation: str
    periods: dict[str, cohandling.RefusalRate]  # the three periods (PERIODS)

    @property
    def current(self) -> cohandling.RefusalRate:
        return self.periods["current"]


def not_for_me_by_organisation(measures: dict[str, Measures]) -> list[RefusalRow]:
    """Per organisation invited to co-handle a need filed in the area in one of the three periods,
    by name: its answers in each (one grouped query per distinct period, docs/co-handling.md)."""
    found: dict[Period, dict[str, cohandling.RefusalRate]] = {}
    for which in PERIODS:
        period = measures[which].period
        if period not in found:
            found[period] = {rate.organisation: rate for rate in
                             cohandling.not_for_me_rates(*measures[which].filed())}
    rates = {which: found[measures[which].period] for which in PERIODS}
    names = sorted({name for by_name in rates.values() for name in by_name})
    return [RefusalRow(name, {which: rates[which].get(name) or cohandling.RefusalRate(name, 0, 0)
                              for which in PERIODS})
            for name in names]


@dataclass(frozen=True)
class Breakdowns:
    jobs: JobTable
    plans: list[PlanRow] | None
    spotters: list[SpotterRow]


def breakdowns(scope: Scope, period: Period, today: date, measures: Measures | None = None) -> Breakdowns:
    """The three breakdown tables of the scope over the period (jobs and spotters with the previous
    period and a year before)."""
    measures = measures or Measures(scope, period)
    return Breakdowns(job_table(measures), plans_progress(scope, period, today),
                      spotters_by_organisation(measures.compared))
