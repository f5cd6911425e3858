"""The firms contacted, or visited, over a span of French calendar days, by anyone or by one
organisation or person: the one definition both the indicators (`indicators/figures.py`,
`Measures`) and the companies list's filters "contactée du … au …" and "visitée du … au …" use
(docs/indicators.md)."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from crm.models import Company, Interaction, Visit, VisitParticipant, VisitStatus
from crm.services.platform.local_time import day_bounds


def day_span(first: date, last: date) -> tuple[datetime, datetime]:
    """The stored (naive UTC) start of the first French day and end of the last."""
    return day_bounds(first)[0], day_bounds(last)[1]


def by_whom(organisation: InstrumentedAttribute[Any], person: InstrumentedAttribute[Any],
            organisation_id: int | None, user_id: int | None) -> list[sa.ColumnElement[bool]]:
    """The conditions keeping one organisation's or one person's records (none for anyone's)."""
    return [column == value for column, value in ((organisation, organisation_id), (person, user_id))
            if value is not None]


def contacted_between(low: datetime, high: datetime, organisation_id: int | None = None,
                      user_id: int | None = None) -> sa.ColumnElement[bool]:
    """The firms with a ledger entry from `low` (included) to `high` (excluded), by the
    organisation or the person when given. A firm's `last_contact_at` is its latest entry
    (`companies/counters.py`): a firm last contacted before `low` has none in the span, and one
    last contacted within it (all entries counting) is contacted; only the firms contacted again
    after the span are looked up in the ledger, through the index (firm, date). The entries of an
    organisation or a person are read from the ledger, their firms once."""
    last = Company.last_contact_at
    in_span = (Interaction.occurred_at >= low, Interaction.occurred_at < high)
    whose = by_whom(Interaction.organisation_id, Interaction.user_id, organisation_id, user_id)
    if whose:
        return sa.and_(last >= low, Company.id.in_(
            sa.select(Interaction.company_id).where(*in_span, *whose)))
    again = sa.select(Interaction.id).where(Interaction.company_id == Company.id, *in_span)
    return sa.and_(last >= low, sa.or_(last < high, again.exists()))


def visited_between(low: datetime, high: datetime, organisation_id: int | None = None,
                    user_id: int | None = None) -> sa.ColumnElement[bool]:
    """The firms with a visit done (status "réalisée") scheduled from `low` (included) to `high`
    (excluded), which the organisation or the person took part in when given (a task force's
    visit counts once)."""
    visits = sa.select(Visit.company_id).where(
        Visit.status == VisitStatus.DONE, Visit.scheduled_at >= low, Visit.scheduled_at < high)
    whose = by_whom(VisitParticipant.organisation_id, VisitParticipant.user_id, organisation_id,
                    user_id)
    if whose:
        visits = visits.join(VisitParticipant, VisitParticipant.visit_id == Visit.id).where(*whose)
    return Company.id.in_(visits)
