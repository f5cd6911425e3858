"""Scheduled work on hiring needs."""

from flask import current_app

from crm.services.needs import candidates, reminders
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
