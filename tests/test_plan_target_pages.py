"""The segment builder works without JavaScript (the count and preview follow the submitted
criteria) and with it (a JSON count); the target list shows statuses, assignees and contact
pressure in a constant number of queries; managers add and assign, advisers set their own
outcomes; the API adds by SIRET and lists targets, never for partners."""

from datetime import timedelta

import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.accounts import users
from crm.services.plans import segments
from tests import factories as f
from tests.helpers import assert_constant_queries, page_text
from tests.test_openapi import ApiClient


def plan_with_firms(count: int = 3) -> m.ProspectionPlan:
    plan = f.ProspectionPlanFactory(status=m.PlanStatus.ACTIVE)
    for index in range(count):
        f.CompanyFactory(name=f"Région {index}", tags=[segments.REGION_TAG])
    db.session.commit()
    return plan


def test_the_builder_without_javascript_shows_the_count_and_preview(client, manager):
    plan = plan_with_firms()
    f.CompanyFactory(name="Hors segment")
    db.session.commit()
    text = page_text(client.get(f"/plans/{plan.id}/segment?preset=region_identified"))
    assert 'segment-count">3</span> entreprise(s) correspondent' in text
    assert "Région 0" in text and "Hors segment" not in text
    text = page_text(client.get(f"/plans/{plan.id}/segment?basins=2711&score_min=cent"))
    assert "Indiquez un nombre entier de 0 à 100 points." in text


def test_the_live_count_answers_json(client, manager):
    plan = plan_with_firms()
    body = client.get(f"/plans/{plan.id}/segment/compte?tags={segments.REGION_TAG}").get_json()
    assert body["count"] == 3 and [firm["name"] for firm in body["preview"]] == [
        "Région 0", "Région 1", "Région 2"]
    refused = client.get(f"/plans/{plan.id}/segment/compte?basins=9999")
    assert refused.status_code == 422 and refused.get_json()["fields"]["basins"] == ["Bassin inconnu : 9999."]


def test_a_manager_adds_a_segment_and_saves_it(client, manager):
    plan = plan_with_firms()
    response = client.post(f"/plans/{plan.id}/segment/cibles", data={"tags": segments.REGION_TAG},
                           follow_redirects=True)
    assert "3 entreprise(s) ajoutée(s) à la liste cible." in page_text(response)
    response = client.post(f"/plans/{plan.id}/segment/enregistrer",
                           data={"tags": segments.REGION_TAG, "name": "Identifiées Région"},
                           follow_redirects=True)
    assert "Le segment « Identifiées Région » est enregistré." in page_text(response)
    assert "Identifiées Région" in page_text(client.get("/segments"))


def test_an_adviser_reads_the_list_and_sets_only_their_own_outcomes(client, signed_in):
    plan = f.ProspectionPlanFactory(status=m.PlanStatus.ACTIVE)
    mine = f.PlanTargetFactory(plan_id=plan.id, assignee=signed_in,
                               company=f.CompanyFactory(name="La mienne"))
    other = f.PlanTargetFactory(plan_id=plan.id, company=f.CompanyFactory(name="Une autre"))
    db.session.commit()
    text = page_text(client.get(f"/plans/{plan.id}/cibles"))
    assert "La mienne" in text and "Une autre" in text and "Construire un segment" not in text
    assert client.post(f"/plans/{plan.id}/cibles/{other.id}/issue",
                       data={"outcome": "not_reachable"}).status_code == 403
    client.post(f"/plans/{plan.id}/cibles/{mine.id}/issue", data={"outcome": "not_interested"})
    assert db.session.get(m.PlanTarget, mine.id).outcome == m.TargetOutcome.NOT_INTERESTED
    assert "Pas intéressée" in page_text(client.get("/mes-cibles?statut=not_interested"))
    assert client.get(f"/plans/{plan.id}/segment").status_code == 403


def test_a_manager_assigns_ticked_targets_and_balances_the_rest(client, manager, adviser):
    plan = f.ProspectionPlanFactory()
    first, second = f.PlanTargetFactory(plan_id=plan.id), f.PlanTargetFactory(plan_id=plan.id)
    db.session.commit()
    client.post(f"/plans/{plan.id}/cibles/attribuer", data={"targets": [first.id], "assignee": adviser.id})
    assert db.session.get(m.PlanTarget, first.id).assignee_id == adviser.id
    response = client.post(f"/plans/{plan.id}/cibles/repartir", follow_redirects=True)
    assert "1 cible(s) réparties entre 1 conseiller(s)." in page_text(response)
    assert db.session.get(m.PlanTarget, second.id).assignee_id == adviser.id


def test_the_list_shows_the_pressure_warning_and_filters(client, manager, adviser):
    plan = f.ProspectionPlanFactory()
    busy = f.CompanyFactory(name="Très sollicitée")
    for organisation in (f.OrganisationFactory(), f.OrganisationFactory(), f.OrganisationFactory()):
        f.InteractionFactory(company=busy, user=f.UserFactory(organisation=organisation),
                             occurred_at=m.utcnow() - timedelta(days=2))
    f.PlanTargetFactory(plan_id=plan.id, company=busy, added_at=m.utcnow() - timedelta(days=5))
    f.PlanTargetFactory(plan_id=plan.id, company=f.CompanyFactory(name="Calme"))
    db.session.commit()
    text = page_text(client.get(f"/plans/{plan.id}/cibles"))
    assert "Pression forte" in text
    text = page_text(client.get(f"/plans/{plan.id}/cibles?statut=contacted"))
    assert "Très sollicitée" in text and "Calme" not in text
    assert "Aucune cible ne correspond" in page_text(client.get(f"/plans/{plan.id}/cibles?statut=visited"))


def test_the_target_list_runs_a_constant_number_of_queries(client, manager, adviser):
    plan = f.ProspectionPlanFactory()

    def add_rows(count: int) -> None:
        for _ in range(count):
            colleague = f.UserFactory(organisation=adviser.organisation)
            target = f.PlanTargetFactory(plan_id=plan.id, assignee=colleague)
            f.InteractionFactory(company=target.company, user=adviser)
        db.session.commit()

    assert_constant_queries(client, f"/plans/{plan.id}/cibles", add_rows)


def test_the_api_adds_by_siret_and_lists_targets(client, manager, adviser):
    plan = f.ProspectionPlanFactory()
    known = f.CompanyFactory(name="Connue")
    api = ApiClient(client, users.issue_api_token(manager))
    db.session.commit()
    url = f"/api/v1/plans/{plan.id}/targets"
    response = api.post(url, json={"sirets": [known.siret, "73282932000074"]})
    assert response.get_json() == {"added": [known.siret], "already": [], "unknown": ["73282932000074"]}
    again = api.post(url, json={"sirets": [known.siret]}).get_json()
    assert again["already"] == [known.siret]
    assert api.post(url, json={"sirets": "pas une liste"}).status_code == 422
    assert api.post(url, json={"sirets": ["1"] * 501}).status_code == 422
    listed = api.get(url).get_json()
    assert listed["items"] == [
        {"siret": known.siret, "name": "Connue", "status": "to_contact", "assignee": None}]
    assert api.get("/api/v1/plans/999999/targets").status_code == 404
    adviser_api = ApiClient(client, users.issue_api_token(adviser))
    db.session.commit()
    assert adviser_api.post(url, json={"sirets": [known.siret]}).status_code == 403
    assert adviser_api.get(url).status_code == 200


def test_partners_tokens_never_see_targets(client):
    plan = f.ProspectionPlanFactory()
    f.PlanTargetFactory(plan_id=plan.id)
    partner = f.UserFactory(role=m.Role.PARTNER)
    api = ApiClient(client, users.issue_api_token(partner))
    db.session.commit()
    assert api.get(f"/api/v1/plans/{plan.id}/targets").status_code == 403
    assert api.post(f"/api/v1/plans/{plan.id}/targets", json={"sirets": []}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.PlanTarget)) == 1


def test_visits_and_contacts_count_for_the_plan_the_firm_is_a_target_of(client, signed_in):
    plan = f.ProspectionPlanFactory(status=m.PlanStatus.ACTIVE, name="Plan renforcé Dijon")
    f.ProspectionPlanFactory(status=m.PlanStatus.DRAFT, name="Brouillon")
    f.ProspectionPlanFactory(status=m.PlanStatus.ACTIVE, basin_code="2706", name="Plan Besançon")
    target = f.PlanTargetFactory(plan_id=plan.id, added_at=m.utcnow() - timedelta(hours=2))
    company = target.company
    db.session.commit()
    form = page_text(client.get(f"/entreprises/{company.id}/echanges/nouveau"))
    assert f'<option selected value="{plan.id}">Plan renforcé Dijon</option>' in form
    assert "Brouillon" not in form and "Plan Besançon" not in form
    client.post(f"/entreprises/{company.id}/echanges/nouveau", data={
        "kind": "call", "occurred_at": "2020-01-01T09:00", "summary": "Présentation", "plan": plan.id})
    client.post(f"/entreprises/{company.id}/echanges/nouveau", data={
        "kind": "call", "occurred_at": m.utcnow().strftime("%Y-%m-%dT%H:%M"), "summary": "Appel",
        "plan": plan.id})
    logged = db.session.scalars(sa.select(m.Interaction).where(m.Interaction.company_id == company.id)).all()
    assert [i.plan_id for i in logged] == [plan.id, plan.id]
    other = db.session.scalar(sa.select(m.ProspectionPlan.id)
                              .where(m.ProspectionPlan.name == "Plan Besançon"))
    refused = client.post(f"/entreprises/{company.id}/echanges/nouveau", data={
        "kind": "call", "occurred_at": m.utcnow().strftime("%Y-%m-%dT%H:%M"), "summary": "Appel",
        "plan": other})
    assert "Choisissez un plan de prospection en cours" in page_text(refused)
    response = client.post(f"/entreprises/{company.id}/visites/nouvelle", data={
        "scheduled_at": m.utcnow().strftime("%Y-%m-%dT%H:%M"), "mode": "on_site", "status": "done",
        "participants": [signed_in.id], "task_assignee": signed_in.id, "plan": plan.id,
        **{f"needs-{i}-contact": 0 for i in range(3)}})
    assert response.status_code == 302, page_text(response)[-3000:]
    visit = db.session.scalar(sa.select(m.Visit).where(m.Visit.company_id == company.id))
    assert visit.plan_id == plan.id
    ledger = db.session.scalars(sa.select(m.Interaction.plan_id)
                                .where(m.Interaction.visit_id == visit.id)).all()
    assert ledger == [plan.id]
