"""Signed links that let a person answer without signing in (a checklist, an event's cancel link, a
firm's answer, a survey, a committee report): data signed with the secret key, timestamped by the
project's clock so that their expiry follows it (tests travel in time)."""

import calendar

from flask import current_app
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from crm.clock import utcnow


class ClockSigner(TimestampSigner):
    """Timestamps from the project's clock."""

    def get_timestamp(self) -> int:
        return calendar.timegm(utcnow().timetuple())


def serializer(salt: str) -> URLSafeTimedSerializer:
    """The serializer of one kind of link (its salt keeps one kind's tokens from opening another)."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt, signer=ClockSigner)
