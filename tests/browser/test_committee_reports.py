"""The committee reports in a real browser, with and without JavaScript: a manager finds no
committee yet, creates their basin's committee with its members, asks for May's report to be
e-mailed to them, sees it waiting, then ready once a worker ran, and downloads it; the generated
report itself is looked at as a page. axe-core finds no serious or critical problem."""

from datetime import datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.indicators import reports
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import dijon, open_submenu, sign_in, submit, tick

pytestmark = pytest.mark.browser


@pytest.fixture
def ines(agency, adviser):
    manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                            basins=[dijon()])
    firm = f.CompanyFactory(name="Boulangerie Martin")
    f.InteractionFactory(company=firm, user=adviser, occurred_at=datetime(2026, 5, 5, 9))
    f.HiringNeedFactory(company=firm, organisation=agency, created_at=datetime(2026, 5, 4, 9),
                        first_contact_at=datetime(2026, 5, 5, 9), positions=2,
                        first_contact_due_at=datetime(2026, 5, 6, 21, 59),
                        status=m.NeedStatus.FILLED, closed_at=datetime(2026, 5, 20, 9), hires=2)
    unit_of_work.commit()
    return manager


def test_a_manager_asks_for_the_committee_report_and_downloads_it(
        live_server, page, screenshot, axe, ines, run_jobs):
    sign_in(page, live_server, ines)
    open_submenu(page, "Pilotage", "Menu du pilotage", "Rapports des comités")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapports des comités")
    expect(page.get_by_text("Aucun comité pour vos territoires.")).to_be_visible()
    axe()

    page.get_by_role("link", name="Créer un comité").click()
    page.get_by_label("Niveau", exact=True).select_option(label="Bassin d'emploi")
    page.get_by_label("Territoire").select_option(value="2711")
    page.get_by_label("Nom du comité").fill("Comité local de Dijon")
    page.get_by_label("Membres (adresses e-mail)").fill("elu@dijon.fr\nnot-an-address")
    submit(page, "Enregistrer")
    expect(page.get_by_text("Adresse e-mail invalide : « not-an-address ».")).to_be_visible()
    axe()
    page.get_by_label("Membres (adresses e-mail)").fill("elu@dijon.fr\ndt@francetravail.fr")
    submit(page, "Enregistrer")
    expect(page.get_by_role("row").filter(has_text="Comité local de Dijon")).to_contain_text("2 membres")
    screenshot("comites")
    axe()

    open_submenu(page, "Pilotage", "Menu du pilotage", "Rapports des comités")
    page.get_by_label("Comité", exact=True).select_option(label="Comité local de Dijon (2 membres)")
    page.get_by_label("Du", exact=True).fill("2026-05-01")
    page.get_by_label("Au", exact=True).fill("2026-05-31")
    tick(page.locator("form"), "Envoyer le rapport aux membres du comité par e-mail, une fois prêt")
    submit(page, "Demander le rapport")
    row = page.get_by_role("row").filter(has_text="Comité local de Dijon")
    expect(row).to_contain_text("En attente")
    axe()

    run_jobs()
    page.reload()
    expect(row).to_contain_text("Prêt")
    expect(row).to_contain_text("envoyé à 2 membres")
    screenshot("rapports-comites")
    axe()
    with page.expect_download() as download:
        row.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")

    report = db.session.scalar(sa.select(m.CommitteeReport))
    page.goto("about:blank")  # the stored file on its own, outside the application's pages
    page.set_content((reports.folder() / report.html_file).read_text(encoding="utf-8"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Comité local de Dijon")
    expect(page.get_by_role("row").filter(has_text="Boulangerie Martin")).to_contain_text("2 sur 2 postes")
    screenshot("rapport-comite")
    axe()
    axe.end()
