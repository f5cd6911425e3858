"""Erasure by pseudonymisation: the person's name, address and phone leave every record and the
ledger (audit trail, need messages, e-mail copies), the records stay so that counts and histories
hold; and the purge of what is past its retention period. Updates go through SQL statements, not
the ORM, so that the automatic audit trail does not copy the erased details into itself."""

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    AuditEvent,
    Committee,
    CommitteeReport,
    Contact,
    EventRegistration,
    EventSurvey,
    HiringNeed,
    MessageStatus,
    NeedMessage,
    NeedSurvey,
    OutboxMessage,
    PrivacyRequest,
    PrivacyRequestKind,
    Upload,
    User,
    utcnow,
)
from crm.services.platform import audit
from crm.services.platform.contact_details import display_phone
from crm.services.privacy.holdings import Holdings

ERASED = "[effacé]"
ERASED_NAME = "Personne effacée"


def erased_address(kind: str, row_id: int) -> str:
    """A unique address that reaches nobody (the `.invalid` domain is reserved for that)."""
    return f"efface-{kind}-{row_id}@effacement.invalid"


def fingerprint(email: str) -> str:
    """How the ledger names an erased person: a digest, never the address."""
    return hashlib.sha256(email.encode()).hexdigest()[:16]


@dataclass
class Traces:
    """The details to wipe from free text and from the ledger."""

    values: set[str] = field(default_factory=set)

    def add(self, name: str | None, email: str | None, phone: str | None) -> None:
        """A person's name, address and phone (as stored, and as pages and e-mails write it)."""
        shown = display_phone(phone) if phone else None
        self.values.update(value.strip() for value in (name, email, phone, shown)
                           if value and len(value.strip()) >= 3)

    def scrub(self, text: str) -> str:
        for value in sorted(self.values, key=len, reverse=True):
            text = re.sub(re.escape(value), ERASED, text, flags=re.IGNORECASE)
        return text

    def scrub_json(self, value):
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub_json(item) for key, item in value.items()}
        return value


def erase_need_contacts(needs: Iterable[HiringNeed], traces: Traces) -> list[int]:
    ids = []
    for need in needs:
        traces.add(need.contact_name, need.contact_email, need.contact_phone)
        ids.append(need.id)
    for need_id in ids:
        db.session.execute(sa.update(HiringNeed).where(HiringNeed.id == need_id).values(
            contact_name=ERASED_NAME, contact_email=erased_address("demande", need_id),
            contact_phone=None, contact_erased_at=utcnow()))
    return ids


def erase_messages_of(need_ids: list[int], traces: Traces) -> None:
    """Wipe the details from the needs' exchanges (an employer's message may sign with them)."""
    if not need_ids:
        return
    for message in db.session.scalars(sa.select(NeedMessage).where(NeedMessage.need_id.in_(need_ids))):
        body = traces.scrub(message.body)
        if body != message.body:
            db.session.execute(sa.update(NeedMessage).where(NeedMessage.id == message.id).values(body=body))
    surveys = sa.select(NeedSurvey).where(NeedSurvey.need_id.in_(need_ids),
                                          NeedSurvey.comment.is_not(None))
    for survey in db.session.scalars(surveys):  # the survey's comment may sign with them too
        comment = traces.scrub(survey.comment or "")
        if comment != survey.comment:
            db.session.execute(sa.update(NeedSurvey).where(NeedSurvey.id == survey.id)
                               .values(comment=comment))


def erase_company_contacts(contacts: Iterable[Contact], traces: Traces) -> list[int]:
    ids = []
    for contact in contacts:
        traces.add(contact.name, contact.email, contact.phone)
        ids.append(contact.id)
        db.session.execute(sa.update(Contact).where(Contact.id == contact.id).values(
            name=ERASED_NAME, email=None, phone=None, job_title=None))
    return ids


def erase_registrations(registrations: Iterable[EventRegistration], traces: Traces) -> int:
    count = 0
    for registration in registrations:
        traces.add(registration.name, registration.email, registration.phone)
        db.session.execute(sa.update(EventRegistration).where(EventRegistration.id == registration.id)
                           .values(name=ERASED_NAME, email=erased_address("inscription", registration.id),
                                   phone=None))
        db.session.execute(sa.update(EventSurvey).where(EventSurvey.registration_id == registration.id)
                           .values(comment=None))  # their survey comment may sign with them
        count += 1
    return count


def erase_messages(messages: Iterable[OutboxMessage], traces: Traces) -> int:
    """E-mail copies to the person: kept as a trace that something was sent, without its text."""
    count = 0
    for message in messages:
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message.id).values(
            recipient=erased_address("courriel", message.id), subject=traces.scrub(message.subject),
            body=ERASED, status=(MessageStatus.FAILED if message.status in
                                 (MessageStatus.PENDING, MessageStatus.SENDING) else message.status)))
        count += 1
    return count


def leave_committees(committees: Iterable[Committee], email: str) -> list[int]:
    """Take the address out of the committees' members."""
    ids = []
    for committee in committees:
        db.session.execute(sa.update(Committee).where(Committee.id == committee.id).values(
            members=[member for member in committee.members if member != email]))
        ids.append(committee.id)
    return ids


def scrub_ledger(objects: dict[str, list[int]], traces: Traces) -> int:
    """Wipe the details from the audit events of the erased records."""
    count = 0
    for object_type, ids in objects.items():
        if not ids:
            continue
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.object_type == object_type, AuditEvent.object_id.in_([str(i) for i in ids])))
        for event in events:
            changes = traces.scrub_json(event.changes)
            if changes != event.changes:
                db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == event.id)
                                   .values(changes=changes))
                count += 1
    return count


def handled(kind: PrivacyRequestKind, actor: User | None, counts: dict[str, int],
            email: str | None = None, reason: str | None = None) -> PrivacyRequest:
    """Record a handled request (the person named by a digest) and audit it."""
    request = PrivacyRequest(kind=kind, person=fingerprint(email) if email else None, reason=reason,
                             counts=counts, handled_by_id=actor.id if actor else None)
    db.session.add(request)
    db.session.flush()
    audit.record(actor, f"personal_data_{kind.value}", request, counts)
    return request


def erase(holdings: Holdings, actor: User | None, reason: str) -> dict[str, int]:
    """Erase the person's details from everything `holdings` found (accounts excepted: an
    administrator deactivates those); recorded under a digest of the address, in the caller's unit
    of work."""
    traces = Traces()
    traces.add(None, holdings.email, None)
    need_ids = erase_need_contacts(holdings.need_contacts, traces)
    erase_messages_of(need_ids, traces)
    contact_ids = erase_company_contacts(holdings.company_contacts, traces)
    done = {"demandes": len(need_ids), "interlocuteurs": len(contact_ids),
            "inscriptions": erase_registrations(holdings.registrations, traces),
            "courriels": erase_messages(holdings.messages, traces)}
    committee_ids = leave_committees(holdings.committees, holdings.email)
    done["comites"] = len(committee_ids)
    report_ids = list(db.session.scalars(sa.select(CommitteeReport.id).where(
        CommitteeReport.committee_id.in_(committee_ids)))) if committee_ids else []
    done["journal"] = scrub_ledger({"HiringNeed": need_ids, "Contact": contact_ids,
                                    "Committee": committee_ids, "CommitteeReport": report_ids}, traces)
    handled(PrivacyRequestKind.ERASURE, actor, done, holdings.email, reason)
    db.session.expire_all()
    return done


def expired_contacts(months: int) -> list[HiringNeed]:
    """Needs closed more than `months` ago whose contact details are still held."""
    limit = utcnow() - timedelta(days=round(months * 30.44))
    return list(db.session.scalars(sa.select(HiringNeed).where(
        sa.not_(HiringNeed.is_open), HiringNeed.closed_at < limit, HiringNeed.contact_erased_at.is_(None),
    ).order_by(HiringNeed.id)))


def purge_expired(months: int, mail_days: int, upload_days: int) -> dict[str, int]:
    """Erase the employer contacts of needs closed more than `months` ago (their tracking link
    stops working), the text of e-mail copies older than `mail_days`, and the files uploaded or
    exported (partner lists and their parsed copies, rejects, company exports: they hold contacts)
    older than `upload_days`; recorded, in the caller's unit of work."""
    traces, needs = Traces(), expired_contacts(months)
    need_ids = erase_need_contacts(needs, traces)
    erase_messages_of(need_ids, traces)
    for need_id in need_ids:  # the employer's link dies with the details: a new secret nobody has
        db.session.execute(sa.update(HiringNeed).where(HiringNeed.id == need_id)
                           .values(tracking_token=secrets.token_urlsafe(32)))
    scrub_ledger({"HiringNeed": need_ids}, traces)
    old_mail = sa.update(OutboxMessage).where(
        OutboxMessage.created_at < utcnow() - timedelta(days=mail_days), OutboxMessage.body != ERASED,
        OutboxMessage.status.in_((MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.HELD)),
    ).values(body=ERASED)
    mails = db.session.execute(old_mail).rowcount  # type: ignore[attr-defined]  # a CursorResult
    old_files = sa.delete(Upload).where(Upload.created_at < utcnow() - timedelta(days=upload_days))
    files = db.session.execute(old_files).rowcount  # type: ignore[attr-defined]  # a CursorResult
    done = {"demandes": len(need_ids), "courriels": mails, "fichiers": files}
    if any(done.values()):
        handled(PrivacyRequestKind.PURGE, None, done)
    db.session.expire_all()
    return done
