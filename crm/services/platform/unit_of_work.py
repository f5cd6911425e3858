"""The unit of work: services add and flush, never commit; the caller (a view, an RQ job in jobs/,
a CLI command) commits once at the end of its unit with `commit()`. Outbox messages are written
in the same transaction as their cause; a service hands them to `dispatch_after_commit`, and the
queue is asked to deliver them only once the caller's commit succeeded (nothing on a rollback)."""

from collections.abc import Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session

from crm.extensions import db
from crm.models import OutboxMessage
from crm.services.platform import outbox

PENDING = "outbox_messages_after_commit"


def dispatch_after_commit(messages: Iterable[OutboxMessage]) -> None:
    """Have these messages of the current transaction delivered once the caller commits it."""
    db.session.info.setdefault(PENDING, []).extend(messages)


def commit() -> None:
    """Commit the caller's unit of work, then ask the queue to deliver its outbox messages."""
    db.session.flush()
    ids = [message.id for message in db.session.info.pop(PENDING, [])]
    db.session.commit()
    outbox.dispatch(ids)


@event.listens_for(Session, "after_rollback")
def forget_messages(session: Session) -> None:
    """A rolled-back unit sends nothing."""
    session.info.pop(PENDING, None)
