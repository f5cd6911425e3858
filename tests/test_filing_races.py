"""Concurrent identical filings give one need: the others are attached to it as updates, on SQLite
and PostgreSQL, and none answers 500 (issue 15, finding 5)."""

import time

import pytest

from crm import models as m
from crm.extensions import db
from crm.services.needs import filing
from tests import factories as f
from tests.helpers import count, in_parallel
from tests.test_api import NEEDS, payload, token_for
from tests.test_public_pages import form

pytestmark = pytest.mark.usefixtures("roomy_rate_limit", "slow_check")


@pytest.fixture
def slow_check(monkeypatch):
    """Widen the gap between looking for a duplicate and inserting, as a loaded server does, so
    that without a lock every request would check before any inserts."""
    check = filing.recent_duplicate

    def slow(*args):
        found = check(*args)
        time.sleep(0.2)
        return found

    monkeypatch.setattr(filing, "recent_duplicate", slow)


def test_ten_parallel_api_filings_of_the_same_job_give_one_need(app, agency_and_adviser):
    _, adviser = agency_and_adviser
    f.CompanyFactory(siret="73282932000074", siren="732829320", name="Boulangerie Martin")
    tokens = [token_for(adviser) for _ in range(10)]  # one each: a token's use is not a lock

    def send(client, index):
        return client.post(NEEDS, json=payload(), headers={"Authorization": f"Bearer {tokens[index]}"})

    answers = in_parallel(app, 10, send)

    assert sorted(answer.status_code for answer in answers) == [200] * 9 + [201]
    assert {answer.json["reference"] for answer in answers} == {
        db.session.scalar(m.HiringNeed.__table__.select().with_only_columns(m.HiringNeed.reference))}
    assert count(m.HiringNeed) == 1
    assert count(m.NeedMessage) == 9  # each repeat is an update of the need


def test_five_parallel_public_forms_with_an_unknown_siret_give_one_firm_and_one_need(app, agency_and_adviser):
    db.session.commit()
    answers = in_parallel(app, 5, lambda client, _i: client.post("/recrutement", data=form(
        siret="44306184100047", company_name="Menuiserie Durand")))

    assert [answer.status_code for answer in answers] == [302] * 5
    assert count(m.Company) == 1
    assert count(m.HiringNeed) == 1
