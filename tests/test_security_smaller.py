"""The smaller findings of the outside probe (issue 15, finding 10): login timing and per-account
lockout, the trusted proxy count, the optimistic lock on odd versions, a neutral acknowledgement
e-mail, what partners read of contact pressure, 405 with Allow, and `safe_next`."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import request

from crm import create_app
from crm import models as m
from crm.blueprints.auth.views import safe_next
from crm.extensions import db, limiter
from crm.models import utcnow
from crm.services.accounts import users
from tests import factories as f
from tests.helpers import page_text
from tests.test_api import token_for
from tests.test_openapi import ApiClient
from tests.test_public_pages import form

LOCKED = "Ce compte est temporairement verrouillé après de trop nombreuses tentatives de connexion."


@pytest.fixture
def roomy_login(app, monkeypatch):
    """The per-address rate limit has its own test; here only the per-account lockout counts."""
    monkeypatch.setitem(app.config, "CRM_LOGIN_RATE_LIMIT", "1000 per minute")


def sign_in(client, email: str, password: str):
    return client.post("/connexion", data={"email": email, "password": password})


# Login timing


def test_an_unknown_account_costs_a_password_check_like_a_known_one(client, monkeypatch):
    checked = []
    real = users.check_password_hash
    monkeypatch.setattr(users, "check_password_hash",
                        lambda hashed, password: checked.append(hashed) or real(hashed, password))
    user = f.UserFactory()
    sign_in(client, "personne@exemple.fr", "Un-mot-de-passe-1")
    sign_in(client, user.email, "Un-mot-de-passe-1")
    assert len(checked) == 2 and checked[0].startswith("scrypt:")
    assert checked[0].split("$")[0] == checked[1].split("$")[0]  # same cost parameters


# Per-account lockout


def test_ten_failures_lock_the_account_for_fifteen_minutes(client, roomy_login, project_clock):
    user = f.UserFactory()
    statuses = [sign_in(client, user.email, f"faux-{attempt}").status_code for attempt in range(10)]
    assert statuses == [200] * 9 + [429]
    refused = sign_in(client, user.email, f.TEST_PASSWORD)
    assert refused.status_code == 429 and LOCKED in page_text(refused)
    assert client.get("/accueil").status_code == 302
    event = db.session.scalar(sa.select(m.AuditEvent).where(m.AuditEvent.action == "account_locked"))
    assert event.object_id == str(user.id) and event.changes["attempts"] == 10
    project_clock.travel_to(utcnow() + timedelta(minutes=16))
    assert sign_in(client, user.email, f.TEST_PASSWORD).status_code == 302
    db.session.expire_all()
    assert db.session.get(m.User, user.id).failed_logins == 0


def test_failures_spread_over_more_than_the_window_do_not_lock(client, roomy_login, project_clock):
    user = f.UserFactory()
    for _ in range(9):
        sign_in(client, user.email, "faux")
    project_clock.travel_to(utcnow() + timedelta(minutes=16))
    assert sign_in(client, user.email, "faux").status_code == 200
    assert sign_in(client, user.email, f.TEST_PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(client, auth, roomy_login):
    user = f.UserFactory()
    for _ in range(9):
        sign_in(client, user.email, "faux")
    assert sign_in(client, user.email, f.TEST_PASSWORD).status_code == 302
    auth.logout()
    for _ in range(9):
        assert sign_in(client, user.email, "faux").status_code == 200


def test_the_lockout_is_a_setting(app, client, roomy_login, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_LOGIN_LOCKOUT_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "CRM_LOGIN_LOCKOUT_MINUTES", 5)
    user = f.UserFactory()
    assert [sign_in(client, user.email, "faux").status_code for _ in range(3)] == [200, 200, 429]
    assert "Réessayez dans 5 minutes" in page_text(sign_in(client, user.email, f.TEST_PASSWORD))


# The trusted proxy count


def test_behind_the_declared_proxies_the_client_address_is_the_forwarded_one(app, monkeypatch,
                                                                            tmp_path):
    monkeypatch.setenv("CRM_PROXIES", "1")
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    proxied = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                          "REDIS_URL": app.config["REDIS_URL"]})
    limiter.init_app(app)  # the shared limiter follows the last app built: give it back
    proxied.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
    answer = proxied.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.7"})
    assert answer.get_data(as_text=True) == "203.0.113.7"
    direct = app.test_client().get("/connexion", headers={"X-Forwarded-For": "203.0.113.7"})
    assert direct.status_code == 200  # without the setting, the header is not believed


# The optimistic lock


@pytest.mark.parametrize("version", ["", "abc", "²", "١", "9" * 5000, "-1", "1.0"])
def test_a_missing_or_odd_version_is_refused_as_stale(client, signed_in, version):
    company = f.CompanyFactory()
    data = {"tag-tag": "plan 2026"} | ({"tag-version": version} if version else {})
    response = client.post(f"/entreprises/{company.id}/etiquettes", data=data)
    assert response.status_code in (409, 422)
    db.session.expire_all()
    assert db.session.get(m.Company, company.id).tags == []


# The acknowledgement e-mail


@pytest.mark.usefixtures("roomy_rate_limit")
def test_the_acknowledgement_carries_no_free_text_from_the_form(client, agency_and_adviser):
    bait = "Gagnez 1000 euros sur http://evil.example"
    response = client.post("/recrutement", data=form(
        rome_code="", job_title=bait, description=bait, contact_name=bait,
        company_name="Boulangerie Martin"))
    assert response.status_code == 302, page_text(response)
    ack = db.session.scalar(sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == "need_ack"))
    assert "evil" not in ack.body and "Gagnez" not in ack.body and "evil" not in ack.subject
    assert len(ack.body) < 800


# Contact pressure for partners


def test_partners_get_the_level_only_of_a_firms_contact_pressure(client, agency_and_adviser):
    _, adviser = agency_and_adviser
    firm = f.CompanyFactory(do_not_contact_before=utcnow().date() + timedelta(days=30))
    f.InteractionFactory(company=firm, organisation=adviser.organisation,
                         occurred_at=utcnow() - timedelta(days=1))
    chamber = f.OrganisationFactory(kind=m.OrganisationKind.CCI, is_spotter=True)
    partner = f.UserFactory(organisation=chamber, role=m.Role.PARTNER)
    api = ApiClient(client)
    seen = api.get(f"/api/v1/companies/{firm.siret}", token=token_for(partner)).json["contact_pressure"]
    assert seen == {"contacts_7d": None, "contacts_30d": None, "organisations_30d": None,
                    "level": seen["level"], "do_not_contact_before": None}
    assert seen["level"] in ("warn", "high")
    staff = api.get(f"/api/v1/companies/{firm.siret}", token=token_for(adviser)).json["contact_pressure"]
    assert staff["contacts_7d"] == 1 and staff["do_not_contact_before"] is not None


# 405 with Allow


@pytest.mark.parametrize("method, url", [("delete", "/connexion"), ("put", "/recrutement"),
                                         ("post", "/api/v1/basins"), ("get", "/deconnexion")])
def test_a_wrong_method_answers_405_in_french_with_allow(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]
    text = response.get_json()["error"] if response.is_json else page_text(response)
    assert "Méthode non autorisée." in text


# safe_next


@pytest.mark.parametrize("target", ["/\tevil.example", "/\x00x", "/\\evil.example", "/\r\n/evil.example",
                                    "/ok\x7f", "//evil.example", "\\\\evil.example", "/\\\\evil"])
def test_safe_next_refuses_control_characters_and_backslashes(app, target):
    with app.test_request_context():
        assert safe_next(target) == "/accueil"
        assert safe_next("/entreprises?q=a b") == "/entreprises?q=a b"
