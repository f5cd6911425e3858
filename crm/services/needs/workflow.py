"""What happens to a need after filing: taking charge, first contact, transfer, proposals of
transfer by other organisations, closing, employer messages and withdrawal. Only the pilot
organisation's staff and admins work a need (`access.NEED_ACTIONS`). Every change is in the history
with its author and time."""

from datetime import datetime

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    ClosingReason,
    HiringNeed,
    Interaction,
    InteractionKind,
    MessageAuthor,
    NeedMessage,
    NeedStatus,
    NeedTransferProposal,
    Organisation,
    TransferProposalStatus,
    User,
    utcnow,
)
from crm.services.accounts import access
from crm.services.accounts.access import NeedAction
from crm.services.needs import aftercare, notifications, pilots
from crm.services.needs import pilots as need_pilots
from crm.services.needs.filing import change_status
from crm.services.platform import audit
from crm.services.platform.refusals import Refused
from crm.services.routing import engine
from crm.services.routing import engine as routing

CONTACT_KINDS = (InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.VISIT,
                 InteractionKind.MEETING)
OUTCOMES = (NeedStatus.FILLED, NeedStatus.PARTLY_FILLED, NeedStatus.UNFILLED,
            NeedStatus.CANCELLED)
MAX_MESSAGE = 2000


class WorkflowError(Refused):
    """An action that cannot be done on this need now; the message is French. `field` names the
    form field the message is about, when there is one (shown next to it)."""


def ensure_open(need: HiringNeed) -> None:
    if not need.is_open:
        raise WorkflowError("Cette demande est clôturée : elle ne peut plus être modifiée.")


def ensure_allowed(need: HiringNeed, user: User, action: NeedAction) -> None:
    """Refuse, in French, an action the user's organisation may not do on this need."""
    if not access.may(user, need, action):
        raise WorkflowError(access.refusal(user, need, action))


def take_in_charge(need: HiringNeed, user: User) -> None:
    """The user becomes the need's adviser; an admin of another organisation, or anyone taking a
    need from the basin's queue, makes their organisation the pilot."""
    ensure_open(need)
    ensure_allowed(need, user, NeedAction.TAKE_IN_CHARGE)
    previous = need.organisation
    if need.organisation_id != user.organisation_id:
        reason = "prise en charge directe par un administrateur"
        why = (need_pilots.explanation(previous, user.organisation, user, reason, user)
               if previous is not None else need_pilots.from_queue(user))
        need_pilots.change_pilot(need, user.organisation, user, user, why, reason)
    else:
        need.adviser_id = user.id
    change_status(need, "take_in_charge", NeedStatus.IN_PROGRESS, user, name=user.name)
    audit.record(user, "take_in_charge", need, {"adviser": user.name,
                                                "organisation": user.organisation.name})


def stop_first_contact_clock(need: HiringNeed, user: User, occurred_at: datetime) -> None:
    """A need's first contact is the first logged one; the need is then in progress."""
    if need.first_contact_at is None:
        need.first_contact_at = occurred_at
    if need.status in (NeedStatus.NEW, NeedStatus.ASSIGNED):
        change_status(need, "first_contact", NeedStatus.IN_PROGRESS, user)


def record_first_contact(need: HiringNeed, user: User, kind: InteractionKind, summary: str,
                         occurred_at: datetime | None = None) -> Interaction:
    """Log a contact with the employer in the shared ledger; the first one stops the clock."""
    ensure_open(need)
    ensure_allowed(need, user, NeedAction.CONTACT)
    if kind not in CONTACT_KINDS:
        raise WorkflowError("Choisissez un mode de contact : appel, courriel, visite ou rendez-vous.")
    occurred_at = occurred_at or utcnow()
    interaction = Interaction(company_id=need.company_id, need_id=need.id, kind=kind,
                              user_id=user.id, organisation_id=user.organisation_id,
                              occurred_at=occurred_at, summary=summary.strip() or None,
                              outcome="Premier contact" if need.first_contact_at is None else None)
    db.session.add(interaction)
    stop_first_contact_clock(need, user, occurred_at)
    audit.record(user, "contact", need, {"kind": kind})
    db.session.flush()
    return interaction


def transfer(need: HiringNeed, user: User, organisation: Organisation, reason: str) -> None:
    """Hand the need to another organisation, whose least-loaded adviser of the basin takes it."""
    ensure_open(need)
    ensure_allowed(need, user, NeedAction.TRANSFER)
    if not reason.strip():
        raise WorkflowError("Indiquez le motif du transfert.")
    if organisation.id == need.organisation_id:
        raise WorkflowError("La demande est déjà pilotée par cette structure.")
    adviser = routing.least_loaded_adviser(organisation, need.basin_code)
    why = need_pilots.explanation(need.organisation, organisation, user, reason, adviser)
    need_pilots.change_pilot(need, organisation, adviser, user, why, reason.strip())
    change_status(need, "transfer", NeedStatus.ASSIGNED if adviser else NeedStatus.NEW, user,
                  organisation=organisation.name, reason=reason.strip())
    audit.record(user, "transfer", need, {"organisation": organisation.name, "reason": reason})
    notifications.need_transferred(need)


def check_reason(text: str | None, missing: str) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowError(missing)
    if len(text) > MAX_MESSAGE:
        raise WorkflowError(f"Le motif ne doit pas dépasser {MAX_MESSAGE} caractères.")
    return text


def propose_transfer(need: HiringNeed, user: User, reason: str) -> NeedTransferProposal:
    """Staff of another organisation who see the need ask its pilot to hand it over to them."""
    ensure_open(need)
    if access.pilots(user, need) and access.is_staff(user):
        raise WorkflowError("Votre structure pilote déjà cette demande : utilisez le transfert si "
                            "une autre structure doit la reprendre.")
    ensure_allowed(need, user, NeedAction.PROPOSE_TRANSFER)
    reason = check_reason(reason, "Indiquez pourquoi votre structure devrait piloter cette demande.")
    if any(p.organisation_id == user.organisation_id for p in pilots.pending_proposals(need)):
        # the need has a pilot: for an unpiloted one, access.pilots() is true and refused above
        raise WorkflowError("Votre structure a déjà proposé de reprendre cette demande : attendez "
                            f"la réponse {pilots.de(need.organisation.name)}.")  # type: ignore[union-attr]
    proposal = NeedTransferProposal(need_id=need.id, organisation_id=user.organisation_id,
                                    from_organisation_id=need.organisation_id,
                                    proposed_by_id=user.id, reason=reason, created_at=utcnow())
    db.session.add(proposal)
    db.session.flush()
    audit.record(user, "propose_transfer", need, {"organisation": user.organisation.name,
                                                  "reason": reason})
    notifications.transfer_proposed(need, proposal)
    db.session.flush()
    return proposal


def answer(need: HiringNeed, proposal: NeedTransferProposal, user: User,
           status: TransferProposalStatus, reason: str | None) -> None:
    """Record the pilot's answer to a proposal still waiting."""
    ensure_allowed(need, user, NeedAction.DECIDE_TRANSFER)
    if proposal.need_id != need.id or not pilots.settle(proposal, status, user, reason):
        raise WorkflowError("Cette proposition a déjà reçu une réponse.")


def proposed_adviser(proposal: NeedTransferProposal, need: HiringNeed) -> User | None:
    """The proposer, still active staff of the organisation, else its least-loaded adviser."""
    proposer = proposal.proposed_by
    if (proposer is not None and proposer.is_active and access.is_staff(proposer)
            and proposer.organisation_id == proposal.organisation_id):
        return proposer
    return engine.least_loaded_adviser(proposal.organisation, need.basin_code)


def accept_transfer(need: HiringNeed, proposal: NeedTransferProposal, user: User) -> None:
    """The pilot organisation (or an admin) hands the need to the proposing organisation."""
    ensure_open(need)
    organisation = proposal.organisation
    if not organisation.active:
        raise WorkflowError(f"{organisation.name} n'est plus active : la proposition ne peut pas "
                            "être acceptée.")
    if organisation.id == need.organisation_id:
        raise WorkflowError("La demande est déjà pilotée par cette structure.")
    answer(need, proposal, user, TransferProposalStatus.ACCEPTED, None)
    adviser = proposed_adviser(proposal, need)
    why = pilots.explanation(need.organisation, organisation, user, proposal.reason, adviser,
                                  proposal.proposed_by)
    need_pilots.change_pilot(need, organisation, adviser, user, why, proposal.reason)
    change_status(need, "accept_transfer", NeedStatus.ASSIGNED if adviser else NeedStatus.NEW,
                  user, organisation=organisation.name, reason=proposal.reason)
    audit.record(user, "accept_transfer", need, {"organisation": organisation.name,
                                                 "reason": proposal.reason,
                                                 "proposal": proposal.id})
    notifications.transfer_decided(need, proposal)
    if adviser is None:
        notifications.need_transferred(need)
    elif adviser.id not in (user.id, proposal.proposed_by_id):
        notifications.assignment(need, adviser.email)


def refuse_transfer(need: HiringNeed, proposal: NeedTransferProposal, user: User,
                    reason: str) -> None:
    """The pilot organisation (or an admin) keeps the need and says why."""
    reason = check_reason(reason, "Indiquez la raison du refus.")
    answer(need, proposal, user, TransferProposalStatus.REFUSED, reason)
    audit.record(user, "refuse_transfer", need, {"organisation": proposal.organisation.name,
                                                 "reason": reason, "proposal": proposal.id})
    notifications.transfer_decided(need, proposal)


def close(need: HiringNeed, user: User, outcome: NeedStatus, hires: int | None,
          reason: str | None, closing_reason: ClosingReason | None = None) -> None:
    """Close with a mandatory outcome: hires for filled needs; for the others (unfilled,
    cancelled, partly filled) a closing reason from the list, with a note when it is "other"."""
    ensure_open(need)
    ensure_allowed(need, user, NeedAction.CLOSE)
    if outcome not in OUTCOMES:
        raise WorkflowError("Choisissez l'issue de la demande.", "outcome")
    hires = hires or 0
    if outcome in (NeedStatus.FILLED, NeedStatus.PARTLY_FILLED) and hires < 1:
        raise WorkflowError("Indiquez le nombre de personnes recrutées.", "hires")
    if outcome == NeedStatus.PARTLY_FILLED and hires >= need.positions:
        raise WorkflowError("Tous les postes sont pourvus : choisissez « Pourvue ».", "outcome")
    note = (reason or "").strip() or None
    if outcome == NeedStatus.FILLED:
        closing_reason = None  # every position filled: nothing to explain
    elif closing_reason is None:
        raise WorkflowError("Choisissez le motif de clôture dans la liste.", "closing_reason")
    elif closing_reason == ClosingReason.OTHER and note is None:
        raise WorkflowError("Précisez le motif de clôture « Autre ».", "reason")
    need.hires, need.outcome_reason, need.closing_reason = hires, note, closing_reason
    change_status(need, "close", outcome, user, reason=closing_note(closing_reason, note))
    aftercare.plan_follow_ups(need, user)
    audit.record(user, "close", need, {"outcome": outcome, "hires": hires,
                                       "closing_reason": closing_reason})
    need_pilots.settle_pending(need, user, "La demande est clôturée.")
    notifications.need_closed(need)


def closing_note(closing_reason: ClosingReason | None, note: str | None) -> str | None:
    """The history's note of a closing: the reason from the list, then the adviser's words."""
    parts = [closing_reason.label if closing_reason else None, note]
    return " : ".join(part for part in parts if part) or None


def check_message(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise WorkflowError("Le message est vide.")
    if len(body) > MAX_MESSAGE:
        raise WorkflowError(f"Le message ne doit pas dépasser {MAX_MESSAGE} caractères.")
    return body


def add_employer_message(need: HiringNeed, body: str) -> NeedMessage:
    """A message from the employer's tracking page, forwarded to whoever handles the need."""
    ensure_open(need)
    message = NeedMessage(need=need, author=MessageAuthor.EMPLOYER, body=check_message(body))
    db.session.add(message)
    notifications.employer_wrote(need, message.body)
    db.session.flush()
    return message


def add_staff_message(need: HiringNeed, user: User, body: str, internal: bool) -> NeedMessage:
    """A note by staff: internal notes are never shown on the tracking page."""
    ensure_allowed(need, user, NeedAction.NOTE if internal else NeedAction.MESSAGE)
    message = NeedMessage(need=need, author=MessageAuthor.STAFF, user_id=user.id,
                          body=check_message(body), internal=internal)
    db.session.add(message)
    audit.record(user, "note" if internal else "message", need, {"internal": internal})
    db.session.flush()
    return message


def withdraw(need: HiringNeed, reason: str | None) -> None:
    """The employer withdraws the request from the tracking page."""
    ensure_open(need)
    note = "Demande retirée par l'employeur" + (f" : {reason.strip()}" if reason and reason.strip()
                                                 else ".")
    need.outcome_reason, need.closing_reason = note, ClosingReason.CANCELLED_BY_COMPANY
    change_status(need, "withdraw", NeedStatus.CANCELLED, None, reason=note)
    need_pilots.settle_pending(need, None, "La demande a été retirée par l'employeur.")
    notifications.employer_wrote(need, note)


def late_condition(now: datetime | None = None):
    """SQL condition: open needs with no first contact after their two-working-day deadline."""
    return sa.and_(HiringNeed.first_contact_at.is_(None),
                   HiringNeed.is_open,
                   HiringNeed.first_contact_due_at < (now or utcnow()))


def is_late(need: HiringNeed, now: datetime | None = None) -> bool:
    return (need.first_contact_at is None and need.is_open and need.first_contact_due_at is not None
            and need.first_contact_due_at < (now or utcnow()))
