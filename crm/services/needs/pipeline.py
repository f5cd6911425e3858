"""The needs pipeline board: open needs by status and the needs closed in the last 30 days,
moves between columns through the need workflow, and bulk reassignment by managers."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import CLOSED_STATUSES, HiringNeed, NeedSource, NeedStatus, User, utcnow
from crm.services.accounts import access
from crm.services.accounts.users import staff_users
from crm.services.needs import notifications, queries
from crm.services.needs import transitions as need_transitions
from crm.services.needs import workflow as need_workflow
from crm.services.needs.filing import change_status
from crm.services.needs.queries import NeedFilters
from crm.services.needs.workflow import WorkflowError
from crm.services.platform import audit

OPEN_COLUMNS = (NeedStatus.NEW, NeedStatus.ASSIGNED, NeedStatus.IN_PROGRESS)
COLUMN_LIMIT = 50
CLOSED_DAYS = 30


@dataclass
class PipelineFilters:
    needs: NeedFilters = field(default_factory=NeedFilters)
    source: str = ""
    adviser_id: int | None = None


@dataclass
class Column:
    key: str
    label: str
    needs: list[HiringNeed]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.needs)


@dataclass
class Board:
    columns: list[Column]
    closed: Column


def board_query(user: User, filters: PipelineFilters, now: datetime) -> sa.Select:
    """The needs of the board: "Mes demandes" filters plus origin and adviser."""
    query = queries.needs_for(user, filters.needs, now)
    if filters.source:
        query = query.where(HiringNeed.source == NeedSource(filters.source))
    if filters.adviser_id:
        query = query.where(HiringNeed.adviser_id == filters.adviser_id)
    return query


def counts(query: sa.Select, closed_since: datetime) -> dict[NeedStatus, int]:
    """How many needs of the board in each status (closed ones: recently closed only)."""
    shown = sa.or_(HiringNeed.status.in_(OPEN_COLUMNS), HiringNeed.closed_at >= closed_since)
    # needs_for() always filters, so the board query has a WHERE clause
    grouped = (sa.select(HiringNeed.status, sa.func.count()).where(query.whereclause, shown)  # type: ignore[arg-type]
               .group_by(HiringNeed.status))
    return {status: count for status, count in db.session.execute(grouped)}


def column(query: sa.Select, status: NeedStatus, total: int) -> Column:
    needs = db.session.scalars(query.where(HiringNeed.status == status).limit(COLUMN_LIMIT))
    return Column(status.value, status.label, list(needs), total)


def closed_column(query: sa.Select, since: datetime, count: dict[NeedStatus, int]) -> Column:
    recent = (query.where(sa.not_(HiringNeed.is_open), HiringNeed.closed_at >= since)
              .order_by(None).order_by(HiringNeed.closed_at.desc(), HiringNeed.id.desc()))
    needs = db.session.scalars(recent.limit(COLUMN_LIMIT))
    total = sum(count.get(status, 0) for status in CLOSED_STATUSES)
    return Column("closed", f"Clôturées ces {CLOSED_DAYS} derniers jours", list(needs), total)


def board(user: User, filters: PipelineFilters, now: datetime | None = None) -> Board:
    """The columns the user sees, each limited to its first COLUMN_LIMIT needs."""
    now = now or utcnow()
    query, since = board_query(user, filters, now), now - timedelta(days=CLOSED_DAYS)
    count = counts(query, since)
    columns = [column(query, status, count.get(status, 0)) for status in OPEN_COLUMNS]
    return Board(columns, closed_column(query, since, count))


def moves(need: HiringNeed) -> list[NeedStatus]:
    """The columns a card may go to, as the transitions table says: "En cours", by taking the
    need in charge."""
    return need_transitions.board_moves(need.status)


def move(need: HiringNeed, user: User, target: NeedStatus) -> None:
    """Move a card to another column, only as the transitions table allows; commits."""
    need_workflow.ensure_open(need)
    if refusal := need_transitions.board_refusal(need.status, target):
        raise WorkflowError(refusal)
    need_workflow.take_in_charge(need, user)


def team_of(user: User) -> list[User]:
    """Active staff of the user's organisation, who may receive needs from its managers."""
    return list(db.session.scalars(staff_users().where(User.organisation_id == user.organisation_id)))


def needs_by_references(references: list[str]) -> list[HiringNeed]:
    query = sa.select(HiringNeed).where(HiringNeed.reference.in_(references))
    return list(db.session.scalars(queries.listed(query).order_by(HiringNeed.id)))


@dataclass
class Reassignment:
    done: list[HiringNeed] = field(default_factory=list)
    refused: list[HiringNeed] = field(default_factory=list)

    def summary(self) -> str:
        done, refused = len(self.done), len(self.refused)
        return (f"{done} demande{'s' if done > 1 else ''} réattribuée{'s' if done > 1 else ''}, "
                f"{refused} refusée{'s' if refused > 1 else ''}.")


def workable_ids(actor: User, needs: list[HiringNeed], adviser: User) -> set[int]:
    """Which of these needs the actor may give to the adviser, in one query: needs the actor may
    work that the adviser's organisation already pilots, or that wait in the basin's queue (a
    change of pilot organisation is a transfer, with its reason, from the need's page)."""
    if not access.is_staff(actor) or not needs:
        return set()
    same_pilot = sa.or_(HiringNeed.organisation_id == adviser.organisation_id,
                        HiringNeed.organisation_id.is_(None))
    query = sa.select(HiringNeed.id).where(HiringNeed.id.in_([n.id for n in needs]),
                                           access.need_work_scope(actor), same_pilot)
    return set(db.session.scalars(query))


def hand_over(need: HiringNeed, adviser: User, actor: User) -> None:
    """The adviser (and their organisation) takes the need; a new need becomes assigned."""
    previous = need.adviser.name if need.adviser else None
    need.adviser_id, need.organisation_id = adviser.id, adviser.organisation_id
    need.routing_reason = f"Réattribuée par {actor.name} à {adviser.name}."
    status = NeedStatus.ASSIGNED if need.status == NeedStatus.NEW else need.status
    change_status(need, "reassign", status, actor, reason=need.routing_reason)
    audit.record(actor, "reassign", need, {"adviser": adviser.name, "previous": previous})


def reassign(needs: list[HiringNeed], adviser: User, actor: User) -> Reassignment:
    """Give needs to an adviser of the manager's organisation; needs the manager may not work,
    needs another organisation pilots, or closed ones, are refused; the adviser's notices are
    queued after the caller's commit."""
    if not access.is_supervisor(actor) or adviser.id not in {u.id for u in team_of(actor)}:
        raise WorkflowError("Choisissez un conseiller actif de votre organisation.")
    result, allowed = Reassignment(), workable_ids(actor, needs, adviser)
    for need in needs:
        if need.id in allowed and need.is_open:
            hand_over(need, adviser, actor)
            result.done.append(need)
        else:
            result.refused.append(need)
    if adviser.id != actor.id:
        for need in result.done:
            notifications.assignment(need, adviser.email)
    return result
