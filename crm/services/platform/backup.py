"""Backups and the restore check: dump the database, restore the dump into a fresh database and
compare every table's row count, so that a backup is known to restore (docs/operations.md)."""

import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url


@dataclass
class RestoreCheck:
    source: dict[str, int]  # rows per table in the live database
    restored: dict[str, int]  # rows per table in the fresh database the dump was restored into

    @property
    def differences(self) -> dict[str, tuple[int | None, int | None]]:
        tables = self.source.keys() | self.restored.keys()
        return {table: (self.source.get(table), self.restored.get(table)) for table in sorted(tables)
                if self.source.get(table) != self.restored.get(table)}


def libpq(url: URL) -> str:
    """The URL as pg_dump and pg_restore read it (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def dump(database_url: str, path: Path) -> None:
    """Write a backup of the database to `path`: pg_dump's custom format for PostgreSQL, SQLite's
    online backup otherwise (both consistent while the service runs)."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path), libpq(url)],
                       check=True, capture_output=True)
        return
    with sqlite3.connect(url.database or "") as live, sqlite3.connect(path) as copy:
        live.backup(copy)


def restore(path: Path, database_url: str) -> None:
    """Restore a backup written by `dump` into an empty database."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq(url), str(path)],
                       check=True, capture_output=True)
        return
    shutil.copyfile(path, url.database or "")


def row_counts(database_url: str) -> dict[str, int]:
    """Rows in every table of the database, by table name."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            names = sa.inspect(connection).get_table_names()
            count = sa.select(sa.func.count())
            return {name: connection.execute(count.select_from(sa.table(name))).scalar_one()
                    for name in names}
    finally:
        engine.dispose()


def scratch_url(database_url: str, folder: Path) -> str:
    """A fresh, empty database beside the live one: `<name>_restore_check` on the same PostgreSQL
    server (dropped and created), or a file in `folder` for SQLite."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return url.set(database=str(folder / "restored.sqlite3")).render_as_string(hide_password=False)
    scratch = url.set(database=f"{url.database}_restore_check")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}"'))
            connection.execute(sa.text(f'CREATE DATABASE "{scratch.database}"'))
    finally:
        admin.dispose()
    return scratch.render_as_string(hide_password=False)


def check_restore(database_url: str, backup_path: Path | None = None) -> RestoreCheck:
    """Dump the database (to `backup_path`, or a temporary file), restore it into a fresh database
    and count the rows of every table in both."""
    with tempfile.TemporaryDirectory() as folder:
        path = backup_path or Path(folder) / "backup.dump"
        dump(database_url, path)
        source = row_counts(database_url)
        target = scratch_url(database_url, Path(folder))
        restore(path, target)
        return RestoreCheck(source, row_counts(target))
