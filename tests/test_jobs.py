"""Background work: a real RQ worker on a real Redis, tracked tasks, and the outbox."""

import email
import socket
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from crm import models as m
from crm.extensions import db
from crm.services.platform import background_tasks as tasks
from crm.services.platform import outbox
from jobs import tracked
from jobs.mail import deliver_message, sweep_outbox
from jobs.reference import reload_reference_data
from tests import factories as f


@tracked
def halfway_job() -> dict:
    """A test job that reports half of its work done."""
    tasks.set_progress(1, 2)
    task = db.session.get(m.BackgroundTask, tasks.current_task_id())
    return {"progress_seen": task.progress}


@tracked
def broken_job() -> dict:
    raise RuntimeError("fichier illisible")


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "CRM_MAIL_URL", f"smtp://127.0.0.1:{controller.port}")
    yield mailbox
    controller.stop()


@pytest.fixture
def redis_down(app, monkeypatch):
    """Make the application's Redis unreachable until the test ends."""
    monkeypatch.setitem(
        app.extensions, "crm_redis", redis.Redis.from_url("redis://127.0.0.1:1/0",
                                                          socket_connect_timeout=0.2)
    )


def test_a_tracked_task_runs_on_a_real_worker_and_ends_finished(run_jobs):
    task = tasks.start_task("reference", "Rechargement", None, reload_reference_data)
    assert task.status == m.BackgroundTaskStatus.QUEUED
    run_jobs()
    db.session.expire_all()
    task = db.session.get(m.BackgroundTask, task.id)
    assert (task.status, task.progress) == (m.BackgroundTaskStatus.FINISHED, 100)
    assert task.result["counts"]["communes"] == 3685
    assert task.finished_at is not None


def test_a_job_reports_its_progress(run_jobs):
    task = tasks.start_task("test", "Moitié", None, halfway_job)
    run_jobs()
    db.session.expire_all()
    assert db.session.get(m.BackgroundTask, task.id).result == {"progress_seen": 50}


def test_a_failing_job_marks_its_task_failed_with_a_message(run_jobs):
    task = tasks.start_task("test", "Échec", None, broken_job)
    run_jobs()
    db.session.expire_all()
    task = db.session.get(m.BackgroundTask, task.id)
    assert task.status == m.BackgroundTaskStatus.FAILED
    assert "fichier illisible" in task.result["error"]


def test_a_task_started_while_redis_is_down_is_marked_failed(redis_down):
    task = tasks.start_task("test", "Sans file", None, halfway_job)
    db.session.expire_all()
    task = db.session.get(m.BackgroundTask, task.id)
    assert task.status == m.BackgroundTaskStatus.FAILED
    assert "indisponible" in task.result["error"]


def test_an_outbox_message_is_only_written_when_its_transaction_commits():
    outbox.add_message("test", "a@exemple.fr", "Sujet", "Corps")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.OutboxMessage)) == 0


def test_a_message_is_delivered_once_even_when_the_delivery_job_runs_twice(
    smtp_server, run_jobs
):
    message = outbox.add_message("test", "employeur@exemple.fr", "Votre demande", "Bonjour")
    db.session.commit()
    outbox.dispatch([message.id])
    outbox.dispatch([message.id])
    run_jobs()
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].rcpt_tos == ["employeur@exemple.fr"]
    db.session.expire_all()
    message = db.session.get(m.OutboxMessage, message.id)
    assert (message.status, message.attempts) == (m.MessageStatus.SENT, 1)
    assert message.sent_at is not None


def test_a_delivered_message_is_never_sent_again(smtp_server, app):
    message = f.OutboxMessageFactory()
    assert outbox.deliver(message.id) == m.MessageStatus.SENT
    assert deliver_message(message.id) is None
    assert len(smtp_server.messages) == 1


def test_without_a_mail_server_messages_are_held_for_admins(run_jobs):
    message = f.OutboxMessageFactory()
    outbox.dispatch([message.id])
    run_jobs()
    db.session.expire_all()
    assert db.session.get(m.OutboxMessage, message.id).status == m.MessageStatus.HELD


def test_an_unreachable_mail_server_marks_the_message_failed_then_it_can_be_retried(
    app, monkeypatch
):
    monkeypatch.setitem(app.config, "CRM_MAIL_URL", "smtp://127.0.0.1:1")
    message = f.OutboxMessageFactory()
    assert outbox.deliver(message.id) == m.MessageStatus.FAILED
    assert db.session.get(m.OutboxMessage, message.id).last_error
    outbox.retry(message)
    db.session.commit()
    assert message.status == m.MessageStatus.PENDING


def test_messages_written_while_redis_is_down_are_delivered_once_it_is_back(
    app, monkeypatch, smtp_server, run_jobs
):
    with monkeypatch.context() as down:
        down.setitem(app.extensions, "crm_redis",
                     redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
        message = outbox.add_message("test", "employeur@exemple.fr", "Sujet", "Corps")
        db.session.commit()
        outbox.dispatch([message.id])
    assert db.session.get(m.OutboxMessage, message.id).status == m.MessageStatus.PENDING
    assert sweep_outbox() == 1
    run_jobs()
    assert len(smtp_server.messages) == 1


def test_a_message_left_sending_by_a_killed_worker_is_delivered_at_a_later_sweep(
    smtp_server, run_jobs, project_clock
):
    message = f.OutboxMessageFactory()
    assert outbox.claim(message.id) is not None  # the worker took it, then was killed mid-send
    assert sweep_outbox() == 0  # still within the delivery's time: not taken twice
    project_clock.travel_to(project_clock.utcnow() + outbox.SENDING_TIMEOUT + timedelta(seconds=1))
    assert sweep_outbox() == 1
    run_jobs()
    db.session.refresh(message)
    assert (message.status, message.attempts) == (m.MessageStatus.SENT, 2)
    sent = [email.message_from_bytes(envelope.content) for envelope in smtp_server.messages]
    assert [mail["Message-ID"] for mail in sent] == [f"<outbox-{message.id}@crm-emploi-bfc>"]
