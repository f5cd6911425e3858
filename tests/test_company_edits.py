"""Changes staff make on a firm's page: the referent with its reason (audited, notified), contacts,
tags, contact preferences, the refusal of a stale edit, and the history of changes for managers."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.platform.local_time import local_today
from tests import factories as f
from tests.helpers import page_text

STALE = "Quelqu'un d'autre a modifié cette entreprise pendant que vous la modifiiez."


@pytest.fixture
def company():
    return f.CompanyFactory(name="Boulangerie Martin", search_name="boulangerie martin")


def fresh(company: m.Company) -> m.Company:
    db.session.expire_all()
    return db.session.get(m.Company, company.id)


def audit_events(action: str | None = None) -> list[m.AuditEvent]:
    query = sa.select(m.AuditEvent).order_by(m.AuditEvent.id)
    if action:
        query = query.where(m.AuditEvent.action == action)
    return list(db.session.scalars(query))


# Referent

def test_changing_the_referent_records_the_reason_and_tells_the_new_referent(
        adviser, signed_in, company, client):
    first = f.UserFactory(name="Léa Roux", organisation=f.OrganisationFactory(name="Cap emploi 21"))
    company.referent = first
    db.session.commit()
    f.UserFactory(name="Jade Morel", organisation=f.OrganisationFactory(name="Mission locale"))
    form = page_text(client.get(f"/entreprises/{company.id}/referent"))
    assert "Paul Girard — France Travail Dijon" in form and "Léa Roux — Cap emploi 21" in form
    assert "Jade Morel" not in form  # another organisation: listed on demand only
    everyone = page_text(client.get(f"/entreprises/{company.id}/referent?structures=toutes"))
    assert "Jade Morel — Mission locale" in everyone

    response = client.post(f"/entreprises/{company.id}/referent", data={
        "version": company.version, "referent": adviser.id, "reason": "Plan de prospection 2026"})
    assert response.status_code == 302
    assert fresh(company).referent_id == adviser.id
    [event] = audit_events("referent_changed")
    assert (event.actor_id, event.object_type, event.object_id) == (adviser.id, "Company",
                                                                    str(company.id))
    assert event.changes == {"from": "Léa Roux", "to": "Paul Girard",
                             "reason": "Plan de prospection 2026"}
    [message] = db.session.scalars(sa.select(m.OutboxMessage)).all()
    assert message.recipient == adviser.email and message.kind == "referent_assigned"
    assert "Boulangerie Martin" in message.subject
    assert "Motif : Plan de prospection 2026" in message.body
    assert f"/entreprises/{company.id}" in message.body


def test_a_referent_change_needs_a_reason(adviser, signed_in, company, client):
    first = f.UserFactory(name="Léa Roux", organisation=f.OrganisationFactory(name="Cap emploi 21"))
    company.referent = first
    db.session.commit()
    response = client.post(f"/entreprises/{company.id}/referent", data={
        "version": company.version, "referent": adviser.id, "reason": "  "})
    assert response.status_code == 422
    assert "Indiquez le motif du changement de référent." in page_text(response)
    assert fresh(company).referent_id == first.id
    assert audit_events("referent_changed") == []
    assert db.session.scalars(sa.select(m.OutboxMessage)).all() == []


def test_removing_the_referent_notifies_nobody(adviser, signed_in, company, client):
    company.referent = adviser
    db.session.commit()
    response = client.post(f"/entreprises/{company.id}/referent", data={
        "version": company.version, "referent": 0, "reason": "Départ du conseiller"})
    assert response.status_code == 302
    assert fresh(company).referent_id is None
    assert audit_events("referent_changed")[0].changes["to"] is None
    assert db.session.scalars(sa.select(m.OutboxMessage)).all() == []


# Contacts

def test_adding_a_contact_normalises_email_and_phone_and_dates_consent(adviser, signed_in, company, client):
    response = client.post(f"/entreprises/{company.id}/contacts/nouveau", data={
        "name": "Camille Martin", "job_title": "Gérante", "email": "Camille@Boulangerie.FR",
        "phone": "03 80 12 34 56", "consent": "y"})
    assert response.status_code == 302
    [contact] = fresh(company).contacts
    assert (contact.name, contact.job_title, contact.email, contact.phone, contact.consent) == (
        "Camille Martin", "Gérante", "Camille@boulangerie.fr", "+33380123456", True)
    assert contact.consent_at is not None
    text = page_text(client.get(f"/entreprises/{company.id}"))
    assert "03 80 12 34 56" in text and f"Oui, depuis le {local_today():%d/%m/%Y}" in text


def test_contact_errors_are_explained_in_french_and_nothing_is_saved(adviser, signed_in, company, client):
    response = client.post(f"/entreprises/{company.id}/contacts/nouveau", data={
        "name": "", "email": "pas-une-adresse", "phone": "12"})
    assert response.status_code == 422
    text = page_text(response)
    for message in ("Indiquez le nom de la personne.",
                    "Saisissez une adresse électronique valide, ex. nom@exemple.fr.",
                    "Saisissez un numéro de téléphone français valide, ex. 03 80 12 34 56."):
        assert message in text
    assert 'value="pas-une-adresse"' in response.get_data(as_text=True)
    assert fresh(company).contacts == []


def test_editing_a_contact_withdrawing_consent_clears_its_date(adviser, signed_in, company, client):
    contact = f.ContactFactory(company=company, name="Camille Martin", consent=True,
                               consent_at=m.utcnow(), phone="+33380123456")
    form = client.get(f"/entreprises/{company.id}/contacts/{contact.id}/modifier")
    assert 'value="03 80 12 34 56"' in form.get_data(as_text=True)
    response = client.post(f"/entreprises/{company.id}/contacts/{contact.id}/modifier", data={
        "name": "Camille Martin-Durand", "job_title": "Directrice", "email": "", "phone": ""})
    assert response.status_code == 302
    db.session.expire_all()
    contact = db.session.get(m.Contact, contact.id)
    assert (contact.name, contact.job_title, contact.email, contact.phone) == (
        "Camille Martin-Durand", "Directrice", None, None)
    assert (contact.consent, contact.consent_at) == (False, None)


def test_deleting_a_contact_asks_for_confirmation(adviser, signed_in, company, client):
    contact = f.ContactFactory(company=company, name="Camille Martin")
    page = page_text(client.get(f"/entreprises/{company.id}/contacts/{contact.id}/supprimer"))
    assert "Supprimer le contact Camille Martin ?" in page
    assert db.session.get(m.Contact, contact.id) is not None
    response = client.post(f"/entreprises/{company.id}/contacts/{contact.id}/supprimer")
    assert response.status_code == 302
    assert fresh(company).contacts == []


def test_a_contact_of_another_firm_is_not_found(adviser, signed_in, company, client):
    elsewhere = f.ContactFactory()
    assert client.get(f"/entreprises/{company.id}/contacts/{elsewhere.id}/modifier").status_code == 404
    assert client.post(f"/entreprises/{company.id}/contacts/{elsewhere.id}/supprimer").status_code == 404


# Tags and preferences

def test_tags_are_normalised_suggested_and_removable(adviser, signed_in, company, client):
    f.CompanyFactory(tags=["industrie"])
    edit = page_text(client.get(f"/entreprises/{company.id}/modifier"))
    assert '<option value="industrie">' in edit
    response = client.post(f"/entreprises/{company.id}/etiquettes", data={
        "tag-version": company.version, "tag-tag": "  Plan   2026 "})
    assert response.status_code == 302
    assert fresh(company).tags == ["plan 2026"]
    response = client.post(f"/entreprises/{company.id}/etiquettes/retrait", data={
        "version": fresh(company).version, "tag": "plan 2026"})
    assert response.status_code == 302
    assert fresh(company).tags == []


def test_a_tag_is_at_most_30_characters(adviser, signed_in, company, client):
    response = client.post(f"/entreprises/{company.id}/etiquettes", data={
        "tag-version": company.version, "tag-tag": "x" * 31})
    assert response.status_code == 422
    assert "Une étiquette compte au plus 30 caractères." in page_text(response)
    assert fresh(company).tags == []


def identity(company: m.Company, **changes) -> dict:
    data = {"version": company.version, "name": company.name, "sign": "", "address": "",
            "postal_code": "", "preferred_channel": "", "do_not_contact_before": ""}
    return data | changes


def test_contact_preferences_and_identity_corrections_are_saved(adviser, signed_in, company, client):
    later = local_today() + timedelta(days=30)
    response = client.post(f"/entreprises/{company.id}/modifier", data=identity(
        company, name="Boulangerie Émile Martin", sign="Au bon pain", address="3 rue Monge",
        postal_code="21000", preferred_channel="email", do_not_contact_before=later.isoformat()))
    assert response.status_code == 302
    company = fresh(company)
    assert (company.name, company.search_name, company.sign, company.address) == (
        "Boulangerie Émile Martin", "boulangerie emile martin", "Au bon pain", "3 rue Monge")
    assert (company.preferred_channel, company.do_not_contact_before) == (m.Channel.EMAIL, later)
    text = page_text(client.get(f"/entreprises/{company.id}"))
    assert f"{later:%d/%m/%Y}" in text and "Courriel" in text


def test_identity_errors_are_in_french(adviser, signed_in, company, client):
    response = client.post(f"/entreprises/{company.id}/modifier", data=identity(
        company, name="", postal_code="2100"))
    assert response.status_code == 422
    text = page_text(response)
    assert "Indiquez le nom de l'entreprise." in text
    assert "Le code postal compte 5 chiffres, ex. 21000." in text


# Stale edits

def test_the_second_of_two_concurrent_saves_is_refused(adviser, signed_in, company, client, auth):
    opened = company.version
    first = client.get(f"/entreprises/{company.id}/modifier").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{opened}"' in first
    assert client.post(f"/entreprises/{company.id}/modifier", data=identity(
        company, name="Boulangerie Martin et fils")).status_code == 302

    colleague = f.UserFactory(organisation=adviser.organisation)
    auth.logout()
    auth.login(colleague)
    response = client.post(f"/entreprises/{company.id}/modifier", data=identity(
        company, version=opened, name="Boulangerie Martine", address="9 place Darcy"))
    assert response.status_code == 409
    text = page_text(response)
    assert STALE in text
    assert 'value="Boulangerie Martine"' in text and 'value="9 place Darcy"' in text
    company = fresh(company)
    assert (company.name, company.address, company.version) == ("Boulangerie Martin et fils", None,
                                                                 opened + 1)


def test_stale_tag_and_referent_changes_are_refused_too(adviser, signed_in, company, client):
    opened = company.version
    company.sign = "Changée entre-temps"
    db.session.commit()
    response = client.post(f"/entreprises/{company.id}/etiquettes", data={
        "tag-version": opened, "tag-tag": "industrie"})
    assert response.status_code == 409 and STALE in page_text(response)
    response = client.post(f"/entreprises/{company.id}/referent", data={
        "version": opened, "referent": adviser.id, "reason": "Suivi"})
    assert response.status_code == 409 and STALE in page_text(response)
    company = fresh(company)
    assert (company.tags, company.referent_id) == ([], None)
    assert db.session.scalars(sa.select(m.OutboxMessage)).all() == []


# History of changes

def test_managers_see_the_history_of_changes_advisers_do_not(agency, company, client, auth):
    manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager")
    auth.login(manager)
    client.post(f"/entreprises/{company.id}/modifier", data=identity(
        company, address="3 rue Monge", preferred_channel="phone"))
    client.post(f"/entreprises/{company.id}/contacts/nouveau", data={
        "name": "Camille Martin", "phone": "03 80 12 34 56"})
    contact = fresh(company).contacts[0]
    client.post(f"/entreprises/{company.id}/contacts/{contact.id}/supprimer")
    client.post(f"/entreprises/{company.id}/referent", data={
        "version": fresh(company).version, "referent": manager.id, "reason": "Suivi du plan"})

    text = " ".join(page_text(client.get(f"/entreprises/{company.id}")).split())
    history = text.split("Historique des modifications", 1)[1]
    for shown in ("Inès Manager (France Travail Dijon)", "Modification", "Adresse : (vide) → 3 rue Monge",
                  "Canal préféré : (vide) → Téléphone", "Création", "Contact : Camille Martin",
                  "Téléphone : 03 80 12 34 56", "Suppression", "Changement de référent",
                  "Référent : (vide) → Inès Manager", "Motif : Suivi du plan"):
        assert shown in history, shown
    assert history.index("Changement de référent") < history.index("Suppression")

    auth.logout()
    auth.login(f.UserFactory(organisation=agency))
    assert "Historique des modifications" not in page_text(client.get(f"/entreprises/{company.id}"))


def test_the_history_shows_dates_and_phone_numbers_as_people_read_them():
    from crm.services.companies.history import shown
    assert shown("2026-11-26 10:34:35.701417") == "26/11/2026 à 11:34"
    assert shown("2026-12-01") == "01/12/2026"
    assert shown("+33380123456") == "03 80 12 34 56"
    assert shown(True) == "Oui" and shown(None) == "(vide)"
