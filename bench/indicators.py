"""Benchmark of the committee dashboard: the regional dashboard over a year (its page and the API)
at 300,000 companies, 1,000,000 interactions and 15,000 needs; p50/p95 server time over N requests
(Flask test client, in-process, signed in as a manager). Target: p95 under 200 ms on each database.

Usage: python bench/indicators.py [--database-url URL ...] [--requests N] [--live-requests N] [--refresh]
Each --database-url is measured (default: the SQLite file bench/out/bench.sqlite3); bench/generate.py
fills each database first (companies and needs, once), then this script adds the interactions
(once), varies the needs' sources, first contacts and closings, and (with --refresh, or when none
was stored yet) stores the dashboards as the nightly job does. The last twelve months are then read
from the stored figures; the twelve months up to yesterday are computed live (--live-requests).
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
from maps import percentile  # noqa: E402

from crm.extensions import db  # noqa: E402
from crm.models import (  # noqa: E402
    Company,
    HiringNeed,
    Interaction,
    InteractionKind,
    NeedSource,
    NeedStatus,
    Organisation,
    Role,
    User,
    utcnow,
)
from crm.services.accounts.users import hash_password  # noqa: E402
from crm.services.companies import counters  # noqa: E402
from crm.services.indicators import aggregates  # noqa: E402
from crm.services.indicators.scope import default_period  # noqa: E402
from crm.services.platform.local_time import local_today  # noqa: E402

INTERACTIONS = 1_000_000
HISTORY_DAYS = 2 * 366  # the year measured, and the year before it for the comparison
MANAGER = "responsable@bench.invalid"
KINDS = (InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.VISIT, InteractionKind.MEETING)
CLOSED = (NeedStatus.FILLED, NeedStatus.PARTLY_FILLED, NeedStatus.UNFILLED, NeedStatus.CANCELLED)
WARM_UP = 3


def manager() -> User:
    """The regional manager the dashboard is measured for (created once)."""
    found = db.session.scalar(sa.select(User).where(User.email == MANAGER))
    if found is not None:
        return found
    organisation = db.session.scalar(sa.select(Organisation).order_by(Organisation.id))
    found = User(email=MANAGER, name="Responsable du banc", role=Role.MANAGER,
                 password_hash=hash_password(generate.PASSWORD), organisation=organisation)
    db.session.add(found)
    db.session.commit()
    return found


def interaction_rows(rng: random.Random, count: int):
    """Contacts of random firms over the last two years, written by the agency of their basin."""
    firms = list(db.session.execute(sa.select(Company.id, Company.basin_code)
                                    .where(Company.source == generate.SOURCE)))
    advisers = {}
    for user_id, organisation_id, email in db.session.execute(
            sa.select(User.id, User.organisation_id, User.email).where(User.role == Role.ADVISER)):
        advisers.setdefault(email.split(".")[1].split("@")[0], (user_id, organisation_id))
    now = utcnow()
    # a quarter of the firms are contacted (repeatedly), as a real ledger concentrates on a few
    contacted = rng.sample(firms, len(firms) // 4)
    for _ in range(count):
        company_id, basin_code = rng.choice(contacted)
        user_id, organisation_id = advisers.get(basin_code, (None, None))
        moment = now - timedelta(minutes=rng.randint(0, HISTORY_DAYS * 24 * 60))
        yield {"company_id": company_id, "user_id": user_id, "organisation_id": organisation_id,
               "kind": rng.choice(KINDS), "occurred_at": moment, "created_at": moment,
               "summary": None, "outcome": None}


def vary_needs(rng: random.Random) -> None:
    """Every source, first contacts (most within two working days) and closing dates."""
    sources = list(NeedSource)
    rows = db.session.execute(sa.select(HiringNeed.id, HiringNeed.created_at, HiringNeed.status,
                                        HiringNeed.positions)).all()
    updates = []
    for need_id, created, status, positions in rows:
        due = created + timedelta(days=2, hours=12)
        contact = created + timedelta(hours=rng.randint(1, 120)) if rng.random() < 0.8 else None
        closed = created + timedelta(days=rng.randint(5, 60)) if status in CLOSED else None
        updates.append({"need_id": need_id, "source": rng.choice(sources), "due": due,
                        "contact": contact, "closed": closed,
                        "hires": rng.randint(1, positions) if status in CLOSED[:2] else 0})
    statement = (sa.update(HiringNeed.__table__)
                 .where(HiringNeed.__table__.c.id == sa.bindparam("need_id"))
                 .values(source=sa.bindparam("source"), first_contact_due_at=sa.bindparam("due"),
                         first_contact_at=sa.bindparam("contact"), closed_at=sa.bindparam("closed"),
                         hires=sa.bindparam("hires")))
    for start in range(0, len(updates), generate.BATCH):
        db.session.connection().execute(statement, updates[start:start + generate.BATCH])
        db.session.commit()


def fill(seed: int = 2026) -> dict:
    """The interactions and the needs' details, once per database."""
    generate.generate()
    if db.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) >= INTERACTIONS:
        return {"interactions": 0}
    rng = random.Random(seed)
    started = time.perf_counter()
    written = generate.insert_in_batches(Interaction, interaction_rows(rng, INTERACTIONS))
    vary_needs(rng)
    counters.refresh_all()  # the firms' last contacts: the rows went in without the session
    db.session.commit()
    generate.settle()
    return {"interactions": written, "seconds": round(time.perf_counter() - started, 1)}


def signed_in_client(app, user: User):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def measure(client, url: str, count: int) -> tuple[list[float], int]:
    for _ in range(min(WARM_UP, count)):
        client.get(url)
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return durations, len(response.get_data())


def bench(url: str, redis_url: str | None, count: int, live_count: int, refresh: bool) -> None:
    app = generate.bench_app(generate.database_url(url), redis_url)
    with app.app_context():
        print(db.engine.dialect.name, fill(), flush=True)
        if refresh or aggregates.refreshed_at() is None:
            started = time.perf_counter()
            days = aggregates.refresh()
            print(f"  dashboards stored: {days} territories in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
        client = signed_in_client(app, manager())
        # the last twelve months (stored by the nightly job) and the twelve months up to yesterday
        # (no snapshot: computed live)
        live = default_period(local_today() - timedelta(days=1))
        dates = f"from={live.start}&to={live.end}"
        for name, path, requests in (
                ("page, 12 mois (précalculé)", "/pilotage/indicateurs", count),
                ("API, 12 mois (précalculé)", "/api/v1/indicators?level=region&code=27", count),
                ("page, 12 mois à J-1 (en direct)", f"/pilotage/indicateurs?{dates}", live_count),
                ("API, 12 mois à J-1 (en direct)", f"/api/v1/indicators?level=region&code=27&{dates}",
                 live_count)):
            durations, size = measure(client, path, requests)
            print(f"  {db.engine.dialect.name:10} {name:34} p50 {statistics.median(durations):7.1f} ms  "
                  f"p95 {percentile(durations, 0.95):7.1f} ms  ({requests} requêtes, "
                  f"{size / 1000:.0f} ko)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append", help="database to measure (repeatable)")
    parser.add_argument("--redis-url", help="Redis URL; default: the embedded server")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--live-requests", type=int, default=3,
                        help="requests of the periods computed live (seconds each at this size)")
    parser.add_argument("--refresh", action="store_true", help="refresh the daily aggregates first")
    args = parser.parse_args()
    for url in args.database_url or [None]:
        bench(url, args.redis_url, args.requests, args.live_requests, args.refresh)


if __name__ == "__main__":
    main()
