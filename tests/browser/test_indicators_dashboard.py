"""The committee dashboard in a real browser, with and without JavaScript: a manager opens
"Pilotage › Indicateurs" from the menu, picks a basin and a period, reads the table with its
comparisons, the charts (drawn with JavaScript, each followed by its data table) and the
breakdowns (ROME jobs, plans, spotters), follows a job's figure to its list, picks an RSA pilot
territory, opens the glossary; an adviser opens their own figures from "Ma journée" and
follows one to their needs; a regional dashboard maps its basins, each leading to its own;
axe-core finds no serious or critical problem."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import dijon, open_submenu, sign_in, submit

pytestmark = pytest.mark.browser


@pytest.fixture
def ines(agency, adviser):
    manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                            basins=[dijon()])
    firm = f.CompanyFactory(name="Boulangerie Martin")
    f.InteractionFactory(company=firm, user=adviser, occurred_at=datetime(2026, 5, 5, 9))
    f.HiringNeedFactory(company=firm, organisation=agency, created_at=datetime(2026, 5, 4, 9),
                        first_contact_at=datetime(2026, 5, 5, 9),
                        first_contact_due_at=datetime(2026, 5, 6, 21, 59),
                        status=m.NeedStatus.FILLED, closed_at=datetime(2026, 5, 20, 9), hires=2,
                        rome_code="F1202", adviser=adviser)
    club = f.OrganisationFactory(name="Club des entreprises", kind=m.OrganisationKind.CCI)
    f.HiringNeedFactory(company=firm, source=m.NeedSource.SPOTTER, source_organisation=club,
                        created_at=datetime(2026, 5, 11, 9), rome_code="A1101")
    plan = f.ProspectionPlanFactory(name="Plan Dijon 2026", basin_code="2711",
                                    period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                                    status=m.PlanStatus.ACTIVE)
    f.PlanObjectiveFactory(plan_id=plan.id, indicator=m.Indicator.NEEDS_COLLECTED, target=100)
    unit_of_work.commit()
    return manager


def test_a_manager_reads_the_committee_dashboard(live_server, page, screenshot, axe, ines):
    sign_in(page, live_server, ines)
    open_submenu(page, "Pilotage", "Menu du pilotage", "Indicateurs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs des comités")
    page.get_by_label("Niveau", exact=True).select_option(label="Bassin d'emploi")
    page.get_by_label("Territoire", exact=True).select_option(value="2711")
    page.get_by_label("Du", exact=True).fill("2026-05-01")
    page.get_by_label("Au", exact=True).fill("2026-05-31")
    submit(page, "Filtrer")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Bassin d'emploi : Dijon")
    expect(page.locator("#indicateur-fill_rate")).to_contain_text("100,0 %")
    expect(page.locator("#indicateur-closed_for_lack_of_candidates")).to_contain_text("non disponible")
    data = " – Bassin d'emploi : Dijon : données du graphique"
    sources = page.get_by_role("table", name="Besoins recueillis par source" + data)
    expect(sources.get_by_role("row").filter(has_text="Formulaire public")).to_contain_text("1")
    trend = page.get_by_role("table", name="Évolution des principaux chiffres" + data)
    expect(trend.get_by_role("row").filter(has_text="Recrutements")).to_contain_text("2")
    if page.javascript:  # the State's chart components draw on a canvas
        expect(page.locator("bar-chart canvas")).to_have_count(2)
    else:  # without JavaScript the data tables are the charts' reading
        expect(page.locator("bar-chart canvas")).to_have_count(0)
    jobs = page.get_by_role("table", name="Besoins par métier (ROME) – Bassin d'emploi : Dijon, "
                                          "du 01/05/2026 au 31/05/2026")
    expect(jobs.get_by_role("row").filter(has_text="F1202")).to_contain_text("En tension")
    plans = page.get_by_role("row").filter(has_text="Besoins recueillis").filter(has_text="100")
    expect(plans).to_contain_text("2")
    expect(page.get_by_role("row").filter(has_text="Club des entreprises")).to_contain_text("1")
    screenshot("indicateurs-tableau")
    axe()
    page.get_by_label("Comparer les tableaux détaillés à").select_option(label="La même période un an avant")
    submit(page, "Filtrer")
    jobs = page.get_by_role("table", name="Besoins par métier (ROME) – Bassin d'emploi : Dijon, du "
                                          "01/05/2026 au 31/05/2026, comparé à la même période un an avant")
    expect(jobs.get_by_role("columnheader", name="Un an avant")).to_have_count(6)
    # F1202 in May 2026: the need filled; nothing in May 2025; none closed for lack of candidates
    expect(jobs.get_by_role("row").filter(has_text="F1202").get_by_role("cell")).to_have_text(
        ["1", "0", "2", "0", "1", "0", "100,0 %", "non disponible", "16,0", "non disponible", "0,0 %",
         "non disponible"])
    jobs.scroll_into_view_if_needed()
    screenshot("indicateurs-tableaux-compares")
    axe()
    jobs.get_by_role("row").filter(has_text="F1202").get_by_role("link").first.click()
    expect(page.get_by_text("1 demande", exact=False).first).to_be_visible()
    page.go_back()
    pilot = db.session.scalars(sa.select(m.RsaPilotTerritory)
                               .where(m.RsaPilotTerritory.code == "200000925")).one()
    page.get_by_label("Niveau", exact=True).select_option(label="Territoire pilote RSA")
    page.get_by_label("Territoire pilote RSA").select_option(value=str(pilot.id))
    submit(page, "Filtrer")
    expect(page.get_by_role("heading", level=2)).to_contain_text(f"Territoire pilote RSA : {pilot.label}")
    screenshot("indicateurs-territoire-rsa")
    axe()
    page.get_by_role("link", name="Définitions des indicateurs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Définitions des indicateurs")
    screenshot("indicateurs-definitions")
    axe()
    page.goto(f"{live_server}/entreprises?rsa_territory={pilot.id}")  # a firms figure's list
    expect(page.get_by_label("Territoire pilote RSA")).to_have_value(str(pilot.id))
    axe()
    axe.end()


def test_the_regional_dashboard_maps_the_basins(live_server, page, screenshot, axe, ines):
    sign_in(page, live_server, ines)
    page.goto(f"{live_server}/pilotage/indicateurs?level=region&code=27&from=2026-05-01&to=2026-05-31")
    heading = "Besoins pour 1 000 établissements par bassin d'emploi"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    table = page.get_by_role("table", name=f"{heading} – Région : Bourgogne-Franche-Comté, "
                                           "du 01/05/2026 au 31/05/2026")
    expect(table.get_by_role("row").filter(has_text="Dijon")).to_contain_text("1")
    if page.javascript:  # the basins are drawn, shaded, on the map
        expect(page.locator(".crm-map path.leaflet-interactive").first).to_be_visible()
    screenshot("indicateurs-carte-bassins")
    axe()
    table.get_by_role("link", name="Dijon").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Bassin d'emploi : Dijon, du 01/05/2026")
    expect(page.get_by_role("heading", name=heading)).to_have_count(0)  # a basin has no basin map
    axe()
    axe.end()


def test_an_adviser_reads_their_own_figures(live_server, page, screenshot, axe, ines, adviser):
    sign_in(page, live_server, adviser)
    open_submenu(page, "Ma journée", "Menu de ma journée", "Mes indicateurs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs des comités")
    page.get_by_label("Du", exact=True).fill("2026-05-01")
    page.get_by_label("Au", exact=True).fill("2026-05-31")
    submit(page, "Filtrer")
    expect(page.get_by_role("heading", level=2)).to_contain_text(f"Conseiller : {adviser.name}")
    expect(page.get_by_role("row").filter(has_text="Besoins recueillis").first).to_contain_text("1")
    expect(page.get_by_text("les plans de prospection sont fixés par bassin")).to_be_visible()
    screenshot("indicateurs-conseiller")
    axe()
    # their needs: the period's figure, before the compared periods' (linked too)
    page.locator("#indicateur-needs_collected").get_by_role("link").first.click()
    expect(page.get_by_label("Conseiller pilote")).to_have_value(str(adviser.id))
    expect(page.get_by_text("1 demande", exact=False).first).to_be_visible()
    axe()
    axe.end()
