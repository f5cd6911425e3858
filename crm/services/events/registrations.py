"""Candidates' registrations: a seat while the capacity allows, else a place on the waiting list,
promoted in order of arrival when a seat frees (with an e-mail). Registrations, cancellations and
promotions of one event are serialised on the event's row, so the last seat is never given twice:
PostgreSQL locks the row (`SELECT … FOR UPDATE`, held to the commit); SQLite takes the database's
write lock by writing to the row first (the only writer until the commit, the others wait for
`busy_timeout`). A candidate cancels through the signed link of the confirmation e-mail."""

from dataclasses import dataclass

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeTimedSerializer

from crm.extensions import db
from crm.models import Event, EventRegistration, EventStatus, RegistrationStatus, User, utcnow
from crm.services.events.organising import OPEN_STATUSES, banner
from crm.services.platform import audit, links, outbox, signed_links
from crm.services.platform.contact_details import normalise_email, normalise_phone
from crm.services.platform.raw_input import unstorable
from crm.services.platform.refusals import InvalidInput, Refused

MAX_NAME = 120
MAX_HEARD = 60
LINK_SALT = "crm.event-registration.link"
CANCEL_PATH = "/evenements/desinscription/"
HEARD_FROM = ("France Travail", "Mission locale", "Cap emploi", "Réseaux sociaux", "Presse ou radio",
              "Bouche-à-oreille", "Autre")


class RegistrationRefused(Refused):
    """A registration that cannot be taken or cancelled; French message."""


class UnknownRegistration(Refused):
    status = 404


@dataclass(frozen=True)
class Candidate:
    name: str | None
    email: str | None
    phone: str | None = None
    consent: bool = False
    heard_from: str | None = None


@dataclass(frozen=True)
class Counts:
    confirmed: int = 0
    waiting: int = 0
    cancelled: int = 0
    present: int = 0


# The lock

def locked_event(event_id: int) -> Event:
    """The event, its row held by this transaction until the commit (see the module's doc)."""
    if db.session.get_bind().dialect.name == "sqlite":
        table = Event.__table__
        db.session.execute(sa.update(table).where(table.c.id == event_id)
                           .values(updated_at=table.c.updated_at))
    query = (sa.select(Event).where(Event.id == event_id).with_for_update()
             .execution_options(populate_existing=True))
    event = db.session.scalar(query)
    if event is None:
        raise UnknownRegistration("Événement inconnu.")
    return event


# Reading

def counts(event_id: int) -> Counts:
    query = (sa.select(EventRegistration.status, sa.func.count(EventRegistration.id),
                       sa.func.count(EventRegistration.checked_in_at))
             .where(EventRegistration.event_id == event_id).group_by(EventRegistration.status))
    by_status = {status: (total, present) for status, total, present in db.session.execute(query)}
    return Counts(confirmed=by_status.get(RegistrationStatus.CONFIRMED, (0, 0))[0],
                  waiting=by_status.get(RegistrationStatus.WAITING, (0, 0))[0],
                  cancelled=by_status.get(RegistrationStatus.CANCELLED, (0, 0))[0],
                  present=sum(present for _, present in by_status.values()))


def counts_of(event_ids: list[int]) -> dict[int, Counts]:
    """Counts of several events: one grouped query."""
    query = (sa.select(EventRegistration.event_id, EventRegistration.status,
                       sa.func.count(EventRegistration.id), sa.func.count(EventRegistration.checked_in_at))
             .where(EventRegistration.event_id.in_(event_ids))
             .group_by(EventRegistration.event_id, EventRegistration.status))
    found: dict[int, dict] = {}
    for event_id, status, total, present in db.session.execute(query):
        row = found.setdefault(event_id, {"present": 0})
        row[status.value] = total
        row["present"] += present
    return {event_id: Counts(confirmed=row.get("confirmed", 0), waiting=row.get("waiting", 0),
                             cancelled=row.get("cancelled", 0), present=row["present"])
            for event_id, row in found.items()}


def seats_left(event: Event, confirmed: int) -> int | None:
    return None if event.capacity is None else max(0, event.capacity - confirmed)


def position(registration: EventRegistration) -> int | None:
    """Rank on the waiting list (1 is the next promoted); None unless waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    query = sa.select(sa.func.count(EventRegistration.id)).where(
        EventRegistration.event_id == registration.event_id,
        EventRegistration.status == RegistrationStatus.WAITING,
        EventRegistration.queue_number <= registration.queue_number)
    return db.session.scalar(query)


def active_registrations(event_id: int) -> list[EventRegistration]:
    """Confirmed then waiting candidates, in order of arrival."""
    query = (sa.select(EventRegistration)
             .where(EventRegistration.event_id == event_id,
                    EventRegistration.status != RegistrationStatus.CANCELLED)
             .order_by(EventRegistration.status, EventRegistration.queue_number))
    return list(db.session.scalars(query))


def check_in_list(event_id: int) -> list[EventRegistration]:
    """The confirmed candidates by name, for the day's check-in."""
    query = (sa.select(EventRegistration)
             .where(EventRegistration.event_id == event_id,
                    EventRegistration.status == RegistrationStatus.CONFIRMED)
             .order_by(EventRegistration.name, EventRegistration.id))
    return list(db.session.scalars(query))


def registration_of(event_id: int, registration_id: int) -> EventRegistration | None:
    if not 0 < registration_id <= 2**31 - 1:
        return None
    registration = db.session.get(EventRegistration, registration_id)
    return registration if registration and registration.event_id == event_id else None


# Registering

def checked_candidate(candidate: Candidate) -> dict:
    errors: dict[str, list[str]] = {}
    name = (candidate.name or "").strip()
    if not name or len(name) > MAX_NAME or unstorable(name):
        errors["name"] = [f"Indiquez vos nom et prénom ({MAX_NAME} caractères au plus)."]
    email = normalise_email(candidate.email or "") if candidate.email else None
    if not email or len(email) > 254:
        errors["email"] = ["Indiquez une adresse e-mail valide, ex. prenom.nom@exemple.fr."]
    phone = None
    if candidate.phone and candidate.phone.strip():
        phone = normalise_phone(candidate.phone)
        if phone is None:
            errors["phone"] = ["Indiquez un numéro de téléphone français, ex. 06 12 34 56 78."]
    if not candidate.consent:
        errors["consent"] = ["Votre accord est nécessaire pour enregistrer votre inscription."]
    heard = (candidate.heard_from or "").strip()[:MAX_HEARD] or None
    if errors:
        raise InvalidInput(errors)
    return dict(name=name, email=email, phone=phone, consent=True, heard_from=heard)


def ensure_open(event: Event) -> None:
    now = utcnow()
    if event.status not in OPEN_STATUSES:
        raise RegistrationRefused(f"Les inscriptions ne sont pas ouvertes ({event.status.label}).")
    if event.registration_opens_at and now < event.registration_opens_at:
        raise RegistrationRefused("Les inscriptions ne sont pas encore ouvertes.")
    if now >= (event.registration_closes_at or event.ends_at):
        raise RegistrationRefused("Les inscriptions à cet événement sont closes.")


def register(event_id: int, candidate: Candidate, by: User | None = None) -> EventRegistration:
    """A seat if one is left, else a place on the waiting list; the confirmation e-mail (with the
    cancel link and the calendar link) is written. The caller commits, which frees the lock."""
    values = checked_candidate(candidate)
    event = locked_event(event_id)
    ensure_open(event)
    already = sa.select(EventRegistration.id).where(
        EventRegistration.event_id == event.id, EventRegistration.status != RegistrationStatus.CANCELLED,
        sa.func.lower(EventRegistration.email) == values["email"].lower())
    if db.session.scalar(already) is not None:
        raise RegistrationRefused("Cette adresse e-mail est déjà inscrite à cet événement.", "email")
    last = db.session.scalar(sa.select(sa.func.max(EventRegistration.queue_number))
                             .where(EventRegistration.event_id == event.id)) or 0
    confirmed = db.session.scalar(sa.select(sa.func.count(EventRegistration.id)).where(
        EventRegistration.event_id == event.id,
        EventRegistration.status == RegistrationStatus.CONFIRMED)) or 0
    seat = event.capacity is None or confirmed < event.capacity
    registration = EventRegistration(
        event_id=event.id, **values, queue_number=last + 1, created_at=utcnow(),
        status=RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITING,
        registered_by_id=by.id if by else None)
    db.session.add(registration)
    db.session.flush()
    if seat and event.capacity is not None and confirmed + 1 >= event.capacity:
        event.status = EventStatus.FULL
    outbox.add_mail("event_registered", registration.email, event=event, banner=banner(event),
                    registration=registration, position=position(registration),
                    cancel_url=cancel_link(registration),
                    calendar_url=links.public_url(f"/evenements/{event.id}/calendrier.ics"),
                    page_url=links.public_url(f"/evenements/{event.id}"))
    if by is not None:
        audit.record(by, "register_candidate", registration, {"event": event.title,
                                                              "status": registration.status})
    db.session.flush()
    return registration


def cancel(registration: EventRegistration, by: User | None = None) -> EventRegistration | None:
    """Cancel a registration (idempotent); a confirmed seat goes to the first waiting candidate,
    who hears of it. Returns the promoted registration, if any."""
    event = locked_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return None
    had_seat = registration.status == RegistrationStatus.CONFIRMED
    registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, utcnow()
    if by is not None:
        audit.record(by, "cancel_registration", registration, {"event": event.title})
    db.session.flush()
    return promote_first_waiting(event) if had_seat else None


def promote_first_waiting(event: Event) -> EventRegistration | None:
    """Give a freed seat to the first on the waiting list (the event's row is locked)."""
    if event.status not in OPEN_STATUSES or event.ends_at <= utcnow():
        return None
    confirmed = db.session.scalar(sa.select(sa.func.count(EventRegistration.id)).where(
        EventRegistration.event_id == event.id,
        EventRegistration.status == RegistrationStatus.CONFIRMED)) or 0
    if event.capacity is not None and confirmed >= event.capacity:
        return None
    first = db.session.scalar(
        sa.select(EventRegistration)
        .where(EventRegistration.event_id == event.id,
               EventRegistration.status == RegistrationStatus.WAITING)
        .order_by(EventRegistration.queue_number).limit(1))
    if first is None:
        if event.status == EventStatus.FULL:
            event.status = EventStatus.PUBLISHED
        return None
    first.status, first.promoted_at = RegistrationStatus.CONFIRMED, utcnow()
    if event.capacity is not None and confirmed + 1 >= event.capacity:
        event.status = EventStatus.FULL
    outbox.add_mail("event_promoted", first.email, event=event, banner=banner(event),
                    registration=first, cancel_url=cancel_link(first),
                    calendar_url=links.public_url(f"/evenements/{event.id}/calendrier.ics"))
    db.session.flush()
    return first


def check_in(user: User, registration: EventRegistration, present: bool = True) -> None:
    """Mark a confirmed candidate present (or undo it) on the day."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationRefused("Seuls les candidats inscrits sont pointés.")
    registration.checked_in_at = utcnow() if present else None
    audit.record(user, "check_in", registration, {"present": present})
    db.session.flush()


# The cancel link of the e-mail

def serializer() -> URLSafeTimedSerializer:
    return signed_links.serializer(LINK_SALT)


def cancel_token(registration: EventRegistration) -> str:
    return serializer().dumps([registration.id, registration.event_id])


def cancel_link(registration: EventRegistration) -> str:
    return links.public_url(CANCEL_PATH + cancel_token(registration))


def registration_for_token(token: str) -> EventRegistration:
    """The registration a cancel link names; UnknownRegistration for a tampered or stale link."""
    unknown = UnknownRegistration("Ce lien de désinscription n'est pas valide. Vérifiez qu'il est "
                                  "complet.")
    try:
        registration_id, event_id = serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise unknown from None
    if not isinstance(registration_id, int) or not isinstance(event_id, int):
        raise unknown
    registration = registration_of(event_id, registration_id)
    if registration is None:
        raise unknown
    return registration
