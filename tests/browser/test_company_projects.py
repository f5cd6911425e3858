"""An adviser adds a firm's project from its 360° page, with and without JavaScript: the page shows
the likely-to-hire score with its factors, the new project in the "Projets de l'entreprise"
section and on the timeline; axe-core finds no serious or critical problem."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.services.plans import scoring
from crm.services.platform.local_time import local_today
from tests import factories as f
from tests.browser.journeys import sign_in

pytestmark = pytest.mark.browser


def test_an_adviser_adds_a_project_on_the_company_page(live_server, page, screenshot, axe, adviser):
    company = f.CompanyFactory(name="Menuiserie Perrin", naf_code="43.32A", headcount_band="12")
    f.HiringNeedFactory(company=company)
    sum(scoring.refresh_scores([company.id]))
    db.session.commit()
    sign_in(page, live_server, adviser)
    page.goto(f"{live_server}/entreprises/{company.id}")
    expect(page.get_by_text("Probabilité d'embauche : 42/100 — secteur en tension : +20, "
                            "1 besoin récent : +12")).to_be_visible()
    section = page.locator("details.crm-project-add")
    expect(section.get_by_label("Type de projet")).to_be_visible()  # open while there is none
    axe()
    screenshot("company-projects-form")
    section.get_by_label("Type de projet").select_option(label="Agrandissement")
    section.get_by_label("Date du projet").fill((local_today() + timedelta(days=60)).isoformat())
    section.get_by_label("Source (facultatif)").fill("Revue des projets du RET")
    section.get_by_label("Note (facultatif)").fill("Nouvel atelier de 800 m², six postes annoncés.")
    section.get_by_role("button", name="Ajouter le projet").click()
    expect(page.get_by_text("Le projet de l'entreprise est enregistré.")).to_be_visible()
    table = page.get_by_role("table", name="Projets de l'entreprise")
    expect(table.get_by_role("cell", name="Agrandissement", exact=True)).to_be_visible()
    expect(page.get_by_text("Projet de l'entreprise : Agrandissement")).to_be_visible()
    axe()
    screenshot("company-projects")
    axe.end()
