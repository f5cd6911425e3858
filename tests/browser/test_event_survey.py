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
