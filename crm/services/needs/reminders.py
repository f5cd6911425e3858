"""Daily reminders: each adviser with needs late for first contact gets one e-mail a day."""

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import HiringNeed, OutboxMessage, User, utcnow
from crm.services.needs import notifications
from crm.services.needs.workflow import late_condition


def late_needs_by_adviser(now: datetime) -> dict[User, list[HiringNeed]]:
    query = (
        sa.select(HiringNeed)
        .options(joinedload(HiringNeed.adviser), joinedload(HiringNeed.company))
        .where(late_condition(now), HiringNeed.adviser_id.is_not(None))
        .order_by(HiringNeed.first_contact_due_at)
    )
    grouped: dict[User, list[HiringNeed]] = defaultdict(list)
    for need in db.session.scalars(query):
        if need.adviser is not None and need.adviser.is_active:  # adviser_id is not None above
            grouped[need.adviser].append(need)
    return grouped


def reminded_recently() -> set[str]:
    """Advisers already reminded in the last 20 hours."""
    since = utcnow() - timedelta(hours=20)
    query = sa.select(OutboxMessage.recipient).where(
        OutboxMessage.kind == "late_reminder", OutboxMessage.created_at >= since)
    return set(db.session.scalars(query))


def remind_late_advisers(now: datetime | None = None) -> int:
    """Write one reminder per adviser with late needs (not twice a day); returns how many."""
    now = now or utcnow()
    already = reminded_recently()
    messages = [notifications.late_reminder(adviser, late)
                for adviser, late in late_needs_by_adviser(now).items()
                if adviser.email not in already]
    return len(messages)
