"""Managers write the fiche action of their basins' plans; everyone reads its progress; partners
read the active plans of their basins only; print, export, and the pilot basins compared."""

import io
from datetime import date, datetime

import sqlalchemy as sa
from openpyxl import load_workbook

from crm import models as m
from crm.extensions import db
from crm.services.plans import fiche
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.helpers import assert_constant_queries, count, page_text, text_of


def plan_form(**changes) -> dict:
    data = {
        "title": "Plan de prospection renforcée – Dijon 2026", "basin_code": "2711",
        "period_start": "2026-01-01", "period_end": "2026-12-31", "status": "active",
        "target_companies_contacted": "400", "target_hires": "120", "target_tpe_pme_share": "70",
        "priority_segments": ["growing", "young_firms"], "priority_sectors": ["C", "F"],
        "methods": "Visites en binôme.", "resources": "Deux conseillers à mi-temps.",
        "actors-0-organisation": "", "actors-0-role": "",
        "milestones-0-day": "2026-01-15", "milestones-0-step": "Lancement en comité de bassin",
    }
    data.update(changes)
    return data


def test_a_manager_writes_the_fiche_action_of_a_basin(client, manager, mission_locale):
    response = client.post("/plans/nouveau", data=plan_form(**{
        "actors-0-organisation": str(mission_locale.id), "actors-0-role": "Positionne les jeunes."}))
    assert response.status_code == 302, page_text(response)
    plan = db.session.scalars(sa.select(m.ProspectionPlan)).one()
    assert (plan.name, plan.basin_code, plan.status) == (
        "Plan de prospection renforcée – Dijon 2026", "2711", m.PlanStatus.ACTIVE)
    assert {o.indicator: o.target for o in plan.objectives} == {
        m.Indicator.COMPANIES_CONTACTED: 400, m.Indicator.HIRES: 120, m.Indicator.TPE_PME_SHARE: 70}
    assert [(a.organisation_id, a.role) for a in plan.actors] == [
        (mission_locale.id, "Positionne les jeunes.")]
    assert plan.milestones == [{"date": "2026-01-15", "label": "Lancement en comité de bassin"}]
    assert plan.priority_segments == ["growing", "young_firms"]
    event = db.session.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == "plan_created")).one()
    assert event.actor_id == manager.id
    page = text_of(client, response.location)
    assert "Entreprises en croissance" in page and "Positionne les jeunes." in page
    assert "Entrées en POE" not in page  # no objective set for it


def test_bad_fiches_are_refused_in_french_and_nothing_is_saved(client, manager):
    cases = [
        ({"period_end": "2025-12-31"}, "La fin de la période doit suivre son début."),
        ({"target_tpe_pme_share": "140"}, "La part de TPE-PME est un pourcentage : 100 au plus."),
        ({"target_hires": "0"}, "Un nombre positif."),
        ({"milestones-0-day": ""}, "Datez l'étape « Lancement en comité de bassin »."),
        ({"title": ""}, "Donnez un titre au plan."),
        ({"basin_code": "2706"}, "N'est pas un choix valide."),  # a basin the manager does not follow
    ]
    for changes, message in cases:
        response = client.post("/plans/nouveau", data=plan_form(**changes))
        assert response.status_code == 422, changes
        assert message in page_text(response), changes
    assert count(m.ProspectionPlan) == 0


def test_only_the_managers_of_the_basin_and_admins_write_its_plans(client, auth, agency):
    plan = f.ProspectionPlanFactory(basin_code="2706")
    besancon_manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER,
                                     basins=[db.session.get(m.Basin, "2711")])
    auth.login(besancon_manager)
    assert client.get(f"/plans/{plan.id}/modifier").status_code == 403
    assert client.get(f"/plans/{plan.id}").status_code == 200
    auth.logout()
    auth.login(f.UserFactory(role=m.Role.ADVISER))
    assert client.get("/plans/nouveau").status_code == 403


def test_a_stale_edit_is_refused_and_the_other_change_kept(client, manager):
    plan = f.ProspectionPlanFactory(basin_code="2711", name="Plan A")
    seen = plan.version
    plan.name = "Plan renommé par un collègue"
    db.session.commit()
    response = client.post(f"/plans/{plan.id}/modifier", data=plan_form(version=str(seen)))
    assert response.status_code == 409
    assert "modifié par quelqu'un d'autre" in page_text(response)
    db.session.refresh(plan)
    assert plan.name == "Plan renommé par un collègue"


def test_an_edit_keeps_the_objectives_and_audits_the_change(client, manager):
    response = client.post("/plans/nouveau", data=plan_form())
    plan_id = int(response.location.rsplit("/", 1)[1])
    plan = db.session.get(m.ProspectionPlan, plan_id)
    form = page_text(client.get(f"/plans/{plan_id}/modifier"))
    assert 'value="400"' in form and "Lancement en comité de bassin" in form
    response = client.post(f"/plans/{plan_id}/modifier",
                           data=plan_form(version=str(plan.version), target_hires="150", status="closed"))
    assert response.status_code == 302, page_text(response)
    db.session.refresh(plan)
    assert {o.indicator: o.target for o in plan.objectives}[m.Indicator.HIRES] == 150
    event = db.session.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == "plan_updated")).one()
    assert event.changes["status"] == ["active", "closed"]
    response = client.post(f"/plans/{plan_id}/modifier",
                           data=plan_form(version=str(plan.version), status="draft"))
    assert "Un plan clos ne redevient pas un brouillon" in page_text(response)


def test_the_plan_page_shows_progress_and_who_achieved_it(client, signed_in, project_clock):
    project_clock.travel_to(datetime(2026, 7, 1, 8))
    plan = f.ProspectionPlanFactory(basin_code="2711", period_start=date(2026, 1, 1),
                                    period_end=date(2026, 12, 31))
    f.PlanObjectiveFactory(plan_id=plan.id, indicator=m.Indicator.COMPANIES_CONTACTED, target=365)
    f.PlanObjectiveFactory(plan_id=plan.id, indicator=m.Indicator.POE_ENTRIES, target=30)
    f.InteractionFactory(user=signed_in, occurred_at=datetime(2026, 3, 2, 9))
    page = text_of(client, f"/plans/{plan.id}")
    assert "Entreprises contactées" in page and "non disponible" not in page  # POE entries measured
    assert "Paul Girard" in page and "France Travail Dijon" in page
    assert "-181" in page  # 1 contacted against 182 expected by 1 July


def test_partners_read_the_active_plans_of_their_basins_only(client, auth):
    chamber = f.OrganisationFactory(kind=m.OrganisationKind.CCI, is_spotter=True,
                                    basins=[db.session.get(m.Basin, "2711")])
    auth.login(f.UserFactory(organisation=chamber, role=m.Role.PARTNER))
    active = f.ProspectionPlanFactory(basin_code="2711", status=m.PlanStatus.ACTIVE, name="Plan actif")
    draft = f.ProspectionPlanFactory(basin_code="2711", name="Plan brouillon")
    elsewhere = f.ProspectionPlanFactory(basin_code="2706", status=m.PlanStatus.ACTIVE, name="Plan ailleurs")
    listing = text_of(client, "/plans")
    assert "Plan actif" in listing and "Plan brouillon" not in listing and "Plan ailleurs" not in listing
    assert client.get(f"/plans/{draft.id}").status_code == 404
    assert client.get(f"/plans/{elsewhere.id}").status_code == 404
    page = text_of(client, f"/plans/{active.id}")
    assert "Fiche action" in page and "Qui a réalisé quoi" not in page


def test_print_and_export_hold_the_fiche_and_the_objectives(client, signed_in, mission_locale):
    plan = f.ProspectionPlanFactory(basin_code="2711", name="Plan Dijon", methods="Visites en binôme.",
                                    milestones=[{"date": "2026-03-01", "label": "Point d'étape"}])
    db.session.add(m.PlanActor(plan_id=plan.id, organisation_id=mission_locale.id, role="Jeunes"))
    f.PlanObjectiveFactory(plan_id=plan.id, indicator=m.Indicator.EVENT_COMPANIES, target=12)
    db.session.commit()
    printed = text_of(client, f"/plans/{plan.id}/imprimer")
    assert "Plan Dijon" in printed and "01/03/2026 : Point d'étape" in printed and "plan-print.css" in printed
    response = client.get(f"/plans/{plan.id}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Fiche action"
    assert ["Plan", "Plan Dijon"] in rows and ["Acteur", "Mission locale Dijon", "Jeunes"] in rows
    assert ["Entreprises présentes aux événements", 12, 0] in [row[:3] for row in rows]


def test_the_plan_list_filters_and_runs_the_same_queries_for_3_or_30_plans(client, signed_in):
    f.ProspectionPlanFactory(basin_code="2706", name="Plan Besançon")
    assert "Plan Besançon" not in text_of(client, "/plans?basin=2711")
    assert "Aucun plan ne correspond" in text_of(client, "/plans?basin=2711")
    assert_constant_queries(client, "/plans", lambda n: f.ProspectionPlanFactory.create_batch(n))


def test_the_pilot_basins_side_by_side_and_an_admin_sets_a_stage(client, admin):
    db.session.get(m.Basin, "2711").rollout_stage = m.RolloutStage.PILOT
    f.InteractionFactory(occurred_at=datetime(2026, 3, 2, 9))
    unit_of_work.commit()
    page = text_of(client, "/plans/comparaison-des-bassins?debut=2026-01-01&fin=2026-12-31")
    assert "Bassins pilotes" in page and "Autres bassins" in page
    response = client.post("/plans/bassins/2702/deploiement?debut=2026-01-01&fin=2026-12-31",
                           data={"stage": "pilot"})
    assert response.status_code == 302
    assert db.session.get(m.Basin, "2702").rollout_stage == m.RolloutStage.PILOT
    assert db.session.scalars(sa.select(m.AuditEvent.changes).where(
        m.AuditEvent.action == "rollout_stage")).one()["basin"] == "2702"


def test_the_comparison_query_count_does_not_grow_with_basins(client, signed_in):
    from tests.helpers import queries_for
    assert queries_for(client, "/plans/comparaison-des-bassins") <= 12


def test_readable_plans_for_a_partner_of_a_departement(app):
    chamber = f.OrganisationFactory(kind=m.OrganisationKind.CMA, is_spotter=True,
                                    departments=[db.session.get(m.Department, "25")])
    partner = f.UserFactory(organisation=chamber, role=m.Role.PARTNER)
    assert "2706" in fiche.partner_basins(partner) and "2711" not in fiche.partner_basins(partner)


def test_the_rollout_stage_shows_on_the_basin_pages(client, signed_in):
    db.session.get(m.Basin, "2711").rollout_stage = m.RolloutStage.PILOT
    db.session.commit()
    assert "Plan de prospection : bassin pilote" in text_of(client, "/bassins/2711")
    assert "Bassin pilote" in text_of(client, "/bassins")
