"""Benchmark of the single entry point with 300,000 companies: p50/p95 of the public form
submission and of the API's company search, server side (Flask test client, in-process).

Usage: python bench/public_form.py [--database-url URL ...] [--no-sqlite] [--requests N]
The SQLite file bench/out/bench.sqlite3 is measured unless --no-sqlite; each --database-url
(e.g. postgresql+psycopg://postgres@127.0.0.1/crm_bench) adds a database. bench/generate.py fills
each database first (once). The form is measured through POST /recrutement when that view exists,
else through the service path it calls (parse_need + file_need).
"""

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from crm.extensions import db  # noqa: E402
from crm.models import Company, NeedSource, RomeCode, User  # noqa: E402
from crm.services.accounts import users
from crm.services.needs import filing as needs
from crm.services.needs.schema import parse_need  # noqa: E402
from crm.services.platform.identifiers import build_siren, build_siret  # noqa: E402

PREFIX_SEARCHES = (
    "boul", "boulangerie", "Garage", "transports", "menuis", "pâtisserie", "DUPONT", "lef",
    "fromagerie gi", "hôtel", "restaurant du", "sarl pr", "établissements", "pharmacie",
    "auto-école", "électricité", "charpente mo", "maçonnerie", "martin", "ehpad", "3000012",
)
FALLBACK_SEARCHES = ("beaune", "et fils", "de dijon", "du creusot", "lefevre et", "champagnole")
WARM_UP = 20


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency_row(database: str, measure: str, durations: list[float]) -> dict:
    """One line of a latency table: the requests' count, median, 95th percentile and maximum."""
    return {"database": database, "measure": measure, "requests": len(durations),
            "p50_ms": round(statistics.median(durations), 1),
            "p95_ms": round(percentile(durations, 0.95), 1), "max_ms": round(max(durations), 1)}


def timed(call, count: int) -> list[float]:
    """Milliseconds taken by each of `count` calls of `call(number)`, after a warm-up."""
    for number in range(WARM_UP):
        call(number)
    durations = []
    for number in range(count):
        started = time.perf_counter()
        call(number)
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def form_data(rng: random.Random, firms: list[tuple[str, str, str]], romes: list[str]) -> dict:
    """A request as an employer fills it: a known firm mostly, sometimes an unknown SIRET."""
    siret, commune_code, postal_code = rng.choice(firms)
    data = {"company_name": "", "rome_code": rng.choice(romes), "job_title": "",
            "positions": str(rng.randint(1, 4)), "contract_type": "cdi",
            "contact_name": "Camille Martin", "contact_email": "camille@exemple.fr",
            "contact_phone": "03 80 12 34 56", "consent": "y", "website": "",
            "postal_code": postal_code, "commune_code": commune_code, "siret": siret}
    if rng.random() < 0.2:
        siren = build_siren(f"{rng.randrange(90_000_000, 99_999_999):08d}")
        data |= {"siret": build_siret(siren, "0001"), "company_name": "Nouvelle entreprise"}
    return data


def api_payload(data: dict) -> dict:
    """The form's fields in the API's shape, for the service path."""
    contact = {"name": data["contact_name"], "email": data["contact_email"],
               "phone": data["contact_phone"]}
    return {key: value for key, value in data.items()
            if not key.startswith("contact_") and key not in ("postal_code", "website")
            } | {"contact": contact, "consent": True}


def form_submitter(app, client, rng: random.Random):
    """A function filing one request, and the name of the path it measures."""
    firms = list(db.session.execute(
        sa.select(Company.siret, Company.commune_code, Company.postal_code)
        .where(Company.active, Company.source == generate.SOURCE).limit(20_000)))
    romes = list(db.session.scalars(sa.select(RomeCode.code)))
    if "public.request_form" in app.view_functions:
        def submit(_number):
            response = client.post("/recrutement", data=form_data(rng, firms, romes))
            assert response.status_code in (302, 303), response.status_code
        return submit, "POST /recrutement"

    def file(_number):
        data = parse_need(api_payload(form_data(rng, firms, romes)), require_consent=True)
        needs.file_need(data, source=NeedSource.PUBLIC_FORM)
    return file, "parse_need + file_need (no view yet)"


def searcher(client, token: str, queries: tuple[str, ...]):
    headers = {"Authorization": f"Bearer {token}"}

    def search(number):
        response = client.get("/api/v1/companies", query_string={"q": queries[number % len(
            queries)]}, headers=headers)
        assert response.status_code == 200, response.status_code
    return search


def measure(url: str, count: int) -> list[dict]:
    """Fill the database if needed, then time the form and the searches on it."""
    app = generate.bench_app(generate.database_url(url))
    rows = []
    with app.app_context():
        print(f"{app.config['SQLALCHEMY_DATABASE_URI']}: {generate.generate()}", flush=True)
        partner = db.session.scalar(sa.select(User).where(User.email == generate.PARTNER_EMAIL))
        token = users.issue_api_token(partner, "Banc d'essai")
        db.session.commit()
        client, rng = app.test_client(), random.Random(7)
        submit, path = form_submitter(app, client, rng)
        cases = ((path, submit),
                 ("GET /api/v1/companies?q=<prefix>", searcher(client, token, PREFIX_SEARCHES)),
                 ("GET /api/v1/companies?q=<substring>",
                  searcher(client, token, FALLBACK_SEARCHES)))
        for name, call in cases:
            durations = timed(call, count)
            rows.append(latency_row(db.engine.dialect.name, name, durations))
        db.session.remove()
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"\n{'database':<11} {'measure':<44} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'max ms':>8}")
    for row in rows:
        print(f"{row['database']:<11} {row['measure']:<44} {row['requests']:>8} "
              f"{row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append", default=[],
                        help="another database to measure (PostgreSQL URL)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite file")
    parser.add_argument("--requests", type=int, default=300, help="requests per measure")
    args = parser.parse_args()
    urls = ([] if args.no_sqlite else [None]) + args.database_url
    rows = [row for url in urls for row in measure(url, args.requests)]
    print_table(rows)
    print(json.dumps({"results": rows}))


if __name__ == "__main__":
    main()
