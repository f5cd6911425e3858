"""Follow-up tasks (create, edit, done, reopen, the assignee's notice) and "Ma journée": my
overdue, today's and this week's tasks, my late needs, the needs assigned to me still to contact
and my visits of the day."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.models import (
    Company,
    FollowUp,
    HiringNeed,
    OutboxMessage,
    User,
    Visit,
    VisitParticipant,
    VisitStatus,
    utcnow,
)
from crm.services.accounts.users import staff_users
from crm.services.needs import queries
from crm.services.platform import links, outbox
from crm.services.platform.local_time import day_bounds, local_today
from crm.services.platform.refusals import Refused


class FollowUpError(Refused):
    """A task change that cannot be made; the message is French."""


@dataclass
class FollowUpInput:
    title: str
    notes: str | None
    due_on: date
    assignee: User
    company: Company | None = None
    need: HiringNeed | None = None


@dataclass
class Day:
    """What "Ma journée" shows."""

    today: date
    overdue: list[FollowUp] = field(default_factory=list)
    due_today: list[FollowUp] = field(default_factory=list)
    this_week: list[FollowUp] = field(default_factory=list)
    late_needs: list[HiringNeed] = field(default_factory=list)
    new_needs: list[HiringNeed] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_today or self.this_week or self.late_needs
                    or self.new_needs or self.visits)


def end_of_week(day: date) -> date:
    """The Sunday closing the day's week."""
    return day + timedelta(days=6 - day.weekday())




def assignable(user_id: int | None) -> User | None:
    """The active staff user with this id, if any."""
    return db.session.scalar(staff_users().where(User.id == (user_id or 0)))


def task_url(task: FollowUp) -> str:
    return links.public_url(f"/a-faire/{task.id}/modifier")


def assignment_notice(task: FollowUp, actor: User) -> OutboxMessage | None:
    """Tell the assignee about a task someone else gave them."""
    if task.assignee_id == actor.id:
        return None
    return outbox.add_mail("task_assigned", task.assignee.email, task=task, actor=actor,
                           url=task_url(task))


def save_and_notify(task: FollowUp, actor: User, notify: bool) -> None:
    db.session.flush()  # the task's id, for the link in the notice
    if notify:
        assignment_notice(task, actor)


def create_task(data: FollowUpInput, actor: User) -> FollowUp:
    """A new follow-up task; its assignee is told when it is someone else."""
    if not data.title.strip():
        raise FollowUpError("Indiquez ce qu'il y a à faire.")
    company = data.company or (data.need.company if data.need else None)
    task = FollowUp(title=data.title.strip(), notes=(data.notes or "").strip() or None,
                due_on=data.due_on, assignee=data.assignee, company=company, need=data.need,
                created_by_id=actor.id)
    db.session.add(task)
    save_and_notify(task, actor, notify=True)
    return task


def update_task(task: FollowUp, data: FollowUpInput, actor: User) -> None:
    """Change a task's wording, due date or assignee (a new assignee is told)."""
    if not data.title.strip():
        raise FollowUpError("Indiquez ce qu'il y a à faire.")
    reassigned = data.assignee.id != task.assignee_id
    task.title, task.notes = data.title.strip(), (data.notes or "").strip() or None
    task.due_on, task.assignee = data.due_on, data.assignee
    save_and_notify(task, actor, notify=reassigned)


def complete(task: FollowUp, now: datetime | None = None) -> None:
    """Mark the task done (again is harmless)."""
    if task.done_at is None:
        task.done_at = now or utcnow()


def reopen(task: FollowUp) -> None:
    task.done_at = None


def task_by_id(task_id: int) -> FollowUp | None:
    query = sa.select(FollowUp).where(FollowUp.id == task_id).options(
        joinedload(FollowUp.assignee), joinedload(FollowUp.company), joinedload(FollowUp.need))
    return db.session.scalar(query)


def with_links(query: sa.Select) -> sa.Select:
    """Tasks with their firm and need loaded in the same query."""
    return query.options(joinedload(FollowUp.company), joinedload(FollowUp.need),
                         joinedload(FollowUp.assignee), joinedload(FollowUp.hire_follow_up))


def tasks_of(user: User, done: bool = False) -> sa.Select:
    """The user's open tasks by due date, or the done ones, last done first."""
    query = with_links(sa.select(FollowUp).where(FollowUp.assignee_id == user.id))
    if done:
        return query.where(FollowUp.done_at.is_not(None)).order_by(FollowUp.done_at.desc(), FollowUp.id)
    return query.where(FollowUp.done_at.is_(None)).order_by(FollowUp.due_on, FollowUp.id)


def open_tasks_due_by(last_day: date) -> sa.Select:
    """Everyone's open tasks due on or before a day, by due date."""
    query = sa.select(FollowUp).where(FollowUp.done_at.is_(None), FollowUp.due_on <= last_day)
    return with_links(query).order_by(FollowUp.due_on, FollowUp.id)


def visits_on(day: date) -> sa.Select:
    """Visits planned or done during a French calendar day, with firm and participants."""
    start, end = day_bounds(day)
    return (sa.select(Visit)
            .where(Visit.scheduled_at >= start, Visit.scheduled_at < end,
                   Visit.status != VisitStatus.CANCELLED)
            .options(joinedload(Visit.company), selectinload(Visit.participants))
            .order_by(Visit.scheduled_at, Visit.id))


def visits_of(user: User, day: date) -> list[Visit]:
    """The user's visits of the day: as creator or participant."""
    participant = sa.select(VisitParticipant.visit_id).where(VisitParticipant.user_id == user.id)
    query = visits_on(day).where(sa.or_(Visit.created_by_id == user.id,
                                        Visit.id.in_(participant)))
    return list(db.session.scalars(query))


def my_late_needs(user: User, now: datetime | None = None) -> list[HiringNeed]:
    """Needs of which the user is the adviser, late for first contact."""
    query = queries.late_needs(user, now).where(HiringNeed.adviser_id == user.id)
    return list(db.session.scalars(query))


def bucket(day: Day, tasks: list[FollowUp]) -> Day:
    """Spread open tasks into overdue, today and the rest of the week."""
    for task in tasks:
        if task.due_on < day.today:
            day.overdue.append(task)
        elif task.due_on == day.today:
            day.due_today.append(task)
        else:
            day.this_week.append(task)
    return day


def my_day(user: User, today: date | None = None, now: datetime | None = None) -> Day:
    """What the user has to do today; `today` and `now` default to the present moment."""
    now = now or utcnow()
    today = today or local_today(now)
    tasks = db.session.scalars(open_tasks_due_by(end_of_week(today))
                               .where(FollowUp.assignee_id == user.id))
    day = bucket(Day(today=today), list(tasks))
    day.late_needs, day.visits = my_late_needs(user, now), visits_of(user, today)
    day.new_needs = list(db.session.scalars(queries.to_contact(user, now)))
    return day
