"""A firm's open needs and last contact, stored on the firm for the list's filters, stay right
whatever changes them: a need filed, closed, moved or deleted, a contact logged, edited or deleted,
two firms merged, a privacy purge, two advisers at once (issue 16, point 3)."""

import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.demo import seed as demo
from crm.extensions import db
from crm.models import utcnow
from crm.services.companies import counters
from crm.services.companies import merge as merging
from crm.services.needs import workflow
from crm.services.privacy import erasure
from crm.services.visits import interactions, recording
from crm.services.visits.interactions import ContactInput
from tests import factories as f
from tests.helpers import in_parallel
from tests.test_api import NEEDS, payload, token_for


def stored(company: m.Company) -> tuple[int, datetime | None]:
    db.session.expire(company)
    return company.open_needs_count, company.last_contact_at


def consistent() -> None:
    db.session.commit()
    assert counters.differences() == []


def test_a_need_filed_through_the_api_counts_as_open(client, adviser):
    response = client.post(NEEDS, json=payload(), headers={"Authorization": f"Bearer {token_for(adviser)}"})

    assert response.status_code == 201
    firm = db.session.scalars(sa.select(m.Company)).one()
    assert stored(firm)[0] == 1
    consistent()


def test_closing_and_reopening_a_need_moves_the_count(adviser):
    need = f.HiringNeedFactory(status=m.NeedStatus.IN_PROGRESS, adviser=adviser,
                               organisation=adviser.organisation)
    firm = need.company
    db.session.commit()
    assert stored(firm)[0] == 1

    workflow.close(need, adviser, m.NeedStatus.CANCELLED, None, "L'employeur a renoncé.",
                   m.ClosingReason.CANCELLED_BY_COMPANY)
    db.session.commit()
    assert stored(firm)[0] == 0

    need.status = m.NeedStatus.IN_PROGRESS  # put back in progress (an administrator's correction)
    db.session.commit()
    assert stored(firm)[0] == 1
    consistent()


def test_a_need_moved_to_another_firm_or_deleted_leaves_both_firms_right():
    need = f.HiringNeedFactory()
    first, second = need.company, f.CompanyFactory()
    db.session.commit()

    need.company = second
    db.session.commit()
    assert (stored(first)[0], stored(second)[0]) == (0, 1)

    db.session.delete(need)
    db.session.commit()
    assert stored(second)[0] == 0
    consistent()


def test_a_contact_logged_edited_then_deleted_moves_the_last_contact(adviser):
    firm = f.CompanyFactory()
    earlier, later = utcnow() - timedelta(days=40), utcnow() - timedelta(days=2)
    f.InteractionFactory(company=firm, user=adviser, occurred_at=earlier)
    db.session.commit()

    logged = interactions.log_contact(firm, adviser, ContactInput(
        kind=m.InteractionKind.CALL, occurred_at=later, summary="Point sur les besoins"))
    db.session.commit()
    assert stored(firm)[1] == later

    logged.occurred_at = later - timedelta(days=60)  # corrected: the call was older
    db.session.commit()
    assert stored(firm)[1] == earlier

    db.session.delete(logged)
    db.session.commit()
    assert stored(firm)[1] == earlier
    consistent()


def previous_contacts(firm: m.Company) -> list[tuple[datetime, datetime | None]]:
    """The firm's ledger entries in order: (instant, the previous entry's instant)."""
    return [tuple(row) for row in db.session.execute(
        sa.select(m.Interaction.occurred_at, m.Interaction.previous_contact_at)
        .where(m.Interaction.company_id == firm.id)
        .order_by(m.Interaction.occurred_at, m.Interaction.id))]


def test_each_ledger_entry_knows_the_firms_previous_contact_whatever_the_order_of_writes(adviser):
    firm, other = f.CompanyFactory(), f.CompanyFactory()
    day = [utcnow() - timedelta(days=days) for days in (300, 30, 10, 2)]
    for moment in (day[2], day[0], day[3]):  # logged out of order
        f.InteractionFactory(company=firm, user=adviser, occurred_at=moment)
    db.session.commit()
    assert previous_contacts(firm) == [(day[0], None), (day[2], day[0]), (day[3], day[2])]

    middle = f.InteractionFactory(company=firm, user=adviser, occurred_at=day[1])
    db.session.commit()
    assert previous_contacts(firm) == [(day[0], None), (day[1], day[0]), (day[2], day[1]),
                                       (day[3], day[2])]

    middle.company = other  # moved to another firm, then the oldest deleted
    db.session.delete(db.session.scalars(sa.select(m.Interaction).where(
        m.Interaction.company_id == firm.id, m.Interaction.occurred_at == day[0])).one())
    db.session.commit()
    assert previous_contacts(firm) == [(day[2], None), (day[3], day[2])]
    assert previous_contacts(other) == [(day[1], None)]
    consistent()


def test_the_check_command_finds_and_repairs_a_ledger_entrys_previous_contact(runner, adviser):
    firm = f.CompanyFactory()
    for days in (20, 5):
        f.InteractionFactory(company=firm, user=adviser, occurred_at=utcnow() - timedelta(days=days))
    db.session.commit()
    db.session.execute(sa.update(m.Interaction).values(previous_contact_at=None))
    db.session.commit()

    found = runner.invoke(args=["check-counters"])
    assert found.exit_code == 1
    assert '"wrong_ledger_entries": 1' in found.output

    assert runner.invoke(args=["check-counters", "--repair"]).exit_code == 0
    assert runner.invoke(args=["check-counters"]).exit_code == 0
    consistent()


def test_a_merge_gives_the_survivor_the_absorbed_firms_needs_and_contacts(adviser):
    survivor, absorbed = f.CompanyFactory(), f.CompanyFactory(verified=False)
    f.HiringNeedFactory(company=survivor)
    f.HiringNeedFactory(company=absorbed)
    yesterday = utcnow() - timedelta(days=1)
    f.InteractionFactory(company=absorbed, user=adviser, occurred_at=yesterday)
    db.session.commit()

    merging.merge(survivor, absorbed, {}, None)
    db.session.commit()

    assert stored(survivor) == (2, yesterday)
    consistent()


def test_the_privacy_purge_keeps_the_counters(adviser, project_clock):
    need = f.HiringNeedFactory(status=m.NeedStatus.CANCELLED, closed_at=utcnow() - timedelta(days=800))
    f.HiringNeedFactory(company=need.company)
    db.session.commit()

    erasure.purge_expired(24, 90, 30)
    db.session.commit()

    assert stored(need.company)[0] == 1
    consistent()


def test_the_check_command_finds_and_repairs_counters_changed_behind_the_application(runner):
    need = f.HiringNeedFactory()
    db.session.commit()
    db.session.execute(sa.update(m.Company).values(open_needs_count=5))
    db.session.commit()

    found = runner.invoke(args=["check-counters"])
    assert found.exit_code == 1
    assert '"differences": 1' in found.output

    repaired = runner.invoke(args=["check-counters", "--repair"])
    assert repaired.exit_code == 0
    assert stored(need.company)[0] == 1
    assert runner.invoke(args=["check-counters"]).exit_code == 0


@pytest.fixture
def slow_flush(monkeypatch):
    """Hold each transaction open a while after its flush, as a loaded server does."""
    refresh = counters.refresh

    def slow(*args, **kwargs):
        refresh(*args, **kwargs)
        time.sleep(0.2)

    monkeypatch.setattr(counters, "refresh", slow)


def test_advisers_logging_contacts_and_needs_at_once_leave_the_counters_right(app, adviser, slow_flush):
    firm = f.CompanyFactory()
    db.session.commit()
    firm_id, user_id = firm.id, adviser.id
    moments = [utcnow() - timedelta(days=days) for days in (5, 1, 3, 2)]

    def write(_client, index: int) -> None:
        if index % 2:
            db.session.add(m.Interaction(company_id=firm_id, user_id=user_id, kind=m.InteractionKind.CALL,
                                         occurred_at=moments[index], summary="Appel"))
        else:
            db.session.add(m.HiringNeed(**need_fields(firm_id, index)))
        db.session.commit()

    in_parallel(app, 4, write)

    db.session.expire_all()
    firm = db.session.get(m.Company, firm_id)
    assert (firm.open_needs_count, firm.last_contact_at) == (2, moments[1])
    assert counters.differences() == []


def need_fields(company_id: int, index: int) -> dict:
    return {"reference": f"RACE-{index}", "tracking_token": f"jeton-{index}", "company_id": company_id,
            "source": m.NeedSource.PUBLIC_FORM, "job_title": "Maçon", "positions": 1,
            "contract_type": m.ContractType.CDI, "contact_name": "Camille Martin",
            "contact_email": "camille@entreprise.fr", "status": m.NeedStatus.NEW}


def test_the_demo_data_leaves_the_counters_right(app):
    demo.seed_demo(companies=300)
    consistent()
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Company.last_contact_at.is_not(None))) > 0


def test_a_visit_done_then_cancelled_moves_the_last_contact(adviser):
    visited = utcnow() - timedelta(days=3)
    visit = f.VisitFactory(scheduled_at=visited, status=m.VisitStatus.DONE, created_by=adviser)
    f.VisitParticipantFactory(visit_id=visit.id, user=adviser)
    db.session.flush()
    recording.sync_ledger(visit)
    db.session.commit()
    assert stored(visit.company)[1] == visited

    visit.status = m.VisitStatus.CANCELLED
    recording.sync_ledger(visit)
    db.session.commit()
    assert stored(visit.company)[1] is None
    consistent()
