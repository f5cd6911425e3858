"""Working a need together: the pilot organisation (or an admin, or a routing rule) invites other
organisations to co-handle a need; staff of another organisation who see it join it themselves.
Each co-handler keeps its own status (invited, taking care, done, not for me with a reason) and
adviser; the employer's one named contact stays the pilot's adviser. Every step goes in the need's
journal (its staff history). Who may do what is `access.NEED_ACTIONS`."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import (
    CoHandlerStatus,
    Company,
    HiringNeed,
    JournalSubject,
    NeedCoHandler,
    NeedJournalEntry,
    Organisation,
    User,
    utcnow,
)
from crm.services.accounts import access
from crm.services.accounts.access import NeedAction
from crm.services.needs import notifications
from crm.services.needs.workflow import WorkflowError, check_reason, ensure_open
from crm.services.platform import audit

NOT_ALLOWED = {
    NeedAction.ADD_CO_HANDLER: "Seul le personnel de la structure pilote (ou un administrateur) "
                               "peut inviter une structure à co-traiter cette demande.",
    NeedAction.ASK_CO_HANDLING: "Seul le personnel d'une autre structure qui voit la demande "
                                "peut demander à la co-traiter.",
    NeedAction.CO_HANDLE: "Seule la structure co-traitante (ou un administrateur) peut changer "
                          "son statut sur cette demande.",
}


def journal(need: HiringNeed, user: User | None, subject: JournalSubject, note: str,
            candidate_id: int | None = None) -> NeedJournalEntry:
    """Write a step of co-handling or of a candidate in the need's staff history."""
    entry = NeedJournalEntry(need_id=need.id, subject=subject, candidate_id=candidate_id,
                             at=utcnow(), user_id=user.id if user else None,
                             organisation_id=user.organisation_id if user else None, note=note)
    db.session.add(entry)
    return entry


def ensure_may(need: HiringNeed, user: User, action: NeedAction) -> None:
    if not access.may(user, need, action):
        raise WorkflowError(NOT_ALLOWED[action])


def co_handlers_of(need: HiringNeed) -> list[NeedCoHandler]:
    """The need's co-handlers with their organisation and adviser, in the order they joined."""
    query = (sa.select(NeedCoHandler).where(NeedCoHandler.need_id == need.id)
             .options(joinedload(NeedCoHandler.organisation), joinedload(NeedCoHandler.adviser))
             .order_by(NeedCoHandler.id))
    return list(db.session.scalars(query))


def co_handler_of(need: HiringNeed, organisation_id: int | None) -> NeedCoHandler | None:
    query = sa.select(NeedCoHandler).where(NeedCoHandler.need_id == need.id,
                                           NeedCoHandler.organisation_id == organisation_id)
    return db.session.scalar(query)


def invitable(need: HiringNeed) -> list[tuple[int, str]]:
    """Active organisations that handle needs and may still be invited: not the pilot, not
    already co-handling, not an offer spotter."""
    taken = sa.select(NeedCoHandler.organisation_id).where(NeedCoHandler.need_id == need.id)
    query = (sa.select(Organisation.id, Organisation.name)
             .where(Organisation.active, ~Organisation.is_spotter,
                    Organisation.id != (need.organisation_id or 0), Organisation.id.not_in(taken))
             .order_by(Organisation.name))
    return [(key, name) for key, name in db.session.execute(query)]


def check_organisation(need: HiringNeed, organisation: Organisation) -> None:
    if not organisation.active or organisation.is_spotter:
        raise WorkflowError(f"{organisation.name} ne peut pas co-traiter une demande : seules les "
                            "structures actives du service public de l'emploi le peuvent.",
                            "organisation")
    if organisation.id == need.organisation_id:
        raise WorkflowError("Cette structure pilote déjà la demande.", "organisation")
    if co_handler_of(need, organisation.id) is not None:
        raise WorkflowError(f"{organisation.name} co-traite déjà cette demande.", "organisation")


def invite(need: HiringNeed, organisation: Organisation, by: User | None,
           adviser: User | None = None, why: str | None = None) -> NeedCoHandler:
    """Add a co-handler without checking who acts (a routing rule; `add` checks)."""
    check_organisation(need, organisation)
    co_handler = NeedCoHandler(need_id=need.id, organisation_id=organisation.id,
                               status=CoHandlerStatus.INVITED, added_by_id=by.id if by else None,
                               adviser_id=adviser.id if adviser else None)
    db.session.add(co_handler)
    db.session.flush()
    who = f" par {by.name} ({by.organisation.name})" if by else ""
    journal(need, by, JournalSubject.CO_HANDLING,
            f"{organisation.name} invitée à co-traiter la demande{who}" + (f" : {why}" if why
                                                                           else "."))
    notifications.co_handler_invited(need, organisation, adviser, by, why)
    return co_handler


def add(need: HiringNeed, user: User, organisation: Organisation) -> NeedCoHandler:
    """The pilot organisation's staff (or an admin) invite another organisation to co-handle."""
    ensure_open(need)
    ensure_may(need, user, NeedAction.ADD_CO_HANDLER)
    co_handler = invite(need, organisation, user)
    audit.record(user, "add_co_handler", need, {"organisation": organisation.name})
    return co_handler


def ask(need: HiringNeed, user: User) -> NeedCoHandler:
    """Staff of another organisation who see the need join it as co-handler, taking care of it,
    with themselves as its adviser."""
    ensure_open(need)
    if access.is_staff(user) and co_handler_of(need, user.organisation_id) is not None:
        raise WorkflowError(f"{user.organisation.name} co-traite déjà cette demande.")
    ensure_may(need, user, NeedAction.ASK_CO_HANDLING)
    co_handler = NeedCoHandler(need_id=need.id, organisation_id=user.organisation_id,
                               status=CoHandlerStatus.TAKING_CARE, added_by_id=user.id,
                               adviser_id=user.id)
    db.session.add(co_handler)
    db.session.flush()
    journal(need, user, JournalSubject.CO_HANDLING,
            f"{user.organisation.name} co-traite la demande à la demande de {user.name}.")
    audit.record(user, "ask_co_handling", need, {"organisation": user.organisation.name})
    return co_handler


def check_adviser(co_handler: NeedCoHandler, adviser: User) -> None:
    if (not adviser.is_active or not access.is_staff(adviser)
            or adviser.organisation_id != co_handler.organisation_id):
        raise WorkflowError(f"Choisissez un conseiller actif de {co_handler.organisation.name}.",
                            "adviser")


def ensure_acts_on(need: HiringNeed, co_handler: NeedCoHandler, user: User,
                   action: NeedAction) -> None:
    """The need is open, the co-handler is one of its own, and the user may take the action."""
    ensure_open(need)
    if co_handler.need_id != need.id:
        raise WorkflowError("Cette structure ne co-traite pas cette demande.")
    ensure_may(need, user, action)


def required_reason(reason: str | None, missing: str) -> str:
    """The reason given, checked; refused with `missing` on the reason field when blank."""
    if not (reason or "").strip():
        raise WorkflowError(missing, "reason")
    return check_reason(reason, "")


def update(need: HiringNeed, co_handler: NeedCoHandler, user: User, status: CoHandlerStatus,
           reason: str | None = None, adviser: User | None = None) -> NeedCoHandler:
    """A co-handler's staff (or an admin) change its status and adviser; "not for me" needs a
    reason; whoever takes care of it becomes its adviser when it has none."""
    ensure_acts_on(need, co_handler, user, NeedAction.CO_HANDLE)
    if not access.is_admin(user) and user.organisation_id != co_handler.organisation_id:
        raise WorkflowError(NOT_ALLOWED[NeedAction.CO_HANDLE])
    if status == CoHandlerStatus.NOT_FOR_ME:
        reason = required_reason(reason, "Indiquez pourquoi cette demande n'est pas pour votre "
                                         "structure.")
    else:
        reason = None
    if adviser is not None:
        check_adviser(co_handler, adviser)
        co_handler.adviser_id = adviser.id
    elif (status == CoHandlerStatus.TAKING_CARE and co_handler.adviser_id is None
          and user.organisation_id == co_handler.organisation_id):
        co_handler.adviser_id = user.id
    if status == co_handler.status and adviser is None:
        raise WorkflowError(f"Le statut est déjà « {status.label} ».", "status")
    co_handler.status, co_handler.reason = status, reason
    db.session.flush()
    db.session.refresh(co_handler)
    note = f"{co_handler.organisation.name} : {status.label}"
    note += f" ({reason})" if reason else ""
    if co_handler.adviser is not None:
        note += f", conseiller {co_handler.adviser.name}"
    journal(need, user, JournalSubject.CO_HANDLING, note + ".")
    audit.record(user, "co_handle", need, {"organisation": co_handler.organisation.name,
                                           "status": status, "reason": reason})
    return co_handler


def remove(need: HiringNeed, co_handler: NeedCoHandler, user: User, reason: str | None) -> None:
    """The pilot organisation's staff (or an admin) withdraw a co-handler, with a reason; the
    organisation is told, the candidates it put forward stay on the need."""
    ensure_acts_on(need, co_handler, user, NeedAction.ADD_CO_HANDLER)
    reason = required_reason(reason, "Indiquez pourquoi cette structure ne co-traite plus la demande.")
    organisation, adviser = co_handler.organisation, co_handler.adviser
    db.session.delete(co_handler)
    db.session.flush()
    journal(need, user, JournalSubject.CO_HANDLING,
            f"{organisation.name} ne co-traite plus la demande : {reason}")
    audit.record(user, "remove_co_handler", need, {"organisation": organisation.name, "reason": reason})
    notifications.co_handler_removed(need, organisation, adviser, user, reason)


@dataclass
class RefusalRate:
    """How often an organisation answered "not for me" to the needs it was asked to co-handle."""

    organisation: str
    co_handlings: int
    not_for_me: int

    @property
    def rate(self) -> float:
        return self.not_for_me / self.co_handlings if self.co_handlings else 0.0

    @property
    def available(self) -> bool:
        """Whether the share can be computed (the organisation was asked at least once)."""
        return self.co_handlings > 0


def not_for_me_rates(*need_conditions: sa.ColumnElement[bool]) -> list[RefusalRate]:
    """Per organisation, its co-handlings and how many were "not for me", for the indicators;
    `need_conditions` keep the needs (and their firms) counted, e.g. a territory and a period."""
    refused = sa.func.sum(sa.case((NeedCoHandler.status == CoHandlerStatus.NOT_FOR_ME, 1),
                                  else_=0))
    query = (sa.select(Organisation.name, sa.func.count(NeedCoHandler.id), refused)
             .join(NeedCoHandler, NeedCoHandler.organisation_id == Organisation.id)
             .group_by(Organisation.id, Organisation.name).order_by(Organisation.name))
    if need_conditions:
        query = (query.join(HiringNeed, HiringNeed.id == NeedCoHandler.need_id)
                 .join(Company, Company.id == HiringNeed.company_id).where(*need_conditions))
    return [RefusalRate(str(name), int(total), int(no or 0))
            for name, total, no in db.session.execute(query).tuples()]
