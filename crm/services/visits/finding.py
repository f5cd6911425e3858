"""Finding visits: one visit with what its pages show, the upcoming visits per adviser or per basin,
the week calendar grid (in French local time), and the people a visit form offers."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import (
    Basin,
    Company,
    Department,
    FollowUp,
    HiringNeed,
    Interaction,
    InteractionKind,
    Organisation,
    User,
    Visit,
    VisitParticipant,
    VisitStatus,
    utcnow,
)
from crm.services.accounts import access
from crm.services.platform.local_time import local_from_utc, utc_from_local

PERIODS = ("upcoming", "past", "all")
WORKING_DAYS = 6  # Monday to Saturday; Sunday only when a visit falls on it
DAY_HOURS = range(8, 19)


@dataclass
class VisitFilters:
    """Whose visits (an adviser, everyone, or a basin's firms) and which ones; empty values do not filter."""

    adviser_id: int | None = None
    basin: str = ""
    status: str = ""
    period: str = "upcoming"


def adviser_condition(user_id: int) -> ColumnElement[bool]:
    """Visits the person created or takes part in."""
    return sa.or_(Visit.created_by_id == user_id,
                  Visit.participants.any(VisitParticipant.user_id == user_id))


def filter_conditions(filters: VisitFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.adviser_id:
        conditions.append(adviser_condition(filters.adviser_id))
    if filters.basin:
        conditions.append(Visit.company.has(Company.basin_code == filters.basin))
    if filters.status:
        conditions.append(Visit.status == VisitStatus(filters.status))
    return conditions


def listed(query: sa.Select) -> sa.Select:
    """A list of visits with their firm and participants loaded in a fixed number of queries."""
    return query.options(
        joinedload(Visit.company).joinedload(Company.commune),
        selectinload(Visit.participants).joinedload(VisitParticipant.user),
        selectinload(Visit.participants).joinedload(VisitParticipant.organisation))


def visits_for(filters: VisitFilters, now: datetime | None = None) -> sa.Select:
    """Visits matching the filters: upcoming ones soonest first, past ones latest first."""
    start_of_today = utc_from_local(datetime.combine(local_from_utc(now or utcnow()).date(), time()))
    query = sa.select(Visit).where(*filter_conditions(filters))
    if filters.period == "upcoming":
        query = query.where(Visit.scheduled_at >= start_of_today).order_by(Visit.scheduled_at, Visit.id)
    else:
        if filters.period == "past":
            query = query.where(Visit.scheduled_at < start_of_today)
        query = query.order_by(Visit.scheduled_at.desc(), Visit.id.desc())
    return listed(query)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class WeekGrid:
    """A week of visits by local day and hour; visits before 8 h or after 18 h get their own rows."""

    monday: date
    days: list[date]
    hours: list[int]
    cells: dict[tuple[date, int], list[Visit]] = field(default_factory=dict)

    def at(self, day: date, hour: int) -> list[Visit]:
        return self.cells.get((day, hour), [])

    @property
    def empty(self) -> bool:
        return not self.cells


def week_visits(filters: VisitFilters, monday: date) -> list[Visit]:
    """The visits of the week starting on this Monday (French local days), by time."""
    start = utc_from_local(datetime.combine(monday, time()))
    end = utc_from_local(datetime.combine(monday + timedelta(days=7), time()))
    query = sa.select(Visit).where(Visit.scheduled_at >= start, Visit.scheduled_at < end,
                                   *filter_conditions(filters))
    return list(db.session.scalars(listed(query.order_by(Visit.scheduled_at, Visit.id))))


def week_grid(filters: VisitFilters, monday: date) -> WeekGrid:
    cells: dict[tuple[date, int], list[Visit]] = {}
    for visit in week_visits(filters, monday):
        local = local_from_utc(visit.scheduled_at)
        cells.setdefault((local.date(), local.hour), []).append(visit)
    sunday = monday + timedelta(days=WORKING_DAYS)
    shown_days = WORKING_DAYS + any(day == sunday for day, _ in cells)
    hours = sorted(set(DAY_HOURS) | {hour for _, hour in cells})
    days = [monday + timedelta(days=offset) for offset in range(shown_days)]
    return WeekGrid(monday, days, hours, cells)


def visit_by_id(visit_id: int) -> Visit | None:
    """A visit with its firm, author and participants."""
    query = listed(sa.select(Visit).where(Visit.id == visit_id)).options(
        joinedload(Visit.created_by), joinedload(Visit.company).joinedload(Company.basin))
    return db.session.scalar(query)


def needs_of(visit: Visit) -> list[HiringNeed]:
    """The needs created at the visit, with where they were routed."""
    query = (sa.select(HiringNeed).where(HiringNeed.visit_id == visit.id)
             .options(joinedload(HiringNeed.organisation), joinedload(HiringNeed.adviser),
                      joinedload(HiringNeed.rome))
             .order_by(HiringNeed.id))
    return list(db.session.scalars(query))


def tasks_of(visit: Visit) -> list[FollowUp]:
    query = (sa.select(FollowUp).where(FollowUp.visit_id == visit.id)
             .options(joinedload(FollowUp.assignee)).order_by(FollowUp.due_on, FollowUp.id))
    return list(db.session.scalars(query))


def ledger_of(visit: Visit) -> list[Interaction]:
    """The ledger entries the visit wrote, one per organisation involved."""
    query = (sa.select(Interaction)
             .where(Interaction.visit_id == visit.id, Interaction.kind == InteractionKind.VISIT)
             .options(joinedload(Interaction.user), joinedload(Interaction.organisation))
             .order_by(Interaction.id))
    return list(db.session.scalars(query))


def covers(company: Company) -> ColumnElement[bool]:
    """Organisations covering the firm's basin or département, or the whole region."""
    department = company.commune.department_code if company.commune else None
    return sa.or_(
        Organisation.basins.any(Basin.code == company.basin_code),
        Organisation.departments.any(Department.code == department),
        sa.and_(~Organisation.basins.any(), ~Organisation.departments.any()))


def participant_choices(company: Company, user: User, current: list[int]) -> list[tuple[int, str]]:
    """Staff who may join a visit to this firm: people of organisations covering it, the user,
    and those already taking part; labelled with their organisation."""
    query = (sa.select(User.id, User.name, Organisation.name).join(Organisation)
             .where(User.active, User.role.in_(access.STAFF_ROLES), Organisation.active,
                    sa.or_(covers(company), User.id.in_([user.id, *current])))
             .order_by(Organisation.name, User.name))
    return [(key, f"{name} ({organisation})") for key, name, organisation in db.session.execute(query)]


def colleagues(user: User) -> list[tuple[int, str]]:
    """The active staff of the user's organisation, to pick an assignee or an adviser."""
    query = (sa.select(User.id, User.name)
             .where(User.organisation_id == user.organisation_id, User.active,
                    User.role.in_(access.STAFF_ROLES))
             .order_by(User.name))
    return [(key, name) for key, name in db.session.execute(query)]
