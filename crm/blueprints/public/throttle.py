"""Rate limits of the public request form, per client address, counted in the limiter's Redis.

Filed requests count towards CRM_PUBLIC_FORM_RATE_LIMIT (5 per minute, 30 per day); failed
attempts (missing or invalid fields) towards their own, looser CRM_PUBLIC_FORM_INVALID_RATE_LIMIT,
so that an employer, or an agency behind one address, correcting a form is never blocked by it.
"""

import functools
import logging
import math
import time
from datetime import datetime, timedelta

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from crm.extensions import limiter
from crm.models.base import utcnow
from crm.services.platform.local_time import local_from_utc

FILED = "CRM_PUBLIC_FORM_RATE_LIMIT"
INVALID = "CRM_PUBLIC_FORM_INVALID_RATE_LIMIT"
SCOPES = {FILED: "public-form-filed", INVALID: "public-form-invalid"}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
log = logging.getLogger(__name__)


def _limits(kind: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[kind])


def redis_counter() -> RateLimiter:
    """The counter on the limiter's configured storage (Redis). Not `limiter.limiter`: once one of
    Flask-Limiter's own limits finds Redis down, that property switches, on a timer of its own, to
    Flask-Limiter's separate in-memory storage, and the form's requests would be counted half there
    and half in `memory_counter`, neither reaching the limit."""
    return FixedWindowRateLimiter(limiter.storage)


# While Redis is unreachable the limits are counted in this process's memory: they hold per process
# instead of failing open (Flask-Limiter's own limits do the same: RATELIMIT_IN_MEMORY_FALLBACK_ENABLED).
# Made on the first failure: the memory storage starts a timer thread.
@functools.cache
def memory_counter() -> RateLimiter:
    return FixedWindowRateLimiter(MemoryStorage())


def _storage_failed(error: Exception) -> RateLimiter:
    """The in-memory counter to use when Redis fails; re-raised unless RATELIMIT_SWALLOW_ERRORS."""
    if not current_app.config.get("RATELIMIT_SWALLOW_ERRORS"):
        raise error
    log.warning("Public form rate limit counted in memory, Redis failing: %s", error)
    return memory_counter()


def _waits(counter: RateLimiter, kind: str, scope: str, address: str) -> list[float]:
    waits = []
    for item in _limits(kind):
        if not counter.test(item, scope, address):
            reset_at, _ = counter.get_window_stats(item, scope, address)
            # The limiter's windows run on the system clock (Redis expiry times).
            waits.append(max(reset_at - time.time(), 1.0))
    return waits


def wait(kind: str) -> timedelta | None:
    """How long this address must wait before another request of this kind; None if it may go."""
    if not limiter.enabled:
        return None
    scope, address = SCOPES[kind], get_remote_address()
    try:
        waits = _waits(redis_counter(), kind, scope, address)
    except Exception as error:
        waits = _waits(_storage_failed(error), kind, scope, address)
    return timedelta(seconds=math.ceil(max(waits))) if waits else None


def count(kind: str) -> None:
    """Count one request of this kind (filed, or invalid) for this address."""
    if not limiter.enabled:
        return
    scope, address = SCOPES[kind], get_remote_address()
    try:
        counter = redis_counter()
        for item in _limits(kind):
            counter.hit(item, scope, address)
    except Exception as error:
        memory = _storage_failed(error)
        for item in _limits(kind):
            memory.hit(item, scope, address)


def retry_time(delay: timedelta, now: datetime | None = None) -> str:
    """When the wait ends, in French local time rounded up to the minute: "10 h 01",
    "demain à 9 h 30", "le 12 juin à 9 h 30"."""
    now = now or utcnow()
    local_now = local_from_utc(now)
    moment = local_from_utc(now + delay)
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    clock = f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"
    days = (moment.date() - local_now.date()).days
    if days == 0:
        return clock
    if days == 1:
        return f"demain à {clock}"
    return f"le {moment.day}{'er' if moment.day == 1 else ''} {MONTHS[moment.month - 1]} à {clock}"
