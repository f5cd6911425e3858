"""A basin manager builds a segment in a real browser, with JavaScript (the count follows each
ticked criterion) and without (the count follows the submitted form), adds its firms to the plan's
target list, assigns one to an adviser and saves the segment; the adviser finds the firm in
"Mes cibles" and marks it unreachable. axe-core finds no serious or critical problem."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.plans import segments
from tests import factories as f
from tests.browser.journeys import dijon, sign_in, submit, tick

pytestmark = pytest.mark.browser


def test_a_manager_builds_a_segment_adds_it_and_assigns(live_server, page, screenshot, axe, agency, adviser):
    manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                            basins=[dijon()])
    plan = f.ProspectionPlanFactory(status=m.PlanStatus.ACTIVE, name="Plan renforcé Dijon")
    for name in ("Atelier Bois", "Boulangerie Roy", "Charpente Morel"):
        f.CompanyFactory(name=name, search_name=name.lower(), tags=[segments.REGION_TAG])
    f.CompanyFactory(name="Autre firme", search_name="autre firme", naf_code="70.22Z")
    db.session.commit()
    sign_in(page, live_server, manager)

    page.goto(f"{live_server}/plans/{plan.id}/segment")
    expect(page.get_by_role("heading", level=1)).to_have_text("Construire un segment")
    count = page.locator("#segment-count")
    expect(count).to_have_text("4")
    sections = page.get_by_role("group", name="Sections NAF")
    tick(sections, "Construction")
    if page.javascript:
        expect(count).to_have_text("3")  # the live count, without sending the form
    else:
        submit(page, "Afficher le décompte")
        expect(count).to_have_text("3")
    expect(page.locator("#segment-preview")).to_contain_text("Atelier Bois")
    expect(page.locator("#segment-preview")).not_to_contain_text("Autre firme")
    screenshot("plan-segment")
    axe()

    submit(page, "Ajouter à la liste cible")
    page.wait_for_url(f"{live_server}/plans/{plan.id}/cibles")
    expect(page.get_by_text("3 entreprise(s) ajoutée(s) à la liste cible.")).to_be_visible()
    expect(page.get_by_role("link", name="Atelier Bois")).to_be_visible()
    page.get_by_label("Sélectionner Atelier Bois").check(force=True)  # DSFR draws the box over the input
    page.get_by_label("Attribuer les entreprises cochées à").select_option(
        label="Paul Girard – France Travail Dijon")
    submit(page, "Attribuer")
    expect(page.get_by_text("1 cible(s) attribuée(s).")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Atelier Bois")
    expect(row).to_contain_text("Paul Girard")
    screenshot("plan-cibles")
    axe()
    assigned = db.session.scalar(sa.select(m.PlanTarget.assignee_id).join(m.PlanTarget.company)
                                 .where(m.Company.name == "Atelier Bois"))
    assert assigned == adviser.id

    page.goto(f"{live_server}/plans/{plan.id}/segment?preset=region_identified")
    page.get_by_label("Nom du segment (pour l'enregistrer)").fill("Identifiées par la Région")
    submit(page, "Enregistrer le segment")
    expect(page.get_by_text("Le segment « Identifiées par la Région » est enregistré.")).to_be_visible()
    page.goto(f"{live_server}/segments")
    expect(page.get_by_role("cell", name="Identifiées par la Région")).to_be_visible()
    screenshot("segments-enregistres")
    axe()

    page.get_by_role("button", name="Se déconnecter").click()
    sign_in(page, live_server, adviser)
    page.goto(f"{live_server}/mes-cibles")
    expect(page.get_by_role("link", name="Atelier Bois")).to_be_visible()
    submit(page, "Injoignable")
    expect(page.get_by_text("Atelier Bois : « Injoignable ».")).to_be_visible()
    screenshot("mes-cibles")
    axe()
    axe.end()
