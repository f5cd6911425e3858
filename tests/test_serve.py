"""`make run` (scripts/serve.sh): stopping it stops the web server, the worker and the embedded
Redis server they started, so nothing of the instance is left running."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from crm import broker

ROOT = Path(__file__).resolve().parent.parent
SERVE = ROOT / "scripts" / "serve.sh"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def processes_using(path: Path) -> list[int]:
    """Live processes whose command line names this path (the embedded Redis names its socket)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(path) in command and state != "Z":
            found.append(int(entry.name))
    return found


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture
def instance():
    """A short instance folder (the Redis socket path must stay under 108 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="crm-serve-"))
    yield folder
    broker.stop_embedded_redis(str(folder))  # only does something if the test failed
    shutil.rmtree(folder, ignore_errors=True)


def test_stopping_make_run_stops_the_embedded_redis_with_the_app(instance):
    if not Path("/proc").is_dir() or shutil.which("bash") is None:
        pytest.skip("needs bash and /proc")
    if not ((BIN / "crm").exists() and (BIN / "gunicorn").exists()):
        pytest.skip(f"crm and gunicorn are not installed beside {sys.executable}")
    port = free_port()
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("REDIS_URL", "DATABASE_URL", "SECRET_KEY", "CRM_BASE_URL")}
    environment |= {"HOST": "127.0.0.1", "PORT": str(port), "CRM_INSTANCE_PATH": str(instance),
                    "CRM_BIN": str(BIN), "WEB_WORKERS": "1", "CRM_MAP_TILES": "none",
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                                os.environ.get("PYTHONPATH")]))}
    log = open(instance / "serve.log", "wb")
    served = subprocess.Popen(["bash", str(SERVE)], cwd=ROOT, env=environment, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    socket_path = broker.embedded_socket(str(instance))
    try:
        up = wait_until(lambda: served.poll() is not None
                        or answers(f"http://127.0.0.1:{port}/healthz"), 120)
        assert up and served.poll() is None, (instance / "serve.log").read_text()
        assert processes_using(socket_path), "the embedded Redis should be running"

        os.killpg(served.pid, signal.SIGTERM)  # what Ctrl-C or a service manager does
        try:
            served.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("make run did not stop within 60 s:\n" + (instance / "serve.log").read_text())
        assert wait_until(lambda: not processes_using(socket_path), 15), (
            "the embedded Redis outlived the app:\n" + (instance / "serve.log").read_text())
        assert not socket_path.exists()
        assert not answers(f"http://127.0.0.1:{port}/healthz")
        assert "CRM emploi BFC arrêté." in (instance / "serve.log").read_text()
    finally:
        if served.poll() is None:
            os.killpg(served.pid, signal.SIGKILL)
            served.wait()
        log.close()


def test_a_process_that_ignores_the_stop_is_killed_after_the_grace_period(instance, tmp_path):
    if not Path("/proc").is_dir() or shutil.which("bash") is None:
        pytest.skip("needs bash and /proc")
    stubborn = tmp_path / "bin"
    stubborn.mkdir()
    (stubborn / "crm").write_text("#!/usr/bin/env bash\ntrap '' TERM INT\n"
                                  "while :; do sleep 0.2; done\n")
    (stubborn / "gunicorn").write_text("#!/usr/bin/env bash\nexec sleep 300\n")
    for program in stubborn.iterdir():
        program.chmod(0o755)
    environment = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    environment |= {"CRM_INSTANCE_PATH": str(instance), "CRM_BIN": str(stubborn),
                    "STOP_GRACE_SECONDS": "1", "PORT": str(free_port())}
    with open(instance / "serve.log", "wb") as log:
        served = subprocess.Popen(["bash", str(SERVE)], cwd=ROOT, env=environment, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            assert wait_until(lambda: b"Ctrl-C" in (instance / "serve.log").read_bytes(), 10)
            time.sleep(0.5)
            os.killpg(served.pid, signal.SIGTERM)
            served.wait(timeout=20)
        finally:
            if served.poll() is None:
                os.killpg(served.pid, signal.SIGKILL)
                served.wait()
    output = (instance / "serve.log").read_text()
    assert "Arrêt forcé du processus" in output
    assert "CRM emploi BFC arrêté." in output
