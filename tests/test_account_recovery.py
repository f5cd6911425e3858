"""Account onboarding and recovery (issue 15): invitations instead of passwords typed by an
administrator, "forgotten password" links, the password policy, and the security events an
administrator reads in the security journal."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.models import utcnow
from crm.services.accounts import recovery, users
from tests import factories as f
from tests.helpers import count_queries, in_parallel, page_text

GOOD = "Trois lapins dans la neige"
INVALID_LINK = "Ce lien n'est pas valide."
USED = "Ce lien a déjà servi : il ne peut être utilisé qu'une fois."
EXPIRED = "Ce lien a expiré ou a été remplacé par un lien plus récent."
NEUTRAL = "Si un compte actif correspond à l'adresse"


def mails(kind: str) -> list[m.OutboxMessage]:
    return list(db.session.scalars(sa.select(m.OutboxMessage).filter_by(kind=kind)
                                    .order_by(m.OutboxMessage.id)))


def link_path(message: m.OutboxMessage) -> str:
    """The path of the one link of the CRM a message holds."""
    url = re.search(r"https?://\S+/(invitation|mot-de-passe)/\S+", message.body).group(0)
    return "/" + url.split("/", 3)[3]


def choose(client, path: str, password: str = GOOD, confirm: str | None = None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def events(action: str) -> list[m.AuditEvent]:
    return list(db.session.scalars(sa.select(m.AuditEvent).filter_by(action=action)))


def invite_form(organisation) -> dict:
    return {"name": "Bruno Martin", "email": "Bruno.Martin@exemple.fr", "role": "adviser",
            "organisation": str(organisation.id)}


# Invitations


def test_an_admin_invites_a_person_who_chooses_a_password_and_signs_in(admin, auth, client):
    organisation = f.OrganisationFactory(name="Mission locale Dijon")
    form_page = page_text(client.get("/admin/utilisateurs/nouveau"))
    assert "Mot de passe" not in form_page and "invitation" in form_page
    response = client.post("/admin/utilisateurs/nouveau", data=invite_form(organisation),
                           follow_redirects=True)
    assert "une invitation à choisir son mot de passe est envoyée à bruno.martin@exemple.fr" \
        in page_text(response)
    [message] = mails("account_invitation")
    assert message.recipient == "bruno.martin@exemple.fr"
    assert "Alice Admin vous a ouvert un compte" in message.body
    path = link_path(message)
    assert path.startswith("/invitation/")
    stored = db.session.scalar(sa.select(m.PasswordLink))
    assert stored.token_hash == users.token_digest(path.rsplit("/", 1)[1])
    assert timedelta(days=7, minutes=-1) < stored.expires_at - utcnow() <= timedelta(days=7)
    assert [e.object_id for e in events("invitation_sent")] == [str(stored.user_id)]
    auth.logout()

    page = client.get(path)
    assert page.status_code == 200 and "Bienvenue : choisissez votre mot de passe" in page_text(page)
    refused = choose(client, path, "court")
    assert refused.status_code == 422
    assert "Le mot de passe doit compter au moins 12 caractères." in page_text(refused)
    assert choose(client, path, GOOD, "Autre chose encore").status_code == 422
    done = choose(client, path)
    assert done.status_code == 302 and done.location.endswith("/connexion")
    assert auth.login("bruno.martin@exemple.fr", GOOD).status_code == 302
    assert [e.object_id for e in events("invitation_accepted")] == [str(stored.user_id)]

    again = client.get(path)
    assert again.status_code == 410 and USED in page_text(again)


def test_before_accepting_the_invitation_no_password_signs_in(admin, auth, client):
    organisation = f.OrganisationFactory()
    client.post("/admin/utilisateurs/nouveau", data=invite_form(organisation))
    auth.logout()
    for password in ("", f.TEST_PASSWORD, "None"):
        assert auth.login("bruno.martin@exemple.fr", password).status_code != 302


def test_an_invitation_expires_after_seven_days(admin, auth, client, project_clock):
    client.post("/admin/utilisateurs/nouveau", data=invite_form(f.OrganisationFactory()))
    path = link_path(mails("account_invitation")[0])
    project_clock.travel_to(utcnow() + timedelta(days=7, minutes=1))
    for response in (client.get(path), choose(client, path)):
        assert response.status_code == 410
        assert EXPIRED in page_text(response) and "renvoyer une invitation" in page_text(response)


def test_resending_an_invitation_replaces_the_link(admin, auth, client):
    client.post("/admin/utilisateurs/nouveau", data=invite_form(f.OrganisationFactory()))
    user = db.session.scalar(sa.select(m.User).filter_by(email="bruno.martin@exemple.fr"))
    assert "Invitation en attente" in page_text(client.get("/admin/utilisateurs"))
    edit = page_text(client.get(f"/admin/utilisateurs/{user.id}/modifier"))
    assert "Renvoyer l'invitation" in edit and "pas encore choisi son mot de passe" in edit
    response = client.post(f"/admin/utilisateurs/{user.id}/invitation", follow_redirects=True)
    assert "Une nouvelle invitation est envoyée à bruno.martin@exemple.fr" in page_text(response)
    first, second = mails("account_invitation")
    auth.logout()
    assert client.get(link_path(first)).status_code == 410
    assert choose(client, link_path(second)).status_code == 302
    assert auth.login(user.email, GOOD).status_code == 302
    auth.logout()
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    assert "Renvoyer l'invitation" not in page_text(client.get(f"/admin/utilisateurs/{user.id}/modifier"))


def test_an_unknown_link_answers_a_french_404(client):
    response = client.get("/invitation/nimporte-quoi")
    assert response.status_code == 404 and INVALID_LINK in page_text(response)
    assert client.post("/mot-de-passe/nimporte-quoi", data={}).status_code == 404


def test_an_invitation_link_is_not_a_reset_link(client):
    user = f.UserFactory()
    token = recovery.issue_link(user, m.PasswordLinkPurpose.INVITATION)
    db.session.commit()
    assert client.get(f"/mot-de-passe/{token}").status_code == 404
    assert client.get(f"/invitation/{token}").status_code == 200


# Password reset


def test_the_login_page_offers_a_forgotten_password_link(client):
    page = client.get("/connexion")
    assert 'href="/mot-de-passe-oublie"' in page.text and "Mot de passe oublié ?" in page_text(page)
    assert client.get("/mot-de-passe-oublie").status_code == 200


def test_the_answer_is_the_same_whether_the_account_exists_or_not(client):
    user = f.UserFactory(email="connue@exemple.fr")
    f.UserFactory(email="partie@exemple.fr", active=False)
    answers = {}
    for email in ("connue@exemple.fr", "inconnue@exemple.fr", "partie@exemple.fr"):
        response = client.post("/mot-de-passe-oublie", data={"email": email})
        assert response.status_code == 200
        answers[email] = page_text(response).replace(email, "…")
    assert len(set(answers.values())) == 1 and NEUTRAL in answers["connue@exemple.fr"]
    [message] = mails("password_reset")
    assert message.recipient == user.email
    assert [e.object_id for e in events("password_reset_requested")] == [str(user.id)]


def test_a_reset_link_ends_other_sessions_unlocks_and_is_audited(app, client, auth, project_clock):
    user = f.UserFactory()
    elsewhere = app.test_client()
    elsewhere.post("/connexion", data={"email": user.email, "password": f.TEST_PASSWORD})
    assert elsewhere.get("/accueil").status_code == 200
    user.locked_until = utcnow() + timedelta(minutes=10)
    user.failed_logins = 3
    db.session.commit()

    client.post("/mot-de-passe-oublie", data={"email": user.email.upper()})
    path = link_path(mails("password_reset")[0])
    assert path.startswith("/mot-de-passe/")
    assert "Choisir un nouveau mot de passe" in page_text(client.get(path))
    assert choose(client, path).status_code == 302

    assert elsewhere.get("/accueil").status_code == 302  # signed out there
    assert auth.login(user, f.TEST_PASSWORD).status_code == 200  # the old password is gone
    assert auth.login(user, GOOD).status_code == 302  # and the lock is lifted
    assert [e.changes for e in events("password_changed")] == [{"through": "reset"}]
    assert client.get(path).status_code == 410


def test_a_reset_link_lasts_one_hour_and_a_newer_one_replaces_it(client, project_clock):
    user = f.UserFactory()
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    first, second = (link_path(message) for message in mails("password_reset"))
    assert EXPIRED in page_text(client.get(first))
    project_clock.travel_to(utcnow() + timedelta(minutes=61))
    response = choose(client, second)
    assert response.status_code == 410 and EXPIRED in page_text(response)


def test_reset_requests_are_rate_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_RESET_RATE_LIMIT", "2 per minute")
    statuses = [client.post("/mot-de-passe-oublie", data={"email": f"x{n}@exemple.fr"}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]


def test_a_bad_address_is_refused_under_the_field(client):
    response = client.post("/mot-de-passe-oublie", data={"email": "pas-une-adresse"})
    assert response.status_code == 422 and "Saisissez une adresse électronique valide" in page_text(response)


# Password policy


@pytest.mark.parametrize("password, message", [
    ("court-1", "Le mot de passe doit compter au moins 12 caractères."),
    ("a" * 129, "Le mot de passe doit compter au plus 128 caractères."),
    ("qwerty123456", "Ce mot de passe est trop courant"),
    ("Azertyuiop2024!", "Ce mot de passe est trop courant"),
    ("MotDePasse1234", "Ce mot de passe est trop courant"),
    ("Bruno.Martin@exemple.fr", "Le mot de passe ne doit pas être votre adresse électronique ni votre nom."),
    ("bruno martin ", "Le mot de passe ne doit pas être votre adresse électronique ni votre nom."),
    ("Bruno-Martin-Dijon-21", None),
    ("seulementdeslettres", None),  # no composition rules
    ("a" * 128, None),
])
def test_the_password_policy(password, message):
    problem = users.password_problem(password, "bruno.martin@exemple.fr", "Bruno Martin")
    assert (problem is None) if message is None else problem.startswith(message)


def test_the_common_password_list_is_shipped_and_lower_case():
    common = users.common_passwords()
    assert len(common) > 15_000 and "azertyuiop" in common and "motdepasse" in common
    assert all(word == word.lower() for word in common)


def test_the_policy_applies_when_choosing_through_a_link(client):
    user = f.UserFactory(name="Chloé Petit", email="chloe.petit@exemple.fr")
    token = recovery.issue_link(user, m.PasswordLinkPurpose.RESET)
    db.session.commit()
    for password, message in (("chloe.petit@exemple.fr", "ni votre nom"),
                              ("password1234", "trop courant")):
        response = choose(client, f"/mot-de-passe/{token}", password)
        assert response.status_code == 422 and message in page_text(response)
    assert db.session.scalar(sa.select(m.PasswordLink.used_at)) is None


def test_the_policy_applies_when_an_admin_sets_a_password(admin, client):
    user = f.UserFactory(name="Chloé Petit", email="chloe@exemple.fr")
    data = {"name": user.name, "email": user.email, "role": "adviser",
            "organisation": str(user.organisation_id), "password": "azertyuiop123"}
    response = client.post(f"/admin/utilisateurs/{user.id}/modifier", data=data)
    assert response.status_code == 422 and "trop courant" in page_text(response)


# Security events


def test_sign_ins_and_failures_are_in_the_security_journal(app, client, auth):
    user = f.UserFactory(name="Chloé Petit")
    auth.login(user, "pas le bon mot de passe")
    auth.login(user)
    auth.logout()
    assert [e.action for e in db.session.scalars(
        sa.select(m.AuditEvent).where(m.AuditEvent.action.in_(recovery.SECURITY_ACTIONS))
        .order_by(m.AuditEvent.id))] == ["login_failed", "login", "end_sessions", "logout"]
    auth.login(f.UserFactory(role=m.Role.ADMIN, name="Alice Admin"))
    text = page_text(client.get("/admin/journal-de-securite?compte=chlo"))
    for shown in ("Chloé Petit", "Échec de connexion", "mot de passe incorrect", "Connexion réussie",
                  "Déconnexion"):
        assert shown in text
    assert client.get("/admin/journal-de-securite?compte=personne").status_code == 200


def test_the_security_journal_runs_a_fixed_number_of_queries(client, auth):
    admin = f.UserFactory(role=m.Role.ADMIN)
    auth.login(admin)

    def count() -> int:
        client.get("/admin/journal-de-securite")
        with count_queries() as statements:
            assert client.get("/admin/journal-de-securite").status_code == 200
        return len(statements)

    few = count()
    for user in f.UserFactory.create_batch(5):
        auth.login(user, "mauvais mot de passe")
    db.session.commit()
    assert count() == few


def test_only_admins_read_the_security_journal(client, signed_in):
    assert client.get("/admin/journal-de-securite").status_code == 403


def test_a_link_sent_twice_at_the_same_moment_works_once(app):
    user = f.UserFactory()
    token = recovery.issue_link(user, m.PasswordLinkPurpose.RESET)
    db.session.commit()
    passwords = [f"{word} est mon nouveau secret" for word in ("Pomme", "Poire", "Prune", "Pêche")]

    answers = in_parallel(app, 4, lambda client, i: choose(client, f"/mot-de-passe/{token}",
                                                            passwords[i]))

    assert sorted(answer.status_code for answer in answers) == [302, 410, 410, 410]
    winner = passwords[[answer.status_code for answer in answers].index(302)]
    db.session.expire_all()
    assert users.check_password(db.session.get(m.User, user.id), winner)
    assert len(events("password_changed")) == 1
