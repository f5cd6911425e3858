"""The company 360° page: identity, likely-to-hire score, referent, contacts, needs, projects, shared
timeline, who follows the firm, contact pressure and, for managers, the history of changes.
Partners see the public identity only."""

from datetime import UTC, datetime

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required

from crm.blueprints.companies import bp
from crm.blueprints.companies.page_forms import ProjectForm
from crm.blueprints.guards import actor
from crm.blueprints.maps import rendering
from crm.models import Company
from crm.services.accounts import access
from crm.services.companies import history as company_history
from crm.services.companies import pressure, profile, projects, records
from crm.services.companies.followers import followers_of
from crm.services.companies.timeline import Timeline, timeline_of
from crm.services.needs.workflow import is_late
from crm.services.plans import scoring
from crm.services.platform.contact_details import display_phone

ACTIONS = (  # (endpoint, label, icon) of actions other pages offer on a firm
    ("visits.log_interaction", "Enregistrer un échange", "fr-icon-chat-3-line"),
    ("visits.new_visit", "Planifier une visite", "fr-icon-calendar-line"),
    ("agenda.new_task", "Nouvelle tâche", "fr-icon-todo-line"),
    ("training.new_request", "Préparer une POE", "fr-icon-user-add-line"),
    ("companies.duplicates_of", "Doublons probables", "fr-icon-git-merge-line"),
)


def spaced(digits: str, groups: tuple[int, ...]) -> str:
    """Digits in groups for reading, e.g. a SIRET as 732 829 320 00074."""
    parts, start = [], 0
    for size in groups:
        parts.append(digits[start:start + size])
        start += size
    return " ".join(part for part in parts if part)


def company_or_404(company_id: int) -> Company:
    company = profile.company_page(company_id)
    if company is None:
        abort(404)
    return company


def timeline_start() -> datetime | None:
    """The ?avant= of the timeline's older entries (ignored when it is not a date)."""
    try:
        start = datetime.fromisoformat(request.args.get("avant", ""))
    except ValueError:
        return None
    return start.astimezone(UTC).replace(tzinfo=None) if start.tzinfo else start


def identity_context(company: Company) -> dict:
    """What every signed-in user sees: the firm's public identity."""
    return {
        "company": company, "siret": spaced(company.siret, (3, 3, 3, 5)),
        "siren": spaced(company.siren, (3, 3, 3)), "map": rendering.company_map(company),
        "source": records.source_label(company.source),
        "basin_url": url_for("maps.basin", code=company.basin_code)
        if company.basin_code and access.is_staff(current_user) else None,
    }


def need_links(user, timeline: Timeline) -> dict[str, str]:
    """Addresses of the needs in the timeline that the user may open."""
    references = {entry.need_reference for entry in timeline.entries if entry.need_reference}
    return {reference: url_for("needs.need", reference=reference)
            for reference in profile.visible_references(user, references)}


def visit_url(visit_id: int) -> str:
    return url_for("visits.visit", visit_id=visit_id)


def staff_context(company: Company) -> dict:
    """The firm's whole record, as staff see it; a fixed number of queries."""
    user = actor()
    timeline = timeline_of(company.id, timeline_start())
    context = {
        "pressure": pressure.pressure_of(company, user.organisation_id),
        "needs": profile.open_needs(company, user), "is_late": is_late,
        "timeline": timeline, "need_urls": need_links(user, timeline), "visit_url": visit_url,
        "followers": followers_of(company), "phone": display_phone,
        "can_edit": access.can_edit_company(user),
        "projects": projects.projects_of(company.id), "project_form": ProjectForm(formdata=None),
        "score": scoring.stored_score(company.id), "score_summary": scoring.described,
        "actions": [(url_for(endpoint, company_id=company.id), label, icon)
                    for endpoint, label, icon in ACTIONS],
    }
    if access.can_view_company_history(user):
        context["history"] = company_history.history_of(company)
    return context


@bp.get("/<int:company_id>")
@login_required
def company(company_id: int):
    """The 360° page of a firm."""
    company = company_or_404(company_id)
    context = identity_context(company)
    details = access.sees_company_details(current_user)
    if details:
        context |= staff_context(company)
    return render_template("companies/page.html", details=details, **context)

