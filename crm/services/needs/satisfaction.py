"""The employer's satisfaction: two questions e-mailed one week after a need closes ("Avez-vous
été contacté rapidement ?", "L'accompagnement vous a-t-il été utile ?"), answered once on the
tracking page, and the alert to the managers of a team whose share of "yes" falls under the
threshold (an admin setting). Definitions in docs/aftercare.md."""

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import (
    AlertScope,
    AppSetting,
    HiringNeed,
    NeedStatus,
    NeedSurvey,
    Organisation,
    OutboxMessage,
    Role,
    SatisfactionAlert,
    User,
    utcnow,
)
from crm.models.aftercare import COMMENT_LENGTH
from crm.models.user import user_basins
from crm.services.needs import aftercare_figures as figures
from crm.services.platform import links, outbox
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import InvalidInput, Refused

SURVEY_DELAY = timedelta(days=7)  # the e-mail goes one week after closing…
SURVEY_WINDOW = timedelta(days=30)  # …to needs closed within the last 30 days (never older ones)
SURVEYED = (NeedStatus.FILLED, NeedStatus.PARTLY_FILLED, NeedStatus.UNFILLED)
SETTING_KEY = "satisfaction"
ALREADY_ANSWERED = "Vous avez déjà répondu à ces questions : merci pour votre avis."
QUESTIONS = {"contacted_quickly": "Avez-vous été contacté rapidement ?",
             "useful": "L'accompagnement vous a-t-il été utile ?"}


class SurveyError(Refused):
    """An answer that cannot be recorded; the message is French."""


@dataclass(frozen=True)
class AlertSettings:
    """When to alert: a share of "yes" (to either question) under `threshold_percent`, over at
    least `min_answers` answers about needs closed in the last `window_days` days."""

    threshold_percent: int = 60
    min_answers: int = 5
    window_days: int = 90


def settings() -> AlertSettings:
    """The settings in force: the saved setting over the defaults."""
    setting = db.session.get(AppSetting, SETTING_KEY)
    saved = setting.value if setting else {}
    known = {f.name for f in fields(AlertSettings)}
    return AlertSettings(**{key: int(value) for key, value in saved.items() if key in known})


def save_settings(values: AlertSettings, actor: User) -> AppSetting:
    """Store new settings (the caller commits)."""
    setting = db.session.get(AppSetting, SETTING_KEY) or AppSetting(key=SETTING_KEY)
    setting.value, setting.updated_by_id = asdict(values), actor.id
    db.session.add(setting)
    return setting


def tracking_url(need: HiringNeed) -> str:
    return links.public_url(f"/recrutement/suivi/{need.tracking_token}#avis")


def due_surveys(now: datetime) -> sa.Select:
    """Needs closed (filled, partly filled, unfilled) between 30 and 7 days ago, whose employer
    may be written to and has not been asked (nor answered) yet."""
    asked = sa.select(NeedSurvey.need_id)
    return (sa.select(HiringNeed)
            .options(joinedload(HiringNeed.company))
            .where(HiringNeed.status.in_(SURVEYED),
                   HiringNeed.closed_at <= now - SURVEY_DELAY,
                   HiringNeed.closed_at > now - SURVEY_WINDOW,
                   HiringNeed.contact_erased_at.is_(None),
                   HiringNeed.employer_agreed_contact.is_not(False),
                   HiringNeed.id.not_in(asked))
            .order_by(HiringNeed.closed_at, HiringNeed.id))


def send_due_surveys(now: datetime | None = None) -> list[OutboxMessage]:
    """Write the survey e-mail of each need due (daily job); a need is asked once."""
    now = now or utcnow()
    messages = []
    for need in db.session.scalars(due_surveys(now)):
        db.session.add(NeedSurvey(need_id=need.id, sent_at=now))
        messages.append(outbox.add_mail("satisfaction_survey", need.contact_email, need=need,
                                        url=tracking_url(need)))
    db.session.flush()
    return messages


def survey_of(need: HiringNeed) -> NeedSurvey | None:
    return db.session.scalar(sa.select(NeedSurvey).where(NeedSurvey.need_id == need.id))


def check_answers(contacted_quickly: bool | None, useful: bool | None,
                  comment: str | None) -> str | None:
    problems: dict[str, list[str]] = {}
    if contacted_quickly is None:
        problems["contacted_quickly"] = ["Répondez par oui ou par non : avez-vous été contacté "
                                         "rapidement ?"]
    if useful is None:
        problems["useful"] = ["Répondez par oui ou par non : l'accompagnement vous a-t-il été "
                              "utile ?"]
    comment = (comment or "").strip() or None
    if comment and len(comment) > COMMENT_LENGTH:
        problems["comment"] = [f"Le commentaire ne doit pas dépasser {COMMENT_LENGTH} caractères."]
    if problems:
        raise InvalidInput(problems)
    return comment


def answer(need: HiringNeed, contacted_quickly: bool | None, useful: bool | None,
           comment: str | None, now: datetime | None = None) -> NeedSurvey:
    """The employer's one answer, through the tracking link, once the need is closed; a second
    answer is refused (`ALREADY_ANSWERED`)."""
    if need.is_open:
        raise SurveyError("Vous pourrez donner votre avis une fois la demande clôturée.")
    comment = check_answers(contacted_quickly, useful, comment)
    values = {"contacted_quickly": contacted_quickly, "useful": useful, "comment": comment,
              "answered_at": now or utcnow()}
    survey = survey_of(need)
    if survey is None:
        survey = NeedSurvey(need_id=need.id, **values)
        db.session.add(survey)
    else:  # one conditional update: two answers at once cannot both be kept
        updated = db.session.execute(sa.update(NeedSurvey).where(
            NeedSurvey.id == survey.id, NeedSurvey.answered_at.is_(None)).values(**values))
        if updated.rowcount != 1:  # type: ignore[attr-defined]
            raise SurveyError(ALREADY_ANSWERED)
        db.session.refresh(survey)
    db.session.flush()
    return survey


def period_code(now: datetime) -> str:
    """The alert period: the French calendar month, e.g. "2026-06"."""
    return local_today(now).strftime("%Y-%m")


def organisation_managers(organisation_id: int) -> list[User]:
    query = (sa.select(User).where(User.organisation_id == organisation_id,
                                   User.role == Role.MANAGER, User.active).order_by(User.id))
    return list(db.session.scalars(query))


def basin_managers(basin_code: str) -> list[User]:
    query = (sa.select(User).join(user_basins)
             .where(user_basins.c.basin_code == basin_code, User.role == Role.MANAGER, User.active)
             .order_by(User.id))
    return list(db.session.scalars(query))


def below(row: figures.TeamResult, chosen: AlertSettings) -> bool:
    """Whether a team's answers are enough and a share of "yes" is under the threshold."""
    survey = row.satisfaction
    if survey.answers < chosen.min_answers:
        return False
    return any(share.percent is not None and share.percent < chosen.threshold_percent
               for share in (survey.contacted_quickly, survey.useful))


def alerted(scope: AlertScope, period: str) -> set[str]:
    query = sa.select(SatisfactionAlert.scope_code).where(SatisfactionAlert.scope == scope,
                                                         SatisfactionAlert.period == period)
    return set(db.session.scalars(query))


def alert_scope(scope: AlertScope, rows: list[figures.TeamResult], chosen: AlertSettings,
                period: str) -> list[SatisfactionAlert]:
    done, written = alerted(scope, period), []
    for row in rows:
        if row.code is None or row.code in done or not below(row, chosen):
            continue
        managers = (organisation_managers(int(row.code)) if scope == AlertScope.ORGANISATION
                    else basin_managers(row.code))
        survey = row.satisfaction
        alert = SatisfactionAlert(scope=scope, scope_code=row.code, period=period,
                                  answers=survey.answers,
                                  contacted_yes=survey.contacted_quickly.numerator,
                                  useful_yes=survey.useful.numerator, recipients=len(managers))
        db.session.add(alert)
        for manager in managers:
            outbox.add_mail("satisfaction_alert", manager.email, manager=manager, team=row,
                            scope=scope, settings=chosen,
                            url=links.public_url("/demandes/apres-recrutement"))
        written.append(alert)
    return written


def alert_low_satisfaction(now: datetime | None = None) -> list[SatisfactionAlert]:
    """Alert the managers of each organisation (and of each basin: managers follow basins) whose
    share of "yes" is under the threshold, at most once a month each (daily job)."""
    now = now or utcnow()
    chosen, period = settings(), period_code(now)
    last = local_today(now)
    first = last - timedelta(days=chosen.window_days - 1)
    written = []
    for scope, group in ((AlertScope.ORGANISATION, figures.Group.ORGANISATION),
                         (AlertScope.BASIN, figures.Group.BASIN)):
        rows = figures.results_by(group, None, first, last)
        written += alert_scope(scope, rows, chosen, period)
    db.session.flush()
    return written


def organisation_name(organisation_id: int) -> str:
    organisation = db.session.get(Organisation, organisation_id)
    return organisation.name if organisation else "Structure supprimée"
