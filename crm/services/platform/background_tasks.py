"""Background tasks that a person follows: a row keyed by the RQ job id, with progress."""

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

import redis
import sqlalchemy as sa
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

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


# A task whose job is not known to the queue may be one committed an instant before its job is
# enqueued: it is left alone for this long.
ENQUEUE_GRACE = timedelta(minutes=2)
# A running task that has not reported progress for this long lost its worker (RQ itself notices a
# killed in-process worker only after the job's whole timeout).
SILENT_AFTER = timedelta(minutes=15)
ENDED_JOB = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
ABANDONED = ("Le traitement s'est interrompu : le processus qui l'exécutait s'est arrêté "
             "(redémarrage ou panne du serveur).")


def begin_task(task_id: str | None) -> None:
    """Mark the current job's task running (no-op outside a tracked job)."""
    task = db.session.get(BackgroundTask, task_id or "")
    if task is not None:
        task.status, task.heartbeat_at = BackgroundTaskStatus.RUNNING, utcnow()
        db.session.commit()


def set_progress(done: int, total: int, so_far: dict | None = None) -> None:
    """Report the current job's progress in percent, with what it has done so far (kept if the job
    is killed); no-op outside a tracked job."""
    task = db.session.get(BackgroundTask, current_task_id() or "")
    if task is not None:
        task.status, task.heartbeat_at = BackgroundTaskStatus.RUNNING, utcnow()
        task.progress = min(100, int(100 * done / total)) if total else 100
        if so_far is not None:
            task.result = so_far
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


def job_has_ended(task: BackgroundTask, connection: redis.Redis) -> bool:
    """Whether the task's job is no longer running: silent for too long, gone from the queue, or
    ended failed, stopped or cancelled."""
    if task.heartbeat_at is not None and task.heartbeat_at < utcnow() - SILENT_AFTER:
        return True
    try:
        job = Job.fetch(task.id, connection=connection)
    except NoSuchJobError:
        return task.created_at < utcnow() - ENQUEUE_GRACE
    return job.get_status() in ENDED_JOB


def reclaim_abandoned() -> int:
    """Mark failed, with what they had done, the tasks still queued or running whose job a killed
    worker (or a lost Redis) left behind, so nobody waits on "En cours 12 %" forever; the failure
    is audited. Returns how many."""
    connection = broker.get_redis()
    for queue in broker.QUEUES:  # moves the jobs whose worker heartbeat lapsed to "failed"
        StartedJobRegistry(queue, connection=connection).cleanup()
    waiting = db.session.scalars(sa.select(BackgroundTask).where(BackgroundTask.status.in_(
        (BackgroundTaskStatus.QUEUED, BackgroundTaskStatus.RUNNING))))
    abandoned = [task for task in waiting if job_has_ended(task, connection)]
    for task in abandoned:
        done = task.result or {}
        task.status, task.finished_at = BackgroundTaskStatus.FAILED, utcnow()
        task.result = done | {"error": f"{ABANDONED} Ce qui a été enregistré avant l'arrêt est "
                                        f"conservé (progression : {task.progress} %) ; relancez "
                                        "le traitement pour le terminer."}
        audit.record(None, "abandon_task", task, {"kind": task.kind, "progress": task.progress})
    db.session.commit()
    return len(abandoned)
