"""The shared contact ledger through the API: partners add contacts, and a firm's record says how
solicited it already is."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.models.base import utcnow
from tests import factories as f
from tests.test_api import token_for
from tests.test_openapi import ApiClient

INTERACTIONS = "/api/v1/interactions"
SIRET = "73282932000074"


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def firm():
    return f.CompanyFactory(siret=SIRET, siren=SIRET[:9], name="Boulangerie Martin")


@pytest.fixture
def chamber_token():
    chamber = f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI, is_spotter=True)
    return token_for(f.UserFactory(organisation=chamber, role=m.Role.PARTNER))


@pytest.fixture
def agency_token(adviser):
    return token_for(adviser)


def contact(**changes) -> dict:
    when = (utcnow() - timedelta(hours=2)).isoformat() + "+00:00"
    return {"siret": SIRET, "kind": "call", "occurred_at": when, "summary": "Présentation des aides.",
            "outcome": "Rappel dans un mois"} | changes


def test_a_partner_adds_a_contact_to_the_shared_ledger(api, firm, chamber_token):
    response = api.post(INTERACTIONS, json=contact(), token=chamber_token)
    assert response.status_code == 201
    body = response.get_json()
    assert body["organisation"]["name"] == "CCI Côte-d'Or"
    assert body["contact_pressure"]["contacts_7d"] is None  # the network's counts: staff only
    stored = db.session.scalar(sa.select(m.Interaction))
    assert (stored.company_id, stored.kind, stored.outcome) == (firm.id, m.InteractionKind.CALL,
                                                                "Rappel dans un mois")


def test_another_organisation_then_sees_the_firm_under_watch(api, firm, chamber_token, agency_token):
    api.post(INTERACTIONS, json=contact(kind="visit"), token=chamber_token)
    record = api.get(f"/api/v1/companies/{SIRET}", token=agency_token).get_json()
    assert record["contact_pressure"] == {"contacts_7d": 1, "contacts_30d": 1, "organisations_30d": 1,
                                          "level": "warn", "do_not_contact_before": None}


def test_the_firm_record_gives_its_do_not_contact_date(api, agency_token):
    f.CompanyFactory(siret=SIRET, siren=SIRET[:9], do_not_contact_before=utcnow().date() + timedelta(days=30))
    pressure = api.get(f"/api/v1/companies/{SIRET}", token=agency_token).get_json()["contact_pressure"]
    assert pressure["level"] == "warn"
    assert pressure["do_not_contact_before"] == (utcnow().date() + timedelta(days=30)).isoformat()


@pytest.mark.parametrize("changes, field", [
    ({"siret": "73282932000075"}, "siret"),
    ({"siret": "35600000049837"}, "siret"),  # valid, but unknown to the CRM
    ({"kind": "fax"}, "kind"),
    ({"occurred_at": "hier"}, "occurred_at"),
    ({"occurred_at": (utcnow() + timedelta(days=2)).isoformat()}, "occurred_at"),
    ({"summary": "x" * 2001}, "summary"),
    ({"outcome": 12}, "outcome"),
])
def test_bad_input_answers_422_with_the_field_and_stores_nothing(api, firm, chamber_token, changes, field):
    response = api.post(INTERACTIONS, json=contact(**changes), token=chamber_token)
    assert response.status_code == 422
    assert list(response.get_json()["fields"]) == [field]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Interaction)) == 0


def test_a_contact_needs_a_token(api, firm):
    assert api.post(INTERACTIONS, json=contact()).status_code == 401
