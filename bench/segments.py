"""Benchmark of segment counts with 300,000 companies: p50/p95 of `segments.count` for the
protocol's presets, over the Dijon basin and over the whole region. Target: p95 under 200 ms.

Usage: python bench/segments.py [--requests N]
The data goes to a throwaway SQLite file (bench/out/segments.sqlite3, filled by bench/generate.py
once, then given tags, creation dates, projects and scores in bulk); set BENCH_SEGMENTS_PG to a
PostgreSQL URL to measure it there too.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from crm.extensions import db  # noqa: E402
from crm.models import Company, CompanyProject, CompanyScore, ProjectKind, utcnow  # noqa: E402
from crm.services.plans import segments  # noqa: E402

DIJON = "2711"
WARM_UP = 2
SHARE_TAGGED, SHARE_PROJECT, SHARE_SCORED = 0.03, 0.04, 0.5


def enrich(seed: int = 2026) -> int:
    """Tags, creation dates, projects and scores on the generated firms (once)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(CompanyScore)):
        return 0
    rng = random.Random(seed)
    ids = list(db.session.scalars(sa.select(Company.id).order_by(Company.id)))
    today = date(2026, 6, 1)
    updates = [{"b_id": i, "b_created": today - timedelta(days=rng.randint(30, 12000)),
                "b_tags": [segments.REGION_TAG] if rng.random() < SHARE_TAGGED else []} for i in ids]
    statement = (sa.update(Company.__table__).where(Company.__table__.c.id == sa.bindparam("b_id"))
                 .values(created_on=sa.bindparam("b_created"), tags=sa.bindparam("b_tags")))
    for start in range(0, len(updates), generate.BATCH):
        db.session.connection().execute(statement, updates[start:start + generate.BATCH])
    kinds = list(ProjectKind)
    projects = [{"company_id": i, "kind": rng.choice(kinds).value, "created_at": utcnow(),
                 "occurred_on": today - timedelta(days=rng.randint(0, 1500))}
                for i in ids if rng.random() < SHARE_PROJECT]
    scores = [{"company_id": i, "score": rng.randint(0, 100), "factors": [], "computed_at": utcnow()}
              for i in ids if rng.random() < SHARE_SCORED]
    generate.insert_in_batches(CompanyProject, iter(projects))
    generate.insert_in_batches(CompanyScore, iter(scores))
    db.session.commit()
    return len(ids)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(criteria: segments.Criteria, count: int) -> tuple[list[float], int]:
    for _ in range(WARM_UP):
        found = segments.count(criteria)
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        found = segments.count(criteria)
        durations.append((time.perf_counter() - started) * 1000)
    return durations, found


def run(url: str, requests: int) -> None:
    app = generate.bench_app(url)
    with app.app_context():
        print(f"\n{url.split('@')[-1]}: {generate.generate()} ; enrichies : {enrich()}")
        for scope, basins in (("bassin de Dijon", [DIJON]), ("région", [])):
            for preset in segments.PRESETS:
                criteria = segments.parse_criteria(preset.criteria | {"basins": basins})
                durations, found = measure(criteria, requests)
                p50, p95 = statistics.median(durations), percentile(durations, 0.95)
                print(f"{scope:16} {preset.key:22} {found:>7} entreprises  "
                      f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    generate.OUT.mkdir(parents=True, exist_ok=True)
    urls = [f"sqlite:///{generate.OUT / 'segments.sqlite3'}"]
    if os.environ.get("BENCH_SEGMENTS_PG"):
        urls.append(generate.database_url(os.environ["BENCH_SEGMENTS_PG"]))
    for url in urls:
        run(url, args.requests)


if __name__ == "__main__":
    main()
