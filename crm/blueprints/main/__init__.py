from flask import Blueprint, Flask, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from crm.extensions import db
from crm.models import BackgroundTask, BackgroundTaskStatus
from crm.services.accounts import access
from crm.services.imports.sirene_rows import REJECTION_LABELS, WARNING_LABELS
from crm.services.plans import checklists
from crm.services.visits import dashboard

bp = Blueprint("main", __name__)

RESULT_TEMPLATES = {  # how a finished task's result reads, by kind (others: a generic table)
    "partner_import": "companies/import_task_result.html",
    "partner_list_read": "companies/import_read_result.html",
    "sirene": "admin/sirene_task_result.html",
    "export": "companies/export_task_result.html",
}
AFTER_FAILURE = {  # where to go when a task of this kind failed: (endpoint, link text)
    "partner_list_read": ("companies.import_upload", "Envoyer un autre fichier"),
}


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.get("/accueil")
@login_required
def home():
    """The signed-in user's landing page: what concerns them, by role."""
    summary = dashboard.summary(current_user)
    if access.is_partner(current_user):
        summary["firms_to_check"] = checklists.firms_to_check(current_user)
    return render_template("main/home.html", summary=summary)


def visible_task(task_id: str) -> BackgroundTask:
    """The task if the user started it or is an admin; 404 otherwise (no existence leak)."""
    task = db.get_or_404(BackgroundTask, task_id)
    if not access.can_view_task(current_user, task):
        abort(404)
    return task


@bp.get("/taches/<task_id>")
@login_required
def task(task_id: str):
    """A background task's progress; refreshes itself until it ends, unless asked not to."""
    task = visible_task(task_id)
    running = task.status in (BackgroundTaskStatus.QUEUED, BackgroundTaskStatus.RUNNING)
    refresh = running and request.args.get("actualisation") != "non"
    return render_template("main/task.html", task=task, running=running, refresh=refresh,
                           result_template=RESULT_TEMPLATES.get(task.kind, "main/_task_result.html"),
                           after_failure=AFTER_FAILURE.get(task.kind),
                           rejection_labels=REJECTION_LABELS, warning_labels=WARNING_LABELS)


@bp.get("/taches/<task_id>.json")
@login_required
def task_json(task_id: str):
    """A background task's state for scripts and pages that poll."""
    task = visible_task(task_id)
    return jsonify(
        {"id": task.id, "status": task.status.value, "progress": task.progress,
         "result": task.result}
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
