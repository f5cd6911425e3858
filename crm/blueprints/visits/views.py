"""Staff pages on contacts with firms: quick logging, the visit form, a visit's page and printable
report, upcoming visits as a list and as a week calendar."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.blueprints.guards import actor, staff_only
from crm.blueprints.pagination import paginate
from crm.blueprints.refusals import refusals
from crm.blueprints.visits import bp
from crm.blueprints.visits.forms import (
    LogInteractionForm,
    VisitFilterForm,
    VisitForm,
    next_hour,
    visit_data,
    week_start,
)
from crm.extensions import db
from crm.models import Company, Visit
from crm.services.accounts import access
from crm.services.companies.pressure import pressure_of
from crm.services.platform import unit_of_work
from crm.services.platform.concurrency import ensure_version, stale_message
from crm.services.platform.local_time import local_from_utc, local_now
from crm.services.visits import catalogue, finding, interactions
from crm.services.visits import recording as visits
from crm.services.visits.recording import SavedVisit

STALE_VISIT = stale_message("cette visite")


def company_or_404(company_id: int) -> Company:
    company = db.session.get(Company, company_id)
    if company is None:
        abort(404)
    return company


def visit_or_404(visit_id: int) -> Visit:
    visit = finding.visit_by_id(visit_id)
    if visit is None:
        abort(404)
    return visit


def company_url(company: Company) -> str:
    return url_for("companies.company", company_id=company.id)


@bp.route("/entreprises/<int:company_id>/echanges/nouveau", methods=["GET", "POST"])
@staff_only
def log_interaction(company_id: int):
    """Log a call, an e-mail or a meeting with the firm, after seeing its contact pressure."""
    company = company_or_404(company_id)
    form = LogInteractionForm(open_needs=interactions.open_needs_of(company, actor()), company=company)
    error = None
    if form.validate_on_submit():
        with refusals(flashed=False) as refused:
            interactions.log_contact(company, actor(), form.contact())
            unit_of_work.commit()
            flash("L'échange est enregistré dans le journal des contacts.", "success")
            return redirect(company_url(company))
        error = refused.message
    return render_template(
        "visits/log.html", company=company, form=form, error=error, company_url=company_url(company),
        pressure=pressure_of(company, current_user.organisation_id),
    ), 422 if form.is_submitted() else 200


def render_form(form: VisitForm, company: Company, visit: Visit | None, error: str | None = None,
                status: int = 200):
    return render_template(
        "visits/form.html", form=form, company=company, visit=visit, error=error,
        closed_services=catalogue.closed(), company_url=company_url(company),
        pressure=pressure_of(company, current_user.organisation_id)), status


def saved_message(saved: SavedVisit) -> str:
    """What the save did, in words: the visit, each need and where it went, the task."""
    parts = ["La visite est enregistrée."]
    for filed in saved.filed:
        need = filed.need
        if filed.attached:
            parts.append(f"Le besoin {need.job_label} complète la demande ouverte {need.reference}.")
        else:
            where = need.organisation.name if need.organisation else "la file d'attente du bassin"
            parts.append(f"Demande {need.reference} créée et orientée vers {where}.")
    if saved.task is not None:
        parts.append(f"Tâche « {saved.task.title} » créée.")
    return " ".join(parts)


def save(form: VisitForm, company: Company, visit: Visit | None = None):
    """Validate and save the form; on a refusal show it again with the user's input."""
    if not form.validate_on_submit():
        return render_form(form, company, visit, status=422 if form.is_submitted() else 200)
    with refusals(form, stale=STALE_VISIT, flashed=False) as refused:
        if visit is not None:
            ensure_version(visit, form.seen_version(), STALE_VISIT)
        saved = visits.save_visit(company, form.visit_input(), actor(), visit)
        unit_of_work.commit()
    if refused:
        return render_form(form, company, visit, refused.message, refused.status)
    flash(saved_message(saved), "success")
    return redirect(url_for(".visit", visit_id=saved.visit.id))


@bp.route("/entreprises/<int:company_id>/visites/nouvelle", methods=["GET", "POST"])
@staff_only
def new_visit(company_id: int):
    """Plan or record a visit to the firm, alone or as a task force."""
    company = company_or_404(company_id)
    form = VisitForm(company=company, user=actor(), data={"scheduled_at": next_hour()})
    return save(form, company)


def editable_visit(visit_id: int) -> Visit:
    visit = visit_or_404(visit_id)
    if not access.can_edit_visit(current_user, visit):
        abort(403)
    return visit


@bp.route("/visites/<int:visit_id>/modifier", methods=["GET", "POST"])
@staff_only
def edit_visit(visit_id: int):
    """Change a visit; a save based on an older version is refused."""
    visit = editable_visit(visit_id)
    form = VisitForm(company=visit.company, user=actor(), visit=visit, data=visit_data(visit))
    return save(form, visit.company, visit)


def visit_context(visit: Visit) -> dict:
    return {"visit": visit, "needs": finding.needs_of(visit), "tasks": finding.tasks_of(visit),
            "service_label": catalogue.label_of, "local": local_from_utc}


@bp.get("/visites/<int:visit_id>")
@staff_only
def visit(visit_id: int):
    """A visit: who, when, what was found and proposed, the needs and tasks it created."""
    visit = visit_or_404(visit_id)
    return render_template("visits/visit.html", ledger=finding.ledger_of(visit),
                           editable=access.can_edit_visit(current_user, visit),
                           company_url=company_url(visit.company), **visit_context(visit))


@bp.get("/visites/<int:visit_id>/compte-rendu")
@staff_only
def report(visit_id: int):
    """The visit report, laid out for printing."""
    return render_template("visits/report.html", **visit_context(visit_or_404(visit_id)))


@bp.get("/visites", endpoint="visits")
@staff_only
def visits_list():
    """Visits per adviser (mine by default) or per basin, upcoming first."""
    form = VisitFilterForm(request.args, actor())
    filters = form.filters() if form.validate() else VisitFilterForm(None, actor()).filters()
    page = paginate(finding.visits_for(filters))
    return render_template("visits/list.html", form=form, page=page, local=local_from_utc)


@bp.get("/visites/semaine")
@staff_only
def week():
    """The visits of one week, Monday to Saturday, placed by day and hour."""
    form = VisitFilterForm(request.args, actor())
    filters = form.filters() if form.validate() else VisitFilterForm(None, actor()).filters()
    monday = week_start(request.args.get("debut"), local_now().date())
    args = {key: value for key, value in request.args.items() if key not in ("debut", "page")}
    return render_template(
        "visits/week.html", form=form, grid=finding.week_grid(filters, monday),
        local=local_from_utc, today=local_now().date(),
        previous_url=url_for(".week", debut=(monday - timedelta(days=7)).isoformat(), **args),
        next_url=url_for(".week", debut=(monday + timedelta(days=7)).isoformat(), **args),
        this_week_url=url_for(".week", **args), list_url=url_for(".visits", **args))
