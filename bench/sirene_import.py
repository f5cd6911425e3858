"""SIRENE import speed: a generated stock of N establishments (300,000 by default) imported into a fresh
database, side by side with a plain bulk insert of the same company rows into the same table (the
practical limit: same indexes, same full-text triggers, batches of the same size).

Usage: python bench/sirene_import.py [--rows N] [--database-url URL ...]
SQLite (bench/out/sirene_bench.sqlite3) is always measured; each --database-url adds a PostgreSQL
database, created when missing and emptied first, e.g.
    --database-url postgresql+psycopg://postgres@127.0.0.1/crm_bench_sirene
The generated files stay in bench/out/ (git-ignored) and are reused by the next run.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CRM_INSTANCE_PATH", str(OUT / "instance"))

from flask_migrate import upgrade  # noqa: E402

from crm import create_app  # noqa: E402
from crm.demo import sirene_stock  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.models import Company  # noqa: E402
from crm.services.imports import sirene  # noqa: E402
from crm.services.territory import reference  # noqa: E402


def stock_files(rows: int) -> tuple[Path, Path]:
    """The generated establishments and legal units, written once per row count."""
    establishments, unites = OUT / f"StockEtablissement_{rows}.csv", OUT / f"StockUniteLegale_{rows}.csv"
    if not (establishments.exists() and unites.exists()):
        started = time.perf_counter()
        counts = sirene_stock.generate(establishments, rows, unites)
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s: {json.dumps(counts)}")
    return establishments, unites


def fresh_database(url: str) -> None:
    """An empty database: the SQLite file removed, or the PostgreSQL schema dropped (created if needed)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": parsed.database}):
            connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def plain_insert(rows: list[dict]) -> float:
    """Seconds to insert the rows as they are, in batches of the import's size."""
    table = Company.__table__
    started = time.perf_counter()
    for start in range(0, len(rows), sirene.BATCH):
        db.session.execute(table.insert(), rows[start:start + sirene.BATCH])
        db.session.commit()
    return time.perf_counter() - started


def measure(url: str, establishments: Path, unites: Path) -> dict:
    fresh_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None})
    with app.app_context():
        upgrade()
        reference.load_reference_data()
        started = time.perf_counter()
        summary = sirene.import_files(establishments, unites)
        seconds = time.perf_counter() - started
        again = sirene.import_files(establishments, unites)
        table = Company.__table__
        rows = [dict(row) for row in db.session.execute(
            sa.select(*(column for column in table.c if column.name != "id"))).mappings()]
        db.session.execute(table.delete())
        db.session.commit()
        plain = plain_insert(rows)
    return {"database": make_url(url).get_backend_name(), "kept": summary["kept"], "import_s": seconds,
            "import_rows_s": summary["kept"] / seconds, "reimport_s": again["seconds"],
            "reimport_changes": again["inserted"] + again["updated"], "plain_s": plain,
            "plain_rows_s": len(rows) / plain, "ratio": seconds / plain}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--database-url", action="append", default=[])
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    establishments, unites = stock_files(args.rows)
    urls = [f"sqlite:///{OUT / 'sirene_bench.sqlite3'}", *args.database_url]
    results = [measure(url, establishments, unites) for url in urls]
    print(f"{'database':<12}{'kept':>9}{'import s':>10}{'rows/s':>10}{'plain s':>10}{'rows/s':>10}"
          f"{'ratio':>7}{'re-import s':>13}{'changes':>9}")
    for r in results:
        print(f"{r['database']:<12}{r['kept']:>9,}{r['import_s']:>10.1f}{r['import_rows_s']:>10,.0f}"
              f"{r['plain_s']:>10.1f}{r['plain_rows_s']:>10,.0f}{r['ratio']:>7.2f}"
              f"{r['reimport_s']:>13.1f}{r['reimport_changes']:>9}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
