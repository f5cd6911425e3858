"""The daily digest: one e-mail per adviser with something to do, through the outbox, listing
overdue and today's tasks, late needs and today's visits; never twice a day."""

from datetime import date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from crm import broker
from crm import models as m
from crm.extensions import db
from crm.services.visits import digest
from jobs.digest import send_daily_digests
from jobs.worker import scheduled
from tests import factories as f
from tests.test_jobs import smtp_server  # noqa: F401  (fixture: a real SMTP server)

WEDNESDAY = date(2026, 6, 10)
MORNING = datetime(2026, 6, 10, 4, 30)  # 6:30 in Paris


def digests() -> list[m.OutboxMessage]:
    query = (sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == "daily_digest")
             .order_by(m.OutboxMessage.recipient))
    return list(db.session.scalars(query))


@pytest.fixture
def paul(agency):
    return f.UserFactory(organisation=agency, name="Paul Girard", email="paul@exemple.fr")


@pytest.fixture
def lea(agency):
    return f.UserFactory(organisation=agency, name="Léa Colin", email="lea@exemple.fr")


def test_each_adviser_with_something_to_do_gets_one_digest_listing_it(paul, lea, agency):
    need = f.HiringNeedFactory(organisation=agency, adviser=paul, job_title="Soudeur",
                               first_contact_due_at=MORNING - timedelta(days=1),
                               company=f.CompanyFactory(name="Chaudronnerie Vial"))
    f.FollowUpFactory(assignee=paul, title="Relancer le gérant", due_on=date(2026, 6, 8),
                  company=f.CompanyFactory(name="Garage Lenoir"))
    f.FollowUpFactory(assignee=paul, title="Envoyer la fiche de poste", due_on=WEDNESDAY, need=need)
    f.FollowUpFactory(assignee=paul, title="Plus tard", due_on=date(2026, 6, 12))
    f.FollowUpFactory(assignee=paul, title="Déjà faite", due_on=WEDNESDAY, done_at=MORNING)
    f.VisitFactory(scheduled_at=datetime(2026, 6, 10, 8, 0), created_by=lea,
                   company=f.CompanyFactory(name="Fromagerie Gaugry"))
    f.UserFactory(organisation=agency, email="rien@exemple.fr")  # nothing to do: no digest
    assert digest.send_daily_digests(WEDNESDAY, MORNING) == 2
    lea_digest, paul_digest = digests()
    assert (paul_digest.recipient, lea_digest.recipient) == ("paul@exemple.fr", "lea@exemple.fr")
    assert paul_digest.subject == "Votre journée du 10/06/2026 : 2 tâches, 1 demande en retard"
    body = paul_digest.body
    for shown in ("Bonjour Paul Girard", "Tâches en retard (1) :",
                  "- Relancer le gérant (échéance le 08/06/2026) – Garage Lenoir",
                  "Tâches du jour (1) :", "Envoyer la fiche de poste",
                  "Demandes en retard de premier contact (1) :",
                  f"{need.reference} : Chaudronnerie Vial (Soudeur) – "
                  f"http://127.0.0.1:5000/demandes/{need.reference}",
                  "http://127.0.0.1:5000/ma-journee"):
        assert shown in body
    assert "Plus tard" not in body and "Déjà faite" not in body
    assert "Visites du jour (1) :\n- 10:00 : Fromagerie Gaugry (Sur place)" in lea_digest.body


def test_running_the_digest_twice_the_same_day_sends_nothing_more(paul):
    f.FollowUpFactory(assignee=paul, due_on=WEDNESDAY)
    assert digest.send_daily_digests(WEDNESDAY, MORNING) == 1
    assert digest.send_daily_digests(WEDNESDAY, MORNING + timedelta(hours=3)) == 0
    assert len(digests()) == 1
    assert digest.send_daily_digests(date(2026, 6, 11), MORNING + timedelta(days=1)) == 1


def test_inactive_users_and_partners_get_no_digest(agency):
    f.FollowUpFactory(assignee=f.UserFactory(organisation=agency, active=False), due_on=WEDNESDAY)
    f.FollowUpFactory(assignee=f.UserFactory(role=m.Role.PARTNER), due_on=WEDNESDAY)
    assert digest.send_daily_digests(WEDNESDAY, MORNING) == 0


def test_the_digest_job_writes_the_digests_and_the_mail_worker_delivers_them(
        paul, smtp_server, run_jobs, project_clock):  # noqa: F811
    project_clock.travel_to(MORNING)
    f.FollowUpFactory(assignee=paul, title="Préparer le job dating", due_on=WEDNESDAY)
    assert broker.enqueue("default", send_daily_digests) is not None
    run_jobs()
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["paul@exemple.fr"]
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert "Préparer le job dating" in mail.get_body(("plain",)).get_content()
    db.session.expire_all()
    assert digests()[0].status == m.MessageStatus.SENT


def test_no_digest_on_a_public_holiday(paul, project_clock):
    project_clock.travel_to(datetime(2026, 7, 14, 4, 30))
    f.FollowUpFactory(assignee=paul, due_on=date(2026, 7, 14))
    assert send_daily_digests() == 0
    assert digests() == []


def test_the_digest_is_scheduled_early_on_working_days(app):
    jobs = {job.func_name: job for job in scheduled(app).get_jobs()}
    assert jobs["jobs.digest.send_daily_digests"].cron == "30 5 * * 1-5"
