"""What a plan achieved on each of its objectives, against the pace its period sets.

The figures count the firms of the plan's basin (`Company.basin_code`) during the plan's period
(French calendar days, first and last included):

- companies_contacted: distinct firms with any contact in the shared ledger, by any organisation
  (a task-force visit writes one row per participant: the firm still counts once);
- companies_visited: distinct firms with a visit done (status "réalisée") dated in the period;
- needs_collected: needs filed for the basin's firms, whatever their source;
- needs_filled: needs closed as filled or partly filled;
- hires: the hires recorded on the needs closed in the period;
- tpe_pme_share: among the firms contacted whose headcount band is known, the share (%) of those
  under 250 employees (non-employer units and unknown bands are left out of both counts);
- poe_entries: POE requests whose training started in the period (status in training or beyond,
  on `training_starts_on`, a calendar date);
- event_companies: distinct firms whose presence was confirmed at an event (not cancelled) that
  starts in the period;

The expected figure by today follows a straight line from 0 at the start to the target at the end;
a share's expected figure is its target. One grouped query per indicator, whatever the number of
organisations, advisers or basins.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import (
    Company,
    Event,
    EventCompany,
    EventStatus,
    HeadcountBand,
    HiringNeed,
    Indicator,
    Interaction,
    NeedStatus,
    Organisation,
    ParticipationStatus,
    ProspectionPlan,
    TrainingRequest,
    TrainingStatus,
    User,
    Visit,
    VisitParticipant,
    VisitStatus,
)
from crm.services.platform.local_time import day_bounds, local_from_utc, local_today

SHARES = frozenset({Indicator.TPE_PME_SHARE})
FILLED = (NeedStatus.FILLED, NeedStatus.PARTLY_FILLED)
SMALL_FIRM_LIMIT = 250
Column = ColumnElement[Any] | InstrumentedAttribute[Any]


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The stored (naive UTC) start of the first day and end of the last."""
        return day_bounds(self.start)[0], day_bounds(self.end)[1]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def elapsed_share(self, today: date) -> float:
        """How much of the period has gone by at the end of `today`, from 0 to 1."""
        elapsed = (min(today, self.end) - self.start).days + 1
        return max(0, elapsed) / self.days


@dataclass(frozen=True)
class Source:
    """Where an indicator is counted: what to count, on which date, and who did it."""

    origin: type
    count: Column
    moment: Column
    company_id: Column
    organisation_id: Column
    user_id: Column
    conditions: tuple[ColumnElement[bool], ...] = ()
    dated: bool = False  # `moment` is a calendar date, not a UTC time


POE_ENTERED = (TrainingStatus.IN_TRAINING, TrainingStatus.COMPLETED, TrainingStatus.HIRED,
               TrainingStatus.NOT_HIRED)


SOURCES: dict[Indicator, Source] = {
    Indicator.COMPANIES_CONTACTED: Source(
        Interaction, sa.func.count(sa.distinct(Interaction.company_id)), Interaction.occurred_at,
        Interaction.company_id, Interaction.organisation_id, Interaction.user_id),
    Indicator.COMPANIES_VISITED: Source(
        Visit, sa.func.count(sa.distinct(Visit.company_id)), Visit.scheduled_at, Visit.company_id,
        VisitParticipant.organisation_id, VisitParticipant.user_id,
        (Visit.status == VisitStatus.DONE,)),
    Indicator.NEEDS_COLLECTED: Source(
        HiringNeed, sa.func.count(HiringNeed.id), HiringNeed.created_at, HiringNeed.company_id,
        HiringNeed.organisation_id, HiringNeed.adviser_id),
    Indicator.NEEDS_FILLED: Source(
        HiringNeed, sa.func.count(HiringNeed.id), HiringNeed.closed_at, HiringNeed.company_id,
        HiringNeed.organisation_id, HiringNeed.adviser_id, (HiringNeed.status.in_(FILLED),)),
    Indicator.HIRES: Source(
        HiringNeed, sa.func.coalesce(sa.func.sum(HiringNeed.hires), 0), HiringNeed.closed_at,
        HiringNeed.company_id, HiringNeed.organisation_id, HiringNeed.adviser_id,
        (~HiringNeed.is_open,)),
    Indicator.POE_ENTRIES: Source(
        TrainingRequest, sa.func.count(TrainingRequest.id), TrainingRequest.training_starts_on,
        TrainingRequest.company_id, TrainingRequest.organisation_id, TrainingRequest.created_by_id,
        (TrainingRequest.status.in_(POE_ENTERED),), dated=True),
    Indicator.EVENT_COMPANIES: Source(
        EventCompany, sa.func.count(sa.distinct(EventCompany.company_id)),
        sa.select(Event.starts_at).where(Event.id == EventCompany.event_id).scalar_subquery(),
        EventCompany.company_id, sa.null(), sa.null(),
        (EventCompany.status == ParticipationStatus.CONFIRMED,
         EventCompany.event_id.in_(sa.select(Event.id).where(Event.status != EventStatus.CANCELLED)))),
}


def counted(indicator: Indicator, period: Period, *columns: Column,
            by_person: bool = False) -> sa.Select:
    """The indicator's figure over the period, grouped by `columns` (any of them, or none)."""
    source = SOURCES[indicator]
    low, high = (period.start, period.end + timedelta(days=1)) if source.dated else period.bounds
    query = (sa.select(*columns, source.count)
             .select_from(source.origin)
             .join(Company, Company.id == source.company_id)
             .where(source.moment >= low, source.moment < high, *source.conditions))
    if indicator == Indicator.COMPANIES_VISITED and by_person:
        query = query.join(VisitParticipant, VisitParticipant.visit_id == Visit.id)
    return query.group_by(*columns) if columns else query


def rows(query: sa.Select) -> list[Any]:
    """The result rows of a grouped query whose columns vary with the caller."""
    return list(db.session.execute(query))


def figure(indicator: Indicator, basin_code: str, period: Period) -> int:
    return db.session.scalar(counted(indicator, period).where(Company.basin_code == basin_code)) or 0


def figures_by_basin(indicator: Indicator, period: Period, basin_codes: list[str]) -> dict[str, int]:
    query = counted(indicator, period, Company.basin_code).where(Company.basin_code.in_(basin_codes))
    return {str(basin): int(value or 0) for basin, value in rows(query)}


def contacted_sizes(period: Period) -> sa.Select:
    """(basin, firms of known size contacted, of them under 250 employees)."""
    low, high = period.bounds
    small = sa.case((HeadcountBand.max_employees < SMALL_FIRM_LIMIT, Interaction.company_id))
    return (sa.select(Company.basin_code, sa.func.count(sa.distinct(Interaction.company_id)),
                      sa.func.count(sa.distinct(small)))
            .select_from(Interaction)
            .join(Company, Company.id == Interaction.company_id)
            .join(HeadcountBand, HeadcountBand.code == Company.headcount_band)
            .where(Interaction.occurred_at >= low, Interaction.occurred_at < high,
                   HeadcountBand.max_employees.is_not(None))
            .group_by(Company.basin_code))


def share(known: int, small: int) -> int | None:
    return round(100 * small / known) if known else None


def small_firm_counts(period: Period, basin_codes: list[str]) -> dict[str, tuple[int, int]]:
    """For each basin, (firms of known size contacted, of them under 250 employees)."""
    query = contacted_sizes(period).where(Company.basin_code.in_(basin_codes))
    return {str(basin): (int(known), int(small)) for basin, known, small in rows(query)}


def small_firm_shares(period: Period, basin_codes: list[str]) -> dict[str, int | None]:
    return {basin: share(*counts) for basin, counts in small_firm_counts(period, basin_codes).items()}


def achieved_by_basin(indicator: Indicator, period: Period,
                      basin_codes: list[str]) -> dict[str, int | None]:
    """The indicator's achieved figure for each basin (None for a share with no firm to measure)."""
    if indicator in SHARES:
        found = small_firm_shares(period, basin_codes)
    else:
        found = dict(figures_by_basin(indicator, period, basin_codes))
    return {basin: found.get(basin, None if indicator in SHARES else 0) for basin in basin_codes}


@dataclass(frozen=True)
class ObjectiveProgress:
    indicator: Indicator
    target: int
    achieved: int | None  # None: no firm to measure a share on
    expected_to_date: int

    @property
    def gap(self) -> int | None:
        return None if self.achieved is None else self.achieved - self.expected_to_date

    @property
    def percent(self) -> int:
        """How far the target is reached, for a progress bar (0-100)."""
        if not self.achieved:
            return 0
        return min(100, round(100 * self.achieved / self.target))

    @property
    def on_pace(self) -> bool:
        return self.gap is not None and self.gap >= 0


def expected(indicator: Indicator, target: int, period: Period, today: date) -> int:
    if indicator in SHARES:
        return target
    return round(target * period.elapsed_share(today))


def period_of(plan: ProspectionPlan) -> Period:
    return Period(plan.period_start, plan.period_end)


def progress(plan: ProspectionPlan, today: date | None = None) -> list[ObjectiveProgress]:
    """Each objective of the plan: target, achieved and expected by today."""
    today, period = today or local_today(), period_of(plan)
    found = []
    for objective in sorted(plan.objectives, key=lambda o: list(Indicator).index(o.indicator)):
        achieved = achieved_by_basin(objective.indicator, period, [plan.basin_code])[plan.basin_code]
        found.append(ObjectiveProgress(
            objective.indicator, objective.target, achieved,
            expected(objective.indicator, objective.target, period, today)))
    return found


BREAKDOWN_INDICATORS = (Indicator.COMPANIES_CONTACTED, Indicator.COMPANIES_VISITED,
                        Indicator.NEEDS_COLLECTED, Indicator.NEEDS_FILLED, Indicator.HIRES)


@dataclass(frozen=True)
class Contribution:
    """Who achieved how much: one organisation or one adviser, per indicator."""

    name: str
    figures: dict[Indicator, int]


def contributions(plan: ProspectionPlan, by_adviser: bool) -> list[Contribution]:
    """The achieved figures of the plan split per organisation (or per adviser), biggest first."""
    period = period_of(plan)
    found: dict[int, dict[Indicator, int]] = defaultdict(dict)
    for indicator in BREAKDOWN_INDICATORS:
        source = SOURCES[indicator]
        key = source.user_id if by_adviser else source.organisation_id
        query = counted(indicator, period, key, by_person=True).where(
            Company.basin_code == plan.basin_code, key.is_not(None))
        for who, value in rows(query):
            found[who][indicator] = value or 0
    model = User if by_adviser else Organisation
    names = dict(rows(sa.select(model.id, model.name).where(model.id.in_(list(found)))))
    people = [Contribution(names[who], figures) for who, figures in found.items() if who in names]
    return sorted(people, key=lambda row: (-sum(row.figures.values()), row.name))


@dataclass(frozen=True)
class Week:
    start: date
    contacted: int  # firms contacted for the first time of the period that week
    total: int  # firms contacted since the start of the period


def weekly_contacts(plan: ProspectionPlan, today: date | None = None) -> list[Week]:
    """Week by week, the firms of the basin reached for the first time in the period."""
    today, period = today or local_today(), period_of(plan)
    low, high = period.bounds
    first = (sa.select(sa.func.min(Interaction.occurred_at))
             .join(Company, Company.id == Interaction.company_id)
             .where(Company.basin_code == plan.basin_code, Interaction.occurred_at >= low,
                    Interaction.occurred_at < high)
             .group_by(Interaction.company_id))
    per_week: dict[date, int] = defaultdict(int)
    for moment in db.session.scalars(first):
        day = local_from_utc(moment).date()
        per_week[day - timedelta(days=day.weekday())] += 1
    monday = period.start - timedelta(days=period.start.weekday())
    weeks, total = [], 0
    while monday <= min(today, period.end):
        total += per_week.get(monday, 0)
        weeks.append(Week(monday, per_week.get(monday, 0), total))
        monday += timedelta(days=7)
    return weeks
