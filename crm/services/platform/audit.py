"""The audit trail: who did what to which object.

Domain actions with a meaning of their own (a transfer, a merge, an import) call `record`. Plain
creates, updates and deletes of the audited models are recorded automatically at flush time, in the
same transaction, with the changed fields as [before, after]. The actor is the signed-in user (or the
API token's user) of the request, or the one a job declares with `acting_as`. Bulk SQL statements
(SIRENE import) bypass the ORM and are recorded once, by their own `record` call.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE

from crm.extensions import Model, db
from crm.models import AuditEvent, Company, Contact, FollowUp, HiringNeed, TrainingRequest, User, Visit
from crm.models.base import utcnow

AUDITED: tuple[type[Model], ...] = (Company, Contact, HiringNeed, Visit, FollowUp, TrainingRequest)
UNTRACKED_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "search_name", "search_text"})
_acting: ContextVar[int | None] = ContextVar("audit_actor", default=None)


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


@contextmanager
def acting_as(user: User | int | None) -> Iterator[None]:
    """Attribute the automatic audit events of the block to `user` (for jobs and commands)."""
    token = _acting.set(user if isinstance(user, int | None) else sa.inspect(user).identity[0])
    try:
        yield
    finally:
        _acting.reset(token)


def _identity(user: Any) -> int | None:
    """A loaded user's id without touching the database (it may be expired mid-flush)."""
    if not isinstance(user, User):
        return None
    identity: tuple[Any, ...] | None = sa.inspect(user).identity
    return identity[0] if identity else None


def current_actor_id() -> int | None:
    """Who the automatic events are attributed to."""
    if _acting.get() is not None:
        return _acting.get()
    if not has_app_context():
        return None
    return _identity(g.get("api_user")) or _identity(g.get("_login_user"))


def _columns(obj: Any) -> list[str]:
    return [attr.key for attr in sa.inspect(obj).mapper.column_attrs if attr.key not in UNTRACKED_FIELDS]


def _created(obj: Any) -> dict[str, Any]:
    return {key: [None, _plain(getattr(obj, key))] for key in _columns(obj) if getattr(obj, key) is not None}


def _deleted(obj: Any) -> dict[str, Any]:
    state = sa.inspect(obj)
    return {key: [_plain(state.attrs[key].loaded_value), None] for key in _columns(obj)
            if state.attrs[key].loaded_value is not None and state.attrs[key].loaded_value is not NO_VALUE}


def _updated(obj: Any) -> dict[str, Any]:
    state, changes = sa.inspect(obj), {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if history.added or history.deleted:
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                changes[key] = [_plain(before), _plain(after)]
    return changes


def _key(obj: Any) -> Any:
    identity = sa.inspect(obj).identity
    return identity[0] if identity else obj.id


def _events(session: Session) -> list[dict[str, Any]]:
    """One row per audited object the flush created, changed or deleted."""
    found = [("created", obj, _created) for obj in session.new]
    found += [("updated", obj, _updated) for obj in session.dirty]
    found += [("deleted", obj, _deleted) for obj in session.deleted]
    rows, actor, now = [], current_actor_id(), utcnow()
    for action, obj, changes_of in found:
        if isinstance(obj, AUDITED) and (changes := changes_of(obj)):
            rows.append({"at": now, "actor_id": actor, "action": action, "object_type": type(obj).__name__,
                         "object_id": str(_key(obj)), "changes": changes})
    return rows


def _keep_old_values(_target, value, _oldvalue, _initiator):
    return value


def keep_old_values() -> None:
    """Load an expired attribute's stored value before it is overwritten, so updates show
    [before, after] rather than [None, after]."""
    for model in AUDITED:
        for attr in sa.inspect(model).column_attrs:
            if attr.key not in UNTRACKED_FIELDS:
                sa.event.listen(getattr(model, attr.key), "set", _keep_old_values,
                                active_history=True, retval=True)


keep_old_values()


@sa.event.listens_for(Session, "after_flush")
def record_changes(session: Session, _flush_context) -> None:
    """Write the automatic audit events of this flush in its transaction."""
    rows = _events(session)
    if rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)
