"""Security headers (issue 15, finding 8): a strict CSP with a nonce per request on the few inline
scripts and style elements (the maps' too), framing by the site only, nosniff, a referrer policy,
HSTS on HTTPS only, and no-store on what signed-in people read."""

import re

import pytest

from crm import models as m
from tests import factories as f
from tests.helpers import dijon

PUBLIC_PAGES = ["/connexion", "/recrutement", "/mentions-legales"]


def policy(response) -> dict[str, str]:
    found = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        found[name] = value
    return found


def nonce_of(response) -> str:
    found = re.search(r"'nonce-([^']+)'", policy(response)["script-src"])
    assert found
    return found.group(1)


def assert_inline_code_carries_the_nonce(response) -> None:
    """Every inline script and style element carries the request's nonce; no inline handler."""
    html, nonce = response.get_data(as_text=True), nonce_of(response)
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        if "src=" in tag or 'type="application/json"' in tag:
            continue
        assert f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "an inline event handler"
    assert "javascript:" not in html


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_carry_the_headers_and_may_be_cached(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = policy(response)
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'self'" and csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert_inline_code_carries_the_nonce(response)


def test_each_request_gets_its_own_nonce(client):
    assert nonce_of(client.get("/connexion")) != nonce_of(client.get("/connexion"))


def test_hsts_only_over_https(client):
    secure = client.get("/connexion", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_are_never_stored(client, signed_in):
    for url in ["/accueil", "/entreprises", "/demandes"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"
        assert_inline_code_carries_the_nonce(response)


def test_static_files_stay_cacheable(client, signed_in):
    response = client.get("/static/js/map-layers.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_api_answers_are_never_stored(client, agency_and_adviser):
    from tests.test_api import token_for

    token = token_for(agency_and_adviser[1])
    response = client.get("/api/v1/basins", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_the_maps_inline_code_carries_the_nonce_and_tiles_are_allowed(app, client, signed_in,
                                                                      monkeypatch):
    monkeypatch.setitem(app.config, "CRM_MAP_TILES", "https://{s}.tile.exemple.fr/{z}/{x}/{y}.png")
    company = f.CompanyFactory(latitude=47.32, longitude=5.04, basin_code="2711")
    for url in ["/carte", f"/bassins/{dijon().code}", f"/entreprises/{company.id}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inline_code_carries_the_nonce(response)
        assert "https://*.tile.exemple.fr" in policy(response)["img-src"]


def test_without_tiles_no_outside_image_is_allowed(app, client, signed_in, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_MAP_TILES", "none")
    assert policy(client.get("/carte"))["img-src"] == "'self' data:"


def test_error_pages_carry_the_headers_too(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Content-Security-Policy" in response.headers


def test_a_partner_page_is_not_stored_either(client, auth):
    auth.login(f.UserFactory(role=m.Role.PARTNER, organisation=f.OrganisationFactory(
        kind=m.OrganisationKind.CCI, is_spotter=True)))
    assert client.get("/accueil").headers["Cache-Control"] == "no-store"
