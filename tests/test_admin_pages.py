"""Admin pages as an administrator uses them: organisations, accounts, API tokens, messages,
reference data and background tasks."""

import hashlib

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.accounts import users as accounts
from tests import factories as f
from tests.helpers import assert_constant_queries, page_text

NEW_PASSWORD = "Nouveau-mot-2026"


# Access

ADMIN_PAGES = ["/admin/organisations", "/admin/organisations/nouvelle", "/admin/utilisateurs",
               "/admin/utilisateurs/nouveau", "/admin/messages", "/admin/referentiels"]


@pytest.mark.parametrize("url", [*ADMIN_PAGES, "/taches/reference-1"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("role", [m.Role.MANAGER, m.Role.ADVISER, m.Role.PARTNER])
def test_other_roles_get_403_on_every_admin_page(auth, client, role):
    user = f.UserFactory(role=role)
    auth.login(user)
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 403
        assert "Accès refusé" in page_text(response)
    assert client.post("/admin/referentiels/recharger").status_code == 403
    assert client.post(f"/admin/utilisateurs/{user.id}/desactiver").status_code == 403
    assert db.session.get(m.User, user.id).active


# Organisations

def organisation_form(**overrides) -> dict:
    data = {"name": "CCI Saône-Doubs", "kind": "cci", "spotter": "auto",
            "departments": ["25", "70"], "basins": ["2706"]}
    return {**data, **overrides}


def test_admin_creates_an_organisation_with_its_coverage(admin, client):
    response = client.post("/admin/organisations/nouvelle", data=organisation_form())
    assert response.status_code == 302
    organisation = db.session.scalar(sa.select(m.Organisation).filter_by(name="CCI Saône-Doubs"))
    assert organisation.kind == m.OrganisationKind.CCI
    assert organisation.is_spotter  # follows the kind
    assert [d.code for d in organisation.departments] == ["25", "70"]
    assert [b.code for b in organisation.basins] == ["2706"]
    assert db.session.scalar(
        sa.select(m.AuditEvent).filter_by(object_type="Organisation", actor_id=admin.id)
    )
    listing = page_text(client.get("/admin/organisations"))
    assert "est créée" in listing and "CCI Saône-Doubs" in listing


def test_a_duplicate_organisation_name_is_refused_in_french(admin, client):
    f.OrganisationFactory(name="Mission locale de Dole")
    response = client.post("/admin/organisations/nouvelle",
                           data=organisation_form(name="Mission locale de Dole"))
    assert response.status_code == 422
    assert "Une organisation nommée « Mission locale de Dole » existe déjà." in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(m.Organisation.id))) == 2


def test_an_organisation_without_name_or_with_an_unknown_kind_is_not_stored(admin, client):
    response = client.post("/admin/organisations/nouvelle",
                           data=organisation_form(name=" ", kind="banque"))
    text = page_text(response)
    assert response.status_code == 422
    assert "Saisissez le nom de l'organisation." in text
    assert "N'est pas un choix valide" in text
    assert 'fr-input-group--error' in text and 'aria-describedby="name-messages"' in text
    assert db.session.scalar(sa.select(sa.func.count(m.Organisation.id))) == 1


def test_admin_edits_an_organisation(admin, client):
    organisation = f.OrganisationFactory(name="CMA 21", kind=m.OrganisationKind.CMA,
                                         is_spotter=True)
    form = page_text(client.get(f"/admin/organisations/{organisation.id}/modifier"))
    assert 'value="CMA 21"' in form
    data = organisation_form(name="CMA Côte-d'Or", kind="cma", spotter="no", departments=["21"],
                             basins=[])
    response = client.post(f"/admin/organisations/{organisation.id}/modifier", data=data)
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert organisation.name == "CMA Côte-d'Or" and not organisation.is_spotter
    assert [d.code for d in organisation.departments] == ["21"] and organisation.basins == []


def test_admin_deactivates_and_reactivates_an_organisation(admin, client):
    organisation = f.OrganisationFactory(name="OPCO EP")
    response = client.post(f"/admin/organisations/{organisation.id}/desactiver",
                           follow_redirects=True)
    assert "L'organisation « OPCO EP » est désactivée." in page_text(response)
    assert not db.session.get(m.Organisation, organisation.id).active
    client.post(f"/admin/organisations/{organisation.id}/reactiver")
    assert db.session.get(m.Organisation, organisation.id).active


def test_admin_cannot_deactivate_their_own_organisation(admin, client):
    response = client.post(f"/admin/organisations/{admin.organisation_id}/desactiver",
                           follow_redirects=True)
    assert "Vous ne pouvez pas désactiver votre propre organisation." in page_text(response)
    assert db.session.get(m.Organisation, admin.organisation_id).active


def test_organisations_are_filtered_by_kind_and_searched_by_name(admin, client):
    f.OrganisationFactory(name="Mission locale du Jura", kind=m.OrganisationKind.MISSION_LOCALE)
    f.OrganisationFactory(name="Mission locale de Sens", kind=m.OrganisationKind.MISSION_LOCALE)
    f.OrganisationFactory(name="Cap emploi 89", kind=m.OrganisationKind.CAP_EMPLOI)
    text = page_text(client.get("/admin/organisations?kind=mission_locale&q=jura"))
    assert "Mission locale du Jura" in text
    assert "Mission locale de Sens" not in text and "Cap emploi 89" not in text
    empty = page_text(client.get("/admin/organisations?q=introuvable"))
    assert "Aucune organisation ne correspond à ces critères." in empty


def test_the_organisation_list_shows_coverage_and_user_counts(admin, client):
    organisation = f.OrganisationFactory(name="France Travail Dole")
    accounts.save_organisation(organisation, name="France Travail Dole", kind="france_travail",
                               basin_codes=["2712"], department_codes=["39"])
    f.UserFactory.create_batch(2, organisation=organisation)
    db.session.commit()
    text = page_text(client.get("/admin/organisations?q=Dole"))
    assert "Départements : 39" in text and "Bassins : Dole" in text
    assert f'?organisation={organisation.id}" title="Comptes de France Travail Dole">2</a>' in text


def test_the_organisation_list_pages_and_keeps_its_filters(admin, app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    f.OrganisationFactory.create_batch(5, kind=m.OrganisationKind.OPCO)
    text = page_text(client.get("/admin/organisations?kind=opco"))
    assert "5 organisations – page 1 sur 3" in text
    assert 'href="/admin/organisations?kind=opco&page=2"' in text
    assert "Page suivante" in text and 'aria-current="page" title="Page 1"' in text
    assert client.get("/admin/organisations?kind=opco&page=9").status_code == 404


def test_the_organisation_list_runs_a_constant_number_of_queries(admin, client):
    def add(count):
        for organisation in f.OrganisationFactory.create_batch(count):
            accounts.save_organisation(organisation, name=organisation.name,
                                       kind="france_travail", basin_codes=["2711"],
                                       department_codes=["21"])
            f.UserFactory(organisation=organisation)
        db.session.commit()

    assert_constant_queries(client, "/admin/organisations", add)


# Users

def user_form(organisation, **overrides) -> dict:
    data = {"name": "Bruno Martin", "email": "Bruno.Martin@exemple.fr", "role": "adviser",
            "organisation": str(organisation.id), "basins": ["2711", "2704"],
            "password": NEW_PASSWORD}
    return {**data, **overrides}


def find_user(email: str) -> m.User | None:
    return db.session.scalar(sa.select(m.User).filter_by(email=email))


def test_admin_creates_an_account_and_the_person_is_invited(admin, auth, client):
    organisation = f.OrganisationFactory(name="Mission locale Dijon")
    data = user_form(organisation)
    del data["password"]
    response = client.post("/admin/utilisateurs/nouveau", data=data)
    assert response.status_code == 302
    user = find_user("bruno.martin@exemple.fr")
    assert user.role == m.Role.ADVISER and user.organisation_id == organisation.id
    assert [b.code for b in user.basins] == ["2704", "2711"]
    invitation = db.session.scalar(sa.select(m.OutboxMessage).filter_by(kind="account_invitation"))
    assert invitation.recipient == "bruno.martin@exemple.fr"
    # the person's own password comes through the invitation (tests/test_account_recovery.py)
    auth.logout()
    assert auth.login("bruno.martin@exemple.fr", NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize("password, message", [
    ("court-1", "Le mot de passe doit compter au moins 12 caractères."),
    ("azertyuiop12", "Ce mot de passe est trop courant"),
])
def test_a_weak_password_is_refused_and_nothing_is_stored(admin, client, password, message):
    user = f.UserFactory(email="bruno.martin@exemple.fr")
    old_hash = user.password_hash
    response = client.post(f"/admin/utilisateurs/{user.id}/modifier",
                           data=user_form(user.organisation, password=password))
    assert response.status_code == 422
    assert message in page_text(response)
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_a_duplicate_email_or_a_bad_address_is_refused(admin, client):
    organisation = f.OrganisationFactory()
    f.UserFactory(email="bruno.martin@exemple.fr")
    response = client.post("/admin/utilisateurs/nouveau", data=user_form(organisation))
    assert response.status_code == 422
    assert "Un compte existe déjà pour bruno.martin@exemple.fr." in page_text(response)
    response = client.post("/admin/utilisateurs/nouveau",
                           data=user_form(organisation, email="pas-une-adresse"))
    assert "Saisissez une adresse électronique valide" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(m.User.id))) == 2


def test_editing_an_account_keeps_the_password_unless_a_new_one_is_typed(admin, auth, client):
    user = f.UserFactory(name="Chloé Petit", email="chloe@exemple.fr")
    old_hash = user.password_hash
    form = user_form(user.organisation, name="Chloé Petit-Durand", email="chloe@exemple.fr",
                     role="manager", password="")
    assert client.post(f"/admin/utilisateurs/{user.id}/modifier", data=form).status_code == 302
    db.session.refresh(user)
    assert user.name == "Chloé Petit-Durand" and user.role == m.Role.MANAGER
    assert user.password_hash == old_hash
    form["password"] = NEW_PASSWORD
    client.post(f"/admin/utilisateurs/{user.id}/modifier", data=form)
    auth.logout()
    assert auth.login("chloe@exemple.fr", NEW_PASSWORD).headers["Location"].endswith("/accueil")


def test_admin_cannot_remove_their_own_admin_role(admin, client):
    form = user_form(admin.organisation, name=admin.name, email=admin.email, role="adviser",
                     password="")
    response = client.post(f"/admin/utilisateurs/{admin.id}/modifier", data=form)
    assert response.status_code == 422
    assert "Vous ne pouvez pas retirer votre propre rôle d'administrateur." in page_text(response)
    assert db.session.get(m.User, admin.id).role == m.Role.ADMIN


def test_admin_deactivates_an_account_which_can_no_longer_sign_in(admin, auth, client):
    user = f.UserFactory(name="Denis Roy")
    response = client.post(f"/admin/utilisateurs/{user.id}/desactiver", follow_redirects=True)
    assert "Le compte de Denis Roy est désactivé." in page_text(response)
    auth.logout()
    auth.login(user)
    assert client.get("/accueil").status_code == 302
    auth.login(admin)
    client.post(f"/admin/utilisateurs/{user.id}/reactiver")
    assert db.session.get(m.User, user.id).active


def test_admin_cannot_deactivate_themself(admin, client):
    response = client.post(f"/admin/utilisateurs/{admin.id}/desactiver", follow_redirects=True)
    assert "Vous ne pouvez pas désactiver votre propre compte." in page_text(response)
    assert db.session.get(m.User, admin.id).active


def test_users_are_filtered_by_role_organisation_state_and_search(admin, client):
    organisation = f.OrganisationFactory(name="Cap emploi 21")
    f.UserFactory(name="Émilie Conseil", role=m.Role.ADVISER, organisation=organisation)
    f.UserFactory(name="Fabien Conseil", role=m.Role.ADVISER, organisation=organisation,
                  active=False)
    f.UserFactory(name="Gaëlle Responsable", role=m.Role.MANAGER, organisation=organisation)
    f.UserFactory(name="Hugo Ailleurs", role=m.Role.ADVISER)
    text = page_text(client.get(
        f"/admin/utilisateurs?role=adviser&organisation={organisation.id}&active=1&q=conseil"))
    assert "Émilie Conseil" in text
    for hidden in ("Fabien Conseil", "Gaëlle Responsable", "Hugo Ailleurs"):
        assert hidden not in text
    inactive = page_text(client.get("/admin/utilisateurs?active=0"))
    assert "Fabien Conseil" in inactive and "Émilie Conseil" not in inactive


def test_the_user_list_runs_a_constant_number_of_queries(admin, client):
    def add(count):
        for user in f.UserFactory.create_batch(count):
            user.basins = accounts.basins_by_code(["2711", "2704"])
        db.session.commit()

    assert_constant_queries(client, "/admin/utilisateurs", add)


# API tokens

def test_a_new_token_is_shown_once_and_stored_hashed(admin, client):
    user = f.UserFactory(role=m.Role.PARTNER, name="Connecteur CCI")
    form = page_text(client.get(f"/admin/utilisateurs/{user.id}/jetons"))
    assert 'value="needs" checked' in form and 'value="indicators">' in form  # needs by default
    assert "Indicateurs : lire les indicateurs des comités" in form
    response = client.post(f"/admin/utilisateurs/{user.id}/jetons",
                           data={"name": "Production", "scopes": ["needs", "indicators"]})
    assert response.status_code == 201
    text = page_text(response)
    assert "portées : Besoins et suivi, Indicateurs" in text
    token = text.split('id="jeton" type="text" readonly value="')[1].split('"')[0]
    assert token.startswith(accounts.TOKEN_PREFIX)
    assert "Il ne sera plus jamais affiché" in text
    stored = db.session.scalar(sa.select(m.ApiToken).filter_by(user_id=user.id))
    assert stored.token_hash != token
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert accounts.user_for_token(token).id == user.id
    listing = page_text(client.get(f"/admin/utilisateurs/{user.id}/jetons"))
    assert token not in listing and stored.prefix in listing and "Production" in listing
    assert stored.scopes == ["needs", "indicators"]
    assert '<td data-label="Portées" class="fr-cell--multiline">Besoins et suivi, Indicateurs</td>' in listing


@pytest.mark.parametrize("role, scopes, message", [
    (m.Role.PARTNER, [], "Choisissez au moins une portée pour le jeton."),
    (m.Role.PARTNER, ["needs", "everything"], "Portée inconnue : everything"),
    (m.Role.ADVISER, ["indicators"], "Seuls les comptes responsables, administrateurs et "
                                     "partenaires peuvent recevoir la portée « Indicateurs »."),
])
def test_a_token_needs_scopes_the_account_may_hold(admin, client, role, scopes, message):
    user = f.UserFactory(role=role)
    response = client.post(f"/admin/utilisateurs/{user.id}/jetons",
                           data={"name": "Production", "scopes": scopes})
    assert response.status_code == 422 and message in page_text(response)
    assert accounts.api_tokens(user) == []


def test_a_token_needs_a_name(admin, client):
    user = f.UserFactory()
    response = client.post(f"/admin/utilisateurs/{user.id}/jetons", data={"name": ""})
    assert response.status_code == 422 and "Donnez un nom au jeton." in page_text(response)
    assert accounts.api_tokens(user) == []


def test_a_revoked_token_no_longer_works(admin, client):
    user = f.UserFactory()
    token = accounts.issue_api_token(user, "Essai")
    db.session.commit()
    api_token = accounts.api_tokens(user)[0]
    response = client.post(f"/admin/utilisateurs/{user.id}/jetons/{api_token.id}/revoquer",
                           follow_redirects=True)
    assert "est révoqué" in page_text(response) and "Révoqué le" in page_text(response)
    assert accounts.user_for_token(token) is None


def test_a_token_is_revoked_only_through_its_own_user(admin, client):
    api_token = f.ApiTokenFactory()
    other = f.UserFactory()
    response = client.post(f"/admin/utilisateurs/{other.id}/jetons/{api_token.id}/revoquer")
    assert response.status_code == 404
    assert not db.session.get(m.ApiToken, api_token.id).revoked


# Messages

def test_messages_are_listed_newest_first_and_filtered_by_status(admin, client):
    f.OutboxMessageFactory(subject="Premier message", status=m.MessageStatus.SENT)
    f.OutboxMessageFactory(subject="Second message", status=m.MessageStatus.HELD)
    text = page_text(client.get("/admin/messages"))
    assert text.index("Second message") < text.index("Premier message")
    assert "conservés ici" in text
    held = page_text(client.get("/admin/messages?status=held"))
    assert "Second message" in held and "Premier message" not in held
    assert "Aucun message dans cet état." in page_text(client.get("/admin/messages?status=failed"))


def test_a_message_detail_shows_the_escaped_body_and_the_delivery_state(admin, client):
    message = f.OutboxMessageFactory(
        subject="Relance", recipient="conseil@exemple.fr", status=m.MessageStatus.FAILED,
        attempts=2, last_error="Connexion refusée", body="Bonjour,\n<script>alert(1)</script>")
    text = client.get(f"/admin/messages/{message.id}").get_data(as_text=True)
    assert "conseil@exemple.fr" in text and "Connexion refusée" in text and "Échec" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert" not in text
    assert 'class="crm-message-body"' in text and "Renvoyer" in text


def test_retrying_a_failed_message_queues_it_again(admin, client, run_jobs):
    message = f.OutboxMessageFactory(status=m.MessageStatus.FAILED, attempts=1,
                                     last_error="Serveur injoignable")
    response = client.post(f"/admin/messages/{message.id}/renvoyer", follow_redirects=True)
    assert "Le message est remis dans la file d'envoi." in page_text(response)
    db.session.refresh(message)
    assert message.status == m.MessageStatus.PENDING and message.last_error is None
    run_jobs()
    db.session.refresh(message)
    assert message.status == m.MessageStatus.HELD and message.attempts == 2


def test_a_sent_message_is_not_sent_again(admin, client):
    message = f.OutboxMessageFactory(status=m.MessageStatus.SENT)
    assert "/renvoyer" not in page_text(client.get(f"/admin/messages/{message.id}"))
    response = client.post(f"/admin/messages/{message.id}/renvoyer", follow_redirects=True)
    assert "Seuls les messages en échec ou conservés peuvent être renvoyés." in page_text(response)
    assert db.session.get(m.OutboxMessage, message.id).status == m.MessageStatus.SENT


def test_the_message_list_runs_a_constant_number_of_queries(admin, client):
    assert_constant_queries(client, "/admin/messages",
                            lambda count: f.OutboxMessageFactory.create_batch(count))


# Reference data and background tasks

def test_the_reference_page_counts_each_table(admin, client):
    text = page_text(client.get("/admin/referentiels"))
    assert "Bassins d'emploi" in text and "Codes ROME (métiers)" in text
    assert "Recharger les données de référence" in text


def test_reloading_the_reference_data_runs_as_a_followed_task(admin, client, run_jobs):
    response = client.post("/admin/referentiels/recharger")
    assert response.status_code == 302
    task_url = response.headers["Location"]
    assert "/taches/" in task_url
    waiting = page_text(client.get(task_url))
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in waiting
    assert "En attente" in waiting
    assert 'data-task-state="/taches/' in waiting
    run_jobs()
    done = page_text(client.get(task_url))
    assert "Terminé" in done and "Avancement : 100 %" in done and 'value="100"' in done
    assert 'http-equiv="refresh"' not in done
    state = client.get(task_url + ".json").get_json()
    assert state["status"] == "finished" and state["progress"] == 100
    assert state["result"]["counts"]["basins"] > 0


def test_a_task_page_shows_progress_and_json_to_its_owner(auth, client):
    user = f.UserFactory()
    task = f.BackgroundTaskFactory(user_id=user.id, status=m.BackgroundTaskStatus.RUNNING, progress=40,
                                   description="Import des établissements")
    auth.login(user)
    text = page_text(client.get(f"/taches/{task.id}"))
    assert "Import des établissements" in text and "En cours" in text
    assert '<progress class="crm-progress" id="avancement" max="100" value="40" data-task-state=' in text
    assert '<label class="fr-label" for="avancement">Avancement : 40 %</label>' in text
    still = page_text(client.get(f"/taches/{task.id}?actualisation=non"))
    assert 'http-equiv="refresh"' not in still and "Mise à jour automatique arrêtée." in still
    assert client.get(f"/taches/{task.id}.json").get_json() == {
        "id": task.id, "status": "running", "progress": 40, "result": None}


def test_a_failed_task_shows_its_error(auth, client):
    user = f.UserFactory()
    task = f.BackgroundTaskFactory(user_id=user.id, status=m.BackgroundTaskStatus.FAILED,
                                   result={"error": "Fichier illisible"})
    auth.login(user)
    text = page_text(client.get(f"/taches/{task.id}"))
    assert "La tâche a échoué" in text and "Fichier illisible" in text


def test_other_users_tasks_are_hidden_but_admins_see_them(auth, client):
    task = f.BackgroundTaskFactory(user_id=f.UserFactory().id)
    auth.login(f.UserFactory())
    assert client.get(f"/taches/{task.id}").status_code == 404
    assert client.get(f"/taches/{task.id}.json").status_code == 404
    auth.logout()
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    assert client.get(f"/taches/{task.id}").status_code == 200
