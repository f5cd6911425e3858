"""How the SIRENE import writes its batches (`docs/sirene.md`, "Bulk and incremental paths").

- `StagedWrites` (every import): a batch's new establishments go straight into `companies`
  (PostgreSQL `COPY`, falling back to the staging table and `INSERT … SELECT … ON CONFLICT (siret) DO
  NOTHING` when a SIRET was added meanwhile; SQLite one `executemany` of `INSERT … ON CONFLICT
  DO NOTHING`); the known ones go into a temporary staging table, then one `UPDATE … FROM` it of the
  rows whose columns differ (compared in SQL, so untouched rows are neither rewritten nor re-indexed).
- `RowWrites`: the original path, one insert and one update per row (`executemany`) after comparing
  the old columns in Python; kept as the reference the staged path is tested and measured against.
- `without_secondary_indexes`: a first load (an empty or nearly empty table) drops the table's
  secondary indexes (on PostgreSQL its foreign keys, on SQLite the full-text triggers), loads, then
  rebuilds them in one go. What to rebuild is saved first in `app_settings`, so an interrupted load
  is repaired by `restore_indexes` at the start of the next import. On PostgreSQL the search
  text's GIN indexes are built on a second connection meanwhile (`built_aside`). On SQLite the load's
  connection commits without waiting for the disk (`synchronous=NORMAL`: in WAL mode a crash
  loses the last batches, never the file's consistency) and sorts in a larger memory cache while
  it lasts (`load_pragmas`).
"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any, Protocol

import psycopg
import sqlalchemy as sa
from psycopg import pq
from sqlalchemy.dialects import postgresql, sqlite

from crm.extensions import db
from crm.models import AppSetting, Company, utcnow
from crm.services.imports.sirene_rows import COMPANY_FIELDS

SOURCE = "sirene"
# a company row is a tuple in COMPANY_FIELDS order: its SIRET, its SIREN, then these columns
COMPARED = COMPANY_FIELDS[2:]
# what a new establishment's row holds besides the compared columns
INSERTED = ("siret", "siren", "source", "tags", "version", "created_at", "updated_at")
BUILD_MEMORY = "256MB"  # PostgreSQL's maintenance_work_mem for the index rebuild
DROP_KEY = "ALTER TABLE companies DROP CONSTRAINT"
KEY_LOCK_WAIT = "2s"  # how long a first load waits to drop PostgreSQL's foreign keys
PENDING_KEY = "sirene_bulk_load"  # app_settings: the indexes and triggers a first load has dropped


class Writes(Protocol):
    old_columns: tuple[str, ...]

    def write(self, new: list[tuple], known: list[tuple[tuple, sa.Row]]) -> tuple[int, int]:
        """Insert the new company rows and update the known ones that changed; (inserted, updated)."""


def companies() -> sa.Table:
    return Company.__table__


def as_dict(values: tuple) -> dict:
    """A company row (a tuple in `COMPANY_FIELDS` order) by column name."""
    return dict(zip(COMPANY_FIELDS, values, strict=True))


class RowWrites:
    """One statement per row, the old columns compared in Python."""

    old_columns: tuple[str, ...] = COMPARED

    def write(self, new: list[tuple], known: list[tuple[tuple, sa.Row]]) -> tuple[int, int]:
        table = companies()
        changed = [{**as_dict(values), "row_id": old.id} for values, old in known
                   if tuple(getattr(old, name) for name in COMPARED) != values[2:]]
        if new:
            db.session.execute(table.insert(), [{**as_dict(values), "source": SOURCE} for values in new])
        if changed:
            db.session.execute(table.update().where(table.c.id == sa.bindparam("row_id")).values(
                version=table.c.version + 1, updated_at=utcnow(),
                **{name: sa.bindparam(name) for name in COMPARED}), changed)
        return len(new), len(changed)


STAGING = sa.Table(
    "sirene_staging", sa.MetaData(),
    *(sa.Column(name, companies().c[name].type) for name in (*INSERTED, *COMPARED)),
    sa.Column("row_id", sa.Integer),
    prefixes=["TEMPORARY"],
)
STAGED = tuple(column.name for column in STAGING.c)
LOADED = STAGED[:-1]  # a new establishment's columns (no row id)


class StagedWrites:
    """New establishments written straight into the table, the known ones through a staging table
    and one set-based update per batch."""

    old_columns: tuple[str, ...] = ("name", "search_name")

    def __init__(self) -> None:
        self.postgresql = db.engine.dialect.name == "postgresql"
        self.dialect = None if self.postgresql else db.engine.dialect
        self.types: dict[str, dict[str, int]] = {}

    def write(self, new: list[tuple], known: list[tuple[tuple, sa.Row]]) -> tuple[int, int]:
        now = utcnow()
        inserted = self.insert(table_rows(new, now, self.dialect)) if new else 0
        if not known:
            return inserted, 0
        self.stage([(*values, old.id) for values, (_, old) in zip(
            table_rows([row for row, _ in known], now, self.dialect), known, strict=True)])
        updated = len(db.session.scalars(update_changed(now)).all())
        self.empty_staging()
        return inserted, updated

    def insert(self, rows: list[tuple]) -> int:
        """Add the new establishments; one added meanwhile by someone else (same SIRET) is left as
        it is, as `INSERT … ON CONFLICT DO NOTHING` leaves it."""
        if not self.postgresql:
            return db.session.connection().exec_driver_sql(
                f"INSERT INTO companies ({', '.join(LOADED)}) VALUES ({', '.join('?' * len(LOADED))}) "
                "ON CONFLICT (siret) DO NOTHING", rows).rowcount
        try:
            with db.session.begin_nested():
                self.copy("companies", LOADED, rows)
            return len(rows)
        except psycopg.errors.UniqueViolation:
            self.stage([(*values, None) for values in rows])
            inserted = len(db.session.scalars(insert_new()).all())
            self.empty_staging()
            return inserted

    def stage(self, rows: list[tuple]) -> None:
        db.session.execute(sa.schema.CreateTable(STAGING, if_not_exists=True))
        if not self.postgresql:
            db.session.connection().exec_driver_sql(
                f"INSERT INTO {STAGING.name} ({', '.join(STAGED)}) VALUES ({', '.join('?' * len(STAGED))})",
                rows)
            return
        self.copy(STAGING.name, STAGED, rows)

    def copy(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """PostgreSQL binary `COPY … FROM STDIN` (psycopg 3) of plain tuples: no text to write nor
        to parse (at 270,000 firms 0.5 s against 1.3 s, a quarter of the processor time)."""
        psycopg_connection: Any = db.session.connection().connection.driver_connection
        cursor = psycopg_connection.cursor()
        with cursor:
            types = self.column_types(cursor, table, columns)
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(types)
                write_row = copy.write_row
                for row in rows:
                    write_row(row)

    def column_types(self, cursor: Any, table: str, columns: tuple[str, ...]) -> list[int]:
        """The PostgreSQL types (oids) of a table's columns, read once per import and table."""
        if table not in self.types:
            cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                           "AND attnum > 0 AND NOT attisdropped", (table,))
            self.types[table] = dict(cursor.fetchall())
        return [self.types[table][name] for name in columns]

    def empty_staging(self) -> None:
        db.session.execute(sa.text(f"{'TRUNCATE' if self.postgresql else 'DELETE FROM'} {STAGING.name}"))


def table_rows(rows: list[tuple], now: datetime, sqlite_dialect: sa.Dialect | None) -> list[tuple]:
    """The company rows as plain tuples in `LOADED` order, the batch's constants (source, tags,
    version, times) made once and put after the SIRET and SIREN; for sqlite3 (`sqlite_dialect`) the
    values SQLAlchemy would convert (JSON, dates) converted as it would, booleans left as they are
    (sqlite3 stores True as 1, as SQLAlchemy does); for PostgreSQL's binary COPY the values as they
    are (its JSON dumper writes the tags)."""
    constants: dict[str, Any] = {"source": SOURCE, "tags": [], "version": 1, "created_at": now,
                                 "updated_at": now}
    if sqlite_dialect is None:
        fixed = tuple(constants[name] for name in INSERTED[2:])
        return [row[:2] + fixed + row[2:] for row in rows]
    for name, value in constants.items():
        to_db = STAGING.c[name].type.dialect_impl(sqlite_dialect).bind_processor(sqlite_dialect)
        constants[name] = value if to_db is None else to_db(value)
    fixed = tuple(constants[name] for name in INSERTED[2:])
    to_date = STAGING.c.created_on.type.dialect_impl(sqlite_dialect).bind_processor(sqlite_dialect)
    assert to_date is not None
    return [row[:2] + fixed + row[2:-1] + (to_date(row[-1]),) for row in rows]  # created_on last


def insert_new() -> sa.UpdateBase:
    table = companies()
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    columns = (*INSERTED, *COMPARED)
    return insert(table).from_select(
        columns, sa.select(*(STAGING.c[name] for name in columns)).where(STAGING.c.row_id.is_(None))
    ).on_conflict_do_nothing(index_elements=["siret"]).returning(table.c.id)


def update_changed(now) -> sa.UpdateBase:
    table = companies()
    return (table.update().where(table.c.id == STAGING.c.row_id)
            .where(sa.or_(*(table.c[name].is_distinct_from(STAGING.c[name]) for name in COMPARED)))
            .values(version=table.c.version + 1, updated_at=now,
                    **{name: STAGING.c[name] for name in COMPARED}).returning(table.c.id))


def secondary_objects(foreign_keys: bool = True) -> tuple[list[str], list[str]]:
    """(statements dropping, statements rebuilding) the companies table's non-unique indexes, on
    PostgreSQL its foreign keys unless `foreign_keys` is false (checked row by row during a `COPY`,
    about three quarters of its time; checked again in one query each when added back), and on
    SQLite its full-text triggers and indexes; the unique SIRET index stays for the upsert."""
    if db.engine.dialect.name == "postgresql":
        indexes = db.session.execute(sa.text(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'companies'::regclass AND NOT i.indisunique AND NOT i.indisprimary "
            "ORDER BY c.relname")).all()
        keys = [(str(name), str(sql)) for name, sql in db.session.execute(sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'companies'::regclass AND contype = 'f' ORDER BY conname"))
            if foreign_keys]
        # the keys are added back last: their check waits for the indexes built aside
        return ([f'DROP INDEX "{name}"' for name, _ in indexes]
                + [f'{DROP_KEY} "{name}"' for name, _ in keys],
                [if_missing(str(sql)) for _, sql in indexes]
                + [key_if_missing(name, sql) for name, sql in keys] + ["ANALYZE companies"])
    master = [(str(kind), str(name), str(sql)) for kind, name, sql in db.session.execute(sa.text(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'companies' AND sql IS NOT NULL "
        "AND (type = 'trigger' OR (type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%')) "
        "ORDER BY type, name"))]
    searches = db.session.scalars(sa.text(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%' "
        "AND sql LIKE '%content=''companies''%' ORDER BY name")).all()
    return ([f'DROP {kind.upper()} "{name}"' for kind, name, _ in master],
            [if_missing(sql) for kind, _, sql in master if kind == "index"]
            + [f"INSERT INTO {name}({name}) VALUES ('rebuild')" for name in searches]
            + [sql for kind, _, sql in master if kind == "trigger"] + ["ANALYZE companies"])


def if_missing(create_index: str) -> str:
    """An index built again only when missing: an interrupted rebuild may have committed the part
    of its second connection (`built_aside`)."""
    return create_index.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)


def key_if_missing(name: str, definition: str) -> str:
    """A foreign key added back only when missing: the load that dropped it may have been stopped
    before its drop was committed."""
    return (f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '{name}' "
            f"AND conrelid = 'companies'::regclass) THEN ALTER TABLE companies ADD CONSTRAINT \"{name}\" "
            f"{definition}; END IF; END $$")


def restore_indexes() -> None:
    """Rebuild what an interrupted first load dropped (nothing when none was interrupted). On
    PostgreSQL the search text's GIN indexes are built on a second connection meanwhile
    (`built_aside`); the statistics are taken once every index is there."""
    pending = db.session.get(AppSetting, PENDING_KEY)
    if pending is None:
        return
    statements = pending.value["restore"]
    postgresql = db.engine.dialect.name == "postgresql"
    aside = [statement for statement in statements if postgresql and indexes_search_text(statement)]
    with built_aside(aside) if aside else nullcontext():
        if postgresql:
            db.session.execute(sa.text(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"))
        for statement in statements:
            if statement not in aside and not statement.startswith("ANALYZE"):
                db.session.execute(sa.text(statement))
    for statement in statements:
        if statement.startswith("ANALYZE"):
            db.session.execute(sa.text(statement))
    db.session.delete(pending)
    db.session.commit()


def indexes_search_text(statement: str) -> bool:
    """A GIN index of the search text (its trigrams, its words): about half of the rebuild's work
    (2.8 s and 1.0 s of 8.8 s at 270,000 firms), so that the second connection building them and
    the first building the rest (the B-trees, the name's trigrams) finish about together."""
    return " USING gin " in statement and "search_text" in statement


@contextmanager
def built_aside(statements: list[str]) -> Iterator[None]:
    """Run the statements in one transaction on a PostgreSQL connection of their own while the
    block runs (libpq's asynchronous query: no thread), then wait for them; their error is raised
    after the block. Index builds only take a share lock: both connections build at once."""
    connection = db.engine.raw_connection()
    failed = True
    try:
        libpq: Any = connection.driver_connection.pgconn  # type: ignore[union-attr]
        libpq.send_query("; ".join(["BEGIN", f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'",
                                    *statements, "COMMIT"]).encode())
        try:
            yield
        finally:
            errors = []
            while (result := libpq.get_result()) is not None:
                if result.status == pq.ExecStatus.FATAL_ERROR:
                    errors.append(result.error_message.decode(errors="replace"))
        if errors:
            raise RuntimeError(f"index build failed: {errors[0]}")
        failed = False
    finally:
        if failed:
            connection.invalidate()
        connection.close()


@contextmanager
def without_secondary_indexes(foreign_keys: bool = True) -> Iterator[None]:
    """Run a first load without the secondary indexes, foreign keys (unless `foreign_keys` is
    false) and search triggers (`secondary_objects`), then rebuild them."""
    drop, restore = secondary_objects(foreign_keys)
    pending = AppSetting(key=PENDING_KEY, value={"restore": restore})
    db.session.add(pending)
    db.session.commit()
    keys = [statement for statement in drop if statement.startswith(DROP_KEY)]
    for statement in drop:
        if statement not in keys:
            db.session.execute(sa.text(statement))
    db.session.commit()
    if keys and not dropped_at_once(keys):
        pending.value = {"restore": [statement for statement in restore if "ADD CONSTRAINT" not in statement]}
        db.session.commit()
    with load_pragmas():
        try:
            yield
        finally:
            db.session.rollback()
            restore_indexes()


def dropped_at_once(statements: list[str]) -> bool:
    """Run the statements if their locks come within KEY_LOCK_WAIT, else nothing; whether they ran.
    A foreign key's drop locks the table it refers to as well (basins, communes, users…): a
    transaction left open on one of them would hold the drop and, queued behind it, every reader
    of that table. The load then keeps the keys, checked row by row."""
    try:
        db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{KEY_LOCK_WAIT}'"))
        for statement in statements:
            db.session.execute(sa.text(statement))
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        return False
    return True


# 256 MB of cache; the index builds sort with a helper thread of SQLite's own (the 2 cores)
LOAD_PRAGMAS = {"synchronous": "NORMAL", "cache_size": "-262144", "temp_store": "MEMORY", "threads": "2"}


@contextmanager
def load_pragmas() -> Iterator[None]:
    """SQLite settings of a first load's connection (the session's, one at a time in the import's
    thread), put back after; nothing on PostgreSQL."""
    if db.engine.dialect.name != "sqlite":
        yield
        return
    connection = db.session.connection()
    before = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in LOAD_PRAGMAS}
    db.session.commit()
    set_pragmas(LOAD_PRAGMAS)
    try:
        yield
    finally:
        db.session.rollback()
        set_pragmas(before)


def set_pragmas(values: dict) -> None:
    connection = db.session.connection()
    for name, value in values.items():
        connection.exec_driver_sql(f"PRAGMA {name} = {value}")
    db.session.commit()
