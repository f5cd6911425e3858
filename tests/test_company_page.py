"""The company 360° page as staff and partners see it: identity, open needs, contacts, who follows
the firm, the contact-pressure notice, permissions, and a query count that does not grow."""

from datetime import timedelta

import pytest
from flask import url_for

from crm import models as m
from crm.blueprints.companies import page_views
from crm.blueprints.maps import rendering
from crm.extensions import db
from crm.services.platform.local_time import local_today
from tests import factories as f
from tests.helpers import assert_constant_queries, dijon, page_text, text_of


@pytest.fixture
def company():
    return f.CompanyFactory(name="Boulangerie Martin", search_name="boulangerie martin",
                            siren="732829320", siret="73282932000074", sign="Au bon pain",
                            address="12 rue de la Liberté", source="sirene",
                            naf2025_code="10.71C", latitude=47.3216, longitude=5.0415)


def url(company: m.Company, **args) -> str:
    return f"/entreprises/{company.id}" + (("?" + "&".join(f"{k}={v}" for k, v in args.items()))
                                           if args else "")


def test_staff_see_the_identity_of_the_firm(auth, adviser, company, client):
    auth.login(adviser)
    text = text_of(client, url(company))
    for shown in ("Boulangerie Martin", "Enseigne : Au bon pain", "732 829 320 00074",
                  "732 829 320", "43.21A – ", "Travaux d'installation électrique", "10.71C",
                  "12 rue de la Liberté", "21000", "Dijon", "En activité", "Vérifiée",
                  "Répertoire SIRENE (Insee)"):
        assert shown in text, shown
    band = db.session.get(m.HeadcountBand, "11").label
    assert band in text


def test_closed_and_unverified_firms_say_so(auth, adviser, client):
    auth.login(adviser)
    text = text_of(client, url(f.CompanyFactory(active=False, verified=False)))
    assert "Fermée" in text and "Non vérifiée" in text


def test_without_a_map_the_coordinates_are_given(auth, adviser, company, client, monkeypatch):
    monkeypatch.setattr(rendering, "company_map", lambda company: None)
    auth.login(adviser)
    assert "47.32160, 5.04150" in text_of(client, url(company))


def test_the_actions_of_other_pages_are_offered(auth, adviser, company, client, app):
    auth.login(adviser)
    html = client.get(url(company)).get_data(as_text=True)
    for endpoint, label, _ in page_views.ACTIONS:
        with app.test_request_context():
            address = url_for(endpoint, company_id=company.id)
        assert label in html
        assert f'href="{address}"' in html


def test_open_needs_of_every_organisation_are_listed(auth, adviser, agency, company, client):
    auth.login(adviser)
    mine = f.HiringNeedFactory(company=company, organisation=agency, adviser=adviser,
                               job_title="Boulanger", status=m.NeedStatus.ASSIGNED,
                               first_contact_due_at=m.utcnow() - timedelta(days=4))
    other = f.HiringNeedFactory(company=company, organisation=f.OrganisationFactory(name="Cap emploi 21"),
                                job_title="Vendeuse")
    closed = f.HiringNeedFactory(company=company, organisation=agency, status=m.NeedStatus.FILLED,
                                 hires=1)
    response = client.get(url(company))
    text = page_text(response)
    html = response.get_data(as_text=True)
    assert mine.reference in text and other.reference in text
    assert f'href="/demandes/{mine.reference}"' in html
    assert f'href="/demandes/{other.reference}"' not in html  # out of this adviser's scope
    assert "Boulanger" in text and "Paul Girard – France Travail Dijon" in text
    assert "En retard" in text and "Cap emploi 21" in text
    assert f'href="/demandes/{closed.reference}"' not in html.split('id="contacts"')[0]


def test_contacts_preferences_and_referent_are_shown(auth, adviser, company, client):
    company.referent = adviser
    company.do_not_contact_before = local_today() + timedelta(days=20)
    company.preferred_channel = m.Channel.EMAIL
    company.tags = ["industrie", "plan 2026"]
    db.session.commit()
    f.ContactFactory(company=company, name="Camille Martin", job_title="Gérante",
                     email="camille@boulangerie.fr", phone="+33380123456", consent=True,
                     consent_at=m.utcnow())
    auth.login(adviser)
    text = text_of(client, url(company))
    for shown in ("Camille Martin", "Gérante", "camille@boulangerie.fr", "03 80 12 34 56",
                  "Oui, depuis le", "Courriel", "industrie", "plan 2026",
                  (local_today() + timedelta(days=20)).strftime("%d/%m/%Y"),
                  "Conseiller référent", "Paul Girard"):
        assert shown in text, shown


def test_the_pressure_notice_counts_contacts_by_organisation(auth, adviser, company, client):
    others = [f.UserFactory(organisation=f.OrganisationFactory(name=name)) for name in
              ("Mission locale Dijon", "CCI Côte-d'Or")]
    for user in (*others, others[0]):
        f.InteractionFactory(company=company, user=user, occurred_at=m.utcnow() - timedelta(days=3))
    auth.login(adviser)
    text = text_of(client, url(company))
    assert "Attention : entreprise déjà sollicitée" in text or "Pression de contact forte" in text
    assert "Mission locale Dijon" in text and "CCI Côte-d'Or" in text
    assert "Contacts par organisation" in text


def test_followed_by_lists_organisations_and_advisers_newest_first(auth, adviser, agency,
                                                                  company, client):
    local = f.UserFactory(organisation=f.OrganisationFactory(name="Mission locale Dijon"),
                          name="Léa Roux")
    f.InteractionFactory(company=company, user=local, occurred_at=m.utcnow() - timedelta(days=30))
    f.InteractionFactory(company=company, user=adviser, occurred_at=m.utcnow() - timedelta(days=2))
    company.referent = adviser
    db.session.commit()
    auth.login(adviser)
    text = text_of(client, url(company))
    panel = text.split("Suivi par")[1]
    assert panel.index("France Travail Dijon") < panel.index("Mission locale Dijon")
    assert "Paul Girard (référent, échanges)" in panel and "Léa Roux (échanges)" in panel
    assert (m.utcnow() - timedelta(days=30)).strftime("%d/%m/%Y") in panel


def test_partners_see_the_public_identity_only(auth, company, client):
    partner = f.UserFactory(role=m.Role.PARTNER,
                            organisation=f.OrganisationFactory(kind=m.OrganisationKind.CCI,
                                                               is_spotter=True))
    f.ContactFactory(company=company, name="Camille Martin")
    f.InteractionFactory(company=company, summary="Appel très confidentiel")
    company.referent = f.UserFactory(name="Paul Girard")
    db.session.commit()
    auth.login(partner)
    text = text_of(client, url(company))
    assert "Boulangerie Martin" in text and "732 829 320 00074" in text and "Dijon" in text
    for hidden in ("Camille Martin", "Appel très confidentiel", "Paul Girard", "Historique",
                   "Suivi par", "Contacts dans l'entreprise", "Répertoire SIRENE"):
        assert hidden not in text, hidden
    assert client.get(f"/entreprises/{company.id}/modifier").status_code == 403
    assert client.get(f"/entreprises/{company.id}/referent").status_code == 403


def test_unknown_firms_are_not_found_and_visitors_must_sign_in(auth, adviser, client):
    assert client.get("/entreprises/1").status_code == 302
    auth.login(adviser)
    assert client.get("/entreprises/999999").status_code == 404


def test_the_page_runs_as_many_queries_for_3_as_for_30_rows(auth, agency, company, client):
    manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER, basins=[dijon()])
    event = f.EventFactory(organisers=[agency])

    def add_rows(count: int) -> None:
        for _ in range(count):
            user = f.UserFactory(organisation=f.OrganisationFactory())
            need = f.HiringNeedFactory(company=company, organisation=user.organisation, adviser=user,
                                       first_contact_at=m.utcnow())
            f.NeedStatusChangeFactory(need=need, user=user)
            visit = f.VisitFactory(company=company, created_by=user)
            f.VisitParticipantFactory(visit_id=visit.id, user=user)
            f.InteractionFactory(company=company, user=user, visit_id=visit.id)
            f.InteractionFactory(company=company, user=user, need_id=need.id)
            contact = f.ContactFactory(company=company)
            f.AuditEventFactory(actor_id=user.id, object_type="Contact", object_id=str(contact.id),
                                action="update", changes={"phone": [None, "+33380123456"]})
            f.TrainingRequestFactory(company=company, created_by_id=user.id)
        f.EventCompanyFactory(event_id=f.EventFactory(organisers=[agency]).id, company=company)

    f.EventCompanyFactory(event_id=event.id, company=company)
    auth.login(manager)
    assert_constant_queries(client, url(company), add_rows)
