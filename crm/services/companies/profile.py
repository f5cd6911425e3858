"""A firm's record as staff keep it: the referent adviser, corrections to its identity, contact
preferences, segment tags and the people met there. Plain changes are audited automatically;
a referent change is recorded with its reason and the new referent is told through the outbox."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.models import (
    Channel,
    Company,
    Contact,
    HiringNeed,
    OutboxMessage,
    User,
    utcnow,
)
from crm.services.accounts import access
from crm.services.platform import audit, links, outbox
from crm.services.platform.concurrency import ensure_version, stale_message
from crm.services.platform.refusals import Refused
from crm.services.platform.wording import normalise_name

MAX_TAG = 30
STALE = stale_message("cette entreprise")


class ProfileError(Refused):
    """A change refused with a French message saying what to do."""


@dataclass(frozen=True)
class Identity:
    """What staff may correct on a firm's record."""

    name: str
    sign: str | None
    address: str | None
    postal_code: str | None
    preferred_channel: Channel | None
    do_not_contact_before: date | None


@dataclass(frozen=True)
class Person:
    """A contact as typed, already validated (e-mail and phone normalised)."""

    name: str
    job_title: str | None
    email: str | None
    phone: str | None
    consent: bool


def company_page(company_id: int) -> Company | None:
    """A firm with what its page shows (place, referent, contacts) loaded up front."""
    query = sa.select(Company).where(Company.id == company_id).options(
        joinedload(Company.commune), joinedload(Company.basin), joinedload(Company.referent),
        selectinload(Company.contacts))
    return db.session.scalar(query)


def open_needs(company: Company, user: User) -> list[tuple[HiringNeed, bool]]:
    """The firm's open needs from every organisation, oldest first, each with whether the user
    may open it."""
    query = (sa.select(HiringNeed, sa.func.coalesce(access.need_scope(user), sa.false()))
             .where(HiringNeed.company_id == company.id, HiringNeed.is_open)
             .options(joinedload(HiringNeed.adviser), joinedload(HiringNeed.organisation),
                      joinedload(HiringNeed.rome))
             .order_by(HiringNeed.created_at, HiringNeed.id))
    return [(need, bool(visible)) for need, visible in db.session.execute(query)]


def visible_references(user: User, references: set[str]) -> set[str]:
    """Which of these need references the user may open."""
    if not references:
        return set()
    query = sa.select(HiringNeed.reference).where(HiringNeed.reference.in_(references),
                                                  access.need_scope(user))
    return set(db.session.scalars(query))


def referent_message(company: Company, referent: User, actor: User, reason: str) -> OutboxMessage:
    return outbox.add_mail("referent_assigned", referent.email, company=company,
                           referent=referent, actor=actor, reason=reason,
                           url=links.public_url(f"/entreprises/{company.id}"))


def change_referent(company: Company, actor: User, referent: User | None, reason: str,
                    version: int | None) -> None:
    """Set the first referent, or change or remove it with a reason; audited, the new referent
    notified."""
    ensure_version(company, version, STALE)
    reason = reason.strip()
    if not reason and company.referent_id is not None:
        raise ProfileError("Indiquez le motif du changement de référent.")
    if (referent.id if referent else None) == company.referent_id:
        raise ProfileError("Cette personne est déjà le référent de l'entreprise.")
    if referent is not None and not (referent.active and access.is_staff(referent)):
        raise ProfileError("Choisissez un conseiller actif.")
    before = company.referent.name if company.referent else None
    company.referent = referent
    audit.record(actor, "referent_changed", company,
                 {"from": before, "to": referent.name if referent else None, "reason": reason or None})
    if referent is not None:
        referent_message(company, referent, actor, reason)


def correct_identity(company: Company, identity: Identity, version: int | None) -> None:
    """Save staff corrections unless someone else saved the firm since the form was opened."""
    ensure_version(company, version, STALE)
    company.name, company.search_name = identity.name.strip(), normalise_name(identity.name)
    company.sign = identity.sign or None
    company.address, company.postal_code = identity.address or None, identity.postal_code or None
    company.preferred_channel = identity.preferred_channel
    company.do_not_contact_before = identity.do_not_contact_before


def normalise_tag(text: str) -> str:
    """A tag as stored: trimmed, single spaces, lower case."""
    return " ".join(text.split()).lower()


def add_tag(company: Company, text: str, version: int | None) -> str:
    ensure_version(company, version, STALE)
    tag = normalise_tag(text)
    if not tag:
        raise ProfileError("Saisissez l'étiquette à ajouter.")
    if len(tag) > MAX_TAG:
        raise ProfileError(f"Une étiquette compte au plus {MAX_TAG} caractères.")
    if tag in (company.tags or []):
        raise ProfileError(f"L'entreprise porte déjà l'étiquette « {tag} ».")
    company.tags = sorted([*(company.tags or []), tag])
    return tag


def remove_tag(company: Company, tag: str, version: int | None) -> None:
    ensure_version(company, version, STALE)
    if tag not in (company.tags or []):
        raise ProfileError(f"L'entreprise ne porte pas l'étiquette « {tag} ».")
    company.tags = [t for t in company.tags if t != tag]


def tags_in_use(limit: int = 300) -> list[str]:
    """Tags already given to firms, for suggestions (PostgreSQL and SQLite JSON functions)."""
    if db.engine.dialect.name == "postgresql":
        values = sa.func.json_array_elements_text(Company.tags).table_valued("value")
    else:
        values = sa.func.json_each(Company.tags).table_valued("value")
    query: sa.Select[str] = (sa.select(values.c.value).select_from(Company).join(values, sa.true())
             .distinct().order_by(values.c.value).limit(limit))
    return [str(value) for value in db.session.scalars(query)]


def save_contact(company: Company, contact: Contact | None, person: Person) -> Contact:
    """Add a person to the firm, or update one; consent is dated when it is given."""
    if contact is None:
        contact = Contact(company=company)
        db.session.add(contact)
    if person.consent and not contact.consent:
        contact.consent_at = utcnow()
    if not person.consent:
        contact.consent_at = None
    contact.name, contact.job_title = person.name.strip(), person.job_title or None
    contact.email, contact.phone, contact.consent = person.email, person.phone, person.consent
    db.session.flush()
    return contact


def delete_contact(contact: Contact) -> None:
    db.session.delete(contact)
