"""/healthz says whether the web is alive (the database answers) and which part is failing;
/readyz answers 200 only when the database, Redis, a worker, the cron scheduler and the outbox
all work."""

from datetime import timedelta

import pytest
import redis
import sqlalchemy

from crm import broker
from crm.services.platform import health
from jobs.worker import make_worker, scheduled
from tests import factories as f


@pytest.fixture
def worker_and_cron(app):
    """A registered worker and cron scheduler with fresh heartbeats."""
    worker, cron = make_worker(app), scheduled(app)
    worker.register_birth()
    worker.heartbeat()
    cron.register_birth()
    cron.heartbeat()
    yield
    worker.register_death()
    cron.register_death()


def test_without_a_worker_the_service_is_alive_but_degraded(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["database"], body["redis"]) == ("degraded", "ok", "ok")
    assert body["worker"]["status"] == "absent" and body["cron"]["status"] == "absent"
    assert body["failing"] == ["worker", "cron"]
    assert client.get("/readyz").status_code == 503


def test_every_part_working_is_ready(client, worker_and_cron):
    body = client.get("/healthz").get_json()
    assert (body["status"], body["failing"], body["cron"]["status"]) == ("ok", [], "ok")
    assert client.get("/readyz").status_code == 200


def test_a_message_waiting_too_long_makes_the_outbox_late(client, worker_and_cron, project_clock):
    f.OutboxMessageFactory()
    assert client.get("/readyz").status_code == 200
    project_clock.travel_to(project_clock.utcnow() + timedelta(minutes=11))
    body = client.get("/readyz").get_json()
    assert body["failing"] == ["outbox"]
    assert body["outbox"]["pending"] == 1 and body["outbox"]["oldest_pending_seconds"] >= 660


def test_a_live_worker_shows_its_heartbeat(app, client):
    worker = make_worker(app)
    worker.register_birth()
    worker.heartbeat()
    try:
        body = client.get("/healthz").get_json()
    finally:
        worker.register_death()
    assert body["worker"]["status"] == "ok"
    assert body["worker"]["workers"] == 1
    assert body["worker"]["last_heartbeat_seconds"] <= 5


def test_a_killed_worker_is_not_counted_once_its_heartbeat_is_stale(app, client, project_clock):
    from rq.utils import utcformat

    live, killed = make_worker(app), make_worker(app)
    connection = broker.get_redis(app)
    for worker, age in ((live, timedelta(seconds=5)), (killed, timedelta(minutes=10))):
        worker.register_birth()  # a SIGKILLed worker never registers its death
        connection.hset(worker.key, "last_heartbeat", utcformat(project_clock.utcnow() - age))
    try:
        state = client.get("/healthz").get_json()["worker"]
    finally:
        live.register_death()
        killed.register_death()
    assert (state["status"], state["workers"], state["last_heartbeat_seconds"]) == ("ok", 1, 5)


def test_with_redis_down_the_web_is_alive_and_says_what_fails(app, client, monkeypatch):
    monkeypatch.setitem(
        app.extensions, "crm_redis",
        redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2),
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["redis"], body["database"]) == ("degraded", "error", "ok")
    assert body["failing"][0] == "redis"
    assert client.get("/readyz").status_code == 503


def test_database_down_answers_503(client, monkeypatch):
    monkeypatch.setattr(health, "database_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "error"


def test_healthz_needs_no_login_and_no_csrf(client):
    assert client.get("/healthz").content_type == "application/json"


def test_the_embedded_redis_is_started_on_demand_and_reused(tmp_path):
    folder = str(tmp_path)
    broker.start_embedded_redis(folder)
    try:
        pid = (tmp_path / "redis.pid").read_text()
        broker.start_embedded_redis(folder)
        assert (tmp_path / "redis.pid").read_text() == pid
        client = redis.Redis(unix_socket_path=str(broker.embedded_socket(folder)))
        assert client.ping()
    finally:
        broker.stop_embedded_redis(folder)


def test_the_cron_scheduler_starts_again_by_itself_after_a_redis_outage(app, monkeypatch):
    from jobs import worker as worker_module

    live = broker.get_redis(app)
    monkeypatch.setitem(app.extensions, "crm_redis", redis.Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    real_scheduled, births, waits = worker_module.scheduled, [], []

    def one_round_scheduler(app):
        scheduler = real_scheduled(app)

        def start():  # a real start registers, enqueues, beats, then loops: one round here
            scheduler.register_birth()
            scheduler.heartbeat()
            births.append(scheduler.name)
        scheduler.start = start
        return scheduler

    def redis_comes_back(seconds):
        waits.append(seconds)
        app.extensions["crm_redis"] = live

    monkeypatch.setattr(worker_module, "scheduled", one_round_scheduler)
    worker_module.keep_cron_running(app, wait=redis_comes_back)

    assert waits == [worker_module.CRON_RETRY_SECONDS] and births == ["crm-cron"]
    assert health.cron_state()["status"] == "ok"


def test_before_the_schema_exists_the_outbox_is_unknown_not_an_error(client, monkeypatch):
    def missing_table(*_args, **_kwargs):
        raise sqlalchemy.exc.OperationalError("SELECT", {}, Exception("no such table: outbox_messages"))

    monkeypatch.setattr(health.db.session, "execute", missing_table)
    monkeypatch.setattr(health, "database_ok", lambda: True)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["outbox"] == {"status": "unknown"}


def ignore_the_stop_and_sleep(ready) -> None:
    import signal
    import time

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    ready.set()
    time.sleep(300)


def test_a_cron_child_that_ignores_the_stop_is_killed_so_the_worker_can_exit():
    import multiprocessing

    from jobs.worker import stop_cron

    context = multiprocessing.get_context("fork")
    ready = context.Event()
    child = context.Process(target=ignore_the_stop_and_sleep, args=(ready,))
    child.start()
    assert ready.wait(10)
    stop_cron(child, grace_seconds=0.5)
    assert not child.is_alive()
    assert child.exitcode == -9
