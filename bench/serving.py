"""Serving under concurrency, measured with Locust (headless, bounded in time): 20 signed-in
advisers mixing reads (companies list with two filters, a company page, the needs list, the map's
JSON) and API filings, against gunicorn served as `make run` serves it (gthread workers). Prints the
p50/p95 of reads and filings, the throughput and the errors; Locust's own HTML report and CSV
files are written in bench/out/.

Usage: python bench/serving.py [--database-url URL] [--companies N] [--users 20] [--seconds 60]
                               [--workers 2] [--threads 4]
The database is the benchmark database of bench/generate.py (SQLite bench/out/bench.sqlite3 by
default, filled once with N companies); filings add needs to it.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
import load  # noqa: E402
from public_form import percentile  # noqa: E402

from crm import models as m  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.services.accounts import users  # noqa: E402
from crm.services.platform import unit_of_work  # noqa: E402

OUT = generate.OUT
BENCH_ADVISER = "conseiller1.2711@bench.invalid"
ADVISER = "charge.dijon@exemple.fr"  # the sign-in form refuses the reserved .invalid domain


def prepare(url: str, companies: int) -> tuple[str, list[int]]:
    """The benchmark data (once), an API token for the bench adviser and a sample of company ids."""
    app = generate.bench_app(url)
    with app.app_context():
        generate.generate(companies)
        adviser = db.session.scalars(sa.select(m.User).filter_by(email=ADVISER)).one_or_none()
        if adviser is None:
            colleague = db.session.scalars(sa.select(m.User).filter_by(email=BENCH_ADVISER)).one()
            adviser = m.User(email=ADVISER, name="Conseiller de charge", role=m.Role.ADVISER,
                             organisation=colleague.organisation, basins=list(colleague.basins),
                             password_hash=colleague.password_hash)
            db.session.add(adviser)
        token = users.issue_api_token(adviser, "charge")
        unit_of_work.commit()
        ids = list(db.session.scalars(sa.select(m.Company.id).where(m.Company.basin_code == "2711")
                                      .order_by(m.Company.id).limit(20_000)))
    return token, random.Random(3).sample(ids, min(500, len(ids)))


def run_locust(base: str, token: str, company_ids: list[int], users_: int, seconds: int,
               label: str) -> dict:
    latencies = OUT / f"serving-{label}.json"
    env = os.environ | {"BENCH_TOKEN": token, "BENCH_EMAIL": ADVISER, "BENCH_PASSWORD": generate.PASSWORD,
                        "BENCH_COMPANY_IDS": json.dumps(company_ids), "BENCH_LATENCIES": str(latencies)}
    locustfile = Path(__file__).parent / "locustfile.py"
    subprocess.run([str(Path(sys.executable).parent / "locust"), "-f", str(locustfile),
                    "--headless", "--users", str(users_), "--spawn-rate", str(users_),
                    "--run-time", f"{seconds}s", "--stop-timeout", "10", "--host", base,
                    "--csv", str(OUT / f"serving-{label}"), "--html", str(OUT / f"serving-{label}.html"),
                    "--only-summary", "--loglevel", "WARNING"], env=env, check=False)
    return json.loads(latencies.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; default: SQLite in bench/out/")
    parser.add_argument("--companies", type=int, default=generate.COMPANIES)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (make run: 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (make run: 4)")
    args = parser.parse_args()
    url = generate.database_url(args.database_url)
    token, company_ids = prepare(url, args.companies)
    port = load.free_port()
    gthread = ("--worker-class", "gthread", "--threads", str(args.threads))
    server = load.serve(url, port, args.workers, gthread, instance=OUT / "serving-instance")
    label = sa.engine.make_url(url).get_backend_name()
    try:
        started = time.perf_counter()
        result = run_locust(f"http://127.0.0.1:{port}", token, company_ids, args.users, args.seconds, label)
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    reads, filings = result["latencies"]["read"], result["latencies"]["filing"]
    figures = {
        "database": label, "companies": args.companies, "users": args.users, "seconds": args.seconds,
        "gunicorn": f"{args.workers} workers × {args.threads} threads (gthread)",
        "reads": len(reads), "read_p50_ms": round(percentile(reads, 0.5), 1),
        "read_p95_ms": round(percentile(reads, 0.95), 1),
        "filings": len(filings), "filing_p50_ms": round(percentile(filings, 0.5), 1),
        "filing_p95_ms": round(percentile(filings, 0.95), 1),
        "requests_per_second": round((len(reads) + len(filings)) / elapsed, 1),
        "errors": result["error_count"], "first_errors": result["errors"][:5],
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
        "report": str(OUT / f"serving-{label}.html"),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
