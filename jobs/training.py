"""Scheduled work on POE requests."""

from crm.services.platform import unit_of_work
from crm.services.training import reminders


def remind_stalled_training_requests() -> int:
    """Remind the people whose POE requests stall in a step (daily)."""
    written = reminders.remind_stalled()
    unit_of_work.commit()
    return written
