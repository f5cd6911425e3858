"""Views of the routing rules (admins), their simulator, and the spotter indicators (managers)."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from crm.blueprints.guards import actor, confirmed_action
from crm.blueprints.refusals import refusals
from crm.blueprints.routing import bp
from crm.blueprints.routing.forms import PeriodForm, RuleForm, SimulatorForm
from crm.extensions import db
from crm.models import RoutingRule
from crm.services.accounts import access
from crm.services.needs import spotter_stats
from crm.services.platform import unit_of_work
from crm.services.routing import rules as routing_admin

SPOTTER_PAGES = ("routing.spotters", "routing.spotters_csv")


@bp.before_request
@login_required
def require_permission():
    """Admins manage the rules; managers and admins read the spotter indicators."""
    allowed = (access.is_supervisor if request.endpoint in SPOTTER_PAGES
               else access.can_manage_routing)
    if not allowed(current_user):
        abort(403)


@bp.get("/admin/orientation")
def rules():
    """The routing rules in evaluation order, with their actions."""
    return render_template("routing/rules.html", overview=routing_admin.rule_overview(),
                           conditions=routing_admin.conditions)


@bp.route("/admin/orientation/nouvelle", methods=["GET", "POST"])
def rule_new():
    """Create a routing rule."""
    return edit_rule(RoutingRule(), RuleForm())


@bp.route("/admin/orientation/<int:rule_id>/modifier", methods=["GET", "POST"])
def rule_edit(rule_id: int):
    """Change a routing rule's conditions, target, reason or state."""
    rule = db.get_or_404(RoutingRule, rule_id)
    return edit_rule(rule, RuleForm(obj=rule))


def edit_rule(rule: RoutingRule, form: RuleForm):
    creating = rule.id is None
    if form.validate_on_submit():
        with refusals(form):
            routing_admin.save_rule(
                rule, name=form.name.data, conditions=form.criteria_values(),
                target_kind=form.target_kind.data,
                reason=form.reason.data, active=form.active.data, actor=actor())
            unit_of_work.commit()
            flash(f"La règle « {rule.name} » est {'créée' if creating else 'enregistrée'}.",
                  "success")
            return redirect(url_for(".rules"))
    return render_template("routing/rule_form.html", form=form, rule=rule,
                           creating=creating), 422 if form.errors else 200


@bp.post("/admin/orientation/<int:rule_id>/<any(monter, descendre):direction>")
def rule_move(rule_id: int, direction: str):
    """Move a rule one place up or down the evaluation order."""
    confirmed_action()
    rule = db.get_or_404(RoutingRule, rule_id)
    up = direction == "monter"
    moved = routing_admin.move_rule(rule, "up" if up else "down", actor=actor())
    unit_of_work.commit()
    if moved:
        flash(f"La règle « {rule.name} » est maintenant en position {rule.position}.", "success")
    else:
        flash(f"La règle « {rule.name} » est déjà en {'première' if up else 'dernière'} position.",
              "info")
    return redirect(url_for(".rules", _anchor=f"regle-{rule.id}"))


@bp.post("/admin/orientation/<int:rule_id>/<any(desactiver, reactiver):action>")
def rule_activation(rule_id: int, action: str):
    """Disable or enable a rule."""
    confirmed_action()
    rule = db.get_or_404(RoutingRule, rule_id)
    active = action == "reactiver"
    routing_admin.set_rule_active(rule, active, actor=actor())
    unit_of_work.commit()
    flash(f"La règle « {rule.name} » est {'réactivée' if active else 'désactivée'}.", "success")
    return redirect(url_for(".rules"))


@bp.get("/admin/orientation/simulateur")
def simulator():
    """Which rule, organisation and adviser a sample need would get; nothing is stored."""
    form, simulation = SimulatorForm(request.args), None
    if request.args and form.validate():
        with refusals(form, flashed=False) as refused:
            simulation = routing_admin.simulate(
                siret=form.siret.data or "", place=form.place.data or "",
                commune_code=form.commune_code.data, facts=form.criteria_values())
        form.offer_communes(refused.error.communes if refused else simulation.communes)
    return render_template("routing/simulator.html", form=form, simulation=simulation,
                           conditions=routing_admin.conditions)


def period_stats() -> tuple[PeriodForm, list[spotter_stats.SpotterStats]]:
    form = PeriodForm(request.args)
    period = form.period.data if form.validate() else spotter_stats.ALL_TIME
    return form, spotter_stats.spotter_stats(actor(), period)


@bp.get("/pilotage/reperage")
def spotters():
    """Flags, hires and speed of first contact per offer-spotter organisation."""
    form, stats = period_stats()
    return render_template("routing/spotters.html", form=form, stats=stats)


@bp.get("/pilotage/reperage.csv")
def spotters_csv():
    """The spotter indicators as a CSV file for spreadsheets."""
    _form, stats = period_stats()
    return Response(spotter_stats.csv_export(stats), content_type=spotter_stats.CSV_TYPE,
                    headers={"Content-Disposition": 'attachment; filename="reperage.csv"'})
