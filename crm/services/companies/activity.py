"""The firms contacted, or visited, over a span of French calendar days, by anyone or by one
organisation or person: the one definition both the indicators (`indicators/figures.py`,
`Measures`) and the companies list's filters "contactée du … au …" and "visitée du … au …" use
(docs/indicators.md)."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from crm.models import Company, Interaction, Visit, VisitParticipant, VisitStatus
from crm.services.companies import counters
from crm.services.platform.local_time import day_bounds


def day_span(first: date, last: date) -> tuple[datetime, datetime]:
    """The stored (naive UTC) start of the first French day and end of the last."""
    return day_bounds(first)[0], day_bounds(last)[1]


def by_whom(organisation: InstrumentedAttribute[Any], person: InstrumentedAttribute[Any],
            organisation_id: int | None, user_id: int | None) -> list[sa.ColumnElement[bool]]:
    """The conditions keeping one organisation's or one person's records (none for anyone's)."""
    return [column == value for column, value in ((organisation, organisation_id), (person, user_id))
            if value is not None]


def contacts_in(low: datetime, high: datetime) -> list[sa.ColumnElement[bool]]:
    """The ledger entries from `low` (included) to `high` (excluded)."""
    return [Interaction.occurred_at >= low, Interaction.occurred_at < high]


def visits_done_in(low: datetime, high: datetime) -> list[sa.ColumnElement[bool]]:
    """The visits done (status "réalisée") scheduled from `low` (included) to `high` (excluded)."""
    return [Visit.status == VisitStatus.DONE, Visit.scheduled_at >= low, Visit.scheduled_at < high]


def silent_between(low: datetime, high: datetime) -> sa.Select:
    """The firms contacted since `low` but not from `low` to `high`: those whose first ledger
    entry since `low` comes at `high` or later, i.e. an entry from `high` on whose previous one
    (`previous_contact_at`, `companies/counters.py`) is before `low`, or which has none. Such an
    entry follows a silence longer than the span: read from the ledger's index (scale of the
    silence, instant), not probed firm by firm."""
    previous = Interaction.previous_contact_at
    return sa.select(Interaction.company_id).where(
        Interaction.gap_scale.in_(counters.scales_of_silences((high - low).days)),
        Interaction.occurred_at >= high, sa.or_(previous.is_(None), previous < low))


def contacted_between(low: datetime, high: datetime, organisation_id: int | None = None,
                      user_id: int | None = None) -> sa.ColumnElement[bool]:
    """The firms with a ledger entry from `low` (included) to `high` (excluded), by the
    organisation or the person when given. A firm's `last_contact_at` is its latest entry
    (`companies/counters.py`): a firm last contacted before `low` has none in the span; of those
    contacted since, the span leaves out the ones silent all through it (`silent_between`). The
    entries of an organisation or a person are read from the ledger, their firms once."""
    since = Company.last_contact_at >= low
    whose = by_whom(Interaction.organisation_id, Interaction.user_id, organisation_id, user_id)
    if whose:
        return sa.and_(since, Company.id.in_(sa.select(Interaction.company_id).where(
            *contacts_in(low, high), *whose)))
    return sa.and_(since, Company.id.not_in(silent_between(low, high)))


def visited_between(low: datetime, high: datetime, organisation_id: int | None = None,
                    user_id: int | None = None) -> sa.ColumnElement[bool]:
    """The firms with a visit done (status "réalisée") scheduled from `low` (included) to `high`
    (excluded), which the organisation or the person took part in when given (a task force's
    visit counts once)."""
    visits = sa.select(Visit.company_id).where(*visits_done_in(low, high))
    whose = by_whom(VisitParticipant.organisation_id, VisitParticipant.user_id, organisation_id,
                    user_id)
    if whose:
        visits = visits.join(VisitParticipant, VisitParticipant.visit_id == Visit.id).where(*whose)
    return Company.id.in_(visits)
