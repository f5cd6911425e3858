"""Hiring needs as the partner API sees them: who a token's need is filed for, which needs its user
may read."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.models import HiringNeed, NeedSource, Organisation, Role, User
from crm.services.accounts import access
from crm.services.needs import queries

SHOWN_WITH_A_NEED = (joinedload(HiringNeed.rome), joinedload(HiringNeed.routing_rule))


def filing_source(user: User) -> tuple[NeedSource, Organisation]:
    """A partner's need is a spotter's flag; anyone else's comes from the API; both for their
    organisation."""
    source = NeedSource.SPOTTER if user.role == Role.PARTNER else NeedSource.API
    return source, user.organisation


def needs_for(user: User, status: str | None, basin: str | None) -> sa.Select:
    """The needs the user may see, filtered by status and basin, newest first."""
    filters = queries.NeedFilters(status=status or "", basin=basin or "")
    return queries.needs_for(user, filters).options(*SHOWN_WITH_A_NEED)


def visible_need(user: User, reference: str) -> HiringNeed | None:
    """The need with this reference when the user may see it; None otherwise, as if unknown."""
    query = (
        sa.select(HiringNeed)
        .where(HiringNeed.reference == reference, access.need_scope(user))
        .options(joinedload(HiringNeed.company), joinedload(HiringNeed.organisation),
                 joinedload(HiringNeed.adviser), selectinload(HiringNeed.history),
                 *SHOWN_WITH_A_NEED)
    )
    return db.session.scalar(query)
