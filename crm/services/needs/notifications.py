"""The e-mails a need causes, written to the outbox in the caller's transaction."""

from dataclasses import dataclass

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    HiringNeed,
    NeedContribution,
    NeedSource,
    NeedTransferProposal,
    Organisation,
    OutboxMessage,
    Role,
    TransferProposalStatus,
    User,
)
from crm.models.user import user_basins
from crm.services.platform import links, outbox


def need_url(need: HiringNeed) -> str:
    return links.public_url(f"/demandes/{need.reference}")


def need_urls(needs: list[HiringNeed]) -> dict[str, str]:
    """The links of the needs an e-mail lists, by reference."""
    return {need.reference: need_url(need) for need in needs}


def basin_managers(basin_code: str | None) -> list[User]:
    """Active managers who follow a basin: they watch its unassigned queue."""
    if not basin_code:
        return []
    query = (sa.select(User).join(user_basins)
             .where(user_basins.c.basin_code == basin_code, User.role == Role.MANAGER,
                    User.active)
             .order_by(User.id))
    return list(db.session.scalars(query))


def staff_recipients(need: HiringNeed) -> list[str]:
    """Who must act: the adviser, else the pilot organisation's address, else the basin managers."""
    if need.adviser is not None:
        return [need.adviser.email]
    if need.organisation is not None and need.organisation.email:
        return [need.organisation.email]
    return [manager.email for manager in basin_managers(need.basin_code)]


def acknowledgement(need: HiringNeed, url: str) -> OutboxMessage:
    """The employer's (or, for a spotter flag, the partner's) receipt with the tracking link."""
    recipient = need.contact_email
    if need.source == NeedSource.SPOTTER and need.flagged_by is not None:
        recipient = need.flagged_by.email
    return outbox.add_mail("need_ack", recipient, need=need, url=url)


def assignment(need: HiringNeed, recipient: str) -> OutboxMessage:
    return outbox.add_mail("need_assigned", recipient, need=need, url=need_url(need))


def flush(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    db.session.flush()
    return messages


def need_filed(need: HiringNeed, tracking_url: str) -> list[OutboxMessage]:
    messages = [acknowledgement(need, tracking_url)]
    messages += [assignment(need, recipient) for recipient in staff_recipients(need)]
    return flush(messages)


def need_updated(need: HiringNeed) -> list[OutboxMessage]:
    return flush([outbox.add_mail("need_updated", recipient, need=need, url=need_url(need))
                  for recipient in staff_recipients(need)])


def need_transferred(need: HiringNeed) -> list[OutboxMessage]:
    return flush([assignment(need, recipient) for recipient in staff_recipients(need)])


def organisation_managers(organisation: Organisation) -> list[User]:
    query = (sa.select(User).where(User.organisation_id == organisation.id,
                                   User.role == Role.MANAGER, User.active).order_by(User.id))
    return list(db.session.scalars(query))


def handler_recipients(organisation: Organisation, adviser: User | None,
                       actor: User | None) -> list[str]:
    """Who hears, for an organisation, of a change on a need: its adviser on it, else the
    organisation's address, else its managers; never the person who made the change."""
    if adviser is not None and adviser.organisation_id == organisation.id and adviser.active:
        recipients = [adviser.email]
    elif organisation.email:
        recipients = [organisation.email]
    else:
        recipients = [manager.email for manager in organisation_managers(organisation)]
    return [email for email in recipients if actor is None or email != actor.email]


def pilot_changed(need: HiringNeed, previous: Organisation, adviser: User | None, actor: User,
                  reason: str) -> list[OutboxMessage]:
    """Tell the previous pilot organisation that the need is now piloted by another one, and why."""
    return flush([outbox.add_mail("need_pilot_changed", recipient, need=need, previous=previous,
                                  actor=actor, reason=reason, url=need_url(need))
                  for recipient in handler_recipients(previous, adviser, actor)])


def co_handler_invited(need: HiringNeed, organisation: Organisation, adviser: User | None,
                       by: User | None, why: str | None) -> list[OutboxMessage]:
    """Tell an organisation invited to co-handle a need (by the pilot or a routing rule)."""
    return flush([outbox.add_mail("co_handling_invited", recipient, need=need,
                                  organisation=organisation, by=by, why=why, url=need_url(need))
                  for recipient in handler_recipients(organisation, adviser, by)])


def co_handler_removed(need: HiringNeed, organisation: Organisation, adviser: User | None,
                       by: User, reason: str) -> list[OutboxMessage]:
    """Tell an organisation that it no longer co-handles a need, and why."""
    return flush([outbox.add_mail("co_handling_removed", recipient, need=need,
                                  organisation=organisation, by=by, reason=reason, url=need_url(need))
                  for recipient in handler_recipients(organisation, adviser, by)])


def proposer_recipients(proposal: NeedTransferProposal) -> list[str]:
    """The person who proposed the transfer, else their organisation's address."""
    if proposal.proposed_by is not None and proposal.proposed_by.active:
        return [proposal.proposed_by.email]
    return [proposal.organisation.email] if proposal.organisation.email else []


def transfer_proposed(need: HiringNeed, proposal: NeedTransferProposal) -> list[OutboxMessage]:
    """Ask the pilot organisation to accept or refuse another organisation's proposal."""
    return flush([outbox.add_mail("need_transfer_proposed", recipient, need=need,
                                  proposal=proposal, url=need_url(need))
                  for recipient in staff_recipients(need)])


DECISIONS = {
    TransferProposalStatus.ACCEPTED: "need_transfer_accepted",
    TransferProposalStatus.REFUSED: "need_transfer_refused",
    TransferProposalStatus.LAPSED: "need_transfer_lapsed",
}


def transfer_decided(need: HiringNeed, proposal: NeedTransferProposal) -> list[OutboxMessage]:
    """Tell the proposer what came of the proposal, with the reason given."""
    return flush([outbox.add_mail(DECISIONS[proposal.status], recipient, need=need,
                                  proposal=proposal, url=need_url(need))
                  for recipient in proposer_recipients(proposal)])


OUTCOME_SENTENCES = {
    "filled": "Votre recrutement est réalisé : la demande est clôturée.",
    "partly_filled": "Une partie des postes est pourvue : la demande est clôturée.",
    "unfilled": "La demande est clôturée sans recrutement.",
    "cancelled": "La demande est annulée.",
}


def need_closed(need: HiringNeed) -> list[OutboxMessage]:
    """Tell the employer that the request is closed, with the tracking link."""
    return flush([outbox.add_mail(
        "need_closed", need.contact_email, need=need, outcome=OUTCOME_SENTENCES[need.status.value],
        url=links.public_url(f"/recrutement/suivi/{need.tracking_token}"))])


def employer_wrote(need: HiringNeed, text: str) -> list[OutboxMessage]:
    return flush([outbox.add_mail("employer_message", recipient, need=need, text=text,
                                  url=need_url(need))
                  for recipient in staff_recipients(need)])


def late_reminder(adviser: User, late: list[HiringNeed]) -> OutboxMessage:
    """The daily reminder of an adviser's needs whose first-contact day has passed."""
    return outbox.add_mail("late_reminder", adviser.email, adviser=adviser, late=late,
                           need_urls=need_urls(late))


def flag_url(need: HiringNeed) -> str:
    """The flag's page in the partner's "Mes signalements"."""
    return links.public_url(f"/signalements/{need.reference}")


@dataclass(frozen=True)
class Spotter:
    """A partner organisation that told the network of a need: by flagging it, or by a flag
    attached to it while it was open (a contribution), and the person who did."""

    organisation: Organisation
    user: User | None
    contribution: bool


def spotters_of(need: HiringNeed) -> list[Spotter]:
    """The organisation that flagged the need, then those whose flags were attached to it."""
    found = []
    if need.source == NeedSource.SPOTTER and need.source_organisation is not None:
        found.append(Spotter(need.source_organisation, need.flagged_by, contribution=False))
    query = (sa.select(NeedContribution).where(NeedContribution.need_id == need.id)
             .order_by(NeedContribution.id))
    found += [Spotter(c.organisation, c.user, contribution=True)
              for c in db.session.scalars(query)]
    return found


def organisation_users(organisation: Organisation) -> list[User]:
    query = (sa.select(User).where(User.organisation_id == organisation.id, User.active)
             .order_by(User.id))
    return list(db.session.scalars(query))


def organisation_recipients(organisation: Organisation) -> list[str]:
    """A partner organisation's address, else its active users' addresses."""
    if organisation.email:
        return [organisation.email]
    return [user.email for user in organisation_users(organisation)]


def spotter_recipients(spotter: Spotter) -> list[str]:
    """The person who flagged, while active in the organisation; else the organisation."""
    user = spotter.user
    if user is not None and user.active and user.organisation_id == spotter.organisation.id:
        return [user.email]
    return organisation_recipients(spotter.organisation)


# the routing at filing is a step the partner's acknowledgement already tells
QUIET_MOVES = frozenset({"route"})


def spotters_told(need: HiringNeed, move: str) -> list[OutboxMessage]:
    """Tell the spotters of a need its new status, with the adviser, and at closure its outcome
    and hires: an e-mail now, unless their organisation prefers the daily digest
    (`needs.spotter_digest` then reads the need's history)."""
    if move in QUIET_MOVES:
        return []
    return [outbox.add_mail("spotter_need_news", recipient, need=need,
                            contribution=spotter.contribution, url=flag_url(need))
            for spotter in spotters_of(need) if not spotter.organisation.spotter_digest
            for recipient in spotter_recipients(spotter)]
