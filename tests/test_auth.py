"""Signing in and out: the login form, its protections and its cookies."""

import pytest

from crm import models as m
from crm.extensions import db
from tests import factories as f


def test_login_with_the_right_password_opens_the_home_page(auth, client):
    user = f.UserFactory(name="Claire Dupont")
    response = auth.login(user)
    assert response.status_code == 302 and response.headers["Location"].endswith("/accueil")
    page = client.get("/accueil").get_data(as_text=True)
    assert "Claire Dupont" in page
    assert db.session.get(m.User, user.id).last_login_at is not None


def test_the_email_is_not_case_sensitive(auth, client):
    f.UserFactory(email="claire@exemple.fr")
    auth.login("  Claire@Exemple.FR")
    assert client.get("/accueil").status_code == 200


def test_a_wrong_password_is_refused_with_a_french_message(auth, client):
    user = f.UserFactory()
    response = auth.login(user, "mauvais-mot-de-passe")
    assert response.status_code == 200
    assert "mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/accueil").status_code == 302


def test_a_deactivated_user_cannot_log_in(auth, client):
    user = f.UserFactory(active=False)
    auth.login(user)
    assert client.get("/accueil").status_code == 302


def test_a_user_of_a_deactivated_organisation_cannot_log_in(auth, client):
    user = f.UserFactory(organisation=f.OrganisationFactory(active=False))
    auth.login(user)
    assert client.get("/accueil").status_code == 302


def test_a_user_deactivated_during_a_session_is_logged_out(auth, client):
    user = f.UserFactory()
    auth.login(user)
    user.active = False
    db.session.commit()
    assert client.get("/accueil").status_code == 302


def test_an_empty_form_shows_the_field_errors(client):
    response = client.post("/connexion", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Saisissez votre adresse électronique." in response.get_data(as_text=True)


def test_logout_ends_the_session(auth, client):
    auth.login(f.UserFactory())
    response = auth.logout()
    assert response.headers["Location"].endswith("/connexion")
    assert client.get("/accueil").status_code == 302


def test_protected_pages_send_anonymous_visitors_to_the_login_page(client):
    response = client.get("/accueil")
    assert response.status_code == 302
    assert "/connexion?next=" in response.headers["Location"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_login_never_redirects_to_another_site(auth, client, target):
    user = f.UserFactory()
    response = client.post(
        f"/connexion?next={target}",
        data={"email": user.email, "password": f.TEST_PASSWORD},
    )
    assert response.headers["Location"].endswith("/accueil")


def test_login_follows_a_local_next_address(client):
    user = f.UserFactory()
    response = client.post(
        "/connexion?next=/admin/messages", data={"email": user.email, "password": f.TEST_PASSWORD}
    )
    assert response.headers["Location"].endswith("/admin/messages")


def test_login_attempts_are_rate_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_LOGIN_RATE_LIMIT", "3 per minute")
    user = f.UserFactory()
    statuses = [
        client.post("/connexion", data={"email": user.email, "password": "non"}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    blocked = client.post("/connexion", data={"email": user.email, "password": f.TEST_PASSWORD})
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = f.UserFactory()
    response = client.post("/connexion", data={"email": user.email, "password": f.TEST_PASSWORD})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    assert client.get("/accueil").status_code == 302


def test_a_post_with_the_csrf_token_is_accepted(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = f.UserFactory()
    client.get("/connexion")
    with client.session_transaction() as session:
        token_seed = session["csrf_token"]
    from itsdangerous import URLSafeTimedSerializer

    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(token_seed)
    response = client.post(
        "/connexion", data={"email": user.email, "password": f.TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_session_cookie_is_httponly_and_samesite(auth):
    response = auth.login(f.UserFactory())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_stored_with_scrypt():
    from crm.services.accounts.users import hash_password

    assert hash_password("Un-mot-de-passe-1").startswith("scrypt:")
