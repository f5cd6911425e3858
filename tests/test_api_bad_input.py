"""Bad input to the API answers a 4xx in JSON with French messages per field, never a 500, on both
databases: values of the wrong JSON type, NUL characters and lone surrogates (PostgreSQL stores
neither), numbers beyond any page, dates out of range, bodies nested beyond the JSON parser.

Every request goes through ApiClient, which checks each answer against the OpenAPI document.
"""

import pytest

from crm import models as m
from crm.services.companies.search import following_prefix
from crm.services.platform.raw_input import UNSTORABLE
from tests import factories as f
from tests.helpers import count
from tests.test_api import payload, token_for
from tests.test_api_interactions import contact
from tests.test_openapi import ApiClient
from tests.test_public_pages import form

NEEDS = "/api/v1/needs"
INTERACTIONS = "/api/v1/interactions"
SIRET = "73282932000074"
NOT_TEXT = "Ce champ doit être un texte."
BAD_PARAMETERS = "Paramètres de requête invalides."


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def token(adviser):
    return token_for(adviser)


@pytest.fixture
def firm():
    return f.CompanyFactory(siret=SIRET, siren=SIRET[:9], name="Boulangerie Martin",
                            search_name="boulangerie martin")


def json_text(body: str) -> dict:
    """Arguments of a request whose JSON body is sent exactly as written (e.g. "\\ud800")."""
    return {"data": body, "content_type": "application/json"}


# The shared ledger


@pytest.mark.parametrize("kind", [{}, [], ["call"], 3, True])
def test_a_contact_kind_of_the_wrong_type_answers_422_with_the_field(api, firm, token, kind):
    response = api.post(INTERACTIONS, json=contact(kind=kind), token=token)
    assert response.status_code == 422
    assert response.json["error"] == "Certaines informations sont manquantes ou invalides."
    assert response.json["fields"] == {"kind": [
        "Type de contact inconnu. Valeurs possibles : call, email, visit, meeting, event."]}
    assert count(m.Interaction) == 0


@pytest.mark.parametrize("moment", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_contact_date_at_the_ends_of_the_calendar_answers_422(api, firm, token, moment):
    response = api.post(INTERACTIONS, json=contact(occurred_at=moment), token=token)
    assert response.status_code == 422
    assert response.json["fields"] == {"occurred_at": [
        "La date doit être passée et dater de moins d'un an."]}


@pytest.mark.parametrize("field", ["summary", "outcome", "siret"])
def test_a_nul_character_in_a_contact_answers_422_and_stores_nothing(api, firm, token, field):
    response = api.post(INTERACTIONS, json=contact(**{field: "Rappel\x00demain"}), token=token)
    assert response.status_code == 422
    assert response.json["fields"] == {field: [UNSTORABLE]}
    assert count(m.Interaction) == 0


def test_a_lone_surrogate_in_a_contact_answers_422(api, firm, token):
    body = ('{"siret": "73282932000074", "kind": "call", "occurred_at": "2026-06-09T10:00:00Z", '
            '"summary": "Appel \\ud800"}')
    response = api.post(INTERACTIONS, token=token, **json_text(body))
    assert response.status_code == 422
    assert response.json["fields"] == {"summary": [UNSTORABLE]}


# Filing needs


@pytest.mark.parametrize("changes, field", [
    ({"siret": 73282932000074}, "siret"),
    ({"company_name": {"name": "Boulangerie"}}, "company_name"),
    ({"commune_code": 21231}, "commune_code"),
    ({"rome_code": ["D1102"]}, "rome_code"),
    ({"contract_type": {}}, "contract_type"),
    ({"start_date": 20260701}, "start_date"),
    ({"description": ["Vente", "Cuisson"]}, "description"),
    ({"contact": {"name": ["Camille"], "email": "camille@boulangerie.fr"}}, "contact.name"),
    ({"contact": {"name": "Camille Martin", "email": 12}}, "contact.email"),
])
def test_a_need_field_of_the_wrong_type_answers_422_with_that_field(api, token, changes, field):
    response = api.post(NEEDS, json=payload(**changes), token=token)
    assert response.status_code == 422
    assert response.json["fields"] == {field: [NOT_TEXT]}
    assert (count(m.HiringNeed), count(m.Company)) == (0, 0)


@pytest.mark.parametrize("changes, field", [
    ({"company_name": "Boulangerie\x00Martin"}, "company_name"),
    ({"commune_code": "21231\x00"}, "commune_code"),
    ({"rome_code": "D11\x0002"}, "rome_code"),
    ({"description": "Vente\x00"}, "description"),
    ({"publics": ["youth\x00"]}, "publics"),
    ({"contact": {"name": "Camille\x00", "email": "camille@boulangerie.fr"}}, "contact.name"),
])
def test_a_nul_character_in_a_need_answers_422_and_stores_nothing(api, token, changes, field):
    response = api.post(NEEDS, json=payload(**changes), token=token)
    assert response.status_code == 422
    assert response.json["fields"] == {field: [UNSTORABLE]}
    assert (count(m.HiringNeed), count(m.Company), count(m.OutboxMessage)) == (0, 0, 0)


def test_a_lone_surrogate_in_a_need_answers_422(api, token):
    body = ('{"siret": "73282932000074", "company_name": "Boulangerie \\udc80", "commune_code": '
            '"21231", "rome_code": "D1102", "positions": 2, "contract_type": "cdi", '
            '"contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr"}}')
    response = api.post(NEEDS, token=token, **json_text(body))
    assert response.status_code == 422
    assert response.json["fields"] == {"company_name": [UNSTORABLE]}


@pytest.mark.parametrize("positions", [2**64, -2**63 - 1, "9" * 5000, 1e308, True])
def test_a_number_of_positions_beyond_any_column_answers_422(api, token, positions):
    response = api.post(NEEDS, json=payload(positions=positions), token=token)
    assert response.status_code == 422
    assert list(response.json["fields"]) == ["positions"]


@pytest.mark.parametrize("url", [NEEDS, INTERACTIONS])
def test_a_body_nested_beyond_the_parser_answers_400(api, token, url):
    response = api.post(url, token=token, **json_text("[" * 100_000))
    assert response.status_code == 400
    assert response.json == {"error": "Le corps de la requête doit être un objet JSON valide."}


# Query and path parameters


@pytest.mark.parametrize("url, field", [
    ("/api/v1/companies?q=Boulangerie%00", "q"),
    ("/api/v1/companies?siret=%00", "siret"),
    ("/api/v1/companies?basin=27%0011", "basin"),
    ("/api/v1/needs?basin=%00", "basin"),
    ("/api/v1/communes?q=Dijon%00", "q"),
    ("/api/v1/needs/BFC-2026-000001%00", "reference"),
    (f"/api/v1/companies/{SIRET}%00", "siret"),
])
def test_a_nul_character_in_a_parameter_answers_422_with_its_name(api, firm, token, url, field):
    response = api.get(url, token=token)
    assert response.status_code == 422
    assert response.json == {"error": BAD_PARAMETERS, "fields": {field: [UNSTORABLE]}}


def test_a_parameter_longer_than_200_characters_answers_422(api, token):
    response = api.get("/api/v1/communes", query_string={"q": "Dijon" * 41}, token=token)
    assert response.status_code == 422
    assert response.json["fields"] == {"q": ["Ce paramètre ne doit pas dépasser 200 caractères."]}
    assert api.get("/api/v1/communes", query_string={"q": "x" * 200}, token=token).status_code == 200


@pytest.mark.parametrize("page", [str(2**63), str(2**64), "9" * 200, "１２", "-1", "0", "1.0"])
def test_a_page_number_out_of_range_answers_422(api, token, page):
    for url in ("/api/v1/needs", "/api/v1/companies", "/api/v1/basins", "/api/v1/communes"):
        response = api.get(url, query_string={"page": page}, token=token)
        assert response.status_code == 422
        assert response.json["fields"] == {"page": ["Indiquez un nombre entier entre 1 et 100\u202f000."]}
    assert api.get("/api/v1/basins", query_string={"page": "9" * 5000}, token=token).status_code == 422


@pytest.mark.parametrize(("q", "found"), [("Boulangerie \U0010ffff", 1), ("\U0010ffff", 0),
                                          ("ab\ud7ff", 0), ("\ud7ff", 0)])
def test_a_name_search_ending_with_the_last_characters_of_unicode_answers(api, firm, token, q, found):
    response = api.get("/api/v1/companies", query_string={"q": q}, token=token)
    assert response.status_code == 200
    assert len(response.json["items"]) == found  # such characters are not words: ignored


def test_the_prefix_range_skips_surrogates_and_the_last_code_point():
    assert following_prefix("boul") == "boum"
    assert following_prefix("ab\ud7ff") == "ab\ue000"
    assert following_prefix("ab\U0010ffff\U0010ffff") == "ac"
    assert following_prefix("\U0010ffff") is None


# The public form files through the same schema


def test_a_nul_character_typed_in_the_public_form_is_refused_on_its_field(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_PUBLIC_FORM_RATE_LIMIT", "1000 per minute")
    response = client.post("/recrutement", data=form(rome_code="D11\x0002", description="Vente\x00"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count(UNSTORABLE) == 4  # in the summary and under each field
    assert (count(m.HiringNeed), count(m.Company)) == (0, 0)
