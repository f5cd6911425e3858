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


def admin_menu() -> list[tuple[str, str]]:
    """(endpoint, label) pairs of the administration pages the signed-in user may open."""
    if not current_user.is_authenticated:
        return []
    items = []
    if access.can_manage_accounts(current_user):
        items += [("admin.organisations", "Organisations"), ("admin.users", "Utilisateurs")]
    if access.can_manage_routing(current_user):
        items.append(("routing.rules", "Orientation"))
    if access.can_manage_accounts(current_user):
        items.append(("admin.reference_data", "Données de référence"))
    if access.can_read_outbox(current_user):
        items.append(("admin.messages", "Messages"))
    return items


def navigation() -> list[tuple[str, str]]:
    """(endpoint, label) pairs of the main menu for the signed-in user."""
    if not current_user.is_authenticated:
        return [("public.request_form", "Déposer une demande de recrutement")]
    items = [("main.home", "Accueil")]
    if access.is_staff(current_user):
        items.append(("needs.needs", "Demandes"))
    if access.is_supervisor(current_user):
        items += [("needs.queue", "File d'attente"), ("needs.late", "En retard")]
    if access.is_partner(current_user):
        items += [("needs.flag_new", "Signaler un besoin"), ("needs.flags", "Mes signalements")]
    if access.is_supervisor(current_user):
        items.append(("routing.spotters", "Repérage"))
    if admin_menu():
        items.append((admin_menu()[0][0], "Administration"))
    return items


def is_under(path: str) -> bool:
    """Whether the current page is `path` or beneath it."""
    return request.path == path or request.path.startswith(path.rstrip("/") + "/")


def active_item(items: list[tuple[str, str]]) -> str | None:
    """The menu item the current page belongs to: the longest address the page is under,
    else the first item of the same top-level folder (e.g. /admin/...)."""
    paths = {endpoint: url_for(endpoint) for endpoint, _ in items}
    under = [endpoint for endpoint, path in paths.items() if is_under(path)]
    if under:
        return max(under, key=lambda endpoint: len(paths[endpoint]))
    folder = "/" + request.path.strip("/").split("/")[0] + "/"
    return next((endpoint for endpoint, path in paths.items() if path.startswith(folder)), None)


def nav_current(endpoint: str, active: str | None) -> str | None:
    """aria-current of a menu item: "page" on its own page, "true" elsewhere in its section."""
    if url_for(endpoint) == request.path:
        return "page"
    return "true" if endpoint == active else None


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
        "admin_menu": admin_menu(),
        "state_branding": current_app.config["CRM_STATE_BRANDING"],
        "service_name": SERVICE_NAME,
    }


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(french_number, "number")
    app.add_template_global(nav_current)
    app.add_template_global(active_item)
    app.add_template_global(page_url)
    app.add_template_global(page_numbers)
    app.context_processor(template_context)
