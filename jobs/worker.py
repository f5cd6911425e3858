"""The `crm worker` process: an RQ worker that runs each job in the app context, plus cron."""

import logging
import multiprocessing
import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from rq import cron as rq_cron
from rq.cron import CronJob, CronScheduler

from crm import broker, clock

log = logging.getLogger(__name__)


class AppWorker(SimpleWorker):
    """Runs jobs in-process, each inside a fresh application context."""

    app: Flask

    def execute_job(self, job, queue):
        with self.app.app_context():
            return super().execute_job(job, queue)


def make_worker(app: Flask, queues: tuple[str, ...] = broker.QUEUES) -> AppWorker:
    connection = broker.get_redis(app)
    worker = AppWorker(
        [Queue(name, connection=connection) for name in queues],
        connection=connection,
        worker_ttl=app.config["CRM_WORKER_HEARTBEAT_SECONDS"] * 3,
    )
    worker.app = app
    return worker


def now() -> datetime:
    """The project's clock, in the aware UTC form RQ's cron compares."""
    return clock.utcnow().replace(tzinfo=UTC)


# RQ's cron asks `rq.utils.now` when a job is due; it asks the project's clock instead, so that a
# worker started with CRM_CLOCK_START (tests, training sessions) schedules by the time its jobs read.
rq_cron.now = now

CRON_RUN_KEY = "crm:cron-run:{name}:{slot}"
CRON_RUN_KEEP_SECONDS = 2 * 24 * 3600


def schedule_slot(job: CronJob, moment: datetime) -> int:
    """Which run of a scheduled job is due: for a cron job, the moment it was scheduled for (the same
    in every worker, which all read the same cron line); for an interval job, the interval's window."""
    if job.cron and job.next_enqueue_time:
        return int(job.next_enqueue_time.timestamp())
    interval = job.interval or 60
    return int(moment.timestamp()) // interval * interval


def claim_run(connection: Redis, job: CronJob, moment: datetime) -> bool:
    """Claim one run of a scheduled job in Redis; only the first worker to claim it enqueues it."""
    keep = CRON_RUN_KEEP_SECONDS if job.cron else 2 * (job.interval or 60)
    key = CRON_RUN_KEY.format(name=job.name, slot=schedule_slot(job, moment))
    return bool(connection.set(key, "1", nx=True, ex=keep))


class OncePerScheduleCron(CronScheduler):
    """RQ's cron where each run is claimed first: with several `crm worker` processes (each starts
    its cron) over one Redis, a digest or a reminder is enqueued once per schedule (docs/operations.md)."""

    def enqueue_jobs(self) -> list[CronJob]:
        moment = now()
        enqueued: list[CronJob] = []
        for job in self._cron_jobs:
            if not job.should_run():
                continue
            if claim_run(self.connection, job, moment):
                job.enqueue(self.connection)
                enqueued.append(job)
            job.set_enqueue_time(moment)
        return enqueued


def scheduled(app: Flask) -> CronScheduler:
    """The recurring jobs (RQ's own cron)."""
    from jobs.background import sweep_abandoned_tasks
    from jobs.derived import refresh_area_counts, refresh_duplicate_pairs
    from jobs.digest import send_daily_digests, send_spotter_digests
    from jobs.events import purge_event_candidates, remind_event_candidates, send_event_surveys
    from jobs.indicators import refresh_indicators
    from jobs.mail import sweep_outbox
    from jobs.needs import (
        alert_low_satisfaction,
        purge_candidates,
        remind_late_needs,
        send_satisfaction_surveys,
    )
    from jobs.privacy import purge_personal_data
    from jobs.reports import (
        purge_committee_reports,
        schedule_committee_reports,
        sweep_committee_reports,
    )
    from jobs.scoring import refresh_scores
    from jobs.training import remind_stalled_training_requests

    scheduler = OncePerScheduleCron(connection=broker.get_redis(app), name="crm-cron")
    scheduler.register(sweep_outbox, "mail", interval=60)
    scheduler.register(sweep_abandoned_tasks, "default", interval=120)
    scheduler.register(sweep_committee_reports, "default", interval=120)
    scheduler.register(remind_late_needs, "default", cron="0 6 * * 1-5")  # 7:00 or 8:00 in Paris
    scheduler.register(purge_candidates, "default", cron="30 2 * * *")  # 3:30 or 4:30 in Paris
    scheduler.register(send_daily_digests, "default", cron="30 5 * * 1-5")  # 6:30 or 7:30 in Paris
    scheduler.register(send_spotter_digests, "default", cron="45 5 * * 1-5")  # 6:45 or 7:45
    scheduler.register(refresh_scores, "default", cron="0 2 * * *")  # 3:00 or 4:00 in Paris
    scheduler.register(purge_personal_data, "default", cron="30 1 * * *")  # 2:30 or 3:30 in Paris
    scheduler.register(remind_stalled_training_requests, "default", cron="10 6 * * 1-5")
    scheduler.register(remind_event_candidates, "default", cron="0 8 * * *")  # 9:00 or 10:00
    scheduler.register(purge_event_candidates, "default", cron="30 2 * * *")
    scheduler.register(send_event_surveys, "default", cron="15 8 * * *")  # 9:15 or 10:15
    scheduler.register(send_satisfaction_surveys, "default", cron="0 8 * * 1-5")  # 9:00 or 10:00
    scheduler.register(alert_low_satisfaction, "default", cron="30 6 * * 1-5")  # 7:30 or 8:30
    scheduler.register(refresh_area_counts, "default", cron="*/15 * * * *")
    scheduler.register(refresh_duplicate_pairs, "default", cron="20 * * * *")
    # 0:15 or 1:15 in Paris: the new French day's twelve months, before anyone opens a dashboard
    scheduler.register(refresh_indicators, "default", cron="15 23 * * *")
    # 0:45 or 1:45 in Paris, after the refresh: the reports due on the new French day
    scheduler.register(schedule_committee_reports, "default", cron="45 23 * * *")
    scheduler.register(purge_committee_reports, "default", cron="40 2 * * *")  # 3:40 or 4:40
    return scheduler


CRON_RETRY_SECONDS = 5


def keep_cron_running(app: Flask, wait: Callable[[float], None] = time.sleep) -> None:
    """Run the cron scheduler; when Redis goes away, wait and start it again, so the outbox sweep,
    digests and reminders resume by themselves once Redis is back. Returns only when stopped."""
    while True:
        try:
            scheduled(app).start()
            return
        except RedisError as error:
            log.warning("cron scheduler lost Redis (%s): starting again in %s s", error,
                        CRON_RETRY_SECONDS)
            wait(CRON_RETRY_SECONDS)


def run(app: Flask, burst: bool = False, cron: bool = True) -> None:
    """Work the queues; with cron, a child process enqueues the recurring jobs."""
    child = None
    if cron and not burst:
        broker.ensure_redis(app)
        child = multiprocessing.get_context("fork").Process(target=keep_cron_running, args=(app,))
        child.daemon = True
        child.start()
    try:
        # no RQ scheduler child: nothing is enqueued for later, and it would die with Redis
        make_worker(app).work(burst=burst, logging_level="INFO")
    finally:
        if child is not None:
            stop_cron(child)


def stop_cron(child: "multiprocessing.process.BaseProcess", grace_seconds: float = 10) -> None:
    """Stop the cron child; one stuck in a Redis call is killed rather than waited for."""
    child.terminate()
    child.join(grace_seconds)
    if child.is_alive():
        log.warning("cron scheduler did not stop within %s s: killed", grace_seconds)
        child.kill()
        child.join()
