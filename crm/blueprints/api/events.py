"""Recruitment events through the API: staff organise events; staff and partners read them and
register the candidates they accompany (confirmed while seats are left, else waiting)."""

import sqlalchemy as sa
from flask import jsonify, request, url_for
from sqlalchemy.orm import selectinload

from crm.blueprints.api import bp
from crm.blueprints.api.auth import api_user
from crm.blueprints.api.errors import ApiError, invalid
from crm.blueprints.api.serializers import page as list_page
from crm.blueprints.api.serializers import timestamp
from crm.blueprints.api.views import BAD_PARAMETERS, json_object, paginate
from crm.models import Event, EventRegistration, ParticipationStatus, User
from crm.services.accounts import access
from crm.services.events import organising, registrations
from crm.services.events.schema import TIME_HINT, moment, parse_candidate, parse_event
from crm.services.platform import unit_of_work

UNKNOWN_EVENT = "Aucun événement visible avec cet identifiant."
UNKNOWN_REGISTRATION = "Aucune inscription avec cet identifiant pour cet événement."
NOT_AN_ORGANISER = "Seuls les conseillers, responsables et administrateurs organisent des événements."


def visible(user: User):
    return sa.true() if access.is_staff(user) else organising.public_scope()


def event_summary(event: Event, counts: registrations.Counts) -> dict:
    return {
        "id": event.id, "kind": event.kind.value, "title": event.title,
        "status": event.status.value, "starts_at": timestamp(event.starts_at),
        "ends_at": timestamp(event.ends_at), "commune_code": event.commune_code,
        "basin_code": event.basin_code, "venue": event.venue, "online_url": event.online_url,
        "capacity": event.capacity,
        "registration_closes_at": timestamp(event.registration_closes_at),
        "organisers": [{"id": o.id, "name": o.name} for o in event.organisers],
        "double_banner": event.double_banner,
        "seats_left": registrations.seats_left(event, counts.confirmed),
        "registrations": {"confirmed": counts.confirmed, "waiting": counts.waiting,
                          "cancelled": counts.cancelled, "present": counts.present},
    }


def event_detail(event: Event) -> dict:
    return event_summary(event, registrations.counts(event.id)) | {
        "description": event.description, "sectors": event.sectors, "rome_codes": event.rome_codes,
        "companies": [{"siret": row.company.siret, "name": row.company.name,
                       "status": row.status.value, "positions": row.positions, "jobs": row.jobs,
                       "needs": [need.reference for need in row.needs]}
                      for row in event.companies if row.status != ParticipationStatus.DECLINED],
    }


def readable_event(event_id: int) -> Event:
    event = organising.event_with_details(event_id)
    if event is None or not (access.is_staff(api_user())
                             or event.status in organising.PUBLIC_STATUSES):
        raise ApiError(404, UNKNOWN_EVENT)
    return event


@bp.post("/events")
def create_event():
    """Organise an event (staff); 201 with the event."""
    user = api_user()
    if not organising.can_organise(user):
        raise ApiError(403, NOT_AN_ORGANISER)
    event = organising.create_event(user, parse_event(json_object()))
    unit_of_work.commit()
    return (jsonify(event_detail(readable_event(event.id))), 201,
            {"Location": url_for(".event", event_id=event.id)})


def time_parameter(name: str):
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return moment(raw)
    except (ValueError, TypeError):
        raise invalid({name: [TIME_HINT]}, BAD_PARAMETERS) from None


@bp.get("/events")
def event_list():
    """Events the token's user may read (partners: published ones), soonest first."""
    user = api_user()
    query = (sa.select(Event).where(visible(user)).options(selectinload(Event.organisers))
             .order_by(Event.starts_at, Event.id))
    if basin := request.args.get("basin"):
        query = query.where(Event.basin_code == basin)
    if (start := time_parameter("from")) is not None:
        query = query.where(Event.ends_at >= start)
    if (end := time_parameter("to")) is not None:
        query = query.where(Event.starts_at <= end)
    result = paginate(query)
    counts = registrations.counts_of([event.id for event in result.items])
    return list_page(result, [event_summary(event, counts.get(event.id, registrations.Counts()))
                              for event in result.items])


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    """An event with its registrations' counts and its firms."""
    return event_detail(readable_event(event_id))


def registration_answer(registration: EventRegistration) -> dict:
    return {"id": registration.id, "status": registration.status.value,
            "position": registrations.position(registration)}


@bp.post("/events/<int:event_id>/registrations")
def register(event_id: int):
    """Register a candidate the token's user accompanies: 201, confirmed or waiting."""
    readable_event(event_id)
    candidate = parse_candidate(json_object())
    registration = registrations.register(event_id, candidate, by=api_user())
    answer = registration_answer(registration)
    unit_of_work.commit()
    return jsonify(answer), 201


@bp.delete("/events/<int:event_id>/registrations/<int:registration_id>")
def cancel_registration(event_id: int, registration_id: int):
    """Cancel a registration; the first waiting candidate gets the seat."""
    user = api_user()
    readable_event(event_id)
    registration = registrations.registration_of(event_id, registration_id)
    if registration is None or not (access.is_staff(user)
                                    or registration.registered_by_id == user.id):
        raise ApiError(404, UNKNOWN_REGISTRATION)
    promoted = registrations.cancel(registration, by=user)
    body = {"id": registration.id, "status": registration.status.value,
            "promoted": promoted.id if promoted else None}
    unit_of_work.commit()
    return jsonify(body)

