"""Who may see and change what: the one place that decides.

- admins: everything;
- managers: their organisation's work and everything in their basins;
- advisers: their organisation's work (and what is assigned to them);
- partners: only what their organisation flagged, and firms' public identity.

A hiring need is worked (taken in charge, contacted, closed, transferred, reassigned) by its pilot
organisation's staff and by admins only; organisations that co-handle it beside the pilot change
their own co-handling status and put candidates forward; partners never see candidates.
`NEED_ACTIONS` is the one table of who may do what on a need, by role and by the user's
organisation's relation to the need (pilot, co-handler, observer), read by the need pages, the API,
the pipeline board and the need services.
"""

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import BackgroundTask, HiringNeed, Interaction, NeedCoHandler, Role, User

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


def reads_indicators_with_token(user: User) -> bool:
    """Managers, admins and partners may hold an API token with the "indicators" scope (the
    committees' aggregates, no names); advisers read them through their managers."""
    return user.role in (Role.ADMIN, Role.MANAGER, Role.PARTNER)


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


def co_handled_by(organisation_id: int | None) -> ColumnElement[bool]:
    """SQL condition: needs the organisation co-handles."""
    return HiringNeed.id.in_(sa.select(NeedCoHandler.need_id)
                             .where(NeedCoHandler.organisation_id == organisation_id))


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
            co_handled_by(org),
        )
    if user.role == Role.ADVISER:
        return sa.or_(HiringNeed.organisation_id == org, HiringNeed.adviser_id == user.id,
                      co_handled_by(org))
    return HiringNeed.source_organisation_id == org


def can_view_need(user: User, need: HiringNeed) -> bool:
    query = sa.select(HiringNeed.id).where(HiringNeed.id == need.id, need_scope(user))
    return db.session.scalar(query) is not None


class NeedAction(StrEnum):
    READ = "read"  # open the need
    NOTE = "note"  # an internal note
    MESSAGE = "message"  # a message the employer reads on the tracking page
    TAKE_IN_CHARGE = "take_in_charge"  # also a card moved to "En cours" on the board
    CONTACT = "contact"  # a contact with the employer, which stops the first-contact clock
    CLOSE = "close"
    TRANSFER = "transfer"  # hand the need to another organisation
    REASSIGN = "reassign"  # give it to an adviser of the organisation (board, managers)
    DECIDE_TRANSFER = "decide_transfer"  # accept or refuse another organisation's proposal
    PROPOSE_TRANSFER = "propose_transfer"  # ask the pilot organisation to hand it over
    ADD_CO_HANDLER = "add_co_handler"  # invite another organisation to work the need too
    ASK_CO_HANDLING = "ask_co_handling"  # join the need as a co-handler
    CO_HANDLE = "co_handle"  # change a co-handling's status and adviser (one's own; admins: any)
    PUT_FORWARD = "put_forward"  # see and record the candidates put forward


PILOT_ACTIONS = frozenset({NeedAction.READ, NeedAction.NOTE, NeedAction.MESSAGE,
                           NeedAction.TAKE_IN_CHARGE, NeedAction.CONTACT, NeedAction.CLOSE,
                           NeedAction.TRANSFER, NeedAction.DECIDE_TRANSFER,
                           NeedAction.ADD_CO_HANDLER, NeedAction.PUT_FORWARD})
CO_HANDLER_ACTIONS = frozenset({NeedAction.READ, NeedAction.NOTE, NeedAction.PROPOSE_TRANSFER,
                                NeedAction.CO_HANDLE, NeedAction.PUT_FORWARD})
OBSERVER_ACTIONS = frozenset({NeedAction.READ, NeedAction.NOTE, NeedAction.PROPOSE_TRANSFER,
                              NeedAction.ASK_CO_HANDLING})
ADMIN_ACTIONS = PILOT_ACTIONS | {NeedAction.REASSIGN, NeedAction.CO_HANDLE}
PARTNER_ACTIONS = frozenset({NeedAction.READ})  # never candidates
PILOT, CO_HANDLER, OBSERVER = "pilot", "co_handler", "observer"
NEED_ACTIONS: dict[tuple[Role, str], frozenset[NeedAction]] = {
    (Role.ADMIN, PILOT): ADMIN_ACTIONS,
    (Role.ADMIN, CO_HANDLER): ADMIN_ACTIONS,
    (Role.ADMIN, OBSERVER): ADMIN_ACTIONS,
    (Role.MANAGER, PILOT): PILOT_ACTIONS | {NeedAction.REASSIGN},
    (Role.MANAGER, CO_HANDLER): CO_HANDLER_ACTIONS,
    (Role.MANAGER, OBSERVER): OBSERVER_ACTIONS,
    (Role.ADVISER, PILOT): PILOT_ACTIONS,
    (Role.ADVISER, CO_HANDLER): CO_HANDLER_ACTIONS,
    (Role.ADVISER, OBSERVER): OBSERVER_ACTIONS,
    (Role.PARTNER, PILOT): PARTNER_ACTIONS,
    (Role.PARTNER, CO_HANDLER): PARTNER_ACTIONS,
    (Role.PARTNER, OBSERVER): PARTNER_ACTIONS,
}
REFUSED_VERBS = {
    NeedAction.MESSAGE: "écrire à l'employeur",
    NeedAction.TAKE_IN_CHARGE: "la prendre en charge",
    NeedAction.CONTACT: "enregistrer un contact avec l'employeur",
    NeedAction.CLOSE: "la clôturer",
    NeedAction.TRANSFER: "la transférer",
    NeedAction.REASSIGN: "la réattribuer",
    NeedAction.DECIDE_TRANSFER: "répondre à une proposition de transfert",
    NeedAction.ADD_CO_HANDLER: "inviter une structure à la co-traiter",
    NeedAction.PUT_FORWARD: "y proposer des candidats",
}


def pilots(user: User, need: HiringNeed) -> bool:
    """The user's organisation pilots the need, or nobody does yet (the basin's queue)."""
    return need.organisation_id is None or need.organisation_id == user.organisation_id


def co_handles(user: User, need: HiringNeed) -> bool:
    """The user's organisation co-handles the need (whatever its co-handling status)."""
    query = sa.select(NeedCoHandler.id).where(NeedCoHandler.need_id == need.id,
                                              NeedCoHandler.organisation_id == user.organisation_id)
    return db.session.scalar(query) is not None


def relation(user: User, need: HiringNeed, co_handling: bool | None = None) -> str:
    """The user's organisation's relation to the need: pilot, co-handler or observer.
    `co_handling` skips the query when the caller knows it (the board only asks for pilot actions)."""
    if pilots(user, need):
        return PILOT
    if co_handling is None:
        co_handling = is_staff(user) and co_handles(user, need)
    return CO_HANDLER if co_handling else OBSERVER


def need_actions(user: User, need: HiringNeed, visible: bool | None = None,
                 co_handling: bool | None = None) -> frozenset[NeedAction]:
    """What the user may do on the need; `visible=True` skips the query when the need comes from
    a list already limited to `need_scope(user)`."""
    if not (can_view_need(user, need) if visible is None else visible):
        return frozenset()
    return NEED_ACTIONS[(user.role, relation(user, need, co_handling))]


def may(user: User, need: HiringNeed, action: NeedAction) -> bool:
    return action in need_actions(user, need)


def may_work_need(user: User, need: HiringNeed) -> bool:
    """Take in charge, contact, close, transfer: the pilot organisation's staff and admins."""
    return may(user, need, NeedAction.TAKE_IN_CHARGE)


def may_propose_transfer(user: User, need: HiringNeed) -> bool:
    """Ask to pilot the need: staff of another organisation who can see it."""
    return may(user, need, NeedAction.PROPOSE_TRANSFER)


can_work_need = may_work_need


def refusal(user: User, need: HiringNeed, action: NeedAction) -> str:
    """Why the user may not do this on the need, in French."""
    pilot = need.organisation.name if need.organisation else "une autre structure"
    verb = REFUSED_VERBS.get(action, "faire cette action")
    message = (f"Cette demande est pilotée par {pilot} : seul son personnel (ou un administrateur) "
               f"peut {verb}.")
    if may_propose_transfer(user, need):
        message += " Vous pouvez proposer de la reprendre depuis la page de la demande."
    return message


def need_work_scope(user: User) -> ColumnElement[bool]:
    """SQL condition selecting the needs this user may work, as `may_work_need` decides."""
    if user.role == Role.ADMIN:
        return sa.true()
    if user.role not in STAFF_ROLES:
        return sa.false()
    pilot = sa.or_(HiringNeed.organisation_id == user.organisation_id,
                   HiringNeed.organisation_id.is_(None))
    return sa.and_(need_scope(user), pilot)


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
