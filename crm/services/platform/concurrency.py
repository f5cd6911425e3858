"""Concurrency: a save based on an old version of a record is refused, never merged silently; and
work that reads then writes (de-duplication, the last seat) runs one at a time per key."""

from typing import Any

import sqlalchemy as sa

from crm.extensions import db
from crm.services.platform.refusals import Refused


def stale_message(what: str) -> str:
    """Why a save prepared on an old version of `what` ("cette visite") was refused."""
    return (f"Quelqu'un d'autre a modifié {what} pendant que vous la modifiiez. "
            "Vos changements n'ont pas été enregistrés : rechargez la page pour voir la version "
            "à jour, puis refaites vos modifications.")


class StaleEdit(Refused):
    """Someone else saved this record after the form was opened."""

    status = 409

    def __init__(self, message: str = stale_message("cette fiche")):
        super().__init__(message)


def ensure_version(record: Any, submitted_version: int | None, message: str) -> None:
    """Raise StaleEdit(message) unless the change was prepared on the record's current version;
    a change that does not say which version it was prepared on is refused too."""
    if submitted_version is None or submitted_version != record.version:
        raise StaleEdit(message)


def one_at_a_time(key: str) -> None:
    """Hold, until the caller's commit or rollback, a lock that every other transaction calling
    this with the same `key` waits for, so that its check-then-insert cannot interleave with theirs.
    PostgreSQL takes a transaction-level advisory lock on the key; SQLite, which has one writer at
    a time, takes the database's write lock now (before the check reads) with a write that changes
    nothing."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(
            sa.func.hashtextextended(key, 0))))
    else:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = version_num "
                                   "WHERE version_num IS NULL"))
