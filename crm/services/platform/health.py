"""Health of the database, Redis and the worker, for /healthz and operators."""

import logging

import sqlalchemy as sa
from flask import current_app
from rq import Worker

from crm import broker
from crm.extensions import db
from crm.models import utcnow

log = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError as error:
        log.warning("database health check failed: %s", error)
        db.session.rollback()
        return False


def redis_ok() -> bool:
    try:
        return bool(broker.get_redis().ping())
    except Exception as error:  # any failure to reach Redis makes the service unhealthy
        log.warning("redis health check failed: %s", error)
        return False


def worker_state() -> dict:
    """Live RQ workers and the age of the freshest heartbeat, in seconds."""
    try:
        workers = Worker.all(connection=broker.get_redis())
    except Exception:  # Redis down: no worker can be seen
        return {"status": "unknown", "workers": 0}
    beats = [w.last_heartbeat for w in workers if w.last_heartbeat]
    if not beats:
        return {"status": "absent", "workers": 0}
    age = (utcnow() - max(beats).replace(tzinfo=None)).total_seconds()
    fresh = age <= current_app.config["CRM_WORKER_HEARTBEAT_SECONDS"] * 3
    return {"status": "ok" if fresh else "stale", "workers": len(workers),
            "last_heartbeat_seconds": round(age)}


def report() -> tuple[dict, bool]:
    """The health report and whether the service can take requests (database and Redis up)."""
    database, redis_up = database_ok(), redis_ok()
    state = {
        "database": "ok" if database else "error",
        "redis": "ok" if redis_up else "error",
        "worker": worker_state() if redis_up else {"status": "unknown", "workers": 0},
    }
    healthy = database and redis_up
    state["status"] = "ok" if healthy else "error"
    return state, healthy
