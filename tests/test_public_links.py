"""Absolute links (confirmation page, API answers, e-mails) point to the address the application
answers on: the request's own address inside a request, CRM_BASE_URL outside one (jobs)."""

import pytest
import sqlalchemy as sa

from crm import broker, create_app
from crm import models as m
from crm.config import base_url
from crm.extensions import db, limiter
from crm.services.platform import links
from jobs.digest import send_daily_digests
from tests import factories as f
from tests.helpers import page_text
from tests.test_api import payload, token_for
from tests.test_openapi import ApiClient
from tests.test_public_pages import form, token_of

PORT_8000 = "http://localhost:8000"


def outbox() -> list[m.OutboxMessage]:
    return list(db.session.scalars(sa.select(m.OutboxMessage).order_by(m.OutboxMessage.id)))


def test_the_confirmation_page_and_the_emails_link_to_the_address_the_form_was_sent_to(
        client, adviser):
    response = client.post("/recrutement", data=form(), base_url=PORT_8000)
    assert response.status_code == 302
    token = token_of(response.headers["Location"])
    page = page_text(client.get(f"/recrutement/confirmation/{token}", base_url=PORT_8000))
    tracking = f"{PORT_8000}/recrutement/suivi/{token}"
    assert page.count(f'href="{tracking}"') == 2  # the link and the button
    assert "127.0.0.1:5000" not in page
    need = db.session.scalar(sa.select(m.HiringNeed))
    acknowledgement, assignment = outbox()
    assert acknowledgement.recipient == "camille@boulangerie.fr"
    assert tracking in acknowledgement.body
    assert f"{PORT_8000}/demandes/{need.reference}" in assignment.body
    assert all("127.0.0.1:5000" not in message.body for message in outbox())


def test_the_api_tracking_url_and_emails_follow_the_address_of_the_call(client, adviser):
    api = ApiClient(client)
    response = api.post("/api/v1/needs", json=payload(), token=token_for(adviser),
                        base_url=PORT_8000)
    assert response.status_code == 201
    need = db.session.scalar(sa.select(m.HiringNeed))
    tracking = f"{PORT_8000}/recrutement/suivi/{need.tracking_token}"
    assert response.json["tracking_url"] == tracking
    acknowledgement = outbox()[0]
    assert tracking in acknowledgement.body
    document = client.get("/api/v1/openapi.json", base_url=PORT_8000).get_json()
    assert document["servers"] == [{"url": f"{PORT_8000}/api/v1"}]


def test_a_job_outside_any_request_links_to_crm_base_url(
        app, client, adviser, run_jobs, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_BASE_URL", "https://crm.exemple.fr")
    client.get("/recrutement", base_url=PORT_8000)  # an earlier request leaves nothing behind
    assert links.public_base_url() == "https://crm.exemple.fr"
    f.FollowUpFactory(assignee=adviser, title="Rappeler le gérant", due_on=m.utcnow().date())
    assert broker.enqueue("default", send_daily_digests) is not None
    run_jobs()
    (digest,) = [message for message in outbox() if message.kind == "daily_digest"]
    assert "Tout voir dans « Ma journée » : https://crm.exemple.fr/ma-journee" in digest.body
    assert "localhost" not in digest.body


def test_a_host_outside_the_trusted_hosts_is_refused(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["crm.exemple.fr"])
    refused = client.get("/recrutement", base_url="http://piege.example")
    assert refused.status_code == 400
    assert "La requête est invalide." in page_text(refused)
    assert client.get("/recrutement", base_url="https://crm.exemple.fr").status_code == 200


def test_behind_a_declared_proxy_links_use_the_forwarded_address(app, monkeypatch, tmp_path):
    monkeypatch.setenv("CRM_PROXIES", "1")
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    proxied = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                          "REDIS_URL": app.config["REDIS_URL"]})
    limiter.init_app(app)  # the shared limiter follows the last app built: give it back
    response = proxied.test_client().get(
        "/api/v1/openapi.json", base_url="http://127.0.0.1:8000",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "crm.exemple.fr"})
    assert response.get_json()["servers"] == [{"url": "https://crm.exemple.fr/api/v1"}]


@pytest.mark.parametrize("environment, expected", [
    ({}, "http://127.0.0.1:5000"),
    ({"PORT": "8000"}, "http://127.0.0.1:8000"),
    ({"HOST": "0.0.0.0", "PORT": "8080"}, "http://0.0.0.0:8080"),
    ({"HOST": "::1", "PORT": "8000"}, "http://[::1]:8000"),
    ({"HOST": "127.0.0.1", "PORT": "8000", "CRM_BASE_URL": "https://crm.exemple.fr/"},
     "https://crm.exemple.fr"),
])
def test_the_default_base_url_is_the_address_make_run_serves(monkeypatch, environment, expected):
    for name in ("HOST", "PORT", "CRM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert base_url() == expected
