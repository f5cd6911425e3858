"""The audit trail: who did what to which object."""

from typing import Any

from crm.extensions import db
from crm.models import AuditEvent, User


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a recorded value."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def record(actor: User | None, action: str, obj: Any, changes: dict[str, Any]) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "id", "") or ""),
        changes={key: _plain(value) for key, value in changes.items()},
    )
    db.session.add(event)
    return event
