"""Organising an event: who may, what a valid event is, its status changes and its cancelling
(everyone registered hears of it). Staff organise; the organisers (one or more organisations, two or
more make a "double bannière" event) are chosen among the active organisations."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import (
    Commune,
    Event,
    EventKind,
    EventRegistration,
    EventStatus,
    Organisation,
    RegistrationStatus,
    RomeCode,
    User,
    utcnow,
)
from crm.services.accounts import access
from crm.services.plans.fiche import NAF_SECTIONS
from crm.services.platform import audit, outbox
from crm.services.platform.raw_input import unstorable
from crm.services.platform.refusals import InvalidInput, Refused

MAX_TITLE = 200
MAX_VENUE = 255
MAX_URL = 500
MAX_DESCRIPTION = 5000
MAX_CAPACITY = 100_000
MAX_DURATION_DAYS = 31
# Public statuses: what candidates see on /evenements
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.FULL, EventStatus.CLOSED, EventStatus.HELD,
                   EventStatus.CANCELLED)
OPEN_STATUSES = (EventStatus.PUBLISHED, EventStatus.FULL)
# Status changes an organiser may make by hand (full is set by the registrations themselves)
TRANSITIONS: dict[EventStatus, tuple[EventStatus, ...]] = {
    EventStatus.DRAFT: (EventStatus.PUBLISHED, EventStatus.CANCELLED),
    EventStatus.PUBLISHED: (EventStatus.CLOSED, EventStatus.HELD, EventStatus.CANCELLED),
    EventStatus.FULL: (EventStatus.CLOSED, EventStatus.HELD, EventStatus.CANCELLED),
    EventStatus.CLOSED: (EventStatus.PUBLISHED, EventStatus.HELD, EventStatus.CANCELLED),
    EventStatus.HELD: (),
    EventStatus.CANCELLED: (),
}


class EventRefused(Refused):
    """An event that cannot be saved or changed as asked; French message, field when known."""


@dataclass(frozen=True)
class EventInput:
    """What the organiser's form (or the API) gives; times are naive UTC."""

    kind: str | None
    title: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    organiser_ids: Sequence[int] = ()
    commune_code: str | None = None
    venue: str | None = None
    online_url: str | None = None
    capacity: int | None = None
    registration_closes_at: datetime | None = None
    description: str | None = None
    sectors: Sequence[str] = field(default_factory=list)
    rome_codes: Sequence[str] = field(default_factory=list)


def can_organise(user: User) -> bool:
    """Staff of every network organisation organise events."""
    return access.is_staff(user)


def can_manage(user: User, event: Event) -> bool:
    """An event is run by its organisers' staff, its author and admins."""
    if access.is_admin(user):
        return True
    if not access.is_staff(user):
        return False
    return (event.created_by_id == user.id
            or user.organisation_id in {organiser.id for organiser in event.organisers})


def organiser_choices() -> list[Organisation]:
    query = sa.select(Organisation).where(Organisation.active).order_by(Organisation.name)
    return list(db.session.scalars(query))


def banner(event: Event) -> str:
    """The organisers' names, as shown everywhere ("A et B" for a double bannière)."""
    names = [organiser.name for organiser in event.organisers]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " et " + names[-1]


def _text(value: str | None) -> str:
    return (value or "").strip()


def checked(data: EventInput) -> tuple[dict, list[Organisation], Commune | None]:
    """The event's columns from the input, or InvalidInput with a French message per field."""
    errors: dict[str, list[str]] = {}

    def wrong(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    kind = None
    if data.kind not in {member.value for member in EventKind}:
        wrong("kind", "Choisissez le type d'événement.")
    else:
        kind = EventKind(data.kind)
    title = _text(data.title)
    if not title:
        wrong("title", "Donnez un titre à l'événement.")
    elif len(title) > MAX_TITLE or unstorable(title):
        wrong("title", f"Le titre compte au plus {MAX_TITLE} caractères, sans caractère spécial.")
    if data.starts_at is None:
        wrong("starts_at", "Indiquez la date et l'heure de début.")
    if data.ends_at is None:
        wrong("ends_at", "Indiquez la date et l'heure de fin.")
    if data.starts_at and data.ends_at:
        if data.ends_at <= data.starts_at:
            wrong("ends_at", "La fin doit être après le début.")
        elif (data.ends_at - data.starts_at).days > MAX_DURATION_DAYS:
            wrong("ends_at", f"Un événement dure au plus {MAX_DURATION_DAYS} jours.")
        if data.starts_at <= utcnow():
            wrong("starts_at", "La date de début doit être à venir.")
    closes = data.registration_closes_at
    if closes is not None and data.ends_at is not None and closes > data.ends_at:
        wrong("registration_closes_at", "Les inscriptions doivent fermer avant la fin de l'événement.")
    if data.capacity is not None and not 1 <= data.capacity <= MAX_CAPACITY:
        wrong("capacity", "La capacité est d'au moins 1 place (laissez vide pour ne pas la limiter).")
    organisers = []
    ids = list(dict.fromkeys(data.organiser_ids or []))
    if not ids:
        wrong("organiser_ids", "Choisissez au moins une structure organisatrice.")
    else:
        found = {o.id: o for o in organiser_choices() if o.id in ids}
        if len(found) != len(ids):
            wrong("organiser_ids", "Une structure organisatrice est inconnue ou inactive.")
        organisers = [found[i] for i in ids if i in found]
    venue = _text(data.venue) or None
    online_url = _text(data.online_url) or None
    commune = None
    if data.commune_code:
        commune = db.session.get(Commune, data.commune_code) if len(data.commune_code) <= 5 else None
        if commune is None:
            wrong("commune_code", "Commune inconnue : choisissez une commune de la région.")
    if online_url:
        parts = urlsplit(online_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(online_url) > MAX_URL:
            wrong("online_url", "Indiquez un lien qui commence par https://.")
    if not online_url and not (venue and data.commune_code):
        wrong("venue", "Indiquez le lieu et la commune, ou un lien pour un événement en ligne.")
    if venue and (len(venue) > MAX_VENUE or unstorable(venue)):
        wrong("venue", f"Le lieu compte au plus {MAX_VENUE} caractères.")
    description = _text(data.description) or None
    if description and (len(description) > MAX_DESCRIPTION or unstorable(description)):
        wrong("description", f"La description compte au plus {MAX_DESCRIPTION} caractères.")
    sectors = list(dict.fromkeys(data.sectors or []))
    if set(sectors) - set(NAF_SECTIONS):
        wrong("sectors", "Secteur inconnu : choisissez des sections NAF (A à U).")
    romes = list(dict.fromkeys(code.strip().upper() for code in data.rome_codes or [] if code.strip()))
    if romes:
        known = set(db.session.scalars(sa.select(RomeCode.code).where(RomeCode.code.in_(romes))))
        if unknown := [code for code in romes if code not in known]:
            wrong("rome_codes", f"Codes ROME inconnus : {', '.join(unknown[:5])}.")
    if errors:
        raise InvalidInput(errors)
    columns = dict(kind=kind, title=title, starts_at=data.starts_at, ends_at=data.ends_at,
                   venue=venue, online_url=online_url, capacity=data.capacity,
                   registration_closes_at=closes, description=description, sectors=sectors,
                   rome_codes=romes, commune_code=commune.code if commune else None,
                   basin_code=commune.basin_code if commune else None)
    return columns, organisers, commune


def create_event(user: User, data: EventInput) -> Event:
    """A new event in draft (or as the input says); the caller commits."""
    if not can_organise(user):
        raise EventRefused("Seuls les conseillers, responsables et administrateurs organisent des "
                           "événements.")
    columns, organisers, _ = checked(data)
    event = Event(**columns, status=EventStatus.DRAFT, created_by_id=user.id, organisers=organisers)
    db.session.add(event)
    db.session.flush()
    audit.record(user, "create_event", event, {"title": event.title, "kind": event.kind,
                                               "organisers": [o.name for o in organisers]})
    return event


def update_event(user: User, event: Event, data: EventInput) -> Event:
    if not can_manage(user, event):
        raise EventRefused("Seules les structures organisatrices modifient cet événement.")
    if event.status in (EventStatus.HELD, EventStatus.CANCELLED):
        raise EventRefused("Un événement réalisé ou annulé ne se modifie plus.")
    columns, organisers, _ = checked(data)
    if event.capacity != columns["capacity"] and columns["capacity"] is not None:
        confirmed = count_of(event.id, RegistrationStatus.CONFIRMED)
        if columns["capacity"] < confirmed:
            raise EventRefused(f"{confirmed} candidats sont déjà inscrits : la capacité ne peut "
                               "pas être inférieure.", "capacity")
    for name, value in columns.items():
        setattr(event, name, value)
    event.organisers = organisers
    db.session.flush()
    audit.record(user, "update_event", event, {"title": event.title})
    fill_freed_seats(event)
    return event


def fill_freed_seats(event: Event) -> None:
    """After a change of capacity, the waiting candidates get the seats now free, in order."""
    from crm.services.events.registrations import locked_event, promote_first_waiting

    if event.status not in OPEN_STATUSES:
        return
    locked = locked_event(event.id)
    while promote_first_waiting(locked) is not None:
        pass


def count_of(event_id: int, status: RegistrationStatus) -> int:
    query = sa.select(sa.func.count(EventRegistration.id)).where(
        EventRegistration.event_id == event_id, EventRegistration.status == status)
    return db.session.scalar(query) or 0


def change_status(user: User, event: Event, status: EventStatus, reason: str | None = None) -> None:
    """Publish, close the registrations, mark as held or cancel (cancelling tells every candidate
    registered or waiting, and every firm that confirmed)."""
    if not can_manage(user, event):
        raise EventRefused("Seules les structures organisatrices changent l'état de cet événement.")
    if status not in TRANSITIONS[event.status]:
        raise EventRefused(f"Un événement « {event.status.label} » ne peut pas passer à "
                           f"« {status.label} ».", "status")
    if status == EventStatus.HELD and event.starts_at > utcnow():
        raise EventRefused("Un événement ne peut être marqué réalisé qu'une fois commencé.", "status")
    previous = event.status
    if status == EventStatus.PUBLISHED and event.capacity is not None and count_of(
            event.id, RegistrationStatus.CONFIRMED) >= event.capacity:
        status = EventStatus.FULL
    event.status = status
    if status == EventStatus.CANCELLED:
        event.cancelled_reason = _text(reason)[:500] or None
        notify_cancelled(event)
    audit.record(user, "event_status", event, {"from": previous, "to": status})
    db.session.flush()


def notify_cancelled(event: Event) -> None:
    from crm.services.events.registrations import active_registrations

    for registration in active_registrations(event.id):
        outbox.add_mail("event_cancelled", registration.email, event=event,
                        banner=banner(event), candidate=registration.name,
                        reason=event.cancelled_reason)


# Reading

def has_sector(code: str) -> ColumnElement[bool]:
    """Events whose sectors include a NAF section (the JSON list read as text, on both
    databases; `code` is a known section letter)."""
    return sa.cast(Event.sectors, sa.Text).like(f'%"{code}"%')


def public_scope() -> ColumnElement[bool]:
    return Event.status.in_(PUBLIC_STATUSES)


def event_with_details(event_id: int) -> Event | None:
    from crm.models import EventCompany

    if not 0 < event_id <= 2**31 - 1:
        return None
    query = (sa.select(Event).where(Event.id == event_id)
             .options(selectinload(Event.organisers),
                      selectinload(Event.companies).options(
                          selectinload(EventCompany.company), selectinload(EventCompany.needs))))
    return db.session.scalar(query)
