"""What runs without anyone: the J-2 reminder of every candidate and confirmed firm, the purge of
candidates' personal data N months after the event (counts kept), and the indicators per event and
per basin and period."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    AppSetting,
    Event,
    EventCompany,
    EventRegistration,
    EventStatus,
    ParticipationStatus,
    RegistrationStatus,
    utcnow,
)
from crm.models.event import event_organisers
from crm.services.events import surveys
from crm.services.events.organising import OPEN_STATUSES, banner
from crm.services.events.registrations import cancel_link
from crm.services.platform import outbox
from crm.services.platform.local_time import day_bounds, local_today

REMINDER_DAYS = 2
DEFAULT_PURGE_MONTHS = 6
SETTING_KEY = "events"  # app_settings: {"purge_months": 6}
PURGED_NAME = "Données effacées"


def send_reminders(now: datetime | None = None) -> int:
    """Remind the confirmed candidates of the events two days ahead (the French calendar day),
    once per event; how many e-mails were written."""
    now = now or utcnow()
    start, end = day_bounds(local_today(now) + timedelta(days=REMINDER_DAYS))
    query = (sa.select(Event).where(Event.status.in_(OPEN_STATUSES + (EventStatus.CLOSED,)),
                                    Event.starts_at >= start, Event.starts_at < end,
                                    Event.reminded_at.is_(None))
             .options(selectinload(Event.organisers)))
    written = 0
    for event in db.session.scalars(query):
        people = db.session.scalars(sa.select(EventRegistration).where(
            EventRegistration.event_id == event.id,
            EventRegistration.status == RegistrationStatus.CONFIRMED))
        for registration in people:
            outbox.add_mail("event_reminder", registration.email, event=event, banner=banner(event),
                            registration=registration, cancel_url=cancel_link(registration))
            written += 1
        event.reminded_at = now
    db.session.flush()
    return written


def months_ago(now: datetime, months: int) -> datetime:
    """The same moment `months` calendar months before (the day capped at 28)."""
    month = now.month - months
    year = now.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return now.replace(year=year, month=month, day=min(now.day, 28))


def purge_months() -> int:
    """Months after an event when its candidates' personal data is erased (admin setting)."""
    setting = db.session.get(AppSetting, SETTING_KEY)
    value = (setting.value or {}).get("purge_months") if setting else None
    return value if isinstance(value, int) and 1 <= value <= 120 else DEFAULT_PURGE_MONTHS


def purge_personal_data(months: int | None = None, now: datetime | None = None) -> int:
    """Erase the name, e-mail and phone of the candidates of events ended `months` months ago or
    more (the setting by default), and their survey comments; statuses, check-ins and survey
    answers stay (the counts). How many
    registrations were erased."""
    now = now or utcnow()
    months = months or purge_months()
    limit = months_ago(now, months)
    events = list(db.session.scalars(sa.select(Event).where(Event.ends_at < limit,
                                                            Event.purged_at.is_(None))))
    erased = 0
    for event in events:
        result = db.session.execute(
            sa.update(EventRegistration).where(EventRegistration.event_id == event.id)
            .values(name=PURGED_NAME, email="", phone=None, heard_from=None)
            .execution_options(synchronize_session=False))
        erased += result.rowcount or 0  # type: ignore[attr-defined]
        surveys.erase_candidate_comments(event.id)
        event.purged_at = now
    db.session.flush()
    return erased


@dataclass(frozen=True)
class Indicators:
    events: int = 0
    double_banner: int = 0
    firms: int = 0
    positions: int = 0
    registered: int = 0
    present: int = 0
    interviews: int = 0
    shortlisted: int = 0
    hires: int = 0
    poe_entries: int = 0
    seats: int = 0

    @property
    def fill_rate(self) -> int | None:
        """Share (%) of the seats offered taken by confirmed candidates."""
        return round(100 * self.registered / self.seats) if self.seats else None

    @property
    def double_banner_share(self) -> int | None:
        return round(100 * self.double_banner / self.events) if self.events else None


def indicators(event_ids: list[int] | None = None, basin: str | None = None,
               start: datetime | None = None, end: datetime | None = None) -> Indicators:
    """Figures of some events (or of a basin over a period), cancelled ones left out: three
    grouped queries."""
    chosen = sa.select(Event.id).where(Event.status != EventStatus.CANCELLED)
    if event_ids is not None:
        chosen = chosen.where(Event.id.in_(event_ids))
    if basin:
        chosen = chosen.where(Event.basin_code == basin)
    if start:
        chosen = chosen.where(Event.starts_at >= start)
    if end:
        chosen = chosen.where(Event.starts_at < end)

    organisers = (sa.select(event_organisers.c.event_id,
                            sa.func.count().label("n"))
                  .group_by(event_organisers.c.event_id).subquery())
    events, double, seats = db.session.execute(
        sa.select(sa.func.count(Event.id),
                  sa.func.count(organisers.c.event_id).filter(organisers.c.n >= 2),
                  sa.func.coalesce(sa.func.sum(Event.capacity), 0))
        .outerjoin(organisers, organisers.c.event_id == Event.id)
        .where(Event.id.in_(chosen))).one()
    firms = db.session.execute(
        sa.select(sa.func.count(EventCompany.id),
                  sa.func.coalesce(sa.func.sum(EventCompany.positions), 0),
                  sa.func.coalesce(sa.func.sum(EventCompany.interviews), 0),
                  sa.func.coalesce(sa.func.sum(EventCompany.shortlisted), 0),
                  sa.func.coalesce(sa.func.sum(EventCompany.hires), 0),
                  sa.func.coalesce(sa.func.sum(EventCompany.poe_entries), 0))
        .where(EventCompany.event_id.in_(chosen),
               EventCompany.status == ParticipationStatus.CONFIRMED)).one()
    registered, present = db.session.execute(
        sa.select(sa.func.count(EventRegistration.id), sa.func.count(EventRegistration.checked_in_at))
        .where(EventRegistration.event_id.in_(chosen),
               EventRegistration.status == RegistrationStatus.CONFIRMED)).one()
    return Indicators(events=events, double_banner=double, seats=int(seats or 0), firms=firms[0],
                      positions=int(firms[1]), interviews=int(firms[2]), shortlisted=int(firms[3]),
                      hires=int(firms[4]), poe_entries=int(firms[5]), registered=registered,
                      present=present)
