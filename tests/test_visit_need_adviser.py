"""A need collected during a visit goes to the adviser who collected it when the need is routed to
that adviser's organisation: the visit's author first, then the other participants."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.routing import engine
from crm.services.visits import recording
from tests import factories as f
from tests.helpers import dijon, page_text

WHEN = datetime(2026, 6, 10, 7, 0)  # local time, before the test clock


@pytest.fixture
def company():
    return f.CompanyFactory(name="Chaudronnerie Bourgogne")


def adviser(organisation, name: str, open_needs: int = 0) -> m.User:
    """An adviser of the Dijon basin already holding `open_needs` open needs."""
    user = f.UserFactory(organisation=organisation, name=name, basins=[dijon()])
    for _ in range(open_needs):
        f.HiringNeedFactory(organisation=organisation, adviser=user, status=m.NeedStatus.ASSIGNED)
    return user


def file_from_visit(client, auth, author, company, participants) -> m.HiringNeed:
    """The author records a done visit with one need identified."""
    auth.login(author)
    data = {
        "scheduled_at": WHEN.strftime("%Y-%m-%dT%H:%M"), "mode": "on_site", "status": "done",
        "participants": [str(p.id) for p in participants], "purpose": "Présentation.",
        "needs-0-job_title": "Soudeur", "needs-0-positions": "2", "needs-0-contract_type": "cdi",
        "needs-0-contact_name": "Claire Dubois",
        "needs-0-contact_email": "claire.dubois@chaudronnerie.fr",
    }
    response = client.post(f"/entreprises/{company.id}/visites/nouvelle", data=data)
    assert response.status_code == 302, page_text(response)
    return db.session.scalar(sa.select(m.HiringNeed).where(m.HiringNeed.visit_id.is_not(None)))


def test_the_author_gets_the_need_rather_than_the_least_loaded_colleague(client, auth, agency,
                                                                        company):
    author = adviser(agency, "Paul Girard", open_needs=3)
    colleague = adviser(agency, "Léa Roux", open_needs=0)
    need = file_from_visit(client, auth, author, company, [author, colleague])
    assert (need.organisation_id, need.adviser_id) == (agency.id, author.id)
    assert "conseiller désigné : Paul Girard (a recueilli le besoin lors de la visite)" in (
        need.routing_reason)
    notices = db.session.scalars(sa.select(m.OutboxMessage.recipient)
                                 .where(m.OutboxMessage.kind == "need_assigned")).all()
    assert notices == [author.email]


def test_a_task_force_participant_of_the_pilot_organisation_gets_it(client, auth, agency,
                                                                   mission_locale, company):
    f.RoutingRuleFactory(position=0, name="Tout à la Mission locale",
                         target_kind=m.OrganisationKind.MISSION_LOCALE)
    author = adviser(agency, "Paul Girard")
    met_the_employer = adviser(mission_locale, "Léa Moreau", open_needs=4)
    adviser(mission_locale, "Jeanne Petit", open_needs=0)
    need = file_from_visit(client, auth, author, company, [author, met_the_employer])
    assert (need.organisation_id, need.adviser_id) == (mission_locale.id, met_the_employer.id)


def test_the_collector_comes_before_the_firms_referent(client, auth, agency, company):
    author = adviser(agency, "Paul Girard", open_needs=2)
    company.referent = adviser(agency, "Marc Référent")
    db.session.commit()
    need = file_from_visit(client, auth, author, company, [author])
    assert need.adviser_id == author.id


def test_without_a_participant_in_the_pilot_organisation_routing_is_unchanged(
        client, auth, agency, company):
    cap = f.OrganisationFactory(name="Cap emploi 21", kind=m.OrganisationKind.CAP_EMPLOI,
                                basins=[dijon()])
    author = adviser(cap, "Nora Cap")
    adviser(agency, "Paul Girard", open_needs=2)
    least_loaded = adviser(agency, "Léa Roux", open_needs=0)
    need = file_from_visit(client, auth, author, company, [author])
    assert (need.organisation_id, need.adviser_id) == (agency.id, least_loaded.id)
    assert "conseiller du bassin le moins chargé" in need.routing_reason


def test_an_inactive_participant_is_not_chosen(client, auth, agency, mission_locale, company):
    author = adviser(mission_locale, "Léa Moreau")
    gone = adviser(agency, "Ancien Conseiller")
    least_loaded = adviser(agency, "Léa Roux")
    visit = f.VisitFactory(company=company, created_by=author, status=m.VisitStatus.DONE)
    f.VisitParticipantFactory(visit_id=visit.id, user=gone)
    gone.active = False
    db.session.commit()
    assert engine.choose_adviser(agency, company, "2711", recording.collectors(visit, author))[0] == (
        least_loaded)
