"""Rate limits of the public request form, per client address, counted in the limiter's Redis.

Filed requests count towards CRM_PUBLIC_FORM_RATE_LIMIT (5 per minute, 30 per day); failed
attempts (missing or invalid fields) towards their own, looser CRM_PUBLIC_FORM_INVALID_RATE_LIMIT,
so that an employer, or an agency behind one address, correcting a form is never blocked by it.
"""

import logging
import math
import time
from datetime import datetime, timedelta

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

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


def _storage_failed(error: Exception) -> bool:
    """Whether to let the request through when Redis fails (RATELIMIT_SWALLOW_ERRORS)."""
    if not current_app.config.get("RATELIMIT_SWALLOW_ERRORS"):
        return False
    log.warning("Public form rate limit not applied: %s", error)
    return True


def wait(kind: str) -> timedelta | None:
    """How long this address must wait before another request of this kind; None if it may go."""
    if not limiter.enabled:
        return None
    scope, address = SCOPES[kind], get_remote_address()
    waits = []
    try:
        for item in _limits(kind):
            if not limiter.limiter.test(item, scope, address):
                reset_at, _ = limiter.limiter.get_window_stats(item, scope, address)
                # The limiter's windows run on the system clock (Redis expiry times).
                waits.append(max(reset_at - time.time(), 1.0))
    except Exception as error:
        if _storage_failed(error):
            return None
        raise
    return timedelta(seconds=math.ceil(max(waits))) if waits else None


def count(kind: str) -> None:
    """Count one request of this kind (filed, or invalid) for this address."""
    if not limiter.enabled:
        return
    scope, address = SCOPES[kind], get_remote_address()
    try:
        for item in _limits(kind):
            limiter.limiter.hit(item, scope, address)
    except Exception as error:
        if not _storage_failed(error):
            raise


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
