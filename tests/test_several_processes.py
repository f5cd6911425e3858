"""Two web processes (gunicorn, as `make run` starts them) and two `crm worker` processes, each with
its cron, over one database and one Redis: requests filed through either web process are all kept,
every e-mail is delivered once, and each adviser gets one digest on the morning both crons fire.

The processes start with CRM_CLOCK_START a few seconds before the digest's 7:30 (Paris) run on an
ordinary Wednesday, so the result does not depend on the real date."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from crm import models as m
from crm.extensions import db
from crm.services.accounts import users
from tests import factories as f
from tests.test_jobs import Mailbox, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WEDNESDAY = date(2026, 6, 10)
BEFORE_DIGEST = datetime(2026, 6, 10, 5, 29, 35)  # UTC: 7:29:35 in Paris, the digest runs at 7:30
FILINGS = 12
WAIT_SECONDS = 90


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.url = f"smtp://127.0.0.1:{controller.port}"
    yield box
    controller.stop()


@pytest.fixture
def start_processes(database_url, redis_url, mailbox, tmp_path):
    """Start processes with the test's database, Redis and mailbox; stop them all at the end."""
    started: list[subprocess.Popen] = []
    env = os.environ | {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "CRM_MAIL_URL": mailbox.url,
        "CRM_CLOCK_START": BEFORE_DIGEST.isoformat(), "SECRET_KEY": "test-secret",
        "CRM_MAP_TILES": "none", "CRM_API_RATE_LIMIT": "10000 per minute",
        "CRM_BASE_URL": "http://127.0.0.1:5000", "CRM_IMPORT_FOLDER": str(tmp_path / "imports"),
    }

    def start(*command: str) -> subprocess.Popen:
        log = open(tmp_path / f"process-{len(started)}.log", "wb")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        started.append(process)
        return process

    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
    for process in started:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def web_process(start, port: int) -> str:
    start(str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
          "--worker-class", "gthread", "--threads", "4", "wsgi:app")
    return f"http://127.0.0.1:{port}"


def wait_until_serving(address: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{address}/connexion", timeout=2):
                return
        except OSError:  # refused, or not answering yet while the app loads
            time.sleep(0.2)
    pytest.fail(f"{address} ne répond pas")


def wait_for(condition, what: str):
    """Poll the database (each poll in a new transaction) until `condition()` is true."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        db.session.rollback()
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"délai dépassé : {what}")


def filing(number: int, rome_code: str) -> dict:
    """A request for another job each time (the same job at the same firm joins the open request)."""
    return {
        "siret": "732 829 320 00074", "company_name": "Boulangerie Martin", "commune_code": "21231",
        "rome_code": rome_code, "positions": number, "contract_type": "cdi",
        "contact": {"name": "Camille Martin", "email": f"camille{number}@boulangerie.fr",
                    "phone": "03 80 12 34 56"},
    }


def outbox_messages() -> list[m.OutboxMessage]:
    return list(db.session.scalars(sa.select(m.OutboxMessage)))


def all_delivered() -> bool:
    messages = outbox_messages()
    digests = [message for message in messages if message.kind == "daily_digest"]
    return bool(digests) and all(message.status == m.MessageStatus.SENT for message in messages)


def test_two_web_and_two_worker_processes_keep_every_filing_and_deliver_each_mail_once(
        start_processes, mailbox, agency):
    paul = f.UserFactory(organisation=agency, name="Paul Girard", email="paul@exemple.fr")
    lea = f.UserFactory(organisation=agency, name="Léa Roux", email="lea@exemple.fr")
    for adviser in (paul, lea):
        f.FollowUpFactory(assignee=adviser, due_on=WEDNESDAY)
    token = users.issue_api_token(paul)
    db.session.commit()
    jobs = db.session.scalars(sa.select(m.RomeCode.code).order_by(m.RomeCode.code).limit(FILINGS)).all()

    webs = [web_process(start_processes, free_port()) for _ in range(2)]
    for _ in range(2):
        start_processes(str(BIN / "crm"), "worker")
    for address in webs:
        wait_until_serving(address)

    def file(number: int) -> int:
        request = urllib.request.Request(
            f"{webs[number % 2]}/api/v1/needs", data=json.dumps(filing(number, jobs[number - 1])).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(file, range(1, FILINGS + 1))) == [201] * FILINGS

    wait_for(all_delivered, "chaque message envoyé et le point du jour écrit")
    time.sleep(2)  # a second delivery of a message would land now
    db.session.rollback()
    needs = db.session.scalars(sa.select(m.HiringNeed.positions)).all()
    assert sorted(needs) == list(range(1, FILINGS + 1))
    messages = outbox_messages()
    assert sorted(message.recipient for message in messages if message.kind == "daily_digest") == [
        "lea@exemple.fr", "paul@exemple.fr"]
    assert all(message.status == m.MessageStatus.SENT for message in messages)
    assert len(mailbox.messages) == len(messages)
    delivered = sorted(envelope.rcpt_tos[0] for envelope in mailbox.messages)
    assert delivered == sorted(message.recipient for message in messages)
