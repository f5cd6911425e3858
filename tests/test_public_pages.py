"""The employer's public pages: request form, confirmation and tracking page."""

import re

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.needs import filing as needs
from crm.services.needs import workflow
from crm.services.needs import workflow as need_workflow
from crm.services.needs.schema import parse_need
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.helpers import count, page_text, queries_for

pytestmark = pytest.mark.usefixtures("roomy_rate_limit")

FIELDS = ("siret", "company_name", "postal_code", "commune_code", "rome_code", "job_title",
          "positions", "contract_type", "contract_months", "start_date", "publics", "services",
          "description", "contact_name", "contact_email", "contact_phone", "consent", "website")


def form(**changes) -> dict:
    data = {
        "siret": "73282932000074", "company_name": "Boulangerie Martin", "postal_code": "21000",
        "rome_code": "D1102", "positions": "2", "contract_type": "cdi",
        "contact_name": "Camille Martin", "contact_email": "camille@boulangerie.fr",
        "consent": "y",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def nothing_stored() -> bool:
    return count(m.HiringNeed) == 0 and count(m.Company) == 0 and count(m.OutboxMessage) == 0


def tracking_link(token: str) -> str:
    """The tracking link as the test client's requests (to http://localhost) show it."""
    return f"http://localhost/recrutement/suivi/{token}"


def token_of(location: str) -> str:
    return location.split("?")[0].rsplit("/", 1)[1]


@pytest.fixture
def filed_need(agency_and_adviser):
    payload = {
        "siret": "73282932000074", "company_name": "Boulangerie Martin", "commune_code": "21231",
        "rome_code": "F1703", "positions": 3, "contract_type": "cdd", "contract_months": 6,
        "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr"},
    }
    need = needs.file_need(parse_need(payload), source=m.NeedSource.PUBLIC_FORM).need
    unit_of_work.commit()
    return need


# The request form


def test_the_form_offers_every_field_and_the_data_protection_notice(client):
    page = page_text(client.get("/recrutement"))
    for name in FIELDS:
        assert f'name="{name}"' in page
    assert 'data-job-search="/metiers"' in page and "(F1703)" not in page  # no 1,580-job list
    assert m.Public.DISABILITY.label in page and m.EmployerService.MRS.label in page
    assert "Précisions (facultatif)" in page
    assert "réseau pour l'emploi de Bourgogne-Franche-Comté" in page
    assert "2 ans après la clôture" in page and "CNIL" in page
    assert 'aria-describedby="rgpd consent-messages"' in page


def test_a_valid_request_is_stored_and_confirmed_with_its_tracking_link(client):
    dijon = db.session.get(m.Basin, "2711")
    mission = f.OrganisationFactory(name="Mission locale de Dijon", basins=[dijon],
                                    kind=m.OrganisationKind.MISSION_LOCALE)
    f.UserFactory(organisation=mission, name="Léa Morel", basins=[dijon])
    response = client.post("/recrutement", data=form(
        contact_phone="03 80 12 34 56", publics=["youth"], services=["mrs", "job_dating"],
        description="Boulanger de nuit."))
    assert response.status_code == 302
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert response.location == f"/recrutement/confirmation/{need.tracking_token}"
    assert (need.source, need.commune_code, need.rome_code, need.positions) == (
        m.NeedSource.PUBLIC_FORM, "21231", "D1102", 2)
    assert (need.publics, need.services, need.contact_phone) == (
        ["youth"], ["job_dating", "mrs"], "+33380123456")

    page = client.get(response.location)
    text = page_text(page)
    assert need.reference in text
    assert tracking_link(need.tracking_token) in text
    assert "Mission locale de Dijon" in text and "Léa Morel" in text
    assert "sous deux jours ouvrés" in text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex">' in text


@pytest.mark.parametrize("changes, field, message", [
    ({"siret": "73282932000075"}, "siret", "Ce SIRET n'est pas valide"),
    ({"contact_phone": "12 34"}, "contact_phone", "numéro de téléphone français valide"),
    ({"consent": None}, "consent", "Vous devez accepter le traitement de vos données"),
    ({"rome_code": None}, "job_title", "Indiquez le métier recherché"),
    ({"contact_email": "camille.boulangerie.fr"}, "contact_email", "adresse électronique valide"),
    ({"contract_type": "cdd"}, "contract_months", "Indiquez la durée du contrat"),
    ({"postal_code": "99999"}, "postal_code", "Aucune commune de Bourgogne-Franche-Comté"),
    ({"description": "x" * 4001}, "description", "ne doit pas dépasser 4000 caractères"),
])
def test_an_invalid_request_is_shown_again_with_its_message_and_nothing_stored(
        client, changes, field, message):
    response = client.post("/recrutement", data=form(**changes))
    assert response.status_code == 422
    page = page_text(response)
    assert message in page
    assert f'<a href="#{field}">' in page
    assert "Votre demande n'a pas été envoyée" in page
    assert nothing_stored()


@pytest.mark.parametrize("typed, stored", [
    ("732 829 320 00074", "73282932000074"),
    ("35600000049837", "35600000049837"),
])
def test_sirets_with_spaces_and_la_poste_are_accepted(client, agency_and_adviser, typed, stored):
    response = client.post("/recrutement", data=form(siret=typed))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(m.Company.siret)) == stored


def test_a_known_company_needs_neither_name_nor_postal_code(client, agency_and_adviser):
    company = f.CompanyFactory(name="Menuiserie Roy")
    response = client.post("/recrutement", data=form(siret=company.siret, company_name=None,
                                                     postal_code=None))
    assert response.status_code == 302
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert (need.company_id, need.basin_code) == (company.id, "2711")


def test_an_unknown_siret_without_company_name_is_refused(client):
    response = client.post("/recrutement", data=form(company_name=None))
    assert response.status_code == 422
    assert "Ce SIRET nous est inconnu : indiquez le nom de l'entreprise." in page_text(response)
    assert nothing_stored()


def test_a_closed_establishment_is_refused_with_a_clear_message(client):
    company = f.CompanyFactory(active=False)
    response = client.post("/recrutement", data=form(siret=company.siret))
    assert response.status_code == 422
    assert "Cet établissement est fermé" in page_text(response)
    assert count(m.HiringNeed) == 0


def test_a_postal_code_shared_by_several_communes_asks_which_one(client, agency_and_adviser):
    response = client.post("/recrutement", data=form(postal_code="21110"))
    assert response.status_code == 422
    page = page_text(response)
    assert "25 communes ont ce code postal" in page
    assert '<option value="21292">Genlis</option>' in page
    assert count(m.HiringNeed) == 0

    response = client.post("/recrutement", data=form(postal_code="21110", commune_code="21292"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(m.HiringNeed.commune_code)) == "21292"


def test_the_communes_of_a_postal_code_are_offered_as_json(client):
    communes = client.get("/recrutement/communes?code_postal=21110").get_json()
    assert {"code": "21292", "name": "Genlis"} in communes and len(communes) == 25
    assert client.get("/recrutement/communes?code_postal=21000").get_json() == [
        {"code": "21231", "name": "Dijon"}]
    assert client.get("/recrutement/communes?code_postal=abc").get_json() == []


# Protections


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(client, agency_and_adviser):
    response = client.post("/recrutement", data=form(website="https://promo.example"))
    assert response.status_code == 200
    page = page_text(response)
    assert "votre demande de recrutement a bien été reçue" in page
    assert "BFC-" not in page
    assert nothing_stored()


def test_a_post_without_csrf_token_is_refused(app, client, agency_and_adviser, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/recrutement", data=form())
    assert response.status_code == 400
    assert "Le formulaire a expiré" in page_text(response)
    assert nothing_stored()

    page = page_text(client.get("/recrutement"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/recrutement", data=form(csrf_token=token)).status_code == 302


# Duplicates within 7 days


def test_a_second_request_for_the_same_job_completes_the_open_one(client, agency_and_adviser):
    first = client.post("/recrutement", data=form())
    second = client.post("/recrutement", data=form(positions="1", description="En urgence."))
    token = token_of(first.location)
    assert second.location == f"/recrutement/confirmation/{token}?complement=1"
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert count(m.HiringNeed) == 1
    assert "En urgence." in need.messages[0].body

    page = page_text(client.get(second.location))
    assert "Votre demande en cours est complétée" in page
    assert f"référence <strong>{need.reference}</strong>" in page
    assert tracking_link(token) in page


def test_a_duplicate_from_another_person_does_not_reveal_the_tracking_link(client, agency_and_adviser):
    first = client.post("/recrutement", data=form())
    second = client.post("/recrutement", data=form(contact_email="autre@boulangerie.fr"))
    assert second.location == "/recrutement/demande-completee"
    page = page_text(client.get(second.location))
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert need.reference in page
    assert token_of(first.location) not in page


# Tracking page


def test_the_tracking_page_shows_history_adviser_and_public_messages_only(client, filed_need):
    need, adviser = filed_need, filed_need.adviser
    workflow.add_staff_message(need, adviser, "Note interne : client difficile.", True)
    workflow.add_staff_message(need, adviser, "Je vous appelle demain matin.", False)
    response = client.get(f"/recrutement/suivi/{need.tracking_token}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = page_text(response)
    assert '<meta name="robots" content="noindex">' in page
    assert need.reference in page and "Boulangerie Martin" in page
    assert "Maçon / Maçonne (F1703)" in page and "CDD de 6 mois" in page
    assert "Demande reçue." in page and "Demande confiée à France Travail Dijon." in page
    assert "Attribuée" in page and "Paul Girard" in page
    due = need.first_contact_due_at.strftime("%d/%m/%Y")
    assert f"Paul Girard (France Travail Dijon) va vous contacter au plus tard le {due}" in page
    assert "Je vous appelle demain matin." in page
    assert "client difficile" not in page
    assert need.routing_reason not in page


def test_a_need_waiting_for_an_adviser_says_so(client):
    need = f.HiringNeedFactory()
    page = page_text(client.get(f"/recrutement/suivi/{need.tracking_token}"))
    assert "Votre demande va être attribuée à un conseiller." in page


@pytest.mark.parametrize("token", ["inconnu", "x" * 80])
def test_a_wrong_token_is_a_plain_404(client, filed_need, token):
    assert client.get(f"/recrutement/suivi/{token}").status_code == 404
    assert client.get(f"/recrutement/confirmation/{token}").status_code == 404
    assert client.post(f"/recrutement/suivi/{token}/message", data={"body": "Bonjour"}
                       ).status_code == 404


def test_the_employer_writes_to_the_adviser(client, filed_need):
    url = f"/recrutement/suivi/{filed_need.tracking_token}"
    response = client.post(f"{url}/message", data={"body": "Pouvez-vous rappeler après 14 h ?"})
    assert response.status_code == 302 and response.location == f"{url}#messages"
    message = db.session.scalar(sa.select(m.NeedMessage))
    assert (message.author, message.internal) == (m.MessageAuthor.EMPLOYER, False)
    mail = db.session.scalar(sa.select(m.OutboxMessage).where(
        m.OutboxMessage.kind == "employer_message"))
    assert mail.recipient == filed_need.adviser.email
    page = page_text(client.get(url))
    assert "Votre message a été transmis." in page and "Pouvez-vous rappeler après 14 h ?" in page


def test_an_empty_message_is_refused_on_its_field(client, filed_need):
    url = f"/recrutement/suivi/{filed_need.tracking_token}"
    response = client.post(f"{url}/message", data={"body": "  "})
    assert response.status_code == 422
    assert 'id="body-error-1">Le message est vide.' in page_text(response)
    assert count(m.NeedMessage) == 0


def test_the_employer_withdraws_the_request(client, filed_need):
    url = f"/recrutement/suivi/{filed_need.tracking_token}"
    response = client.post(f"{url}/retrait", data={"reason": "Poste pourvu en interne."})
    assert response.status_code == 302
    db.session.refresh(filed_need)
    assert filed_need.status == m.NeedStatus.CANCELLED
    assert filed_need.history[-1].note == (
        "Demande retirée par l'employeur : Poste pourvu en interne.")
    page = page_text(client.get(url))
    assert "Votre demande est retirée" in page and "Annulée" in page
    assert "Cette demande est clôturée" in page and "Retirer ma demande</button>" not in page


def test_a_closed_request_refuses_messages_and_withdrawal(client, filed_need):
    need_workflow.close(filed_need, filed_need.adviser, m.NeedStatus.FILLED, 3, None)
    unit_of_work.commit()
    url = f"/recrutement/suivi/{filed_need.tracking_token}"
    for action, data in (("message", {"body": "Encore un poste"}), ("retrait", {"reason": ""})):
        response = client.post(f"{url}/{action}", data=data)
        assert response.status_code == 409
        assert "Cette demande est clôturée : elle ne peut plus être modifiée." in (
            page_text(response))
    assert count(m.NeedMessage) == 0
    db.session.refresh(filed_need)
    assert filed_need.status == m.NeedStatus.FILLED


def need_with_exchanges(rows: int) -> m.HiringNeed:
    need = f.HiringNeedFactory()
    for number in range(rows):
        f.NeedStatusChangeFactory(need=need, note=f"Étape {number}")
        staff = f.UserFactory()
        db.session.add(m.NeedMessage(need=need, author=m.MessageAuthor.STAFF, user=staff,
                                     body=f"Message {number}"))
    db.session.commit()
    return need


def test_the_tracking_page_query_count_does_not_grow_with_its_history(client):
    few, many = need_with_exchanges(3), need_with_exchanges(30)
    assert queries_for(client, f"/recrutement/suivi/{few.tracking_token}") == (
        queries_for(client, f"/recrutement/suivi/{many.tracking_token}"))
