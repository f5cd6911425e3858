"""The satisfaction survey after an event in a real browser, with and without JavaScript: the
candidate opens the link of the e-mail, forgets to answer, is told so in French, answers, and a
second answer is refused politely; axe-core finds no serious or critical problem."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.events import surveys
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import submit, tick

pytestmark = pytest.mark.browser


def test_a_candidate_answers_the_survey_once(live_server, page, screenshot, axe, agency,
                                             mission_locale):
    starts = datetime(2026, 6, 9, 7, 0)  # the day before the project clock's morning
    event = f.EventFactory(status=m.EventStatus.HELD, organisers=[agency, mission_locale],
                           title="Job dating BTP de Dijon", starts_at=starts,
                           ends_at=starts + timedelta(hours=3))
    f.EventRegistrationFactory(event_id=event.id, name="Camille Durand", email="camille@exemple.fr",
                               queue_number=1, checked_in_at=starts)
    db.session.flush()
    surveys.send_surveys()
    unit_of_work.commit()
    body = db.session.scalar(db.select(m.OutboxMessage.body)
                             .where(m.OutboxMessage.kind == "event_survey"))
    line = next(line for line in body.splitlines() if surveys.LINK_PATH in line)
    link = live_server + line[line.index(surveys.LINK_PATH):]

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre avis sur « Job dating BTP de Dijon »")
    expect(page.get_by_text("Organisé par France Travail Dijon et Mission locale Dijon")).to_be_visible()
    screenshot("evenement-avis")
    axe()
    submit(page, "Envoyer mon avis")
    expect(page.get_by_text("Répondez par oui ou par non : l'événement vous a-t-il été utile ?")
           ).to_be_visible()
    screenshot("evenement-avis-erreurs")
    axe()
    tick(page.get_by_role("radiogroup", name="L'événement vous a-t-il été utile ?"), "Oui")
    tick(page.get_by_role("radiogroup", name="Recommanderiez-vous ce type d'événement ?"), "Oui")
    page.get_by_label("Commentaire (facultatif)").fill("Des recruteurs disponibles, merci.")
    submit(page, "Envoyer mon avis")
    expect(page.get_by_text("Merci : votre avis est enregistré.")).to_be_visible()
    expect(page.get_by_text("Des recruteurs disponibles, merci.")).to_be_visible()
    screenshot("evenement-avis-merci")
    axe()
    survey = db.session.scalar(db.select(m.EventSurvey))
    db.session.refresh(survey)
    assert (survey.useful, survey.recommend) == (True, True)
    axe.end()


def test_the_indicators_page_and_the_purge_setting_are_accessible(live_server, page, screenshot, axe,
                                                                   agency, mission_locale, adviser):
    from tests.browser.journeys import sign_in

    event = f.EventFactory(status=m.EventStatus.PUBLISHED, organisers=[agency, mission_locale],
                           title="Forum emploi santé")
    f.EventRegistrationFactory(event_id=event.id, queue_number=1)
    f.EventCompanyFactory(event_id=event.id, status=m.ParticipationStatus.CONFIRMED)
    admin = f.UserFactory(organisation=agency, role=m.Role.ADMIN, name="Alice Admin")
    unit_of_work.commit()
    sign_in(page, live_server, admin)
    page.goto(f"{live_server}/gestion/evenements")
    page.get_by_role("link", name="Tous les indicateurs par bassin et par événement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs des événements")
    expect(page.get_by_role("link", name="Forum emploi santé")).to_be_visible()
    screenshot("evenements-indicateurs")
    axe()
    page.goto(f"{live_server}/admin/evenements")
    page.get_by_label("Délai d'effacement des données des candidats").fill("40")
    submit(page, "Enregistrer le délai")
    expect(page.get_by_text("Indiquez un nombre de mois entre 1 et 36.")).to_be_visible()
    axe()
    page.get_by_label("Délai d'effacement des données des candidats").fill("3")
    submit(page, "Enregistrer le délai")
    expect(page.get_by_text("Le délai d'effacement des données des candidats aux événements est "
                            "enregistré.")).to_be_visible()
    screenshot("admin-evenements")
    axe()
    axe.end()


def test_a_firm_files_a_need_from_its_link_and_the_survey_results_show(
        live_server, browser, page, screenshot, axe, agency, adviser):
    from crm.services.events import firms
    from tests.browser.journeys import sign_in

    starts = datetime(2026, 6, 9, 7, 0)
    held = f.EventFactory(status=m.EventStatus.HELD, organisers=[agency], title="Job dating d'hier",
                          starts_at=starts, ends_at=starts + timedelta(hours=3),
                          created_by_id=adviser.id)
    f.EventRegistrationFactory(event_id=held.id, queue_number=1, checked_in_at=starts)
    db.session.flush()
    surveys.send_surveys()
    survey = db.session.scalar(db.select(m.EventSurvey))
    surveys.answer(survey, True, False, "Bonne organisation")
    coming = f.EventFactory(status=m.EventStatus.PUBLISHED, organisers=[agency],
                            title="Job dating BTP de Dijon")
    row = f.EventCompanyFactory(event_id=coming.id, status=m.ParticipationStatus.INVITED,
                                company=f.CompanyFactory(name="Maçonnerie Dupont"))
    unit_of_work.commit()

    page.goto(f"{live_server}/evenements/entreprise/{firms.firm_token(row)}")
    page.get_by_text("Remplir la demande de recrutement").click()
    page.get_by_label("Métier recherché").fill("F1703")
    page.get_by_label("Type de contrat").select_option(label="CDI")
    page.get_by_label("Nom et prénom").fill("Julie Dupont")
    page.get_by_label("Adresse électronique").fill("julie@dupont.fr")
    submit(page, "Envoyer ma demande")
    expect(page.get_by_text("Vous devez accepter le traitement de vos données pour envoyer la "
                            "demande.", exact=True)).to_be_visible()
    screenshot("evenement-entreprise-demande-erreurs")
    axe()
    page.locator("details").get_by_text("J'accepte que ces informations soient utilisées").click()
    submit(page, "Envoyer ma demande")
    need = db.session.scalar(db.select(m.HiringNeed))
    expect(page.get_by_text(f"Votre demande {need.reference} est enregistrée")).to_be_visible()
    axe()

    sign_in(page, live_server, adviser)
    page.goto(f"{live_server}/gestion/evenements/{held.id}")
    expect(page.get_by_text("Avis après l'événement")).to_be_visible()
    expect(page.get_by_text("Bonne organisation")).to_be_visible()
    screenshot("evenement-avis-resultats")
    axe()
    axe.end()


def test_the_events_list_filtered_as_a_dashboard_figure_shows_its_totals(
        live_server, page, screenshot, axe, agency, mission_locale):
    """The list an event figure links to: the held events of a département over days, each
    event's firms, candidates present, interviews and hires, and the totals line; a wrong day is
    refused in French."""
    from tests.browser.journeys import sign_in

    starts = datetime(2026, 5, 12, 7, 0)
    held = f.EventFactory(status=m.EventStatus.HELD, organisers=[agency, mission_locale],
                          title="Job dating logistique", starts_at=starts,
                          ends_at=starts + timedelta(hours=3))
    f.EventFactory(status=m.EventStatus.PUBLISHED, organisers=[agency], title="Forum à venir")
    f.EventRegistrationFactory(event_id=held.id, queue_number=1, checked_in_at=starts)
    f.EventRegistrationFactory(event_id=held.id, queue_number=2)
    f.EventCompanyFactory(event_id=held.id, status=m.ParticipationStatus.CONFIRMED, interviews=3,
                          hires=1, outcomes_at=starts + timedelta(days=1))
    f.EventCompanyFactory(event_id=held.id, status=m.ParticipationStatus.CONFIRMED)
    admin = f.UserFactory(organisation=agency, role=m.Role.ADMIN, name="Alice Admin")
    unit_of_work.commit()
    sign_in(page, live_server, admin)
    page.goto(f"{live_server}/gestion/evenements?status=held&department=21"
              "&from_day=2026-05-01&to_day=2026-05-31")
    expect(page.get_by_role("link", name="Job dating logistique")).to_be_visible()
    expect(page.get_by_role("link", name="Forum à venir")).to_have_count(0)
    total = page.locator("tfoot tr")
    expect(total).to_contain_text("Total (1 événement, toutes pages)")
    expect(total.locator("td[data-label='Présents total']")).to_have_text("1")
    expect(total.locator("td[data-label='Entreprises confirmées total']")).to_contain_text(
        "2 entreprises distinctes")
    expect(total.locator("td[data-label='Entretiens déclarés total']")).to_have_text("3")
    expect(total.locator("td[data-label='Embauches déclarées total']")).to_have_text("1")
    screenshot("evenements-liste-filtree")
    axe()
    response = page.goto(f"{live_server}/gestion/evenements?status=held&from_day=hier")
    assert response is not None and response.status == 422
    expect(page.get_by_text("N'est pas une date valide.")).to_be_visible()
    axe()
    axe.end()
