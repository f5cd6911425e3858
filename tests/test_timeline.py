"""The shared timeline of a firm: every kind of entry from every organisation, newest first, saying
when, what, who and which organisation; visit reports stand for their visit; older entries page."""

from datetime import timedelta

import pytest

from crm import models as m
from crm.extensions import db
from crm.services.companies.timeline import timeline_of
from tests import factories as f
from tests.helpers import page_text


@pytest.fixture
def company():
    return f.CompanyFactory(name="Boulangerie Martin")


@pytest.fixture
def paul(agency):
    return f.UserFactory(organisation=agency, name="Paul Girard")


@pytest.fixture
def lea(mission_locale):
    return f.UserFactory(organisation=mission_locale, name="Léa Roux")


def ago(days: int):
    return m.utcnow() - timedelta(days=days)


def one_of_each_kind(company, paul, lea, agency, mission_locale) -> list[str]:
    """One entry of each kind, alternating the two organisations; their titles, newest first."""
    f.InteractionFactory(company=company, user=paul, kind=m.InteractionKind.CALL,
                         summary="Appel de présentation", occurred_at=ago(1))
    need = f.HiringNeedFactory(company=company, job_title="Boulanger", created_at=ago(9),
                               source=m.NeedSource.SPOTTER, flagged_by=lea,
                               source_organisation=mission_locale)
    f.NeedStatusChangeFactory(need=need, user=paul, from_status=m.NeedStatus.NEW,
                              to_status=m.NeedStatus.ASSIGNED, at=ago(7), note="Prise en charge")
    visit = f.VisitFactory(company=company, scheduled_at=ago(5), status=m.VisitStatus.DONE,
                           findings="Deux postes à pourvoir", created_by=paul)
    f.VisitParticipantFactory(visit_id=visit.id, user=paul)
    f.VisitParticipantFactory(visit_id=visit.id, user=lea)
    f.EventCompanyFactory(company=company, positions=2, event_id=f.EventFactory(
        title="Job dating boulangerie", starts_at=ago(3), ends_at=ago(3) + timedelta(hours=2),
        organisers=[agency, mission_locale]).id)
    f.TrainingRequestFactory(company=company, created_by_id=lea.id, created_at=ago(11))
    f.InteractionFactory(company=company, user=lea, kind=m.InteractionKind.EMAIL,
                         summary="Envoi de l'offre de service", occurred_at=ago(13))
    return ["Appel", "Job dating : Job dating boulangerie", "Visite réalisée (sur place)",
            f"Demande {need.reference} : Nouvelle → Attribuée",
            "Demande de recrutement déposée (Signalement d'un partenaire)",
            "Demande de formation POE individuelle (POEI)", "Courriel"]


def test_every_kind_from_two_organisations_appears_newest_first(company, paul, lea, agency,
                                                                mission_locale):
    titles = one_of_each_kind(company, paul, lea, agency, mission_locale)
    timeline = timeline_of(company.id)
    assert [entry.title for entry in timeline.entries] == titles
    assert timeline.more_before is None
    by_title = {entry.title: entry for entry in timeline.entries}
    assert [(a.name, a.organisation) for a in by_title["Appel"].actors] == [
        ("Paul Girard", "France Travail Dijon")]
    assert {(a.name, a.organisation) for a in by_title["Visite réalisée (sur place)"].actors} == {
        ("Paul Girard", "France Travail Dijon"), ("Léa Roux", "Mission locale Dijon")}
    assert by_title["Courriel"].actors[0].organisation == "Mission locale Dijon"


def test_the_page_shows_when_what_who_and_which_organisation(auth, company, paul, lea,
                                                             agency, mission_locale, client):
    titles = one_of_each_kind(company, paul, lea, agency, mission_locale)
    auth.login(paul)
    text = " ".join(page_text(client.get(f"/entreprises/{company.id}")).split())
    timeline = text.split("Historique des échanges")[1]
    positions = [timeline.index(title) for title in titles]
    assert positions == sorted(positions)
    for shown in ("Par Paul Girard, France Travail Dijon", "Par Léa Roux, Mission locale Dijon",
                  "Appel de présentation", "Deux postes à pourvoir", "Prise en charge",
                  "Boulanger, 2 postes", "Par France Travail Dijon ; Mission locale Dijon",
                  ago(1).strftime("%d/%m/%Y")):
        assert shown in timeline, shown


def test_a_visit_report_stands_for_its_visit(company, paul, lea):
    visit = f.VisitFactory(company=company, scheduled_at=ago(2), status=m.VisitStatus.DONE,
                           mode=m.VisitMode.VIDEO)
    f.VisitParticipantFactory(visit_id=visit.id, user=lea)
    f.InteractionFactory(company=company, user=lea, kind=m.InteractionKind.VISIT,
                         visit_id=visit.id, summary="Compte rendu : besoin de deux soudeurs",
                         occurred_at=ago(1))
    entries = timeline_of(company.id).entries
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.title, entry.visit_id, entry.detail) == (
        "Visite réalisée (en visioconférence)", visit.id, "Compte rendu : besoin de deux soudeurs")
    assert [(a.name, a.organisation) for a in entry.actors] == [("Léa Roux", "Mission locale Dijon")]


def test_a_task_force_visit_appears_once_with_every_organisation(company, paul, lea):
    visit = f.VisitFactory(company=company, scheduled_at=ago(2), status=m.VisitStatus.DONE)
    for user in (paul, lea):
        f.VisitParticipantFactory(visit_id=visit.id, user=user)
        f.InteractionFactory(company=company, user=user, kind=m.InteractionKind.VISIT, visit_id=visit.id,
                             summary="Visite conjointe", occurred_at=ago(2))
    [entry] = timeline_of(company.id).entries
    assert {a.organisation for a in entry.actors} == {"France Travail Dijon", "Mission locale Dijon"}


def test_a_filed_need_appears_once_not_also_as_its_ledger_line(company):
    from crm.services.needs.filing import file_need
    from crm.services.needs.schema import parse_need
    from crm.services.platform import unit_of_work
    data = parse_need({"siret": company.siret, "company_name": company.name, "commune_code": "21231",
                       "rome_code": "D1102", "positions": 1, "contract_type": "cdi",
                       "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr"}})
    file_need(data, source=m.NeedSource.PUBLIC_FORM)
    unit_of_work.commit()
    kinds = [entry.kind for entry in timeline_of(company.id).entries]
    assert kinds.count("need") == 1 and "interaction" not in kinds


def test_planned_and_cancelled_visits_say_so(company, paul):
    f.VisitFactory(company=company, scheduled_at=m.utcnow() + timedelta(days=3), created_by=paul)
    f.VisitFactory(company=company, scheduled_at=ago(4), status=m.VisitStatus.CANCELLED,
                   created_by=paul)
    entries = timeline_of(company.id).entries
    assert [e.title for e in entries] == ["Visite prévue (sur place)", "Visite annulée (sur place)"]
    assert entries[0].actors[0].name == "Paul Girard"  # no participants yet: who planned it


def test_visit_entries_link_to_the_visit_page(auth, company, paul, client, app):
    visit = f.VisitFactory(company=company, scheduled_at=ago(1), created_by=paul)
    auth.login(paul)
    html = client.get(f"/entreprises/{company.id}").get_data(as_text=True)
    assert (f'href="/visites/{visit.id}"' in html) == ("visits.visit" in app.view_functions)


def test_older_entries_are_one_click_away(auth, company, paul, client):
    for days in range(1, 56):
        f.InteractionFactory(company=company, user=paul, summary=f"Échange numéro {days}",
                             occurred_at=ago(days))
    timeline = timeline_of(company.id)
    assert len(timeline.entries) == 50
    assert timeline.more_before == timeline.entries[-1].at
    older = timeline_of(company.id, timeline.more_before)
    assert [e.detail for e in older.entries] == [f"Échange numéro {days}" for days in range(51, 56)]
    assert older.more_before is None

    auth.login(paul)
    first = page_text(client.get(f"/entreprises/{company.id}"))
    assert "Échange numéro 50" in first and "Échange numéro 51" not in first
    assert "Voir plus" in first
    second = page_text(client.get(f"/entreprises/{company.id}",
                                  query_string={"avant": timeline.more_before.isoformat()}))
    assert "Échange numéro 51" in second and "Échange numéro 50" not in second


def test_a_garbled_date_shows_the_newest_entries(auth, company, paul, client):
    f.InteractionFactory(company=company, user=paul, summary="Le dernier échange")
    auth.login(paul)
    assert "Le dernier échange" in page_text(client.get(f"/entreprises/{company.id}?avant=hier"))


def test_partners_do_not_see_the_timeline(auth, company, paul, client):
    f.InteractionFactory(company=company, user=paul, summary="Appel de présentation")
    partner = f.UserFactory(role=m.Role.PARTNER, organisation=f.OrganisationFactory(
        kind=m.OrganisationKind.OPCO, is_spotter=True))
    db.session.commit()
    auth.login(partner)
    text = page_text(client.get(f"/entreprises/{company.id}"))
    assert "Appel de présentation" not in text and "Historique des échanges" not in text


def test_an_employer_request_without_organisation_does_not_make_a_follower(company):
    from crm.services.companies.followers import followers_of
    f.InteractionFactory(company=company, user=None, organisation=None, kind=m.InteractionKind.REQUEST)
    assert followers_of(company) == []
