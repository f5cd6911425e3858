"""Plan pages: the list, writing the fiche action, its progress, print, export, and the basins
compared (with their rollout stage, set by admins)."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from crm.blueprints.guards import actor, admins_only, staff_only
from crm.blueprints.pagination import paginate
from crm.blueprints.plans import bp
from crm.blueprints.plans.forms import PlanFilterForm, PlanForm, RolloutForm
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import Basin, Organisation, PlanStatus, ProspectionPlan, RolloutStage
from crm.services.accounts import access
from crm.services.plans import comparison, fiche, objectives, sheets
from crm.services.platform import unit_of_work
from crm.services.platform.local_time import local_today


def plan_or_404(plan_id: int) -> ProspectionPlan:
    plan = db.session.get(ProspectionPlan, plan_id)
    if plan is None or not fiche.can_read_plan(actor(), plan):
        abort(404)
    return plan


def writable_basins() -> list[Basin]:
    basins = db.session.scalars(sa.select(Basin).order_by(Basin.name)).all()
    return [basin for basin in basins if fiche.can_write_plan(actor(), basin.code)]


def network() -> list[Organisation]:
    return list(db.session.scalars(
        sa.select(Organisation).where(Organisation.active).order_by(Organisation.name)))


@bp.get("/plans")
@login_required
def plans():
    """The plans the user may read, filtered by basin and state."""
    form = PlanFilterForm(request.args)
    basins = db.session.scalars(sa.select(Basin).order_by(Basin.name)).all()
    form.basin.choices = [("", "Tous les bassins")] + [(b.code, b.name) for b in basins]
    query = fiche.readable_plans(actor())
    if form.basin.data:
        query = query.where(ProspectionPlan.basin_code == form.basin.data)
    if form.status.data in {s.value for s in PlanStatus}:
        query = query.where(ProspectionPlan.status == PlanStatus(form.status.data))
    query = query.options(sa.orm.joinedload(ProspectionPlan.basin))
    return render_template("plans/list.html", form=form, page=paginate(query),
                           can_write=fiche.can_write_plans(actor()))


def render_form(form: PlanForm, plan: ProspectionPlan | None, error: str | None = None,
                status: int = 200):
    return render_template("plans/form.html", form=form, plan=plan, error=error), status


@bp.route("/plans/nouveau", methods=["GET", "POST"])
@login_required
def new_plan():
    """A manager writes the fiche action of one of the basins they follow."""
    basins = writable_basins()
    if not basins:
        abort(403)
    form = PlanForm(basins, network())
    if request.method == "GET":
        form.period_start.data = local_today()
    if not form.validate_on_submit():
        return render_form(form, None, status=422 if form.is_submitted() else 200)
    with refusals(form, flashed=False) as refused:
        plan = fiche.create_plan(form.plan_input(), actor())
        unit_of_work.commit()
        flash("Le plan est enregistré.", "success")
        return redirect(url_for(".plan", plan_id=plan.id))
    return render_form(form, None, refused.message, refused.status)


@bp.route("/plans/<int:plan_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_plan(plan_id: int):
    plan = plan_or_404(plan_id)
    if not fiche.can_write_plan(actor(), plan.basin_code):
        abort(403)
    form = PlanForm(writable_basins(), network())
    if request.method == "GET":
        form.fill_from(plan)
    if not form.validate_on_submit():
        return render_form(form, plan, status=422 if form.is_submitted() else 200)
    with refusals(form, stale=fiche.STALE_PLAN, flashed=False) as refused:
        fiche.update_plan(plan, form.plan_input(), actor(), form.seen_version())
        unit_of_work.commit()
        flash("Le plan est mis à jour.", "success")
        return redirect(url_for(".plan", plan_id=plan.id))
    return render_form(form, plan, refused.message, refused.status)


def fiche_context(plan: ProspectionPlan) -> dict:
    return {"plan": plan, "progress": objectives.progress(plan),
            "segments": fiche.PRIORITY_SEGMENTS, "sectors": fiche.NAF_SECTIONS}


@bp.get("/plans/<int:plan_id>")
@login_required
def plan(plan_id: int):
    """The fiche action and its progress against pace; staff see who achieved what."""
    plan = plan_or_404(plan_id)
    staff = fiche.can_read_targets(actor())
    return render_template(
        "plans/plan.html", **fiche_context(plan), staff=staff,
        can_write=fiche.can_write_plan(actor(), plan.basin_code),
        organisations=objectives.contributions(plan, by_adviser=False) if staff else [],
        advisers=objectives.contributions(plan, by_adviser=True) if staff else [],
        weeks=objectives.weekly_contacts(plan) if staff else [],
        indicators=objectives.BREAKDOWN_INDICATORS)


@bp.get("/plans/<int:plan_id>/imprimer")
@login_required
def print_plan(plan_id: int):
    """One A4 page: the fiche action and where its objectives stand."""
    return render_template("plans/print.html", **fiche_context(plan_or_404(plan_id)))


@bp.get("/plans/<int:plan_id>/export.xlsx")
@login_required
def export_plan(plan_id: int):
    plan = plan_or_404(plan_id)
    return send_file(sheets.plan_workbook(plan), as_attachment=True,
                     download_name=f"plan-{plan.basin_code}-{plan.period_start.year}-{plan.id}.xlsx",
                     mimetype=sheets.XLSX_TYPE)


@bp.get("/plans/comparaison-des-bassins")
@staff_only
def compared():
    """The pilot basins side by side with the others, on the objectives' indicators."""
    period = comparison.period_from(request.args.get("debut"), request.args.get("fin"))
    return render_template("plans/compared.html", table=comparison.compare(period), period=period,
                           stage_form=RolloutForm(), stages=list(RolloutStage),
                           is_admin=access.is_admin(actor()))


@bp.post("/plans/bassins/<code>/deploiement")
@admins_only
def set_rollout(code: str):
    """An admin sets where a basin stands in the rollout (pilot, in rollout, generalised)."""
    basin = db.session.get(Basin, code) or abort(404)
    form = RolloutForm()
    if not form.validate_on_submit():
        abort(400)
    comparison.set_rollout_stage(basin, RolloutStage(form.stage.data), actor())
    unit_of_work.commit()
    flash(f"{basin.name} : {basin.rollout_stage.label}.", "success")
    return redirect(url_for(".compared", debut=request.args.get("debut"), fin=request.args.get("fin")))
