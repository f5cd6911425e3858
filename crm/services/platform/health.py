"""Health of the database, Redis and the worker, for /healthz and operators."""

import logging

import sqlalchemy as sa
from flask import current_app
from rq import Worker
from rq.cron import CronScheduler

from crm import broker
from crm.extensions import db
from crm.models import MessageStatus, OutboxMessage, utcnow

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
    """The RQ workers whose heartbeat is fresh and the age of the freshest heartbeat, in seconds. A
    killed worker leaves its registration behind until it expires: its stale heartbeat is not
    counted."""
    try:
        workers = Worker.all(connection=broker.get_redis())
    except Exception:  # Redis down: no worker can be seen
        return {"status": "unknown", "workers": 0}
    ages = [heartbeat_age(w.last_heartbeat) for w in workers if w.last_heartbeat]
    if not ages:
        return {"status": "absent", "workers": 0}
    limit = current_app.config["CRM_WORKER_HEARTBEAT_SECONDS"] * 3
    live = sum(age <= limit for age in ages)
    return {"status": "ok" if live else "stale", "workers": live, "last_heartbeat_seconds": min(ages)}


def heartbeat_age(moment) -> int:
    """Seconds since a heartbeat RQ stamped (an aware or naive UTC datetime)."""
    return round((utcnow() - moment.replace(tzinfo=None)).total_seconds())


def cron_state() -> dict:
    """The recurring-jobs scheduler (outbox sweep, digests, reminders) and its heartbeat's age."""
    try:
        schedulers = CronScheduler.all(connection=broker.get_redis())
        beats = [s.last_heartbeat for s in schedulers if s.last_heartbeat]
    except Exception:  # Redis down: the scheduler cannot be seen
        return {"status": "unknown"}
    if not beats:
        return {"status": "absent"}
    age = heartbeat_age(max(beats))
    fresh = age <= current_app.config["CRM_WORKER_HEARTBEAT_SECONDS"] * 3
    return {"status": "ok" if fresh else "stale", "last_heartbeat_seconds": age}


def outbox_state() -> dict:
    """How many messages wait for delivery and the age of the oldest, in seconds ("unknown" while
    the schema is not there yet, e.g. during the first migration)."""
    try:
        waiting, oldest = db.session.execute(
            sa.select(sa.func.count(), sa.func.min(OutboxMessage.created_at))
            .where(OutboxMessage.status == MessageStatus.PENDING)).one()
    except sa.exc.SQLAlchemyError as error:
        log.warning("outbox health check failed: %s", error)
        db.session.rollback()
        return {"status": "unknown"}
    age = round((utcnow() - oldest).total_seconds()) if oldest else 0
    late = age > current_app.config["CRM_OUTBOX_LATE_SECONDS"]
    return {"status": "late" if late else "ok", "pending": waiting, "oldest_pending_seconds": age}


def report() -> tuple[dict, bool]:
    """The health report and whether the web is alive (it answers while the database does, since
    filings are still accepted with Redis down). `status` is "ok", "degraded" with the `failing`
    parts (Redis, worker, cron, late outbox), or "error" when the database is down."""
    if not database_ok():
        return {"status": "error", "database": "error", "failing": ["database"]}, False
    redis_up = redis_ok()
    state: dict = {
        "database": "ok",
        "redis": "ok" if redis_up else "error",
        "worker": worker_state() if redis_up else {"status": "unknown", "workers": 0},
        "cron": cron_state() if redis_up else {"status": "unknown"},
        "outbox": outbox_state(),
    }
    statuses = {"redis": state["redis"], "worker": state["worker"]["status"],
                "cron": state["cron"]["status"], "outbox": state["outbox"]["status"]}
    failing = [part for part, status in statuses.items() if status != "ok"]
    state["status"] = "degraded" if failing else "ok"
    state["failing"] = failing
    return state, True
