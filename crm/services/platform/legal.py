"""What the legal pages state: the operator's identity (from configuration), how long data and
cookies are kept (from the same configuration the application runs with), the accessibility state."""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import current_app
from limits import parse_many

# The accessibility statement: the RGAA version the service is measured against and its state.
RGAA_VERSION = "4.1"
ACCESSIBILITY_STATE = "non conforme"
STATEMENT_DATE = date(2026, 12, 5)


@dataclass(frozen=True)
class Operator:
    """Who publishes the service, who hosts it and whom to write to."""

    name: str
    address: str
    email: str
    dpo_email: str
    publication_director: str
    host_name: str
    host_address: str


@dataclass(frozen=True)
class Retention:
    """How long each kind of data is kept, as sentences' durations in French."""

    needs: str
    mail_copies: str
    uploads: str
    remember_cookie: str
    form_token: str
    rate_limit_counters: str


def operator() -> Operator:
    """The operator's identity and contacts; the host is the operator unless configured."""
    config = current_app.config
    return Operator(
        name=config["CRM_OPERATOR_NAME"], address=config["CRM_OPERATOR_ADDRESS"],
        email=config["CRM_OPERATOR_EMAIL"], dpo_email=config["CRM_DPO_EMAIL"],
        publication_director=config["CRM_PUBLICATION_DIRECTOR"],
        host_name=config["CRM_HOST_NAME"] or config["CRM_OPERATOR_NAME"],
        host_address=config["CRM_HOST_ADDRESS"] or config["CRM_OPERATOR_ADDRESS"],
    )


def plural(count: int, singular: str, several: str) -> str:
    return f"{count} {singular if count == 1 else several}"


def months_label(months: int) -> str:
    """24 -> "2 ans", 18 -> "18 mois", 12 -> "1 an"."""
    if months % 12 == 0:
        return plural(months // 12, "an", "ans")
    return f"{months} mois"


def duration_label(duration: timedelta) -> str:
    """A duration in the largest whole unit: "1 an", "30 jours", "8 heures", "1 minute"."""
    seconds = int(duration.total_seconds())
    for size, singular, several in ((365 * 86400, "an", "ans"), (86400, "jour", "jours"),
                                    (3600, "heure", "heures"), (60, "minute", "minutes")):
        if seconds >= size and seconds % size == 0:
            return plural(seconds // size, singular, several)
    return plural(seconds, "seconde", "secondes")


def longest_window(*limits: str) -> timedelta:
    """The longest period any of these rate limits ("5 per minute;30 per day") counts over."""
    return timedelta(seconds=max(item.get_expiry() for text in limits for item in parse_many(text)))


def as_timedelta(value: timedelta | int) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def retention() -> Retention:
    """The retention durations the running configuration gives."""
    config = current_app.config
    return Retention(
        needs=months_label(config["CRM_RETENTION_MONTHS"]),
        mail_copies=duration_label(timedelta(days=config["CRM_MAIL_RETENTION_DAYS"])),
        uploads=duration_label(timedelta(days=config["CRM_UPLOAD_RETENTION_DAYS"])),
        remember_cookie=duration_label(as_timedelta(config["REMEMBER_COOKIE_DURATION"])),
        form_token=duration_label(as_timedelta(config["WTF_CSRF_TIME_LIMIT"])),
        rate_limit_counters=duration_label(longest_window(
            config["CRM_PUBLIC_FORM_RATE_LIMIT"], config["CRM_LOGIN_RATE_LIMIT"],
            config["CRM_API_RATE_LIMIT"])),
    )


def map_tiles_host() -> str | None:
    """The server the map pages load their background from (it sees the visitor's address)."""
    tiles = (current_app.config.get("CRM_MAP_TILES") or "none").strip()
    if tiles.lower() == "none":
        return None
    return urlsplit(tiles).hostname
