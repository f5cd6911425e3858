"""The dashboard's breakdown tables, for the chosen period only: needs by ROME job (the most
requested jobs, then "Autres métiers") with shortage jobs apart, the prospection plans' objectives
(target, achieved, expected by the period's end) and the spotters' flags by organisation. Each
column is defined once (`definitions.py`, `COLUMNS` and the indicators it repeats per row); a
figure that cannot be computed is "non disponible", never 0. A fixed number of queries whatever the
number of rows (docs/indicators.md)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Commune, HiringNeed, Indicator, PlanStatus, ProspectionPlan, RomeCode
from crm.services.indicators.figures import (
    FILLED,
    OUTCOMES,
    Figure,
    Measures,
    day_spans,
    middle,
    ratio,
)
from crm.services.indicators.scope import Level, Period, Scope
from crm.services.plans import objectives
from crm.services.territory import rsa_pilots

TOP_JOBS = 10
OTHERS = "autres"  # the key of the row gathering the jobs after the first ten (and needs without a job)
SHORTAGE, NOT_SHORTAGE = "tension", "hors-tension"


@dataclass
class JobRow:
    """One ROME job (or a group of jobs): the needs filed in the period, and those closed in it."""

    key: str  # the ROME code, OTHERS, SHORTAGE or NOT_SHORTAGE
    label: str
    shortage: bool | None = None  # None for a group row
    needs: int = 0
    positions: int = 0
    filled: int = 0
    closed: int = 0  # closed filled, partly filled or unfilled
    fill_days: list[int] = field(default_factory=list)

    def add(self, other: "JobRow") -> None:
        self.needs += other.needs
        self.positions += other.positions
        self.filled += other.filled
        self.closed += other.closed
        self.fill_days += other.fill_days

    @property
    def code(self) -> str:
        """The ROME code of a job's row; empty for a group of jobs."""
        return self.key if self.shortage is not None and self.key != OTHERS else ""

    @property
    def fill_rate(self) -> Figure:
        return ratio("fill_rate", self.filled, self.closed)

    @property
    def median_time_to_fill(self) -> Figure:
        return middle("median_time_to_fill_days", self.fill_days)


@dataclass(frozen=True)
class JobTable:
    jobs: list[JobRow]  # the most requested jobs, then OTHERS when there are more
    shortage: list[JobRow]  # shortage jobs, then the other jobs


def job_rows(measures: Measures) -> dict[str | None, JobRow]:
    """Per ROME code (None: no code), the needs filed and closed in the period: two queries."""
    rows: dict[str | None, JobRow] = {}

    def row(code: str | None, label: str | None, shortage: bool | None) -> JobRow:
        if code not in rows:
            rows[code] = JobRow(code or OTHERS, label or "Sans code ROME", bool(shortage))
        return rows[code]

    filed = (sa.select(HiringNeed.rome_code, RomeCode.label, RomeCode.shortage,
                       sa.func.count(HiringNeed.id),
                       sa.func.coalesce(sa.func.sum(HiringNeed.positions), 0))
             .select_from(HiringNeed))
    filed = (measures.of_area(filed, HiringNeed.company_id)
             .outerjoin(RomeCode, RomeCode.code == HiringNeed.rome_code)
             .where(*measures.filed())
             .group_by(HiringNeed.rome_code, RomeCode.label, RomeCode.shortage))
    for code, label, shortage, needs, positions in db.session.execute(filed):
        found = row(code, label, shortage)
        found.needs, found.positions = int(needs), int(positions or 0)
    closed = (sa.select(HiringNeed.rome_code, RomeCode.label, RomeCode.shortage, HiringNeed.status,
                        HiringNeed.created_at, HiringNeed.closed_at)
              .select_from(HiringNeed))
    closed = (measures.of_area(closed, HiringNeed.company_id)
              .outerjoin(RomeCode, RomeCode.code == HiringNeed.rome_code)
              .where(*measures.closed(), HiringNeed.status.in_(OUTCOMES)))
    closed_rows = db.session.execute(closed).all()
    spans = day_spans([(created, closed_at) for *_, created, closed_at in closed_rows])
    for (code, label, shortage, status, _, _), (filed_on, closed_on) in zip(closed_rows, spans, strict=True):
        found = row(code, label, shortage)
        found.closed += 1
        if status in FILLED:
            found.filled += 1
            found.fill_days.append((closed_on - filed_on).days)
    return rows


def job_table(measures: Measures, top: int = TOP_JOBS) -> JobTable:
    """The `top` jobs with the most needs filed (then filled, then by code), "Autres métiers" for
    the rest and the needs without a ROME code; and the shortage jobs against the others."""
    rows = job_rows(measures)
    coded = sorted((row for code, row in rows.items() if code is not None),
                   key=lambda row: (-row.needs, -row.filled, row.key))
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

@dataclass(frozen=True)
class ObjectiveRow:
    indicator: Indicator
    target: int
    achieved: int | None  # None: a share with no firm to measure
    expected: int

    @property
    def achieved_figure(self) -> Figure:
        available = self.achieved is not None
        return Figure("plan_achieved", self.achieved if available else None, available)


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


def plans_progress(scope: Scope, period: Period, today: date) -> list[PlanRow] | None:
    """The plans of the area that are under way (or closed) during the period, each objective's
    target, achieved figure (from the plan's start to the period's end, or the plan's end) and
    figure expected at the period's end (or today). None for a level without plans (an
    adviser). Two queries for the plans, then one per indicator and distinct measuring period:
    plans of a territory share their periods, so this does not grow with the plans."""
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
    measured = {plan.id: objectives.Period(plan.period_start, min(plan.period_end, period.end))
                for plan in plans}
    wanted: dict[tuple[objectives.Period, Indicator], set[str]] = defaultdict(set)
    for plan in plans:
        for objective in plan.objectives:
            wanted[measured[plan.id], objective.indicator].add(plan.basin_code)
    achieved = {key: objectives.achieved_by_basin(key[1], key[0], sorted(basins))
                for key, basins in wanted.items()}
    moment = min(today, period.end)
    order = list(Indicator)
    return [PlanRow(plan.id, plan.name, plan.basin_code, plan.period_start, plan.period_end, [
        ObjectiveRow(objective.indicator, objective.target,
                     achieved[measured[plan.id], objective.indicator][plan.basin_code],
                     objectives.expected(objective.indicator, objective.target,
                                         objectives.period_of(plan), moment))
        for objective in sorted(plan.objectives, key=lambda o: order.index(o.indicator))])
        for plan in plans]


# -- spotters by organisation --------------------------------------------------------------------

@dataclass(frozen=True)
class SpotterRow:
    organisation_id: int | None
    name: str
    flags: int
    hired: int
    conversion: Figure
    median_first_contact: Figure


def spotters_by_organisation(measures: Measures) -> list[SpotterRow]:
    """Per flagging organisation, most flags first: the spotter figures of the period (the query
    of the scalar figures, run once)."""
    grouped: dict[int | None, list] = defaultdict(list)
    for flag in measures.spotter_flags:
        grouped[flag.organisation_id].append(flag)
    rows = [SpotterRow(
        organisation_id, flags[0].organisation_name or "Structure non renseignée", len(flags),
        sum(flag.hired for flag in flags),
        ratio("spotter_hire_conversion", sum(flag.hired for flag in flags), len(flags)),
        middle("spotter_median_first_contact_working_days",
               [flag.first_contact_days for flag in flags if flag.first_contact_days is not None]))
        for organisation_id, flags in grouped.items()]
    return sorted(rows, key=lambda row: (-row.flags, row.name))


@dataclass(frozen=True)
class Breakdowns:
    jobs: JobTable
    plans: list[PlanRow] | None
    spotters: list[SpotterRow]


def breakdowns(scope: Scope, period: Period, today: date, measures: Measures | None = None) -> Breakdowns:
    """The three breakdown tables of the scope over the period."""
    measures = measures or Measures(scope, period)
    return Breakdowns(job_table(measures), plans_progress(scope, period, today),
                      spotters_by_organisation(measures))
