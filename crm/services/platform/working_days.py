"""Working days in France (weekends and public holidays excluded), for first-contact deadlines.

The first-contact deadline is a French calendar day: the second working day after the day the
request was filed (in Europe/Paris time). It is stored once, on the need, as the last second of
that day in Paris (23:59:59 local time, as naive UTC: 22:59:59 in winter, 21:59:59 in summer), so
that a need turns late only once the promised day is over, and any display of the stored time in
French local time falls on the promised day. Every page, e-mail and API answer shows it through
`deadline_day` / `deadline_label`.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from crm.services.platform.local_time import local_from_utc, local_today, utc_from_local

FIRST_CONTACT_WORKING_DAYS = 2
END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=16)
def french_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.France(years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in french_holidays(day.year)


def working_day_after(day: date, count: int) -> date:
    """The `count`-th working day after `day` (`day` itself never counts)."""
    for _ in range(count):
        day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    return day


def end_of_local_day(day: date) -> datetime:
    """The last second of a French calendar day, as stored (naive UTC)."""
    return utc_from_local(datetime.combine(day, END_OF_DAY))


def first_contact_deadline(filed_at: datetime) -> datetime:
    """When the first contact is due for a request filed at `filed_at` (both naive UTC): the end
    of the second working day after the French filing day."""
    filed_on = local_today(filed_at)
    return end_of_local_day(working_day_after(filed_on, FIRST_CONTACT_WORKING_DAYS))


def deadline_day(due_at: datetime) -> date:
    """The French calendar day a stored deadline promises."""
    return local_from_utc(due_at).date()


def deadline_label(due_at: datetime | None) -> str:
    """A stored deadline as every page, e-mail and API client shows it: "09/12/2026"."""
    return deadline_day(due_at).strftime("%d/%m/%Y") if due_at else ""
