"""Follow-up tasks as advisers use them: create (about a firm or a need), edit, done in one click,
reopen, who may do what, and "Ma journée" with its overdue, today and this-week buckets."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.platform import local_time
from crm.services.visits import followups
from tests import factories as f
from tests.helpers import assert_constant_queries, page_text, queries_for, text_of


@pytest.fixture
def colleague(agency):
    return f.UserFactory(organisation=agency, name="Léa Colin", email="lea.colin@exemple.fr")


def tasks() -> list[m.FollowUp]:
    return list(db.session.scalars(sa.select(m.FollowUp).order_by(m.FollowUp.id)))


def messages(kind: str) -> list[m.OutboxMessage]:
    return list(db.session.scalars(sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == kind)))


def today() -> date:
    return local_time.local_today()


def task_form(**fields) -> dict:
    form = {"title": "Rappeler le gérant", "due_on": today().isoformat(), "notes": ""}
    return form | fields


# Creating

def test_a_task_about_a_need_is_prefilled_and_linked_to_the_need_and_its_firm(
        signed_in, agency, client):
    need = f.HiringNeedFactory(organisation=agency, company=f.CompanyFactory(name="Garage Lenoir"))
    text = text_of(client, f"/a-faire/nouvelle?need={need.reference}")
    assert need.reference in text and "Garage Lenoir" in text
    response = client.post("/a-faire/nouvelle", data=task_form(
        assignee=signed_in.id, need=need.reference, notes="Il préfère le matin."))
    assert response.status_code == 302 and response.location.endswith("/ma-journee")
    (task,) = tasks()
    assert (task.need_id, task.company_id, task.assignee_id, task.created_by_id) == (
        need.id, need.company_id, signed_in.id, signed_in.id)
    assert task.notes == "Il préfère le matin."
    assert messages("task_assigned") == []


def test_a_task_about_a_firm(signed_in, client):
    company = f.CompanyFactory(name="Menuiserie Roy")
    assert "Menuiserie Roy" in text_of(client, f"/a-faire/nouvelle?company_id={company.id}")
    client.post("/a-faire/nouvelle", data=task_form(assignee=signed_in.id,
                                                    company_id=str(company.id)))
    assert tasks()[0].company_id == company.id


def test_the_assignee_defaults_to_me_among_my_organisation_s_active_staff(
        signed_in, colleague, client):
    partner_org = f.OrganisationFactory(name="Mission locale Beaune")
    jade = f.UserFactory(organisation=partner_org, name="Jade Morel")
    f.UserFactory(name="Partenaire CCI", role=m.Role.PARTNER)
    f.UserFactory(organisation=signed_in.organisation, name="Ancien Agent", active=False)
    text = text_of(client, "/a-faire/nouvelle")
    assert f'<option selected value="{signed_in.id}">Paul Girard — France Travail Dijon</option>' in text
    assert "Léa Colin — France Travail Dijon" in text
    assert "Jade Morel" not in text and "Partenaire CCI" not in text and "Ancien Agent" not in text
    assert 'href="/a-faire/nouvelle?structures=toutes"' in text

    everyone = text_of(client, "/a-faire/nouvelle?structures=toutes")
    assert everyone.index("Jade Morel — Mission locale Beaune") < everyone.index("Léa Colin")
    assert "Partenaire CCI" not in everyone and "Ancien Agent" not in everyone
    assert 'href="/a-faire/nouvelle">N\'afficher que les personnes de France Travail Dijon' in everyone

    assert client.post("/a-faire/nouvelle", data=task_form(assignee=jade.id)).status_code == 422
    response = client.post("/a-faire/nouvelle?structures=toutes", data=task_form(assignee=jade.id))
    assert response.status_code == 302 and tasks()[0].assignee_id == jade.id


def test_a_task_of_another_organisation_s_assignee_keeps_them_in_the_list(signed_in, client):
    jade = f.UserFactory(organisation=f.OrganisationFactory(name="Mission locale Beaune"),
                         name="Jade Morel")
    task = f.FollowUpFactory(assignee=jade, created_by_id=signed_in.id)
    text = text_of(client, f"/a-faire/{task.id}/modifier")
    assert f'<option selected value="{jade.id}">Jade Morel — Mission locale Beaune</option>' in text


def test_assigning_a_task_to_someone_else_tells_them_through_the_outbox(
        signed_in, colleague, client):
    need = f.HiringNeedFactory(organisation=signed_in.organisation)
    client.post("/a-faire/nouvelle", data=task_form(assignee=colleague.id, need=need.reference,
                                                    title="Préparer la visite"))
    (message,) = messages("task_assigned")
    assert message.recipient == "lea.colin@exemple.fr"
    assert message.subject == "Nouvelle tâche : Préparer la visite"
    task = tasks()[0]
    assert "Paul Girard vous a confié une tâche" in message.body
    assert need.reference in message.body
    assert f"http://localhost/a-faire/{task.id}/modifier" in message.body  # the request's address


@pytest.mark.parametrize("fields, error", [
    ({"title": ""}, "Indiquez ce qu'il y a à faire."),
    ({"due_on": ""}, "Indiquez la date d'échéance."),
    ({"due_on": "2020-01-06"}, "L'échéance ne peut pas être passée"),
])
def test_a_task_needs_a_title_and_a_due_date_not_in_the_past(signed_in, client, fields, error):
    response = client.post("/a-faire/nouvelle", data=task_form(assignee=signed_in.id, **fields))
    assert response.status_code == 422
    assert error in page_text(response)
    assert tasks() == []


def test_a_task_cannot_be_given_to_a_partner(signed_in, client):
    partner = f.UserFactory(role=m.Role.PARTNER)
    response = client.post("/a-faire/nouvelle", data=task_form(assignee=partner.id))
    assert response.status_code == 422
    assert tasks() == []


def test_a_task_about_a_need_out_of_reach_or_unknown_records_is_refused(signed_in, client):
    elsewhere = f.HiringNeedFactory(organisation=f.OrganisationFactory())
    assert client.get(f"/a-faire/nouvelle?need={elsewhere.reference}").status_code == 403
    assert client.get("/a-faire/nouvelle?need=BFC-2026-999999").status_code == 404
    assert client.get("/a-faire/nouvelle?company_id=999999").status_code == 404


# Editing, done, reopen

def test_editing_a_task_and_handing_it_to_a_colleague(signed_in, colleague, client):
    task = f.FollowUpFactory(assignee=signed_in, created_by=signed_in)
    text = text_of(client, f"/a-faire/{task.id}/modifier")
    assert "Rappeler l'entreprise" in text
    response = client.post(f"/a-faire/{task.id}/modifier", data=task_form(
        title="Envoyer la fiche de poste", assignee=colleague.id, version=task.version))
    assert response.status_code == 302
    db.session.expire_all()
    assert (task.title, task.assignee_id) == ("Envoyer la fiche de poste", colleague.id)
    assert [message.recipient for message in messages("task_assigned")] == [colleague.email]


def test_a_save_based_on_an_old_version_is_refused_and_changes_nothing(signed_in, client):
    task = f.FollowUpFactory(assignee=signed_in, title="Appeler")
    seen = task.version
    task.title = "Appeler le mardi"
    db.session.commit()
    response = client.post(f"/a-faire/{task.id}/modifier", data=task_form(
        title="Appeler demain", assignee=signed_in.id, version=seen))
    assert response.status_code == 409
    text = page_text(response)
    assert "Quelqu'un d'autre a modifié cette tâche" in text
    assert 'value="Appeler demain"' in text
    db.session.expire_all()
    assert task.title == "Appeler le mardi"


def test_done_in_one_click_goes_back_to_the_page_and_reopen_undoes_it(signed_in, client):
    task = f.FollowUpFactory(assignee=signed_in, title="Relancer", due_on=today())
    assert "Relancer" in text_of(client, "/ma-journee")
    response = client.post(f"/a-faire/{task.id}/faite", data={"next": "/a-faire?page=1"})
    assert response.status_code == 302 and response.location.endswith("/a-faire?page=1")
    db.session.expire_all()
    assert task.done_at is not None
    assert "Tâche faite : « Relancer »." in text_of(client, "/ma-journee")
    assert "Relancer" not in text_of(client, "/ma-journee")
    assert "Relancer" in text_of(client, "/a-faire?etat=faites")
    client.post(f"/a-faire/{task.id}/rouvrir", data={"next": "/a-faire?etat=faites"})
    db.session.expire_all()
    assert task.done_at is None
    assert "Relancer" in text_of(client, "/a-faire")


def test_done_never_redirects_to_another_site(signed_in, client):
    task = f.FollowUpFactory(assignee=signed_in)
    response = client.post(f"/a-faire/{task.id}/faite", data={"next": "//pirate.example/"})
    assert response.location.endswith("/ma-journee")


def test_only_the_assignee_the_author_or_a_manager_of_the_team_may_work_a_task(
        auth, client, adviser, colleague, agency):
    task = f.FollowUpFactory(assignee=colleague, created_by=adviser)
    outsider = f.UserFactory()
    auth.login(outsider)
    assert client.get(f"/a-faire/{task.id}/modifier").status_code == 403
    assert client.post(f"/a-faire/{task.id}/faite").status_code == 403
    assert client.get("/a-faire/999999/modifier").status_code == 404
    auth.logout()
    auth.login(f.UserFactory(organisation=agency, role=m.Role.MANAGER))
    assert client.post(f"/a-faire/{task.id}/faite").status_code == 302
    auth.logout()
    auth.login(adviser)
    assert client.post(f"/a-faire/{task.id}/rouvrir").status_code == 302


@pytest.mark.parametrize("url", ["/ma-journee", "/a-faire", "/a-faire/nouvelle"])
def test_partners_have_no_tasks_pages(auth, client, url):
    auth.login(f.UserFactory(role=m.Role.PARTNER))
    assert client.get(url).status_code == 403


# "Ma journée"

WEDNESDAY = date(2026, 6, 10)
MY_DAY_QUERIES = 18  # session and menu, tasks, late needs, needs to contact, visits, their links
NOON = datetime(2026, 6, 10, 10, 0)  # noon in Paris (UTC+2)


def test_my_day_buckets_tasks_into_overdue_today_and_the_rest_of_the_week(adviser, colleague):
    def task(title: str, due_on: date, **fields) -> m.FollowUp:
        return f.FollowUpFactory(title=title, due_on=due_on, assignee=fields.pop("assignee", adviser),
                             **fields)
    task("Monday", date(2026, 6, 8))
    task("Last month", date(2026, 5, 12))
    task("Today", WEDNESDAY)
    task("Friday", date(2026, 6, 12))
    task("Sunday", date(2026, 6, 14))
    task("Next Monday", date(2026, 6, 15))
    task("Done", WEDNESDAY, done_at=NOON)
    task("Colleague's", WEDNESDAY, assignee=colleague)
    day = followups.my_day(adviser, today=WEDNESDAY, now=NOON)
    assert [t.title for t in day.overdue] == ["Last month", "Monday"]
    assert [t.title for t in day.due_today] == ["Today"]
    assert [t.title for t in day.this_week] == ["Friday", "Sunday"]


def test_on_sunday_the_week_has_nothing_left(adviser):
    f.FollowUpFactory(assignee=adviser, due_on=date(2026, 6, 15))
    day = followups.my_day(adviser, today=date(2026, 6, 14), now=datetime(2026, 6, 14, 8))
    assert day.this_week == [] and day.empty


def test_my_day_lists_my_late_needs_only(adviser, colleague, agency):
    mine = f.HiringNeedFactory(organisation=agency, adviser=adviser,
                               first_contact_due_at=NOON - timedelta(days=1))
    f.HiringNeedFactory(organisation=agency, adviser=colleague,
                        first_contact_due_at=NOON - timedelta(days=1))
    f.HiringNeedFactory(organisation=agency, adviser=adviser,
                        first_contact_due_at=NOON + timedelta(hours=1))
    f.HiringNeedFactory(organisation=agency, adviser=adviser, status=m.NeedStatus.CANCELLED,
                        first_contact_due_at=NOON - timedelta(days=1))
    assert followups.my_day(adviser, WEDNESDAY, NOON).late_needs == [mine]


def test_my_visits_of_the_day_as_participant_or_creator_in_french_time(adviser, colleague):
    def visit(at: datetime, **fields) -> m.Visit:
        return f.VisitFactory(scheduled_at=at, **fields)
    early = visit(datetime(2026, 6, 9, 22, 30), created_by=adviser)  # 00:30 in Paris
    joined = visit(datetime(2026, 6, 10, 12, 0))
    db.session.add(m.VisitParticipant(visit_id=joined.id, user_id=adviser.id,
                                      organisation_id=adviser.organisation_id))
    db.session.commit()
    visit(datetime(2026, 6, 10, 22, 30), created_by=adviser)  # 00:30 on Thursday in Paris
    visit(datetime(2026, 6, 10, 9, 0), created_by=adviser, status=m.VisitStatus.CANCELLED)
    visit(datetime(2026, 6, 10, 9, 0), created_by=colleague)
    assert followups.my_day(adviser, WEDNESDAY, NOON).visits == [early, joined]


def test_the_my_day_page_shows_each_section_with_links(signed_in, agency, client):
    need = f.HiringNeedFactory(organisation=agency, adviser=signed_in,
                               first_contact_due_at=m.utcnow() - timedelta(days=3),
                               company=f.CompanyFactory(name="Scierie Bonnot"))
    f.FollowUpFactory(assignee=signed_in, title="Envoyer le devis", due_on=today() - timedelta(days=2),
                  need=need)
    f.FollowUpFactory(assignee=signed_in, title="Appeler Mme Roy", due_on=today())
    f.VisitFactory(scheduled_at=m.utcnow(), created_by=signed_in,
                   company=f.CompanyFactory(name="Fromagerie Gaugry"))
    text = text_of(client, "/ma-journee")
    for shown in ("En retard (1)", "Envoyer le devis", "Aujourd'hui (1)", "Appeler Mme Roy",
                  "Aucune autre tâche cette semaine.", "Scierie Bonnot", "Fromagerie Gaugry",
                  f'href="/demandes/{need.reference}"'):
        assert shown in text


def test_an_empty_day_says_so(signed_in, client):
    text = text_of(client, "/ma-journee")
    assert "Rien d'urgent aujourd'hui." in text
    assert "Aucune visite prévue aujourd'hui." in text


def test_my_day_runs_as_many_queries_for_3_as_for_30_items(signed_in, agency, client):
    def add(count: int) -> None:
        for index in range(count):
            f.FollowUpFactory(assignee=signed_in, due_on=today() - timedelta(days=index % 3),
                          need=f.HiringNeedFactory(organisation=agency))
            f.HiringNeedFactory(organisation=agency, adviser=signed_in,
                                first_contact_due_at=m.utcnow() - timedelta(days=3))
            f.HiringNeedFactory(organisation=agency, adviser=signed_in,
                                first_contact_due_at=m.utcnow() + timedelta(days=1))
            f.VisitFactory(scheduled_at=m.utcnow(), created_by=signed_in)
    assert_constant_queries(client, "/ma-journee", add)
    assert queries_for(client, "/ma-journee") <= MY_DAY_QUERIES


def test_my_day_lists_the_needs_assigned_to_me_still_to_contact(adviser, colleague, agency):
    due = NOON + timedelta(days=1)
    later = f.HiringNeedFactory(organisation=agency, adviser=adviser,
                                first_contact_due_at=due + timedelta(days=1))
    sooner = f.HiringNeedFactory(organisation=agency, adviser=adviser, first_contact_due_at=due)
    f.HiringNeedFactory(organisation=agency, adviser=adviser, first_contact_due_at=due,
                        first_contact_at=NOON)  # contacted
    f.HiringNeedFactory(organisation=agency, adviser=colleague, first_contact_due_at=due)
    f.HiringNeedFactory(organisation=agency, adviser=adviser, first_contact_due_at=due,
                        status=m.NeedStatus.CANCELLED)
    late = f.HiringNeedFactory(organisation=agency, adviser=adviser,
                               first_contact_due_at=NOON - timedelta(hours=1))
    day = followups.my_day(adviser, WEDNESDAY, NOON)
    assert day.new_needs == [sooner, later] and day.late_needs == [late]


def test_the_my_day_page_counts_new_needs_and_says_when_there_are_none(signed_in, agency, client):
    text = text_of(client, "/ma-journee")
    assert "Mes nouvelles demandes à contacter" in text
    assert "Aucune nouvelle demande ne vous attend" in text
    need = f.HiringNeedFactory(organisation=agency, adviser=signed_in, rome_code="F1703",
                               first_contact_due_at=m.utcnow() + timedelta(days=2),
                               company=f.CompanyFactory(name="Maçonnerie Petit"))
    text = text_of(client, "/ma-journee")
    assert "Mes nouvelles demandes à contacter (1)" in text
    assert f'href="/demandes/{need.reference}"' in text and "Maçonnerie Petit" in text
    assert "Métier en tension" in text and "Rien d'urgent aujourd'hui." not in text
