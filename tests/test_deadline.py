"""The first-contact deadline: the end of the second working day after the French filing day,
stored once and shown as the same date to the employer, the adviser, the API and the reminders."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.accounts import users
from crm.services.needs import reminders
from crm.services.needs.workflow import is_late
from crm.services.platform.working_days import deadline_day, deadline_label, first_contact_deadline
from tests import factories as f
from tests.helpers import page_text, text_of

pytestmark = pytest.mark.usefixtures("roomy_rate_limit")

# (filed at, naive UTC) → the day promised, in Paris
DEADLINES = [
    pytest.param(datetime(2026, 6, 10, 8, 0), date(2026, 6, 12), id="wednesday-morning"),
    pytest.param(datetime(2026, 12, 4, 17, 0), date(2026, 12, 8), id="friday-18h-paris"),
    pytest.param(datetime(2026, 12, 5, 10, 0), date(2026, 12, 8), id="saturday"),
    pytest.param(datetime(2026, 12, 6, 15, 0), date(2026, 12, 8), id="sunday"),
    pytest.param(datetime(2026, 12, 4, 23, 30), date(2026, 12, 8), id="friday-23h30-utc-saturday-paris"),
    pytest.param(datetime(2026, 12, 3, 23, 30), date(2026, 12, 8), id="thursday-23h30-utc-friday-paris"),
    pytest.param(datetime(2026, 6, 8, 22, 30), date(2026, 6, 11), id="summer-late-evening-utc"),
    pytest.param(datetime(2026, 7, 13, 9, 0), date(2026, 7, 16), id="day-before-14-july"),
    pytest.param(datetime(2026, 5, 13, 9, 0), date(2026, 5, 18), id="day-before-ascension"),
    pytest.param(datetime(2026, 12, 24, 9, 0), date(2026, 12, 29), id="christmas-eve"),
    pytest.param(datetime(2026, 12, 31, 9, 0), date(2027, 1, 5), id="new-year-across-years"),
]


@pytest.mark.parametrize(("filed_at", "promised"), DEADLINES)
def test_the_deadline_is_the_end_of_the_second_working_day_in_paris(filed_at, promised):
    due = first_contact_deadline(filed_at)
    assert deadline_day(due) == promised
    assert deadline_label(due) == promised.strftime("%d/%m/%Y")
    # the last second of the promised day in Paris (UTC+1 in winter, UTC+2 in summer)
    offset = 2 if 4 <= promised.month <= 10 else 1
    assert due == datetime.combine(promised, datetime.min.time()).replace(
        hour=23 - offset, minute=59, second=59)


def test_no_deadline_shows_nothing():
    assert deadline_label(None) == ""


# One date everywhere

FRIDAY_EVENING = datetime(2026, 12, 4, 17, 0)  # 18:00 in Paris: due by the end of Tuesday 8
PROMISED = "08/12/2026"


def file_from_the_form(client) -> tuple[m.HiringNeed, str]:
    """An employer files a request on the public form; returns the need and the confirmation page."""
    response = client.post("/recrutement", data={
        "siret": "73282932000074", "company_name": "Boulangerie Martin", "postal_code": "21000",
        "commune_code": "21231", "rome_code": "D1102", "positions": "2", "contract_type": "cdi",
        "contact_name": "Camille Martin", "contact_email": "camille@boulangerie.fr", "consent": "y",
    }, follow_redirects=True)
    assert response.status_code == 200
    return db.session.scalar(sa.select(m.HiringNeed)), page_text(response)


def mail(kind: str) -> m.OutboxMessage:
    return db.session.scalar(sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == kind))


def test_employer_adviser_api_and_e_mails_show_the_same_promised_day(
        client, auth, adviser, project_clock):
    project_clock.travel_to(FRIDAY_EVENING)
    need, confirmation = file_from_the_form(client)
    assert need.adviser == adviser
    assert need.first_contact_due_at == datetime(2026, 12, 8, 22, 59, 59)

    assert f"au plus tard le {PROMISED}" in confirmation
    tracking = text_of(client, f"/recrutement/suivi/{need.tracking_token}")
    assert f"va vous contacter au plus tard le {PROMISED}" in tracking
    assert f"au plus tard le {PROMISED}" in mail("need_ack").body
    assert f"Premier contact attendu au plus tard le {PROMISED}" in mail("need_assigned").body

    auth.login(adviser)
    need_page = text_of(client, f"/demandes/{need.reference}")
    assert "Premier contact attendu au plus tard le" in need_page and PROMISED in need_page
    assert "En retard" not in need_page
    assert f"À faire au plus tard le {PROMISED}" in text_of(client, "/demandes")
    assert f"Premier contact au plus tard le {PROMISED}" in text_of(client, "/demandes/tableau")

    token = users.issue_api_token(adviser)
    db.session.commit()
    body = client.get(f"/api/v1/needs/{need.reference}",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["first_contact_due_on"] == "2026-12-08"
    assert body["first_contact_due_at"] == "2026-12-08T22:59:59Z"


def test_a_need_is_not_late_on_the_last_evening_of_the_promised_day(
        client, auth, adviser, project_clock):
    project_clock.travel_to(FRIDAY_EVENING)
    need, _ = file_from_the_form(client)
    auth.login(adviser)
    manager = f.UserFactory(organisation=adviser.organisation, role=m.Role.MANAGER,
                            basins=adviser.basins)

    project_clock.travel_to(datetime(2026, 12, 8, 22, 30))  # Tuesday 23:30 in Paris
    assert not is_late(need)
    assert "En retard" not in text_of(client, f"/demandes/{need.reference}")
    assert reminders.remind_late_advisers() == 0

    project_clock.travel_to(datetime(2026, 12, 9, 6, 0))  # Wednesday 7:00 in Paris
    assert is_late(need)
    assert "En retard" in text_of(client, f"/demandes/{need.reference}")
    assert reminders.remind_late_advisers() == 1
    reminder = mail("late_reminder")
    assert reminder.subject == "1 demande en retard de premier contact"
    assert f"{need.reference} : Boulangerie Martin" in reminder.body
    assert f"premier contact attendu au plus tard le {PROMISED}" in reminder.body
    assert "1 demande attend encore un premier contact" in reminder.body

    auth.logout()
    auth.login(manager)
    late_page = text_of(client, "/demandes/en-retard")
    assert need.reference in late_page and PROMISED in late_page
    assert "1 jour ouvré" in late_page
