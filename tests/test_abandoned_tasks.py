"""A worker killed mid-job leaves no task "En cours" forever: the sweep marks it failed with what
it had done, audited (issue 15, finding 6)."""

import multiprocessing
import os
import signal
import time
from datetime import timedelta

import sqlalchemy as sa

from crm import broker
from crm import models as m
from crm.extensions import db
from crm.services.platform import background_tasks as tasks
from jobs import tracked
from jobs.worker import make_worker
from tests import factories as f


@tracked
def endless_job() -> dict:
    """Reports a first batch done, then works until killed."""
    tasks.set_progress(1, 8, {"created": 500})
    time.sleep(120)
    return {}


def work_until_killed(app) -> None:
    """The child process: a real worker on the application's queues."""
    with app.app_context():
        db.engine.dispose(close=False)  # the parent's connections are not this process's
    make_worker(app).work(burst=True)


def wait_for_progress(task_id: str) -> None:
    for _ in range(200):
        db.session.expire_all()
        if db.session.get(m.BackgroundTask, task_id).progress > 0:
            return
        time.sleep(0.1)
    raise AssertionError("the job never reported its progress")


def test_an_import_whose_worker_is_killed_is_marked_failed_with_what_it_did(app, project_clock):
    user = f.UserFactory()
    task = tasks.start_task("partner_import", "Import de liste.csv", user, endless_job, queue="imports")
    worker = multiprocessing.get_context("fork").Process(target=work_until_killed, args=(app,))
    worker.start()
    try:
        wait_for_progress(task.id)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.join()

    project_clock.travel_to(project_clock.utcnow() + timedelta(minutes=14))
    assert tasks.reclaim_abandoned() == 0  # a batch may take long: silent for 14 minutes is alive
    project_clock.travel_to(project_clock.utcnow() + timedelta(minutes=2))
    assert tasks.reclaim_abandoned() == 1

    db.session.expire_all()
    failed = db.session.get(m.BackgroundTask, task.id)
    assert failed.status == m.BackgroundTaskStatus.FAILED
    assert failed.result["created"] == 500  # what the first batch did is said
    assert "s'est interrompu" in failed.result["error"] and "12 %" in failed.result["error"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.AuditEvent).where(
        m.AuditEvent.action == "abandon_task")) == 1


def test_a_task_whose_job_vanished_from_redis_is_marked_failed(app, project_clock):
    task = tasks.start_task("export", "Export", None, endless_job)
    broker.get_redis(app).flushdb()
    assert tasks.reclaim_abandoned() == 0  # just queued: its job may not be enqueued yet
    project_clock.travel_to(project_clock.utcnow() + timedelta(minutes=3))
    assert tasks.reclaim_abandoned() == 1
    assert db.session.get(m.BackgroundTask, task.id).status == m.BackgroundTaskStatus.FAILED


def test_a_queued_task_waiting_for_a_worker_is_left_alone(app, project_clock):
    task = tasks.start_task("export", "Export", None, endless_job)
    project_clock.travel_to(project_clock.utcnow() + timedelta(hours=2))
    assert tasks.reclaim_abandoned() == 0
    assert db.session.get(m.BackgroundTask, task.id).status == m.BackgroundTaskStatus.QUEUED
