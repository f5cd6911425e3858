"""Benchmark of the nightly likely-to-hire scores: every company's score computed and stored, as
the job does it (grouped queries and one upsert per batch, a commit per batch), on 300,000
companies with their needs (bench/generate.py) and one project per fifty companies.

Usage: python bench/scoring.py [--database-url URL] [--companies N]
Without --database-url the SQLite file bench/out/bench.sqlite3 is used. Prints
"computed N scores in S s" and the batches per second.
"""

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from crm.extensions import db  # noqa: E402
from crm.models import Company, CompanyProject, ProjectKind  # noqa: E402
from crm.services.platform.local_time import local_today  # noqa: E402
from jobs.scoring import refresh_scores  # noqa: E402

PROJECTS_EVERY = 50


def add_projects(seed: int = 2026) -> int:
    """One project per fifty bench companies, dated over the last two years (once)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(CompanyProject)):
        return 0
    rng, today = random.Random(seed), local_today()
    ids = db.session.scalars(sa.select(Company.id).where(Company.source == generate.SOURCE)
                             .order_by(Company.id)).all()[::PROJECTS_EVERY]
    kinds = list(ProjectKind)
    rows = [{"company_id": company_id, "kind": rng.choice(kinds), "source": "banc d'essai",
             "occurred_on": today - timedelta(days=rng.randint(-60, 700))} for company_id in ids]
    return generate.insert_in_batches(CompanyProject, iter(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; default: SQLite in bench/out/")
    parser.add_argument("--redis-url", help="Redis URL; default: the embedded server")
    parser.add_argument("--companies", type=int, default=generate.COMPANIES)
    args = parser.parse_args()
    app = generate.bench_app(generate.database_url(args.database_url), args.redis_url)
    with app.app_context():
        print(generate.generate(args.companies), {"projects": add_projects()})
        started = time.perf_counter()
        stored = refresh_scores()
        seconds = time.perf_counter() - started
        print(f"computed {stored:,} scores in {seconds:.1f} s ({stored / seconds:,.0f} per second) "
              f"on {db.engine.dialect.name}")


if __name__ == "__main__":
    main()
