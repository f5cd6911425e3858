"""Staff pages of segments and targets: the segment builder (count and preview, with or without
JavaScript), saved segments, a plan's target list and an adviser's own targets."""

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from crm.blueprints.guards import actor, confirmed_action, staff_only, supervisors_only
from crm.blueprints.pagination import paginate, paginate_rows
from crm.blueprints.refusals import refusals
from crm.blueprints.targets import bp
from crm.blueprints.targets.forms import (
    MyTargetFilterForm,
    SegmentForm,
    TargetFilterForm,
    criteria_as_form_data,
)
from crm.extensions import db
from crm.models import PlanTarget, ProspectionPlan, Segment, TargetStatus
from crm.services.companies import pressure
from crm.services.plans import segments, targets
from crm.services.platform import unit_of_work
from crm.services.platform.refusals import Refused


def plan_or_404(plan_id: int) -> ProspectionPlan:
    plan = db.session.get(ProspectionPlan, plan_id)
    if plan is None:
        abort(404)
    return plan


def buildable_plan(plan_id: int) -> ProspectionPlan:
    """The plan, when the user builds its segments and target list (else 403)."""
    plan = plan_or_404(plan_id)
    if not targets.can_build(current_user, plan):
        abort(403)
    return plan


def target_or_404(plan: ProspectionPlan, target_id: int) -> PlanTarget:
    target = db.session.get(PlanTarget, target_id)
    if target is None or target.plan_id != plan.id:
        abort(404)
    return target


# The segment builder


def builder_form(plan: ProspectionPlan) -> SegmentForm:
    """The criteria asked for: the query string, else a preset or a saved segment, else the plan's
    basin."""
    args = request.args
    if any(name in args for name in segments.Criteria.__dataclass_fields__):
        return SegmentForm(args)
    preset = segments.PRESETS_BY_KEY.get(args.get("preset", ""))
    saved = db.session.get(Segment, args.get("segment", type=int) or 0) if "segment" in args else None
    chosen = preset.criteria if preset else saved.criteria if saved else {}
    base = {} if saved else {"basins": [plan.basin_code]}
    return SegmentForm(data=criteria_as_form_data(base | chosen))


def counted(form: SegmentForm) -> tuple[segments.Criteria | None, int | None, list]:
    """The form's criteria with their count and preview; None when refused (errors on the form)."""
    with refusals(form, flashed=False) as refused:
        criteria = segments.parse_criteria(form.criteria_data())
        return criteria, segments.count(criteria), segments.preview(criteria)
    if refused.message:
        form.form_errors.append(refused.message)
    return None, None, []


@bp.get("/plans/<int:plan_id>/segment")
@supervisors_only
def segment(plan_id: int):
    """Choose criteria (or a preset), see how many firms match and the first ones, then add them
    to the plan's targets or save the segment."""
    plan = buildable_plan(plan_id)
    form = builder_form(plan)
    criteria, total, preview = counted(form)
    return render_template(
        "targets/segment.html", plan=plan, form=form, criteria=criteria, total=total,
        preview=preview, presets=segments.PRESETS,
        saved=db.session.scalars(segments.saved_segments().limit(50)).all(),
    ), 422 if criteria is None else 200


@bp.get("/plans/<int:plan_id>/segment/compte")
@supervisors_only
def segment_count(plan_id: int):
    """JSON {count, preview} of the criteria in the query string (the page's live count)."""
    buildable_plan(plan_id)
    try:
        criteria = segments.parse_criteria(SegmentForm(request.args).criteria_data())
    except Refused as refused:
        return jsonify({"error": refused.message, "fields": refused.fields}), 422
    return jsonify({"count": segments.count(criteria), "preview": [
        {"siret": c.siret, "name": c.name, "commune": c.commune.name if c.commune else None}
        for c in segments.preview(criteria)]})


def builder_url(plan: ProspectionPlan) -> str:
    """The builder showing the posted criteria again (after a refusal)."""
    criteria: dict[str, Any] = {key: request.form.getlist(key) for key in request.form
                                if key in segments.Criteria.__dataclass_fields__}
    return url_for(".segment", plan_id=plan.id, **criteria)


def posted_criteria() -> segments.Criteria:
    return segments.parse_criteria(SegmentForm(MultiDict(request.form)).criteria_data())


@bp.post("/plans/<int:plan_id>/segment/cibles")
@supervisors_only
def add_segment(plan_id: int):
    """Add the segment's firms to the plan's target list."""
    plan = buildable_plan(plan_id)
    confirmed_action()
    with refusals():
        added = targets.add_segment(plan, posted_criteria(), actor())
        unit_of_work.commit()
        flash(f"{added.added} entreprise(s) ajoutée(s) à la liste cible"
              + (f" ; {added.already} y figuraient déjà." if added.already else "."), "success")
        return redirect(url_for(".plan_targets", plan_id=plan.id))
    return redirect(builder_url(plan))


@bp.post("/plans/<int:plan_id>/segment/enregistrer")
@supervisors_only
def save_segment(plan_id: int):
    """Save the criteria under a name, to reuse them."""
    plan = buildable_plan(plan_id)
    confirmed_action()
    with refusals():
        saved = segments.save_segment(request.form.get("name", ""), posted_criteria(), actor())
        unit_of_work.commit()
        flash(f"Le segment « {saved.name} » est enregistré.", "success")
        return redirect(url_for(".segment", plan_id=plan.id, segment=saved.id))
    return redirect(builder_url(plan))


@bp.get("/segments")
@supervisors_only
def saved_segments():
    """Saved segments, newest first, with their criteria and the plans one may use them for."""
    page = paginate(segments.saved_segments())
    form = SegmentForm()
    labels = {name: form[name].label.text for name in segments.Criteria.__dataclass_fields__}
    plans = db.session.scalars(db.select(ProspectionPlan).order_by(ProspectionPlan.name)).all()
    return render_template("targets/segments.html", page=page, labels=labels,
                           plans=[p for p in plans if targets.can_build(current_user, p)])


# Target lists


def pressures_of(rows: list) -> dict:
    return pressure.levels_for([row.target.company_id for row in rows], current_user.organisation_id)


@bp.get("/plans/<int:plan_id>/cibles")
@staff_only
def plan_targets(plan_id: int):
    """The plan's targets with their derived status, assignee and contact pressure."""
    plan = plan_or_404(plan_id)
    advisers = targets.plan_advisers(plan)
    form = TargetFilterForm(request.args, advisers)
    filters = form.filters(plan.id) if form.validate() else targets.TargetFilters(plan_id=plan.id)
    page = paginate_rows(targets.targets_query(filters))
    rows = targets.rows_of(page.items)
    return render_template(
        "targets/targets.html", plan=plan, form=form, page=page, rows=rows,
        levels=pressures_of(rows), advisers=advisers, builds=targets.can_build(current_user, plan),
        counts=targets.status_counts(plan))


@bp.get("/mes-cibles")
@staff_only
def my_targets():
    """The signed-in adviser's targets across the active plans."""
    form = MyTargetFilterForm(request.args)
    status = form.statut.data if form.validate() and form.statut.data else None
    page = paginate_rows(targets.targets_query(targets.TargetFilters(
        assignee_id=current_user.id, active_plans_only=True,
        status=TargetStatus(status) if status else None)))
    rows = targets.rows_of(page.items)
    return render_template("targets/my_targets.html", form=form, page=page, rows=rows,
                           levels=pressures_of(rows))


def back_to_list(plan: ProspectionPlan):
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for(".plan_targets", plan_id=plan.id))


def chosen_ids() -> list[int]:
    return [int(value) for value in request.form.getlist("targets") if value.isdigit()]


@bp.post("/plans/<int:plan_id>/cibles/attribuer")
@supervisors_only
def assign(plan_id: int):
    """Give the ticked targets to an adviser of the plan."""
    plan = buildable_plan(plan_id)
    confirmed_action()
    raw = request.form.get("assignee", "")
    with refusals():
        given = targets.assign(plan, chosen_ids(), int(raw) if raw.isdigit() else None, actor())
        unit_of_work.commit()
        flash(f"{given} cible(s) attribuée(s).", "success")
    return back_to_list(plan)


@bp.post("/plans/<int:plan_id>/cibles/repartir")
@supervisors_only
def balance(plan_id: int):
    """Share the unassigned targets evenly among the plan's advisers."""
    plan = buildable_plan(plan_id)
    confirmed_action()
    with refusals():
        given = targets.balance(plan, actor())
        unit_of_work.commit()
        flash(f"{sum(given.values())} cible(s) réparties entre {len(given)} conseiller(s)."
              if given else "Toutes les cibles ont déjà un conseiller.", "success")
    return back_to_list(plan)


@bp.post("/plans/<int:plan_id>/cibles/<int:target_id>/retirer")
@supervisors_only
def remove(plan_id: int, target_id: int):
    """Take a firm off the plan's target list."""
    plan = buildable_plan(plan_id)
    confirmed_action()
    target = target_or_404(plan, target_id)
    name = target.company.name
    targets.remove_target(target, actor())
    unit_of_work.commit()
    flash(f"{name} est retirée de la liste cible.", "success")
    return back_to_list(plan)


@bp.post("/plans/<int:plan_id>/cibles/<int:target_id>/issue")
@staff_only
def outcome(plan_id: int, target_id: int):
    """Record "pas intéressée" or "injoignable" on a target, or clear it."""
    plan = plan_or_404(plan_id)
    target = target_or_404(plan, target_id)
    if not targets.can_set_outcome(current_user, plan, target):
        abort(403)
    confirmed_action()
    with refusals():
        chosen = targets.outcome_from(request.form.get("outcome", ""))
        targets.set_outcome(target, chosen, actor())
        unit_of_work.commit()
        flash(f"{target.company.name} : « {chosen.label} »." if chosen
              else f"{target.company.name} : statut remis selon le journal des contacts.", "success")
    return back_to_list(plan)
