"""An employer files a request in a real browser and lands on its tracking page; axe-core finds
no serious or critical accessibility problem on either page."""

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from tests import factories as f

pytestmark = pytest.mark.browser


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical findings (axe needs JavaScript: none without it)."""
    from axe_playwright_python.sync_playwright import Axe

    if not page.javascript:
        return []
    results = Axe().run(page)
    found = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    for violation in found:
        targets = [node["target"] for node in violation["nodes"]]
        print(f"{violation['impact']}: {violation['id']} – {violation['help']} {targets}")
    return found


@pytest.fixture
def agency():
    dijon = db.session.get(m.Basin, "2711")
    organisation = f.OrganisationFactory(name="France Travail Dijon", basins=[dijon])
    return f.UserFactory(organisation=organisation, name="Paul Girard", basins=[dijon])


def fill_essentials(page) -> None:
    page.get_by_label("Numéro SIRET").fill("732 829 320 00074")
    page.get_by_label("Nom de l'entreprise").fill("Boulangerie Martin")
    page.get_by_label("Code postal du lieu de travail").fill("21110")
    page.get_by_label("Métier recherché").fill("F1703")
    page.get_by_label("Nombre de postes").fill("2")
    page.get_by_label("Type de contrat").select_option("cdd")
    page.get_by_label("Durée du contrat en mois").fill("6")
    page.get_by_label("Nom et prénom").fill("Camille Martin")
    page.get_by_label("Adresse électronique").fill("camille@boulangerie.fr")
    page.get_by_label("Téléphone (facultatif)").fill("03 80 12 34 56")
    page.get_by_text("J'accepte que ces informations").click()


def fill_details(page) -> None:
    page.get_by_text("Précisions (facultatif)").click()
    page.get_by_text(m.EmployerService.JOB_DATING.label).click()
    page.get_by_label("Description du poste (facultatif)").fill("Travail en équipe, permis B.")


def choose_commune(page, name: str) -> None:
    """With JavaScript the list fills as the postal code is typed; without, after sending."""
    if not page.javascript:
        page.get_by_role("button", name="Envoyer ma demande").click()
        assert page.get_by_text("25 communes ont ce code postal").first.is_visible()
    page.get_by_label("Commune du lieu de travail").select_option(label=name)


def test_an_employer_files_a_request_and_follows_it(live_server, page, screenshot, agency):
    page.goto(f"{live_server}/recrutement")
    screenshot("recrutement-formulaire")
    assert serious_violations(page) == []

    fill_essentials(page)
    fill_details(page)
    choose_commune(page, "Genlis")
    screenshot("recrutement-formulaire-rempli")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/recrutement/confirmation/**")
    screenshot("recrutement-confirmation")
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert (need.commune_code, need.contract_months, need.adviser_id) == ("21292", 6, agency.id)
    assert (need.services, need.description) == (["job_dating"], "Travail en équipe, permis B.")
    assert page.get_by_text(need.reference).first.is_visible()
    assert serious_violations(page) == []

    tracking_url = f"{live_server}/recrutement/suivi/{need.tracking_token}"
    page.get_by_role("link", name=tracking_url).click()
    page.wait_for_url(tracking_url)
    screenshot("recrutement-suivi")
    assert page.get_by_role("heading", name="Suivi de votre demande de recrutement").is_visible()
    assert page.get_by_text("Paul Girard (France Travail Dijon) va vous contacter").is_visible()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Retirer ma demande…").click()
    page.wait_for_url(f"{tracking_url}/retrait")
    screenshot("recrutement-retrait")
    assert page.get_by_role("heading", name="Retirer votre demande de recrutement ?").is_visible()
    assert serious_violations(page) == []
    page.get_by_label("Motif du retrait (facultatif)").fill("Poste pourvu en interne.")
    page.get_by_role("button", name="Confirmer le retrait de ma demande").click()
    page.wait_for_url(tracking_url)
    assert page.get_by_text("Votre demande est retirée.").is_visible()
    db.session.expire_all()
    assert db.session.get(m.HiringNeed, need.id).status == m.NeedStatus.CANCELLED


def test_an_invalid_request_shows_an_accessible_error_summary(live_server, page, screenshot):
    page.goto(f"{live_server}/recrutement")
    page.get_by_role("button", name="Envoyer ma demande").click()
    summary = page.get_by_role("alert").filter(has_text="Votre demande n'a pas été envoyée")
    assert summary.is_visible()
    screenshot("recrutement-erreurs")
    assert serious_violations(page) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.HiringNeed)) == 0
