"""The daily digests: each adviser's tasks, late needs and visits; the offer spotters' news of
their flags."""

from crm.services.needs import spotter_digest
from crm.services.platform import local_time, unit_of_work
from crm.services.platform.working_days import is_working_day
from crm.services.visits import digest


def send_daily_digests() -> int:
    """Write and queue today's digest for every staff user with something to do; nothing on
    public holidays (the schedule already skips weekends). Returns how many were written."""
    if not is_working_day(local_time.local_today()):
        return 0
    written = digest.send_daily_digests()
    unit_of_work.commit()
    return written


def send_spotter_digests() -> int:
    """Write and queue today's digest for every spotter organisation that prefers it and has
    news; nothing on public holidays (the schedule skips weekends). Returns how many were
    written."""
    if not is_working_day(local_time.local_today()):
        return 0
    written = spotter_digest.send_spotter_digests()
    unit_of_work.commit()
    return written
