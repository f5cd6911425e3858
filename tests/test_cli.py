"""The `crm` command line used by operators and scripts."""

import json

import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.accounts.users import token_digest


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_init_is_idempotent_and_reports_counts(runner):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    summary = last_json(result.output)
    assert set(summary["reference_rows_written"].values()) == {0}
    assert summary["counts"]["communes"] == 3685


def test_create_organisation_with_coverage(runner):
    result = runner.invoke(args=["create-organisation", "France Travail Dijon",
                                 "--kind", "france_travail", "--basins", "2711,2704",
                                 "--departements", "21"])
    assert result.exit_code == 0, result.output
    organisation = db.session.scalar(sa.select(m.Organisation))
    assert [b.code for b in organisation.basins] == ["2704", "2711"]
    assert [d.code for d in organisation.departments] == ["21"]
    assert last_json(result.output)["organisation"] == organisation.id


def test_create_organisation_refuses_an_unknown_basin(runner):
    result = runner.invoke(args=["create-organisation", "X", "--kind", "cci", "--basins", "9999"])
    assert result.exit_code != 0
    assert "Bassin inconnu : 9999" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Organisation)) == 0


def test_a_user_created_on_the_command_line_logs_in_through_the_form(runner, auth, client):
    runner.invoke(args=["create-organisation", "CCI Côte-d'Or", "--kind", "cci"])
    result = runner.invoke(args=["create-user", "Partenaire@CCI.fr", "--role", "partner",
                                 "--organisation", "CCI Côte-d'Or",
                                 "--password", "Un-bon-mot-de-passe-1"])
    assert result.exit_code == 0, result.output
    assert auth.login("partenaire@cci.fr", "Un-bon-mot-de-passe-1").status_code == 302
    assert client.get("/accueil").status_code == 200


def test_create_user_without_password_invites_the_person(runner, auth, client):
    runner.invoke(args=["create-organisation", "APEC BFC", "--kind", "apec"])
    result = runner.invoke(args=["create-user", "cadre@apec.fr", "--role", "adviser",
                                 "--organisation", "APEC BFC"])
    assert result.exit_code == 0, result.output
    link = last_json(result.output)["invitation"]
    message = db.session.scalar(sa.select(m.OutboxMessage).filter_by(kind="account_invitation"))
    assert message.recipient == "cadre@apec.fr" and link in message.body
    path = "/" + link.split("/", 3)[3]
    response = client.post(path, data={"password": "Quatre chevaux blancs", "confirm":
                                       "Quatre chevaux blancs"})
    assert response.status_code == 302
    assert auth.login("cadre@apec.fr", "Quatre chevaux blancs").status_code == 302


def test_create_user_refuses_a_weak_password_and_an_unknown_organisation(runner):
    runner.invoke(args=["create-organisation", "APEC BFC", "--kind", "apec"])
    weak = runner.invoke(args=["create-user", "a@b.fr", "--role", "adviser",
                               "--organisation", "APEC BFC", "--password", "court"])
    assert weak.exit_code != 0 and "au moins 12 caractères" in weak.output
    unknown = runner.invoke(args=["create-user", "a@b.fr", "--role", "adviser",
                                  "--organisation", "Nulle part"])
    assert unknown.exit_code != 0 and "Organisation inconnue" in unknown.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.User)) == 0


def test_api_token_prints_a_token_that_is_stored_hashed(runner):
    runner.invoke(args=["create-organisation", "OPCO EP", "--kind", "opco"])
    runner.invoke(args=["create-user", "api@opco.fr", "--role", "partner",
                        "--organisation", "OPCO EP", "--password", "Un-bon-mot-de-passe-1"])
    result = runner.invoke(args=["api-token", "api@opco.fr"])
    token = result.output.strip().splitlines()[-1]
    stored = db.session.scalar(sa.select(m.ApiToken))
    assert token.startswith("crm_") and len(token) > 40
    assert stored.token_hash == token_digest(token) != token
    assert stored.scopes == ["needs"]  # what tokens always did


def test_api_token_takes_its_scopes_and_refuses_those_the_account_may_not_hold(runner):
    runner.invoke(args=["create-organisation", "OPCO EP", "--kind", "opco"])
    for email, role in (("api@opco.fr", "partner"), ("conseil@opco.fr", "adviser")):
        runner.invoke(args=["create-user", email, "--role", role, "--organisation", "OPCO EP",
                            "--password", "Un-bon-mot-de-passe-1"])
    result = runner.invoke(args=["api-token", "api@opco.fr", "--scope", "indicators"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(m.ApiToken)).scopes == ["indicators"]
    refused = runner.invoke(args=["api-token", "conseil@opco.fr", "--scope", "indicators"])
    assert refused.exit_code != 0
    assert "peuvent recevoir la portée « Indicateurs »" in refused.output
    unknown = runner.invoke(args=["api-token", "api@opco.fr", "--scope", "tout"])
    assert unknown.exit_code != 0 and "tout" in unknown.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.ApiToken)) == 1


def test_worker_burst_runs_queued_jobs(runner):
    from crm.services.platform import outbox

    message = outbox.add_message("test", "a@exemple.fr", "Sujet", "Corps")
    db.session.commit()
    outbox.dispatch([message.id])
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(m.OutboxMessage, message.id).status == m.MessageStatus.HELD
