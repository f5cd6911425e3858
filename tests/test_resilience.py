"""Odd input never gives a 500, and a 500 is logged (issue 15, finding 9): a request id per request,
echoed and shown on the French 500 page with the logged exception; NUL characters and lone
surrogates refused with a French 400; ids and page numbers past what a column holds answer 404;
names growing under NFKD and long e-mail subjects fit their columns."""

import logging

import pytest
import sqlalchemy as sa

from crm import create_app
from crm import models as m
from crm.extensions import db, limiter
from crm.services.companies import profile
from crm.services.platform import outbox
from crm.services.platform.wording import normalise_name
from tests import factories as f
from tests.helpers import page_text

UNSTORABLE = "La requête contient un caractère non autorisé"
HUGE = str(2 ** 63 + 1)


@pytest.fixture
def production_app(app, monkeypatch, tmp_path):
    """An application that answers errors as in production (no exception propagated)."""
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    built = create_app({"TESTING": False, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "REDIS_URL": app.config["REDIS_URL"], "WTF_CSRF_ENABLED": False})
    limiter.init_app(app)  # the shared limiter follows the last app built: give it back

    def broken():
        raise RuntimeError("boom")

    built.add_url_rule("/_casse", "broken", broken)
    built.add_url_rule("/api/v1/_casse", "api_broken", broken)
    return built


def test_every_answer_carries_a_request_id_and_echoes_a_sane_one(client):
    first, second = client.get("/connexion"), client.get("/connexion")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert len(first.headers["X-Request-ID"]) == 32
    echoed = client.get("/connexion", headers={"X-Request-ID": "proxy-42.a_b"})
    assert echoed.headers["X-Request-ID"] == "proxy-42.a_b"
    for forged in ["x y", "z" * 65, "<script>", "é"]:
        assert client.get("/connexion", headers={"X-Request-ID": forged}).headers["X-Request-ID"] != forged


def test_an_unexpected_exception_is_logged_with_the_id_shown_on_the_french_page(production_app,
                                                                                 caplog):
    with caplog.at_level(logging.ERROR, logger="crm.errors"):
        response = production_app.test_client().get("/_casse", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 500
    text = page_text(response)
    assert "Erreur inattendue" in text and "Référence de l'incident : abc-123." in text
    assert response.headers["X-Request-ID"] == "abc-123"
    [record] = [r for r in caplog.records if r.name == "crm.errors"]
    assert "abc-123" in record.getMessage() and "GET /_casse" in record.getMessage()
    assert record.exc_info and record.exc_info[0] is RuntimeError


def test_an_unexpected_api_exception_answers_json_with_the_id(production_app, caplog):
    with caplog.at_level(logging.ERROR, logger="crm.errors"):
        response = production_app.test_client().get("/api/v1/_casse")
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] in response.get_json()["error"]
    assert any(response.headers["X-Request-ID"] in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("url", [
    "/entreprises?q=a%00b", "/entreprises?q=%ED%A0%80\x00", "/demandes?status=%00",
    "/bassins/27%0011", "/entreprises?%00=1",
])
def test_a_nul_character_in_a_query_or_path_answers_a_french_400(client, signed_in, url):
    response = client.get(url)
    assert response.status_code == 400
    assert UNSTORABLE in page_text(response)


def test_a_nul_character_in_a_form_field_answers_a_french_400(client, signed_in):
    company = f.CompanyFactory()
    for value in ["plan\x002026", "\x00"]:
        response = client.post(f"/entreprises/{company.id}/etiquettes",
                               data={"tag-version": company.version, "tag-tag": value})
        assert response.status_code == 400
        assert UNSTORABLE in page_text(response)
    db.session.expire_all()
    assert db.session.get(m.Company, company.id).tags == []


def test_the_public_form_refuses_a_nul_character_in_french(client):
    response = client.post("/recrutement", data={"siret": "7328293200007\x004", "company_name": "x"})
    assert response.status_code == 422  # under the field at fault (tests/test_api_bad_input.py)
    assert "caractère non autorisé" in page_text(response)
    response = client.post("/recrutement?source=%00", data={"company_name": "x"})
    assert response.status_code == 400 and UNSTORABLE in page_text(response)


@pytest.mark.parametrize("url", [
    f"/entreprises/{HUGE}", f"/entreprises/{2 ** 31}", f"/plans/{HUGE}", f"/visites/{HUGE}",
    f"/admin/utilisateurs/{HUGE}/modifier", f"/entreprises/{'9' * 5000}",
    f"/entreprises?page={HUGE}", f"/demandes/tableau?page={2 ** 31}", f"/admin/utilisateurs?page={HUGE}",
])
def test_ids_and_page_numbers_past_a_column_answer_404(client, auth, url):
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    assert client.get(url).status_code == 404


def test_a_name_growing_under_nfkd_fits_its_search_column(client, signed_in):
    name = "\ufdfa" * 200  # one character, eighteen once decomposed
    company = f.CompanyFactory(name=name[:255], search_name="x")
    company.name = "\ufdfa" * 255
    company.search_name = normalise_name(company.name)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(m.Company, company.id)
    assert len(stored.search_name) <= 255 and stored.search_name.startswith("صلى الله")
    assert len(stored.search_text) <= 600


def test_a_long_name_in_an_e_mail_subject_is_cut_to_its_column(agency_and_adviser):
    _, adviser = agency_and_adviser
    company = f.CompanyFactory(name="Établissements " + "très " * 48)
    profile.change_referent(company, adviser, adviser, "", company.version)
    db.session.commit()
    message = db.session.scalar(sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == "referent_assigned"))
    assert len(message.subject) == 255 and message.subject.endswith("…")
    assert len(outbox.add_message("x", "a@b.fr", "s" * 300, "corps").subject) == 255
    db.session.rollback()


def test_a_lone_surrogate_sent_as_utf_8_bytes_is_read_as_a_replacement_character(client, signed_in):
    response = client.get("/entreprises?q=%ED%A0%80")
    assert response.status_code == 200
    with client.application.test_request_context("/entreprises?q=%ED%A0%80"):
        from flask import request

        assert "\ud800" not in request.args["q"]
