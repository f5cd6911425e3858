"""The unit of work: services add and flush, never commit; the caller (a view, an RQ job in jobs/,
a CLI command) commits once at the end of its unit with `commit()`. Outbox messages are written in
the same transaction as their cause, and the outbox's session hook asks the queue to deliver them
once the commit succeeded (nothing on a rollback: `docs/jobs.md`)."""

from collections.abc import Callable
from itertools import chain

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm.extensions import db


def commit() -> None:
    """Commit the caller's unit of work (its outbox messages are then queued for delivery)."""
    db.session.commit()


def queue_after_commit(key: str, pending: Callable[[Session, object], bool],
                       dispatch: Callable[[list[int]], None]) -> None:
    """After each flush, note the ids of the flushed objects that `pending` picks (under `key` in
    the session); after the commit, hand them to `dispatch` (which enqueues their jobs); forget
    them on a rollback. The database is written first, the queue asked once the commit succeeded."""

    @sa.event.listens_for(db.session, "after_flush")
    def note_pending(session: Session, _context) -> None:
        ids = session.info.setdefault(key, set())
        ids.update(item.id for item in chain(session.new, session.dirty) if pending(session, item))

    @sa.event.listens_for(db.session, "after_commit")
    def dispatch_after_commit(session: Session) -> None:
        dispatch(sorted(session.info.pop(key, ())))

    @sa.event.listens_for(db.session, "after_rollback")
    def forget_after_rollback(session: Session) -> None:
        session.info.pop(key, None)
