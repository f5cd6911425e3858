"""After the hire, in a real browser: the employer answers the two satisfaction questions on the
tracking page (once), the adviser records a follow-up's outcome on the need page, a manager reads
the results per organisation and basin, an admin sets the alert threshold; axe-core finds no
serious problem on these pages."""

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.needs import aftercare, satisfaction
from crm.services.needs import workflow as wf
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import dijon, sign_in, submit, tick

pytestmark = pytest.mark.browser


def closed_need(adviser: m.User) -> m.HiringNeed:
    need = f.HiringNeedFactory(organisation=adviser.organisation, adviser=adviser, positions=2,
                               status=m.NeedStatus.IN_PROGRESS, contract_type=m.ContractType.CDI,
                               company=f.CompanyFactory(name="Boulangerie Martin"))
    wf.close(need, adviser, m.NeedStatus.FILLED, 2, None)
    unit_of_work.commit()
    return need


def test_the_employer_answers_the_survey_on_the_tracking_page(live_server, page, axe, screenshot):
    agency = f.OrganisationFactory(name="France Travail Dijon", basins=[dijon()])
    need = closed_need(f.UserFactory(organisation=agency, name="Paul Girard"))

    page.goto(f"{live_server}/recrutement/suivi/{need.tracking_token}")
    expect(page.get_by_role("heading", name="Votre avis sur notre accompagnement")).to_be_visible()
    axe()
    submit(page, "Envoyer mon avis")  # nothing ticked: both questions are asked again
    expect(page.get_by_text("Répondez par oui ou par non : avez-vous été contacté rapidement ?")
           ).to_be_visible()
    screenshot("suivi-avis-erreurs")
    axe()
    tick(page.locator("fieldset", has_text="contacté rapidement"), "Oui")
    tick(page.locator("fieldset", has_text="utile"), "Non")
    page.get_by_label("Commentaire (facultatif)").fill("Les candidats ne convenaient pas.")
    screenshot("suivi-avis-formulaire")
    submit(page, "Envoyer mon avis")
    expect(page.get_by_text("Merci : votre avis est enregistré.")).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer mon avis")).to_have_count(0)
    screenshot("suivi-avis-merci")
    axe()
    axe.end()
    db.session.expire_all()
    survey = satisfaction.survey_of(need)
    assert (survey.contacted_quickly, survey.useful) == (True, False)


def test_the_adviser_records_a_departure_and_the_manager_reads_the_results(
        live_server, page, axe, screenshot):
    agency = f.OrganisationFactory(name="France Travail Dijon", basins=[dijon()])
    adviser = f.UserFactory(organisation=agency, name="Paul Girard", basins=[dijon()])
    manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                            basins=[dijon()])
    need = closed_need(adviser)
    satisfaction.answer(need, True, True, None)
    unit_of_work.commit()

    sign_in(page, live_server, adviser)
    page.goto(f"{live_server}/a-faire")
    expect(page.get_by_role("button", name="Tous toujours en poste").first).to_be_visible()
    screenshot("taches-suivi-apres-recrutement")
    axe()
    page.goto(f"{live_server}/demandes/{need.reference}#apres-recrutement")
    row = page.locator("tr", has_text="Fin de la période d'essai")
    row.get_by_label("Nombre de départs").fill("1")
    row.get_by_label("Raison du départ").select_option(label="Démission")
    with page.expect_navigation():
        row.get_by_role("button", name="Enregistrer les départs").click()
    expect(page.get_by_text("1 sur 2 en poste ; départ : Démission")).to_be_visible()
    screenshot("demande-apres-recrutement")
    axe()
    db.session.expire_all()
    trial = aftercare.follow_ups_of(need)[1]
    assert (trial.in_post, trial.leaving_reason) == (1, m.LeavingReason.RESIGNATION)

    page.context.clear_cookies()
    sign_in(page, live_server, manager)
    page.goto(f"{live_server}/demandes/apres-recrutement")
    table = page.get_by_role("table", name="Résultats par structure pilote")
    expect(table.get_by_text("France Travail Dijon")).to_be_visible()
    expect(table.get_by_text("1 sur 2").first).to_be_visible()
    screenshot("apres-recrutement-resultats")
    axe()
    axe.end()


def test_an_admin_sets_the_satisfaction_threshold(live_server, page, axe, screenshot):
    admin = f.UserFactory(role=m.Role.ADMIN, name="Jeanne Admin")
    db.session.commit()
    sign_in(page, live_server, admin)
    page.goto(f"{live_server}/admin/satisfaction")
    page.get_by_label("Seuil de « oui » (%)").fill("70")
    submit(page, "Enregistrer les seuils")
    expect(page.get_by_text("Les seuils de satisfaction des employeurs sont enregistrés.")).to_be_visible()
    screenshot("admin-satisfaction")
    axe()
    axe.end()
    db.session.expire_all()
    assert satisfaction.settings().threshold_percent == 70
