"""The e-mails a need causes, written to the outbox in the caller's transaction."""

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    HiringNeed,
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
from crm.services.platform.local_time import local_from_utc
from crm.services.platform.wording import plural
from crm.services.platform.working_days import deadline_label

SIGNATURE = "\n\n-- \nLe réseau pour l'emploi de Bourgogne-Franche-Comté"


def need_url(need: HiringNeed) -> str:
    return links.public_url(f"/demandes/{need.reference}")


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
    pilot = need.organisation.name if need.organisation else "le réseau pour l'emploi"
    body = (
        f"Bonjour,\n\nVotre demande de recrutement « {need.job_label} » "
        f"({plural(need.positions, 'poste')}) est enregistrée sous la référence {need.reference}.\n"
        f"Elle est suivie par {pilot}. Un conseiller vous contactera sous deux jours ouvrés, "
        f"au plus tard le {deadline_label(need.first_contact_due_at)}.\n\n"
        f"Suivez son avancement à tout moment : {url}{SIGNATURE}"
    )
    return outbox.add_message("need_ack", recipient, f"Demande {need.reference} enregistrée", body)


def first_contact_sentence(need: HiringNeed) -> str:
    """When the employer expects the first contact, as the staff e-mails say it."""
    if need.first_contact_at is not None:
        return f"Premier contact déjà pris le {local_from_utc(need.first_contact_at):%d/%m/%Y}."
    if need.first_contact_due_at is None:
        return "Premier contact attendu sous deux jours ouvrés."
    return f"Premier contact attendu au plus tard le {deadline_label(need.first_contact_due_at)}."


def assignment(need: HiringNeed, recipient: str) -> OutboxMessage:
    body = (
        f"Bonjour,\n\nLa demande {need.reference} de {need.company.name} "
        f"({need.job_label}, {plural(need.positions, 'poste')}) vous est confiée.\n"
        f"Motif : {need.routing_reason}\n"
        f"{first_contact_sentence(need)}\n\n{need_url(need)}{SIGNATURE}"
    )
    return outbox.add_message("need_assigned", recipient, f"Nouvelle demande {need.reference}",
                              body)


def flush(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    db.session.flush()
    return messages


def need_filed(need: HiringNeed, tracking_url: str) -> list[OutboxMessage]:
    messages = [acknowledgement(need, tracking_url)]
    messages += [assignment(need, recipient) for recipient in staff_recipients(need)]
    return flush(messages)


def need_updated(need: HiringNeed) -> list[OutboxMessage]:
    body = (f"Bonjour,\n\nL'employeur a complété la demande {need.reference} "
            f"de {need.company.name}.\n\n{need_url(need)}{SIGNATURE}")
    return flush([outbox.add_message("need_updated", recipient,
                                     f"Demande {need.reference} complétée", body)
                  for recipient in staff_recipients(need)])


def need_transferred(need: HiringNeed) -> list[OutboxMessage]:
    return flush([assignment(need, recipient) for recipient in staff_recipients(need)])


def organisation_managers(organisation: Organisation) -> list[User]:
    query = (sa.select(User).where(User.organisation_id == organisation.id,
                                   User.role == Role.MANAGER, User.active).order_by(User.id))
    return list(db.session.scalars(query))


def previous_pilot_recipients(organisation: Organisation, adviser: User | None,
                              actor: User) -> list[str]:
    """Who hears that the need left their organisation: its adviser, else the organisation's
    address, else its managers; never the person who made the change."""
    if adviser is not None and adviser.organisation_id == organisation.id and adviser.active:
        recipients = [adviser.email]
    elif organisation.email:
        recipients = [organisation.email]
    else:
        recipients = [manager.email for manager in organisation_managers(organisation)]
    return [email for email in recipients if email != actor.email]


def pilot_changed(need: HiringNeed, previous: Organisation, adviser: User | None, actor: User,
                  reason: str) -> list[OutboxMessage]:
    """Tell the previous pilot organisation that the need is now piloted by another one, and why."""
    assert need.organisation is not None, "a transferred need has a pilot"
    body = (f"Bonjour,\n\nLa demande {need.reference} de {need.company.name} ({need.job_label}) "
            f"n'est plus pilotée par {previous.name} : {actor.name} ({actor.organisation.name}) "
            f"l'a confiée à {need.organisation.name}.\nMotif : {reason}\n\n"
            f"{need_url(need)}{SIGNATURE}")
    return flush([outbox.add_message("need_pilot_changed", recipient,
                                     f"Demande {need.reference} transférée", body)
                  for recipient in previous_pilot_recipients(previous, adviser, actor)])


def proposer_recipients(proposal: NeedTransferProposal) -> list[str]:
    """The person who proposed the transfer, else their organisation's address."""
    if proposal.proposed_by is not None and proposal.proposed_by.active:
        return [proposal.proposed_by.email]
    return [proposal.organisation.email] if proposal.organisation.email else []


def transfer_proposed(need: HiringNeed, proposal: NeedTransferProposal) -> list[OutboxMessage]:
    """Ask the pilot organisation to accept or refuse another organisation's proposal."""
    who = proposal.proposed_by
    assert who is not None, "a new proposal's author"
    body = (f"Bonjour,\n\n{who.name} ({who.organisation.name}) propose que "
            f"{proposal.organisation.name} pilote la demande {need.reference} de "
            f"{need.company.name} ({need.job_label}).\nMotif : {proposal.reason}\n\n"
            f"Acceptez ou refusez la proposition sur la page de la demande : "
            f"{need_url(need)}{SIGNATURE}")
    return flush([outbox.add_message("need_transfer_proposed", recipient,
                                     f"Proposition de transfert – {need.reference}", body)
                  for recipient in staff_recipients(need)])


DECISIONS = {
    TransferProposalStatus.ACCEPTED: ("need_transfer_accepted", "acceptée",
                                      "La demande est désormais pilotée par votre structure."),
    TransferProposalStatus.REFUSED: ("need_transfer_refused", "refusée",
                                     "La demande reste pilotée par {pilot}."),
    TransferProposalStatus.LAPSED: ("need_transfer_lapsed", "restée sans suite", ""),
}


def transfer_decided(need: HiringNeed, proposal: NeedTransferProposal) -> list[OutboxMessage]:
    """Tell the proposer what came of the proposal, with the reason given."""
    kind, word, sentence = DECISIONS[proposal.status]
    pilot = need.organisation.name if need.organisation else "aucune structure"
    by = (f" par {proposal.decided_by.name}"
          if proposal.decided_by and proposal.status != TransferProposalStatus.LAPSED else "")
    reason = f"\nMotif : {proposal.decision_reason}" if proposal.decision_reason else ""
    next_line = f"\n{sentence.format(pilot=pilot)}" if sentence else ""
    body = (f"Bonjour,\n\nVotre proposition de reprendre la demande {need.reference} de "
            f"{need.company.name} ({need.job_label}) est {word}{by}.{reason}{next_line}\n\n"
            f"{need_url(need)}{SIGNATURE}")
    return flush([outbox.add_message(kind, recipient,
                                     f"Proposition de transfert {word} – {need.reference}", body)
                  for recipient in proposer_recipients(proposal)])


OUTCOME_SENTENCES = {
    "filled": "Votre recrutement est réalisé : la demande est clôturée.",
    "partly_filled": "Une partie des postes est pourvue : la demande est clôturée.",
    "unfilled": "La demande est clôturée sans recrutement.",
    "cancelled": "La demande est annulée.",
}


def need_closed(need: HiringNeed) -> list[OutboxMessage]:
    """Tell the employer that the request is closed, with the tracking link."""
    body = (f"Bonjour,\n\n{OUTCOME_SENTENCES[need.status.value]} (référence {need.reference})\n"
            f"Le détail reste consultable : "
            f"{links.public_url(f'/recrutement/suivi/{need.tracking_token}')}{SIGNATURE}")
    return flush([outbox.add_message("need_closed", need.contact_email,
                                     f"Demande {need.reference} clôturée", body)])


def employer_wrote(need: HiringNeed, text: str) -> list[OutboxMessage]:
    body = (f"Bonjour,\n\nL'employeur a écrit au sujet de la demande {need.reference} "
            f"({need.company.name}) :\n\n{text}\n\n{need_url(need)}{SIGNATURE}")
    return flush([outbox.add_message("employer_message", recipient,
                                     f"Message de l'employeur – {need.reference}", body)
                  for recipient in staff_recipients(need)])


def late_reminder(adviser: User, late: list[HiringNeed]) -> OutboxMessage:
    """The daily reminder of an adviser's needs whose first-contact day has passed."""
    lines = "\n".join(f"- {n.reference} : {n.company.name} ({n.job_label}), premier contact attendu "
                      f"au plus tard le {deadline_label(n.first_contact_due_at)} — {need_url(n)}"
                      for n in late)
    waiting = "attend" if len(late) == 1 else "attendent"
    body = (f"Bonjour {adviser.name},\n\n{plural(len(late), 'demande')} {waiting} encore un premier "
            f"contact alors que le jour promis à l'employeur est passé :\n\n{lines}{SIGNATURE}")
    return outbox.add_message("late_reminder", adviser.email,
                              f"{plural(len(late), 'demande')} en retard de premier contact", body)
