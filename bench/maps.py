"""Benchmark of the map with 300,000 companies: p50/p95 server time and payload size of /carte (the
regional view, and one filtered view) and of its data endpoint /carte/entreprises.json for a
basin-sized and a city-sized bounding box (Flask test client, in-process, signed in as an adviser).
Targets: under 300 ms and at most 1.5 MB for the regional view.

Usage: python bench/maps.py [--database-url URL ...] [--requests N]
Each --database-url is measured (default: the SQLite file bench/out/bench.sqlite3); bench/generate.py
fills each database first (once). The map's stored counts are computed first, as their scheduled job
does (jobs/derived.py), and the time it took printed.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from crm.extensions import db  # noqa: E402
from crm.models import User  # noqa: E402
from crm.services.territory import map_layers  # noqa: E402

CASES = (
    ("/carte (vue régionale)", "/carte"),
    ("/carte?naf_section=F", "/carte?naf_section=F"),
    ("JSON, bbox du bassin de Dijon", "/carte/entreprises.json?bbox=4.55,46.95,5.60,47.65"),
    ("JSON, bbox de la ville de Dijon", "/carte/entreprises.json?bbox=4.99,47.30,5.09,47.36"),
)
ADVISER = "conseiller1.2711@bench.invalid"
WARM_UP = 3


def signed_in_client(app):
    """A test client with the adviser's session (the bench's .invalid addresses cannot pass the
    sign-in form's e-mail check)."""
    client = app.test_client()
    adviser = db.session.scalar(sa.select(User).where(User.email == ADVISER))
    with client.session_transaction() as session:
        session["_user_id"] = adviser.get_id()
        session["_fresh"] = True
    return client


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client, url: str, count: int) -> tuple[list[float], int, str]:
    """Milliseconds of each GET after a warm-up, the payload size, and a note on the answer."""
    for _ in range(WARM_UP):
        client.get(url)
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    note = ""
    if response.is_json:
        data = response.get_json()
        note = f"{data['count']} points" + (" (plafonné)" if data["truncated"] else "")
    return durations, len(response.get_data()), note


def bench(url: str, redis_url: str | None, count: int) -> None:
    app = generate.bench_app(generate.database_url(url), redis_url)
    app.config["CRM_MAP_TILES"] = generate.os.environ.get("CRM_MAP_TILES", "none")
    with app.app_context():
        generate.generate()
        started = time.perf_counter()  # the counts as the scheduled job leaves them
        rows = map_layers.refresh_area_counts()
        db.session.commit()
        print(f"area counts: {rows} rows in {time.perf_counter() - started:.1f} s", flush=True)
        client = signed_in_client(app)
        label = db.engine.dialect.name
        for name, path in CASES:
            durations, size, note = measure(client, path, count)
            print(f"{label:30} {name:34} p50 {statistics.median(durations):7.1f} ms  "
                  f"p95 {percentile(durations, 0.95):7.1f} ms  {size / 1_000_000:5.2f} Mo  {note}",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append", help="database to measure (repeatable)")
    parser.add_argument("--redis-url", help="Redis URL; default: the embedded server")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    for url in args.database_url or [None]:
        bench(url, args.redis_url, args.requests)


if __name__ == "__main__":
    main()
