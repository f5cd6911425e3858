"""Background tasks that a person follows: a row keyed by the RQ job id, with progress."""

import logging
import uuid
from collections.abc import Callable

from rq import get_current_job

from crm import broker
from crm.extensions import db
from crm.models import BackgroundTask, BackgroundTaskStatus, User, utcnow
from crm.services.platform import audit

log = logging.getLogger(__name__)


def start_task(
    kind: str, description: str, user: User | None, func: Callable, *args, queue: str = "default"
) -> BackgroundTask:
    """Record the task, then enqueue the job under the same id."""
    task = BackgroundTask(
        id=uuid.uuid4().hex, kind=kind, description=description,
        user_id=user.id if user else None,
    )
    db.session.add(task)
    audit.record(user, "start_task", task, {"kind": kind, "description": description})
    db.session.commit()
    if broker.enqueue(queue, func, *args, job_id=task.id, job_timeout=3600) is None:
        fail_task(task.id, "La file d'attente est indisponible ; réessayez dans quelques minutes.")
    return task


def current_task_id() -> str | None:
    job = get_current_job()
    return job.id if job is not None else None


def set_progress(done: int, total: int) -> None:
    """Report the current job's progress in percent (no-op outside a tracked job)."""
    task = db.session.get(BackgroundTask, current_task_id() or "")
    if task is not None:
        task.status = BackgroundTaskStatus.RUNNING
        task.progress = min(100, int(100 * done / total)) if total else 100
        db.session.commit()


def finish_task(task_id: str, result: dict) -> None:
    task = db.session.get(BackgroundTask, task_id)
    if task is not None:
        task.status, task.progress, task.result = BackgroundTaskStatus.FINISHED, 100, result
        task.finished_at = utcnow()
        db.session.commit()


def fail_task(task_id: str, error: str) -> None:
    task = db.session.get(BackgroundTask, task_id)
    if task is not None:
        task.status, task.result, task.finished_at = BackgroundTaskStatus.FAILED, {"error": error}, utcnow()
        db.session.commit()
