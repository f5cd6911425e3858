"""A POE request in a real browser, with and without JavaScript: the adviser writes it from a need
and reads each check with its reason and source, submits it; the manager reviews and approves it,
records the convention, the entry in training, its end and the hire; the printable summary; the
employer's wish from the tracking page. axe-core finds no serious or critical problem."""

from datetime import datetime

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import dijon, sign_in, submit

pytestmark = pytest.mark.browser


@pytest.fixture
def need(agency, adviser, project_clock):
    project_clock.travel_to(datetime(2026, 6, 1, 8))
    found = f.HiringNeedFactory(organisation=agency, adviser=adviser, status=m.NeedStatus.ASSIGNED)
    unit_of_work.commit()
    return found


@pytest.fixture
def manager(agency):
    user = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                         basins=[dijon()])
    unit_of_work.commit()
    return user


def step(page, button: str, day: str | None = None, target: str | None = None) -> None:
    if day:
        page.locator(f"#day-{target}").fill(day)
    submit(page, button)


def test_request_eligibility_approval_convention_hire(live_server, page, screenshot, axe, need,
                                                      adviser, manager, project_clock):
    sign_in(page, live_server, adviser)
    page.goto(f"{live_server}/formations/nouvelle?besoin={need.reference}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Former un candidat avant de l'embaucher")
    page.get_by_label("Mode de formation").select_option(label="Organisme de formation")
    page.get_by_label("Contrat promis à l'issue de la formation").select_option(label="CDD")
    page.get_by_label("Durée du contrat (mois)").fill("6")
    page.get_by_label("Heures en organisme de formation").fill("350")
    for label, answer in [("Public prioritaire (RSA, senior…)", "Non"),
                          ("Offre déposée auprès de France Travail", "Oui"),
                          ("Employeur à jour de ses cotisations sociales", "Oui"),
                          ("Licenciement économique dans les 12 derniers mois", "Non"),
                          ("Refus d'embauche sans motif après une POEI ou AFPR", "Non"),
                          ("Particulier employeur", "Non"), ("Organisme certifié Qualiopi", "Oui")]:
        page.get_by_label(label).select_option(label=answer)
    page.get_by_label("Organisme de formation", exact=True).fill("AFPA Dijon")
    page.get_by_label("Candidat (initiales ou libellé minimal)").fill("J. D.")
    screenshot("poe-formulaire")
    axe()
    submit(page, "Enregistrer la demande")
    expect(page.get_by_role("heading", level=2, name="Éligibilité : À compléter")).to_be_visible()
    checks = page.get_by_role("table", name="Contrôles d'éligibilité : règle, résultat, raison et source")
    expect(checks.get_by_role("row").filter(has_text="Contrat proposé")).to_contain_text("décret n° 2024-561")
    expect(checks.get_by_role("row").filter(has_text="Convention signée")).to_contain_text("À vérifier")
    screenshot("poe-demande")
    axe()
    step(page, "Déposer la demande")
    request_url = page.url

    page.context.clear_cookies()
    sign_in(page, live_server, manager)
    page.goto(request_url)
    step(page, "Prendre en instruction")
    step(page, "Accorder")
    expect(page.get_by_text("Statut : Accordée")).to_be_visible()
    project_clock.travel_to(datetime(2026, 6, 20, 8))
    step(page, "Convention signée", "2026-06-05", "convention_signed")
    page.locator("#day-in_training").fill("2026-06-04")
    page.get_by_role("button", name="Entrée en formation").click()
    expect(page.get_by_role("alert")).to_contain_text("avant la signature de la convention")
    step(page, "Entrée en formation", "2026-06-08", "in_training")
    step(page, "Formation terminée", "2026-06-18", "completed")
    step(page, "Embauche réalisée", "2026-06-19", "hired")
    expect(page.get_by_text("Statut : Embauche réalisée")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Éligibilité : Éligible")).to_be_visible()
    expect(page.get_by_text("Candidat n°")).to_be_visible()
    screenshot("poe-embauche")
    axe()
    page.get_by_role("link", name="Récapitulatif de convention (imprimer)").click()
    expect(page.get_by_text("récapitulatif de convention", exact=False).first).to_be_visible()
    screenshot("poe-convention")
    axe()
    axe.end()


def test_the_employer_wishes_to_train_before_hiring(live_server, page, screenshot, axe, need):
    page.goto(f"{live_server}/recrutement/suivi/{need.tracking_token}")
    submit(page, "Je souhaite former un candidat avant de l'embaucher")
    expect(page.get_by_text("Votre souhait est transmis")).to_be_visible()
    axe()
    axe.end()
