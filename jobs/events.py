"""Scheduled work on recruitment events: J-2 reminders, the satisfaction survey the day after,
and the purge of candidates' data."""

from crm.services.events import surveys, upkeep
from crm.services.platform import unit_of_work


def remind_event_candidates() -> int:
    """E-mail the confirmed candidates of the events in two days (daily)."""
    written = upkeep.send_reminders()
    unit_of_work.commit()
    return written


def send_event_surveys() -> int:
    """E-mail the survey to the present candidates and confirmed firms the day after an event
    (daily; once per event)."""
    written = surveys.send_surveys()
    unit_of_work.commit()
    return written


def purge_event_candidates() -> int:
    """Erase candidates' personal data N months after their event (daily; counts kept)."""
    erased = upkeep.purge_personal_data()
    unit_of_work.commit()
    return erased
