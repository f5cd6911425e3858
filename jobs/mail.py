"""Delivery of outbox messages."""

from crm.services.platform import outbox


def deliver_message(message_id: int) -> str | None:
    """Deliver one outbox message, at most once."""
    status = outbox.deliver(message_id)
    return status.value if status else None


def sweep_outbox() -> int:
    """Queue every message still pending (written while Redis or the worker was down), and those
    a killed worker left 'sending'."""
    outbox.reclaim_abandoned()
    ids = outbox.pending_ids()
    outbox.dispatch(ids)
    return len(ids)
