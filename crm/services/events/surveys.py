"""The satisfaction survey after an event: the day after it ends, every present candidate and
every confirmed firm gets one e-mail (once per event, `events.surveyed_at`) with a signed link that
expires, to a public page asking two questions ("L'événement vous a-t-il été utile ?",
"Recommanderiez-vous ce type d'événement ?") and an optional comment, answered once. The
candidates' comments are erased with their personal data (`upkeep.purge_personal_data`)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    Event,
    EventCompany,
    EventRegistration,
    EventStatus,
    EventSurvey,
    ParticipationStatus,
    RegistrationStatus,
    SurveyRespondent,
    utcnow,
)
from crm.models.event import SURVEY_COMMENT_LENGTH
from crm.services.events.firms import company_email
from crm.services.events.organising import banner
from crm.services.platform import links, outbox, signed_links
from crm.services.platform.local_time import day_bounds, local_today
from crm.services.platform.refusals import InvalidInput, Refused

LINK_SALT = "crm.event-survey.link"
LINK_PATH = "/evenements/avis/"
LINK_DAYS = 30  # the link works for 30 days
SURVEY_WINDOW = timedelta(days=14)  # events ended longer ago are never surveyed (first run)
NOT_SURVEYED = (EventStatus.DRAFT, EventStatus.CANCELLED)
QUESTIONS = {"useful": "L'événement vous a-t-il été utile ?",
             "recommend": "Recommanderiez-vous ce type d'événement ?"}
ALREADY_ANSWERED = "Vous avez déjà répondu à ce questionnaire : merci pour votre avis."


class SurveyRefused(Refused):
    """An answer that cannot be recorded (already answered); the message is French."""

    status = 409


class InvalidSurveyLink(Refused):
    status = 404


# Sending (daily job)

def due_events(now: datetime) -> sa.Select:
    """Events ended before today (French calendar day) and within the last two weeks, neither
    draft nor cancelled, not surveyed yet."""
    today = day_bounds(local_today(now))[0]
    return (sa.select(Event).where(Event.status.not_in(NOT_SURVEYED), Event.ends_at < today,
                                   Event.ends_at >= today - SURVEY_WINDOW,
                                   Event.surveyed_at.is_(None))
            .options(selectinload(Event.organisers)).order_by(Event.ends_at, Event.id))


def present_candidates(event_id: int) -> list[EventRegistration]:
    query = (sa.select(EventRegistration)
             .where(EventRegistration.event_id == event_id,
                    EventRegistration.status == RegistrationStatus.CONFIRMED,
                    EventRegistration.checked_in_at.is_not(None), EventRegistration.email != "")
             .order_by(EventRegistration.queue_number, EventRegistration.id))
    return list(db.session.scalars(query))


def confirmed_firms(event_id: int) -> list[EventCompany]:
    query = (sa.select(EventCompany)
             .where(EventCompany.event_id == event_id,
                    EventCompany.status == ParticipationStatus.CONFIRMED)
             .options(selectinload(EventCompany.company)).order_by(EventCompany.id))
    return list(db.session.scalars(query))


def ask(event: Event, respondent: SurveyRespondent, address: str, name: str, now: datetime,
        **row: int) -> None:
    survey = EventSurvey(event_id=event.id, respondent=respondent, sent_at=now, **row)
    db.session.add(survey)
    db.session.flush()
    outbox.add_mail("event_survey", address, event=event, banner=banner(event), person=name,
                    firm=respondent == SurveyRespondent.FIRM, url=survey_link(survey),
                    days=LINK_DAYS)


def send_surveys(now: datetime | None = None) -> int:
    """Write the survey e-mail of each present candidate and confirmed firm of the events ended
    yesterday (or earlier, within two weeks, if the job missed a day), once per event; how many
    e-mails were written."""
    now = now or utcnow()
    written = 0
    for event in db.session.scalars(due_events(now)).all():
        for registration in present_candidates(event.id):
            ask(event, SurveyRespondent.CANDIDATE, registration.email, registration.name, now,
                registration_id=registration.id)
            written += 1
        for row in confirmed_firms(event.id):
            address = row.contact_email or company_email(row.company)
            if address:
                ask(event, SurveyRespondent.FIRM, address, row.company.name, now,
                    event_company_id=row.id)
                written += 1
        event.surveyed_at = now
    db.session.flush()
    return written


# The signed link (signed as the firms' links are, on the project's clock)

def serializer() -> URLSafeTimedSerializer:
    return signed_links.serializer(LINK_SALT)


def survey_token(survey: EventSurvey) -> str:
    return serializer().dumps([survey.id, survey.event_id])


def survey_link(survey: EventSurvey) -> str:
    return links.public_url(LINK_PATH + survey_token(survey))


def survey_for_token(token: str) -> EventSurvey:
    """The survey a link names; InvalidSurveyLink for a tampered, unknown or expired link."""
    invalid = InvalidSurveyLink("Ce lien n'est pas valide. Vérifiez qu'il est complet.")
    try:
        survey_id, event_id = serializer().loads(token, max_age=LINK_DAYS * 24 * 3600)
    except SignatureExpired:
        raise InvalidSurveyLink(f"Ce lien a expiré : il fonctionnait {LINK_DAYS} jours après "
                                "l'événement. Merci de votre intérêt.") from None
    except (BadSignature, ValueError, TypeError):
        raise invalid from None
    if not isinstance(survey_id, int) or not isinstance(event_id, int) or not 0 < survey_id < 2**31:
        raise invalid
    survey = db.session.get(EventSurvey, survey_id)
    if survey is None or survey.event_id != event_id:
        raise invalid
    return survey


# Answering

def check_answers(useful: bool | None, recommend: bool | None, comment: str | None) -> str | None:
    problems: dict[str, list[str]] = {}
    if useful is None:
        problems["useful"] = ["Répondez par oui ou par non : l'événement vous a-t-il été utile ?"]
    if recommend is None:
        problems["recommend"] = ["Répondez par oui ou par non : recommanderiez-vous ce type "
                                 "d'événement ?"]
    comment = (comment or "").strip() or None
    if comment and len(comment) > SURVEY_COMMENT_LENGTH:
        problems["comment"] = [f"Le commentaire ne doit pas dépasser {SURVEY_COMMENT_LENGTH} "
                               "caractères."]
    if problems:
        raise InvalidInput(problems)
    return comment


def answer(survey: EventSurvey, useful: bool | None, recommend: bool | None,
           comment: str | None, now: datetime | None = None) -> EventSurvey:
    """The one answer of a survey; a second one is refused (`ALREADY_ANSWERED`), also when two
    are sent at once (one conditional update)."""
    if survey.answered_at is not None:
        raise SurveyRefused(ALREADY_ANSWERED)
    comment = check_answers(useful, recommend, comment)
    updated = db.session.execute(
        sa.update(EventSurvey).where(EventSurvey.id == survey.id, EventSurvey.answered_at.is_(None))
        .values(useful=useful, recommend=recommend, comment=comment, answered_at=now or utcnow())
        .execution_options(synchronize_session=False))
    if updated.rowcount != 1:  # type: ignore[attr-defined]
        raise SurveyRefused(ALREADY_ANSWERED)
    db.session.refresh(survey)
    return survey


# Results (the staff's event page)

@dataclass(frozen=True)
class Share:
    yes: int
    answers: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.yes / self.answers) if self.answers else None


@dataclass(frozen=True)
class Results:
    """One group of respondents (candidates or firms)."""

    respondent: SurveyRespondent
    sent: int = 0
    answers: int = 0
    useful: Share = Share(0, 0)
    recommend: Share = Share(0, 0)
    comments: list[str] = field(default_factory=list)


def results(event_id: int, with_comments: bool = False) -> list[Results]:
    """Per group: surveys sent, answers, share of "yes" to each question (one grouped query),
    and the comments (a second query, when asked)."""
    query = (sa.select(EventSurvey.respondent, sa.func.count(EventSurvey.id),
                       sa.func.count(EventSurvey.answered_at),
                       sa.func.count(EventSurvey.id).filter(EventSurvey.useful.is_(True)),
                       sa.func.count(EventSurvey.id).filter(EventSurvey.recommend.is_(True)))
             .where(EventSurvey.event_id == event_id).group_by(EventSurvey.respondent))
    rows = {respondent: (sent, answers, useful, recommend)
            for respondent, sent, answers, useful, recommend in db.session.execute(query)}
    comments: dict[SurveyRespondent, list[str]] = {}
    if with_comments and rows:
        written = (sa.select(EventSurvey.respondent, EventSurvey.comment)
                   .where(EventSurvey.event_id == event_id, EventSurvey.comment.is_not(None))
                   .order_by(EventSurvey.answered_at, EventSurvey.id))
        for respondent, comment in db.session.execute(written):
            comments.setdefault(respondent, []).append(comment or "")
    found = []
    for respondent in SurveyRespondent:
        sent, answers, useful, recommend = rows.get(respondent, (0, 0, 0, 0))
        found.append(Results(respondent, sent, answers, Share(useful, answers),
                             Share(recommend, answers), comments.get(respondent, [])))
    return found


def erase_candidate_comments(event_id: int) -> None:
    """The candidates' comments go with their personal data (the answers stay, for the counts)."""
    db.session.execute(sa.update(EventSurvey)
                       .where(EventSurvey.event_id == event_id,
                              EventSurvey.respondent == SurveyRespondent.CANDIDATE,
                              EventSurvey.comment.is_not(None))
                       .values(comment=None).execution_options(synchronize_session=False))
