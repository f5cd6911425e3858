"""Several `crm worker` processes over one Redis and one database: each starts its cron, yet every
scheduled job is enqueued once per schedule, and each adviser gets one digest a day."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from rq import Queue

from crm import broker
from crm import models as m
from crm.extensions import db
from jobs.worker import scheduled
from tests import factories as f

DIGEST = "jobs.digest.send_daily_digests"
DUE = datetime(2026, 6, 10, 5, 30, tzinfo=UTC)  # Wednesday, 7:30 in Paris


def enqueued(app) -> Counter:
    """How many times each job function waits in the queues."""
    connection = broker.get_redis(app)
    return Counter(job.func_name for name in broker.QUEUES
                   for job in Queue(name, connection=connection).get_jobs())


def two_crons_due(app, project_clock, moment: datetime):
    """Two workers' schedulers whose digest is due at `moment`, both ticking at that moment (their
    time is the project's clock)."""
    project_clock.freeze(moment.replace(tzinfo=None))
    crons = [scheduled(app), scheduled(app)]
    for cron in crons:
        for job in cron.get_jobs():
            job.next_enqueue_time = moment if job.func_name == DIGEST else moment + timedelta(days=1)
    return crons


def test_two_workers_enqueue_each_scheduled_run_once(app, project_clock):
    first, second = two_crons_due(app, project_clock, DUE)
    assert DIGEST in {job.func_name for job in first.enqueue_jobs()}
    assert DIGEST not in {job.func_name for job in second.enqueue_jobs()}
    counts = enqueued(app)
    assert counts[DIGEST] == 1
    assert counts["jobs.mail.sweep_outbox"] == 1  # an interval job: once per interval window


def test_the_next_schedule_is_enqueued_again_once(app, project_clock):
    first, second = two_crons_due(app, project_clock, DUE)
    first.enqueue_jobs()
    second.enqueue_jobs()
    for cron in (first, second):
        assert next(job for job in cron.get_jobs() if job.func_name == DIGEST).next_enqueue_time > DUE
    tomorrow = DUE + timedelta(days=1)
    project_clock.freeze(tomorrow.replace(tzinfo=None))
    for cron in (first, second):
        for job in cron.get_jobs():
            job.next_enqueue_time = tomorrow if job.func_name == DIGEST else tomorrow + timedelta(days=1)
    assert DIGEST in {job.func_name for job in second.enqueue_jobs()}
    assert DIGEST not in {job.func_name for job in first.enqueue_jobs()}
    assert enqueued(app)[DIGEST] == 2


def test_each_adviser_gets_one_digest_when_two_workers_run_the_schedule(app, agency, run_jobs,
                                                                       project_clock):
    paul = f.UserFactory(organisation=agency, name="Paul Girard", email="paul@exemple.fr")
    f.FollowUpFactory(assignee=paul, due_on=date(2026, 6, 10))
    db.session.commit()
    for cron in two_crons_due(app, project_clock, DUE):
        cron.enqueue_jobs()
    run_jobs()
    run_jobs()
    digests = db.session.scalars(sa.select(m.OutboxMessage.recipient)
                                 .where(m.OutboxMessage.kind == "daily_digest")).all()
    assert digests == ["paul@exemple.fr"]
