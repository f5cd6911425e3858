"""/healthz tells operators whether the database, Redis and a worker answer."""

import redis

from crm import broker
from crm.services.platform import health
from jobs.worker import make_worker


def test_healthy_service_answers_200_with_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["database"], body["redis"]) == ("ok", "ok", "ok")
    assert body["worker"]["status"] == "absent"


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


def test_redis_down_answers_503(app, client, monkeypatch):
    monkeypatch.setitem(
        app.extensions, "crm_redis",
        redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2),
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert (body["status"], body["redis"], body["database"]) == ("error", "error", "ok")


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
