"""The needs pipeline board: columns by status, a per-card move form (posted by drag-and-drop
where JavaScript runs) and the managers' bulk reassignment."""

from flask import flash, get_template_attribute, jsonify, redirect, render_template, request, url_for
from wtforms import HiddenField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired

from crm.blueprints.agenda.forms import safe_next
from crm.blueprints.forms import FrenchForm, VersionedForm, options
from crm.blueprints.guards import actor, staff_only, supervisors_only
from crm.blueprints.needs import bp
from crm.blueprints.needs.forms import NeedFilterForm
from crm.blueprints.needs.views import visible_need
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import HiringNeed, NeedSource, NeedStatus, User
from crm.services.accounts import access
from crm.services.accounts.access import NeedAction
from crm.services.needs import queries
from crm.services.needs import queries as need_queries
from crm.services.needs.pipeline import (
    PipelineFilters,
    board,
    move,
    moves,
    needs_by_references,
    reassign,
    team_of,
)
from crm.services.needs.workflow import is_late
from crm.services.platform import unit_of_work
from crm.services.platform.concurrency import ensure_version


class PipelineFilterForm(NeedFilterForm):
    """"Mes demandes" filters without status (the columns) nor age, plus origin and adviser."""

    status = None
    age = None
    late = None
    source = SelectField("Origine", default="")
    adviser = SelectField("Conseiller", default="")

    def __init__(self, formdata, user: User, team: list[User]):
        super().__init__(formdata, user)
        self.source.choices = options([("", "Toutes les origines")], NeedSource.choices())
        self.adviser.choices = options([("", "Tous les conseillers")],
                                       [(str(person.id), person.name) for person in team])

    def filters(self) -> PipelineFilters:  # type: ignore[override]  # the board's own filters
        return PipelineFilters(
            needs=queries.NeedFilters(scope=self.scope.data, basin=self.basin.data,
                                           search=self.q.data or ""),
            source=self.source.data, adviser_id=int(self.adviser.data or 0) or None)


class MoveForm(VersionedForm):
    status = SelectField("Colonne", choices=options(NeedStatus.choices()),
                         validators=[DataRequired("Choisissez la colonne.")])
    next = HiddenField()


class ReassignForm(FrenchForm):
    needs = SelectMultipleField("Demandes", choices=[], validate_choice=False, validators=[
        DataRequired("Cochez au moins une demande à réattribuer.")])
    adviser = SelectField("Réattribuer à", coerce=int, validators=[
        DataRequired("Choisissez le conseiller.")])
    next = HiddenField()

    def __init__(self, *args, team: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.adviser.choices = options([(0, "Choisissez le conseiller")],
                                       [(person.id, person.name) for person in team])


@bp.get("/demandes/tableau")
@staff_only
def pipeline():
    """Needs by status; drag-and-drop or per-card buttons to move them; bulk reassignment."""
    team = team_of(actor())
    form = PipelineFilterForm(request.args, actor(), team)
    filters = form.filters() if form.validate() else PipelineFilters()
    supervisor = access.is_supervisor(actor())
    return render_template(
        "needs/pipeline.html", board=board(actor(), filters), form=form, moves=moves,
        workable=lambda need: NeedAction.TAKE_IN_CHARGE in access.need_actions(
            actor(), need, visible=True, co_handling=False),
        is_late=is_late, here=request.full_path.rstrip("?"),
        reassign_form=ReassignForm(formdata=None, team=team) if supervisor else None)


def reply(need: HiringNeed, message: str, status: int, next_url: str | None):
    """JSON for the board's script, else a message and back to the board."""
    if request.accept_mimetypes.best == "application/json":
        badge = get_template_attribute("needs/_macros.html", "need_status")(need.status)
        return jsonify({"ok": status == 200, "message": message, "status": need.status.value,
                        "status_label": need.status.label, "badge": str(badge).strip(),
                        "version": need.version,
                        "adviser": need.adviser.name if need.adviser else None,
                        "late": is_late(need)}), status
    flash(message, "success" if status == 200 else "error")
    return redirect(safe_next(next_url) or url_for(".pipeline"))


@bp.post("/demandes/tableau/<reference>/statut")
@staff_only
def pipeline_move(reference: str):
    """Move a card to another column, as the need workflow allows."""
    need, form = visible_need(reference), MoveForm()
    if not access.may_work_need(actor(), need):
        return reply(need, access.refusal(actor(), need, NeedAction.TAKE_IN_CHARGE), 403,
                     form.next.data)
    if not form.validate_on_submit():
        return reply(need, "Choisissez la colonne où placer la demande.", 422, form.next.data)
    with refusals(stale=need_queries.STALE_VERSION, flashed=False) as refused:
        ensure_version(need, form.seen_version(), need_queries.STALE_VERSION)
        move(need, actor(), NeedStatus(form.status.data))
        unit_of_work.commit()
    if refused:
        return reply(need, refused.message or need_queries.STALE_VERSION, 409, form.next.data)
    db.session.refresh(need)
    return reply(need, f"Vous avez pris en charge la demande {need.reference} : elle est en cours.",
                 200, form.next.data)


@bp.post("/demandes/tableau/reattribution")
@supervisors_only
def pipeline_reassign():
    """Give the ticked needs to an adviser of my organisation."""
    form = ReassignForm(team=team_of(actor()))
    back = redirect(safe_next(form.next.data) or url_for(".pipeline"))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return back
    with refusals(stale=need_queries.STALE_VERSION):
        result = reassign(needs_by_references(form.needs.data),
                          db.session.get(User, form.adviser.data), actor())
        unit_of_work.commit()
        flash(result.summary(), "success" if result.done else "warning")
    return back
