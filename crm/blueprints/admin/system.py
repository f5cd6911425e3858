"""Admin pages: the outbox of notifications and the reference data."""

from flask import current_app, flash, redirect, render_template, request, url_for

from crm.blueprints.admin import bp
from crm.blueprints.admin.forms import MessageFilterForm
from crm.blueprints.guards import actor, confirmed_action
from crm.blueprints.pagination import paginate
from crm.extensions import db
from crm.models import OutboxMessage
from crm.services.platform import background_tasks, outbox, unit_of_work
from crm.services.territory import reference
from jobs.reference import reload_reference_data


@bp.get("/messages")
def messages():
    """Notifications written by the application, newest first, filtered by status."""
    form = MessageFilterForm(request.args)
    query = outbox.messages_query(form.status.data if form.validate() else None)
    return render_template("admin/messages.html", form=form, page=paginate(query),
                           mail_configured=bool(current_app.config["CRM_MAIL_URL"]))


@bp.get("/messages/<int:message_id>")
def message(message_id: int):
    """One notification: recipient, subject, body and delivery state."""
    return render_template(
        "admin/message.html", message=db.get_or_404(OutboxMessage, message_id),
        retryable=outbox.RETRYABLE,
        mail_configured=bool(current_app.config["CRM_MAIL_URL"]),
    )


@bp.post("/messages/<int:message_id>/renvoyer")
def message_retry(message_id: int):
    """Put a failed or held message back in the delivery queue."""
    confirmed_action()
    message = db.get_or_404(OutboxMessage, message_id)
    if message.status not in outbox.RETRYABLE:
        flash("Seuls les messages en échec ou conservés peuvent être renvoyés.", "warning")
    else:
        outbox.retry(message, actor())
        unit_of_work.commit()
        flash("Le message est remis dans la file d'envoi.", "success")
    return redirect(url_for(".message", message_id=message.id))


@bp.get("/referentiels")
def reference_data():
    """Row counts of the reference tables, with the reload button."""
    return render_template("admin/reference.html", counts=reference.reference_counts())


@bp.post("/referentiels/recharger")
def reference_reload():
    """Reload the reference data in the background and follow the task."""
    confirmed_action()
    task = background_tasks.start_task("reference", "Rechargement des données de référence", actor(),
                            reload_reference_data)
    return redirect(url_for("main.task", task_id=task.id))
