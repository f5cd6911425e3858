"""What the CRM holds about one person, found by their e-mail address, and its export."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Committee, Contact, EventRegistration, HiringNeed, OutboxMessage, User
from crm.services.platform.refusals import Refused


class UnusableAddress(Refused):
    """The searched e-mail address is empty or not an address."""


@dataclass
class Holdings:
    email: str
    need_contacts: list[HiringNeed] = field(default_factory=list)
    company_contacts: list[Contact] = field(default_factory=list)
    registrations: list[EventRegistration] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    accounts: list[User] = field(default_factory=list)
    committees: list[Committee] = field(default_factory=list)  # the person is one of its members

    @property
    def total(self) -> int:
        return (len(self.need_contacts) + len(self.company_contacts) + len(self.registrations)
                + len(self.messages) + len(self.accounts) + len(self.committees))


def normalised(email: str) -> str:
    """The address as searched: trimmed, lower case; refused when it is not an address."""
    address = (email or "").strip().lower()
    if "@" not in address or len(address) > 254 or any(c.isspace() for c in address):
        raise UnusableAddress("Indiquez une adresse électronique complète, par exemple "
                              "prenom.nom@exemple.fr.", field="email")
    return address


def find(email: str) -> Holdings:
    """Every record holding this e-mail address (case-insensitive)."""
    address = normalised(email)

    def rows(model, column):
        return list(db.session.scalars(sa.select(model).where(sa.func.lower(column) == address)
                                       .order_by(model.id)))

    return Holdings(
        email=address,
        need_contacts=rows(HiringNeed, HiringNeed.contact_email),
        company_contacts=rows(Contact, Contact.email),
        registrations=rows(EventRegistration, EventRegistration.email),
        messages=rows(OutboxMessage, OutboxMessage.recipient),
        accounts=rows(User, User.email),
        # a few dozen committees, their members' addresses stored lower case in a JSON list
        committees=[committee for committee in db.session.scalars(
            sa.select(Committee).order_by(Committee.id)) if address in committee.members],
    )


def stamp(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def as_export(holdings: Holdings) -> dict:
    """Everything held about the person, as a JSON document they can be given."""
    return {
        "adresse": holdings.email,
        "demandes_de_recrutement": [
            {"reference": need.reference, "entreprise": need.company.name,
             "deposee_le": stamp(need.created_at), "nom": need.contact_name,
             "courriel": need.contact_email, "telephone": need.contact_phone,
             "statut": need.status.label, "messages": [
                 {"le": stamp(message.created_at), "texte": message.body} for message in need.messages]}
            for need in holdings.need_contacts],
        "interlocuteur_d_entreprise": [
            {"entreprise": contact.company.name, "nom": contact.name, "fonction": contact.job_title,
             "courriel": contact.email, "telephone": contact.phone, "consentement": contact.consent,
             "consentement_le": stamp(contact.consent_at)}
            for contact in holdings.company_contacts],
        "inscriptions_a_des_evenements": [
            {"evenement": registration.event_id, "nom": registration.name, "courriel": registration.email,
             "telephone": registration.phone, "consentement": registration.consent,
             "inscrit_le": stamp(registration.created_at)}
            for registration in holdings.registrations],
        "courriels_envoyes": [
            {"le": stamp(message.created_at), "objet": message.subject, "texte": message.body,
             "etat": message.status.label}
            for message in holdings.messages],
        "comptes": [
            {"nom": user.name, "courriel": user.email, "role": user.role.label,
             "organisation": user.organisation.name if user.organisation else None,
             "actif": user.active}
            for user in holdings.accounts],
        "membre_de_comites": [
            {"comite": committee.name, "territoire": f"{committee.level.label} {committee.code}"}
            for committee in holdings.committees],
    }
