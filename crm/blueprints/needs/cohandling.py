"""Working a need together, from its page: the pilot invites a co-handling organisation, staff of
another organisation ask to co-handle, a co-handler changes its status; the handling organisations
record the candidates they put forward and their stage. Who may do what is `access.NEED_ACTIONS`."""

from flask import abort

from crm.blueprints.guards import actor, staff_only
from crm.blueprints.needs import bp
from crm.blueprints.needs.actions import act, need_for
from crm.blueprints.needs.forms import (
    AddCoHandlerForm,
    AskCoHandlingForm,
    CandidateForm,
    CandidateMoveForm,
    CoHandlingForm,
    RemoveCoHandlerForm,
)
from crm.extensions import db
from crm.models import (
    CandidateStatus,
    CoHandlerStatus,
    HiringNeed,
    NeedCandidate,
    NeedCoHandler,
    NotRetainedReason,
    Organisation,
)
from crm.services.accounts.access import NeedAction
from crm.services.needs import candidates, cohandling


def co_handler_of(need: HiringNeed, co_handler_id: int) -> NeedCoHandler:
    found = db.session.get(NeedCoHandler, co_handler_id)
    if found is None or found.need_id != need.id:
        abort(404)
    return found


def candidate_of(need: HiringNeed, candidate_id: int) -> NeedCandidate:
    found = db.session.get(NeedCandidate, candidate_id)
    if found is None or found.need_id != need.id:
        abort(404)
    return found


@bp.post("/demandes/<reference>/co-traitance")
@staff_only
def add_co_handler(reference: str):
    """The pilot invites another organisation to co-handle the need."""
    need = need_for(reference, NeedAction.ADD_CO_HANDLER)
    form = AddCoHandlerForm(prefix="co_add", targets=cohandling.invitable(need))
    return act(need, "co_add", form,
               lambda: cohandling.add(need, actor(),
                                      db.session.get_one(Organisation, form.organisation.data)),
               "La structure est invitée à co-traiter la demande.")


@bp.post("/demandes/<reference>/co-traitance/demande")
@staff_only
def ask_co_handling(reference: str):
    """My organisation joins the need as a co-handler, with me as its adviser."""
    need = need_for(reference, NeedAction.ASK_CO_HANDLING)
    return act(need, "co_ask", AskCoHandlingForm(prefix="co_ask"),
               lambda: cohandling.ask(need, actor()),
               "Votre structure co-traite désormais cette demande.")


@bp.post("/demandes/<reference>/co-traitance/<int:co_handler_id>")
@staff_only
def update_co_handling(reference: str, co_handler_id: int):
    """A co-handler changes its status (and a reason for "not for me")."""
    need = need_for(reference, NeedAction.CO_HANDLE)
    co_handler = co_handler_of(need, co_handler_id)
    key = f"co-{co_handler.id}"
    form = CoHandlingForm(prefix=key)
    return act(need, key, form,
               lambda: cohandling.update(need, co_handler, actor(),
                                         CoHandlerStatus(form.status.data), form.reason.data),
               "Le statut de co-traitance est enregistré.")


@bp.post("/demandes/<reference>/co-traitance/<int:co_handler_id>/retrait")
@staff_only
def remove_co_handler(reference: str, co_handler_id: int):
    """The pilot withdraws a co-handler, with a reason."""
    need = need_for(reference, NeedAction.ADD_CO_HANDLER)
    co_handler = co_handler_of(need, co_handler_id)
    key = f"co-remove-{co_handler.id}"
    form = RemoveCoHandlerForm(prefix=key)
    return act(need, key, form,
               lambda: cohandling.remove(need, co_handler, actor(), form.reason.data),
               "La structure ne co-traite plus la demande ; elle en est informée.")


@bp.post("/demandes/<reference>/candidats")
@staff_only
def put_forward(reference: str):
    """Record a candidate my organisation puts forward."""
    need = need_for(reference, NeedAction.PUT_FORWARD)
    form = CandidateForm(prefix="candidate")
    return act(need, "candidate", form,
               lambda: candidates.put_forward(need, actor(), form.reference.data,
                                              form.consent_on.data),
               "Le candidat proposé est enregistré.")


@bp.post("/demandes/<reference>/candidats/<int:candidate_id>")
@staff_only
def move_candidate(reference: str, candidate_id: int):
    """Move a candidate to its next stage."""
    need = need_for(reference, NeedAction.PUT_FORWARD)
    candidate = candidate_of(need, candidate_id)
    key = f"candidate-{candidate.id}"
    form = CandidateMoveForm(prefix=key)
    return act(need, key, form,
               lambda: candidates.move(need, candidate, actor(), CandidateStatus(form.status.data),
                                       NotRetainedReason(form.reason.data) if form.reason.data
                                       else None),
               "L'étape du candidat est enregistrée.")
