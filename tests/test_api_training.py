"""POE requests through the API: the eligibility check stores nothing, a request is written and read
with its checks, the workflow moves it to the hire and answers 409 to a move it refuses. Every
answer matches the OpenAPI document."""

from datetime import date, datetime

import pytest

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.helpers import count
from tests.test_api import token_for
from tests.test_openapi import ApiClient

CASE = {"kind": "poei", "on_date": "2026-06-01", "contract_type": "cdd", "contract_months": 6,
        "training_hours": 300, "mode": "organisme", "priority_public": False, "offer_filed": True,
        "contributions_up_to_date": True, "economic_layoff_12_months": False,
        "refused_hire_after_poe": False, "qualiopi": True, "private_individual_employer": False,
        "convention_signed_on": "2026-06-05", "training_starts_on": "2026-06-08"}
REQUEST = {key: value for key, value in CASE.items()
           if key not in ("on_date", "convention_signed_on", "training_starts_on")} | {
    "siret": "73282932000074", "training_body": "AFPA Dijon", "qualiopi_number": "QUA-2024-001",
    "candidate": "J. D."}


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def company():
    return f.CompanyFactory(siret="73282932000074", siren="732829320", name="Boulangerie Martin")


@pytest.fixture
def manager(agency):
    return f.UserFactory(organisation=agency, role=m.Role.MANAGER,
                         basins=[db.session.get(m.Basin, "2711")])


def test_the_eligibility_check_explains_each_rule_and_stores_nothing(api, adviser):
    token = token_for(adviser)
    body = api.post("/api/v1/training/eligibility", json=CASE, token=token).json
    assert body["verdict"] == "eligible"
    assert body["rule_set"]["valid_from"] == "2024-06-21" and body["rule_set"]["valid_to"] is None
    assert all(check["result"] == "pass" and check["source"] for check in body["checks"])
    before = api.post("/api/v1/training/eligibility", token=token,
                      json=CASE | {"convention_signed_on": "2024-06-20"}).json
    assert before["verdict"] == "not_eligible" and before["rule_set"]["valid_to"] == "2024-06-20"
    contract = next(check for check in before["checks"] if check["rule"] == "contract")
    assert "12 mois" in contract["reason"]
    empty = api.post("/api/v1/training/eligibility", json={}, token=token).json
    assert empty["verdict"] == "to_complete"
    assert count(m.TrainingRequest) == 0


@pytest.mark.parametrize(("changes", "field"), [
    ({"contract_type": "interim"}, "contract_type"), ({"training_hours": -1}, "training_hours"),
    ({"offer_filed": "oui"}, "offer_filed"), ({"on_date": "21/06/2024"}, "on_date"),
    ({"tutor_experience_years": "deux"}, "tutor_experience_years"), ({"couleur": 1}, "couleur"),
])
def test_a_bad_case_gets_422_with_the_field(api, adviser, changes, field):
    response = api.post("/api/v1/training/eligibility", json=CASE | changes, token=token_for(adviser))
    assert response.status_code == 422 and field in response.json["fields"]


def test_a_request_goes_from_draft_to_hire_and_the_workflow_refuses_moves_out_of_order(
        api, adviser, manager, company, project_clock):
    project_clock.travel_to(datetime(2026, 6, 1, 8))
    staff, boss = token_for(adviser), token_for(manager)
    created = api.post("/api/v1/training/requests", json=REQUEST, token=staff)
    assert created.status_code == 201, created.json
    request_id = created.json["id"]
    assert created.headers["Location"].endswith(f"/api/v1/training/requests/{request_id}")
    assert created.json["status"] == "draft"
    assert created.json["eligibility"]["verdict"] == "to_complete"  # the convention is not signed yet
    path = f"/api/v1/training/requests/{request_id}"

    def move(token, **body):
        return api.post(f"{path}/transitions", json=body, token=token)

    assert move(staff, to="approved").status_code == 409  # a draft cannot be approved
    assert move(staff, to="submitted").status_code == 200
    assert move(staff, to="under_review").status_code == 403  # the adviser does not review
    assert move(boss, to="under_review").status_code == 200
    assert move(boss, to="rejected").status_code == 422  # a refusal needs its reason
    assert move(boss, to="approved").json["status"] == "approved"
    project_clock.travel_to(datetime(2026, 6, 12, 8))
    assert move(staff, to="in_training", date="2026-06-08").status_code == 409  # no convention yet
    assert move(staff, to="convention_signed", date="2026-06-10").status_code == 200
    early = move(staff, to="in_training", date="2026-06-09")
    assert early.status_code == 409 and "convention" in early.json["error"]
    assert move(staff, to="in_training", date="2026-06-10").status_code == 200
    assert move(staff, to="completed", date="2026-06-11").status_code == 200
    hired = move(staff, to="hired", date="2026-06-12").json
    assert hired["status"] == "hired" and hired["next"] == []
    assert hired["candidate"] == f"Candidat n° {request_id}"  # pseudonymised once closed
    assert hired["eligibility"]["verdict"] == "eligible"
    assert [row["to"] for row in hired["history"]] == [
        "draft", "submitted", "under_review", "approved", "convention_signed", "in_training",
        "completed", "hired"]
    stored = db.session.get(m.TrainingRequest, request_id)
    assert (stored.convention_signed_on, stored.training_starts_on) == (date(2026, 6, 10),
                                                                         date(2026, 6, 10))


def test_approval_needs_every_rule_but_the_convention(api, adviser, manager, company):
    staff, boss = token_for(adviser), token_for(manager)
    request_id = api.post("/api/v1/training/requests", token=staff,
                          json=REQUEST | {"offer_filed": None}).json["id"]
    path = f"/api/v1/training/requests/{request_id}/transitions"
    api.post(path, json={"to": "submitted"}, token=staff)
    api.post(path, json={"to": "under_review"}, token=boss)
    refused = api.post(path, json={"to": "approved"}, token=boss)
    assert refused.status_code == 409 and "Offre déposée" in refused.json["error"]
    rejected = api.post(path, json={"to": "rejected", "reason": "Offre non déposée"}, token=boss)
    assert rejected.json["status_reason"] == "Offre non déposée"


def test_partners_neither_write_nor_read_requests_and_big_ids_are_unknown(api, adviser, company):
    chamber = f.OrganisationFactory(kind=m.OrganisationKind.CCI, is_spotter=True)
    partner = token_for(f.UserFactory(organisation=chamber, role=m.Role.PARTNER))
    assert api.post("/api/v1/training/requests", json=REQUEST, token=partner).status_code == 403
    request_id = api.post("/api/v1/training/requests", json=REQUEST,
                          token=token_for(adviser)).json["id"]
    assert api.get(f"/api/v1/training/requests/{request_id}", token=partner).status_code == 404
    assert api.get(f"/api/v1/training/requests/{2**31}", token=token_for(adviser)).status_code == 404
    assert api.post("/api/v1/training/requests", json=REQUEST | {"siret": "12345678901234"},
                    token=token_for(adviser)).status_code == 422
    elsewhere = f.HiringNeedFactory(organisation=adviser.organisation, adviser=adviser)
    mismatch = api.post("/api/v1/training/requests", token=token_for(adviser),
                        json=REQUEST | {"need_reference": elsewhere.reference})
    assert mismatch.status_code == 422 and "need_reference" in mismatch.json["fields"]
    own = f.HiringNeedFactory(company=company, organisation=adviser.organisation, adviser=adviser)
    linked = api.post("/api/v1/training/requests", token=token_for(adviser),
                      json=REQUEST | {"need_reference": own.reference})
    assert linked.status_code == 201
