"""Plans through the API: managers write the plans of their basins, every answer matches the
OpenAPI document, objectives come with their figures, partners read active plans only."""

from datetime import date, datetime

import pytest

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.helpers import count
from tests.test_api import token_for
from tests.test_openapi import ApiClient

PLAN = {"basin_code": "2711", "title": "Plan de prospection renforcée – Dijon 2026",
        "period_start": "2026-01-01", "period_end": "2026-12-31", "status": "active",
        "objectives": [{"indicator": "companies_contacted", "target": 365},
                       {"indicator": "poe_entries", "target": 20}]}


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def manager_token(agency):
    return token_for(f.UserFactory(organisation=agency, role=m.Role.MANAGER,
                                   basins=[db.session.get(m.Basin, "2711")]))


def test_a_manager_writes_a_plan_and_reads_its_figures(api, manager_token, adviser, project_clock):
    project_clock.travel_to(datetime(2026, 7, 1, 8))
    f.InteractionFactory(user=adviser, occurred_at=datetime(2026, 2, 3, 9))
    response = api.post("/api/v1/plans", json=PLAN, token=manager_token)
    assert response.status_code == 201, response.json
    plan_id = response.json["id"]
    assert response.headers["Location"].endswith(f"/api/v1/plans/{plan_id}")
    body = api.get(f"/api/v1/plans/{plan_id}", token=manager_token).json
    assert body["objectives"] == [
        {"indicator": "companies_contacted", "target": 365, "achieved": 1, "expected_to_date": 182},
        {"indicator": "poe_entries", "target": 20, "achieved": 0, "expected_to_date": 10}]
    assert body["targets_count"] == 0 and body["rollout_stage"] == "none"


@pytest.mark.parametrize(("changes", "field"), [
    ({"period_end": "2025-12-31"}, "period_end"),
    ({"period_start": "1er janvier"}, "period_start"),
    ({"objectives": [{"indicator": "visits", "target": 3}]}, "objectives"),
    ({"objectives": [{"indicator": "hires", "target": 0}]}, "objectives"),
    ({"objectives": [{"indicator": "tpe_pme_share", "target": 150}]}, "objectives"),
    ({"basin_code": "2706"}, "basin_code"),  # a basin the manager does not follow
    ({"title": ""}, "title"),
    ({"status": "ouvert"}, "status"),
    ({"colour": "bleu"}, "colour"),
])
def test_bad_plans_get_422_with_the_field_and_nothing_is_stored(api, manager_token, changes, field):
    response = api.post("/api/v1/plans", json=PLAN | changes, token=manager_token)
    assert response.status_code == 422
    assert field in response.json["fields"]
    assert count(m.ProspectionPlan) == 0


def test_advisers_and_partners_cannot_write_plans(api, adviser):
    response = api.post("/api/v1/plans", json=PLAN, token=token_for(adviser))
    assert response.status_code == 403
    assert count(m.ProspectionPlan) == 0


def test_the_list_filters_by_basin_and_status_and_partners_see_active_plans_only(api, adviser):
    f.ProspectionPlanFactory(basin_code="2711", status=m.PlanStatus.ACTIVE, name="Actif Dijon")
    f.ProspectionPlanFactory(basin_code="2711", name="Brouillon Dijon")
    f.ProspectionPlanFactory(basin_code="2706", status=m.PlanStatus.ACTIVE, name="Actif Besançon",
                             period_start=date(2026, 2, 1))
    staff = token_for(adviser)
    titles = [item["title"] for item in api.get("/api/v1/plans?basin=2711", token=staff).json["items"]]
    assert sorted(titles) == ["Actif Dijon", "Brouillon Dijon"]
    active = api.get("/api/v1/plans?status=active&per_page=1", token=staff).json
    assert (active["total"], active["per_page"], len(active["items"])) == (2, 1, 1)
    assert api.get("/api/v1/plans?status=ouvert", token=staff).status_code == 422
    chamber = f.OrganisationFactory(kind=m.OrganisationKind.CCI, is_spotter=True,
                                    basins=[db.session.get(m.Basin, "2711")])
    partner = token_for(f.UserFactory(organisation=chamber, role=m.Role.PARTNER))
    seen = api.get("/api/v1/plans", token=partner).json["items"]
    assert [item["title"] for item in seen] == ["Actif Dijon"]
    draft = db.session.query(m.ProspectionPlan).filter_by(name="Brouillon Dijon").one()
    assert api.get(f"/api/v1/plans/{draft.id}", token=partner).status_code == 404
    active_plan = db.session.query(m.ProspectionPlan).filter_by(name="Actif Dijon").one()
    assert api.get(f"/api/v1/plans/{active_plan.id}", token=partner).json["targets_count"] is None
