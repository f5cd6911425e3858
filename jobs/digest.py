"""The daily digest of each adviser's tasks, late needs and visits."""

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
