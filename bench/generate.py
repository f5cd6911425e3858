"""Benchmark data: 300,000 companies in real communes of Bourgogne-Franche-Comté, with open and
closed hiring needs, a France Travail agency per basin with advisers, and a partner organisation.

Usage: python bench/generate.py [--database-url URL] [--companies N]
Without --database-url the data goes to the SQLite file bench/out/bench.sqlite3 (git-ignored).
A PostgreSQL database named in the URL is created when missing. A run on a database that already
holds the companies does nothing.
"""

import argparse
import gc
import os
import random
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from crm import create_app  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.models import (  # noqa: E402
    Basin,
    Commune,
    Company,
    ContractType,
    HiringNeed,
    NeedSource,
    NeedStatus,
    Organisation,
    OrganisationKind,
    Role,
    User,
    utcnow,
)
from crm.models.organisation import organisation_basins  # noqa: E402
from crm.models.user import user_basins  # noqa: E402
from crm.services.accounts.users import hash_password  # noqa: E402
from crm.services.companies import counters  # noqa: E402
from crm.services.companies.records import search_text  # noqa: E402
from crm.services.platform.identifiers import build_siren, build_siret  # noqa: E402
from crm.services.platform.wording import normalise_name  # noqa: E402
from crm.services.routing import engine as routing  # noqa: E402
from crm.services.territory import reference  # noqa: E402

BATCH = 10_000
COMPANIES = 300_000
NEEDS_PER_COMPANY = 0.05
SOURCE = "bench"
PARTNER_EMAIL = "partenaire@bench.invalid"
PASSWORD = "Banc-d-essai-2026"
FIRST_SIREN = 30_000_000

TRADES = (
    ("Boulangerie", "10.71C"), ("Pâtisserie", "10.71D"), ("Garage", "45.20A"),
    ("Transports", "49.41A"), ("Menuiserie", "43.32A"), ("Maçonnerie", "43.99C"),
    ("Plomberie", "43.22A"), ("Électricité", "43.21A"), ("Restaurant", "56.10A"),
    ("Hôtel", "55.10Z"), ("Pharmacie", "47.73Z"), ("Coiffure", "96.02A"),
    ("Boucherie", "47.22Z"), ("Cabinet infirmier", "86.90D"), ("EHPAD", "87.10A"),
    ("Fromagerie", "10.51C"), ("Domaine", "01.21Z"), ("Scierie", "16.10A"),
    ("Métallerie", "25.11Z"), ("Plasturgie", "22.29A"), ("Nettoyage", "81.21Z"),
    ("Auto-école", "85.53Z"), ("Informatique", "62.01Z"), ("Boutique", "47.71Z"),
    ("Supermarché", "47.11D"), ("Ambulances", "86.90A"), ("Paysages", "81.30Z"),
    ("Charpente", "43.91A"), ("Couverture", "43.91B"), ("Imprimerie", "18.12Z"),
    ("Laboratoire", "72.19Z"), ("Taxis", "49.32Z"), ("Intérim", "78.20Z"),
    ("Immobilier", "68.31Z"), ("Expertise comptable", "69.20Z"), ("Construction", "41.20A"),
    ("Mécanique de précision", "25.62B"), ("Salaisons", "10.13A"), ("Tabac presse", "47.26Z"),
    ("Café", "56.30Z"),
)
SURNAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval",
    "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
    "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
    "Gérard", "Hébert", "Bénard", "Périllat", "Jacquot", "Vuillemin", "Cuenot", "Tissot",
    "Bourgeois", "Grosjean", "Girardot", "Prost", "Bouvier", "Jeannin", "Mougin", "Lhomme",
)
PATTERNS = (
    "{trade} {surname}", "{surname} {trade}", "{trade} de {commune}", "Établissements {surname}",
    "{trade} {surname} et fils", "SARL {surname}", "{surname} & {surname2}", "{trade} du {commune}",
)
BANDS = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41")
BAND_WEIGHTS = (8, 30, 20, 12, 9, 8, 6, 3, 2, 1, 1, 0.5)
STATUSES = tuple(NeedStatus)
STATUS_WEIGHTS = (2, 3, 3, 2, 1, 1, 1)


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL when it does not exist yet."""
    target = make_url(url)
    engine = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": target.database})
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def database_url(given: str | None) -> str:
    """The URL to work on, the default SQLite file when none is given."""
    if not given:
        OUT.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{OUT / 'bench.sqlite3'}"
    url = given.replace("postgresql://", "postgresql+psycopg://", 1)
    if url.startswith("postgresql"):
        ensure_postgres_database(url)
    return url


def bench_app(url: str, redis_url: str | None = None):
    """The application on the benchmark database, rate limits out of the way, its objects kept out
    of the garbage collector's full passes as wsgi.py keeps them in a served process (each full
    pass over them took about 90 ms of a timed request, docs/performance.md)."""
    os.environ.setdefault("CRM_INSTANCE_PATH", str(OUT / "instance"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": redis_url,
        "WTF_CSRF_ENABLED": False,
        "CRM_MAIL_URL": None,
        "CRM_PUBLIC_FORM_RATE_LIMIT": "1000000 per minute",
        "CRM_API_RATE_LIMIT": "1000000 per minute",
        "SERVER_NAME": "localhost",
    })
    gc.freeze()
    return app


def company_name(rng: random.Random, trade: str, commune: str) -> str:
    pattern = rng.choice(PATTERNS)
    return pattern.format(trade=trade, surname=rng.choice(SURNAMES),
                          surname2=rng.choice(SURNAMES), commune=commune)


def company_rows(rng: random.Random, communes: list[Commune], count: int):
    """Rows of companies placed in communes in proportion to their population."""
    weights = [commune.population + 30 for commune in communes]
    now = utcnow()
    for number, commune in enumerate(rng.choices(communes, weights, k=count)):
        trade, naf = rng.choice(TRADES)
        name = company_name(rng, trade, commune.name)
        siren = build_siren(f"{FIRST_SIREN + number:08d}")
        yield {
            "siret": build_siret(siren, f"{rng.randint(1, 99):04d}"), "siren": siren,
            "name": name, "search_name": normalise_name(name), "naf_code": naf,
            "search_text": search_text(name, None, commune.name, commune.postal_codes.split()[0]),
            "headcount_band": rng.choices(BANDS, BAND_WEIGHTS)[0],
            "address": f"{rng.randint(1, 120)} rue {rng.choice(SURNAMES)}",
            "postal_code": commune.postal_codes.split()[0], "commune_code": commune.code,
            "basin_code": commune.basin_code, "latitude": commune.latitude,
            "longitude": commune.longitude, "active": rng.random() > 0.03,
            "verified": rng.random() > 0.3, "tags": [], "source": SOURCE, "version": 1,
            "created_at": now, "updated_at": now,
        }


def insert_in_batches(model, rows) -> int:
    """Insert rows with Core insert() in batches of BATCH, one commit per batch."""
    batch, total = [], 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            total += flush(model, batch)
            batch = []
    return total + (flush(model, batch) if batch else 0)


def flush(model, batch: list[dict]) -> int:
    db.session.connection().execute(sa.insert(model.__table__), batch)
    db.session.commit()
    return len(batch)


def need_rows(rng: random.Random, companies: list[tuple[int, str, str]], count: int):
    """Hiring needs of random companies, most of them still open."""
    now = utcnow()
    for number, (company_id, commune_code, basin_code) in enumerate(rng.sample(companies, count)):
        created = now - timedelta(days=rng.randint(0, 400))
        yield {
            "reference": f"BENCH-{number:08d}", "tracking_token": secrets.token_urlsafe(24),
            "company_id": company_id, "source": NeedSource.PUBLIC_FORM, "rome_code": None,
            "job_title": "Poste de test", "positions": rng.randint(1, 5),
            "contract_type": ContractType.CDI, "commune_code": commune_code,
            "basin_code": basin_code, "publics": [], "services": [],
            "contact_name": "Contact Banc", "contact_email": "contact@bench.invalid",
            "status": rng.choices(STATUSES, STATUS_WEIGHTS)[0], "version": 1,
            "created_at": created, "updated_at": created,
        }


def network(basins: list[Basin]) -> None:
    """A France Travail agency per basin with two advisers, and a partner chamber."""
    password = hash_password(PASSWORD)
    for basin in basins:
        agency = Organisation(name=f"France Travail {basin.name} (banc)",
                              kind=OrganisationKind.FRANCE_TRAVAIL)
        db.session.add(agency)
        db.session.flush()
        db.session.execute(sa.insert(organisation_basins),
                           [{"organisation_id": agency.id, "basin_code": basin.code}])
        for number in (1, 2):
            adviser = User(email=f"conseiller{number}.{basin.code}@bench.invalid",
                           name=f"Conseiller {number} {basin.name}", password_hash=password,
                           role=Role.ADVISER, organisation=agency)
            db.session.add(adviser)
            db.session.flush()
            db.session.execute(sa.insert(user_basins),
                               [{"user_id": adviser.id, "basin_code": basin.code}])
    chamber = Organisation(name="CCI Bourgogne-Franche-Comté (banc)", kind=OrganisationKind.CCI,
                           is_spotter=True)
    db.session.add(User(email=PARTNER_EMAIL, name="Partenaire du banc", password_hash=password,
                        role=Role.PARTNER, organisation=chamber))
    db.session.commit()


def settle() -> None:
    """Vacuum and analyse as autovacuum would after a bulk load (visibility map, statistics)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql"
                                   else "ANALYZE"))


def generated(count: int) -> bool:
    query = sa.select(sa.func.count()).select_from(Company).where(Company.source == SOURCE)
    return db.session.scalar(query) >= count


def generate(count: int = COMPANIES, seed: int = 2026) -> dict:
    """Fill the benchmark database of the current app context; returns what was written."""
    from flask_migrate import upgrade

    upgrade()
    reference.load_reference_data()
    routing.install_default_rules()
    if generated(count):
        return {"companies": 0, "needs": 0}
    rng = random.Random(seed)
    started = time.perf_counter()
    communes = list(db.session.scalars(sa.select(Commune).order_by(Commune.code)))
    written = insert_in_batches(Company, company_rows(rng, communes, count))
    companies = list(db.session.execute(
        sa.select(Company.id, Company.commune_code, Company.basin_code)
        .where(Company.source == SOURCE)))
    needs = insert_in_batches(HiringNeed,
                              need_rows(rng, companies, int(count * NEEDS_PER_COMPANY)))
    counters.refresh_all()  # the rows went in without the session, which keeps them otherwise
    db.session.commit()
    network(list(db.session.scalars(sa.select(Basin).order_by(Basin.code))))
    settle()
    return {"companies": written, "needs": needs,
            "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; default: SQLite in bench/out/")
    parser.add_argument("--redis-url", help="Redis URL; default: the embedded server")
    parser.add_argument("--companies", type=int, default=COMPANIES)
    args = parser.parse_args()
    app = bench_app(database_url(args.database_url), args.redis_url)
    with app.app_context():
        print(generate(args.companies))


if __name__ == "__main__":
    main()
