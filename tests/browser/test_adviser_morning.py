"""An adviser's morning in a real browser, with and without JavaScript: sign in, open "Ma journée",
open the late need it lists, go to the firm, log a task-force visit with a partner adviser (a need
identified, a service proposed, a follow-up task), and find the visit on the firm's timeline.
axe-core finds no serious or critical problem on each page."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.browser.journeys import dijon, open_menu, sign_in, submit, tick

pytestmark = pytest.mark.browser


@pytest.fixture
def mission_locale():
    """A Mission locale covering Dijon, with an adviser who joins the visit."""
    organisation = f.OrganisationFactory(name="Mission locale du Dijonnais",
                                         kind=m.OrganisationKind.MISSION_LOCALE, basins=[dijon()])
    return f.UserFactory(organisation=organisation, name="Lina Roche", basins=[dijon()])


@pytest.fixture
def todays_task(adviser, late_need):
    return f.FollowUpFactory(title="Rappeler la boulangerie", due_on=m.utcnow().date(), assignee=adviser,
                         company=late_need.company, created_by_id=adviser.id)


def test_an_adviser_morning_ends_with_a_task_force_visit_on_the_timeline(
        live_server, page, screenshot, axe, adviser, late_need, mission_locale, todays_task):
    sign_in(page, live_server, adviser)
    open_menu(page, "Ma journée")
    page.wait_for_url(f"{live_server}/ma-journee")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ma journée")
    expect(page.get_by_role("link", name="Rappeler la boulangerie")).to_be_visible()
    late = page.locator("section[aria-labelledby=demandes-en-retard]")
    expect(late.get_by_role("link", name=late_need.reference)).to_be_visible()
    screenshot("matinee-ma-journee")
    axe()

    late.get_by_role("link", name=late_need.reference).click()
    page.wait_for_url(f"{live_server}/demandes/{late_need.reference}")
    expect(page.get_by_role("heading", name=f"Demande {late_need.reference}")).to_be_visible()
    axe()

    page.get_by_role("link", name="Boulangerie Martin").first.click()
    page.wait_for_url(re.compile(rf"{live_server}/entreprises/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boulangerie Martin")
    axe()

    page.get_by_role("link", name="Planifier une visite").click()
    page.wait_for_url(re.compile(r".*/visites/nouvelle$"))
    yesterday = (m.utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    page.get_by_label("Date et heure").fill(yesterday)
    page.get_by_label("Statut").select_option(label="Réalisée")
    page.get_by_label("Objet de la visite").fill("Recueil des besoins de la boulangerie")
    participants = page.locator("fieldset").filter(has_text="Participants")
    expect(participants.get_by_label("Paul Girard (France Travail Dijon)")).to_be_checked()
    tick(participants, "Lina Roche (Mission locale du Dijonnais)")
    page.get_by_label("Constats").fill("Deux départs en retraite ; intérêt pour une POEI.")
    services = page.locator("fieldset").filter(has_text="Services proposés")
    tick(services, "POEI – préparation opérationnelle à l'emploi individuelle")
    first_need = page.locator("fieldset").filter(has_text="Besoin 1")
    first_need.get_by_label("Intitulé du poste").fill("Vendeur en boulangerie")
    first_need.get_by_label("Nombre de postes").fill("1")
    first_need.get_by_label("Contrat").select_option(label="CDI")
    first_need.get_by_label("Nom du contact").fill("Camille Martin")
    first_need.get_by_label("Son adresse électronique").fill("camille@boulangerie.fr")
    page.get_by_label("Tâche de suivi (facultatif)").fill("Envoyer la convention de POEI")
    page.get_by_label("Échéance de la tâche").fill((m.utcnow().date() + timedelta(days=3)).isoformat())
    screenshot("matinee-visite-formulaire")
    axe()
    submit(page, "Enregistrer la visite")

    screenshot("matinee-visite-enregistree")
    page.wait_for_url(re.compile(r".*/visites/\d+$"))
    expect(page.get_by_text("Lina Roche – Mission locale du Dijonnais")).to_be_visible()
    axe()

    visit = db.session.scalar(sa.select(m.Visit).order_by(m.Visit.id.desc()))
    assert {p.organisation.name for p in visit.participants} == {"France Travail Dijon",
                                                                 "Mission locale du Dijonnais"}
    need = db.session.scalar(sa.select(m.HiringNeed).where(m.HiringNeed.visit_id == visit.id))
    assert need is not None and need.organisation_id is not None
    assert db.session.scalar(sa.select(m.FollowUp).where(m.FollowUp.visit_id == visit.id)).title == (
        "Envoyer la convention de POEI")

    page.goto(f"{live_server}/entreprises/{late_need.company_id}")
    timeline = page.locator("ol.crm-timeline")
    entry = timeline.locator("li").filter(has_text="Recueil des besoins de la boulangerie").first
    expect(entry).to_contain_text("Mission locale du Dijonnais")
    expect(entry).to_contain_text("France Travail Dijon")
    screenshot("matinee-fiche-entreprise")
    axe()
    axe.end()
