"""The partner API v1: tokens, needs, companies, basins and communes, errors and rate limits.

Every request goes through ApiClient, which checks each answer against the OpenAPI document.
"""


import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from crm import models as m
from crm.extensions import db
from crm.services.accounts import users
from crm.services.companies import search as company_search
from crm.services.needs import filing as needs
from crm.services.platform.wording import normalise_name
from tests import factories as f
from tests.helpers import assert_constant_queries, count, queries_for
from tests.test_openapi import ApiClient

NEEDS = "/api/v1/needs"
COMPANIES = "/api/v1/companies"


def payload(**changes) -> dict:
    data = {
        "siret": "732 829 320 00074", "company_name": "Boulangerie Martin",
        "commune_code": "21231", "rome_code": "D1102", "positions": 2, "contract_type": "cdi",
        "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr",
                    "phone": "03 80 12 34 56"},
    }
    return data | changes


def token_for(user: m.User) -> str:
    token = users.issue_api_token(user)
    db.session.commit()
    return token


def company(name: str, **fields) -> m.Company:
    return f.CompanyFactory(name=name, search_name=normalise_name(name), **fields)


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def partner():
    chamber = f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI,
                                    is_spotter=True)
    return f.UserFactory(organisation=chamber, role=m.Role.PARTNER)


# Tokens


def test_without_a_token_the_api_answers_401_with_a_bearer_challenge(api):
    response = api.get(NEEDS)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "Authorization: Bearer" in response.json["error"]
    basic = api.get(NEEDS, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401


@pytest.mark.parametrize("spoil", ["wrong", "revoked", "deactivated user",
                                   "deactivated organisation"])
def test_a_wrong_revoked_or_deactivated_token_is_refused(api, agency_and_adviser, spoil):
    _, adviser = agency_and_adviser
    token = token_for(adviser)
    if spoil == "wrong":
        token = token[:-2] + "xx"
    elif spoil == "revoked":
        users.revoke_api_token(users.api_tokens(adviser)[0])
    elif spoil == "deactivated user":
        adviser.active = False
    else:
        adviser.organisation.active = False
    db.session.commit()
    response = api.get(NEEDS, token=token)
    assert response.status_code == 401
    assert response.json == {"error": "Jeton d'accès invalide ou révoqué, ou compte désactivé."}
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_from_the_command_line_works_and_its_use_is_recorded(api, runner, agency_and_adviser):
    _, adviser = agency_and_adviser
    token = runner.invoke(args=["api-token", adviser.email]).output.strip().splitlines()[-1]
    assert api.get(NEEDS, token=token).status_code == 200
    stored = users.api_tokens(adviser)[0]
    db.session.refresh(stored)
    assert stored.token_hash != token and stored.last_used_at is not None


# Filing needs


def test_staff_file_a_need_that_is_routed_and_can_be_read_back(api, agency_and_adviser):
    organisation, adviser = agency_and_adviser
    response = api.post(NEEDS, json=payload(), token=token_for(adviser))
    assert response.status_code == 201
    body = response.json
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert body["reference"] == need.reference
    assert body["status"] == "assigned"
    assert body["routed_to"] == {
        "organisation": {"id": organisation.id, "name": "France Travail Dijon",
                         "kind": "france_travail"},
        "adviser": {"id": adviser.id, "name": "Paul Girard"},
        "rule": "Par défaut", "reason": need.routing_reason,
    }
    assert body["tracking_url"].endswith(f"/recrutement/suivi/{need.tracking_token}")
    assert response.headers["Location"] == f"/api/v1/needs/{need.reference}"
    assert (need.source, need.source_organisation_id, need.flagged_by_id) == (
        m.NeedSource.API, organisation.id, adviser.id)


def test_the_api_needs_no_csrf_token(app, api, agency_and_adviser, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert api.post(NEEDS, json=payload(), token=token_for(agency_and_adviser[1])).status_code == 201


def test_invalid_input_answers_422_in_french_and_stores_nothing(api, agency_and_adviser):
    _, adviser = agency_and_adviser
    bad = payload(siret="73282932000075", contact={"name": "", "email": "pas-une-adresse"})
    response = api.post(NEEDS, json=bad, token=token_for(adviser))
    assert response.status_code == 422
    fields = response.json["fields"]
    assert fields["siret"] == ["Ce SIRET n'est pas valide : vérifiez les chiffres saisis."]
    assert "adresse électronique valide" in fields["contact.email"][0]
    assert "contact.name" in fields
    assert response.json["error"] == "Certaines informations sont manquantes ou invalides."
    assert (count(m.HiringNeed), count(m.Company), count(m.OutboxMessage)) == (0, 0, 0)


def test_an_unknown_siret_without_a_name_is_refused_with_the_field(api, agency_and_adviser):
    _, adviser = agency_and_adviser
    response = api.post(NEEDS, json=payload(company_name=None), token=token_for(adviser))
    assert response.status_code == 422
    assert "company_name" in response.json["fields"]
    assert count(m.Company) == 0


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b""])
def test_a_body_that_is_not_a_json_object_answers_400(api, agency_and_adviser, body):
    _, adviser = agency_and_adviser
    response = api.post(NEEDS, data=body, content_type="application/json",
                        token=token_for(adviser))
    assert response.status_code == 400
    assert response.json == {"error": "Le corps de la requête doit être un objet JSON valide."}


def test_the_same_job_within_seven_days_is_attached_and_answers_200(api, agency_and_adviser):
    _, adviser = agency_and_adviser
    token = token_for(adviser)
    first = api.post(NEEDS, json=payload(), token=token).json
    second = api.post(NEEDS, json=payload(positions=3), token=token)
    assert second.status_code == 200
    assert second.json["attached_to_existing"] is True
    assert second.json["reference"] == first["reference"]
    assert second.json["tracking_url"] == first["tracking_url"]
    assert count(m.HiringNeed) == 1


def test_a_partner_flag_is_a_spotter_need_of_its_organisation(api, agency_and_adviser, partner):
    response = api.post(NEEDS, json=payload(how_known="Rencontre au salon de l'artisanat",
                                            employer_agreed_contact=True),
                        token=token_for(partner))
    assert response.status_code == 201
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert (need.source, need.source_organisation_id, need.flagged_by_id) == (
        m.NeedSource.SPOTTER, partner.organisation_id, partner.id)
    assert (need.how_known, need.employer_agreed_contact) == (
        "Rencontre au salon de l'artisanat", True)


def test_a_partner_attached_to_another_partners_flag_gets_no_access_to_it(api, agency_and_adviser, partner):
    other = f.UserFactory(role=m.Role.PARTNER, organisation=f.OrganisationFactory(
        name="OPCO EP", kind=m.OrganisationKind.OPCO, is_spotter=True))
    first = api.post(NEEDS, json=payload(), token=token_for(other)).json
    response = api.post(NEEDS, json=payload(), token=token_for(partner))
    assert response.status_code == 200
    assert response.json["attached_to_existing"] is True
    assert set(response.json) == {"attached_to_existing", "message"}  # not its status nor who pilots it
    assert first["reference"] not in response.text
    assert "Location" not in response.headers
    assert api.get(f"{NEEDS}/{first['reference']}", token=token_for(partner)).status_code == 404


def test_a_concurrent_write_answers_409_and_keeps_nothing(api, agency_and_adviser, monkeypatch):
    _, adviser = agency_and_adviser
    token = token_for(adviser)

    def racing(data, **kwargs):
        db.session.add(m.Company(siret=data.siret, siren=data.siret[:9], name="Doublon",
                                 search_name="doublon", tags=[]))
        raise IntegrityError("INSERT INTO companies", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(needs, "file_need", racing)
    response = api.post(NEEDS, json=payload(), token=token)
    assert response.status_code == 409
    assert "réessayez" in response.json["error"]
    assert count(m.Company) == 0


# Reading needs


def test_a_partner_sees_only_its_organisations_flags(api, agency_and_adviser, partner):
    own = f.HiringNeedFactory(source=m.NeedSource.SPOTTER,
                              source_organisation_id=partner.organisation_id)
    other = f.HiringNeedFactory(source=m.NeedSource.SPOTTER,
                                source_organisation_id=f.OrganisationFactory().id)
    f.HiringNeedFactory()
    token = token_for(partner)
    listed = api.get(NEEDS, token=token).json
    assert [item["reference"] for item in listed["items"]] == [own.reference]
    assert listed["total"] == 1
    hidden = api.get(f"{NEEDS}/{other.reference}", token=token)
    unknown = api.get(f"{NEEDS}/BFC-2026-999999", token=token)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json == unknown.json


def test_a_partner_reads_its_flag_without_the_employers_contact_or_notes(api, agency_and_adviser, partner):
    need = f.HiringNeedFactory(source=m.NeedSource.SPOTTER, outcome_reason="Note interne",
                               source_organisation_id=partner.organisation_id)
    db.session.add(m.NeedMessage(need=need, author=m.MessageAuthor.STAFF, internal=True,
                                 body="Note interne du conseiller"))
    db.session.commit()
    body = api.get(f"{NEEDS}/{need.reference}", token=token_for(partner)).json
    assert "contact" not in body and "outcome_reason" not in body
    assert "Note interne" not in str(body)
    assert body["closing_reason"] is None  # open
    assert body["company"] == {"siret": need.company.siret, "name": need.company.name}


def test_staff_read_a_need_with_its_contact_and_status_history(api, agency_and_adviser):
    organisation, adviser = agency_and_adviser
    need = f.HiringNeedFactory(organisation_id=organisation.id, status=m.NeedStatus.ASSIGNED)
    f.NeedStatusChangeFactory(need=need, from_status=None, to_status=m.NeedStatus.NEW,
                              note="Demande reçue.")
    f.NeedStatusChangeFactory(need=need, note="Demande confiée à France Travail Dijon.")
    response = api.get(f"{NEEDS}/{need.reference}", token=token_for(adviser))
    assert response.status_code == 200
    body = response.json
    assert body["contact"] == {"name": "Camille Martin", "email": "camille.martin@entreprise.fr",
                               "phone": None}
    assert [(step["from"], step["to"], step["note"]) for step in body["history"]] == [
        (None, "new", "Demande reçue."),
        ("new", "assigned", "Demande confiée à France Travail Dijon.")]
    assert body["rome_label"] == db.session.get(m.RomeCode, "F1703").label
    assert body["closing_reason"] is None


def test_a_closed_need_gives_its_closing_reason_from_the_list(api, agency_and_adviser, partner):
    need = f.HiringNeedFactory(source=m.NeedSource.SPOTTER, status=m.NeedStatus.UNFILLED,
                               closed_at=m.utcnow(), closing_reason=m.ClosingReason.OTHER_CHANNEL,
                               source_organisation_id=partner.organisation_id)
    db.session.commit()
    body = api.get(f"{NEEDS}/{need.reference}", token=token_for(partner)).json
    assert (body["status"], body["closing_reason"]) == ("unfilled", "other_channel")


def test_needs_are_filtered_by_status_and_basin(api, agency_and_adviser):
    organisation, adviser = agency_and_adviser
    f.HiringNeedFactory(organisation_id=organisation.id, status=m.NeedStatus.NEW)
    filled = f.HiringNeedFactory(organisation_id=organisation.id, status=m.NeedStatus.FILLED)
    beaune = f.HiringNeedFactory(organisation_id=organisation.id, basin_code="2704")
    token = token_for(adviser)
    by_status = api.get(NEEDS, query_string={"status": "filled"}, token=token).json
    assert [item["reference"] for item in by_status["items"]] == [filled.reference]
    by_basin = api.get(NEEDS, query_string={"basin": "2704"}, token=token).json
    assert [item["reference"] for item in by_basin["items"]] == [beaune.reference]
    wrong = api.get(NEEDS, query_string={"status": "perdue"}, token=token)
    assert wrong.status_code == 422
    assert "Statut inconnu" in wrong.json["fields"]["status"][0]


def test_lists_are_paginated_with_their_total(api, agency_and_adviser):
    organisation, adviser = agency_and_adviser
    for _ in range(5):
        f.HiringNeedFactory(organisation_id=organisation.id)
    token = token_for(adviser)
    last = api.get(NEEDS, query_string={"per_page": 2, "page": 3}, token=token).json
    assert (len(last["items"]), last["total"], last["page"], last["per_page"]) == (1, 5, 3, 2)
    beyond = api.get(NEEDS, query_string={"per_page": 2, "page": 9}, token=token).json
    assert (beyond["items"], beyond["total"]) == ([], 5)
    for wrong in ({"page": "0"}, {"page": "deux"}, {"page": "1" + "0" * 30}, {"per_page": "101"}):
        response = api.get(NEEDS, query_string=wrong, token=token)
        assert response.status_code == 422
        assert set(response.json["fields"]) == set(wrong)


def test_the_need_list_runs_as_many_queries_for_3_or_30_needs(api, agency_and_adviser):
    organisation, adviser = agency_and_adviser
    api.token = token_for(adviser)

    def add(number):
        for _ in range(number):
            f.HiringNeedFactory(organisation_id=organisation.id, adviser_id=adviser.id,
                                company=f.CompanyFactory())

    assert_constant_queries(api, f"{NEEDS}?per_page=100", add)


# Companies


@pytest.fixture
def staff_api(api, agency_and_adviser):
    api.token = token_for(agency_and_adviser[1])
    return api


def names(answer) -> list[str]:
    return [item["name"] for item in answer.json["items"]]


def test_companies_are_found_by_name_whatever_the_accents_and_case(staff_api):
    company("Boulangerie Lefèvre")
    company("Boulangerie du Château")
    company("Garage Lefebvre")
    assert names(staff_api.get(COMPANIES, query_string={"q": "BOULANGERIE lefevre"})) == [
        "Boulangerie Lefèvre"]
    assert names(staff_api.get(COMPANIES, query_string={"q": "boul"})) == [
        "Boulangerie du Château", "Boulangerie Lefèvre"]
    assert names(staff_api.get(COMPANIES, query_string={"q": "chateau"})) == [
        "Boulangerie du Château"]


def test_names_starting_with_the_text_come_before_those_containing_it(staff_api):
    company("Boulangerie Martin")
    company("Martin Transports")
    company("Zoé Martinez")
    answer = staff_api.get(COMPANIES, query_string={"q": "martin"})
    assert names(answer) == ["Martin Transports", "Boulangerie Martin", "Zoé Martinez"]
    assert answer.json["total"] == 3


def test_pages_run_from_names_starting_with_the_text_to_those_containing_it(staff_api):
    for number in range(3):
        company(f"Dupont Frères {number}")
    company("Boulangerie Dupont")
    answer = staff_api.get(COMPANIES, query_string={"q": "dupont", "per_page": 3})
    assert names(answer) == ["Dupont Frères 0", "Dupont Frères 1", "Dupont Frères 2"]
    assert answer.json["total"] == 4
    second = staff_api.get(COMPANIES, query_string={"q": "dupont", "per_page": 3, "page": 2})
    assert names(second) == ["Boulangerie Dupont"]


def test_the_api_and_the_companies_list_find_the_same_firms(staff_api, client, auth):
    company("Pharmacie de Dijon")
    company("Épicerie Fine", sign="Les Délices de Beaune", commune_code="21054", basin_code="2704",
            postal_code="21200")
    company("Garage du Centre")
    auth.login(f.UserFactory(role=m.Role.ADVISER))
    for q in ("dijon pharmacie", "EPICERIE", "delices beaune", "21200", "garage centre", "zz"):
        page = client.get("/entreprises", query_string={"q": q}).get_data(as_text=True)
        listed = [name for name in ("Pharmacie de Dijon", "Épicerie Fine", "Garage du Centre")
                  if f">{name}</a>" in page]
        assert names(staff_api.get(COMPANIES, query_string={"q": q})) == listed, q


def test_companies_are_found_by_siret_siren_and_basin(staff_api):
    dijon = company("Menuiserie Roux")
    beaune = company("Domaine Rivière", commune_code="21054", basin_code="2704")
    assert names(staff_api.get(COMPANIES, query_string={"q": dijon.siret})) == [dijon.name]
    assert names(staff_api.get(COMPANIES, query_string={"q": dijon.siren[:3] + " " +
                                                             dijon.siren[3:]})) == [dijon.name]
    assert names(staff_api.get(COMPANIES, query_string={"siret": beaune.siret})) == [beaune.name]
    by_basin = staff_api.get(COMPANIES, query_string={"basin": "2704"}).json
    assert [item["basin"] for item in by_basin["items"]] == [{"code": "2704", "name": "Beaune"}]


def test_a_company_by_siret_with_its_open_needs_counted(staff_api):
    firm = company("Fromagerie Jacquot")
    f.HiringNeedFactory.create_batch(2, company=firm)
    f.HiringNeedFactory(company=firm, status=m.NeedStatus.FILLED)
    body = staff_api.get(f"{COMPANIES}/{firm.siret}").json
    assert body["open_needs"] == 2
    assert body["naf"] == {"code": "43.21A", "label": db.session.get(m.NafCode, "43.21A").label}
    assert body["headcount_band"] == {"code": "11", "label": "10 à 19 salariés"}
    missing = staff_api.get(f"{COMPANIES}/73282932000074")
    assert missing.status_code == 404
    assert missing.json == {"error": "Aucun établissement connu avec ce SIRET."}


def test_a_partner_gets_the_public_identity_only(api, agency_and_adviser, partner):
    _, adviser = agency_and_adviser
    firm = company("Scierie Tissot", address="3 route de Dole", referent=adviser)
    public = api.get(f"{COMPANIES}/{firm.siret}", token=token_for(partner)).json
    assert set(public) == {"siret", "siren", "name", "naf", "headcount_band", "commune_code",
                           "basin", "active", "verified", "open_needs", "contact_pressure"}
    staff = api.get(f"{COMPANIES}/{firm.siret}", token=token_for(adviser)).json
    assert staff["address"] == "3 route de Dole"
    assert staff["referent"] == {"id": adviser.id, "name": adviser.name}


def test_the_company_search_runs_as_many_queries_for_3_or_30_companies(staff_api, agency_and_adviser):
    _, adviser = agency_and_adviser

    def add(number):
        for firm in f.CompanyFactory.create_batch(number, referent=adviser):
            f.HiringNeedFactory(company=firm)

    assert_constant_queries(staff_api, f"{COMPANIES}?per_page=100", add)
    assert_constant_queries(staff_api, f"{COMPANIES}?q=entreprise&per_page=100", add)


# Basins and communes


def test_the_21_basins_are_listed_with_their_departements(staff_api):
    body = staff_api.get("/api/v1/basins").json
    assert body["total"] == 21 and len(body["items"]) == 21
    dijon = next(item for item in body["items"] if item["code"] == "2711")
    assert dijon == {"code": "2711", "name": "Dijon", "departments": [
        {"code": "21", "name": "Côte-d'Or"}, {"code": "70", "name": "Haute-Saône"}]}


def test_communes_by_postal_code_and_by_name_without_accents(staff_api):
    dijon = staff_api.get("/api/v1/communes", query_string={"postal_code": "21000"}).json
    assert dijon["items"] == [{"code": "21231", "name": "Dijon", "postal_codes": ["21000"],
                               "basin_code": "2711", "department_code": "21"}]
    chalon = staff_api.get("/api/v1/communes", query_string={"q": "CHALON SUR SAONE"}).json
    assert [item["name"] for item in chalon["items"]][0] == "Chalon-sur-Saône"
    wrong = staff_api.get("/api/v1/communes", query_string={"postal_code": "2100"})
    assert wrong.status_code == 422
    assert wrong.json["fields"] == {"postal_code": ["Le code postal doit comporter 5 chiffres."]}


def test_reference_lists_run_as_many_queries_for_3_or_30_rows(staff_api):
    for url in ("/api/v1/basins", "/api/v1/communes"):
        few = queries_for(staff_api, f"{url}?per_page=3")
        assert queries_for(staff_api, f"{url}?per_page=30") == few


# Errors and limits


def test_errors_are_json_for_unknown_paths_and_methods(staff_api):
    missing = staff_api.get("/api/v1/nulle-part")
    assert missing.status_code == 404 and missing.json == {"error": "Page introuvable."}
    wrong_method = staff_api.request("DELETE", NEEDS)
    assert wrong_method.status_code == 405
    assert wrong_method.json == {"error": "Méthode non autorisée."}


def test_an_unexpected_failure_is_a_json_500(app, staff_api, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def broken(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(company_search, "search_companies", broken)
    response = staff_api.get(COMPANIES)
    assert response.status_code == 500
    assert response.json == {"error": "Une erreur inattendue s'est produite."}


def test_each_token_is_rate_limited_with_a_json_429(api, agency_and_adviser, monkeypatch, app):
    monkeypatch.setitem(app.config, "CRM_API_RATE_LIMIT", "3 per minute")
    organisation, adviser = agency_and_adviser
    token, other = token_for(adviser), token_for(f.UserFactory(organisation=organisation))
    statuses = [api.get(NEEDS, token=token).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get(NEEDS, token=token)
    assert limited.json == {"error": "Trop de requêtes pour ce jeton : réessayez dans une minute."}
    assert "Retry-After" in limited.headers
    assert api.get(NEEDS, token=other).status_code == 200
