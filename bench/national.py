"""National-size simulation: a generated SIRENE stock of about 3,000,000 active establishments (over
the region's communes: the volume is the point) imported into an emptied PostgreSQL database by the
import's first-load path, 5 % of the firms given a hiring need, then p50/p95 of the companies list
(free-text search, two filters), the company page and the map's JSON, server side (Flask test
client, in-process, signed in as an adviser). Prints the import time and pg_database_size.

Usage: python bench/national.py --database-url postgresql://postgres@127.0.0.1/crm_bulk3m
                                [--rows 3340000] [--requests 20] [--keep]
--keep measures the pages on the database already loaded (no new import). The generated files stay
in bench/out/ (git-ignored) and are reused.
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
import maps  # noqa: E402
import sirene_import  # noqa: E402
from public_form import latency_row, print_table, timed  # noqa: E402
from workspace import getter, interaction_rows  # noqa: E402

from crm.extensions import db  # noqa: E402
from crm.models import Basin, Company, HiringNeed, Interaction, Role, User  # noqa: E402
from crm.services.companies import counters  # noqa: E402
from crm.services.imports import sirene  # noqa: E402
from crm.services.routing import engine as routing  # noqa: E402
from crm.services.territory import reference  # noqa: E402

ROWS = 3_340_000  # about 3,000,000 kept: 8 % closed, some other regions and invalid SIRETs
SEARCHES = ("pharmacie dijon", "boulangerie", "garage besancon", "transports dole", "martin",
            "sarl beaune", "hotel", "menuiserie")
CONTACTED = 300_000  # firms contacted at random, besides half of those with a need
INTERACTIONS = 350_000  # a million took too long to insert on the shared machine
DEPARTMENTS = ("21", "25", "39", "58", "70", "71", "89", "90")
OPEN_NEED = [f"department={code}&open_need=y" for code in DEPARTMENTS]
NOT_CONTACTED = [f"department={code}&contacted=non&days={days}" for code in DEPARTMENTS
                 for days in (30, 365)]  # the list's shortest but one and longest periods
BASIN_NAF = [f"basin={basin}&naf_division={naf}" for basin in ("2711", "2706", "2712")
             for naf in ("43", "47", "56")]
MAP_JSON = ("/carte/entreprises.json?bbox=4.55,46.95,5.60,47.65",
            "/carte/entreprises.json?bbox=4.99,47.30,5.09,47.36")


def add_interactions(companies: list[int]) -> int:
    """INTERACTIONS contacts by the bench advisers with these firms over the last 400 days."""
    advisers = list(db.session.execute(sa.select(User.id, User.organisation_id).where(
        User.role == Role.ADVISER)).all())
    return generate.insert_in_batches(Interaction, interaction_rows(random.Random(4), companies,
                                                                    advisers, INTERACTIONS))


def load(url: str, rows: int) -> dict:
    """Import the stock into the emptied database, add needs and the bench's advisers."""
    establishments, unites = sirene_import.stock_files(rows)
    sirene_import.fresh_database(url)
    app = generate.bench_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        reference.load_reference_data()
        routing.install_default_rules()
        started = time.perf_counter()
        summary = sirene.import_files(establishments, unites)
        seconds = time.perf_counter() - started
        firms = list(db.session.execute(
            sa.select(Company.id, Company.commune_code, Company.basin_code)
            .order_by(sa.func.random()).limit(summary["kept"] // 20)))
        needs = generate.insert_in_batches(HiringNeed, generate.need_rows(random.Random(3), firms,
                                                                         len(firms)))
        generate.network(list(db.session.scalars(sa.select(Basin).order_by(Basin.code))))
        contacted = [firm.id for firm in firms[:len(firms) // 2]] + list(
            db.session.scalars(sa.select(Company.id).order_by(sa.func.random()).limit(CONTACTED)))
        interactions = add_interactions(contacted)
        # needs and interactions went in without the session: their firms' counters recomputed
        # (the others keep 0 and no contact, faster than counters.refresh_all at this size)
        counters.refresh([firm.id for firm in firms] + contacted)
        db.session.commit()
        generate.settle()
        size = db.session.scalar(sa.text("SELECT pg_database_size(current_database())"))
        db.session.remove()
    return {"kept": summary["kept"], "import_s": round(seconds, 1),
            "kept_rows_s": round(summary["kept"] / seconds), "needs": needs,
            "interactions": interactions,
            "database_gb": round(size / 1e9, 2)}


def measure(url: str, count: int) -> list[dict]:
    app = generate.bench_app(url)
    app.config["CRM_MAP_TILES"] = "none"
    rows = []
    with app.app_context():
        client = maps.signed_in_client(app)
        ids = list(db.session.scalars(sa.select(Company.id).order_by(sa.func.random()).limit(200)))
        cases = (
            ("GET /entreprises?q=<words>", [f"/entreprises?q={text}" for text in SEARCHES]),
            ("GET /entreprises?<département + besoin ouvert>", [f"/entreprises?{q}" for q in OPEN_NEED]),
            ("GET /entreprises?<département + pas contacté (30 | 365 j)>",
             [f"/entreprises?{q}" for q in NOT_CONTACTED]),
            ("GET /entreprises?<bassin + NAF>", [f"/entreprises?{q}" for q in BASIN_NAF]),
            ("GET /entreprises/<id>", [f"/entreprises/{company_id}" for company_id in ids]),
            ("GET /carte/entreprises.json?bbox=<bassin | ville>", list(MAP_JSON)),
        )
        for name, urls in cases:
            durations = timed(getter(client, urls), count)
            rows.append(latency_row(db.engine.dialect.name, name, durations))
        db.session.remove()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="the PostgreSQL database to fill")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="measure the database already loaded")
    args = parser.parse_args()
    url = generate.database_url(args.database_url)
    loaded = None if args.keep else load(url, args.rows)
    if loaded:
        print(json.dumps(loaded), flush=True)
    rows = measure(url, args.requests)
    print_table(rows)
    print(json.dumps({"load": loaded, "results": rows}))


if __name__ == "__main__":
    main()
