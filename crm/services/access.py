"""Who may see and change what: the one place that decides.

- admins: everything;
- managers: their organisation's work and everything in their basins;
- advisers: their organisation's work (and what is assigned to them);
- partners: only what their organisation flagged, and firms' public identity.
"""

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import BackgroundTask, HiringNeed, Interaction, Role, User

STAFF_ROLES = (Role.ADMIN, Role.MANAGER, Role.ADVISER)


def is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


def is_partner(user: User) -> bool:
    return user.role == Role.PARTNER


def is_supervisor(user: User) -> bool:
    """Managers and admins: late needs, unassigned queues, spotter indicators."""
    return user.role in (Role.ADMIN, Role.MANAGER)


def can_manage_accounts(user: User) -> bool:
    return is_admin(user)


def can_read_outbox(user: User) -> bool:
    return is_admin(user)


def can_manage_routing(user: User) -> bool:
    return is_admin(user)


def sees_company_details(user: User) -> bool:
    """Staff see a firm's whole record; partners only its public identity."""
    return user.role in STAFF_ROLES


def can_edit_company(user: User) -> bool:
    return user.role in STAFF_ROLES


def need_scope(user: User) -> ColumnElement[bool]:
    """SQL condition selecting the hiring needs this user may see."""
    org = user.organisation_id
    if user.role == Role.ADMIN:
        return sa.true()
    if user.role == Role.MANAGER:
        basins = [b.code for b in user.basins]
        return sa.or_(
            HiringNeed.organisation_id == org,
            HiringNeed.source_organisation_id == org,
            HiringNeed.basin_code.in_(basins),
        )
    if user.role == Role.ADVISER:
        return sa.or_(HiringNeed.organisation_id == org, HiringNeed.adviser_id == user.id)
    return HiringNeed.source_organisation_id == org


def can_view_need(user: User, need: HiringNeed) -> bool:
    query = sa.select(HiringNeed.id).where(HiringNeed.id == need.id, need_scope(user))
    return db.session.scalar(query) is not None


def can_work_need(user: User, need: HiringNeed) -> bool:
    """Change a need's status, assignment or content: staff who may see it."""
    return user.role in STAFF_ROLES and can_view_need(user, need)


def interaction_scope(user: User) -> ColumnElement[bool]:
    """Staff read the whole shared ledger; partners only their organisation's entries."""
    if user.role in STAFF_ROLES:
        return sa.true()
    return Interaction.organisation_id == user.organisation_id


def can_view_task(user: User, task: BackgroundTask) -> bool:
    """A background task is seen by the person who started it, and by admins."""
    return task.user_id == user.id or is_admin(user)


def can_view_user(user: User, other: User) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MANAGER and other.organisation_id == user.organisation_id


def can_work_task(user: User, assignee: User, created_by_id: int | None) -> bool:
    """Edit, complete or reopen a follow-up task: its assignee, its author, a manager of the
    assignee's organisation, an admin."""
    if not is_staff(user):
        return False
    if user.id in (assignee.id, created_by_id) or is_admin(user):
        return True
    return user.role == Role.MANAGER and assignee.organisation_id == user.organisation_id


def can_edit_visit(user: User, visit) -> bool:
    """Change a visit (a `Visit`): admins; its author and participants; managers of an organisation
    involved in it or of the firm's basin."""
    if not is_staff(user):
        return False
    if is_admin(user) or user.id in {visit.created_by_id, *(p.user_id for p in visit.participants)}:
        return True
    if user.role != Role.MANAGER:
        return False
    organisations = {p.organisation_id for p in visit.participants}
    if visit.created_by is not None:
        organisations.add(visit.created_by.organisation_id)
    return (user.organisation_id in organisations
            or visit.company.basin_code in {basin.code for basin in user.basins})


def can_view_company_history(user: User) -> bool:
    """The audit trail of a firm and its contacts: managers and admins."""
    return is_supervisor(user)


def can_merge_companies(user: User) -> bool:
    """Merging two records of one firm: managers and admins (any staff may dismiss a pair)."""
    return is_supervisor(user)


def can_import_companies(user: User) -> bool:
    """Staff and partners (a CCI, an OPCO, a temp agency) may import their lists of firms."""
    return user.role in STAFF_ROLES or is_partner(user)


def can_use_upload(user: User, uploader_id: int | None) -> bool:
    """An uploaded file is used by the person who sent it, and by admins."""
    return uploader_id == user.id or is_admin(user)
