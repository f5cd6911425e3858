"""Events through the API: staff organise, answers match the OpenAPI document, and registrations
sent in parallel never give the last seat twice (the waiting list keeps the order of arrival)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.helpers import count
from tests.test_api import token_for
from tests.test_openapi import ApiClient


@pytest.fixture
def api(client):
    return ApiClient(client)


def event_body(organisers: list[m.Organisation], **changes) -> dict:
    return {"kind": "job_dating", "title": "Job dating BTP", "starts_at": "2026-06-24T09:00:00+02:00",
            "ends_at": "2026-06-24T12:00:00+02:00", "commune_code": "21231",
            "venue": "Agence France Travail Dijon Est", "online_url": None, "capacity": 20,
            "organiser_ids": [o.id for o in organisers],
            "registration_closes_at": "2026-06-23T18:00:00+02:00"} | changes


def test_an_adviser_organises_a_double_banner_event(api, adviser, agency, mission_locale):
    token = token_for(adviser)
    response = api.post("/api/v1/events", json=event_body([agency, mission_locale]), token=token)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["double_banner"] is True and body["status"] == "draft"
    assert [o["name"] for o in body["organisers"]] == ["France Travail Dijon", "Mission locale Dijon"]
    assert body["starts_at"] == "2026-06-24T07:00:00Z" and body["basin_code"] == "2711"
    assert body["seats_left"] == 20
    assert body["registrations"] == {"confirmed": 0, "waiting": 0, "cancelled": 0, "present": 0}
    assert response.headers["Location"].endswith(f"/api/v1/events/{body['id']}")


@pytest.mark.parametrize(("changes", "field"), [
    ({"ends_at": "2026-06-24T08:00:00+02:00"}, "ends_at"),
    ({"capacity": 0}, "capacity"),
    ({"organiser_ids": [999999]}, "organiser_ids"),
    ({"organiser_ids": []}, "organiser_ids"),
    ({"kind": "kermesse"}, "kind"),
    ({"starts_at": "demain"}, "starts_at"),
    ({"venue": None, "online_url": None}, "venue"),
    ({"online_url": "ftp://exemple.fr"}, "online_url"),
    ({"colour": "bleu"}, "colour"),
])
def test_bad_events_get_422_with_the_field_and_nothing_is_stored(api, adviser, agency, changes, field):
    response = api.post("/api/v1/events", json=event_body([agency], **changes), token=token_for(adviser))
    assert response.status_code == 422, response.json
    assert field in response.json["fields"]
    assert count(m.Event) == 0


def test_partners_cannot_organise_and_read_only_published_events(api, agency):
    partner = f.UserFactory(organisation=f.OrganisationFactory(name="CCI 21", is_spotter=True),
                            role=m.Role.PARTNER)
    token = token_for(partner)
    assert api.post("/api/v1/events", json=event_body([agency]), token=token).status_code == 403
    draft = f.EventFactory(title="Brouillon", organisers=[agency])
    published = f.EventFactory(title="Publié", status=m.EventStatus.PUBLISHED, organisers=[agency])
    db.session.commit()
    titles = [item["title"] for item in api.get("/api/v1/events", token=token).json["items"]]
    assert titles == ["Publié"]
    assert api.get(f"/api/v1/events/{draft.id}", token=token).status_code == 404
    assert api.get(f"/api/v1/events/{published.id}", token=token).status_code == 200


def test_the_list_filters_by_basin_and_dates(api, adviser, agency):
    f.EventFactory(title="Dijon", organisers=[agency])
    f.EventFactory(title="Besançon", basin_code="2706", commune_code="25056", organisers=[agency])
    f.EventFactory(title="Plus tard", organisers=[agency],
                   starts_at=m.utcnow() + timedelta(days=60))
    db.session.commit()
    token = token_for(adviser)
    titles = [i["title"] for i in api.get("/api/v1/events?basin=2711", token=token).json["items"]]
    assert titles == ["Dijon", "Plus tard"]
    late = api.get("/api/v1/events?from=2026-07-01T00:00:00%2B02:00", token=token).json["items"]
    assert [i["title"] for i in late] == ["Plus tard"]
    assert api.get("/api/v1/events?to=hier", token=token).status_code == 422


def test_ids_past_integer_answer_404(api, adviser):
    token = token_for(adviser)
    assert api.get(f"/api/v1/events/{2**31}", token=token).status_code == 404
    response = api.request("DELETE", f"/api/v1/events/1/registrations/{2**63}", token=token)
    assert response.status_code == 404


CANDIDATE = {"name": "Camille Durand", "email": "camille@exemple.fr", "phone": "06 12 34 56 78",
             "consent": True}


def test_registration_needs_consent_and_a_valid_email(api, adviser, agency):
    event = f.EventFactory(status=m.EventStatus.PUBLISHED, organisers=[agency])
    db.session.commit()
    token = token_for(adviser)
    url = f"/api/v1/events/{event.id}/registrations"
    response = api.post(url, json=CANDIDATE | {"consent": False, "email": "camille"}, token=token)
    assert response.status_code == 422
    assert set(response.json["fields"]) == {"consent", "email"}
    assert api.post(url, json=CANDIDATE, token=token).status_code == 201
    again = api.post(url, json=CANDIDATE | {"email": "CAMILLE@exemple.fr"}, token=token)
    assert again.status_code == 422 and "email" in again.json["fields"]


def test_a_draft_event_takes_no_registration(api, adviser, agency):
    event = f.EventFactory(organisers=[agency])
    db.session.commit()
    response = api.post(f"/api/v1/events/{event.id}/registrations", json=CANDIDATE,
                        token=token_for(adviser))
    assert response.status_code == 422
    assert count(m.EventRegistration) == 0


def test_fifty_parallel_registrations_for_twenty_seats(app, api, adviser, agency):
    """The acceptance test: 20 confirmed, 30 waiting in order; a cancel promotes the first."""
    event = f.EventFactory(status=m.EventStatus.PUBLISHED, capacity=20, organisers=[agency])
    db.session.commit()
    token, event_id = token_for(adviser), event.id

    def send(number: int):
        client = app.test_client()  # the clock is the module's: every thread reads the test's time
        with app.app_context():
            response = client.post(f"/api/v1/events/{event_id}/registrations",
                                   json={"name": f"Candidat {number}",
                                         "email": f"candidat{number}@exemple.fr", "consent": True},
                                   headers={"Authorization": f"Bearer {token}"})
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(send, range(50)))
    assert [status for status, _ in answers] == [201] * 50, answers
    db.session.expire_all()
    confirmed = [body for _, body in answers if body["status"] == "confirmed"]
    waiting = sorted((body for _, body in answers if body["status"] == "waiting"),
                     key=lambda body: body["position"])
    assert len(confirmed) == 20 and len(waiting) == 30
    assert [body["position"] for body in waiting] == list(range(1, 31))
    rows = db.session.scalars(db.select(m.EventRegistration).where(
        m.EventRegistration.status == m.RegistrationStatus.WAITING)
        .order_by(m.EventRegistration.queue_number)).all()
    assert [row.id for row in rows] == [body["id"] for body in waiting]
    assert db.session.get(m.Event, event_id).status == m.EventStatus.FULL
    detail = api.get(f"/api/v1/events/{event_id}", token=token).json
    assert detail["seats_left"] == 0 and detail["registrations"]["waiting"] == 30

    response = api.request("DELETE", f"/api/v1/events/{event_id}/registrations/{confirmed[0]['id']}",
                           token=token)
    assert response.status_code == 200
    assert response.json == {"id": confirmed[0]["id"], "status": "cancelled", "promoted": waiting[0]["id"]}
    db.session.expire_all()
    assert db.session.get(m.EventRegistration, waiting[0]["id"]).status == m.RegistrationStatus.CONFIRMED
    promoted_mail = db.session.scalars(db.select(m.OutboxMessage).where(
        m.OutboxMessage.kind == "event_promoted")).all()
    assert [mail.recipient for mail in promoted_mail] == [rows[0].email]
    detail = api.get(f"/api/v1/events/{event_id}", token=token).json
    assert detail["registrations"] == {"confirmed": 20, "waiting": 29, "cancelled": 1, "present": 0}


def test_cancelling_an_event_tells_every_candidate(adviser, agency):
    from crm.services.events import organising
    event = f.EventFactory(status=m.EventStatus.PUBLISHED, capacity=1, organisers=[agency])
    f.EventRegistrationFactory(event_id=event.id, email="a@exemple.fr", queue_number=1)
    f.EventRegistrationFactory(event_id=event.id, email="b@exemple.fr", queue_number=2,
                               status=m.RegistrationStatus.WAITING)
    f.EventRegistrationFactory(event_id=event.id, email="c@exemple.fr", queue_number=3,
                               status=m.RegistrationStatus.CANCELLED)
    organising.change_status(adviser, event, m.EventStatus.CANCELLED, "Salle indisponible")
    db.session.commit()
    mails = db.session.scalars(db.select(m.OutboxMessage).where(
        m.OutboxMessage.kind == "event_cancelled")).all()
    assert sorted(mail.recipient for mail in mails) == ["a@exemple.fr", "b@exemple.fr"]
    assert "Salle indisponible" in mails[0].body





def test_a_partner_registers_a_candidate_and_only_it_cancels_them(api, agency):
    chamber = f.OrganisationFactory(name="CCI 21", is_spotter=True)
    partner = f.UserFactory(organisation=chamber, role=m.Role.PARTNER)
    other = f.UserFactory(organisation=chamber, role=m.Role.PARTNER, email="autre@cci21.fr")
    event = f.EventFactory(status=m.EventStatus.PUBLISHED, organisers=[agency])
    db.session.commit()
    token, other_token = token_for(partner), token_for(other)
    created = api.post(f"/api/v1/events/{event.id}/registrations", json=CANDIDATE, token=token)
    assert created.status_code == 201 and created.json["status"] == "confirmed"
    url = f"/api/v1/events/{event.id}/registrations/{created.json['id']}"
    assert api.request("DELETE", url, token=other_token).status_code == 404
    assert api.request("DELETE", url, token=token).json == {
        "id": created.json["id"], "status": "cancelled", "promoted": None}
