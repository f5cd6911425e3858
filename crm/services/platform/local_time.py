"""French local time: times are stored as naive UTC and typed and shown in Europe/Paris time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.models.base import utcnow

PARIS = ZoneInfo("Europe/Paris")


def utc_from_local(value: datetime) -> datetime:
    """A French local time (typed in a form), as stored (naive UTC)."""
    return value.replace(tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)


def local_from_utc(value: datetime) -> datetime:
    """A stored time as naive French local time."""
    return value.replace(tzinfo=UTC).astimezone(PARIS).replace(tzinfo=None)


def local_datetime(value: datetime | None, fmt: str = "%d/%m/%Y à %H:%M") -> str:
    """A stored naive-UTC time shown in French local time."""
    if value is None:
        return ""
    return local_from_utc(value).strftime(fmt)


def local_now() -> datetime:
    """The current French local time, to the minute (a form's default)."""
    return local_from_utc(utcnow()).replace(second=0, microsecond=0)


def local_today(now: datetime | None = None) -> date:
    """The calendar day in France at a stored time (now by default)."""
    return local_from_utc(now or utcnow()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The stored (naive UTC) start and end of a French calendar day."""
    return (utc_from_local(datetime.combine(day, time.min)),
            utc_from_local(datetime.combine(day + timedelta(days=1), time.min)))


def month_start(now: datetime | None = None) -> datetime:
    """The first instant of the current French month, as stored (naive UTC)."""
    return utc_from_local(datetime.combine(local_today(now).replace(day=1), time.min))
