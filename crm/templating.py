"""Template helpers: French dates, navigation by role, branding, page links."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from crm.services.accounts import access
from crm.services.platform import outbox
from crm.services.platform.local_time import local_datetime
from crm.services.platform.wording import plural
from crm.services.platform.working_days import deadline_label
from crm.services.territory import rome_jobs

SERVICE_NAME = "CRM emploi BFC"


def french_number(value: int | float) -> str:
    """A number with the French thousands separator (narrow no-break space)."""
    return f"{value:,}".replace(",", "\u202f").replace(".", ",")


Item = tuple[str, str]  # (endpoint, label)


@dataclass(frozen=True)
class Section:
    """A main-menu entry and its second-level menu (shown on the pages of the section)."""

    label: str
    items: list[Item]
    menu_label: str = ""

    @property
    def endpoint(self) -> str:
        return self.items[0][0]


def available(items: list[Item]) -> list[Item]:
    """The items whose page exists in this application."""
    return [item for item in items if item[0] in current_app.view_functions]


def admin_menu() -> list[Item]:
    """The administration pages the signed-in user may open."""
    user, items = current_user, []
    if access.can_manage_accounts(user):
        items += [("admin.organisations", "Organisations"), ("admin.users", "Utilisateurs")]
    if access.can_manage_routing(user):
        items.append(("routing.rules", "Orientation"))
    if access.can_manage_accounts(user):
        items += [("admin.pressure_settings", "Pression de contact"),
                  ("admin.satisfaction_settings", "Satisfaction des employeurs"),
                  ("admin.event_settings", "Événements"),
                  ("admin.rsa_pilot_territories", "Territoires pilotes RSA"),
                  ("admin.sirene_import", "Import SIRENE"), ("admin.reference_data", "Données de référence"),
                  ("training.settings", "Paramètres POE et FRAP"), ("admin.privacy", "Données personnelles"),
                  ("admin.security_log", "Journal de sécurité")]
    if access.can_read_outbox(user):
        items.append(("admin.messages", "Messages"))
    return available(items)


def staff_sections() -> list[Section]:
    supervisor = access.is_supervisor(current_user)
    needs = [("needs.needs", "Mes demandes"), ("needs.pipeline", "Tableau")]
    needs += [("needs.queue", "File d'attente"), ("needs.late", "En retard"),
              ("needs.aftercare_results", "Après le recrutement")] if supervisor else []
    sections = [
        Section("Ma journée", [("agenda.my_day", "Ma journée"), ("targets.my_targets", "Mes cibles"),
                               *([] if supervisor else [("indicators.dashboard", "Mes indicateurs")])],
                "Menu de ma journée"),
        Section("Entreprises", [("companies.companies", "Liste"), ("companies.duplicates", "Doublons"),
                                ("companies.import_upload", "Importer une liste"),
                                ("companies.import_history", "Imports")], "Menu des entreprises"),
        Section("Demandes", needs, "Menu des demandes"),
        Section("Visites", [("visits.visits", "À venir"), ("visits.week", "Semaine")], "Menu des visites"),
        Section("POE", [("training.request_list", "Demandes de POE"),
                        ("training.promotion_page", "Promotion et indicateurs")], "Menu de la POE"),
        Section("Événements", [("events.staff_list", "Événements")]),
        Section("Plans", [("plans.plans", "Plans de prospection"), ("plans.compared", "Bassins comparés"),
                          *([("targets.saved_segments", "Segments enregistrés")] if supervisor else [])],
                "Menu des plans"),
        Section("Territoires", [("maps.map_page", "Carte"), ("maps.basins", "Bassins d'emploi")],
                "Menu des territoires"),
    ]
    spotting = [("routing.spotters", "Repérage"), ("checklists.sent", "Listes à vérifier"),
                ("checklists.directory", "Annuaire des détecteurs")]
    steering = [("indicators.dashboard", "Indicateurs"), ("indicators.glossary", "Définitions"),
                ("indicators.reports_list", "Rapports des comités"),
                ("indicators.committees_page", "Comités")]
    return sections + ([Section("Repérage", spotting, "Menu du repérage"),
                        Section("Pilotage", steering, "Menu du pilotage")] if supervisor else [])


def partner_sections() -> list[Section]:
    return [Section("Signaler un besoin", [("needs.flag_new", "Signaler un besoin")]),
            Section("Mes signalements", [("needs.flags", "Mes signalements")]),
            Section("Entreprises à vérifier", [("checklists.to_check", "Entreprises à vérifier")]),
            Section("Plans", [("plans.plans", "Plans de prospection")]),
            Section("Entreprises", [("companies.companies", "Liste"),
                                    ("companies.import_upload", "Importer une liste"),
                                    ("companies.import_history", "Imports")], "Menu des entreprises")]


def sections() -> list[Section]:
    """The main menu of the signed-in user, each entry with its second-level menu."""
    if not current_user.is_authenticated:
        return [Section("Déposer une demande de recrutement", [("public.request_form", "")]),
                Section("Événements emploi", [("events.public_list", "")])]
    found = [Section("Accueil", [("main.home", "Accueil")])]
    found += staff_sections() if access.is_staff(current_user) else partner_sections()
    found.append(Section("Administration", admin_menu(), "Menu d'administration"))
    kept = [Section(s.label, available(s.items), s.menu_label) for s in found]
    return [section for section in kept if section.items]


def navigation() -> list[Item]:
    """(endpoint, label) pairs of the main menu for the signed-in user."""
    return [(section.endpoint, section.label) for section in sections()]


def is_under(path: str) -> bool:
    """Whether the current page is `path` or beneath it."""
    return request.path == path or request.path.startswith(path.rstrip("/") + "/")


def longest_match(items: Sequence[tuple[str, object]]) -> str | None:
    """The item whose address is the longest one the current page is under."""
    paths = {endpoint: url_for(endpoint) for endpoint, _ in items}
    under = [endpoint for endpoint, path in paths.items() if is_under(path)]
    return max(under, key=lambda endpoint: len(paths[endpoint])) if under else None


def active_section() -> Section | None:
    """The section the current page belongs to: the one holding the longest matching address,
    else the first one in the same top-level folder (e.g. /admin/...)."""
    all_sections = sections()
    owner = {endpoint: section for section in all_sections for endpoint, _ in section.items}
    endpoint = longest_match(list(owner.items()))
    if endpoint:
        return owner[endpoint]
    folder = "/" + request.path.strip("/").split("/")[0] + "/"
    return next((owner[e] for e in owner if url_for(e).startswith(folder)), None)


def active_item(items: list[Item]) -> str | None:
    """The main-menu endpoint of the current page's section."""
    section = active_section()
    return section.endpoint if section else None


def section_menu() -> tuple[Section | None, str | None]:
    """The second-level menu of the current section (when it has several pages) and its item."""
    section = active_section()
    if section is None or len(section.items) < 2:
        return None, None
    return section, longest_match(section.items)


def nav_current(endpoint: str, active: str | None) -> str | None:
    """aria-current of a menu item: "page" on its own page, "true" elsewhere in its section."""
    if url_for(endpoint) == request.path:
        return "page"
    return "true" if endpoint == active else None


def page_url(page: int) -> str:
    """The current address with another page number, keeping the filters."""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    assert request.endpoint is not None, "a page of a routed request"
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
        "section_menu": section_menu,
        "state_branding": current_app.config["CRM_STATE_BRANDING"],
        "service_name": SERVICE_NAME,
    }


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(french_number, "number")
    app.add_template_filter(deadline_label, "deadline")
    app.add_template_filter(plural, "plural")
    app.add_template_filter(outbox.kind_label, "message_kind")
    app.add_template_test(rome_jobs.is_shortage, "shortage_job")
    app.add_template_global(nav_current)
    app.add_template_global(active_item)
    app.add_template_global(page_url)
    app.add_template_global(page_numbers)
    app.context_processor(template_context)
