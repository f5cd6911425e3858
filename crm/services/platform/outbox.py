"""The outbox: notifications written in the same transaction as their cause, delivered once.
Every message added (or put back in the queue) is handed to the mail queue once its transaction
commits, by the session hooks below; nothing is queued when the transaction rolls back."""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, attributes

from crm import broker
from crm.extensions import db
from crm.models import MessageStatus, OutboxMessage, User, utcnow
from crm.services.platform import audit, mail, unit_of_work
from crm.services.platform.mail_templates import render_mail

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
    "co_handling_invited": "Invitation d'une structure à co-traiter une demande",
    "co_handling_removed": "Fin de la co-traitance d'une demande, pour la structure retirée",
    "need_transfer_accepted": "Proposition de transfert acceptée",
    "need_transfer_refused": "Proposition de transfert refusée",
    "need_transfer_lapsed": "Proposition de transfert restée sans suite",
    "spotter_need_news": "Suites d'un signalement, pour le partenaire",
    "spotter_digest": "Résumé quotidien des suites des signalements, pour le partenaire",
    "checklist_sent": "Entreprises à vérifier, pour un partenaire",
    "training_stalled": "Relance des demandes de POE qui n'avancent plus",
    "account_invitation": "Invitation à choisir son mot de passe (nouveau compte)",
    "password_reset": "Lien pour choisir un nouveau mot de passe",
    "event_registered": "Inscription à un événement, pour le candidat",
    "event_promoted": "Place libérée à un événement, pour le candidat en attente",
    "event_cancelled": "Annulation d'un événement, pour les inscrits",
    "event_reminder": "Rappel d'un événement (J-2), pour les inscrits",
    "event_invitation": "Invitation d'une entreprise à un événement",
    "event_survey": "Questionnaire de satisfaction après un événement, pour les candidats présents "
                    "et les entreprises",
    "satisfaction_survey": "Questions de satisfaction, pour l'employeur (une semaine après la clôture)",
    "satisfaction_alert": "Satisfaction des employeurs sous le seuil, pour les responsables",
    "committee_report": "Rapport d'un comité France Travail, pour ses membres",
}


def kind_label(kind: str) -> str:
    """What a message is, in French (its internal kind when the application has no label for it)."""
    return KIND_LABELS.get(kind, kind)


def add_mail(kind: str, recipient: str, **context) -> OutboxMessage:
    """Write an e-mail from its template (crm/templates/mail/<kind>.txt) into the current
    transaction; it is sent only if the transaction commits."""
    return add_message(kind, recipient, *render_mail(kind, **context))


def add_message(kind: str, recipient: str, subject: str, body: str) -> OutboxMessage:
    """Add a message already written to the current transaction (`add_mail` writes it)."""
    if len(subject) > SUBJECT_LENGTH:  # a long firm's or job's name: cut, never refused
        subject = subject[:SUBJECT_LENGTH - 1].rstrip() + "…"
    message = OutboxMessage(kind=kind, recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    return message


DELIVERY_JOB = "jobs.mail.deliver_message"
QUEUED_IDS = "crm_outbox_queued_ids"
SENDING_TIMEOUT = timedelta(minutes=10)  # an SMTP exchange gives up after 20 s per step
SUBJECT_LENGTH: int = OutboxMessage.__table__.c.subject.type.length  # type: ignore[attr-defined]


def dispatch(message_ids: list[int]) -> None:
    """Ask the queue to deliver (by the job's name: services do not import jobs); if Redis is
    down, the periodic sweep will."""
    for message_id in message_ids:
        broker.enqueue("mail", DELIVERY_JOB, message_id)


def queued_for_delivery(session: Session, item: object) -> bool:
    """A message this flush wrote as pending: a new one, or one put back in the queue (`retry`)."""
    return isinstance(item, OutboxMessage) and (
        item in session.new or MessageStatus.PENDING in attributes.get_history(item, "status").added)


unit_of_work.queue_after_commit(QUEUED_IDS, queued_for_delivery, dispatch)


def claim(message_id: int) -> OutboxMessage | None:
    """Atomically move a pending message to 'sending'; None if another delivery took it."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.PENDING)
        .values(status=MessageStatus.SENDING, attempts=OutboxMessage.attempts + 1,
                claimed_at=utcnow())
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


def reclaim_abandoned() -> int:
    """Put back in the queue the messages still 'sending' SENDING_TIMEOUT after a delivery took
    them: its worker died mid-send. The Message-ID stays the message's own, so a receiving server
    that did get the first attempt can drop the second. Returns how many were put back."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.SENDING,
               sa.or_(OutboxMessage.claimed_at.is_(None),
                      OutboxMessage.claimed_at < utcnow() - SENDING_TIMEOUT))
        .values(status=MessageStatus.PENDING, claimed_at=None,
                last_error="Envoi interrompu (processus arrêté) : nouvel essai.")
    )
    db.session.commit()
    return result.rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


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
