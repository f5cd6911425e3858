"""The project's one clock: every "now" and "today" of the application reads it.

Tests set it (`travel_to`, `freeze`) so that no result depends on the real date; production reads
the system clock. Times are naive UTC, the form every timestamp is stored in; French local dates
come from `crm.services.platform.local_time`.
"""

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_frozen: datetime | None = None


def _system_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def utcnow() -> datetime:
    """Current time as naive UTC, as the clock is set."""
    return _frozen if _frozen is not None else _system_now() + _offset


def travel_to(moment: datetime) -> None:
    """Make the clock read `moment` (naive UTC) now, then run on from there."""
    global _offset, _frozen
    _frozen, _offset = None, moment - _system_now()


def freeze(moment: datetime) -> None:
    """Make the clock read `moment` (naive UTC) until it is set again."""
    global _frozen
    _frozen = moment


def reset() -> None:
    """Back to the system clock."""
    global _offset, _frozen
    _frozen, _offset = None, timedelta(0)
