"""A manager's journey in a real browser, with and without JavaScript: write the fiche action of a
basin, build a segment and add its firms to the target list, assign one to an adviser, read the
plan's progress, print it, compare the pilot basins; axe-core finds no serious or critical
accessibility problem on the pages met, on a desktop and a phone."""

from datetime import datetime

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import dijon, open_submenu, sign_in, submit, tick

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def ines(agency, mission_locale, adviser, project_clock):
    project_clock.travel_to(datetime(2026, 7, 1, 8))
    manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                            basins=[dijon()])
    for day in (3, 10, 17):
        f.InteractionFactory(user=adviser, occurred_at=datetime(2026, 3, day, 9))
    unit_of_work.commit()
    return manager


def test_a_manager_writes_a_plan_targets_firms_and_reads_its_progress(
        live_server, page, screenshot, axe, ines, mission_locale, adviser):
    sign_in(page, live_server, ines)
    open_submenu(page, "Plans", "Menu des plans", "Plans de prospection")
    expect(page.get_by_text("Aucun plan de prospection pour l'instant.")).to_be_visible()
    page.get_by_role("link", name="Écrire un plan").click()
    page.get_by_label("Titre du plan").fill("Plan de prospection renforcée – Dijon 2026")
    page.get_by_label("Début de la période").fill("2026-01-01")
    page.get_by_label("Fin de la période").fill("2026-12-31")
    page.get_by_label("État").select_option(label="En cours")
    page.get_by_label("Entreprises contactées", exact=True).fill("365")
    page.get_by_label("Recrutements").fill("120")
    tick(page.locator("#priority_segments"), "Entreprises en croissance")
    tick(page.locator("#priority_sectors"), "F – Construction")
    page.locator("#actors-0-organisation").select_option(label=mission_locale.name)
    page.locator("#actors-0-role").fill("Positionne les jeunes sur les offres.")
    page.locator("#milestones-0-day").fill("2026-01-15")
    page.locator("#milestones-0-step").fill("Lancement en comité de bassin")
    screenshot("plan-formulaire")
    axe()
    page.get_by_role("button", name="Enregistrer le plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan de prospection renforcée – Dijon 2026")
    plan_url = page.url

    page.get_by_role("link", name="Construire un segment").click()
    tick(page.get_by_role("group", name="Sections NAF"), "Construction")
    if not page.javascript:
        submit(page, "Afficher le décompte")
    expect(page.locator("#segment-count")).to_have_text("3")  # the firms contacted in March
    submit(page, "Ajouter à la liste cible")
    expect(page.get_by_text("3 entreprise(s) ajoutée(s) à la liste cible.")).to_be_visible()
    first = db.session.scalars(db.select(m.Company.name).order_by(m.Company.id)).first()
    page.get_by_label(f"Sélectionner {first}").check(force=True)  # DSFR draws the box over it
    page.get_by_label("Attribuer les entreprises cochées à").select_option(
        label="Paul Girard – France Travail Dijon")
    submit(page, "Attribuer")
    expect(page.get_by_role("row").filter(has_text=first)).to_contain_text("Paul Girard")
    assert db.session.scalar(db.select(m.PlanTarget.assignee_id).join(m.PlanTarget.company)
                             .where(m.Company.name == first)) == adviser.id

    page.goto(plan_url)
    contacted = page.get_by_role("row").filter(has_text="Entreprises contactées").first
    expect(contacted).to_contain_text("365")
    expect(contacted).to_contain_text("182")  # expected by 1 July
    expect(page.get_by_text("Positionne les jeunes sur les offres.")).to_be_visible()
    screenshot("plan-progression")
    axe()
    page.set_viewport_size(PHONE)
    screenshot("plan-progression-mobile")
    axe()
    plan = db.session.scalars(db.select(m.ProspectionPlan)).one()
    assert [o.target for o in plan.objectives] == [365, 120]
    page.goto(f"{live_server}/plans/{plan.id}/imprimer")
    expect(page.get_by_text("Plan de prospection renforcée · fiche action", exact=False)).to_be_visible()
    screenshot("plan-impression")
    axe.end()


def test_the_pilot_basins_compared(live_server, page, screenshot, axe, ines):
    db.session.get(m.Basin, "2711").rollout_stage = m.RolloutStage.PILOT
    unit_of_work.commit()
    sign_in(page, live_server, ines)
    open_submenu(page, "Plans", "Menu des plans", "Bassins comparés")
    expect(page.get_by_role("row").filter(has_text="Bassins pilotes")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Dijon").first).to_contain_text("3")
    screenshot("plans-bassins-compares")
    axe()
    axe.end()
