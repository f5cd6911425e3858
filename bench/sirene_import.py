"""SIRENE import speed: a generated stock of N establishments (300,000 by default) imported into a fresh
database (the first load, `--method auto` picks the bulk path), imported again (the incremental path,
no change), side by side with that database's own bulk load of the same company rows without the
secondary indexes (PostgreSQL `COPY` straight into the table, SQLite one `executemany` in one
transaction), then the indexes and search index built: the practical limit. On PostgreSQL that
load keeps the table's foreign keys (the reference since the first run); "no-FK s" is the same
load without them, as the import's first load runs. "cpu s" is the
import's own processor time (on SQLite nearly all its work; PostgreSQL's server time is not in it):
what a machine shared with other work still tells.

Usage: python bench/sirene_import.py [--rows N] [--method auto|rows] [--database-url URL ...]
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
from crm.services.imports import sirene, sirene_load  # noqa: E402
from crm.services.territory import reference  # noqa: E402


def stock_files(rows: int) -> tuple[Path, Path]:
    """The generated establishments and legal units, written once per row count."""
    establishments, unites = OUT / f"StockEtablissement_{rows}.csv", OUT / f"StockUniteLegale_{rows}.csv"
    if not (establishments.exists() and unites.exists()):
        OUT.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        counts = sirene_stock.generate(establishments, rows, unites)
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s: {json.dumps(counts)}")
    return establishments, unites


def fresh_database(url: str) -> None:
    """An empty database: the SQLite file and its WAL files removed, or the PostgreSQL schema dropped
    (the database created if needed)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):  # a run stopped midway leaves its WAL files
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
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


def plain_load(rows: list[dict], foreign_keys: bool = True) -> tuple[float, float]:
    """Seconds to load the rows as they are without the secondary indexes, and with their build.
    `foreign_keys` keeps PostgreSQL's during the load (the reference of runs A to I: the table as
    declared less its secondary indexes)."""
    table = Company.__table__
    with sirene_load.without_secondary_indexes(foreign_keys=not foreign_keys):
        started = time.perf_counter()
        if db.engine.dialect.name == "postgresql":
            names = list(rows[0])
            cursor = db.session.connection().connection.driver_connection.cursor()
            with cursor, cursor.copy(f"COPY companies ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([json.dumps(row[name]) if name == "tags" else row[name]
                                    for name in names])
        else:
            db.session.execute(table.insert(), rows)
        db.session.commit()
        loaded = time.perf_counter() - started
    return loaded, time.perf_counter() - started


def measure(url: str, establishments: Path, unites: Path, method: str) -> dict:
    fresh_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None})
    with app.app_context():
        upgrade()
        reference.load_reference_data()
        started, cpu = time.perf_counter(), time.process_time()
        summary = sirene.import_files(establishments, unites, method=method)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        again = sirene.import_files(establishments, unites, method="rows" if method == "rows" else "auto")
        table = Company.__table__
        rows = [dict(row) for row in db.session.execute(
            sa.select(*(column for column in table.c if column.name != "id"))).mappings()]
        db.session.execute(table.delete())
        db.session.commit()
        unchecked, _ = plain_load(rows, foreign_keys=False)
        db.session.execute(table.delete())
        db.session.commit()
        loaded, built = plain_load(rows)
    return {"database": make_url(url).get_backend_name(), "method": method, "kept": summary["kept"],
            "import_s": seconds, "import_rows_s": summary["kept"] / seconds, "import_cpu_s": cpu,
            "reimport_s": again["seconds"], "reimport_rows_s": again["kept"] / again["seconds"],
            "reimport_changes": again["inserted"] + again["updated"], "plain_s": loaded,
            "plain_rows_s": len(rows) / loaded, "plain_built_s": built, "ratio": seconds / loaded,
            "unchecked_s": unchecked, "unchecked_ratio": seconds / unchecked}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--method", choices=("auto", "rows"), default="auto",
                        help="auto: bulk then incremental; rows: the row-by-row reference, both times")
    parser.add_argument("--database-url", action="append", default=[])
    args = parser.parse_args()
    establishments, unites = stock_files(args.rows)
    urls = [f"sqlite:///{OUT / 'sirene_bench.sqlite3'}", *args.database_url]
    results = [measure(url, establishments, unites, args.method) for url in urls]
    print(f"{'database':<12}{'kept':>9}{'import s':>10}{'rows/s':>10}{'cpu s':>8}{'plain s':>10}"
          f"{'rows/s':>10}"
          f"{'+ index s':>11}{'ratio':>7}{'re-import s':>13}{'rows/s':>10}{'changes':>9}"
          f"{'no-FK s':>9}{'ratio':>7}")
    for r in results:
        print(f"{r['database']:<12}{r['kept']:>9,}{r['import_s']:>10.1f}{r['import_rows_s']:>10,.0f}"
              f"{r['import_cpu_s']:>8.1f}"
              f"{r['plain_s']:>10.1f}{r['plain_rows_s']:>10,.0f}{r['plain_built_s']:>11.1f}"
              f"{r['ratio']:>7.2f}{r['reimport_s']:>13.1f}{r['reimport_rows_s']:>10,.0f}"
              f"{r['reimport_changes']:>9}{r['unchecked_s']:>9.1f}{r['unchecked_ratio']:>7.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
