"""The committee report: committees and their members, the report's content on a small fixture
computed by hand, its generation by a real worker (HTML and PDF kept, e-mailed to the members
through the outbox), the requests kept while Redis is down, and the pages with their
permissions, audit, empty states, pagination and query counts."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.indicators import committees, reports, schedules
from crm.services.indicators.scope import Period
from crm.services.platform.refusals import InvalidInput, Refused
from crm.services.platform.working_days import first_contact_deadline
from jobs.reports import (
    generate_report,
    purge_committee_reports,
    render,
    schedule_committee_reports,
    sweep_committee_reports,
)
from jobs.worker import scheduled
from tests import factories as f
from tests.helpers import assert_constant_queries, dijon, page_text, queries_for, text_of
from tests.test_indicators import (
    committee_data,  # noqa: F401  (the indicators' fixture)
    contact,
)
from tests.test_indicators import need as indicators_need

MAY_START, MAY_END = date(2026, 5, 1), date(2026, 5, 31)  # the clock reads Wednesday 10 June 2026


def firm(name: str, basin_code: str = "2711") -> m.Company:
    commune, postal = ("21231", "21000") if basin_code == "2711" else ("25056", "25000")
    return f.CompanyFactory(name=name, basin_code=basin_code, commune_code=commune, postal_code=postal)


def need(company: m.Company, filed: datetime, **values) -> m.HiringNeed:
    values.setdefault("status", m.NeedStatus.IN_PROGRESS)
    return f.HiringNeedFactory(company=company, created_at=filed,
                               first_contact_due_at=first_contact_deadline(filed),
                               basin_code=company.basin_code, commune_code=company.commune_code,
                               **values)


@pytest.fixture
def dijon_data(agency):
    """Dijon basin (2711): firms Alpha and Bêta; Besançon basin (2706): Gamma.

    - contacts: Alpha on 15 April (previous period) and 5 May, Bêta on 20 May, Gamma on 6 May
      (another basin): May 2 firms contacted, April 1 → "en hausse";
    - needs closed in May: Alpha's (filled, 3 hires of 3 positions, closed 20 May), Bêta's (partly
      filled, 1 of 2, closed 28 May), Gamma's (filled, 5 hires: another basin); fill rate 100 %,
      4 hires; successes: Alpha's then Bêta's;
    - late needs on 10 June: Bêta's filed Tuesday 2 June, never contacted, due Thursday 4 June:
      4 working days late (5, 8, 9, 10 June); Alpha's contacted but its start date, 1 June, has
      passed; Alpha's filed 9 June is not late yet (due 11 June);
    - plans of Dijon: active, 2026, 10 firms contacted: achieved 2 (Alpha, Bêta), expected at the
      end of May round(10 × 151 / 365) = 4; a draft plan and Besançon's plan are left out."""
    paul = f.UserFactory(organisation=agency, name="Paul")
    alpha, beta, gamma = firm("Alpha"), firm("Bêta"), firm("Gamma", "2706")
    f.InteractionFactory(company=alpha, user=paul, occurred_at=datetime(2026, 4, 15, 9, 0))
    f.InteractionFactory(company=alpha, user=paul, occurred_at=datetime(2026, 5, 5, 9, 0))
    f.InteractionFactory(company=beta, user=paul, occurred_at=datetime(2026, 5, 20, 9, 0))
    f.InteractionFactory(company=gamma, user=paul, occurred_at=datetime(2026, 5, 6, 9, 0))
    filled = need(alpha, datetime(2026, 5, 4, 9, 0), positions=3, hires=3, organisation=agency,
                  job_title="Maçon", status=m.NeedStatus.FILLED,
                  first_contact_at=datetime(2026, 5, 5, 9, 0), closed_at=datetime(2026, 5, 20, 10, 0))
    partly = need(beta, datetime(2026, 5, 7, 9, 0), positions=2, hires=1, organisation=agency,
                  job_title="Électricien", status=m.NeedStatus.PARTLY_FILLED,
                  first_contact_at=datetime(2026, 5, 7, 11, 0), closed_at=datetime(2026, 5, 28, 10, 0))
    need(gamma, datetime(2026, 5, 4, 9, 0), positions=5, hires=5, status=m.NeedStatus.FILLED,
         first_contact_at=datetime(2026, 5, 4, 10, 0), closed_at=datetime(2026, 5, 21, 10, 0))
    uncontacted = need(beta, datetime(2026, 6, 2, 7, 0), job_title="Plombier")
    started = need(alpha, datetime(2026, 4, 20, 9, 0), job_title="Couvreur", start_date=date(2026, 6, 1),
                   first_contact_at=datetime(2026, 4, 21, 9, 0), organisation=agency)
    need(alpha, datetime(2026, 6, 9, 9, 0), job_title="Charpentier")
    plan = f.ProspectionPlanFactory(name="Plan Dijon 2026", status=m.PlanStatus.ACTIVE,
                                    period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))
    f.PlanObjectiveFactory(plan_id=plan.id, indicator=m.Indicator.COMPANIES_CONTACTED, target=10)
    f.ProspectionPlanFactory(name="Brouillon Dijon", period_start=date(2026, 1, 1),
                             period_end=date(2026, 12, 31))
    f.ProspectionPlanFactory(name="Plan Besançon", basin_code="2706", status=m.PlanStatus.ACTIVE,
                             period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))
    db.session.commit()
    return {"filled": filled, "partly": partly, "uncontacted": uncontacted, "started": started}


def dijon_manager(agency) -> m.User:
    return f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                         basins=[dijon()])


def dijon_committee(members: tuple[str, ...] = ("elu@dijon.fr", "dt@francetravail.fr")) -> m.Committee:
    committee = m.Committee(level=m.CommitteeLevel.BASIN, code="2711", name="Comité local de Dijon",
                            members=list(members))
    db.session.add(committee)
    db.session.commit()
    return committee


def may_report(committee: m.Committee, user: m.User, mail: bool = False) -> m.CommitteeReport:
    report = reports.request_report(user, committee, MAY_START, MAY_END, mail)
    db.session.commit()
    return report


# Committees and their members

def test_members_are_checked_lower_cased_and_kept_once():
    assert committees.parse_members("Elu@Dijon.fr; dt@francetravail.fr\nelu@dijon.fr,  ") == [
        "elu@dijon.fr", "dt@francetravail.fr"]
    with pytest.raises(InvalidInput) as refused:
        committees.parse_members("elu@dijon.fr\npas-une-adresse\nx@")
    assert refused.value.fields["members"] == [
        "Adresses e-mail invalides : « pas-une-adresse », « x@ »."]


def test_a_manager_manages_the_committees_of_their_basins_and_their_departments_only(agency):
    manager = dijon_manager(agency)
    assert committees.can_manage(manager, "basin", "2711")
    assert committees.can_manage(manager, "departement", "21")  # Dijon lies in Côte-d'Or
    assert not committees.can_manage(manager, "basin", "2706")
    assert not committees.can_manage(manager, "departement", "25")
    assert not committees.can_manage(manager, "region", "27")  # the admins'
    with pytest.raises(Refused) as refused:
        committees.create_committee(manager, "basin", "2706", "Comité de Besançon", "")
    assert "pas dans votre périmètre" in refused.value.message


def test_one_committee_per_area(agency):
    manager = dijon_manager(agency)
    committees.create_committee(manager, "basin", "2711", "Comité local", "elu@dijon.fr")
    with pytest.raises(Refused) as refused:
        committees.create_committee(manager, "basin", "2711", "Autre comité", "")
    assert refused.value.message.startswith("Ce territoire a déjà son comité")


# What the report says

def test_the_report_holds_the_hand_computed_figures(agency, dijon_data):
    report = may_report(dijon_committee(), dijon_manager(agency))
    content = reports.content(report)

    shown = {item.row.definition.key: item for item in content.figures}
    contacted = shown["companies_contacted"]
    assert (contacted.shown, contacted.previous, contacted.change) == ("2", "1", "+1")
    assert (contacted.trend, contacted.better) == ("hausse", True)
    assert shown["hires"].shown == "4"
    assert shown["fill_rate"].shown == "100,0 %"
    assert shown["fill_rate"].previous == "non disponible"  # nothing closed in April: not 0
    assert shown["fill_rate"].trend == ""
    assert shown["needs_collected"].shown == "2" and shown["needs_collected"].previous == "1"

    [plan] = content.plans
    assert plan.plan.name == "Plan Dijon 2026"
    [objective] = plan.objectives
    assert (objective.target, objective.achieved, objective.expected_to_date) == (10, 2, 4)

    assert [need.company.name for need in content.successes] == ["Alpha", "Bêta"]
    assert [need.hires for need in content.successes] == [3, 1]

    late = {item.need.job_title: item.reasons for item in content.late}
    assert late == {
        "Plombier": ["Premier contact promis non réalisé (4 jours ouvrés de retard)"],
        "Couvreur": ["Date d'embauche souhaitée dépassée (01/06/2026)"],
    }
    assert content.late_total == 2


def test_a_departement_report_counts_the_plans_of_its_basins(agency, dijon_data, admin):
    committee = m.Committee(level=m.CommitteeLevel.DEPARTEMENT, code="25", name="Comité du Doubs",
                            members=[])
    db.session.add(committee)
    db.session.commit()
    content = reports.content(may_report(committee, admin))
    assert [item.plan.name for item in content.plans] == ["Plan Besançon"]
    assert [need.company.name for need in content.successes] == ["Gamma"]
    assert content.late == [] and content.late_total == 0


def test_a_report_period_is_checked_in_french(agency):
    manager, committee = dijon_manager(agency), dijon_committee(())
    with pytest.raises(InvalidInput) as refused:
        reports.request_report(manager, committee, MAY_END, MAY_START, False)
    assert refused.value.fields == {"to": ["La fin de la période précède son début."]}
    with pytest.raises(InvalidInput) as refused:
        reports.request_report(manager, committee, MAY_START, date(2026, 6, 11), False)
    assert refused.value.fields == {"to": ["La période d'un rapport se termine au plus tard aujourd'hui."]}
    with pytest.raises(InvalidInput) as refused:
        reports.request_report(manager, committee, MAY_START, MAY_END, True)
    assert "aucun membre" in refused.value.fields["mail_members"][0]


# Generated by a real worker, stored, mailed

def test_a_real_worker_generates_the_report_stores_it_and_mails_the_members(
        agency, dijon_data, run_jobs, client):
    report = may_report(dijon_committee(), dijon_manager(agency), mail=True)
    assert report.status == m.ReportStatus.PENDING
    run_jobs()

    db.session.expire_all()
    report = db.session.get(m.CommitteeReport, report.id)
    assert report.status == m.ReportStatus.READY, report.error
    html_file = Path(reports.folder()) / report.html_file
    html = html_file.read_text(encoding="utf-8")
    assert "Comité local de Dijon" in html and "Réussites notables" in html
    assert "Alpha" in html and "Plombier" in html and "Gamma" not in html
    assert (Path(reports.folder()) / report.pdf_file).read_bytes().startswith(b"%PDF")

    messages = db.session.scalars(sa.select(m.OutboxMessage).order_by(m.OutboxMessage.id)).all()
    assert [message.recipient for message in messages] == ["elu@dijon.fr", "dt@francetravail.fr"]
    assert all(message.status == m.MessageStatus.HELD for message in messages)  # no mail server
    assert messages[0].subject == "Rapport du comité Comité local de Dijon (du 01/05/2026 au 31/05/2026)"
    link = re.search(r"http://\S+/rapports-comite/\S+", messages[0].body).group(0)
    assert report.mailed_to == 2

    response = client.get(urlsplit(link).path)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    audit = db.session.scalar(sa.select(m.AuditEvent).where(m.AuditEvent.action == "download_report"))
    assert audit.changes == {"format": "pdf", "member": "elu@dijon.fr"}


def test_a_report_asked_for_while_redis_is_down_is_generated_once_it_is_back(
        app, agency, dijon_data, run_jobs, monkeypatch, project_clock):
    manager = dijon_manager(agency)
    with monkeypatch.context() as down:
        down.setitem(app.extensions, "crm_redis",
                     redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
        report = may_report(dijon_committee(), manager)
    run_jobs()  # nothing was queued
    assert db.session.get(m.CommitteeReport, report.id).status == m.ReportStatus.PENDING
    assert sweep_committee_reports() == 0  # within the grace delay: maybe being queued
    project_clock.travel_to(m.utcnow() + timedelta(minutes=3))
    assert sweep_committee_reports() == 1
    run_jobs()
    db.session.expire_all()
    assert db.session.get(m.CommitteeReport, report.id).status == m.ReportStatus.READY
    assert generate_report(report.id) is None  # queued twice: generated once


def test_a_failing_generation_marks_the_report_failed(agency, monkeypatch):
    report = may_report(dijon_committee(), dijon_manager(agency))

    def broken(_report, now=None):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(reports, "content", broken)
    with pytest.raises(RuntimeError):
        generate_report(report.id)
    db.session.expire_all()
    report = db.session.get(m.CommitteeReport, report.id)
    assert report.status == m.ReportStatus.FAILED
    assert report.error == "Erreur pendant la production du rapport : base indisponible"


# Pages

def test_advisers_and_partners_have_no_committee_pages(auth, client, adviser):
    auth.login(adviser)
    for url in ("/pilotage/rapports", "/pilotage/comites", "/pilotage/comites/nouveau"):
        assert client.get(url).status_code == 403


def test_a_manager_creates_and_edits_the_committee_of_their_basin(client, manager):
    response = client.post("/pilotage/comites/nouveau", data={
        "level": "basin", "code": "2711", "name": "Comité local de Dijon",
        "members": "elu@dijon.fr\nDT@francetravail.fr"})
    assert response.status_code == 302
    committee = db.session.scalar(sa.select(m.Committee))
    assert committee.members == ["elu@dijon.fr", "dt@francetravail.fr"]
    assert "Comité local de Dijon" in text_of(client, "/pilotage/comites")

    response = client.post(f"/pilotage/comites/{committee.id}", data={
        "name": "Comité local de Dijon", "members": "elu@dijon.fr\nmaire@dijon.fr"})
    assert response.status_code == 302
    audit = db.session.scalar(sa.select(m.AuditEvent).where(m.AuditEvent.action == "update_committee"))
    assert audit.actor_id == manager.id
    assert audit.changes == {"members_added": ["maire@dijon.fr"],
                             "members_removed": ["dt@francetravail.fr"]}


def test_bad_members_or_another_area_are_refused_in_french_and_change_nothing(client, manager):
    response = client.post("/pilotage/comites/nouveau", data={
        "level": "basin", "code": "2711", "name": "Comité", "members": "elu@dijon"})
    assert response.status_code == 422
    assert "Adresse e-mail invalide : « elu@dijon »." in page_text(response)
    response = client.post("/pilotage/comites/nouveau", data={
        "level": "basin", "code": "2706", "name": "Comité de Besançon", "members": ""})
    assert response.status_code == 422
    assert "Ce territoire n'est pas dans votre périmètre" in page_text(response)
    response = client.post("/pilotage/comites/nouveau", data={
        "level": "departement", "code": "2711", "name": "Comité", "members": ""})
    assert response.status_code == 422
    assert "Département inconnu : 2711." in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Committee)) == 0


def test_another_area_s_committee_and_reports_are_not_found(client, manager, admin_user):
    doubs = m.Committee(level=m.CommitteeLevel.DEPARTEMENT, code="25", name="Comité du Doubs", members=[])
    db.session.add(doubs)
    db.session.commit()
    report = may_report(doubs, admin_user)
    assert client.get(f"/pilotage/comites/{doubs.id}").status_code == 404
    assert client.get(f"/pilotage/rapports/{report.id}.pdf").status_code == 404
    assert "Comité du Doubs" not in text_of(client, "/pilotage/rapports")


@pytest.fixture
def admin_user():
    return f.UserFactory(role=m.Role.ADMIN, name="Alice Admin")


def test_the_reports_page_says_when_there_is_nothing_yet(client, manager):
    text = text_of(client, "/pilotage/rapports")
    assert "Aucun comité pour vos territoires." in text
    assert "Aucun rapport demandé pour vos comités pour l'instant." in text


def test_requesting_a_report_writes_it_first_and_bad_periods_are_refused(client, manager, run_jobs):
    committee = dijon_committee()
    response = client.post("/pilotage/rapports", data={
        "committee": committee.id, "from": "2026-05-31", "to": "2026-05-01"})
    assert response.status_code == 422
    assert "La fin de la période précède son début." in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.CommitteeReport)) == 0

    response = client.post("/pilotage/rapports", data={
        "committee": committee.id, "from": "2026-05-01", "to": "2026-05-31", "mail_members": "y"})
    assert response.status_code == 302
    text = text_of(client, "/pilotage/rapports")
    assert "En attente" in text and "à envoyer aux membres" in text
    run_jobs()
    text = text_of(client, "/pilotage/rapports")
    assert "Prêt" in text and "envoyé à 2 membres" in text
    report = db.session.scalar(sa.select(m.CommitteeReport))
    response = client.get(f"/pilotage/rapports/{report.id}.html")
    assert response.status_code == 200 and b"Chiffres cl" in response.data
    assert response.headers["Content-Disposition"].startswith("attachment")
    actions = db.session.scalars(sa.select(m.AuditEvent.action).where(
        m.AuditEvent.object_type == "CommitteeReport", m.AuditEvent.actor_id == manager.id)).all()
    assert sorted(actions) == ["download_report", "request_report"]


def test_the_reports_list_is_paginated_with_a_constant_number_of_queries(client, manager):
    committee = dijon_committee()

    def add_reports(count: int) -> None:
        for _ in range(count):
            db.session.add(m.CommitteeReport(committee=committee, period_start=MAY_START,
                                             period_end=MAY_END, status=m.ReportStatus.READY,
                                             requested_by=manager, html_file="x.html"))
        db.session.commit()

    assert_constant_queries(client, "/pilotage/rapports", add_reports)
    assert "30 rapports – page 1 sur 2" in text_of(client, "/pilotage/rapports")
    assert "page 2 sur 2" in text_of(client, "/pilotage/rapports?page=2")


def test_a_member_link_tampered_with_or_expired_is_refused_in_french(
        agency, dijon_data, client, project_clock):
    report = may_report(dijon_committee(), dijon_manager(agency))
    generate_report(report.id)
    link = urlsplit(reports.signed_link(report, "elu@dijon.fr")).path
    response = client.get(link + "x")
    assert response.status_code == 404
    assert "Ce lien n'est pas valide." in page_text(response)
    assert client.get(link + "?format=html").mimetype == "text/html"
    project_clock.travel_to(m.utcnow() + timedelta(days=61))
    response = client.get(link)
    assert response.status_code == 410
    assert "Ce lien a expiré (il était valable 60 jours)" in page_text(response)


def test_the_committees_page_runs_a_constant_number_of_queries(client, admin):
    def add_committees(count: int) -> None:
        codes = [code for code in db.session.scalars(sa.select(m.Basin.code).order_by(m.Basin.code))
                 if not db.session.scalar(sa.select(m.Committee.id).where(m.Committee.code == code))]
        for code in codes[:count]:
            db.session.add(m.Committee(level=m.CommitteeLevel.BASIN, code=code, name=f"Comité {code}",
                                       members=["elu@exemple.fr"]))
        db.session.commit()

    assert "Aucun comité pour vos territoires." in text_of(client, "/pilotage/comites")
    add_committees(3)
    few = queries_for(client, "/pilotage/comites")
    add_committees(10)
    assert queries_for(client, "/pilotage/comites") == few


def test_a_report_not_ready_cannot_be_downloaded_yet(client, manager):
    report = may_report(dijon_committee(), manager)
    assert client.get(f"/pilotage/rapports/{report.id}.pdf").status_code == 404
    assert "En attente" in text_of(client, "/pilotage/rapports")


def test_without_weasyprint_the_report_is_ready_as_a_web_page_only(client, manager, monkeypatch):
    from crm.services.platform import pdf

    def missing(*_args):
        raise pdf.PdfUnavailable("libpango-1.0-0 absent")

    monkeypatch.setattr(pdf, "html_to_pdf", missing)
    report = may_report(dijon_committee(), manager, mail=True)
    assert generate_report(report.id) == "ready"
    db.session.expire_all()
    report = db.session.get(m.CommitteeReport, report.id)
    assert report.pdf_file is None and report.html_file
    text = text_of(client, "/pilotage/rapports")
    assert "Le PDF n'a pas pu être produit sur ce serveur" in text and "Version web" in text
    assert client.get(f"/pilotage/rapports/{report.id}.pdf").status_code == 404
    message = db.session.scalar(sa.select(m.OutboxMessage))
    assert "Le consulter et le télécharger (page web imprimable)" in message.body
    link = urlsplit(re.search(r"http://\S+", message.body).group(0)).path
    assert client.get(link).mimetype == "text/html"


# Scheduled reports

def scheduled_committee(schedule: m.ReportSchedule, day: int, mail: bool = True) -> m.Committee:
    committee = dijon_committee()
    committee.schedule, committee.schedule_day, committee.schedule_mail = schedule, day, mail
    db.session.commit()
    return committee


def reports_of_committee(committee: m.Committee) -> list[m.CommitteeReport]:
    return list(db.session.scalars(sa.select(m.CommitteeReport).where(
        m.CommitteeReport.committee_id == committee.id).order_by(m.CommitteeReport.id)))


def test_the_period_just_ended_is_due_on_the_schedule_s_day():
    due = schedules.latest_due
    monthly, two, quarterly = (m.ReportSchedule.MONTHLY, m.ReportSchedule.EVERY_TWO_MONTHS,
                               m.ReportSchedule.QUARTERLY)
    assert due(monthly, 5, date(2026, 6, 5)) == schedules.Due(
        Period(date(2026, 5, 1), date(2026, 5, 31)), date(2026, 6, 5))
    assert due(monthly, 5, date(2026, 6, 4)).period == Period(date(2026, 4, 1), date(2026, 4, 30))
    assert due(two, 1, date(2026, 2, 10)).period == Period(date(2025, 11, 1), date(2025, 12, 31))
    assert due(two, 1, date(2026, 3, 1)).period == Period(date(2026, 1, 1), date(2026, 2, 28))
    assert due(quarterly, 28, date(2026, 1, 28)).period == Period(date(2025, 10, 1),
                                                                  date(2025, 12, 31))
    assert due(m.ReportSchedule.NONE, 1, date(2026, 6, 1)) is None


def test_a_manager_schedules_the_committee_s_reports_on_its_page(client, manager):
    committee = dijon_committee()
    response = client.post(f"/pilotage/comites/{committee.id}", data={
        "name": committee.name, "members": "elu@dijon.fr\ndt@francetravail.fr",
        "schedule": "every_two_months", "schedule_day": " 5 ", "schedule_mail": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    committee = db.session.get(m.Committee, committee.id)
    assert (committee.schedule, committee.schedule_day, committee.schedule_mail) == (
        m.ReportSchedule.EVERY_TWO_MONTHS, 5, True)
    audit = db.session.scalar(sa.select(m.AuditEvent).where(m.AuditEvent.action == "update_committee"))
    assert audit.changes == {"schedule": [
        "Aucun rapport programmé",
        "Tous les deux mois (les deux mois écoulés), le 5 du mois, envoyé aux membres"]}
    assert "le 5 du mois, envoyé aux membres" in text_of(client, "/pilotage/comites")
    assert "Actuellement : Tous les deux mois" in text_of(client, f"/pilotage/comites/{committee.id}")


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"schedule_day": "31"}, "schedule_day", "Le jour du mois est un nombre de 1 à 28"),
    ({"schedule_day": "29"}, "schedule_day", "ou le dernier jour du mois"),
    ({"schedule_day": "le 5"}, "schedule_day", "Le jour du mois est un nombre de 1 à 28"),
    ({"schedule_day": "0"}, "schedule_day", "Le jour du mois est un nombre de 1 à 28"),
    ({"schedule": "weekly"}, "schedule", "Choisissez une fréquence dans la liste."),
    ({"members": "", "schedule_mail": "y"}, "schedule_mail",
     "Le comité n'a aucun membre : ajoutez leurs adresses avant de leur envoyer les rapports"),
])
def test_a_wrong_schedule_is_refused_in_french_and_changes_nothing(client, manager, values, field,
                                                                   message):
    committee = dijon_committee()
    data = {"name": committee.name, "members": "elu@dijon.fr", "schedule": "monthly",
            "schedule_day": "5", **values}
    response = client.post(f"/pilotage/comites/{committee.id}", data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    db.session.expire_all()
    committee = db.session.get(m.Committee, committee.id)
    assert (committee.schedule, committee.members) == (
        m.ReportSchedule.NONE, ["elu@dijon.fr", "dt@francetravail.fr"])
    with pytest.raises(InvalidInput) as refused:
        committees.update_committee(manager, committee, committee.name, data["members"],
                                    data["schedule"], data["schedule_day"], "schedule_mail" in data)
    assert list(refused.value.fields) == [field]


@pytest.mark.parametrize(("moment", "schedule", "day", "period"), [
    # Saturday 1 August: the month of July
    (datetime(2026, 8, 1, 8, 0), m.ReportSchedule.MONTHLY, 1, (date(2026, 7, 1), date(2026, 7, 31))),
    # Tuesday 14 July, a public holiday: the second quarter
    (datetime(2026, 7, 14, 8, 0), m.ReportSchedule.QUARTERLY, 14,
     (date(2026, 4, 1), date(2026, 6, 30))),
    # 31 May at 23:30 UTC is 1 June at 01:30 in Paris: the month of May is over
    (datetime(2026, 5, 31, 23, 30), m.ReportSchedule.MONTHLY, 1,
     (date(2026, 5, 1), date(2026, 5, 31))),
    # 30 June at 23:30 UTC is 1 July in Paris: May and June are over
    (datetime(2026, 6, 30, 23, 30), m.ReportSchedule.EVERY_TWO_MONTHS, 1,
     (date(2026, 5, 1), date(2026, 6, 30))),
])
def test_the_daily_job_writes_each_due_report_once_and_it_is_mailed_to_the_members(
        project_clock, moment, schedule, day, period):
    committee = scheduled_committee(schedule, day)
    project_clock.travel_to(moment)
    assert schedule_committee_reports() == 1
    assert schedule_committee_reports() == 0  # run again (or by a second worker): nothing more
    [report] = reports_of_committee(committee)
    assert (report.period_start, report.period_end) == period
    assert (report.schedule, report.mail_members, report.requested_by) == (schedule, True, None)
    audit = db.session.scalar(sa.select(m.AuditEvent).where(m.AuditEvent.action == "schedule_report"))
    assert audit.changes["from"] == period[0].isoformat() and audit.actor_id is None

    assert generate_report(report.id) == "ready"
    messages = db.session.scalars(sa.select(m.OutboxMessage).order_by(m.OutboxMessage.id)).all()
    assert [message.recipient for message in messages] == ["elu@dijon.fr", "dt@francetravail.fr"]
    assert messages[0].subject == (f"Rapport du comité Comité local de Dijon (du {period[0]:%d/%m/%Y} "
                                   f"au {period[1]:%d/%m/%Y})")
    assert schedule_committee_reports() == 0


def test_before_its_day_or_a_week_after_no_report_is_due(project_clock):
    committee = scheduled_committee(m.ReportSchedule.MONTHLY, 1)
    project_clock.travel_to(datetime(2026, 5, 31, 21, 30))  # 23:30 on 31 May in Paris
    assert schedule_committee_reports() == 0  # May's not over; April's was due on 1 May
    project_clock.travel_to(datetime(2026, 6, 8, 8, 0))  # the job was down a week: caught up
    assert schedule_committee_reports() == 1
    committee.schedule_day = 20
    db.session.commit()
    project_clock.travel_to(datetime(2026, 6, 19, 8, 0))
    assert schedule_committee_reports() == 0  # May's is written; June's is not over
    assert len(reports_of_committee(committee)) == 1


def test_on_the_last_day_of_the_month_the_report_is_due_whatever_the_month_s_length():
    due, end = schedules.latest_due, schedules.MONTH_END
    monthly, two, quarterly = (m.ReportSchedule.MONTHLY, m.ReportSchedule.EVERY_TWO_MONTHS,
                               m.ReportSchedule.QUARTERLY)
    january_2026 = Period(date(2026, 1, 1), date(2026, 1, 31))
    assert due(monthly, end, date(2026, 2, 28)) == schedules.Due(january_2026, date(2026, 2, 28))
    assert due(monthly, end, date(2026, 2, 27)) == schedules.Due(
        Period(date(2025, 12, 1), date(2025, 12, 31)), date(2026, 1, 31))
    # 2028 is a leap year: the 28th is not February's last day
    assert due(monthly, end, date(2028, 2, 28)).on == date(2028, 1, 31)
    assert due(monthly, end, date(2028, 2, 29)) == schedules.Due(
        Period(date(2028, 1, 1), date(2028, 1, 31)), date(2028, 2, 29))
    assert due(monthly, end, date(2026, 4, 30)) == schedules.Due(
        Period(date(2026, 3, 1), date(2026, 3, 31)), date(2026, 4, 30))
    assert due(monthly, end, date(2026, 4, 29)).on == date(2026, 3, 31)
    assert due(monthly, end, date(2026, 12, 31)) == schedules.Due(
        Period(date(2026, 11, 1), date(2026, 11, 30)), date(2026, 12, 31))
    assert due(two, end, date(2026, 3, 31)) == schedules.Due(
        Period(date(2026, 1, 1), date(2026, 2, 28)), date(2026, 3, 31))
    assert due(quarterly, end, date(2027, 1, 31)) == schedules.Due(
        Period(date(2026, 10, 1), date(2026, 12, 31)), date(2027, 1, 31))


@pytest.mark.parametrize(("before", "moment", "period"), [
    # 28 February 2026 (not a leap year) at 00:30 in Paris: January is due
    (datetime(2026, 2, 26, 23, 0), datetime(2026, 2, 27, 23, 30), (date(2026, 1, 1), date(2026, 1, 31))),
    # 2028 is a leap year: not on the 28th, on the 29th
    (datetime(2028, 2, 28, 8, 0), datetime(2028, 2, 29, 8, 0), (date(2028, 1, 1), date(2028, 1, 31))),
    # 30 April: March is due (29 April, 23:30 UTC, is already the 30th in Paris)
    (datetime(2026, 4, 29, 21, 30), datetime(2026, 4, 29, 22, 30), (date(2026, 3, 1), date(2026, 3, 31))),
    # 31 December: November is due
    (datetime(2026, 12, 30, 8, 0), datetime(2026, 12, 31, 8, 0), (date(2026, 11, 1), date(2026, 11, 30))),
])
def test_a_report_scheduled_on_the_month_s_last_day_is_written_that_day(project_clock, before,
                                                                      moment, period):
    committee = scheduled_committee(m.ReportSchedule.MONTHLY, schedules.MONTH_END)
    project_clock.travel_to(before)  # the month's previous report is more than a week old
    assert schedule_committee_reports() == 0
    project_clock.travel_to(moment)
    assert schedule_committee_reports() == 1
    assert schedule_committee_reports() == 0
    [report] = reports_of_committee(committee)
    assert (report.period_start, report.period_end) == period


def test_a_report_due_on_the_month_s_last_day_is_caught_up_for_a_week(project_clock):
    committee = scheduled_committee(m.ReportSchedule.MONTHLY, schedules.MONTH_END)
    project_clock.travel_to(datetime(2026, 3, 8, 8, 0))  # 8 days after 28 February: too late
    assert schedule_committee_reports() == 0
    project_clock.travel_to(datetime(2026, 3, 7, 8, 0))  # 7 days after: caught up
    assert schedule_committee_reports() == 1
    [report] = reports_of_committee(committee)
    assert (report.period_start, report.period_end) == (date(2026, 1, 1), date(2026, 1, 31))


def test_a_manager_schedules_the_reports_on_the_last_day_of_the_month(client, manager):
    committee = dijon_committee()
    page = text_of(client, f"/pilotage/comites/{committee.id}")
    assert "Le dernier jour du mois" in page
    response = client.post(f"/pilotage/comites/{committee.id}", data={
        "name": committee.name, "members": "elu@dijon.fr", "schedule": "monthly",
        "schedule_day": "dernier"})
    assert response.status_code == 302
    db.session.expire_all()
    committee = db.session.get(m.Committee, committee.id)
    assert (committee.schedule, committee.schedule_day) == (m.ReportSchedule.MONTHLY, 31)
    assert "Tous les mois (le mois écoulé), le dernier jour du mois" in text_of(client, "/pilotage/comites")
    html = client.get(f"/pilotage/comites/{committee.id}").get_data(as_text=True)
    assert re.search(r'<option[^>]*(selected[^>]*value="dernier"|value="dernier"[^>]*selected)', html)


def test_a_scheduled_report_without_members_mail_or_schedule_is_not_mailed(project_clock):
    quiet = scheduled_committee(m.ReportSchedule.MONTHLY, 1, mail=False)
    project_clock.travel_to(datetime(2026, 8, 1, 8, 0))
    assert schedule_committee_reports() == 1
    [report] = reports_of_committee(quiet)
    assert report.mail_members is False
    generate_report(report.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.OutboxMessage)) == 0


def test_the_database_keeps_one_scheduled_report_per_period(project_clock):
    committee = scheduled_committee(m.ReportSchedule.MONTHLY, 1)
    project_clock.travel_to(datetime(2026, 8, 1, 8, 0))
    schedule_committee_reports()
    db.session.add(m.CommitteeReport(committee=committee, period_start=date(2026, 7, 1),
                                     period_end=date(2026, 7, 31), schedule=m.ReportSchedule.MONTHLY))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    # a report asked for by hand over the same month is another report
    db.session.add(m.CommitteeReport(committee=committee, period_start=date(2026, 7, 1),
                                     period_end=date(2026, 7, 31)))
    db.session.commit()
    assert len(reports_of_committee(committee)) == 2


def test_two_workers_writing_the_same_scheduled_report_write_it_once(project_clock):
    committee = scheduled_committee(m.ReportSchedule.MONTHLY, 1)
    project_clock.travel_to(datetime(2026, 8, 1, 8, 0))
    due = schedules.latest_due(committee.schedule, committee.schedule_day, date(2026, 8, 1))
    # both looked before either wrote: the second write is refused by the database, and skipped
    first = schedules.write_due_report(committee, due)
    assert schedules.write_due_report(committee, due) is None
    assert [report.id for report in reports_of_committee(committee)] == [first.id]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.AuditEvent).where(
        m.AuditEvent.action == "schedule_report")) == 1


def test_the_worker_s_cron_schedules_the_reports_after_the_nightly_refresh(app):
    jobs = {job.func_name: job for job in scheduled(app).get_jobs()}
    assert jobs["jobs.indicators.refresh_indicators"].cron == "15 23 * * *"
    assert jobs["jobs.reports.schedule_committee_reports"].cron == "45 23 * * *"
    assert jobs["jobs.reports.purge_committee_reports"].cron == "40 2 * * *"


def test_a_real_worker_generates_the_scheduled_report(run_jobs, project_clock):
    committee = scheduled_committee(m.ReportSchedule.MONTHLY, 1)
    project_clock.travel_to(datetime(2026, 8, 1, 8, 0))
    assert schedule_committee_reports() == 1
    run_jobs()
    db.session.expire_all()
    [report] = reports_of_committee(committee)
    assert report.status == m.ReportStatus.READY and report.mailed_to == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.OutboxMessage)) == 2


# Retention

def test_old_reports_and_their_files_are_purged_unless_a_member_s_link_is_still_valid(
        app, monkeypatch, project_clock):
    monkeypatch.setitem(app.config, "CRM_REPORT_RETENTION_DAYS", 30)
    committee = dijon_committee()
    now = m.utcnow()

    def stored(days_ago: int, mailed_to: int = 0) -> m.CommitteeReport:
        report = m.CommitteeReport(committee=committee, period_start=MAY_START, period_end=MAY_END,
                                   status=m.ReportStatus.READY, mailed_to=mailed_to,
                                   finished_at=now - timedelta(days=days_ago))
        db.session.add(report)
        db.session.flush()
        report.html_file = f"purge-{report.id}.html"
        (reports.folder() / report.html_file).write_text("<p>rapport</p>", encoding="utf-8")
        return report

    old, recent = stored(31), stored(29)
    mailed_recently, mailed_long_ago = stored(45, mailed_to=2), stored(61, mailed_to=2)
    failed = m.CommitteeReport(committee=committee, period_start=MAY_START, period_end=MAY_END,
                               status=m.ReportStatus.FAILED, finished_at=now - timedelta(days=40))
    pending = m.CommitteeReport(committee=committee, period_start=MAY_START, period_end=MAY_END,
                                created_at=now - timedelta(days=40))
    db.session.add_all([failed, pending])
    db.session.commit()
    files = {report.id: reports.folder() / report.html_file
             for report in (old, recent, mailed_recently, mailed_long_ago)}
    gone = {old.id, mailed_long_ago.id, failed.id}

    assert purge_committee_reports() == 3
    assert {report.id for report in reports_of_committee(committee)} == {
        recent.id, mailed_recently.id, pending.id}
    assert {key for key, path in files.items() if not path.exists()} == gone - {failed.id}
    audits = db.session.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == "purge_report"))
    assert {int(event.object_id) for event in audits} == gone
    assert purge_committee_reports() == 0


# The organisations' table

def test_the_report_gives_each_organisation_s_key_figures_computed_by_hand(
        committee_data, admin):  # noqa: F811
    """On the indicators' fixture, Dijon in May. France Travail Dijon (Paul's contacts and the
    needs it pilots): firms A, B, C, D, E contacted; A visited (task force); 5 needs filed (n1, n2,
    n3, D's, the cancelled one) for 2 + 3 + 1 + 4 + 1 = 11 positions; contacted in time n1, n3 and
    the cancelled one: 3 of 5 = 60 %; closed n1 (filled), n2 (partly), n3 (unfilled): 2 of 3 =
    66.7 %; hires 2 + 1 + 0 = 3. The Mission locale (Léa): A contacted and visited, nothing else."""
    committee = m.Committee(level=m.CommitteeLevel.BASIN, code="2711", name="Comité de Dijon",
                            members=[])
    db.session.add(committee)
    db.session.commit()
    content = reports.content(may_report(committee, admin))
    assert [column.key for column in content.organisation_columns] == list(reports.ORGANISATION_FIGURES)
    table = {row.organisation.name: [cell.shown for cell in row.cells] for row in content.organisations}
    assert table == {
        "France Travail Dijon": ["5", "1", "5", "11", "60,0 %", "66,7 %", "3"],
        "Mission locale du Dijonnais": ["1", "1", "0", "0", "non disponible", "non disponible", "0"],
    }
    # the previous period (31 March to 30 April): France Travail contacted D on 15 April; the need
    # filed on 20 April (n7) is piloted by no one
    previous = {row.organisation.name: [cell.shown for cell in row.previous]
                for row in content.organisations}
    assert previous == {
        "France Travail Dijon": ["1", "0", "0", "0", "non disponible", "non disponible", "0"],
        "Mission locale du Dijonnais": ["0", "0", "0", "0", "non disponible", "non disponible", "0"],
    }
    assert [row.organisation.name for row in content.organisations] == [
        "France Travail Dijon", "Mission locale du Dijonnais"]  # France Travail first

    html = render(content)
    table_html = html[html.index('<table id="par-structure" class="by-organisation">'):]
    table_html = table_html[:table_html.index("</table>")]
    assert "<caption>Chiffres clés par structure" in table_html
    assert '<th scope="col">Structure</th><th scope="col">Période</th>' in table_html
    # each organisation: a group of two rows, the period then the previous one
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table_html, re.S)
    cells = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows[1:]]
    assert cells[:2] == ["France Travail Dijon (France Travail) Période 5 1 5 11 60,0 % 66,7 % 3",
                         "Période précédente 1 0 0 0 non disponible non disponible 0"]
    assert ('<th scope="rowgroup" rowspan="2">France Travail Dijon <span class="note">'
            '(France Travail)</span></th>') in table_html
    assert '<th scope="row" class="period">Période précédente</th>' in table_html
    assert ('<td class="number"><span class="crm-not-available">non disponible</span></td>'
            in table_html)


def test_the_report_s_organisations_are_compared_with_the_previous_period(
        committee_data, admin):  # noqa: F811
    """Besides the indicators' fixture, in April: a need of B piloted by France Travail Dijon,
    filed on Friday 10 April, contacted on Monday 13 (1 working day), filled on 28 April with 2
    hires for 2 positions; Cap emploi contacted F on 22 April and did nothing in May."""
    agency = committee_data["agency"]
    company_b, company_f = (db.session.scalars(sa.select(m.Company).where(m.Company.name == name)).one()
                            for name in ("B", "F"))
    cap = f.OrganisationFactory(name="Cap emploi 21", kind=m.OrganisationKind.CAP_EMPLOI)
    indicators_need(company_b, m.NeedSource.PUBLIC_FORM, datetime(2026, 4, 10, 8, 0), 2,
                    contacted=datetime(2026, 4, 13, 9, 0), status=m.NeedStatus.FILLED,
                    closed=datetime(2026, 4, 28, 9, 0), hires=2, organisation=agency)
    contact(company_f, f.UserFactory(organisation=cap, name="Cap"), datetime(2026, 4, 22, 9, 0))
    committee = m.Committee(level=m.CommitteeLevel.BASIN, code="2711", name="Comité de Dijon",
                            members=[])
    db.session.add(committee)
    db.session.commit()
    content = reports.content(may_report(committee, admin))
    table = {row.organisation.name: ([cell.shown for cell in row.cells],
                                     [cell.shown for cell in row.previous])
             for row in content.organisations}
    assert table["France Travail Dijon"] == (
        ["5", "1", "5", "11", "60,0 %", "66,7 %", "3"],  # as above
        # D contacted (the need's first contact is not in the ledger here); the April need: 2
        # positions, contacted in time, filled, 2 hires
        ["1", "0", "1", "2", "100,0 %", "100,0 %", "2"])
    # working in April only: listed, with its zeros in May
    assert table["Cap emploi 21"] == (["0", "0", "0", "0", "non disponible", "non disponible", "0"],
                                      ["1", "0", "0", "0", "non disponible", "non disponible", "0"])
    assert [row.organisation.name for row in content.organisations] == [
        "France Travail Dijon", "Mission locale du Dijonnais", "Cap emploi 21"]
