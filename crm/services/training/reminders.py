"""Reminders when a POE request stalls: a request left in the same step longer than that step's
delay is listed in one e-mail per person (its author, else the need's adviser), at most once in
20 hours. Delays in calendar days, since the request entered its status."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import HiringNeed, OutboxMessage, TrainingRequest, TrainingStatus, User, utcnow
from crm.services.platform import links, outbox

KIND = "training_stalled"
STALL_DAYS = {
    TrainingStatus.DRAFT: 14,  # to complete and submit
    TrainingStatus.SUBMITTED: 5,  # to take into review
    TrainingStatus.UNDER_REVIEW: 10,  # to decide
    TrainingStatus.APPROVED: 15,  # to sign the convention
    TrainingStatus.CONVENTION_SIGNED: 15,  # to start the training
    TrainingStatus.COMPLETED: 30,  # to record the hire, or why not
}
QUIET_HOURS = 20


@dataclass(frozen=True)
class Stalled:
    request: TrainingRequest
    days: int
    url: str


def stalled_by_person(now: datetime) -> dict[User, list[Stalled]]:
    """Each person's stalled requests, the oldest first."""
    late = sa.or_(*(sa.and_(TrainingRequest.status == status,
                            TrainingRequest.status_changed_at < now - timedelta(days=days))
                    for status, days in STALL_DAYS.items()))
    query = (sa.select(TrainingRequest, User)
             .outerjoin(HiringNeed, HiringNeed.id == TrainingRequest.need_id)
             .join(User, User.id == sa.func.coalesce(TrainingRequest.created_by_id, HiringNeed.adviser_id))
             .options(joinedload(TrainingRequest.company))
             .where(late).order_by(TrainingRequest.status_changed_at, TrainingRequest.id))
    grouped: dict[User, list[Stalled]] = defaultdict(list)
    for request, person in db.session.execute(query):
        if person.is_active:
            grouped[person].append(Stalled(request, (now - request.status_changed_at).days,
                                           links.public_url(f"/formations/{request.id}")))
    return grouped


def reminded_recently(now: datetime) -> set[str]:
    since = now - timedelta(hours=QUIET_HOURS)
    return set(db.session.scalars(sa.select(OutboxMessage.recipient).where(
        OutboxMessage.kind == KIND, OutboxMessage.created_at >= since)))


def remind_stalled(now: datetime | None = None) -> int:
    """Write one reminder per person with stalled requests (not twice in 20 hours)."""
    now = now or utcnow()
    already = reminded_recently(now)
    written = 0
    for person, stalled in stalled_by_person(now).items():
        if person.email not in already:
            outbox.add_mail(KIND, person.email, person=person, stalled=stalled)
            written += 1
    return written
