"""Actions on a need from its page: take in charge, log a contact, transfer, close, write a note;
propose to take over another organisation's need, and accept or refuse such a proposal. Who may do
what is `access.NEED_ACTIONS`."""

from collections.abc import Callable

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from crm.blueprints.guards import actor, staff_only
from crm.blueprints.needs import bp
from crm.blueprints.needs.forms import (
    AcceptTransferForm,
    CloseForm,
    ContactForm,
    MessageForm,
    ProposeTransferForm,
    RefuseTransferForm,
    TakeInChargeForm,
    TransferForm,
    VersionedForm,
)
from crm.blueprints.needs.views import render_need, visible_need
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import HiringNeed, InteractionKind, NeedStatus, NeedTransferProposal, Organisation
from crm.services.accounts import access
from crm.services.accounts.access import NeedAction
from crm.services.needs import queries, workflow
from crm.services.needs import queries as need_queries
from crm.services.platform import unit_of_work
from crm.services.platform.concurrency import ensure_version


def need_for(reference: str, action: NeedAction) -> HiringNeed:
    """The need if the user may do this action on it (404 unknown, 403 otherwise)."""
    need = visible_need(reference)
    if not access.may(current_user, need, action):
        abort(403)
    return need


def workable_need(reference: str) -> HiringNeed:
    """The need if the user may work it: its pilot organisation's staff, admins."""
    return need_for(reference, NeedAction.TAKE_IN_CHARGE)


def proposal_of(need: HiringNeed, proposal_id: int) -> NeedTransferProposal:
    """One of the need's transfer proposals, else 404."""
    proposal = db.session.get(NeedTransferProposal, proposal_id)
    if proposal is None or proposal.need_id != need.id:
        abort(404)
    return proposal


def act(need: HiringNeed, key: str, form: FlaskForm, action: Callable[[], object], done: str):
    """Run an action from a valid form; nothing changes on a refusal, shown next to its field with
    the form as it was filled (else flashed). Back to the need's page, or to the list when the
    action took the need out of the user's reach."""
    if not form.validate_on_submit():
        return render_need(need, 422, **{key: form})
    with refusals(form, stale=need_queries.STALE_VERSION) as refused:
        if isinstance(form, VersionedForm):
            ensure_version(need, form.seen_version(), need_queries.STALE_VERSION)
        action()
        unit_of_work.commit()
        flash(done, "success")
        if not access.can_view_need(current_user, need):
            return redirect(url_for(".needs"))
    if refused and refused.message is None:  # shown next to its field
        return render_need(need, 422, **{key: form})
    return redirect(url_for(".need", reference=need.reference))


@bp.post("/demandes/<reference>/prise-en-charge")
@staff_only
def take_in_charge(reference: str):
    """The signed-in user becomes the need's adviser."""
    need = workable_need(reference)
    return act(need, "take", TakeInChargeForm(prefix="take"),
               lambda: workflow.take_in_charge(need, actor()),
               f"Vous avez pris en charge la demande {need.reference}.")


@bp.post("/demandes/<reference>/contact")
@staff_only
def contact(reference: str):
    """Log a contact with the employer; the first one stops the first-contact clock."""
    need = need_for(reference, NeedAction.CONTACT)
    form = ContactForm(prefix="contact")
    return act(need, "contact", form,
               lambda: workflow.record_first_contact(
                   need, actor(), InteractionKind(form.kind.data), form.summary.data,
                   form.occurred_at_utc()),
               "Le contact avec l'employeur est enregistré.")


@bp.post("/demandes/<reference>/transfert")
@staff_only
def transfer(reference: str):
    """Hand the need to another organisation, with a reason."""
    need = need_for(reference, NeedAction.TRANSFER)
    form = TransferForm(prefix="transfer", targets=queries.transfer_targets(need))
    return act(need, "transfer", form,
               lambda: workflow.transfer(
                   need, actor(), db.session.get_one(Organisation, form.organisation.data),
                   form.reason.data),
               "La demande est transférée.")


@bp.post("/demandes/<reference>/cloture")
@staff_only
def close(reference: str):
    """Close the need with its outcome."""
    need = need_for(reference, NeedAction.CLOSE)
    form = CloseForm(prefix="close")
    return act(need, "close", form,
               lambda: workflow.close(need, actor(), NeedStatus(form.outcome.data),
                                      form.hires.data, form.reason.data, form.chosen_reason()),
               "La demande est clôturée.")


@bp.post("/demandes/<reference>/messages")
@staff_only
def message(reference: str):
    """Add a message or an internal note to the need (other organisations: notes only)."""
    form = MessageForm(prefix="message")
    need = need_for(reference, NeedAction.NOTE if form.internal.data else NeedAction.MESSAGE)
    done = "La note interne est ajoutée." if form.internal.data else "Le message est ajouté."
    return act(need, "message", form,
               lambda: workflow.add_staff_message(need, actor(), form.body.data,
                                                       form.internal.data),
               done)


@bp.post("/demandes/<reference>/proposition-transfert")
@staff_only
def propose_transfer(reference: str):
    """Ask the pilot organisation to hand the need over to mine, with a reason."""
    need = need_for(reference, NeedAction.PROPOSE_TRANSFER)
    form = ProposeTransferForm(prefix="propose")
    pilot = need.organisation.name if need.organisation else ""
    return act(need, "propose", form,
               lambda: workflow.propose_transfer(need, actor(), form.reason.data),
               f"Votre proposition de transfert est envoyée à {pilot}.")


@bp.post("/demandes/<reference>/propositions/<int:proposal_id>/acceptation")
@staff_only
def accept_transfer(reference: str, proposal_id: int):
    """Hand the need to the organisation that proposed to take it over."""
    need = need_for(reference, NeedAction.DECIDE_TRANSFER)
    proposal = proposal_of(need, proposal_id)
    form = AcceptTransferForm(prefix=f"accept-{proposal.id}")
    return act(need, f"accept-{proposal.id}", form,
               lambda: workflow.accept_transfer(need, proposal, actor()),
               f"La demande est transférée à {proposal.organisation.name}.")


@bp.post("/demandes/<reference>/propositions/<int:proposal_id>/refus")
@staff_only
def refuse_transfer(reference: str, proposal_id: int):
    """Keep the need, and tell the proposing organisation why."""
    need = need_for(reference, NeedAction.DECIDE_TRANSFER)
    proposal = proposal_of(need, proposal_id)
    form = RefuseTransferForm(prefix=f"refuse-{proposal.id}")
    return act(need, f"refuse-{proposal.id}", form,
               lambda: workflow.refuse_transfer(need, proposal, actor(), form.reason.data),
               "La proposition de transfert est refusée.")
