"""Co-handlers and candidates through the API: the need's detail gains its co-handlers and its
candidates per stage (null for partners), the four endpoints follow the access table, and every
answer matches the OpenAPI document."""

import pytest

from crm import models as m
from crm.extensions import db
from tests.test_api import token_for
from tests.test_co_handling import Network, net  # noqa: F401  (the fixture)
from tests.test_openapi import ApiClient


class Api(ApiClient):
    def patch(self, path: str, **kwargs):
        return self.request("PATCH", path, **kwargs)


@pytest.fixture
def api(client):
    return Api(client)


def test_a_need_handled_by_two_organisations_with_two_candidates(api, net):  # noqa: F811
    paul, lea, partner = token_for(net.paul), token_for(net.lea), token_for(net.partner)
    url = f"/api/v1/needs/{net.need.reference}"
    response = api.patch(f"{url}/co-handlers/{net.co.id}", json={"status": "taking_care"},
                         token=lea)
    assert response.status_code == 200, response.json
    assert response.json["adviser"] == {"id": net.lea.id, "name": "Léa Roux"}
    first = api.post(f"{url}/candidates", json={"reference": "FT-1", "consent_on": "2026-06-09"},
                     token=paul)
    assert first.status_code == 201 and first.json["status"] == "proposed"
    second = api.post(f"{url}/candidates", json={"reference": "J.D.", "consent_on": "2026-06-10"},
                      token=lea)
    assert second.status_code == 201
    assert api.patch(f"{url}/candidates/{first.json['id']}", json={"status": "hired"},
                     token=paul).json == {"id": first.json["id"], "status": "hired"}
    response = api.patch(f"{url}/candidates/{second.json['id']}",
                         json={"status": "not_retained", "reason": "mobility"}, token=lea)
    assert response.status_code == 200
    body = api.get(url, token=paul).json
    assert body["co_handlers"] == [{
        "organisation": {"id": net.mission.id, "name": "Mission locale Dijon",
                         "kind": "mission_locale"},
        "status": "taking_care", "adviser": {"id": net.lea.id, "name": "Léa Roux"}}]
    assert body["candidates"] == {"proposed": 0, "interview": 0, "hired": 1, "not_retained": 1}
    assert body["hires"] == 1
    partner_view = api.get(url, token=partner).json
    assert partner_view["candidates"] is None and len(partner_view["co_handlers"]) == 1


def test_the_pilot_invites_and_others_join_with_their_own_organisation(api, net):  # noqa: F811
    url = f"/api/v1/needs/{net.need.reference}/co-handlers"
    apec = m.Organisation(name="APEC Dijon", kind=m.OrganisationKind.APEC)
    db.session.add(apec)
    db.session.commit()
    response = api.post(url, json={"organisation_id": apec.id}, token=token_for(net.paul))
    assert response.status_code == 201
    assert (response.json["status"], response.json["adviser"]) == ("invited", None)
    nora = token_for(net.nora)
    assert api.post(url, json={"organisation_id": apec.id}, token=nora).status_code == 403
    response = api.post(url, json={"organisation_id": net.cap.id}, token=nora)
    assert response.status_code == 201 and response.json["status"] == "taking_care"
    assert api.post(url, json={"organisation_id": net.cap.id}, token=nora).status_code == 403


@pytest.mark.parametrize("who, path, body, status", [
    ("partner", "candidates", {"reference": "AB", "consent_on": "2026-06-09"}, 403),
    ("nora", "candidates", {"reference": "AB", "consent_on": "2026-06-09"}, 403),
    ("tom", "candidates", {"reference": "AB", "consent_on": "2026-06-09"}, 404),
    ("paul", "candidates", {"reference": "Jean Dupont", "consent_on": "2026-06-09"}, 422),
    ("paul", "candidates", {"reference": "AB", "consent_on": "09/06/2026"}, 422),
    ("paul", "candidates", {"reference": "AB", "consent_on": "2026-06-09", "nom": "x"}, 422),
    ("paul", "candidates", {"reference": "AB"}, 422),
    ("paul", "co-handlers", {"organisation_id": 2**40}, 422),
    ("paul", "co-handlers", {"organisation_id": "1"}, 422),
    ("partner", "co-handlers", {"organisation_id": 1}, 403),
])
def test_refusals(api, net, who, path, body, status):  # noqa: F811
    token = token_for(getattr(net, who))
    response = api.post(f"/api/v1/needs/{net.need.reference}/{path}", json=body, token=token)
    assert response.status_code == status, response.json
    assert db.session.query(m.NeedCandidate).count() == 0


def test_patch_refusals(api, net):  # noqa: F811
    url = f"/api/v1/needs/{net.need.reference}"
    paul, lea = token_for(net.paul), token_for(net.lea)
    assert api.patch(f"{url}/co-handlers/{net.co.id}", json={"status": "done"},
                     token=paul).status_code == 403
    response = api.patch(f"{url}/co-handlers/{net.co.id}", json={"status": "not_for_me"}, token=lea)
    assert response.status_code == 422 and "reason" in response.json["fields"]
    assert api.patch(f"{url}/co-handlers/{2**40}", json={"status": "done"},
                     token=lea).status_code == 404
    created = api.post(f"{url}/candidates", json={"reference": "AB", "consent_on": "2026-06-09"},
                       token=paul).json
    assert api.patch(f"{url}/candidates/{created['id']}", json={"status": "interview"},
                     token=lea).status_code == 422  # another organisation's candidate
    response = api.patch(f"{url}/candidates/{created['id']}", json={"status": "not_retained"},
                         token=paul)
    assert response.status_code == 422 and "reason" in response.json["fields"]
    assert api.patch(f"{url}/candidates/{created['id']}", json={"status": "gone"},
                     token=paul).status_code == 422
