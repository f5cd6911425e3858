"""Template helpers: French dates, navigation by role, branding, page links."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from crm.services import access

PARIS = ZoneInfo("Europe/Paris")
SERVICE_NAME = "CRM emploi BFC"


def local_datetime(value: datetime | None, fmt: str = "%d/%m/%Y à %H:%M") -> str:
    """A stored naive-UTC time shown in French local time."""
    if value is None:
        return ""
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(PARIS).strftime(fmt)


def french_number(value: int | float) -> str:
    """A number with the French thousands separator (narrow no-break space)."""
    return f"{value:,}".replace(",", "\u202f").replace(".", ",")


def navigation() -> list[tuple[str, str]]:
    """(endpoint, label) pairs of the main menu for the signed-in user."""
    if not current_user.is_authenticated:
        return []
    items = [("main.home", "Accueil")]
    if access.can_manage_accounts(current_user):
        items += [
            ("admin.organisations", "Organisations"),
            ("admin.users", "Utilisateurs"),
            ("admin.reference_data", "Données de référence"),
        ]
    if access.can_read_outbox(current_user):
        items.append(("admin.messages", "Messages"))
    return items


def nav_current(endpoint: str) -> str | None:
    """aria-current of a menu item: "page" on its page, "true" on the pages beneath it."""
    path = url_for(endpoint)
    if request.path == path:
        return "page"
    if request.path.startswith(path.rstrip("/") + "/"):
        return "true"
    return None


def page_url(page: int) -> str:
    """The current address with another page number, keeping the filters."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def page_numbers(current: int, pages: int) -> list[int | None]:
    """Page numbers to offer around the current one; None stands for a gap (…)."""
    shown = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def template_context() -> dict:
    return {
        "navigation": navigation(),
        "state_branding": current_app.config["CRM_STATE_BRANDING"],
        "service_name": SERVICE_NAME,
    }


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(french_number, "number")
    app.add_template_global(nav_current)
    app.add_template_global(page_url)
    app.add_template_global(page_numbers)
    app.context_processor(template_context)
