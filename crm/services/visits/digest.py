"""The daily digest: each active staff user with something to do today gets one e-mail through
the outbox listing overdue and today's tasks, late needs and today's visits; at most one a day."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from crm.extensions import db
from crm.models import FollowUp, HiringNeed, OutboxMessage, User, Visit, utcnow
from crm.services.accounts.users import staff_users
from crm.services.needs import notifications, queries
from crm.services.needs.workflow import late_condition
from crm.services.platform import links, outbox
from crm.services.platform.local_time import local_today
from crm.services.platform.mail_templates import render_part
from crm.services.visits import followups

KIND = "daily_digest"


@dataclass
class Digest:
    user: User
    overdue: list[FollowUp] = field(default_factory=list)
    due_today: list[FollowUp] = field(default_factory=list)
    late_needs: list[HiringNeed] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_today or self.late_needs or self.visits)


def digests_for(today: date, now: datetime) -> list[Digest]:
    """Each active staff user's tasks due by today, late needs and visits of the day."""
    digests = {user.id: Digest(user) for user in db.session.scalars(staff_users())}
    for task in db.session.scalars(followups.open_tasks_due_by(today)):
        if task.assignee_id in digests:
            digest = digests[task.assignee_id]
            (digest.overdue if task.due_on < today else digest.due_today).append(task)
    for need in late_needs_with_adviser(now):
        if need.adviser_id in digests:
            digests[need.adviser_id].late_needs.append(need)
    for user_id, visits in visits_by_user(today).items():
        if user_id in digests:
            digests[user_id].visits = visits
    return [digest for digest in digests.values() if not digest.empty]


def late_needs_with_adviser(now: datetime) -> list[HiringNeed]:
    """Open needs with an adviser, late for first contact, oldest deadline first."""
    query = sa.select(HiringNeed).where(late_condition(now), HiringNeed.adviser_id.is_not(None))
    query = queries.listed(query).order_by(HiringNeed.first_contact_due_at, HiringNeed.id)
    return list(db.session.scalars(query))


def visits_by_user(today: date) -> dict[int, list[Visit]]:
    """The day's visits of each creator and participant, by user id."""
    visits_of: dict[int, list[Visit]] = defaultdict(list)
    for visit in db.session.scalars(followups.visits_on(today)):
        people = {p.user_id for p in visit.participants} | {visit.created_by_id}
        for user_id in people - {None}:
            visits_of[user_id].append(visit)
    return visits_of


def subject_prefix(today: date) -> str:
    """How the day's digest subject begins (its template's first words)."""
    return render_part("_digest_day.txt", today=today)


def already_sent(today: date) -> set[str]:
    """Recipients who already have this day's digest (its subject names the day)."""
    query = sa.select(OutboxMessage.recipient).where(
        OutboxMessage.kind == KIND, OutboxMessage.subject.startswith(subject_prefix(today)))
    return set(db.session.scalars(query))


def write(digest: Digest, today: date) -> OutboxMessage:
    needs = digest.late_needs + [task.need for task in digest.overdue + digest.due_today if task.need]
    return outbox.add_mail(KIND, digest.user.email, digest=digest, today=today,
                           need_urls=notifications.need_urls(needs),
                           url=links.public_url("/ma-journee"))


def send_daily_digests(today: date | None = None, now: datetime | None = None) -> int:
    """Write today's digest for every user who has something to do and has not had it yet;
    commit, then queue the delivery. Returns how many were written."""
    now = now or utcnow()
    today = today or local_today(now)
    sent = already_sent(today)
    messages = [write(d, today) for d in digests_for(today, now) if d.user.email not in sent]
    return len(messages)
