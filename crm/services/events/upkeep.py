"""What runs without anyone: the J-2 reminder of every candidate and confirmed firm, the purge of
candidates' personal data N months after the event (counts kept), and the indicators per event and
per basin and period."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    AppSetting,
    Basin,
    Event,
    EventCompany,
    EventRegistration,
    EventStatus,
    ParticipationStatus,
    RegistrationStatus,
    User,
    utcnow,
)
from crm.models.event import event_organisers
from crm.services.events import surveys
from crm.services.events.organising import OPEN_STATUSES, banner
from crm.services.events.registrations import cancel_link
from crm.services.platform import audit, outbox
from crm.services.platform.local_time import day_bounds, local_datetime, local_today
from crm.services.platform.refusals import InvalidInput

REMINDER_DAYS = 2
DEFAULT_PURGE_MONTHS = 6
MIN_PURGE_MONTHS, MAX_PURGE_MONTHS = 1, 36
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
    valid = isinstance(value, int) and MIN_PURGE_MONTHS <= value <= MAX_PURGE_MONTHS
    return value if valid else DEFAULT_PURGE_MONTHS  # type: ignore[return-value]


def save_purge_months(months: int | None, actor: User) -> AppSetting:
    """Set the purge delay (1 to 36 months), audited (the caller commits)."""
    if not isinstance(months, int) or not MIN_PURGE_MONTHS <= months <= MAX_PURGE_MONTHS:
        raise InvalidInput({"purge_months": [
            f"Indiquez un nombre de mois entre {MIN_PURGE_MONTHS} et {MAX_PURGE_MONTHS}."]})
    before = purge_months()
    setting = db.session.get(AppSetting, SETTING_KEY) or AppSetting(key=SETTING_KEY)
    setting.value = dict(setting.value or {}) | {"purge_months": months}
    setting.updated_by_id = actor.id
    db.session.add(setting)
    db.session.flush()
    audit.record(actor, "settings_changed", setting, {"before": {"purge_months": before},
                                                      "after": {"purge_months": months}})
    return setting


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


def chosen_events(event_ids: list[int] | None = None, basin: str | None = None,
                  start: datetime | None = None, end: datetime | None = None) -> sa.Select:
    """The ids of the events counted: cancelled ones left out."""
    chosen = sa.select(Event.id).where(Event.status != EventStatus.CANCELLED)
    if event_ids is not None:
        chosen = chosen.where(Event.id.in_(event_ids))
    if basin:
        chosen = chosen.where(Event.basin_code == basin)
    if start:
        chosen = chosen.where(Event.starts_at >= start)
    if end:
        chosen = chosen.where(Event.starts_at < end)
    return chosen


def figures_by(chosen: sa.Select, key: Any = None) -> dict:
    """The figures of the chosen events, per value of `key` (an Event column) or all together
    (key None): three grouped queries."""
    keys = [key] if key is not None else []

    def grouped(query: sa.Select) -> sa.Select:
        return query.group_by(key) if key is not None else query

    organisers = (sa.select(event_organisers.c.event_id,
                            sa.func.count().label("n"))
                  .group_by(event_organisers.c.event_id).subquery())
    events = db.session.execute(grouped(
        sa.select(*keys, sa.func.count(Event.id),
                  sa.func.count(organisers.c.event_id).filter(organisers.c.n >= 2),
                  sa.func.coalesce(sa.func.sum(Event.capacity), 0))
        .outerjoin(organisers, organisers.c.event_id == Event.id)
        .where(Event.id.in_(chosen)))).all()
    firms = db.session.execute(grouped(
        sa.select(*keys, sa.func.count(EventCompany.id),
                  sa.func.coalesce(sa.func.sum(EventCompany.positions), 0),
                  sa.func.coalesce(sa.func.sum(EventCompany.interviews), 0),
                  sa.func.coalesce(sa.func.sum(EventCompany.shortlisted), 0),
                  sa.func.coalesce(sa.func.sum(EventCompany.hires), 0),
                  sa.func.coalesce(sa.func.sum(EventCompany.poe_entries), 0))
        .join(Event, Event.id == EventCompany.event_id)
        .where(EventCompany.event_id.in_(chosen),
               EventCompany.status == ParticipationStatus.CONFIRMED))).all()
    people = db.session.execute(grouped(
        sa.select(*keys, sa.func.count(EventRegistration.id),
                  sa.func.count(EventRegistration.checked_in_at))
        .join(Event, Event.id == EventRegistration.event_id)
        .where(EventRegistration.event_id.in_(chosen),
               EventRegistration.status == RegistrationStatus.CONFIRMED))).all()
    width = len(keys)

    def by_key(rows) -> dict:
        return {(tuple(row)[0] if width else None): tuple(row)[width:] for row in rows}

    firms_of, people_of = by_key(firms), by_key(people)
    found = {}
    for group, (count, double, seats) in by_key(events).items():
        if not count:
            continue
        firm = firms_of.get(group, (0, 0, 0, 0, 0, 0))
        registered, present = people_of.get(group, (0, 0))
        found[group] = Indicators(
            events=count, double_banner=double, seats=int(seats or 0), firms=firm[0],
            positions=int(firm[1]), interviews=int(firm[2]), shortlisted=int(firm[3]),
            hires=int(firm[4]), poe_entries=int(firm[5]), registered=registered, present=present)
    return found


def indicators(event_ids: list[int]) -> Indicators:
    """Figures of some events, cancelled ones left out: three grouped queries."""
    return figures_by(chosen_events(event_ids)).get(None, Indicators())


@dataclass(frozen=True)
class IndicatorRow:
    """One line of a table of indicators: a basin or an event, and its figures."""

    code: str
    label: str
    figures: Indicators
    detail: str = ""  # an event's organisers
    day: str = ""  # an event's start, its French date


@dataclass(frozen=True)
class IndicatorTables:
    total: Indicators
    basins: list[IndicatorRow]
    events: list[IndicatorRow]


MOST_EVENTS = 500  # the table per event stops there (narrow the period)


def indicator_tables(basin: str | None = None, start: datetime | None = None,
                     end: datetime | None = None) -> IndicatorTables:
    """The indicators page: all together, per basin and per event (cancelled events left out),
    in a fixed number of queries."""
    chosen = chosen_events(basin=basin, start=start, end=end)
    total = figures_by(chosen).get(None, Indicators())
    per_basin = figures_by(chosen, Event.basin_code)
    names = dict(db.session.execute(sa.select(Basin.code, Basin.name)
                                    .where(Basin.code.in_([code for code in per_basin if code]))).all())
    basins = sorted((IndicatorRow(code or "", names.get(code, "Sans bassin (en ligne)"), figures)
                     for code, figures in per_basin.items()), key=lambda row: row.label)
    per_event = figures_by(chosen, Event.id)
    events = list(db.session.scalars(
        sa.select(Event).where(Event.id.in_(sorted(per_event)[:MOST_EVENTS]))
        .options(selectinload(Event.organisers)).order_by(Event.starts_at, Event.id)))
    return IndicatorTables(total, basins, [
        IndicatorRow(str(event.id), event.title, per_event[event.id], banner(event),
                     local_datetime(event.starts_at, "%d/%m/%Y"))
        for event in events])


# The tables as CSV rows (written by the one safe writer, `platform.spreadsheet_files`)

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Événements", "events"), ("Dont double bannière", "double_banner"),
    ("Part double bannière (%)", "double_banner_share"), ("Places offertes", "seats"),
    ("Remplissage des places (%)", "fill_rate"), ("Entreprises", "firms"), ("Postes", "positions"),
    ("Candidats inscrits", "registered"), ("Candidats présents", "present"),
    ("Entretiens", "interviews"), ("Candidats retenus", "shortlisted"), ("Embauches", "hires"),
    ("Entrées en POE", "poe_entries"))
TABLES = {"ensemble": "Ensemble", "bassins": "Par bassin d'emploi", "evenements": "Par événement"}


def figures_cells(figures: Indicators) -> list:
    return [("" if value is None else value)
            for value in (getattr(figures, name) for _label, name in COLUMNS)]


def csv_rows(tables: IndicatorTables, table: str) -> list[list]:
    """One table of the indicators page, header first."""
    header = [label for label, _name in COLUMNS]
    if table == "bassins":
        return [["Code du bassin", "Bassin d'emploi", *header],
                *([row.code, row.label, *figures_cells(row.figures)] for row in tables.basins)]
    if table == "evenements":
        return [["N°", "Événement", "Date", "Organisateurs", *header],
                *([row.code, row.label, row.day, row.detail, *figures_cells(row.figures)]
                  for row in tables.events)]
    return [header, figures_cells(tables.total)]
