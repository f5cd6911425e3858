"""Quick logging of a call, an e-mail or a meeting with a firm, after the contact-pressure notice."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.platform.local_time import local_now
from crm.services.visits.finding import utc_from_local
from tests import factories as f
from tests.helpers import page_text

WARNING = "Attention : entreprise déjà sollicitée"


@pytest.fixture
def company():
    return f.CompanyFactory(name="Menuiserie Roy")


def url(company: m.Company) -> str:
    return f"/entreprises/{company.id}/echanges/nouveau"


def typed(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def ledger() -> list[m.Interaction]:
    return list(db.session.scalars(sa.select(m.Interaction).order_by(m.Interaction.id)))


def test_a_call_lands_in_the_shared_ledger_for_my_organisation(client, adviser, signed_in, agency, company):
    when = local_now() - timedelta(hours=2)
    response = client.post(url(company), data={
        "kind": "call", "occurred_at": typed(when), "summary": "Présentation de la MRS.",
        "outcome": "Rappeler en septembre", "need": "0"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/entreprises/{company.id}")
    [entry] = ledger()
    assert (entry.company_id, entry.user_id, entry.organisation_id, entry.kind, entry.need_id) == (
        company.id, adviser.id, agency.id, m.InteractionKind.CALL, None)
    assert (entry.summary, entry.outcome) == ("Présentation de la MRS.", "Rappeler en septembre")
    assert entry.occurred_at == utc_from_local(when)


def test_a_recent_contact_by_another_organisation_is_shown_before_logging_and_never_blocks(
        client, adviser, signed_in, company):
    mission_locale = f.OrganisationFactory(name="Mission locale Dijon",
                                           kind=m.OrganisationKind.MISSION_LOCALE)
    f.InteractionFactory(company=company, user=f.UserFactory(organisation=mission_locale),
                         occurred_at=m.utcnow() - timedelta(days=2))
    text = page_text(client.get(url(company)))
    assert WARNING in text
    assert "Contactée par Mission locale Dijon" in text
    response = client.post(url(company), data={
        "kind": "email", "occurred_at": typed(local_now()), "summary": "Envoi de l'offre de service."})
    assert response.status_code == 302
    assert [e.kind for e in ledger()] == [m.InteractionKind.CALL, m.InteractionKind.EMAIL]


def test_no_warning_when_only_my_organisation_called_recently(client, adviser, signed_in, company):
    f.InteractionFactory(company=company, user=adviser, occurred_at=m.utcnow() - timedelta(days=2))
    text = page_text(client.get(url(company)))
    assert WARNING not in text
    assert "Enregistrer un échange avec Menuiserie Roy" in text


def test_a_contact_about_an_open_need_stops_its_first_contact_clock(
        client, adviser, signed_in, agency, company):
    need = f.HiringNeedFactory(company=company, organisation=agency, status=m.NeedStatus.ASSIGNED)
    assert need.reference in page_text(client.get(url(company)))
    response = client.post(url(company), data={
        "kind": "meeting", "occurred_at": typed(local_now()), "summary": "Rendez-vous sur site.",
        "need": str(need.id)})
    assert response.status_code == 302
    db.session.refresh(need)
    assert need.first_contact_at is not None
    assert need.status == m.NeedStatus.IN_PROGRESS
    assert ledger()[0].need_id == need.id


def test_a_need_of_another_firm_is_refused_and_nothing_is_written(client, adviser, signed_in, company):
    other = f.HiringNeedFactory()
    response = client.post(url(company), data={
        "kind": "call", "occurred_at": typed(local_now()), "summary": "Appel.", "need": str(other.id)})
    assert response.status_code == 422
    assert ledger() == []


@pytest.mark.parametrize("data, message", [
    ({"kind": "call", "occurred_at": "", "summary": "Appel."}, "Indiquez la date et l'heure de l'échange."),
    ({"kind": "call", "occurred_at": typed(local_now() + timedelta(days=1)), "summary": "Appel."},
     "La date de l'échange ne peut pas être après aujourd'hui."),
    ({"kind": "call", "occurred_at": typed(local_now())}, "Résumez l'échange avec l'entreprise."),
    ({"kind": "visit", "occurred_at": typed(local_now()), "summary": "Visite."}, "pas un choix valide"),
])
def test_invalid_input_is_explained_and_kept(client, adviser, signed_in, company, data, message):
    response = client.post(url(company), data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert ledger() == []


def test_partners_may_not_log_contacts_and_unknown_firms_are_not_found(client, auth, company):
    auth.login(f.UserFactory(role=m.Role.PARTNER))
    assert client.get(url(company)).status_code == 403
    assert client.post(url(company), data={"kind": "call"}).status_code == 403
    auth.logout()
    auth.login(f.UserFactory())
    assert client.get("/entreprises/999999/echanges/nouveau").status_code == 404
