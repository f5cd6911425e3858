"""The outbox: notifications written in the same transaction as their cause, delivered once."""

import logging

import sqlalchemy as sa
from flask import current_app

from crm import broker
from crm.extensions import db
from crm.models import MessageStatus, OutboxMessage, User, utcnow
from crm.services.platform import audit, mail

log = logging.getLogger(__name__)

KIND_LABELS = {
    "need_ack": "Accusé de réception d'une demande",
    "need_assigned": "Demande confiée à traiter",
    "need_updated": "Demande complétée par l'employeur",
    "need_closed": "Clôture d'une demande, pour l'employeur",
    "employer_message": "Message de l'employeur",
    "late_reminder": "Relance des demandes en retard de premier contact",
    "referent_assigned": "Désignation comme référent d'une entreprise",
    "task_assigned": "Tâche confiée",
    "daily_digest": "Résumé quotidien « Ma journée »",
    "need_pilot_changed": "Changement de structure pilote d'une demande",
    "need_transfer_proposed": "Proposition de transfert d'une demande",
    "need_transfer_accepted": "Proposition de transfert acceptée",
    "need_transfer_refused": "Proposition de transfert refusée",
    "need_transfer_lapsed": "Proposition de transfert restée sans suite",
}


def kind_label(kind: str) -> str:
    """What a message is, in French (its internal kind when the application has no label for it)."""
    return KIND_LABELS.get(kind, kind)


def add_message(kind: str, recipient: str, subject: str, body: str) -> OutboxMessage:
    """Add a message to the current transaction; it is sent only if the transaction commits."""
    message = OutboxMessage(kind=kind, recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    return message


def dispatch(message_ids: list[int]) -> None:
    """After commit: ask the queue to deliver; if Redis is down, the periodic sweep will."""
    from jobs.mail import deliver_message

    for message_id in message_ids:
        broker.enqueue("mail", deliver_message, message_id)


def claim(message_id: int) -> OutboxMessage | None:
    """Atomically move a pending message to 'sending'; None if another delivery took it."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.PENDING)
        .values(status=MessageStatus.SENDING, attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        return None
    return db.session.get(OutboxMessage, message_id)


def deliver(message_id: int) -> MessageStatus | None:
    """Send one message at most once; without CRM_MAIL_URL it is held for admins to read."""
    message = claim(message_id)
    if message is None:
        return None
    url = current_app.config["CRM_MAIL_URL"]
    if not url:
        message.status = MessageStatus.HELD
    else:
        try:
            mail.send(url, current_app.config["CRM_MAIL_FROM"], message)
            message.status, message.sent_at = MessageStatus.SENT, utcnow()
        except (OSError, mail.MailError) as error:
            log.warning("message %s not delivered: %s", message_id, error)
            message.status, message.last_error = MessageStatus.FAILED, str(error)
    db.session.commit()
    return message.status


def pending_ids(limit: int = 500) -> list[int]:
    query = (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


RETRYABLE = (MessageStatus.FAILED, MessageStatus.HELD)


def messages_query(status: str | None = None) -> sa.Select:
    """Outbox messages, newest first, optionally in one status."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == MessageStatus(status))
    return query


def retry(message: OutboxMessage, actor: User | None = None) -> None:
    """Put a failed or held message back in the queue (admins, after fixing the mail set-up)."""
    if message.status in RETRYABLE:
        audit.record(actor, "retry", message, {"status": message.status})
        message.status = MessageStatus.PENDING
        message.last_error = None
