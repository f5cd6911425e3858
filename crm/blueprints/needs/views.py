"""Staff pages on hiring needs: "Mes demandes", a need's page, late needs, the unassigned queue."""

from flask import abort, render_template, request
from flask_login import current_user

from crm.blueprints.forms import options
from crm.blueprints.guards import actor, staff_only, supervisors_only
from crm.blueprints.needs import bp
from crm.blueprints.needs.forms import (
    AcceptTransferForm,
    AddCoHandlerForm,
    AskCoHandlingForm,
    CandidateForm,
    CandidateMoveForm,
    CloseForm,
    CoHandlingForm,
    ContactForm,
    MessageForm,
    NeedFilterForm,
    ProposeTransferForm,
    RefuseTransferForm,
    RemoveCoHandlerForm,
    TakeInChargeForm,
    TransferForm,
)
from crm.blueprints.pagination import paginate
from crm.models import (
    EmployerService,
    HiringNeed,
    LeavingReason,
    NeedCandidate,
    NeedCoHandler,
    Public,
    User,
)
from crm.services.accounts import access
from crm.services.accounts.access import NeedAction
from crm.services.needs import aftercare, cohandling, queries, satisfaction
from crm.services.needs import candidates as need_candidates
from crm.services.needs.pilots import de
from crm.services.needs.workflow import is_late
from crm.services.platform.contact_details import display_phone

PUBLIC_LABELS = dict(Public.choices())
SERVICE_LABELS = dict(EmployerService.choices())


def render_list(template: str, page, **context):
    """A page of needs, with the lateness test its rows use."""
    return render_template(template, page=page, is_late=is_late, **context)


@bp.get("/demandes")
@staff_only
def needs():
    """The needs assigned to me or my organisation, filtered."""
    form = NeedFilterForm(request.args, actor())
    filters = form.filters() if form.validate() else queries.NeedFilters()
    page = paginate(queries.needs_for(actor(), filters))
    return render_list("needs/list.html", page, form=form)


@bp.get("/demandes/en-retard")
@supervisors_only
def late():
    """Needs past their first-contact deadline, oldest deadline first."""
    page = paginate(queries.late_needs(actor()))
    return render_list("needs/late.html", page, days_late=queries.working_days_late)


@bp.get("/demandes/file-attente")
@supervisors_only
def queue():
    """Open needs that no adviser has yet."""
    return render_list("needs/queue.html", paginate(queries.unassigned_queue(actor())))


def visible_need(reference: str) -> HiringNeed:
    """The need behind a reference: 404 when unknown, 403 when out of the user's scope."""
    need = queries.need_by_reference(reference)
    if need is None:
        abort(404)
    if not access.can_view_need(current_user, need):
        abort(403)
    return need


def action_forms(need: HiringNeed, actions: frozenset[NeedAction], given: dict) -> dict:
    """The forms of the actions the user may do on the need, blank at its current version unless
    given (after an error)."""
    seen = {"formdata": None, "data": {"version": need.version}}
    forms = {"message": MessageForm(prefix="message", formdata=None)}
    if NeedAction.TAKE_IN_CHARGE in actions:
        forms |= {
            "take": TakeInChargeForm(prefix="take", **seen),
            "contact": ContactForm(prefix="contact", **seen),
            "transfer": TransferForm(prefix="transfer",
                                     targets=queries.transfer_targets(need), **seen),
            "close": CloseForm(prefix="close", **seen),
        }
    if NeedAction.PROPOSE_TRANSFER in actions:
        forms["propose"] = ProposeTransferForm(prefix="propose", formdata=None)
    if NeedAction.DECIDE_TRANSFER in actions:
        for proposal in queries.pending_proposals(need):
            forms[f"accept-{proposal.id}"] = AcceptTransferForm(prefix=f"accept-{proposal.id}",
                                                                **seen)
            forms[f"refuse-{proposal.id}"] = RefuseTransferForm(prefix=f"refuse-{proposal.id}",
                                                                formdata=None)
    forms |= together_forms(need, actions, seen)
    forms |= given
    if NeedAction.MESSAGE not in actions:  # other organisations write internal notes only
        forms["message"].body.label.text = "Note interne"
    return forms


def own(user: User, record: NeedCoHandler | NeedCandidate) -> bool:
    """A co-handling or a candidate of the user's organisation (admins act on every one)."""
    return access.is_admin(user) or record.organisation_id == user.organisation_id


def together_forms(need: HiringNeed, actions: frozenset[NeedAction], seen: dict) -> dict:
    """The forms of co-handling and candidates the user may use on the need."""
    blank = {"formdata": None}
    forms: dict = {}
    if not need.is_open:
        return forms
    if NeedAction.ADD_CO_HANDLER in actions:
        forms["co_add"] = AddCoHandlerForm(prefix="co_add", targets=cohandling.invitable(need),
                                           **blank)
        for co in need.co_handlers:
            forms[f"co-remove-{co.id}"] = RemoveCoHandlerForm(prefix=f"co-remove-{co.id}", **blank)
    if NeedAction.ASK_CO_HANDLING in actions:
        forms["co_ask"] = AskCoHandlingForm(prefix="co_ask", **blank)
    if NeedAction.CO_HANDLE in actions:
        for co in need.co_handlers:
            if own(current_user, co):
                forms[f"co-{co.id}"] = CoHandlingForm(
                    prefix=f"co-{co.id}", data={"status": co.status.value, "reason": co.reason},
                    **blank)
    if NeedAction.PUT_FORWARD in actions:
        forms["candidate"] = CandidateForm(prefix="candidate", **blank)
        for candidate in need.candidates:
            moves = need_candidates.MOVES.get(candidate.status)
            if moves and own(current_user, candidate):
                form = CandidateMoveForm(prefix=f"candidate-{candidate.id}", **blank)
                form.status.choices = options([(s.value, s.label) for s in moves])
                forms[f"candidate-{candidate.id}"] = form
    return forms


def render_need(need: HiringNeed, status: int = 200, **given):
    """The need page; `given` holds a submitted form to show again with its errors."""
    actions = access.need_actions(current_user, need, visible=True)
    pending = queries.pending_proposals(need)
    return render_template(
        "needs/need.html", need=need, rule=need.routing_rule,
        interactions=queries.interactions_of(need), late=is_late(need),
        history=queries.staff_history(need, NeedAction.PUT_FORWARD in actions),
        actions=actions, pending=pending,
        own_pending=[p for p in pending if p.organisation_id == current_user.organisation_id],
        forms=action_forms(need, actions, given) if NeedAction.NOTE in actions else {},
        publics=PUBLIC_LABELS, services=SERVICE_LABELS, phone=display_phone, de=de,
        co_handlers=cohandling.co_handlers_of(need),
        candidates=(need_candidates.candidates_of(need) if NeedAction.PUT_FORWARD in actions
                    else None),
        **aftercare_context(need),
    ), status


def aftercare_context(need: HiringNeed) -> dict:
    """After the hire: the follow-ups (with whether the user may record their outcome) and the
    employer's answers."""
    if need.is_open:
        return {"follow_ups": [], "survey": None}
    follow_ups = aftercare.follow_ups_of(need)
    return {"follow_ups": follow_ups, "survey": satisfaction.survey_of(need),
            "questions": satisfaction.QUESTIONS, "leaving_reasons": LeavingReason.choices(),
            "may_record": {f.id for f in follow_ups if f.task is not None and access.can_work_task(
                current_user, f.task.assignee, f.task.created_by_id)},
            "here": request.path}


@bp.get("/demandes/<reference>")
@staff_only
def need(reference: str):
    """Everything about a need, and the actions of whoever may work it."""
    return render_need(visible_need(reference))
