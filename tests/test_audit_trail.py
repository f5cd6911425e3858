"""Every create, update and delete of companies, contacts, needs, visits and tasks is recorded:
who, when, what changed."""

import sqlalchemy as sa

from crm.extensions import db
from crm.models import AuditEvent, Contact
from crm.services.platform import audit
from tests.factories import CompanyFactory, ContactFactory, FollowUpFactory, UserFactory


def events(object_type: str) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.object_type == object_type).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_creating_a_company_records_its_values():
    company = CompanyFactory(name="Boulangerie Martin")
    [created] = events("Company")
    assert (created.action, created.object_id) == ("created", str(company.id))
    assert created.changes["name"] == [None, "Boulangerie Martin"]
    assert "version" not in created.changes


def test_an_update_records_before_and_after_and_the_actor():
    company = CompanyFactory(name="Boulangerie Martin")
    user = UserFactory()
    with audit.acting_as(user):
        company.name = "Boulangerie Martin et fils"
        db.session.commit()
    updated = events("Company")[-1]
    assert updated.action == "updated"
    assert updated.actor_id == user.id
    assert updated.changes == {"name": ["Boulangerie Martin", "Boulangerie Martin et fils"]}


def test_a_save_without_real_change_records_nothing():
    company = CompanyFactory(name="Garage Dupont")
    company.name = "Garage Dupont"
    db.session.commit()
    assert [event.action for event in events("Company")] == ["created"]


def test_deleting_a_contact_records_what_it_was():
    contact = ContactFactory(name="Claire Petit")
    contact_id = contact.id
    db.session.delete(db.session.get(Contact, contact_id))
    db.session.commit()
    deleted = events("Contact")[-1]
    assert (deleted.action, deleted.object_id) == ("deleted", str(contact_id))
    assert deleted.changes["name"] == ["Claire Petit", None]


def test_tasks_are_audited_too():
    task = FollowUpFactory(title="Rappeler la DRH")
    task.title = "Rappeler la DRH lundi"
    db.session.commit()
    assert [event.action for event in events("FollowUp")] == ["created", "updated"]


def test_a_signed_in_user_is_the_actor_of_page_changes(client, auth):
    user = UserFactory()
    auth.login(user)
    company = CompanyFactory()
    with client.application.test_request_context():
        from flask import g
        g._login_user = user
        company.sign = "Chez Martin"
        db.session.commit()
    assert events("Company")[-1].actor_id == user.id
