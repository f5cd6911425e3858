"""Offer spotters hear back: the organisation that flagged a need (or whose flag was attached to it)
is told of each status change and of the closure with its outcome and hires, by e-mail or, when it
prefers, in one digest a working day; its contributions show in its flags and in the statistics."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm import clock
from crm import models as m
from crm.extensions import db
from crm.services.needs import spotter_digest, spotter_stats, workflow
from crm.services.needs.filing import file_need
from crm.services.needs.schema import parse_need
from crm.services.platform import unit_of_work
from jobs.digest import send_spotter_digests
from tests import factories as f
from tests.helpers import dijon, text_of

MONDAY_MORNING = datetime(2026, 6, 15, 5, 0)  # 7:00 in Paris


@pytest.fixture
def chamber():
    return f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI,
                                 is_spotter=True, email="entreprises@cci21.fr")


@pytest.fixture
def luc(chamber):
    return f.UserFactory(organisation=chamber, role=m.Role.PARTNER, name="Luc Chambre",
                         email="luc@cci21.fr")


@pytest.fixture
def flagged(chamber, luc, agency, adviser):
    return f.HiringNeedFactory(organisation=agency, adviser=adviser, status=m.NeedStatus.ASSIGNED,
                               basin_code="2711", source=m.NeedSource.SPOTTER,
                               source_organisation=chamber, flagged_by=luc, positions=2)


def news(kind: str = "spotter_need_news") -> list[m.OutboxMessage]:
    return list(db.session.scalars(sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == kind)
                                   .order_by(m.OutboxMessage.id)))


def flag_payload(**changes) -> dict:
    return {"siret": "73282932000074", "company_name": "Boulangerie Martin",
            "commune_code": "21231", "rome_code": "D1102", "positions": 1, "contract_type": "cdi",
            "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr"}, **changes}


# Immediate news

def test_the_flagging_partner_hears_of_each_change_and_of_the_closure_with_hires(
        flagged, adviser, luc):
    workflow.take_in_charge(flagged, adviser)
    unit_of_work.commit()
    [taken] = news()
    assert taken.recipient == "luc@cci21.fr"
    assert taken.subject == f"Votre signalement {flagged.reference} : en cours"
    assert "Conseiller chargé de la demande : Paul Girard (France Travail Dijon)." in taken.body
    workflow.close(flagged, adviser, m.NeedStatus.PARTLY_FILLED, 1, None,
                   m.ClosingReason.LACK_OF_CANDIDATES)
    unit_of_work.commit()
    closed = news()[-1]
    assert closed.subject == (f"Votre signalement {flagged.reference} est clôturé : "
                              "partiellement pourvue")
    assert "Issue : partiellement pourvue, 1 personne recrutée." in closed.body
    assert f"/signalements/{flagged.reference}" in closed.body


def test_a_partner_who_left_is_replaced_by_the_organisations_address(flagged, adviser, luc):
    luc.active = False
    workflow.take_in_charge(flagged, adviser)
    assert [message.recipient for message in news()] == ["entreprises@cci21.fr"]


def test_the_routing_at_filing_is_no_news(chamber, luc, agency, adviser):
    file_need(parse_need(flag_payload(), typed_job=True), source=m.NeedSource.SPOTTER, actor=luc,
              source_organisation=chamber)
    assert news() == [] and [mail.kind for mail in news("need_ack")] == ["need_ack"]


# The daily digest

def test_an_organisation_preferring_the_digest_gets_one_mail_a_working_day(
        flagged, adviser, chamber):
    chamber.spotter_digest = True
    clock.travel_to(datetime(2026, 6, 12, 9, 0))  # a Friday
    workflow.take_in_charge(flagged, adviser)
    clock.travel_to(datetime(2026, 6, 13, 9, 0))  # Saturday
    workflow.close(flagged, adviser, m.NeedStatus.FILLED, 2, None)
    unit_of_work.commit()
    assert news() == []
    clock.travel_to(MONDAY_MORNING)
    assert send_spotter_digests() == 1
    [digest] = news("spotter_digest")
    assert digest.recipient == "entreprises@cci21.fr"
    assert digest.subject == "Vos signalements au 15/06/2026 : 1 nouvelle"
    assert (f"- {flagged.reference} : {flagged.company.name} ({flagged.job_label}) – pourvue, "
            "suivi par Paul Girard, 2 personnes recrutées") in digest.body
    assert send_spotter_digests() == 0  # at most one a day
    clock.travel_to(MONDAY_MORNING + timedelta(days=1))
    assert spotter_digest.send_spotter_digests() == 0  # Monday's news only, told on Tuesday


def test_no_digest_on_a_public_holiday(flagged, adviser, chamber):
    chamber.spotter_digest = True
    clock.travel_to(datetime(2026, 7, 13, 9, 0))
    workflow.take_in_charge(flagged, adviser)
    unit_of_work.commit()
    clock.travel_to(datetime(2026, 7, 14, 5, 0))  # Bastille Day
    assert send_spotter_digests() == 0
    clock.travel_to(datetime(2026, 7, 15, 5, 0))
    assert send_spotter_digests() == 1


def test_the_digest_window_follows_working_days():
    assert spotter_digest.previous_working_day(date(2026, 6, 15)) == date(2026, 6, 12)
    start, end = spotter_digest.window(date(2026, 6, 15))
    assert (start, end) == (datetime(2026, 6, 11, 22, 0), datetime(2026, 6, 14, 22, 0))


def test_the_spotter_digest_is_scheduled(app):
    from jobs.worker import scheduled

    jobs = {job.func_name: job for job in scheduled(app).get_jobs()}
    assert jobs["jobs.digest.send_spotter_digests"].cron == "45 5 * * 1-5"


# Contributions

def test_a_flag_attached_to_an_open_need_is_a_contribution_that_hears_back(
        chamber, luc, agency, adviser, auth, client):
    company = f.CompanyFactory(siret="73282932000074", siren="732829320")
    existing = f.HiringNeedFactory(company=company, rome_code="D1102", organisation=agency,
                                   adviser=adviser, status=m.NeedStatus.ASSIGNED,
                                   source=m.NeedSource.PUBLIC_FORM)
    data = parse_need(flag_payload(), typed_job=True)
    for _ in range(2):  # credited once
        file_need(data, source=m.NeedSource.SPOTTER, actor=luc, source_organisation=chamber)
    unit_of_work.commit()
    [contribution] = db.session.scalars(sa.select(m.NeedContribution)).all()
    assert (contribution.need_id, contribution.organisation_id, contribution.user_id) == (
        existing.id, chamber.id, luc.id)
    workflow.take_in_charge(existing, adviser)
    unit_of_work.commit()
    [told] = news()
    assert told.recipient == "luc@cci21.fr"
    assert "Le besoin auquel votre signalement a été ajouté" in told.body
    auth.login(luc)
    text = text_of(client, "/signalements")
    assert existing.reference in text and "Contribution" in text and "Paul Girard" in text


def test_contributions_count_in_the_spotter_statistics(chamber, luc, agency, admin):
    need = f.HiringNeedFactory(basin_code="2711", source=m.NeedSource.PUBLIC_FORM)
    db.session.add(m.NeedContribution(need_id=need.id, organisation_id=chamber.id,
                                      user_id=luc.id))
    opco = f.OrganisationFactory(name="OPCO EP", kind=m.OrganisationKind.OPCO, is_spotter=True)
    f.HiringNeedFactory(source=m.NeedSource.SPOTTER, source_organisation=opco)
    unit_of_work.commit()
    stats = {row.organisation_name: row for row in spotter_stats.spotter_stats(admin)}
    assert (stats["CCI Côte-d'Or"].flags, stats["CCI Côte-d'Or"].contributions) == (0, 1)
    assert (stats["OPCO EP"].flags, stats["OPCO EP"].contributions) == (1, 0)
    assert stats["CCI Côte-d'Or"].hired_share == 0
    lines = spotter_stats.csv_export(list(stats.values())).splitlines()
    assert lines[0].startswith("\ufeffOrganisation;Signalements;Contributions;")


def test_the_manager_sees_contributions_on_the_spotter_page(chamber, luc, manager, client):
    need = f.HiringNeedFactory(basin_code="2711", source=m.NeedSource.PUBLIC_FORM)
    db.session.add(m.NeedContribution(need_id=need.id, organisation_id=chamber.id))
    unit_of_work.commit()
    text = text_of(client, "/pilotage/reperage")
    assert "Contributions" in text and "CCI Côte-d'Or" in text


# The preference

def test_an_admin_sets_the_organisations_preference(admin, client, chamber):
    response = client.post(f"/admin/organisations/{chamber.id}/modifier", data={
        "name": chamber.name, "kind": "cci", "spotter": "yes", "spotter_news": "digest",
        "basins": [dijon().code]})
    assert response.status_code == 302
    db.session.refresh(chamber)
    assert chamber.spotter_digest is True
    assert "Un résumé quotidien (jours ouvrés)" in text_of(
        client, f"/admin/organisations/{chamber.id}/modifier")
