"""Benchmark of the adviser's workspace with 300,000 companies and 1,000,000 interactions: p50/p95
of the companies list (name search, words of name and commune, pages past the count cap, two
filters, and each of "département + besoin ouvert" and "département + pas contacté"), the company
page, "Mes demandes" and the duplicates page, server side
(Flask test client, in-process, signed in as an adviser).

Usage: python bench/workspace.py [--database-url URL ...] [--no-sqlite] [--requests N]
                                 [--companies N] [--interactions N] [--only TEXT ...]
The SQLite file bench/out/bench.sqlite3 is measured unless --no-sqlite; each --database-url
(e.g. postgresql://postgres@127.0.0.1/crm_bench) adds a database. bench/generate.py fills the
companies and needs (once); this script adds the interactions (once). The company page is measured
when its view exists. The duplicate pairs are found and stored first when the duplicates page is
measured, as their scheduled job does (jobs/derived.py). --only keeps the measures whose name
contains the text (repeatable).
"""

import argparse
import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
from public_form import FALLBACK_SEARCHES, PREFIX_SEARCHES, latency_row, print_table, timed  # noqa: E402

from crm.extensions import db  # noqa: E402
from crm.models import Company, Interaction, InteractionKind, Role, User, utcnow  # noqa: E402
from crm.services.companies import counters, duplicates  # noqa: E402
from crm.services.platform.local_time import local_today  # noqa: E402

INTERACTIONS = 1_000_000
KINDS = (InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.VISIT, InteractionKind.MEETING)
WORD_SEARCHES = (  # words of the name and the commune, in any order; identifiers and postal codes
    "pharmacie dijon", "dijon boulangerie", "garage besancon", "sarl beaune", "epicerie",
    "transports dole", "de", "martin et fils", "21000", "300 001 2",
)
PAGES = (2, 41, 60, 200, 400, 401)  # pages past the count cap, up to and past the browsable rows
TWO_FILTERS = (  # pairs of filters an adviser combines
    {"basin": "2711", "naf_division": "43"}, {"department": "25", "open_need": "y"},
    {"basin": "2712", "contacted": "oui", "days": "30"}, {"naf_section": "I", "band": "00"},
    {"department": "71", "contacted": "non", "days": "90"}, {"basin": "2706", "referent": "aucun"},
)
DEPARTMENTS = ("21", "25", "39", "58", "70", "71", "89", "90")
OPEN_NEED = [f"/entreprises?department={code}&open_need=y" for code in DEPARTMENTS]
NOT_CONTACTED = [f"/entreprises?department={code}&contacted=non&days=90" for code in DEPARTMENTS]


def contacted_days(organisation_id: int) -> list[str]:
    """The firms contacted over a past quarter (the dashboard's firm links), by anyone in a
    département or the region, or by the adviser's organisation."""
    end = local_today() - timedelta(days=30)
    days = f"contacted_from={end - timedelta(days=89)}&contacted_to={end}&closed=y"
    return [*(f"/entreprises?department={code}&{days}" for code in DEPARTMENTS),
            f"/entreprises?{days}", f"/entreprises?organisation={organisation_id}&{days}"]


def interaction_rows(rng: random.Random, companies: list[int], advisers: list[tuple[int, int]],
                     count: int):
    """Contacts by the bench advisers over the last 400 days, more of them recent."""
    now = utcnow()
    for _ in range(count):
        user_id, organisation_id = rng.choice(advisers)
        occurred = now - timedelta(minutes=int(rng.expovariate(1 / (60 * 24 * 90))) % (400 * 1440))
        yield {"company_id": rng.choice(companies), "user_id": user_id,
               "organisation_id": organisation_id, "kind": rng.choice(KINDS),
               "occurred_at": occurred, "summary": "Contact du banc d'essai",
               "created_at": occurred}


def add_interactions(count: int, seed: int = 2027) -> int:
    """Fill the ledger once with `count` interactions; returns how many were written."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) >= count:
        return 0
    rng = random.Random(seed)
    companies = list(db.session.scalars(sa.select(Company.id).where(
        Company.source == generate.SOURCE)))
    advisers = list(db.session.execute(sa.select(User.id, User.organisation_id).where(
        User.role == Role.ADVISER)).all())
    written = generate.insert_in_batches(Interaction,
                                         interaction_rows(rng, companies, advisers, count))
    counters.refresh_all()  # inserted without the session, which keeps them otherwise
    db.session.commit()
    generate.settle()
    return written


def getter(client, urls: list[str]):
    def get(number):
        response = client.get(urls[number % len(urls)])
        assert response.status_code == 200, (urls[number % len(urls)], response.status_code)
    return get


def cases(app, client, adviser: User) -> list[tuple[str, object]]:
    """(name, call) of each measure; the company page only once its view exists."""
    searches = [f"/entreprises?q={text}" for text in PREFIX_SEARCHES + FALLBACK_SEARCHES]
    filtered = ["/entreprises?" + "&".join(f"{k}={v}" for k, v in pair.items())
                for pair in TWO_FILTERS]
    words = [f"/entreprises?q={text}" for text in WORD_SEARCHES]
    pages = [f"/entreprises?page={number}" for number in PAGES]
    found = [("GET /entreprises?q=<name>", getter(client, searches)),
             ("GET /entreprises?q=<words>", getter(client, words)),
             ("GET /entreprises?page=<past the cap>", getter(client, pages)),
             ("GET /entreprises?<two filters>", getter(client, filtered)),
             ("GET /entreprises?département + besoin ouvert", getter(client, OPEN_NEED)),
             ("GET /entreprises?département + pas contacté", getter(client, NOT_CONTACTED)),
             ("GET /entreprises?contactée du … au …", getter(
                 client, contacted_days(adviser.organisation_id))),
             ("GET /demandes", getter(client, ["/demandes"])),
             ("GET /entreprises/doublons", getter(client, ["/entreprises/doublons"]))]
    if "companies.company" in app.view_functions:
        rng = random.Random(11)
        ids = list(db.session.scalars(sa.select(Company.id).where(Company.source == generate.SOURCE)
                                      .limit(50_000)))
        pages = [f"/entreprises/{company_id}" for company_id in rng.sample(ids, 200)]
        found.insert(2, ("GET /entreprises/<id>", getter(client, pages)))
    return found


def measure(url: str | None, count: int, companies: int, interactions: int,
            only: list[str]) -> list[dict]:
    """Fill the database if needed, sign an adviser in, then time each page."""
    app = generate.bench_app(generate.database_url(url))
    rows = []
    with app.app_context():
        print(f"{app.config['SQLALCHEMY_DATABASE_URI']}: {generate.generate(companies)}", flush=True)
        started = time.perf_counter()
        print(f"interactions: {add_interactions(interactions)} in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        adviser = db.session.scalar(sa.select(User).where(User.email.like("conseiller1.2711@%")))
        client = app.test_client()
        with client.session_transaction() as session:  # signed in (".invalid" fails the form)
            session["_user_id"], session["_fresh"] = adviser.get_id(), True
        measured = [(name, call) for name, call in cases(app, client, adviser)
                    if not only or any(text in name for text in only)]
        if any("doublons" in name for name, _ in measured):  # as the scheduled job leaves them
            started = time.perf_counter()
            pairs = duplicates.refresh_pairs()
            db.session.commit()
            print(f"duplicate pairs: {pairs} found and stored in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
        for name, call in measured:
            durations = timed(call, count)
            rows.append(latency_row(db.engine.dialect.name, name, durations))
        db.session.remove()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append", default=[],
                        help="another database to measure (PostgreSQL URL)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite file")
    parser.add_argument("--requests", type=int, default=300, help="requests per measure")
    parser.add_argument("--companies", type=int, default=generate.COMPANIES)
    parser.add_argument("--interactions", type=int, default=INTERACTIONS)
    parser.add_argument("--only", action="append", default=[],
                        help="measure only the pages whose name contains this text")
    args = parser.parse_args()
    urls = ([] if args.no_sqlite else [None]) + args.database_url
    rows = [row for url in urls
            for row in measure(url, args.requests, args.companies, args.interactions,
                                 args.only)]
    print_table(rows)
    print(json.dumps({"results": rows}))


if __name__ == "__main__":
    main()
