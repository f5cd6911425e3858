"""The API answers every request derived from its OpenAPI document without a server error.

Schemathesis reads the document the API serves (GET /api/v1/openapi.json) and, for each operation,
sends its coverage cases (each parameter and body field at its bounds, of every wrong JSON type,
missing, unexpected methods) then a bounded number of Hypothesis examples, valid and invalid. Each
answer must be a 4xx or 2xx documented for the operation, in JSON, with a body that matches the
document (schemathesis's checks and the project's validator, tests/test_openapi.py).

Generation is derandomised, so that a run is repeatable; API_FUZZ_EXAMPLES=500 (say) explores by
hand: that many random examples per operation and mode.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crm import models as m
from crm.blueprints.api.openapi import PATHS
from crm.extensions import db
from tests import factories as f
from tests.test_api import token_for
from tests.test_openapi import assert_matches_document

OPERATIONS = [(path, method) for path, item in PATHS.items() for method in item]
# Negative examples need a parameter or a body to break: the OpenAPI document itself has none.
MODES = [(path, method, mode) for path, method in OPERATIONS for mode in GenerationMode
         if mode.is_positive or PATHS[path][method].get("parameters") or "requestBody" in PATHS[path][method]]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXPLORING = "API_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "15"))


@pytest.fixture
def document(app, client, monkeypatch):
    """The served OpenAPI document, with a rate limit the fuzzer does not reach."""
    monkeypatch.setitem(app.config, "CRM_API_RATE_LIMIT", "100000 per minute")
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def schema(app, document):
    """The document loaded by schemathesis, its requests sent to the application in process."""
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = app
    return loaded


@pytest.fixture
def send(client):
    """Send a generated case with an adviser's token; check the answer; return its status."""
    dijon = db.session.get(m.Basin, "2711")
    organisation = f.OrganisationFactory(name="France Travail Dijon", basins=[dijon])
    adviser = f.UserFactory(organisation=organisation, basins=[dijon])
    f.CompanyFactory(siret="73282932000074", siren="732829320", name="Boulangerie Martin")
    token = token_for(adviser)

    def send_case(case, document: dict) -> int:
        request = case.as_transport_kwargs(headers={"Authorization": f"Bearer {token}"})
        response = client.open(**request)
        db.session.rollback()  # a server ends each request's session; the test's context outlives it
        case.validate_response(response, checks=CHECKS)
        if case.method != "OPTIONS":  # Flask's automatic answer: 200, an Allow header, no body
            assert_matches_document(document, case.method, request["path"], response)
        return response.status_code

    return send_case


@pytest.mark.parametrize("path, method", OPERATIONS)
def test_coverage_cases_get_no_server_error(schema, document, send, path, method):
    operation = schema[path][method.upper()]
    cases = list(schema.iter_coverage_cases(
        operation, generation_modes=list(GenerationMode),
        generation_config=schema.config.generation_for(operation=operation)))
    assert cases
    statuses = {send(case, document) for case in cases}
    assert all(status < 500 for status in statuses)


@pytest.mark.parametrize("path, method, mode", MODES)
def test_generated_requests_get_no_server_error(schema, document, send, path, method, mode):
    operation = schema[path][method.upper()]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not EXPLORING,
              suppress_health_check=list(HealthCheck))
    def check(case):
        send(case, document)

    check()
