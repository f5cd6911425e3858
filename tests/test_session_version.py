"""Sessions end for good (issue 15, finding 4): a copied session or "remember me" cookie no longer
opens a page after logout, a password, role or activation change; "remember me" lasts 30 days."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g

from crm import models as m
from crm.extensions import db
from crm.services.accounts import users
from tests import factories as f
from tests.test_admin_pages import NEW_PASSWORD, user_form

HOME = "/accueil"


def as_new_request() -> None:
    """The tests share one app context, where Flask-Login caches the signed-in user in `g`: forget
    it, so that the next request reads its own cookies only."""
    g.pop("_login_user", None)


def signed_in_copy(app, auth, user, remember: bool = False) -> dict[str, str]:
    """Sign in, and keep the cookies as a thief would copy them."""
    response = auth.client.post("/connexion", data={"email": user.email, "password": f.TEST_PASSWORD,
                                                    "remember": "y" if remember else ""})
    assert response.status_code == 302
    assert auth.client.get(HOME).status_code == 200
    return {name: auth.client.get_cookie(name).value
            for name in ("session", "remember_token") if auth.client.get_cookie(name)}


def opens_home(app, cookies: dict[str, str]) -> bool:
    """Whether a fresh browser holding only these cookies reaches the home page."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    as_new_request()
    return thief.get(HOME).status_code == 200


def remember_only(cookies: dict[str, str]) -> dict[str, str]:
    return {"remember_token": cookies["remember_token"]}


def test_a_copied_session_cookie_no_longer_opens_the_home_page_after_logout(app, auth):
    user = f.UserFactory()
    cookies = signed_in_copy(app, auth, user, remember=True)
    assert opens_home(app, cookies) and opens_home(app, remember_only(cookies))
    as_new_request()
    assert auth.logout().status_code == 302
    assert not opens_home(app, cookies)
    assert not opens_home(app, remember_only(cookies))
    event = db.session.scalar(sa.select(m.AuditEvent).where(m.AuditEvent.action == "end_sessions"))
    assert event.changes == {"reason": "logout"} and event.object_id == str(user.id)


def test_a_password_changed_by_an_admin_ends_the_users_sessions(app, client, auth):
    user = f.UserFactory(email="chloe@exemple.fr")
    cookies = signed_in_copy(app, auth, user, remember=True)
    admin_client = app.test_client()
    admin = f.UserFactory(role=m.Role.ADMIN)
    as_new_request()
    admin_client.post("/connexion", data={"email": admin.email, "password": f.TEST_PASSWORD})
    form = user_form(user.organisation, name=user.name, email=user.email, role=user.role.value,
                     basins=[], password=NEW_PASSWORD)
    as_new_request()
    assert admin_client.post(f"/admin/utilisateurs/{user.id}/modifier", data=form).status_code == 302
    assert not opens_home(app, cookies) and not opens_home(app, remember_only(cookies))
    as_new_request()
    assert admin_client.get(HOME).status_code == 200  # the admin's own session goes on


def test_an_admin_changing_their_own_password_stays_signed_in_here_only(app, client, admin):
    cookies = {"session": client.get_cookie("session").value}
    form = user_form(admin.organisation, name=admin.name, email=admin.email, role="admin",
                     basins=[], password=NEW_PASSWORD)
    assert client.post(f"/admin/utilisateurs/{admin.id}/modifier", data=form).status_code == 302
    as_new_request()
    assert client.get(HOME).status_code == 200
    assert not opens_home(app, cookies)


@pytest.mark.parametrize("change", ["role", "deactivation"])
def test_a_role_change_or_a_deactivation_ends_the_sessions(app, auth, change):
    user = f.UserFactory(role=m.Role.ADVISER)
    cookies = signed_in_copy(app, auth, user)
    admin = f.UserFactory(role=m.Role.ADMIN)
    if change == "role":
        users.save_user(user, email=user.email, name=user.name, role=m.Role.MANAGER,
                        organisation=user.organisation, basin_codes=[], actor=admin)
    else:
        users.set_user_active(user, False, actor=admin)
        users.set_user_active(user, True, actor=admin)
    db.session.commit()
    assert not opens_home(app, cookies)


def test_other_changes_keep_the_session(app, auth):
    user = f.UserFactory(role=m.Role.ADVISER)
    cookies = signed_in_copy(app, auth, user)
    users.save_user(user, email=user.email, name="Nouveau Nom", role=m.Role.ADVISER,
                    organisation=user.organisation, basin_codes=[])
    db.session.commit()
    assert opens_home(app, cookies)


def test_remember_me_lasts_thirty_days_at_most(app, auth):
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)
    response = auth.client.post("/connexion", data={"email": f.UserFactory().email,
                                                    "password": f.TEST_PASSWORD, "remember": "y"})
    cookie = next(header for header in response.headers.getlist("Set-Cookie")
                  if header.startswith("remember_token="))
    assert "Max-Age=2592000" in cookie or "Expires=" in cookie


@pytest.mark.parametrize("stored", ["1", "abc", "1:x", "", ":", "1:2:3", "99999999999999999999:1",
                                    "１:1"])
def test_unreadable_session_ids_sign_nobody_in(stored):
    f.UserFactory(id=1) if db.session.get(m.User, 1) is None else None
    assert users.load_user(stored) is None
