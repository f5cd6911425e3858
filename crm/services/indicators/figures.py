"""The indicators' figures: a few set-based SQL aggregates per scope and period (`Measures`, each
run once and only when an indicator needs it), and one function per indicator that turns them into
a `Figure`. A figure that cannot be computed (nothing to divide by, nothing to take a median of, or
data the application does not record) is "non disponible": `available` False and `value` None,
never 0. Definitions: `definitions.py` and `docs/indicators.md`.
"""

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from statistics import median
from typing import Any

import sqlalchemy as sa

from crm.clock import utcnow
from crm.extensions import db
from crm.models import (
    ClosingReason,
    Company,
    Event,
    EventStatus,
    HeadcountBand,
    HiringNeed,
    NeedSource,
    NeedStatus,
    Organisation,
    TrainingRequest,
)
from crm.services.companies import activity
from crm.services.events import listing
from crm.services.indicators.definitions import BY_KEY, KEYS, Definition, source_key
from crm.services.indicators.scope import Level, Period, Scope
from crm.services.needs import aftercare_figures
from crm.services.needs.aftercare_figures import Share
from crm.services.plans import objectives
from crm.services.platform.local_time import day_bounds, local_from_utc
from crm.services.platform.working_days import is_working_day
from crm.services.training import funnel

FILLED = (NeedStatus.FILLED, NeedStatus.PARTLY_FILLED)
OUTCOMES = (*FILLED, NeedStatus.UNFILLED)  # closed needs counted by the fill rate (not cancelled)


@dataclass(frozen=True)
class Figure:
    key: str
    value: float | None
    available: bool

    @property
    def definition(self) -> Definition:
        return BY_KEY[self.key]


def number(value: Any) -> int:
    return int(value or 0)


def count(key: str, value: int) -> Figure:
    return Figure(key, value, True)


def ratio(key: str, numerator: float, denominator: float, scale: int = 100) -> Figure:
    """numerator × scale ÷ denominator, one decimal; not available when the denominator is 0."""
    if not denominator:
        return Figure(key, None, False)
    return Figure(key, round(scale * numerator / denominator, 1), True)


def share(key: str, found: Share) -> Figure:
    return ratio(key, found.numerator, found.denominator)


def middle(key: str, values: list[int]) -> Figure:
    return Figure(key, round(float(median(values)), 1), True) if values else Figure(key, None, False)


def local_day(moment: datetime | None) -> date:
    assert moment is not None  # the queries select rows where it is set
    return local_from_utc(moment).date()


def local_days(moments: Sequence[datetime]) -> list[date]:
    """The French days of stored (naive UTC) instants, as `local_day` gives them: the UTC start of
    each day over the instants' span is computed once, then each instant is placed by bisection
    (a time-zone conversion per instant costs seconds over a year of needs)."""
    if not moments:
        return []
    days, starts = days_between(local_day(min(moments)), local_day(max(moments)))
    return [days[bisect_right(starts, moment) - 1] for moment in moments]


@lru_cache(maxsize=256)
def days_between(first: date, last: date) -> tuple[list[date], list[datetime]]:
    """The French days from `first` to `last` and their stored (naive UTC) starts, computed once
    per span (each live page asks for the same few spans)."""
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    return days, [day_bounds(day)[0] for day in days]


def rows_of(query: sa.Select) -> Sequence[sa.Row]:
    """The rows of a query of columns (thousands of needs for a regional year), read through the
    connection: the ORM's processing of each row is skipped (measured 3 to 10 times the reading)."""
    return db.session.connection().execute(query).all()


def day_spans(rows: Sequence[Sequence[Any]]) -> list[tuple[date, date]]:
    """The French days of pairs of stored instants (filed, then contacted or closed)."""
    return list(zip(local_days([row[0] for row in rows]), local_days([row[1] for row in rows]),
                    strict=True))


@lru_cache(maxsize=65536)
def working_days_between(first: date, last: date) -> int:
    """Working days after `first` up to `last` included (0 when on the same day or before)."""
    days, day = 0, first
    while day < last:
        day += timedelta(days=1)
        days += is_working_day(day)
    return days


@dataclass(frozen=True)
class SpotterFlag:
    organisation_id: int | None
    organisation_name: str
    hired: bool
    first_contact_days: int | None  # working days to the first contact, None before it


def spotter_flags_of(rows: Sequence[Sequence[Any]]) -> list[SpotterFlag]:
    """The flags from their rows: (organisation, its name, hired, filed at, first contact at)."""
    spans = iter(day_spans([(row[3], row[4]) for row in rows if row[4] is not None]))
    flags = []
    for organisation_id, name, hired, _, first_contact in rows:
        delay = None if first_contact is None else working_days_between(*next(spans))
        flags.append(SpotterFlag(organisation_id, name or "", bool(hired), delay))
    return flags


class Measures:
    """The aggregates of one scope over one period, each queried once when first needed."""

    def __init__(self, scope: Scope, period: Period, now: datetime | None = None,
                 sibling: "Measures | None" = None, per_basin: bool = False):
        self.scope, self.period = scope, period
        self.now = now or utcnow()
        self.sibling = sibling  # the same scope's measures of another period: shares `establishments`
        self.per_basin = per_basin  # count the establishments per basin (the basins' map reads them)
        self.low, self.high = period.bounds

    @cached_property
    def compared(self) -> dict[str, "Measures"]:
        """These measures and those of the previous period and a year before (the same for a
        twelve-month period), sharing `establishments`: the dashboard's three periods, which the
        breakdown tables read too (each period's queries run once per page)."""
        previous = Measures(self.scope, self.period.previous, self.now, self)
        before = previous if self.period.year_before == self.period.previous else Measures(
            self.scope, self.period.year_before, self.now, self)
        return {"current": self, "previous": previous, "year_before": before}

    # -- what to count -----------------------------------------------------------------------

    def area(self) -> sa.ColumnElement[bool]:
        return self.scope.company_condition()

    def of_area(self, query: sa.Select, company_id: objectives.Column) -> sa.Select:
        """The query joined to the records' firms when the area narrows them (`area()`); the
        region and an adviser's figures take every firm, and a need or a POE request always has
        one: no join then."""
        if self.scope.level in (Level.REGION, Level.ADVISER):
            return query
        return query.join(Company, Company.id == company_id)

    def piloted(self) -> list[sa.ColumnElement[bool]]:
        """The needs the scope's organisation or adviser pilots (all of them otherwise)."""
        return self.scope.by_whom(HiringNeed.organisation_id, HiringNeed.adviser_id)

    def needs_of_area(self) -> aftercare_figures.NeedFilter:
        conditions = self.piloted()
        if self.scope.level not in (Level.REGION, Level.ADVISER):
            conditions.append(HiringNeed.company_id.in_(sa.select(Company.id).where(self.area())))
        return sa.and_(*conditions) if conditions else None

    def filed(self) -> list[sa.ColumnElement[bool]]:
        return [HiringNeed.created_at >= self.low, HiringNeed.created_at < self.high, self.area(),
                *self.piloted()]

    def closed(self) -> list[sa.ColumnElement[bool]]:
        return [HiringNeed.closed_at >= self.low, HiringNeed.closed_at < self.high, ~HiringNeed.is_open,
                self.area(), *self.piloted()]

    # -- the aggregates ----------------------------------------------------------------------

    def visits(self) -> sa.ColumnElement[bool]:
        """The firms with a visit done in the period (which the scope's organisation or adviser
        took part in): `companies.activity`'s definition, as the companies list's."""
        return activity.visited_between(self.low, self.high, self.scope.organisation_id,
                                        self.scope.adviser_id)

    def firm_counts(self, *conditions: sa.ColumnElement[bool]) -> sa.Select:
        """(firms, of them active, of known size, under 250 employees) of the area meeting the
        conditions. A known size is a band with a lower bound (the non-employer band "NN" and
        firms without a band are left out; the band "10 000 and more" counts, unlike the plans'
        share which needs an upper bound). The firm's id is not read: the companies' index
        (last contact, active, size band) answers alone (PostgreSQL's indexes do not hold it)."""
        def firms(condition: objectives.Column) -> sa.ColumnElement[int]:
            return sa.func.count(sa.case((condition, 1)))

        return (sa.select(sa.func.count(), firms(Company.active),
                          firms(HeadcountBand.min_employees.is_not(None)),
                          firms(HeadcountBand.max_employees < objectives.SMALL_FIRM_LIMIT))
                .select_from(Company)
                .outerjoin(HeadcountBand, HeadcountBand.code == Company.headcount_band)
                .where(self.area(), *conditions))

    @cached_property
    def contacts(self) -> tuple[int, int, int, int]:
        """(firms contacted, of them active, of known size, under 250 employees): the plans'
        `companies_contacted` and `tpe_pme_share`, in one query. A firm's `last_contact_at` is
        its latest ledger entry: a firm last contacted before the period has none in it; the
        firms contacted in the period are those contacted since its start less those not
        contacted within it (two rows of one query, subtracted). An organisation's or an
        adviser's entries are read from the ledger, their firms once."""
        since = Company.last_contact_at >= self.low
        if self.scope.organisation_id is not None or self.scope.adviser_id is not None:
            query = self.firm_counts(activity.contacted_between(
                self.low, self.high, self.scope.organisation_id, self.scope.adviser_id))
            return tuple(number(value) for value in db.session.execute(query).one())  # type: ignore[return-value]
        both = sa.union_all(
            self.firm_counts(since).add_columns(sa.literal(0).label("part")),
            self.firm_counts(since, Company.id.in_(activity.silent_between(self.low, self.high)))
            .add_columns(sa.literal(1).label("part")))
        contacted, silent = db.session.execute(sa.select(both.subquery()).order_by("part")).all()
        return tuple(number(a) - number(b) for a, b in zip(contacted[:4], silent[:4], strict=True))  # type: ignore[return-value]

    @cached_property
    def visited(self) -> int:
        """The plans' `companies_visited`: distinct firms visited (a task force counted once)."""
        query = sa.select(sa.func.count(Company.id)).where(self.visits(), self.area())
        return number(db.session.scalar(query))

    @cached_property
    def establishments(self) -> int:
        """Active establishments of the area (SIRENE and the firms recorded in the CRM): today's,
        whatever the period."""
        if self.sibling is not None:
            return self.sibling.establishments
        if self.per_basin:
            return sum(self.establishments_by_basin.values())
        query = sa.select(sa.func.count()).select_from(Company).where(Company.active, self.area())
        return number(db.session.scalar(query))

    @cached_property
    def establishments_by_basin(self) -> dict[str | None, int]:
        """Active establishments of the area per basin of the firm (None: firms without a basin);
        with `per_basin`, their sum is `establishments`: one count for the figures and the map."""
        query = (sa.select(Company.basin_code, sa.func.count()).where(Company.active, self.area())
                 .group_by(Company.basin_code))
        return {code: number(count) for code, count in db.session.execute(query)}

    @cached_property
    def needs_by_source(self) -> dict[NeedSource, tuple[int, int, int, int]]:
        """Per source: (needs filed, positions, first contacts measured, of them within the
        deadline). Measured: a deadline, and a first contact made or the deadline passed."""
        due, contacted = HiringNeed.first_contact_due_at, HiringNeed.first_contact_at
        measured = sa.and_(due.is_not(None), sa.or_(contacted.is_not(None), due < self.now))
        within = sa.and_(due.is_not(None), contacted.is_not(None), contacted <= due)
        query = (sa.select(HiringNeed.source, sa.func.count(HiringNeed.id),
                           sa.func.coalesce(sa.func.sum(HiringNeed.positions), 0),
                           sa.func.count(sa.case((measured, HiringNeed.id))),
                           sa.func.count(sa.case((within, HiringNeed.id))))
                 .select_from(HiringNeed))
        query = (self.of_area(query, HiringNeed.company_id)
                 .where(*self.filed()).group_by(HiringNeed.source))
        return {NeedSource(source): (number(n), number(p), number(m), number(w))
                for source, n, p, m, w in db.session.execute(query)}

    def needs_total(self, index: int) -> int:
        return sum(row[index] for row in self.needs_by_source.values())

    @cached_property
    def first_contact_delays(self) -> list[int]:
        """Working days from filing to first contact, of the needs filed and contacted."""
        query = (self.of_area(sa.select(HiringNeed.created_at, HiringNeed.first_contact_at),
                              HiringNeed.company_id)
                 .where(*self.filed(), HiringNeed.first_contact_at.is_not(None)))
        return [working_days_between(filed, contacted)
                for filed, contacted in day_spans(rows_of(query))]

    @cached_property
    def outcomes(self) -> tuple[int, int, int, int, int, int]:
        """Of the needs closed in the period: (filled or partly, closed with an outcome, hires,
        positions filled, closed for lack of candidates, closed with a known reason: filled, or a
        closing reason from the list)."""
        filled = HiringNeed.status.in_(FILLED)
        positions_filled = sa.case(
            (filled, sa.case((HiringNeed.hires < HiringNeed.positions, HiringNeed.hires),
                             else_=HiringNeed.positions)), else_=0)
        lack = HiringNeed.closing_reason == ClosingReason.LACK_OF_CANDIDATES
        known = sa.or_(HiringNeed.status == NeedStatus.FILLED, HiringNeed.closing_reason.is_not(None))
        query = (sa.select(sa.func.count(sa.case((filled, HiringNeed.id))),
                           sa.func.count(sa.case((HiringNeed.status.in_(OUTCOMES), HiringNeed.id))),
                           sa.func.coalesce(sa.func.sum(HiringNeed.hires), 0),
                           sa.func.coalesce(sa.func.sum(positions_filled), 0),
                           sa.func.count(sa.case((lack, HiringNeed.id))),
                           sa.func.count(sa.case((known, HiringNeed.id))))
                 .select_from(HiringNeed))
        query = self.of_area(query, HiringNeed.company_id).where(*self.closed())
        return tuple(number(value) for value in db.session.execute(query).one())  # type: ignore[return-value]

    @cached_property
    def fill_times(self) -> list[int]:
        """Calendar days from filing to closing, of the needs closed filled in the period."""
        query = (self.of_area(sa.select(HiringNeed.created_at, HiringNeed.closed_at),
                              HiringNeed.company_id)
                 .where(*self.closed(), HiringNeed.status.in_(FILLED)))
        return [(closed - filed).days for filed, closed in day_spans(rows_of(query))]

    @cached_property
    def events(self) -> tuple[int, int, int, int, int, int]:
        """Of the events held in the area that start in the period: (events, firms confirmed,
        candidates checked in, firms with outcomes recorded, interviews, hires), in one query,
        with the events list's filters and sums (`events/listing.py`). With an organisation: the
        events it organises; with an adviser: those they created."""
        kept = listing.EventFilters(organisation_id=self.scope.organisation_id,
                                    author_id=self.scope.adviser_id, statuses=(EventStatus.HELD,),
                                    start=self.low, end=self.high)
        held = sa.select(Event.id).where(
            *kept.conditions(), self.scope.place_condition(Event.commune_code, Event.basin_code))
        found = listing.figures_of(held)
        return (found.events, found.firms, found.present, found.reported, found.interviews,
                found.hires)

    @cached_property
    def training(self) -> dict[str, int]:
        """The POE requests filed (dated) in the period for the area's firms, per funnel step
        (`training/funnel.py`, which the requests list filters on too)."""
        query = (sa.select(*(sa.func.count(sa.case((condition, TrainingRequest.id)))
                             for _, condition in funnel.STEPS.values()))
                 .select_from(TrainingRequest))
        query = (self.of_area(query, TrainingRequest.company_id)
                 .where(TrainingRequest.requested_on >= self.period.start,
                        TrainingRequest.requested_on <= self.period.end,
                        funnel.FILED, self.area(),
                        *self.scope.by_whom(TrainingRequest.organisation_id,
                                            TrainingRequest.created_by_id)))
        return dict(zip(funnel.STEPS, (number(value) for value in db.session.execute(query).one()),
                        strict=True))

    @cached_property
    def spotter_flags(self) -> list[SpotterFlag]:
        """The needs flagged by spotters, filed in the period for the area's firms, with the
        flagging organisation's name (one query; the by-organisation table reads it too)."""
        hired = sa.and_(HiringNeed.status.in_(FILLED), sa.func.coalesce(HiringNeed.hires, 0) > 0)
        query = (sa.select(HiringNeed.source_organisation_id, Organisation.name,
                           sa.case((hired, True), else_=False), HiringNeed.created_at,
                           HiringNeed.first_contact_at)
                 .select_from(HiringNeed))
        query = (self.of_area(query, HiringNeed.company_id)
                 .outerjoin(Organisation, Organisation.id == HiringNeed.source_organisation_id)
                 .where(*self.filed(), HiringNeed.source == NeedSource.SPOTTER))
        return spotter_flags_of(rows_of(query))

    @cached_property
    def one_month(self) -> Share:
        return aftercare_figures.still_in_post_at_one_month(
            self.needs_of_area(), self.period.start, self.period.end)

    @cached_property
    def trial_end(self) -> Share:
        return aftercare_figures.still_in_post_at_trial_end(
            self.needs_of_area(), self.period.start, self.period.end)

    @cached_property
    def satisfaction(self) -> aftercare_figures.Satisfaction:
        return aftercare_figures.satisfaction(self.needs_of_area(), self.period.start, self.period.end)


# -- one function per indicator (definitions: definitions.py) ------------------------------------

def companies_contacted(m: Measures) -> Figure:
    return count("companies_contacted", m.contacts[0])


def companies_visited(m: Measures) -> Figure:
    return count("companies_visited", m.visited)


def penetration_rate(m: Measures) -> Figure:
    return ratio("penetration_rate", m.contacts[1], m.establishments)


def tpe_pme_share(m: Measures) -> Figure:
    _, _, known, small = m.contacts
    return ratio("tpe_pme_share", small, known)


def needs_collected(m: Measures) -> Figure:
    return count("needs_collected", m.needs_total(0))


def needs_collected_from(source: NeedSource) -> Callable[[Measures], Figure]:
    def figure(m: Measures) -> Figure:
        return count(source_key(source), m.needs_by_source.get(source, (0, 0, 0, 0))[0])
    return figure


def positions(m: Measures) -> Figure:
    return count("positions", m.needs_total(1))


def needs_per_1000_establishments(m: Measures) -> Figure:
    return ratio("needs_per_1000_establishments", m.needs_total(0), m.establishments, 1000)


def median_first_contact_working_days(m: Measures) -> Figure:
    return middle("median_first_contact_working_days", m.first_contact_delays)


def first_contact_within_2_days(m: Measures) -> Figure:
    return ratio("first_contact_within_2_days", m.needs_total(3), m.needs_total(2))


def fill_rate(m: Measures) -> Figure:
    filled, closed = m.outcomes[:2]
    return ratio("fill_rate", filled, closed)


def positions_filled(m: Measures) -> Figure:
    return count("positions_filled", m.outcomes[3])


def hires(m: Measures) -> Figure:
    return count("hires", m.outcomes[2])


def median_time_to_fill_days(m: Measures) -> Figure:
    return middle("median_time_to_fill_days", m.fill_times)


def closed_for_lack_of_candidates(m: Measures) -> Figure:
    lack, known = m.outcomes[4:]
    return ratio("closed_for_lack_of_candidates", lack, known)


def needs_filled(m: Measures) -> Figure:
    return count("needs_filled", m.outcomes[0])


def events_held(m: Measures) -> Figure:
    return count("events_held", m.events[0])


def event_firms(m: Measures) -> Figure:
    return count("event_firms", m.events[1])


def event_candidates(m: Measures) -> Figure:
    return count("event_candidates", m.events[2])


def reported(key: str, m: Measures, value: int) -> Figure:
    """A figure the firms declare after the event: not available until one of them has."""
    return count(key, value) if m.events[3] else Figure(key, None, False)


def event_interviews(m: Measures) -> Figure:
    return reported("event_interviews", m, m.events[4])


def event_hires(m: Measures) -> Figure:
    return reported("event_hires", m, m.events[5])


def training_step(key: str, step: str) -> Callable[[Measures], Figure]:
    def figure(m: Measures) -> Figure:
        return count(key, m.training[step])
    return figure


def training_hire_rate(m: Measures) -> Figure:
    return ratio("training_hire_rate", m.training["embauche"], m.training["issue"])


def spotter_hire_conversion(m: Measures) -> Figure:
    flags = m.spotter_flags
    return ratio("spotter_hire_conversion", sum(flag.hired for flag in flags), len(flags))


def spotter_median_first_contact_working_days(m: Measures) -> Figure:
    return middle("spotter_median_first_contact_working_days",
                  [flag.first_contact_days for flag in m.spotter_flags
                   if flag.first_contact_days is not None])


def still_in_post_one_month(m: Measures) -> Figure:
    return share("still_in_post_one_month", m.one_month)


def still_in_post_trial_end(m: Measures) -> Figure:
    return share("still_in_post_trial_end", m.trial_end)


def satisfaction_contacted_quickly(m: Measures) -> Figure:
    return share("satisfaction_contacted_quickly", m.satisfaction.contacted_quickly)


def satisfaction_useful(m: Measures) -> Figure:
    return share("satisfaction_useful", m.satisfaction.useful)


FUNCTIONS: dict[str, Callable[[Measures], Figure]] = {
    "companies_contacted": companies_contacted,
    "companies_visited": companies_visited,
    "penetration_rate": penetration_rate,
    "tpe_pme_share": tpe_pme_share,
    "needs_collected": needs_collected,
    **{source_key(source): needs_collected_from(source) for source in NeedSource},
    "positions": positions,
    "needs_per_1000_establishments": needs_per_1000_establishments,
    "median_first_contact_working_days": median_first_contact_working_days,
    "first_contact_within_2_days": first_contact_within_2_days,
    "fill_rate": fill_rate,
    "positions_filled": positions_filled,
    "needs_filled": needs_filled,
    "hires": hires,
    "median_time_to_fill_days": median_time_to_fill_days,
    "closed_for_lack_of_candidates": closed_for_lack_of_candidates,
    "still_in_post_one_month": still_in_post_one_month,
    "still_in_post_trial_end": still_in_post_trial_end,
    "satisfaction_contacted_quickly": satisfaction_contacted_quickly,
    "satisfaction_useful": satisfaction_useful,
    "events_held": events_held,
    "event_firms": event_firms,
    "event_candidates": event_candidates,
    "event_interviews": event_interviews,
    "event_hires": event_hires,
    "training_requests": training_step("training_requests", "deposee"),
    "training_frap_requests": training_step("training_frap_requests", "frap"),
    "training_approved": training_step("training_approved", "accordee"),
    "training_entries": training_step("training_entries", "entree"),
    "training_hires": training_step("training_hires", "embauche"),
    "training_hire_rate": training_hire_rate,
    "spotter_hire_conversion": spotter_hire_conversion,
    "spotter_median_first_contact_working_days": spotter_median_first_contact_working_days,
}
assert tuple(FUNCTIONS) == KEYS, "one function per definition, in the same order"


def figures(scope: Scope, period: Period, keys: tuple[str, ...] = KEYS,
            now: datetime | None = None, measures: Measures | None = None) -> dict[str, Figure]:
    """The indicators of the scope over the period (at most thirteen queries for all of them)."""
    measures = measures or Measures(scope, period, now)
    return {key: FUNCTIONS[key](measures) for key in keys}


@dataclass(frozen=True)
class Row:
    """One indicator on the dashboard: this period, the previous one, the same a year before."""

    definition: Definition
    current: Figure
    previous: Figure
    year_before: Figure


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    period: Period
    rows: list[Row]
    measures: Measures  # the chosen period's aggregates (`compared`: all three), for the breakdown tables

    def row(self, key: str) -> Row:
        return next(row for row in self.rows if row.definition.key == key)


def dashboard(scope: Scope, period: Period, keys: tuple[str, ...] = KEYS,
              now: datetime | None = None, year_before: bool = True,
              per_basin: bool = False) -> Dashboard:
    """The indicators over the period, the previous period and (optionally) a year before;
    `per_basin`: the establishments counted per basin, for the basins' map (`Measures`)."""
    now = now or utcnow()
    measures = Measures(scope, period, now, per_basin=per_basin)
    compared = measures.compared
    current = figures(scope, period, keys, now, measures)
    previous = figures(scope, period.previous, keys, now, compared["previous"])
    if not year_before:
        before = {key: Figure(key, None, False) for key in keys}
    elif compared["year_before"] is compared["previous"]:  # a twelve-month period: counted once
        before = previous
    else:
        before = figures(scope, period.year_before, keys, now, compared["year_before"])
    return Dashboard(scope, period, [Row(BY_KEY[key], current[key], previous[key], before[key])
                                     for key in keys], measures)
