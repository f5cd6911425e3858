"""Template helpers: French dates, navigation by role, branding."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_login import current_user

from crm.services import access

PARIS = ZoneInfo("Europe/Paris")


def local_datetime(value: datetime | None, fmt: str = "%d/%m/%Y à %H:%M") -> str:
    """A stored naive-UTC time shown in French local time."""
    if value is None:
        return ""
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(PARIS).strftime(fmt)


def navigation() -> list[tuple[str, str]]:
    """(endpoint, label) pairs of the main menu for the signed-in user."""
    if not current_user.is_authenticated:
        return []
    items = [("main.home", "Accueil")]
    if access.can_manage_accounts(current_user):
        items += [("admin.organisations", "Organisations"), ("admin.users", "Utilisateurs")]
    if access.can_read_outbox(current_user):
        items.append(("admin.messages", "Messages"))
    return items


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "datetime")
    app.context_processor(
        lambda: {
            "navigation": navigation(),
            "state_branding": current_app.config["CRM_STATE_BRANDING"],
        }
    )
