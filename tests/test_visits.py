"""Visits to firms, alone or as a multi-organisation task force: the form, the needs it files through
the single entry point, the follow-up task, the ledger, the visit page and printable report, edits and
who may make them."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.needs import filing as needs
from crm.services.needs.schema import InvalidNeed
from crm.services.platform.local_time import local_now, local_today
from tests import factories as f
from tests.helpers import dijon, page_text

WHEN = datetime(2026, 6, 10, 7, 0)  # local time, three hours before the test clock (10:00 in Paris)


@pytest.fixture
def ml_adviser(mission_locale):
    return f.UserFactory(organisation=mission_locale, name="Léa Moreau", basins=[dijon()])


@pytest.fixture
def company():
    return f.CompanyFactory(name="Chaudronnerie Bourgogne", naf_code="25.11Z", address="3 rue des Forges")


def all_of(model) -> list:
    return list(db.session.scalars(sa.select(model)))


def visit_form(people, **fields) -> dict:
    """A done task-force visit as the form posts it."""
    data = {
        "scheduled_at": WHEN.strftime("%Y-%m-%dT%H:%M"), "mode": "on_site", "status": "done",
        "participants": [str(p.id) for p in people],
        "purpose": "Présenter les aides au recrutement.", "findings": "Deux départs en retraite à l'atelier.",
        "services": ["poei", "mrs"], "next_step": "Envoyer la convention de POEI.",
    }
    return data | fields


def need_row(index: int = 0, **fields) -> dict:
    row = {"job_title": "Soudeur", "positions": "2", "contract_type": "cdi",
           "contact_name": "Claire Dubois", "contact_email": "claire.dubois@chaudronnerie.fr"} | fields
    return {f"needs-{index}-{name}": value for name, value in row.items()}


def post_new(client, company, data):
    return client.post(f"/entreprises/{company.id}/visites/nouvelle", data=data)


def test_a_task_force_visit_files_a_routed_need_writes_the_ledger_and_a_follow_up_task(
        client, adviser, signed_in, agency, ml_adviser, mission_locale, company):
    contact = f.ContactFactory(company=company, name="Claire Dubois", email="claire@chaudronnerie.fr")
    due = local_today() + timedelta(days=10)
    data = visit_form([adviser, ml_adviser], **need_row(job_title="Chaudronnier", contact_name="",
                                                         contact_email="", contact=str(contact.id)),
                      task_title="Envoyer la convention", task_due_on=due.isoformat(),
                      task_assignee=str(adviser.id))
    response = post_new(client, company, data)
    assert response.status_code == 302
    [visit] = all_of(m.Visit)
    assert {(p.user_id, p.organisation_id) for p in visit.participants} == {
        (adviser.id, agency.id), (ml_adviser.id, mission_locale.id)}
    assert (visit.status, visit.services_proposed, visit.created_by_id) == (
        m.VisitStatus.DONE, ["poei", "mrs"], adviser.id)

    [need] = all_of(m.HiringNeed)
    assert (need.visit_id, need.source, need.company_id) == (visit.id, m.NeedSource.VISIT, company.id)
    assert (need.job_title, need.positions, need.contact_email) == (
        "Chaudronnier", 2, "claire@chaudronnerie.fr")
    assert need.organisation_id == agency.id  # routed by the default rule to the basin's agency
    assert need.adviser_id == adviser.id
    recipients = {message.recipient for message in all_of(m.OutboxMessage)}
    assert {"claire@chaudronnerie.fr", adviser.email} <= recipients

    [task] = all_of(m.FollowUp)
    assert (task.title, task.due_on, task.assignee_id, task.company_id, task.visit_id) == (
        "Envoyer la convention", due, adviser.id, company.id, visit.id)

    visits_in_ledger = db.session.scalars(sa.select(m.Interaction).where(
        m.Interaction.kind == m.InteractionKind.VISIT)).all()
    assert {(i.organisation_id, i.user_id, i.visit_id) for i in visits_in_ledger} == {
        (agency.id, adviser.id, visit.id), (mission_locale.id, ml_adviser.id, visit.id)}

    page = page_text(client.get(response.headers["Location"]))
    assert f"Demande {need.reference} créée et orientée vers France Travail Dijon." in page
    for shown in (need.reference, "Chaudronnier", "Léa Moreau – Mission locale Dijon",
                  "Task force : 2 organisations", "Envoyer la convention", "POEI"):
        assert shown in page


def test_the_form_shows_contact_pressure_and_emploi_franc_as_closed(client, adviser, signed_in, company):
    other = f.UserFactory(organisation=f.OrganisationFactory(name="CCI Côte-d'Or"))
    f.InteractionFactory(company=company, user=other, occurred_at=m.utcnow() - timedelta(days=1))
    text = page_text(client.get(f"/entreprises/{company.id}/visites/nouvelle"))
    assert "Attention : entreprise déjà sollicitée" in text
    assert "Contactée par CCI Côte-d'Or" in text
    assert "Emploi franc : Dispositif fermé aux nouvelles embauches depuis le 31/12/2024." in text
    assert 'value="emploi_franc"' not in text
    assert 'value="poei"' in text
    response = post_new(client, company, visit_form([adviser], services=["emploi_franc"]))
    assert response.status_code == 422
    assert all_of(m.Visit) == []


def test_a_planned_visit_writes_nothing_in_the_ledger_until_it_is_done(
        client, adviser, signed_in, agency, company):
    later = local_now() + timedelta(days=3)
    response = post_new(client, company, visit_form(
        [adviser], status="planned", scheduled_at=later.strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 302
    [visit] = all_of(m.Visit)
    assert all_of(m.Interaction) == []
    edit = f"/visites/{visit.id}/modifier"
    response = client.post(edit, data=visit_form([adviser], version=str(visit.version)))
    assert response.status_code == 302
    [entry] = all_of(m.Interaction)
    assert (entry.kind, entry.organisation_id, entry.visit_id) == (
        m.InteractionKind.VISIT, agency.id, visit.id)
    db.session.refresh(visit)
    response = client.post(edit, data=visit_form([adviser], status="cancelled", version=str(visit.version)))
    assert response.status_code == 302
    assert all_of(m.Interaction) == []


@pytest.mark.parametrize("fields, message", [
    (need_row(contact_email=""), "Indiquez une adresse électronique."),
    (need_row(job_title="", rome_code=""), "Indiquez le métier recherché"),
    (need_row(contract_type="cdd"), "Indiquez la durée du contrat (CDD) en mois."),
    (need_row() | {"status": "planned"}, "Les besoins identifiés s'enregistrent sur une visite réalisée"),
    ({"participants": []}, "Choisissez au moins un participant"),
    ({"scheduled_at": (local_now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
     "Une visite réalisée ne peut pas être datée dans le futur."),
    ({"task_title": "Rappeler"}, "Indiquez l'échéance de la tâche de suivi."),
])
def test_refusals_are_explained_keep_the_input_and_write_nothing(
        client, adviser, signed_in, company, fields, message):
    response = post_new(client, company, visit_form([adviser], **fields))
    assert response.status_code == 422
    text = page_text(response)
    assert message in text
    assert "Deux départs en retraite à l'atelier." in text
    assert all_of(m.Visit) == [] and all_of(m.HiringNeed) == [] and all_of(m.Interaction) == []


def test_a_need_refused_while_filing_leaves_nothing_of_the_visit_saved(client, adviser, signed_in,
                                                                      company, monkeypatch):
    """The visit, its ledger entries, its task and every need are one unit of work."""
    filing, filed = needs.file_need, []

    def file_need(data, **kwargs):
        if filed:  # the second need
            raise InvalidNeed({"siret": ["Cet établissement est fermé."]})
        filed.append(filing(data, **kwargs))
        return filed[-1]

    monkeypatch.setattr(needs, "file_need", file_need)
    data = visit_form([adviser], **need_row(0), **need_row(1, job_title="Chaudronnier"),
                      task_title="Rappeler", task_due_on=local_today().isoformat(),
                      task_assignee=str(adviser.id))
    response = post_new(client, company, data)
    assert response.status_code == 422
    assert len(filed) == 1  # the first need was filed before the second was refused
    assert "Cet établissement est fermé." in page_text(response)
    for model in (m.Visit, m.HiringNeed, m.Interaction, m.FollowUp, m.OutboxMessage):
        assert all_of(model) == []


def test_the_printable_report_has_everything_and_no_navigation(client, adviser, signed_in, ml_adviser,
                                                               company):
    f.ContactFactory(company=company)
    due = local_today() + timedelta(days=5)
    post_new(client, company, visit_form(
        [adviser, ml_adviser], **need_row(), task_title="Envoyer la convention",
        task_due_on=due.isoformat(), task_assignee=str(adviser.id)))
    [visit] = all_of(m.Visit)
    [need] = all_of(m.HiringNeed)
    response = client.get(f"/visites/{visit.id}/compte-rendu")
    assert response.status_code == 200
    text = page_text(response)
    for shown in ("Compte rendu de visite", "Chaudronnerie Bourgogne", company.siret, "25.11Z",
                  "3 rue des Forges", "Paul Girard", "France Travail Dijon", "Léa Moreau",
                  "Mission locale Dijon", "Présenter les aides au recrutement.",
                  "Deux départs en retraite à l'atelier.",
                  "POEI – préparation opérationnelle à l'emploi individuelle",
                  "MRS – méthode de recrutement par simulation", need.reference, "Soudeur",
                  "Envoyer la convention de POEI.", f"échéance le {due:%d/%m/%Y}", "@media print"):
        assert shown in text
    assert "fr-header" not in text and "Aller au menu" not in text


def test_a_stale_edit_is_refused_and_keeps_the_input(client, adviser, signed_in, company):
    visit = f.VisitFactory(company=company, created_by=adviser)
    f.VisitParticipantFactory(visit_id=visit.id, user=adviser)
    seen = visit.version
    visit.purpose = "Changé par un collègue."
    db.session.commit()
    response = client.post(f"/visites/{visit.id}/modifier", data=visit_form(
        [adviser], status="planned", purpose="Ma version.", version=str(seen),
        scheduled_at=(local_now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 409
    text = page_text(response)
    assert "Quelqu'un d'autre a modifié cette visite" in text
    assert "Ma version." in text
    db.session.expire_all()
    assert db.session.get(m.Visit, visit.id).purpose == "Changé par un collègue."


def test_an_edit_posted_without_its_version_is_refused_and_keeps_the_stored_values(
        client, adviser, signed_in, company):
    """A post without the hidden version (a script, an old page) cannot prove it saw the latest
    values: it is refused as stale, without a crash."""
    visit = f.VisitFactory(company=company, created_by=adviser, purpose="Présentation.")
    f.VisitParticipantFactory(visit_id=visit.id, user=adviser)
    response = client.post(f"/visites/{visit.id}/modifier", data={})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(m.Visit, visit.id).purpose == "Présentation."



def planned_visit(creator: m.User, participants: list[m.User], company=None) -> m.Visit:
    visit = f.VisitFactory(company=company or f.CompanyFactory(), created_by=creator)
    for user in participants:
        f.VisitParticipantFactory(visit_id=visit.id, user=user)
    return visit


def test_who_may_edit_a_visit(client, auth, agency, mission_locale):
    creator = f.UserFactory(organisation=agency)
    participant = f.UserFactory(organisation=mission_locale)
    visit = planned_visit(creator, [creator, participant])
    outside = f.OrganisationFactory(name="Cap emploi 21")
    allowed = {
        "creator": creator, "participant": participant,
        "manager of the creator's organisation": f.UserFactory(organisation=agency, role=m.Role.MANAGER),
        "manager of a participant's organisation": f.UserFactory(organisation=mission_locale,
                                                                 role=m.Role.MANAGER),
        "manager of the basin": f.UserFactory(organisation=outside, role=m.Role.MANAGER, basins=[dijon()]),
        "admin": f.UserFactory(organisation=outside, role=m.Role.ADMIN),
    }
    refused = {
        "adviser of the same organisation not taking part": f.UserFactory(organisation=agency),
        "manager elsewhere": f.UserFactory(organisation=outside, role=m.Role.MANAGER),
    }
    for who, user in allowed.items() | refused.items():
        auth.login(user)
        assert client.get(f"/visites/{visit.id}").status_code == 200, who
        expected = 200 if who in allowed else 403
        assert client.get(f"/visites/{visit.id}/modifier").status_code == expected, who
        auth.logout()


def test_partners_see_no_visit_page_and_unknown_visits_are_not_found(client, auth, agency):
    visit = planned_visit(f.UserFactory(organisation=agency), [])
    auth.login(f.UserFactory(role=m.Role.PARTNER, organisation=f.OrganisationFactory(is_spotter=True)))
    for url in (f"/visites/{visit.id}", f"/visites/{visit.id}/modifier", f"/visites/{visit.id}/compte-rendu",
                "/visites", "/visites/semaine", f"/entreprises/{visit.company_id}/visites/nouvelle"):
        assert client.get(url).status_code == 403, url
    auth.logout()
    auth.login(f.UserFactory(organisation=agency))
    assert client.get("/visites/999999").status_code == 404
    assert client.get("/entreprises/999999/visites/nouvelle").status_code == 404
