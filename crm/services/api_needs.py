"""Hiring needs as the partner API sees them: who a token's need is filed for, which needs and
routing rules its user may read."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.models import HiringNeed, NeedSource, Organisation, Role, RoutingRule, User
from crm.services import access, need_queries


def filing_source(user: User) -> tuple[NeedSource, Organisation]:
    """A partner's need is a spotter's flag; anyone else's comes from the API; both for their
    organisation."""
    source = NeedSource.SPOTTER if user.role == Role.PARTNER else NeedSource.API
    return source, user.organisation


def needs_for(user: User, status: str | None, basin: str | None) -> sa.Select:
    """The needs the user may see, filtered by status and basin, newest first."""
    filters = need_queries.NeedFilters(status=status or "", basin=basin or "")
    return need_queries.needs_for(user, filters)


def visible_need(user: User, reference: str) -> HiringNeed | None:
    """The need with this reference when the user may see it; None otherwise, as if unknown."""
    query = (
        sa.select(HiringNeed)
        .where(HiringNeed.reference == reference, access.need_scope(user))
        .options(joinedload(HiringNeed.company), joinedload(HiringNeed.organisation),
                 joinedload(HiringNeed.adviser), selectinload(HiringNeed.history))
    )
    return db.session.scalar(query)


def rule_names(needs: list[HiringNeed]) -> dict[int, str]:
    """Names of the routing rules that fired for these needs, in one query."""
    ids = {need.routing_rule_id for need in needs if need.routing_rule_id}
    if not ids:
        return {}
    query = sa.select(RoutingRule.id, RoutingRule.name).where(RoutingRule.id.in_(ids))
    return {rule_id: name for rule_id, name in db.session.execute(query)}
