"""Scheduled work on hiring needs."""

from crm.services.needs import reminders


def remind_late_needs() -> int:
    """Remind advisers of needs still waiting for a first contact (daily)."""
    return reminders.remind_late_advisers()
