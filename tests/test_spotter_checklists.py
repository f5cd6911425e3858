"""Check-lists for offer spotters, as people use them: a manager sends a partner organisation a
list of firms, its people answer signed in ("Entreprises à vérifier", the flag form prefilled) or
through the signed link of the e-mail, and the manager follows the answers."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from crm import clock
from crm import models as m
from crm.extensions import db
from crm.services.plans import checklists
from crm.services.platform import unit_of_work
from crm.services.platform.local_time import local_today
from tests import factories as f
from tests.helpers import assert_constant_queries, count, dijon, page_text, text_of
from tests.test_spotter_pages import flag_form


@pytest.fixture
def chamber():
    return f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI,
                                 is_spotter=True, basins=[dijon()], email="entreprises@cci21.fr")


@pytest.fixture
def chloe(chamber):
    return f.UserFactory(organisation=chamber, role=m.Role.PARTNER, name="Chloé Partenaire",
                         email="chloe@cci21.fr")


@pytest.fixture
def bakery():
    return f.CompanyFactory(siret="73282932000074", siren="732829320", name="Boulangerie Martin")


@pytest.fixture
def garage():
    return f.CompanyFactory(name="Garage du Centre")


def sent_list(chamber, sender, *companies, **fields) -> m.SpotterChecklist:
    """A list as a manager sends it (committed, mails in the outbox)."""
    request = checklists.ChecklistRequest(
        organisation_id=chamber.id, title=fields.get("title", "Industrie de Dijon"),
        message=fields.get("message"), expires_on=fields.get("expires_on"),
        sirets="\n".join(c.siret for c in companies), plan_id=fields.get("plan_id"))
    checklist = checklists.send_checklist(sender, request)
    unit_of_work.commit()
    return checklist


def item_of(checklist: m.SpotterChecklist, company: m.Company) -> m.ChecklistItem:
    return next(item for item in checklist.items if item.company_id == company.id)


def link_of(email: str) -> str:
    """The signed link of the list e-mail sent to this address."""
    body = db.session.scalar(sa.select(m.OutboxMessage.body).where(
        m.OutboxMessage.kind == "checklist_sent", m.OutboxMessage.recipient == email))
    return next(line for line in body.splitlines() if "/verification/" in line)


def path_of(url: str) -> str:
    return "/verification/" + url.split("/verification/", 1)[1]


# Sending a list

def test_a_manager_sends_a_list_by_siret_and_its_contacts_get_a_signed_link(
        manager, client, chamber, chloe, bakery, garage):
    response = client.post("/verifications/nouvelle", data={
        "organisation_id": chamber.id, "title": "Industrie de Dijon", "message": "Merci !",
        "expires_on": "", "plan_id": "", "sirets": f"{bakery.siret}\n{garage.siret[:3]} {garage.siret[3:]}"})
    checklist = db.session.scalar(sa.select(m.SpotterChecklist))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verifications/{checklist.id}")
    assert [item.company.name for item in checklist.items] == ["Boulangerie Martin",
                                                               "Garage du Centre"]
    assert checklist.expires_on == local_today() + timedelta(days=30)
    mails = db.session.scalars(sa.select(m.OutboxMessage).where(
        m.OutboxMessage.kind == "checklist_sent")).all()
    assert sorted(mail.recipient for mail in mails) == ["chloe@cci21.fr", "entreprises@cci21.fr"]
    assert all("/verification/" in mail.body and "2 entreprises" not in mail.subject
               for mail in mails)
    assert "ces 2 entreprises recrutent" in mails[0].body
    assert db.session.scalar(sa.select(m.AuditEvent.action).where(
        m.AuditEvent.action == "send_checklist")) == "send_checklist"


def test_unknown_sirets_and_a_far_organisation_are_refused_in_french(manager, client, chamber):
    far = f.OrganisationFactory(name="CMA Doubs", kind=m.OrganisationKind.CMA, is_spotter=True,
                                basins=[db.session.get(m.Basin, "2705")])
    response = client.post("/verifications/nouvelle", data={
        "organisation_id": chamber.id, "title": "Liste", "sirets": "73282932000074"})
    assert response.status_code == 422
    assert "Ces SIRET ne sont pas connus du réseau : 73282932000074." in page_text(response)
    response = client.post("/verifications/nouvelle", data={
        "organisation_id": far.id, "title": "Liste", "sirets": "73282932000074"})
    assert response.status_code == 422
    assert "CMA Doubs" not in page_text(response)  # not offered to a manager of Dijon
    assert count(m.SpotterChecklist) == 0


def test_a_list_from_a_plan_takes_its_targets(manager, client, chamber, bakery, garage):
    plan = f.ProspectionPlanFactory(name="Plan industrie Dijon")
    for company in (garage, bakery):
        f.PlanTargetFactory(plan_id=plan.id, company=company)
    f.PlanTargetFactory(company=f.CompanyFactory(name="Autre plan"))
    response = client.post("/verifications/nouvelle", data={
        "organisation_id": chamber.id, "title": "Cibles du plan", "plan_id": plan.id,
        "sirets": "ignorés", "expires_on": (local_today() + timedelta(days=10)).isoformat()})
    assert response.status_code == 302
    checklist = db.session.scalar(sa.select(m.SpotterChecklist))
    assert checklist.plan_id == plan.id
    assert sorted(item.company.name for item in checklist.items) == ["Boulangerie Martin",
                                                                     "Garage du Centre"]


# Answering signed in

def test_a_partner_answers_nothing_for_now_in_one_click_once(
        manager, auth, client, chamber, chloe, bakery, garage):
    checklist = sent_list(chamber, manager, bakery, garage)
    auth.logout()
    auth.login(chloe)
    assert ('<span class="crm-figure">2</span> entreprises attendent votre réponse'
            in text_of(client, "/accueil"))
    page = text_of(client, "/entreprises-a-verifier")
    assert "Industrie de Dijon" in page and "Garage du Centre" in page
    item = item_of(checklist, garage)
    url = f"/entreprises-a-verifier/{item.id}/rien-pour-l-instant"
    assert client.post(url).status_code == 302
    db.session.refresh(item)
    assert (item.answer, item.answered_by_id) == (m.ChecklistAnswer.NOTHING_FOR_NOW, chloe.id)
    answered_at = item.answered_at
    clock.travel_to(m.utcnow() + timedelta(hours=1))
    client.post(url)
    db.session.refresh(item)
    assert item.answered_at == answered_at  # idempotent: the first answer stays
    assert "Garage du Centre avait déjà une réponse" in text_of(client, "/entreprises-a-verifier")
    assert db.session.scalar(sa.select(sa.func.count()).where(
        m.AuditEvent.action == "checklist_answer")) == 1


def test_another_organisations_item_is_a_404(manager, auth, client, chamber, bakery):
    checklist = sent_list(chamber, manager, bakery)
    auth.logout()
    opco = f.OrganisationFactory(name="OPCO EP", kind=m.OrganisationKind.OPCO, is_spotter=True)
    auth.login(f.UserFactory(organisation=opco, role=m.Role.PARTNER))
    item = checklist.items[0]
    assert client.post(f"/entreprises-a-verifier/{item.id}/rien-pour-l-instant").status_code == 404
    assert client.get(f"/signalements/nouveau?verification={item.id}").status_code == 404
    assert "Boulangerie Martin" not in text_of(client, "/entreprises-a-verifier")
    db.session.refresh(item)
    assert item.answer is None


def test_the_flag_form_opens_prefilled_and_the_filed_flag_answers_the_item(
        manager, auth, client, chamber, chloe, agency, adviser, bakery):
    checklist = sent_list(chamber, manager, bakery)
    item = checklist.items[0]
    auth.logout()
    auth.login(chloe)
    form = text_of(client, f"/signalements/nouveau?verification={item.id}")
    assert 'value="73282932000074"' in form and 'value="Boulangerie Martin"' in form
    assert f'name="checklist_item" type="hidden" value="{item.id}"' in form
    assert "Vous répondez à la liste « Entreprises à vérifier » pour Boulangerie Martin" in form
    response = client.post("/signalements/nouveau",
                           data=flag_form(checklist_item=str(item.id), commune_code="21231"))
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert response.status_code == 302
    db.session.refresh(item)
    assert (item.answer, item.need_id, item.answered_by_id) == (
        m.ChecklistAnswer.NEED_FLAGGED, need.id, chloe.id)


def test_a_flag_for_another_firm_leaves_the_item_unanswered(
        manager, auth, client, chamber, chloe, agency, adviser, bakery, garage):
    item = sent_list(chamber, manager, garage).items[0]
    auth.logout()
    auth.login(chloe)
    client.post("/signalements/nouveau", data=flag_form(checklist_item=str(item.id)))
    assert count(m.HiringNeed) == 1
    db.session.refresh(item)
    assert item.answer is None


# Answering through the signed link, without signing in

def test_the_signed_link_lists_the_firms_and_takes_nothing_for_now(
        manager, auth, client, chamber, chloe, bakery, garage):
    checklist = sent_list(chamber, manager, bakery, garage)
    auth.logout()
    path = path_of(link_of("chloe@cci21.fr"))
    page = text_of(client, path)
    assert "Boulangerie Martin" in page and "Vous répondez en tant que chloe@cci21.fr" in page
    assert "/connexion?next=" in page  # "Signaler un besoin" leads to the sign-in
    item = item_of(checklist, bakery)
    assert client.post(f"{path}/{item.id}").status_code == 302
    db.session.refresh(item)
    assert (item.answer, item.answered_by_id, item.answered_by_email) == (
        m.ChecklistAnswer.NOTHING_FOR_NOW, None, "chloe@cci21.fr")
    auth.login(manager)
    answers = text_of(client, f"/verifications/{checklist.id}")
    assert "1 / 2 réponses" in answers and "chloe@cci21.fr" in answers


def test_an_expired_link_changes_nothing(manager, client, auth, chamber, chloe, bakery):
    checklist = sent_list(chamber, manager, bakery,
                          expires_on=local_today() + timedelta(days=3))
    auth.logout()
    path = path_of(link_of("chloe@cci21.fr"))
    clock.travel_to(m.utcnow() + timedelta(days=5))
    response = client.get(path)
    assert response.status_code == 410
    assert "Ce lien a expiré" in page_text(response)
    assert client.post(f"{path}/{checklist.items[0].id}").status_code == 410
    db.session.refresh(checklist.items[0])
    assert checklist.items[0].answer is None


def test_a_tampered_link_is_refused(manager, client, auth, chamber, chloe, bakery):
    checklist = sent_list(chamber, manager, bakery)
    auth.logout()
    path = path_of(link_of("chloe@cci21.fr"))
    forged = checklists.serializer().dumps([checklist.id + 1, "chloe@cci21.fr"])[:-3] + "abc"
    for bad in (path[:-2] + ("xx" if not path.endswith("xx") else "yy"), "/verification/" + forged):
        response = client.get(bad)
        assert response.status_code == 404
        assert "Ce lien n'est pas valide" in page_text(response)
        assert client.post(f"{bad}/{checklist.items[0].id}").status_code == 404
    db.session.refresh(checklist.items[0])
    assert checklist.items[0].answer is None


def test_a_link_answers_only_its_own_lists_firms(manager, client, auth, chamber, chloe,
                                                 bakery, garage):
    opco = f.OrganisationFactory(name="OPCO EP", kind=m.OrganisationKind.OPCO, is_spotter=True)
    f.UserFactory(organisation=opco, role=m.Role.PARTNER)
    sent_list(chamber, manager, bakery)
    other = sent_list(opco, manager, garage)
    auth.logout()
    path = path_of(link_of("chloe@cci21.fr"))
    assert client.post(f"{path}/{other.items[0].id}").status_code == 404
    db.session.refresh(other.items[0])
    assert other.items[0].answer is None


def test_a_link_of_a_contact_who_left_is_refused(manager, client, auth, chamber, chloe, bakery):
    sent_list(chamber, manager, bakery)
    auth.logout()
    path = path_of(link_of("chloe@cci21.fr"))
    chloe.active = False
    db.session.commit()
    assert client.get(path).status_code == 404


# The manager's pages

def test_the_manager_sees_who_answered_what_and_when(manager, auth, client, chamber, chloe,
                                                    agency, adviser, bakery, garage):
    checklist = sent_list(chamber, manager, bakery, garage)
    need = f.HiringNeedFactory(company=bakery)
    checklists.mark_need_flagged(item_of(checklist, bakery), chloe, need)
    unit_of_work.commit()
    text = text_of(client, f"/verifications/{checklist.id}")
    assert "1 / 2 réponses" in text
    assert "Besoin signalé" in text and "Chloé Partenaire" in text and need.reference in text
    assert "En attente" in text
    listing = text_of(client, "/verifications")
    assert "Industrie de Dijon" in listing and "1 / 2 réponses" in listing


def test_a_list_of_another_organisation_is_a_404_for_a_manager(client, auth, chamber, bakery):
    sender = f.UserFactory(role=m.Role.ADMIN)
    checklist = sent_list(chamber, sender, bakery)
    auth.login(f.UserFactory(role=m.Role.MANAGER, basins=[dijon()]))
    assert client.get(f"/verifications/{checklist.id}").status_code == 404
    assert "Aucune liste envoyée pour l'instant." in text_of(client, "/verifications")


def test_the_lists_page_runs_constant_queries(manager, client, chamber, chloe):
    def add_lists(n: int) -> None:
        for _ in range(n):
            sent_list(chamber, manager, f.CompanyFactory(), f.CompanyFactory())

    assert_constant_queries(client, "/verifications", add_lists)


def test_the_partners_page_runs_constant_queries(manager, auth, client, chamber, chloe):
    auth.logout()
    auth.login(chloe)

    def add_lists(n: int) -> None:
        for _ in range(n):
            sent_list(chamber, manager, f.CompanyFactory(), f.CompanyFactory())

    assert_constant_queries(client, "/entreprises-a-verifier", add_lists)


def test_an_expired_list_leaves_the_partners_page(manager, auth, client, chamber, chloe, bakery):
    sent_list(chamber, manager, bakery, expires_on=date.fromordinal(local_today().toordinal() + 1))
    auth.logout()
    auth.login(chloe)
    clock.travel_to(m.utcnow() + timedelta(days=3))
    assert "Aucune liste d'entreprises à vérifier pour l'instant." in text_of(
        client, "/entreprises-a-verifier")
