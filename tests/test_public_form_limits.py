"""The public form's rate limit: filed requests count towards it, failed attempts towards their own
looser limit, and the limit page gives the form back as typed with the time it can be sent.

Counts are kept in the limiter's real Redis, emptied before each test.
"""

import re
from datetime import datetime, timedelta

import pytest

from crm import models as m
from crm.blueprints.public import throttle
from crm.extensions import limiter
from tests.conftest import WORKING_MORNING
from tests.helpers import count, page_text
from tests.test_public_pages import form

FORM = "/recrutement"
LIMITED = "Trop de demandes ont été envoyées depuis votre connexion."


@pytest.fixture(autouse=True)
def limiter_on_this_app(app, project_clock):
    """The shared limiter counts in this app's Redis (a test building another app rebinds it);
    the project's clock stands still at 10:00 in Paris, so that the time to retry is known."""
    limiter.init_app(app)
    project_clock.freeze(WORKING_MORNING)


def typed(**changes) -> dict:
    """A complete request for a job of its own (a request for the same job would complete it)."""
    return form(**{"rome_code": "", "job_title": "Vendeur en boulangerie",
                   "description": "Vente et conseil.", "contact_phone": "03 80 12 34 56"} | changes)


def selected(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    options = re.findall(r"<option([^>]*)>", select)
    return [re.search(r'value="([^"]*)"', option).group(1) for option in options if "selected" in option]


def test_six_invalid_submissions_in_a_row_do_not_block_a_valid_one(client):
    for _ in range(6):
        response = client.post(FORM, data=typed(contact_email="camille@"))
        assert response.status_code == 422
        assert "adresse électronique valide" in page_text(response)
    response = client.post(FORM, data=typed())
    assert response.status_code == 302
    assert count(m.HiringNeed) == 1


def test_the_sixth_filed_request_in_a_minute_comes_back_as_typed_with_when_to_send_it(client):
    for number in range(1, 6):
        assert client.post(FORM, data=typed(job_title=f"Vendeur {number}")).status_code == 302
    response = client.post(FORM, data=typed(job_title="Tourier", positions="3", publics="youth"))
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    page = page_text(response)
    assert LIMITED in page
    assert ("Vous pourrez envoyer celle-ci à partir de <strong>10\u00a0h\u00a001</strong> "
            "(heure de Paris)") in page
    assert "ce que vous avez saisi est conservé" in page
    for value in ("73282932000074", "Boulangerie Martin", "21000", "Tourier", "Camille Martin",
                  "camille@boulangerie.fr", "03 80 12 34 56"):
        assert f'value="{value}"' in page
    assert re.search(r'<input[^>]*name="positions"[^>]*value="3"', page)
    assert "Vente et conseil.</textarea>" in page
    assert selected(page, "contract_type") == ["cdi"]
    assert selected(page, "commune_code") == ["21231"]
    assert re.search(r'<input[^>]*value="youth" checked', page)
    assert count(m.HiringNeed) == 5


def test_another_address_may_still_file_a_request(client):
    for number in range(1, 6):
        client.post(FORM, data=typed(job_title=f"Vendeur {number}"))
    assert client.post(FORM, data=typed(job_title="Tourier")).status_code == 429
    other = client.post(FORM, data=typed(job_title="Tourier"),
                        environ_base={"REMOTE_ADDR": "192.0.2.8"})
    assert other.status_code == 302


def test_invalid_submissions_have_their_own_looser_limit(app, client):
    filed_limit, invalid_limit = app.config[throttle.FILED], app.config[throttle.INVALID]
    assert (filed_limit, invalid_limit) == ("5 per minute;30 per day", "30 per minute;300 per day")
    for _ in range(30):
        assert client.post(FORM, data=typed(siret="123")).status_code == 422
    response = client.post(FORM, data=typed(siret="123", company_name="Boulangerie Martin & fils"))
    assert response.status_code == 429
    page = page_text(response)
    assert LIMITED in page and "10\u00a0h\u00a001" in page
    assert 'value="Boulangerie Martin &amp; fils"' in response.get_data(as_text=True)
    assert count(m.HiringNeed) == 0


def test_a_filled_trap_field_counts_as_a_filed_request(client):
    for _ in range(5):
        assert client.post(FORM, data=typed(website="http://spam.example")).status_code == 200
    assert client.post(FORM, data=typed()).status_code == 429
    assert count(m.HiringNeed) == 0


def test_the_limit_page_reads_in_french_with_the_day_when_it_is_not_today():
    ten = datetime(2026, 6, 10, 8, 0)  # 10:00 in Paris
    assert throttle.retry_time(timedelta(seconds=60), ten) == "10\u00a0h\u00a001"
    assert throttle.retry_time(timedelta(seconds=61), ten) == "10\u00a0h\u00a002"
    assert throttle.retry_time(timedelta(hours=14, minutes=5), ten) == "demain à 0\u00a0h\u00a005"
    assert throttle.retry_time(timedelta(days=21), ten) == "le 1er juillet à 10\u00a0h\u00a000"
    assert throttle.retry_time(timedelta(days=2), ten) == "le 12 juin à 10\u00a0h\u00a000"


@pytest.fixture
def limiter_redis_down(monkeypatch):
    """The limiter's Redis refuses every command, as when it is down."""
    throttle.memory_counter().storage.reset()

    def down(*_args, **_kwargs):
        raise ConnectionError("Redis injoignable")

    for command in ("incr", "get", "get_expiry"):
        monkeypatch.setattr(limiter.storage, command, down)


def test_with_the_limiter_s_redis_down_the_limit_still_holds_in_memory(client, limiter_redis_down):
    for number in range(1, 6):
        assert client.post(FORM, data=typed(job_title=f"Vendeur {number}")).status_code == 302
    response = client.post(FORM, data=typed(job_title="Tourier"))
    assert response.status_code == 429  # not let through: counted in the process's memory
    assert count(m.HiringNeed) == 5
