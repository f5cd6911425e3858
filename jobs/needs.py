"""Scheduled work on hiring needs."""

from crm.services.needs import reminders
from crm.services.platform import unit_of_work


def remind_late_needs() -> int:
    """Remind advisers of needs still waiting for a first contact (daily)."""
    written = reminders.remind_late_advisers()
    unit_of_work.commit()
    return written
