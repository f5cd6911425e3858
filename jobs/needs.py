"""Scheduled work on hiring needs."""

from flask import current_app

from crm.services.needs import candidates, reminders, satisfaction
from crm.services.platform import unit_of_work


def remind_late_needs() -> int:
    """Remind advisers of needs still waiting for a first contact (daily)."""
    written = reminders.remind_late_advisers()
    unit_of_work.commit()
    return written


def purge_candidates() -> int:
    """Delete the candidates of needs closed CRM_CANDIDATE_RETENTION_MONTHS months ago (daily)."""
    deleted = candidates.purge(current_app.config["CRM_CANDIDATE_RETENTION_MONTHS"])
    unit_of_work.commit()
    return deleted


def send_satisfaction_surveys() -> int:
    """E-mail the two satisfaction questions to employers whose need closed a week ago (daily)."""
    written = satisfaction.send_due_surveys()
    unit_of_work.commit()
    return len(written)


def alert_low_satisfaction() -> int:
    """Alert the managers of teams whose share of "yes" fell under the threshold (daily, at most
    once a month per team)."""
    written = satisfaction.alert_low_satisfaction()
    unit_of_work.commit()
    return len(written)
