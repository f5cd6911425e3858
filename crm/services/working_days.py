"""Working days in France (weekends and public holidays excluded), for first-contact deadlines."""

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

FIRST_CONTACT_WORKING_DAYS = 2


@lru_cache(maxsize=16)
def french_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.France(years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in french_holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same time of day `days` working days after `start` (a request on Saturday counts from
    the next working day)."""
    moment = start
    while not is_working_day(moment.date()):
        moment = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time())
    for _ in range(days):
        moment += timedelta(days=1)
        while not is_working_day(moment.date()):
            moment += timedelta(days=1)
    return moment


def first_contact_deadline(filed_at: datetime) -> datetime:
    return add_working_days(filed_at, FIRST_CONTACT_WORKING_DAYS)
