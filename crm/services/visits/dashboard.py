"""Figures for the landing page of each role."""

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Company, HiringNeed, Organisation, User
from crm.services.accounts import access


def count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


def summary(user: User) -> dict[str, int]:
    """Counts the user may see: open needs in scope, companies, organisations, accounts."""
    needs = sa.select(HiringNeed.id).where(access.need_scope(user))
    open_needs = needs.where(HiringNeed.is_open)
    figures = {"needs": count(needs), "open_needs": count(open_needs)}
    if access.sees_company_details(user):
        figures["companies"] = count(sa.select(Company.id))
    if access.can_manage_accounts(user):
        figures["organisations"] = count(sa.select(Organisation.id))
        figures["users"] = count(sa.select(User.id))
    return figures
