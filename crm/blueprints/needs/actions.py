"""Actions on a need from its page: take in charge, log a contact, transfer, close, write a note."""

from collections.abc import Callable

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from crm.blueprints.guards import actor, staff_only
from crm.blueprints.needs import bp
from crm.blueprints.needs.forms import (
    CloseForm,
    ContactForm,
    MessageForm,
    TakeInChargeForm,
    TransferForm,
    VersionedForm,
)
from crm.blueprints.needs.views import render_need, visible_need
from crm.extensions import db
from crm.models import HiringNeed, InteractionKind, NeedStatus, Organisation
from crm.services import access, need_queries, need_workflow
from crm.services.need_workflow import WorkflowError


def workable_need(reference: str) -> HiringNeed:
    """The need if the user may work it (404 unknown, 403 otherwise)."""
    need = visible_need(reference)
    if not access.can_work_need(current_user, need):
        abort(403)
    return need


def act(need: HiringNeed, key: str, form: FlaskForm, action: Callable[[], object], done: str):
    """Run an action from a valid form; nothing changes on a refusal, shown next to its field with
    the form as it was filled (else flashed). Back to the need's page, or to the list when the
    action took the need out of the user's reach."""
    if not form.validate_on_submit():
        return render_need(need, 422, **{key: form})
    try:
        if isinstance(form, VersionedForm):
            need_queries.ensure_version(need, form.seen_version())
        action()
    except WorkflowError as refused:
        db.session.rollback()
        if refused.field and refused.field in form:
            form[refused.field].errors = [str(refused)]
            return render_need(need, 422, **{key: form})
        flash(str(refused), "error")
    except StaleDataError:
        db.session.rollback()
        flash(need_queries.STALE_VERSION, "error")
    else:
        flash(done, "success")
        if not access.can_view_need(current_user, need):
            return redirect(url_for(".needs"))
    return redirect(url_for(".need", reference=need.reference))


@bp.post("/demandes/<reference>/prise-en-charge")
@staff_only
def take_in_charge(reference: str):
    """The signed-in user becomes the need's adviser."""
    need = workable_need(reference)
    return act(need, "take", TakeInChargeForm(prefix="take"),
               lambda: need_workflow.take_in_charge(need, actor()),
               f"Vous avez pris en charge la demande {need.reference}.")


@bp.post("/demandes/<reference>/contact")
@staff_only
def contact(reference: str):
    """Log a contact with the employer; the first one stops the first-contact clock."""
    need = workable_need(reference)
    form = ContactForm(prefix="contact")
    return act(need, "contact", form,
               lambda: need_workflow.record_first_contact(
                   need, actor(), InteractionKind(form.kind.data), form.summary.data,
                   form.occurred_at_utc()),
               "Le contact avec l'employeur est enregistré.")


@bp.post("/demandes/<reference>/transfert")
@staff_only
def transfer(reference: str):
    """Hand the need to another organisation, with a reason."""
    need = workable_need(reference)
    form = TransferForm(prefix="transfer", targets=need_queries.transfer_targets(need))
    return act(need, "transfer", form,
               lambda: need_workflow.transfer(
                   need, actor(), db.session.get(Organisation, form.organisation.data),
                   form.reason.data),
               "La demande est transférée.")


@bp.post("/demandes/<reference>/cloture")
@staff_only
def close(reference: str):
    """Close the need with its outcome."""
    need = workable_need(reference)
    form = CloseForm(prefix="close")
    return act(need, "close", form,
               lambda: need_workflow.close(need, actor(), NeedStatus(form.outcome.data),
                                           form.hires.data, form.reason.data),
               "La demande est clôturée.")


@bp.post("/demandes/<reference>/messages")
@staff_only
def message(reference: str):
    """Add a message or an internal note to the need."""
    need = workable_need(reference)
    form = MessageForm(prefix="message")
    done = "La note interne est ajoutée." if form.internal.data else "Le message est ajouté."
    return act(need, "message", form,
               lambda: need_workflow.add_staff_message(need, actor(), form.body.data,
                                                       form.internal.data),
               done)
