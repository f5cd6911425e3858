"""In a real browser: an admin gives a partner's connector a token limited to the indicators, and an
adviser closes a need unfilled with a reason from the list, which the need's page then shows;
axe-core finds no serious problem on these pages."""

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import dijon, sign_in, submit, tick

pytestmark = pytest.mark.browser


def test_an_admin_creates_a_token_for_the_indicators_only(live_server, page, axe, screenshot):
    admin = f.UserFactory(role=m.Role.ADMIN, name="Alice Admin")
    partner = f.UserFactory(role=m.Role.PARTNER, name="Connecteur CCI",
                            organisation=f.OrganisationFactory(name="CCI Côte-d'Or",
                                                               kind=m.OrganisationKind.CCI))
    unit_of_work.commit()
    sign_in(page, live_server, admin)
    page.goto(f"{live_server}/admin/utilisateurs/{partner.id}/jetons")
    page.get_by_label("Nom du jeton").fill("Tableau de bord CCI")
    scopes = page.locator("fieldset", has_text="Portées du jeton")
    expect(scopes.get_by_label("Besoins et suivi", exact=False)).to_be_checked()
    scopes.get_by_text("Besoins et suivi", exact=False).click()  # untick: the indicators only
    tick(scopes, "Indicateurs : lire les indicateurs des comités (chiffres agrégés, sans aucun nom)")
    screenshot("jeton-portees")
    axe()
    submit(page, "Créer le jeton")
    expect(page.get_by_text("portées : Indicateurs.")).to_be_visible()
    page.get_by_role("link", name="Retour aux jetons de Connecteur CCI").click()
    expect(page.get_by_role("cell", name="Indicateurs", exact=True)).to_be_visible()
    axe()
    axe.end()
    db.session.expire_all()
    assert db.session.scalar(db.select(m.ApiToken.scopes)) == ["indicators"]


def test_an_adviser_closes_a_need_for_lack_of_candidates(live_server, page, axe, screenshot):
    agency = f.OrganisationFactory(name="France Travail Dijon", basins=[dijon()])
    adviser = f.UserFactory(organisation=agency, name="Paul Girard", basins=[dijon()])
    need = f.HiringNeedFactory(organisation=agency, adviser=adviser, positions=2,
                               status=m.NeedStatus.IN_PROGRESS,
                               company=f.CompanyFactory(name="Boulangerie Martin"))
    unit_of_work.commit()
    sign_in(page, live_server, adviser)
    page.goto(f"{live_server}/demandes/{need.reference}")
    page.get_by_label("Issue", exact=True).select_option(label="Non pourvue")
    submit(page, "Clôturer la demande")  # no reason picked: asked for it, nothing closed
    expect(page.get_by_text("Choisissez le motif de clôture dans la liste.")).to_be_visible()
    screenshot("cloture-motif-manquant")
    axe()
    page.get_by_label("Motif de clôture").select_option(label="Manque de candidats")
    page.get_by_label("Précisions").fill("Aucun boulanger disponible sur le bassin.")
    submit(page, "Clôturer la demande")
    expect(page.get_by_text("La demande est clôturée.")).to_be_visible()
    details = page.locator("dl.crm-details", has_text="Motif de clôture")
    expect(details).to_contain_text("Motif de clôture")
    expect(details).to_contain_text("Manque de candidats")
    screenshot("cloture-motif")
    axe()
    axe.end()
    db.session.expire_all()
    assert db.session.get(m.HiringNeed, need.id).closing_reason == m.ClosingReason.LACK_OF_CANDIDATES
