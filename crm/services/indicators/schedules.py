"""Scheduled committee reports: a committee's schedule (none, monthly, every two months,
quarterly; a day of the month, or its last day) and the daily job's work: for each committee whose
report is due, the report of the period just ended, written once (docs/indicators.md, "Scheduled
reports").

The periods are whole months of French calendar days, aligned on the year: every month; January
and February, March and April…; the quarters. The report of a period is due on the schedule's day
of the month that follows it (or that month's last day: the 28th or 29th in February, the 30th or
31st otherwise), whatever the day of the week or a holiday; a run missed (worker down)
is caught up for a week, not later (the report can still be asked for by hand).
"""

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from crm.extensions import db
from crm.models import Committee, CommitteeReport, ReportSchedule, ReportStatus, utcnow
from crm.services.indicators.scope import Period
from crm.services.platform import audit, unit_of_work
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import InvalidInput

log = logging.getLogger(__name__)

LAST_DAY = 28  # every month has it
MONTH_END = 31  # the stored day for "the last day of the month": the month's length caps it
MONTH_END_CHOICE = "dernier"  # the form's value for it
MONTH_END_LABEL = "Le dernier jour du mois"
CATCH_UP = timedelta(days=7)  # a due report missed by the job is still written this long after


@dataclass(frozen=True)
class Due:
    """A scheduled report's period and the day it is due."""

    period: Period
    on: date


def month_start(day: date, months_back: int = 0) -> date:
    """The first day of the month `months_back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def day_in(month: date, day_of_month: int) -> date:
    """The schedule's day in the month of `month` (MONTH_END: the month's last day)."""
    return month.replace(day=min(day_of_month, calendar.monthrange(month.year, month.month)[1]))


def latest_due(schedule: ReportSchedule, day_of_month: int, today: date) -> Due | None:
    """The latest report of the schedule due on or before `today` (None without a schedule)."""
    months = schedule.months
    if not months:
        return None
    for back in range(months + 1):
        first = month_start(today, back)
        due = day_in(first, day_of_month)
        if (first.month - 1) % months == 0 and due <= today:
            return Due(Period(month_start(first, months), first - timedelta(days=1)), due)
    return None  # unreachable: one month in `months + 1` starts a period


def checked_schedule(schedule: str | None, day: str | int | None, mail: bool,
                     members: list[str]) -> tuple[ReportSchedule, int, bool]:
    """The schedule as typed, checked; refused in French per field."""
    errors: dict[str, list[str]] = {}
    try:
        chosen = ReportSchedule(schedule or ReportSchedule.NONE.value)
    except ValueError:
        chosen = ReportSchedule.NONE
        errors["schedule"] = ["Choisissez une fréquence dans la liste."]
    text = str(day if day is not None else "").strip() or "1"
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 2 else 0
    if text == MONTH_END_CHOICE:
        number = MONTH_END
    elif not 1 <= number <= LAST_DAY:
        errors["schedule_day"] = [f"Le jour du mois est un nombre de 1 à {LAST_DAY} (un jour que "
                                  "chaque mois compte), ou le dernier jour du mois."]
    if mail and chosen != ReportSchedule.NONE and not members:
        errors["schedule_mail"] = ["Le comité n'a aucun membre : ajoutez leurs adresses avant de "
                                   "leur envoyer les rapports programmés."]
    if errors:
        raise InvalidInput(errors)
    return chosen, number, mail and chosen != ReportSchedule.NONE


def day_choices() -> list[tuple[str, str]]:
    """The form's days: 1 to 28, then the last day of the month."""
    return [*((str(day), str(day)) for day in range(1, LAST_DAY + 1)),
            (MONTH_END_CHOICE, MONTH_END_LABEL)]


def day_choice(day_of_month: int) -> str:
    """A stored day as the form's value."""
    return MONTH_END_CHOICE if day_of_month == MONTH_END else str(day_of_month)


def schedule_label(committee: Committee) -> str:
    """The schedule in French, for the pages and the audit."""
    if committee.schedule == ReportSchedule.NONE:
        return committee.schedule.label
    mailed = ", envoyé aux membres" if committee.schedule_mail else ""
    day = ("le dernier jour du mois" if committee.schedule_day == MONTH_END
           else f"le {committee.schedule_day} du mois")
    return f"{committee.schedule.label}, {day}{mailed}"


def already_written(committee: Committee, due: Due) -> bool:
    return db.session.scalar(sa.select(CommitteeReport.id).where(
        CommitteeReport.committee_id == committee.id, CommitteeReport.schedule == committee.schedule,
        CommitteeReport.period_start == due.period.start,
        CommitteeReport.period_end == due.period.end)) is not None


def write_due_report(committee: Committee, due: Due) -> CommitteeReport | None:
    """Write and commit the committee's scheduled report of the period (pending; the commit
    queues it); None when another run or worker wrote it first (the unique (committee, period,
    schedule) refuses a second one, even between the caller's look and this write)."""
    mail = committee.schedule_mail and bool(committee.members)
    report = CommitteeReport(committee=committee, period_start=due.period.start,
                             period_end=due.period.end, status=ReportStatus.PENDING,
                             mail_members=mail, schedule=committee.schedule, mailed_to=0)
    db.session.add(report)
    try:
        db.session.flush()
        audit.record(None, "schedule_report", report,
                     {"committee": committee.name, "schedule": committee.schedule.value,
                      "from": due.period.start.isoformat(), "to": due.period.end.isoformat(),
                      "mail_members": mail})
        unit_of_work.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return report


def write_due_reports(now: datetime | None = None) -> int:
    """Write (and commit, one by one) the scheduled reports due on the French day and not written
    yet, one per committee; each is queued for generation by its commit. Returns how many."""
    today = local_today(now or utcnow())
    due_now = []
    for committee in db.session.scalars(sa.select(Committee).where(
            Committee.schedule != ReportSchedule.NONE).order_by(Committee.id)):
        due = latest_due(committee.schedule, committee.schedule_day, today)
        if due is not None and today - due.on <= CATCH_UP and not already_written(committee, due):
            due_now.append((committee, due))
    written = sum(write_due_report(committee, due) is not None for committee, due in due_now)
    log.info("scheduled committee reports: %s written", written)
    return written
