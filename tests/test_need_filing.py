"""Filing a need: company, reference, routing, history, ledger and outbox in one transaction."""

from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.needs import filing as needs
from crm.services.needs.schema import InvalidNeed, parse_need
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.helpers import count


def payload(**changes) -> dict:
    data = {
        "siret": "73282932000074", "company_name": "Boulangerie Martin", "commune_code": "21231",
        "rome_code": "D1102", "positions": 2, "contract_type": "cdi",
        "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr"},
    }
    data.update(changes)
    return data


def file(source=m.NeedSource.PUBLIC_FORM, **changes):
    filed = needs.file_need(parse_need(payload(**changes)), source=source)
    unit_of_work.commit()
    return filed


def test_a_need_from_an_unknown_siret_creates_an_unverified_company(agency_and_adviser):
    filed = file()
    need = filed.need
    assert not filed.attached
    assert need.reference == f"BFC-{need.created_at.year}-{need.id:06d}"
    company = need.company
    assert (company.name, company.verified, company.basin_code) == (
        "Boulangerie Martin", False, "2711")
    assert company.search_name == "boulangerie martin"


def test_a_need_is_routed_assigned_and_its_history_kept(agency_and_adviser):
    organisation, adviser = agency_and_adviser
    need = file().need
    assert (need.organisation, need.adviser, need.status) == (
        organisation, adviser, m.NeedStatus.ASSIGNED)
    assert db.session.get(m.RoutingRule, need.routing_rule_id).name == "Par défaut"
    assert "Paul Girard" in need.routing_reason
    assert [(h.from_status, h.to_status) for h in need.history] == [
        (None, m.NeedStatus.NEW), (m.NeedStatus.NEW, m.NeedStatus.ASSIGNED)]


def test_filing_writes_the_ledger_and_the_outbox_in_the_same_transaction(agency_and_adviser):
    need = file().need
    interaction = db.session.scalar(sa.select(m.Interaction))
    assert (interaction.kind, interaction.need_id) == (m.InteractionKind.REQUEST, need.id)
    recipients = sorted(db.session.scalars(sa.select(m.OutboxMessage.recipient)))
    assert recipients == sorted(["camille@boulangerie.fr", agency_and_adviser[1].email])
    ack = db.session.scalar(sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == "need_ack"))
    assert need.reference in ack.body and f"/recrutement/suivi/{need.tracking_token}" in ack.body


def test_a_failure_after_the_outbox_leaves_nothing(agency_and_adviser, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(needs, "log_in_ledger", broken)
    with pytest.raises(RuntimeError):
        file()
    db.session.rollback()
    assert (count(m.HiringNeed), count(m.Company), count(m.OutboxMessage)) == (0, 0, 0)


def test_a_need_is_accepted_while_redis_is_unreachable_and_mailed_once_it_is_back(
    app, agency_and_adviser, monkeypatch, run_jobs
):
    with monkeypatch.context() as down:
        down.setitem(app.extensions, "crm_redis",
                     redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
        need = file().need
    assert need.id and count(m.OutboxMessage) == 2
    from jobs.mail import sweep_outbox

    assert sweep_outbox() == 2
    run_jobs()
    statuses = set(db.session.scalars(sa.select(m.OutboxMessage.status)))
    assert statuses == {m.MessageStatus.HELD}


def test_the_same_job_within_seven_days_is_attached_to_the_open_need(agency_and_adviser):
    first = file().need
    second = file(positions=3, description="Urgent pour Noël.")
    assert second.attached and second.need.id == first.id
    assert count(m.HiringNeed) == 1
    assert "3 postes, contact Camille Martin, camille@boulangerie.fr. Urgent pour Noël." in (
        first.messages[-1].body)


def test_a_different_job_or_an_older_or_closed_need_is_not_a_duplicate(agency_and_adviser):
    first = file().need
    assert not file(rome_code="D1106").attached
    first.created_at = m.utcnow() - timedelta(days=8)
    db.session.commit()
    assert not file().attached
    assert count(m.HiringNeed) == 3


def test_a_closed_establishment_is_refused_with_a_clear_message():
    f.CompanyFactory(siren="732829320", siret="73282932000074", active=False)
    with pytest.raises(InvalidNeed) as caught:
        file()
    assert "fermé" in caught.value.fields["siret"][0]
    assert count(m.HiringNeed) == 0


def test_an_unknown_siret_needs_a_name_and_a_commune():
    with pytest.raises(InvalidNeed) as caught:
        file(company_name=None, commune_code=None)
    assert {"company_name", "commune_code"} <= set(caught.value.fields)
    assert count(m.Company) == 0


def test_a_known_company_keeps_its_identity_and_gives_the_default_workplace(agency_and_adviser):
    company = f.CompanyFactory(siren="732829320", siret="73282932000074", name="Martin SAS",
                               commune_code="21231", basin_code="2711")
    need = file(company_name="Autre nom", commune_code=None).need
    assert need.company == company and company.name == "Martin SAS"
    assert need.commune_code == "21231" and need.basin_code == "2711"


def test_without_adviser_the_basin_managers_are_told():
    region = f.OrganisationFactory(kind=m.OrganisationKind.REGION)
    manager = f.UserFactory(role=m.Role.MANAGER, organisation=region,
                            basins=[db.session.get(m.Basin, "2711")])
    need = file().need
    assert need.status == m.NeedStatus.NEW and need.organisation is None
    recipients = set(db.session.scalars(sa.select(m.OutboxMessage.recipient)))
    assert manager.email in recipients


def test_a_spotter_flag_is_acknowledged_to_the_partner(agency_and_adviser):
    cci = f.OrganisationFactory(kind=m.OrganisationKind.CCI, is_spotter=True)
    partner = f.UserFactory(role=m.Role.PARTNER, organisation=cci)
    need = needs.file_need(parse_need(payload(how_known="Salon", employer_agreed_contact=True)),
                           source=m.NeedSource.SPOTTER, actor=partner, source_organisation=cci).need
    unit_of_work.commit()
    assert (need.source_organisation, need.flagged_by, need.employer_agreed_contact) == (
        cci, partner, True)
    ack = db.session.scalar(sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == "need_ack"))
    assert ack.recipient == partner.email
    assert db.session.scalar(sa.select(m.Interaction.kind)) == m.InteractionKind.FLAG


def test_tracking_tokens_are_long_random_and_found_only_exactly(agency_and_adviser):
    need = file().need
    assert len(need.tracking_token) >= 32  # 24 random bytes = 192 bits
    assert needs.find_by_token(need.tracking_token) == need
    assert needs.find_by_token(need.tracking_token[:-1]) is None
    assert needs.find_by_token("") is None
