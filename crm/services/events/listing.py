"""The staff's events list: its filters (the event's basin, département or RSA pilot territory,
its organising organisation, its author, its status, its start from… to…), the figures per event
the indicators sum (firms confirmed, candidates checked in, interviews and hires the firms
declared) and the same figures over every event the filters keep, as the dashboard counts them."""

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Event, EventCompany, EventRegistration, EventStatus, ParticipationStatus
from crm.models.event import event_organisers
from crm.services.territory import communes, rsa_pilots


@dataclass(frozen=True)
class EventFilters:
    """What the list keeps; None keeps every event. `start` and `end` bound the event's start
    (naive UTC, the end excluded)."""

    basin: str | None = None
    department: str | None = None
    rsa_territory: int | None = None
    organisation_id: int | None = None
    author_id: int | None = None
    status: EventStatus | None = None
    start: datetime | None = None
    end: datetime | None = None

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
        if self.status is not None:
            found.append(Event.status == self.status)
        if self.start:
            found.append(Event.starts_at >= self.start)
        if self.end:
            found.append(Event.starts_at < self.end)
        return found


def staff_events(filters: EventFilters) -> sa.Select:
    """The events the filters keep, latest first, with their organisers."""
    return (sa.select(Event).options(selectinload(Event.organisers)).where(*filters.conditions())
            .order_by(Event.starts_at.desc(), Event.id))


def indicator_events(filters: EventFilters) -> sa.Select:
    """The ids of the events the list's indicators count: the filters' but for the status, every
    status but cancelled."""
    return sa.select(Event.id).where(*replace(filters, status=None).conditions(),
                                     Event.status != EventStatus.CANCELLED)


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


def figures_of(chosen: sa.Select | sa.ScalarSelect) -> EventFigures:
    """The figures of the events whose ids `chosen` selects, in one query."""
    confirmed = sa.and_(EventCompany.event_id.in_(chosen),
                        EventCompany.status == ParticipationStatus.CONFIRMED)
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
    return figures_of(sa.select(Event.id).where(*filters.conditions()))


def figures_per_event(event_ids: list[int]) -> dict[int, EventFigures]:
    """Each event's figures but the candidates checked in (`registrations.counts_of` has them),
    in one grouped query."""
    reported = EventCompany.outcomes_at.is_not(None)
    query = (sa.select(EventCompany.event_id, sa.func.count(EventCompany.id),
                       sa.func.count(sa.case((reported, EventCompany.id))),
                       sa.func.coalesce(sa.func.sum(sa.case((reported, EventCompany.interviews))), 0),
                       sa.func.coalesce(sa.func.sum(sa.case((reported, EventCompany.hires))), 0))
             .where(EventCompany.event_id.in_(event_ids),
                    EventCompany.status == ParticipationStatus.CONFIRMED)
             .group_by(EventCompany.event_id))
    return {event_id: EventFigures(1, firms, 0, declared, int(interviews), int(hires))
            for event_id, firms, declared, interviews, hires in db.session.execute(query)}
