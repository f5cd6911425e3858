"""A firm's projects (the RET's reviews of "implantation, agrandissement, difficultés"): staff add
one from the 360° page, correct or delete it; a refused one keeps the input and says why; each
change is in the history of changes; projects show on the page and on the shared timeline, and
the page runs as many queries with 30 projects as with 3."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.companies import projects
from crm.services.companies.projects import ProjectFacts
from crm.services.companies.timeline import timeline_of
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import InvalidInput
from tests import factories as f
from tests.helpers import assert_constant_queries, count, page_text, text_of


@pytest.fixture
def company():
    return f.CompanyFactory(name="Menuiserie Perrin")


def page_of(company: m.Company) -> str:
    return f"/entreprises/{company.id}"


def form(**values) -> dict[str, str]:
    data = {"kind": "expansion", "occurred_on": local_today().isoformat(),
            "source": "Revue des projets du RET", "note": "Nouvel atelier de 800 m²."} | values
    return {f"project-{name}": value for name, value in data.items()}


def audit_actions(company: m.Company) -> list[str]:
    """The project events of the firm's audit trail (the factory's creation left aside)."""
    return list(db.session.scalars(
        sa.select(m.AuditEvent.action).where(m.AuditEvent.object_type == "Company",
                                             m.AuditEvent.object_id == str(company.id),
                                             m.AuditEvent.action.like("project_%"))
        .order_by(m.AuditEvent.id)))


@pytest.mark.parametrize(("facts", "field", "message"), [
    (ProjectFacts(None, local_today()), "kind", "Choisissez le type de projet."),
    (ProjectFacts(m.ProjectKind.EXPANSION, None), "occurred_on", "Indiquez la date du projet"),
    (ProjectFacts(m.ProjectKind.EXPANSION, local_today() + timedelta(days=3 * 365)), "occurred_on",
     "deux ans à venir"),
    (ProjectFacts(m.ProjectKind.EXPANSION, local_today(), note="x" * (projects.MAX_NOTE + 1)),
     "note", "2000 caractères"),
    (ProjectFacts(m.ProjectKind.EXPANSION, local_today(), source="x" * (projects.MAX_SOURCE + 1)),
     "source", "160 caractères"),
])
def test_a_project_without_kind_or_date_too_far_or_too_long_is_refused(company, adviser, facts,
                                                                       field, message):
    with pytest.raises(InvalidInput) as refused:
        projects.record_project(company, adviser, facts)
    assert message in refused.value.fields[field][0]
    assert count(m.CompanyProject) == 0


def test_a_project_announced_ahead_and_trimmed_is_recorded_and_audited(company, adviser):
    ahead = local_today() + timedelta(days=365)
    project = projects.record_project(
        company, adviser, ProjectFacts(m.ProjectKind.NEW_SITE, ahead, "  presse locale ", "  "))
    assert (project.kind, project.occurred_on, project.source, project.note) == (
        m.ProjectKind.NEW_SITE, ahead, "presse locale", None)
    assert project.created_by_id == adviser.id
    assert audit_actions(company) == ["project_recorded"]


def test_staff_add_a_project_from_the_company_page(auth, adviser, company, client):
    auth.login(adviser)
    text = text_of(client, page_of(company))
    assert "Projets de l'entreprise" in text and "Aucun projet connu" in text
    response = client.post(f"{page_of(company)}/projets/nouveau", data=form())
    assert response.status_code == 302 and response.location.endswith(f"{page_of(company)}#projets")
    text = text_of(client, page_of(company))
    assert "Le projet de l'entreprise est enregistré." in text
    assert "Agrandissement" in text and "Revue des projets du RET – Nouvel atelier de 800 m²." in text
    assert "Paul Girard" in text


def test_a_refused_project_shows_the_form_again_with_the_input_and_why(auth, adviser, company,
                                                                      client):
    auth.login(adviser)
    far = (local_today() + timedelta(days=3 * 365)).isoformat()
    response = client.post(f"{page_of(company)}/projets/nouveau", data=form(occurred_on=far))
    assert response.status_code == 422
    text = page_text(response)
    assert "La date du projet ne peut dépasser deux ans à venir." in text
    assert "Nouvel atelier de 800 m²." in text
    response = client.post(f"{page_of(company)}/projets/nouveau", data=form(kind=""))
    assert response.status_code == 422 and "Choisissez le type de projet." in page_text(response)
    assert count(m.CompanyProject) == 0


def test_staff_correct_then_delete_a_project_and_the_history_keeps_both(auth, manager, company,
                                                                        client):
    project = f.CompanyProjectFactory(company=company, kind=m.ProjectKind.EXPANSION)
    db.session.commit()
    edit = f"{page_of(company)}/projets/{project.id}/modifier"
    assert "Agrandissement" in text_of(client, edit)
    response = client.post(edit, data=form(kind="difficulty", note="Commandes en baisse."))
    assert response.status_code == 302
    db.session.expire_all()
    assert project.kind == m.ProjectKind.DIFFICULTY and project.note == "Commandes en baisse."
    delete = f"{page_of(company)}/projets/{project.id}/supprimer"
    assert "Supprimer le projet « Difficultés »" in text_of(client, delete)
    assert client.post(delete).status_code == 302
    assert count(m.CompanyProject) == 0
    assert audit_actions(company) == ["project_changed", "project_deleted"]
    text = text_of(client, page_of(company))
    for shown in ("Projet modifié", "Agrandissement", "Difficultés", "Projet supprimé"):
        assert shown in text, shown


def test_another_firms_project_is_not_found(auth, adviser, company, client):
    other = f.CompanyProjectFactory()
    auth.login(adviser)
    assert client.get(f"{page_of(company)}/projets/{other.id}/modifier").status_code == 404
    assert client.post(f"{page_of(company)}/projets/{other.id}/supprimer").status_code == 404


def test_partners_neither_see_nor_add_projects(auth, company, client):
    f.CompanyProjectFactory(company=company)
    partner = f.UserFactory(role=m.Role.PARTNER, organisation=f.OrganisationFactory(
        kind=m.OrganisationKind.CCI, is_spotter=True))
    auth.login(partner)
    assert "Projets de l'entreprise" not in text_of(client, page_of(company))
    assert client.post(f"{page_of(company)}/projets/nouveau", data=form()).status_code == 403


def test_projects_are_on_the_timeline_with_who_recorded_them(auth, adviser, company, client):
    f.CompanyProjectFactory(company=company, kind=m.ProjectKind.NEW_SITE, created_by=adviser,
                            occurred_on=local_today() + timedelta(days=30), note="Site de Beaune.")
    entry = timeline_of(company.id).entries[0]
    assert entry.kind == "project" and entry.title.startswith("Projet de l'entreprise : Implantation")
    assert entry.detail == "Site de Beaune. – Revue des projets du RET"
    assert entry.actors[0].name == "Paul Girard"
    auth.login(adviser)
    assert "Projet de l'entreprise : Implantation d'un nouveau site" in text_of(client, page_of(company))


def test_the_company_page_runs_as_many_queries_with_30_projects_as_with_3(auth, adviser, company,
                                                                          client):
    auth.login(adviser)

    def add_projects(number: int) -> None:
        for _ in range(number):
            f.CompanyProjectFactory(company=company, created_by=f.UserFactory())
        db.session.commit()

    assert_constant_queries(client, page_of(company), add_projects)
