"""When demo work happens: French working days (no weekend, no public holiday) and office hours,
counted from the project's clock so that the demo looks the same whatever day it is seeded."""

import random
from datetime import date, datetime, time, timedelta

from crm.services.platform.local_time import utc_from_local
from crm.services.platform.working_days import is_working_day

OPENING_HOUR, CLOSING_HOUR = 8, 18  # French local time


def working_day_on_or_before(day: date) -> date:
    """The day itself when it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_on_or_after(day: date) -> date:
    """The day itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_day_near(today: date, offset: int) -> date:
    """A working day about `offset` days from today: past days move back, the others forward."""
    day = today + timedelta(days=offset)
    return working_day_on_or_before(day) if offset < 0 else working_day_on_or_after(day)


def shift_working_days(day: date, count: int) -> date:
    """The working day `count` working days after (or before, when negative) a day; 0 gives the
    day itself when it is a working day, else the next one."""
    day, step = working_day_on_or_after(day), 1 if count >= 0 else -1
    for _ in range(abs(count)):
        day += timedelta(days=step)
        while not is_working_day(day):
            day += timedelta(days=step)
    return day


def office_moment(day: date, hour: int, minute: int) -> datetime:
    """A French local time of a day, as stored (naive UTC)."""
    return utc_from_local(datetime.combine(day, time(hour, minute)))


def office_hours_moment(rng: random.Random, day: date, last_hour: int = CLOSING_HOUR - 1) -> datetime:
    """A moment of a day between 8:00 and `last_hour`:55 French time, on a five-minute mark."""
    return office_moment(day, rng.randint(OPENING_HOUR, last_hour), rng.randrange(0, 60, 5))

