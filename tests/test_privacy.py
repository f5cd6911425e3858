"""Personal-data rights: an administrator finds what the CRM holds about a person, gives it to
them, erases it everywhere (ledger included), and the nightly purge erases what is past its
retention period (issue 15)."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.needs import filing
from crm.services.needs.schema import parse_need
from crm.services.platform import unit_of_work
from crm.services.privacy import erasure, holdings
from jobs.privacy import purge_personal_data
from tests import factories as f
from tests.helpers import assert_constant_queries, count, page_text

EMAIL = "Camille.Martin@Boulangerie.fr"
PAGE = "/admin/donnees-personnelles"


@pytest.fixture
def admin(auth):
    user = f.UserFactory(role=m.Role.ADMIN)
    db.session.commit()
    auth.login(user)
    return user


def file_request(siret: str = "73282932000074", **changes) -> m.HiringNeed:
    payload = {"siret": siret, "company_name": "Boulangerie Martin", "commune_code": "21231",
               "rome_code": "D1102", "positions": 2, "contract_type": "cdi",
               "contact": {"name": "Camille Martin", "email": EMAIL, "phone": "03 80 12 34 56"}} | changes
    need = filing.file_need(parse_need(payload), source=m.NeedSource.PUBLIC_FORM).need
    unit_of_work.commit()
    return need


@pytest.fixture
def person(agency_and_adviser):
    """Camille Martin: an employer's request (with a repeat), a contact card and an e-mail copy."""
    need = file_request()
    file_request(positions=3)  # attached: a message naming her
    f.ContactFactory(company=need.company, name="Camille Martin", email=EMAIL.lower(),
                     phone="03 80 12 34 56")
    db.session.commit()
    return need


def everything_in_the_database() -> str:
    """Every text column of every table, to look for a detail that should be gone."""
    texts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            texts.extend(str(value) for value in row)
    return "\n".join(texts).lower()


def test_what_is_held_is_found_by_the_address_in_any_case(person):
    found = holdings.find("  camille.martin@boulangerie.FR ")
    assert [need.reference for need in found.need_contacts] == [person.reference]
    assert [contact.name for contact in found.company_contacts] == ["Camille Martin"]
    assert found.messages  # her acknowledgement
    assert found.total == 1 + 1 + len(found.messages)


def test_an_unusable_address_is_refused_in_french(admin, client):
    response = client.get(PAGE, query_string={"email": "camille"})
    assert response.status_code == 200
    assert "Indiquez une adresse électronique complète" in response.get_data(as_text=True)


def test_the_admin_downloads_what_is_held_and_the_request_is_recorded_without_the_address(
        admin, client, person):
    page = client.get(PAGE, query_string={"email": EMAIL}).get_data(as_text=True)
    assert person.reference in page and "Télécharger ces données (JSON)" in page

    response = client.post(f"{PAGE}/export", data={"email": EMAIL})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="donnees-personnelles.json"'
    data = json.loads(response.get_data(as_text=True))
    assert data["demandes_de_recrutement"][0]["reference"] == person.reference
    assert data["demandes_de_recrutement"][0]["telephone"] == "+33380123456"
    assert data["interlocuteur_d_entreprise"][0]["entreprise"] == "Boulangerie Martin"

    request = db.session.scalar(sa.select(m.PrivacyRequest))
    assert (request.kind, request.handled_by_id) == (m.PrivacyRequestKind.EXPORT, admin.id)
    assert request.person == erasure.fingerprint(EMAIL.lower())
    assert "boulangerie.fr" not in json.dumps(request.counts)


def test_an_erasure_needs_a_reason_and_a_confirmation_and_changes_nothing_without(admin, client, person):
    response = client.post(f"{PAGE}/effacement", data={"email": EMAIL, "reason": ""})
    assert response.status_code == 422
    assert "Indiquez le motif de l'effacement" in page_text(response)
    assert person.reference in page_text(response)  # the person's holdings stay on the page
    response = client.post(f"{PAGE}/effacement", data={"email": EMAIL, "reason": "Courriel du 03/12"})
    assert response.status_code == 422
    assert "Cochez la case pour confirmer l'effacement." in page_text(response)
    assert 'value="Courriel du 03/12"' in response.get_data(as_text=True)  # what was typed stays
    assert holdings.find(EMAIL).total > 0
    assert count(m.PrivacyRequest) == 0


def test_an_erasure_leaves_no_trace_of_the_person_but_keeps_the_records(admin, client, person):
    messages = count(m.NeedMessage)
    assert "camille martin" in everything_in_the_database()

    response = client.post(f"{PAGE}/effacement", data={
        "email": EMAIL, "reason": "Demande reçue par courriel le 03/12/2026", "confirm": "y"},
        follow_redirects=True)

    assert "Données effacées : 1 demande, 1 interlocuteur" in page_text(response)
    stored = everything_in_the_database()
    for detail in ("camille martin", "camille.martin@", "03 80 12 34 56", "+33380123456"):
        assert detail not in stored, detail
    need = db.session.get(m.HiringNeed, person.id)
    assert (need.contact_name, need.contact_phone) == (erasure.ERASED_NAME, None)
    assert need.contact_erased_at is not None and need.positions == 2
    assert count(m.NeedMessage) == messages and count(m.Contact) == 1  # the records stay
    assert holdings.find(EMAIL).total == 0
    request = db.session.scalar(sa.select(m.PrivacyRequest))
    assert request.kind == m.PrivacyRequestKind.ERASURE
    assert request.reason == "Demande reçue par courriel le 03/12/2026"


def test_the_nightly_purge_erases_the_contacts_of_needs_closed_past_the_retention(
        app, client, agency_and_adviser, project_clock):
    old, recent = file_request(), file_request(siret="44306184100047")
    now = project_clock.utcnow()
    old.closed_at = now - timedelta(days=25 * 31)  # 25 months: past the 24 of the default
    recent.closed_at = now - timedelta(days=23 * 30)
    old.status = recent.status = m.NeedStatus.FILLED
    db.session.commit()
    old_link = f"/recrutement/suivi/{old.tracking_token}"
    assert client.get(old_link).status_code == 200

    assert purge_personal_data()["demandes"] == 1
    assert purge_personal_data() == {"demandes": 0, "courriels": 0, "fichiers": 0}  # nothing twice

    db.session.expire_all()
    assert db.session.get(m.HiringNeed, old.id).contact_name == erasure.ERASED_NAME
    assert db.session.get(m.HiringNeed, recent.id).contact_name == "Camille Martin"
    assert client.get(old_link).status_code == 404  # the employer's link went with the details
    assert count(m.PrivacyRequest) == 1


def test_the_purge_erases_the_text_of_old_e_mail_copies(agency_and_adviser, project_clock):
    file_request()
    for message in db.session.scalars(sa.select(m.OutboxMessage)):
        message.status = m.MessageStatus.SENT
    db.session.commit()
    project_clock.travel_to(project_clock.utcnow() + timedelta(days=366))
    assert purge_personal_data()["courriels"] == count(m.OutboxMessage) > 0
    assert {message.body for message in db.session.scalars(sa.select(m.OutboxMessage))} == {erasure.ERASED}


def test_the_page_lists_the_requests_in_constant_queries(admin, client):
    def add_requests(n: int) -> None:
        for _ in range(n):
            erasure.handled(m.PrivacyRequestKind.PURGE, None, {"demandes": 1})
        db.session.commit()

    assert_constant_queries(client, PAGE, add_requests)


def test_the_purge_deletes_uploaded_and_exported_files_after_thirty_days(project_clock):
    user = f.UserFactory()
    old = m.Upload(kind="partner_list", filename="liste.csv", content=b"siret;contact", size=13,
                   user_id=user.id)
    db.session.add(old)
    db.session.commit()
    project_clock.travel_to(project_clock.utcnow() + timedelta(days=29))
    db.session.add(m.Upload(kind="export", filename="export.csv", content=b"x", size=1, user_id=user.id))
    db.session.commit()
    project_clock.travel_to(project_clock.utcnow() + timedelta(days=2))
    assert purge_personal_data()["fichiers"] == 1
    assert [upload.filename for upload in db.session.scalars(sa.select(m.Upload))] == ["export.csv"]


def test_a_committee_member_is_found_exported_and_taken_out_of_the_committee(admin, client):
    committee = m.Committee(level=m.CommitteeLevel.BASIN, code="2711", name="Comité local de Dijon",
                            members=[EMAIL.lower(), "dt@francetravail.fr"])
    db.session.add(committee)
    db.session.commit()
    db.session.add(m.AuditEvent(action="update_committee", object_type="Committee",
                                object_id=str(committee.id),
                                changes={"members_added": [EMAIL.lower()]}))
    db.session.commit()
    found = holdings.find(EMAIL)
    assert found.committees == [committee]
    assert holdings.as_export(found)["membre_de_comites"] == [
        {"comite": "Comité local de Dijon", "territoire": "Bassin d'emploi 2711"}]

    response = client.post(f"{PAGE}/effacement", data={
        "email": EMAIL, "reason": "Demande du 03/12/2026", "confirm": "y"}, follow_redirects=True)
    assert "Données effacées : 1 comité, 1 entrée du journal" in page_text(response)
    db.session.expire_all()
    assert db.session.get(m.Committee, committee.id).members == ["dt@francetravail.fr"]
    assert "camille.martin@" not in everything_in_the_database()
