"""The staff's events list: its filters (the event's basin, département or RSA pilot territory,
its organising organisation, its author, its status, its start from… to…, the basin of its
confirmed firms), the figures per event the indicators sum (firms confirmed, candidates checked
in, interviews and hires the firms declared) and the same figures over every event the filters
keep, as the dashboard and the plans count them."""

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    Company,
    Event,
    EventCompany,
    EventRegistration,
    EventStatus,
    ParticipationStatus,
)
from crm.models.event import event_organisers
from crm.services.events import upkeep
from crm.services.territory import communes, rsa_pilots


@dataclass(frozen=True)
class EventFilters:
    """What the list keeps; None (or no status) keeps every event. `start` and `end` bound the
    event's start (naive UTC, the end excluded). With `firm_basin`, the events where a firm of that
    basin is confirmed, and only those firms counted (a plan's event firms)."""

    basin: str | None = None
    department: str | None = None
    rsa_territory: int | None = None
    organisation_id: int | None = None
    author_id: int | None = None
    statuses: tuple[EventStatus, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    firm_basin: str | None = None

    def firm_conditions(self) -> list[sa.ColumnElement[bool]]:
        """The firms counted, as conditions on `EventCompany`: confirmed, of the firms' basin."""
        found: list[sa.ColumnElement[bool]] = [EventCompany.status == ParticipationStatus.CONFIRMED]
        if self.firm_basin:
            found.append(EventCompany.company_id.in_(
                sa.select(Company.id).where(Company.basin_code == self.firm_basin)))
        return found

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """The filters as conditions on `Event`; the place is the event's own commune and basin."""
        found: list[sa.ColumnElement[bool]] = []
        if self.basin:
            found.append(Event.basin_code == self.basin)
        if self.department:
            found.append(Event.commune_code.in_(communes.department_communes(self.department)))
        if self.rsa_territory is not None:
            found.append(Event.commune_code.in_(rsa_pilots.territory_communes(self.rsa_territory)))
        if self.organisation_id is not None:
            found.append(Event.id.in_(sa.select(event_organisers.c.event_id).where(
                event_organisers.c.organisation_id == self.organisation_id)))
        if self.author_id is not None:
            found.append(Event.created_by_id == self.author_id)
        if self.statuses:
            found.append(Event.status.in_(self.statuses))
        if self.start:
            found.append(Event.starts_at >= self.start)
        if self.end:
            found.append(Event.starts_at < self.end)
        if self.firm_basin:
            found.append(Event.id.in_(sa.select(EventCompany.event_id).where(*self.firm_conditions())))
        return found


def staff_events(filters: EventFilters) -> sa.Select:
    """The events the filters keep, latest first, with their organisers."""
    return (sa.select(Event).options(selectinload(Event.organisers)).where(*filters.conditions())
            .order_by(Event.starts_at.desc(), Event.id))


def indicators(filters: EventFilters) -> upkeep.Indicators:
    """The list's indicators (`upkeep.figures_by`): those of the events the filters keep whatever
    their status, cancelled ones left out."""
    chosen = sa.select(Event.id).where(*replace(filters, statuses=()).conditions(),
                                       Event.status != EventStatus.CANCELLED)
    return upkeep.figures_by(chosen).get(None, upkeep.Indicators())


@dataclass(frozen=True)
class EventFigures:
    """What the indicators sum over some events: the firms confirmed (distinct over several
    events), the candidates checked in, and the interviews and hires of the firms that declared
    their outcomes (`reported` of them; none: not known yet)."""

    events: int = 0
    firms: int = 0
    present: int = 0
    reported: int = 0
    interviews: int = 0
    hires: int = 0


def figures_of(chosen: sa.Select, filters: EventFilters = EventFilters()) -> EventFigures:
    """The figures of the events whose ids `chosen` selects, their firms those of `filters`, in
    one query."""
    confirmed = sa.and_(EventCompany.event_id.in_(chosen), *filters.firm_conditions())
    reported = sa.and_(confirmed, EventCompany.outcomes_at.is_not(None))
    query = sa.select(
        sa.select(sa.func.count()).select_from(Event).where(Event.id.in_(chosen)).scalar_subquery(),
        sa.select(sa.func.count(sa.distinct(EventCompany.company_id))).where(confirmed)
        .scalar_subquery(),
        sa.select(sa.func.count(EventRegistration.checked_in_at))
        .where(EventRegistration.event_id.in_(chosen)).scalar_subquery(),
        sa.select(sa.func.count(EventCompany.id)).where(reported).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.sum(EventCompany.interviews), 0)).where(reported)
        .scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.sum(EventCompany.hires), 0)).where(reported)
        .scalar_subquery())
    return EventFigures(*(int(value or 0) for value in db.session.execute(query).one()))


def list_figures(filters: EventFilters) -> EventFigures:
    """The figures of every event the filters keep (all pages)."""
    return figures_of(sa.select(Event.id).where(*filters.conditions()), filters)


def figures_per_event(event_ids: list[int], filters: EventFilters) -> dict[int, EventFigures]:
    """Each event's figures, its firms those of `filters`, but the candidates checked in
    (`registrations.counts_of` has them), in one grouped query."""
    reported = EventCompany.outcomes_at.is_not(None)
    query = (sa.select(EventCompany.event_id, sa.func.count(EventCompany.id),
                       sa.func.count(sa.case((reported, EventCompany.id))),
                       sa.func.coalesce(sa.func.sum(sa.case((reported, EventCompany.interviews))), 0),
                       sa.func.coalesce(sa.func.sum(sa.case((reported, EventCompany.hires))), 0))
             .where(EventCompany.event_id.in_(event_ids), *filters.firm_conditions())
             .group_by(EventCompany.event_id))
    return {int(row[0]): EventFigures(1, int(row[1]), 0, int(row[2]), int(row[3]), int(row[4]))
            for row in db.session.execute(query).all()}
