"""The unit of work: services add and flush, never commit; the caller (a view, an RQ job in jobs/,
a CLI command) commits once at the end of its unit with `commit()`. Outbox messages are written in
the same transaction as their cause, and the outbox's session hook asks the queue to deliver them
once the commit succeeded (nothing on a rollback: `docs/jobs.md`)."""

from crm.extensions import db


def commit() -> None:
    """Commit the caller's unit of work (its outbox messages are then queued for delivery)."""
    db.session.commit()
