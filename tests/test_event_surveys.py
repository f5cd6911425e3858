"""The satisfaction survey after an event: e-mailed the day after to present candidates and
confirmed firms (once per event), answered once through an expiring signed link, in French without
JavaScript, results on the staff's event page, candidates' comments purged with their data."""

from datetime import datetime, timedelta

import pytest

from crm import models as m
from crm.extensions import db
from crm.services.events import surveys, upkeep
from crm.services.privacy import erasure
from tests import factories as f
from tests.helpers import count

# The project clock reads 10 June 2026, 08:00 UTC (10:00 in Paris)
YESTERDAY = datetime(2026, 6, 9, 7, 0)


def mails(kind: str = "event_survey") -> list[m.OutboxMessage]:
    return list(db.session.scalars(db.select(m.OutboxMessage).where(m.OutboxMessage.kind == kind)
                                   .order_by(m.OutboxMessage.id)))


def held_event(agency, starts_at: datetime = YESTERDAY, **values) -> m.Event:
    values = {"status": m.EventStatus.HELD, "organisers": [agency], "starts_at": starts_at,
              "ends_at": starts_at + timedelta(hours=3)} | values
    event = f.EventFactory(**values)
    db.session.flush()
    return event


def people(event: m.Event) -> None:
    """A present candidate, an absent one, a cancelled one; a firm that came, one invited, one
    that declined."""
    f.EventRegistrationFactory(event_id=event.id, name="Camille Durand", email="camille@exemple.fr",
                               queue_number=1, checked_in_at=event.starts_at)
    f.EventRegistrationFactory(event_id=event.id, email="absent@exemple.fr", queue_number=2)
    f.EventRegistrationFactory(event_id=event.id, email="parti@exemple.fr", queue_number=3,
                               status=m.RegistrationStatus.CANCELLED, checked_in_at=event.starts_at)
    f.EventCompanyFactory(event_id=event.id, company=f.CompanyFactory(name="Maçonnerie Dupont"),
                          status=m.ParticipationStatus.CONFIRMED, contact_email="rh@dupont.fr")
    f.EventCompanyFactory(event_id=event.id, status=m.ParticipationStatus.INVITED,
                          contact_email="invitee@exemple.fr")
    f.EventCompanyFactory(event_id=event.id, status=m.ParticipationStatus.DECLINED,
                          contact_email="non@exemple.fr")
    db.session.commit()


def survey_path(recipient: str) -> str:
    mail = next(mail for mail in mails() if mail.recipient == recipient)
    line = next(line for line in mail.body.splitlines() if surveys.LINK_PATH in line)
    return line[line.index(surveys.LINK_PATH):]


def test_the_day_after_present_candidates_and_confirmed_firms_are_asked_once(agency):
    event = held_event(agency)
    people(event)
    today = held_event(agency, starts_at=datetime(2026, 6, 10, 5, 0), title="Ce matin")
    f.EventRegistrationFactory(event_id=today.id, queue_number=1, checked_in_at=today.starts_at)
    cancelled = held_event(agency, status=m.EventStatus.CANCELLED, title="Annulé")
    f.EventRegistrationFactory(event_id=cancelled.id, queue_number=1, checked_in_at=YESTERDAY)
    old = held_event(agency, starts_at=datetime(2026, 5, 1, 7), title="Il y a longtemps")
    f.EventRegistrationFactory(event_id=old.id, queue_number=1, checked_in_at=old.starts_at)
    db.session.commit()

    assert surveys.send_surveys() == 2
    db.session.commit()
    assert sorted(mail.recipient for mail in mails()) == ["camille@exemple.fr", "rh@dupont.fr"]
    candidate = next(mail for mail in mails() if mail.recipient == "camille@exemple.fr")
    assert candidate.subject == f"Votre avis sur « {event.title} »"
    assert "Bonjour Camille Durand," in candidate.body and "30 jours" in candidate.body
    assert "Bonjour Maçonnerie Dupont," in mails()[-1].body
    assert db.session.get(m.Event, event.id).surveyed_at is not None
    assert db.session.get(m.Event, today.id).surveyed_at is None
    assert surveys.send_surveys() == 0
    assert count(m.EventSurvey) == 2


def test_the_daily_job_sends_the_surveys(agency, app):
    from jobs.events import send_event_surveys

    event = held_event(agency)
    people(event)
    assert send_event_surveys() == 2
    db.session.rollback()  # the job committed its own work
    assert len(mails()) == 2


@pytest.fixture
def asked(agency):
    event = held_event(agency)
    people(event)
    surveys.send_surveys()
    db.session.commit()
    return event


def test_a_candidate_answers_once_without_javascript(client, asked):
    path = survey_path("camille@exemple.fr")
    page = client.get(path).get_data(as_text=True)
    assert "L&#39;événement vous a-t-il été utile ?" in page and 'type="radio"' in page

    missing = client.post(path, data={"comment": "x" * 501})
    assert missing.status_code == 422
    text = missing.get_data(as_text=True)
    assert "Répondez par oui ou par non : l&#39;événement vous a-t-il été utile ?" in text
    assert "Répondez par oui ou par non : recommanderiez-vous ce type d&#39;événement ?" in text
    assert "Le commentaire ne doit pas dépasser 500 caractères." in text
    assert db.session.scalar(db.select(m.EventSurvey.answered_at)
                             .where(m.EventSurvey.respondent == m.SurveyRespondent.CANDIDATE)) is None

    answered = client.post(path, data={"useful": "oui", "recommend": "non",
                                       "comment": "  Très bien organisé  "})
    assert answered.status_code == 302
    thanks = client.get(path).get_data(as_text=True)
    assert "Merci : votre avis est enregistré." in thanks and "Très bien organisé" in thanks
    survey = db.session.scalar(db.select(m.EventSurvey)
                               .where(m.EventSurvey.respondent == m.SurveyRespondent.CANDIDATE))
    assert (survey.useful, survey.recommend, survey.comment) == (True, False, "Très bien organisé")

    again = client.post(path, data={"useful": "non", "recommend": "non"})
    assert again.status_code == 409
    assert "Vous avez déjà répondu à ce questionnaire" in again.get_data(as_text=True)
    db.session.refresh(survey)
    assert survey.useful is True


def test_a_tampered_or_expired_link_is_refused_in_french(client, asked, project_clock):
    path = survey_path("rh@dupont.fr")
    assert client.get(path[:-3] + "abc").status_code == 404
    assert client.get(surveys.LINK_PATH + "abc.def").status_code == 404
    project_clock.travel_to(m.utcnow() + timedelta(days=surveys.LINK_DAYS + 1))
    expired = client.get(path)
    assert expired.status_code == 404 and "Ce lien a expiré" in expired.get_data(as_text=True)


def test_the_results_show_on_the_staff_event_page_comments_to_the_organisers(
        client, auth, asked, adviser, mission_locale):
    for recipient, useful in (("camille@exemple.fr", "oui"), ("rh@dupont.fr", "non")):
        client.post(survey_path(recipient), data={"useful": useful, "recommend": "oui",
                                                  "comment": f"Avis de {recipient}"})
    db.session.execute(db.update(m.Event).values(created_by_id=adviser.id))
    db.session.commit()
    auth.login(adviser)
    page = client.get(f"/gestion/evenements/{asked.id}").get_data(as_text=True)
    assert "Avis après l'événement" in page
    assert "1 oui sur 1 (100 %)" in page and "0 oui sur 1 (0 %)" in page
    assert "Avis de camille@exemple.fr" in page
    auth.logout()
    auth.login(f.UserFactory(organisation=mission_locale))
    other = client.get(f"/gestion/evenements/{asked.id}").get_data(as_text=True)
    assert "1 oui sur 1 (100 %)" in other and "Avis de camille@exemple.fr" not in other

    results = {group.respondent: group for group in surveys.results(asked.id)}
    firms = results[m.SurveyRespondent.FIRM]
    assert (firms.sent, firms.answers, firms.useful.percent, firms.recommend.percent) == (1, 1, 0, 100)


def test_the_purge_erases_the_candidates_comments_not_the_firms(client, asked, project_clock):
    for recipient in ("camille@exemple.fr", "rh@dupont.fr"):
        client.post(survey_path(recipient), data={"useful": "oui", "recommend": "oui",
                                                  "comment": "Signé Camille"})
    project_clock.travel_to(datetime(2027, 1, 15, 8))
    assert upkeep.purge_personal_data() == 3
    db.session.commit()
    rows = {row.respondent: row for row in db.session.scalars(db.select(m.EventSurvey))}
    assert rows[m.SurveyRespondent.CANDIDATE].comment is None
    assert rows[m.SurveyRespondent.CANDIDATE].useful is True  # the counts stay
    assert rows[m.SurveyRespondent.FIRM].comment == "Signé Camille"


def test_erasing_a_candidate_erases_their_survey_comment(client, asked):
    client.post(survey_path("camille@exemple.fr"), data={"useful": "oui", "recommend": "oui",
                                                         "comment": "Camille, 06 12 34 56 78"})
    registration = db.session.scalar(db.select(m.EventRegistration)
                                     .where(m.EventRegistration.email == "camille@exemple.fr"))
    erasure.erase_registrations([registration], erasure.Traces())
    db.session.commit()
    survey = db.session.scalar(db.select(m.EventSurvey)
                               .where(m.EventSurvey.registration_id == registration.id))
    assert survey.comment is None and survey.useful is True
