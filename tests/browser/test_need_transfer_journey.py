"""Another organisation's manager proposes to take over a need of her basin that APEC pilots, and
APEC's adviser accepts, in a real browser with and without JavaScript; axe-core finds no serious or
critical accessibility problem on the pages met."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.browser.journeys import dijon, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def apec_need(agency):
    apec = f.OrganisationFactory(name="APEC Dijon", kind=m.OrganisationKind.APEC, basins=[dijon()])
    hugo = f.UserFactory(organisation=apec, name="Hugo Lemaire", email="hugo@apec.fr",
                         basins=[dijon()])
    return f.HiringNeedFactory(
        reference="BFC-2026-900010", organisation=apec, adviser=hugo,
        status=m.NeedStatus.ASSIGNED, job_title="Responsable de production",
        company=f.CompanyFactory(name="Fonderie de Bourgogne"),
        routing_reason=("Règle « Cadres » : APEC Dijon, qui couvre le bassin, pilote la demande ; "
                        "conseiller désigné : Hugo Lemaire (conseiller du bassin le moins chargé)."),
        first_contact_due_at=m.utcnow() + timedelta(days=2))


def test_a_manager_proposes_a_transfer_and_the_pilot_accepts(live_server, page, screenshot, axe,
                                                           agency, apec_need):
    ines = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                         email="ines@francetravail.fr", basins=[dijon()])
    url = f"{live_server}/demandes/{apec_need.reference}"
    sign_in(page, live_server, ines)
    page.goto(url)
    expect(page.get_by_text("Cette demande est pilotée par APEC Dijon.")).to_be_visible()
    expect(page.get_by_role("button", name="Prendre en charge")).to_have_count(0)
    propose = page.get_by_role("region", name="Proposer de reprendre la demande")
    with page.expect_navigation():
        propose.get_by_role("button", name="Proposer le transfert à France Travail Dijon").click()
    expect(page.get_by_text("Indiquez pourquoi votre structure devrait piloter cette demande.")
           ).to_be_visible()
    propose = page.get_by_role("region", name="Proposer de reprendre la demande")
    propose.get_by_label("Motif de la proposition").fill(
        "L'entreprise est suivie par notre agence depuis 2019.")
    with page.expect_navigation():
        propose.get_by_role("button", name="Proposer le transfert à France Travail Dijon").click()
    expect(page.get_by_text("Votre proposition de transfert est envoyée à APEC Dijon.")
           ).to_be_visible()
    expect(page.get_by_text("Votre proposition de reprendre la demande attend la réponse "
                            "d'APEC Dijon.")).to_be_visible()
    screenshot("responsable-proposition-de-transfert")
    axe()

    page.context.clear_cookies()
    sign_in(page, live_server, apec_need.adviser)
    page.goto(url)
    proposals = page.get_by_role("region", name="Propositions de transfert")
    expect(proposals).to_contain_text("Inès Manager (France Travail Dijon) propose de reprendre "
                                      "cette demande")
    expect(proposals).to_contain_text("L'entreprise est suivie par notre agence depuis 2019.")
    screenshot("pilote-proposition-en-attente")
    axe()
    with page.expect_navigation():
        proposals.get_by_role("button", name="Accepter le transfert à France Travail Dijon").click()
    page.wait_for_url(f"{live_server}/demandes")  # the need has left APEC's reach
    expect(page.get_by_text("La demande est transférée à France Travail Dijon.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, ines)
    page.goto(url)
    expect(page.get_by_text(
        "Transférée d'APEC Dijon à France Travail Dijon par Hugo Lemaire (APEC Dijon), sur "
        "proposition d'Inès Manager (France Travail Dijon)")).to_be_visible()
    expect(page.get_by_role("region", name="Enregistrer le premier contact")).to_be_visible()
    history = page.get_by_role("table", name="Historique de la demande")
    expect(history.get_by_role("row").filter(has_text="Transfert accepté par Hugo Lemaire")
           ).to_have_count(1)
    screenshot("responsable-transfert-accepte")
    axe()

    db.session.expire_all()
    need = db.session.get(m.HiringNeed, apec_need.id)
    assert (need.organisation_id, need.adviser_id) == (agency.id, ines.id)
    axe.end()
