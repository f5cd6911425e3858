"""Load test through gunicorn, as `make run` serves: 1,000 API filings sent 20 at a time, with
reads alongside; prints latency percentiles and throughput, then checks that nothing was lost
(every 201 has its need and its acknowledgement in the outbox, every repeat was attached, no 5xx).

Usage: python bench/load.py [--database-url URL] [--filings N] [--concurrency C] [--workers W]
Default database: a fresh SQLite file bench/out/load.sqlite3 with the embedded Redis; with
--database-url (PostgreSQL), a fresh database `<name>` is dropped and created. One filing in ten
repeats an earlier one (same SIRET and job): it must be attached, not filed twice.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
from public_form import percentile  # noqa: E402

from crm import create_app  # noqa: E402
from crm import models as m  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.services.accounts import users  # noqa: E402
from crm.services.platform import unit_of_work  # noqa: E402
from crm.services.platform.identifiers import build_siren, build_siret  # noqa: E402
from crm.services.routing import engine as routing  # noqa: E402
from crm.services.territory import reference  # noqa: E402

OUT = generate.OUT
INSTANCE = OUT / "load-instance"


def fresh_database(given: str | None) -> str:
    if not given:
        OUT.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{OUT / 'load.sqlite3'}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{OUT / 'load.sqlite3'}"
    url = sa.engine.make_url(given.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def prepare(url: str) -> str:
    """Schema, reference data, one agency covering the region with an adviser; an API token."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        reference.load_reference_data()
        routing.install_default_rules()
        basins = list(db.session.scalars(sa.select(m.Basin)))
        agency = m.Organisation(name="France Travail BFC", kind=m.OrganisationKind.FRANCE_TRAVAIL,
                                basins=basins)
        adviser = m.User(email="conseiller@load.invalid", name="Conseiller", role=m.Role.ADVISER,
                         organisation=agency, basins=basins, password_hash="!")
        db.session.add_all([agency, adviser])
        token = users.issue_api_token(adviser, "charge")
        unit_of_work.commit()
    return token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(url: str, port: int, workers: int, options: tuple[str, ...] = (),
          instance: Path = INSTANCE) -> subprocess.Popen:
    """gunicorn on the database, rate limits out of the way; `options` are more gunicorn flags."""
    env = os.environ | {"DATABASE_URL": url, "CRM_INSTANCE_PATH": str(instance), "PYTHONFAULTHANDLER": "1",
                        "CRM_API_RATE_LIMIT": "1000000 per minute",
                        "CRM_LOGIN_RATE_LIMIT": "1000000 per minute", "CRM_BASE_URL": f"http://127.0.0.1:{port}"}
    command = [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), *options, "wsgi:app"]
    server = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=open(OUT / "load-server.log", "w"),  # noqa: SIM115  (kept by the server)
                              cwd=Path(__file__).resolve().parent.parent)
    for _ in range(120):  # the workers take a few seconds to boot on a loaded machine
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return server
        except OSError:  # refused, reset or timed out: not up yet
            time.sleep(0.5)
    raise SystemExit("the server did not start")


def filings(count: int, rng: random.Random) -> list[dict]:
    """`count` requests, one in ten repeating an earlier one."""
    communes = ["21231", "25056", "89024", "71076", "39198", "58194", "70550", "90010"]
    made: list[dict] = []
    for number in range(count):
        if made and number % 10 == 9:
            made.append(rng.choice(made))
            continue
        siret = build_siret(build_siren(f"{80_000_000 + number:08d}"), "0001")
        made.append({"siret": siret, "company_name": f"Entreprise {number}",
                     "commune_code": rng.choice(communes), "rome_code": "D1102", "positions": 1,
                     "contract_type": "cdi", "contact": {"name": "Camille Martin",
                                                          "email": f"rh{number}@exemple.fr"}})
    return made


def send(base: str, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict, float]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            status, payload = answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        status, payload = error.code, {}
    return status, payload, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to recreate")
    parser.add_argument("--filings", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (make run: 2)")
    args = parser.parse_args()
    shutil.rmtree(INSTANCE, ignore_errors=True)
    os.environ["CRM_INSTANCE_PATH"] = str(INSTANCE)
    url = fresh_database(args.database_url)
    token = prepare(url)
    port = free_port()
    server = serve(url, port, args.workers)
    base, requests_ = f"http://127.0.0.1:{port}", filings(args.filings, random.Random(7))
    reads: list[float] = []
    loading = threading.Event()
    loading.set()

    def read_while_loading() -> None:
        while loading.is_set():
            reads.append(send(base, token, "GET", "/api/v1/needs?per_page=25")[2])

    try:
        reader = threading.Thread(target=read_while_loading)
        reader.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            answers = list(pool.map(lambda body: send(base, token, "POST", "/api/v1/needs", body), requests_))
        elapsed = time.perf_counter() - started
        loading.clear()
        reader.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    statuses = [status for status, _, _ in answers]
    created = {payload["reference"] for status, payload, _ in answers if status == 201}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        stored = set(db.session.scalars(sa.select(m.HiringNeed.reference)))
        acknowledged = db.session.scalar(sa.select(sa.func.count(sa.distinct(m.OutboxMessage.recipient)))
                                         .where(m.OutboxMessage.recipient.like("rh%")))
    distinct_requests = len({body["siret"] for body in requests_})
    latencies = [ms for _, _, ms in answers]
    figures = {
        "database": sa.engine.make_url(url).get_backend_name(), "filings": len(requests_),
        "concurrency": args.concurrency, "gunicorn_workers": args.workers,
        "filings_per_second": round(len(requests_) / elapsed, 1),
        "filing_p50_ms": round(percentile(latencies, 0.5), 1),
        "filing_p95_ms": round(percentile(latencies, 0.95), 1),
        "read_p95_ms": round(percentile(reads, 0.95), 1) if reads else None, "reads": len(reads),
        "answers": {str(status): statuses.count(status) for status in sorted(set(statuses))},
        "needs_stored": len(stored), "distinct_requests": distinct_requests,
        "lost": len(created - stored), "duplicated": len(stored) - distinct_requests,
        "employers_acknowledged": acknowledged,
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    if figures["lost"] or figures["duplicated"] or any(status >= 500 for status in statuses):
        raise SystemExit("lost, duplicated or failed filings")


if __name__ == "__main__":
    main()
