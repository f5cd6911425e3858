"""The OpenAPI document of the API validates, and answers are checked against it.

`ApiClient` sends API requests and checks every answer against the response schema the document
gives for its path, method and status; tests/test_api.py makes all its requests through it.
"""

import re

import jsonschema
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from crm.models import ContractType, NeedStatus, OrganisationKind

PREFIX = "/api/v1"
DOCUMENT_URI = "urn:crm-api"


def escape(part: str) -> str:
    """A JSON pointer token."""
    return part.replace("~", "~0").replace("/", "~1")


def path_template(document: dict, path: str) -> str | None:
    """The documented path (e.g. /needs/{reference}) matching a request path, or None."""
    relative = path.removeprefix(PREFIX)
    for template in document["paths"]:
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, relative):
            return template
    return None


def response_pointer(document: dict, method: str, path: str, status: int) -> str:
    """JSON pointer of the documented response to this request and status."""
    template = path_template(document, path)
    operation = document["paths"].get(template, {}).get(method.lower())
    if operation is None:
        assert status in (404, 405), f"{method} {path} is not documented yet answered {status}"
        return "#/components/responses/Unexpected"
    key = str(status) if str(status) in operation["responses"] else "default"
    response = operation["responses"][key]
    return response.get("$ref") or (
        f"#/paths/{escape(template)}/{method.lower()}/responses/{key}")


def assert_matches_document(document: dict, method: str, path: str, response) -> None:
    """The answer is JSON and its body matches the schema documented for its status."""
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    pointer = response_pointer(document, method, path, response.status_code)
    schema = {"$ref": f"{DOCUMENT_URI}{pointer}/content/application~1json/schema"}
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012))
    validator = jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(response.get_json())
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


class ApiClient:
    """A test client for the API whose every answer is checked against the OpenAPI document."""

    def __init__(self, client, token: str | None = None):
        self.client, self.token = client, token
        self.document = client.get(f"{PREFIX}/openapi.json").get_json()

    def request(self, method: str, path: str, token: str | None = None, **kwargs):
        token = token or self.token
        headers = kwargs.pop("headers", {}) | (
            {"Authorization": f"Bearer {token}"} if token else {})
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        assert_matches_document(self.document, method, path.partition("?")[0], response)
        return response

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.request("POST", path, **kwargs)


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]  # the request's address


def test_the_document_describes_every_route_of_the_api(app, client):
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(PREFIX)), method.lower())
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == documented


def test_every_operation_needs_a_bearer_token_with_its_scope_but_the_document_itself(client):
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "Jeton d'API (crm api-token EMAIL)"}
    assert document["security"] == [{"bearer": ["needs"]}]  # the scope every operation needs
    for path, item in document["paths"].items():
        for operation in item.values():
            responses = operation["responses"]
            if path == "/openapi.json":
                assert operation["security"] == []
            else:
                assert {"401", "403", "429", "default"} <= set(responses)
    assert document["paths"]["/indicators"]["get"]["security"] == [{"bearer": ["indicators"]}]


def test_the_enumerations_follow_the_models(client):
    schemas = client.get(f"{PREFIX}/openapi.json").get_json()["components"]["schemas"]
    need_input = schemas["NeedInput"]["properties"]
    assert need_input["contract_type"]["enum"] == [member.value for member in ContractType]
    assert schemas["NeedSummary"]["properties"]["status"]["enum"] == [
        member.value for member in NeedStatus]
    assert schemas["OrganisationRef"]["properties"]["kind"]["enum"] == [
        member.value for member in OrganisationKind]


def test_a_body_that_breaks_its_schema_is_caught(client):
    document = client.get(f"{PREFIX}/openapi.json").get_json()

    class Answer:
        status_code, mimetype, headers = 404, "application/json", {}

        def get_json(self):
            return {"error": "Introuvable", "detail": "champ non documenté"}

    try:
        assert_matches_document(document, "GET", f"{PREFIX}/needs/BFC-1", Answer())
    except jsonschema.ValidationError as error:
        assert "detail" in error.message
    else:
        raise AssertionError("an undocumented property went through")
