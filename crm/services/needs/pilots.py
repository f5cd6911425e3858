"""Changing the organisation that pilots a need: the one path every change takes (a transfer, an
accepted proposal, an admin taking charge for another organisation, a need taken from the basin's
queue). It rewrites "Pourquoi cette orientation ?", tells the previous pilot and settles the
transfer proposals still waiting. The caller writes the status history and the audit event."""

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    HiringNeed,
    NeedTransferProposal,
    Organisation,
    OutboxMessage,
    TransferProposalStatus,
    User,
    utcnow,
)
from crm.services.needs import notifications

VOWELS = "AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜ"


def de(name: str) -> str:
    """French "de" before a name, elided before a vowel: « d'APEC Dijon », « de Paul »."""
    return f"d'{name}" if name[:1].upper() in VOWELS else f"de {name}"


def sentence(text: str) -> str:
    """The text with a final full stop unless it already ends a sentence."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def explanation(previous: Organisation | None, organisation: Organisation, actor: User,
                reason: str, adviser: User | None, proposer: User | None = None) -> str:
    """Why the need is now piloted by `organisation`: from whom, by whom, on whose proposal, why."""
    origin = f" {de(previous.name)}" if previous is not None else ""
    text = f"Transférée{origin} à {organisation.name} par {actor.name} ({actor.organisation.name})"
    if proposer is not None:
        text += f", sur proposition {de(proposer.name)} ({proposer.organisation.name})"
    who = (f"Conseiller désigné : {adviser.name}." if adviser is not None
           else f"La demande attend un conseiller {de(organisation.name)}.")
    return f"{text} : {sentence(reason)} {who}"


def from_queue(actor: User) -> str:
    """Why a need that waited in the basin's queue is now piloted by the actor's organisation."""
    return (f"Prise en charge par {actor.name} ({actor.organisation.name}) depuis la file "
            f"d'attente du bassin.")


def pending_proposals(need: HiringNeed) -> list[NeedTransferProposal]:
    query = (sa.select(NeedTransferProposal)
             .where(NeedTransferProposal.need_id == need.id,
                    NeedTransferProposal.status == TransferProposalStatus.PENDING)
             .order_by(NeedTransferProposal.created_at, NeedTransferProposal.id))
    return list(db.session.scalars(query))


def settle(proposal: NeedTransferProposal, status: TransferProposalStatus, actor: User | None,
           reason: str | None) -> bool:
    """Record the answer to a proposal that is still waiting; False when it no longer was."""
    result = db.session.execute(
        sa.update(NeedTransferProposal)
        .where(NeedTransferProposal.id == proposal.id,
               NeedTransferProposal.status == TransferProposalStatus.PENDING)
        .values(status=status, decided_by_id=actor.id if actor else None, decided_at=utcnow(),
                decision_reason=reason)
        .execution_options(synchronize_session=False))
    db.session.refresh(proposal)
    return result.rowcount == 1  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def settle_pending(need: HiringNeed, actor: User | None, why: str,
                   pilot: Organisation | None = None) -> list[OutboxMessage]:
    """The proposals still waiting: granted when their organisation becomes the pilot, otherwise
    without effect; each proposer is told."""
    messages = []
    for proposal in pending_proposals(need):
        granted = pilot is not None and proposal.organisation_id == pilot.id
        if granted:
            settle(proposal, TransferProposalStatus.ACCEPTED, actor, None)
        else:
            settle(proposal, TransferProposalStatus.LAPSED, actor, why)
        messages += notifications.transfer_decided(need, proposal)
    return messages


def change_pilot(need: HiringNeed, organisation: Organisation, adviser: User | None, actor: User,
                 why: str, reason: str) -> list[OutboxMessage]:
    """Make `organisation` the pilot and `adviser` the adviser, with `why` as the routing
    explanation; the previous pilot is told `reason`. Returns the messages written."""
    previous, previous_adviser = need.organisation, need.adviser
    need.organisation_id, need.adviser_id = organisation.id, adviser.id if adviser else None
    need.routing_reason = why
    db.session.flush()
    db.session.refresh(need)
    messages = settle_pending(need, actor, f"La demande a été confiée à {organisation.name}.",
                              organisation)
    if previous is not None and previous.id != organisation.id:
        messages += notifications.pilot_changed(need, previous, previous_adviser, actor, reason)
    return messages
