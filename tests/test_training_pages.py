"""POE pages: a request written from a need, its page with each check and source, the workflow
buttons (a refused step answers 409 with why), the printable summary, the administrators' dated
parameters and FRAP lines, the employer's wish from the tracking page, the promotion list, the
indicators and the plans' `poe_entries` objective."""

from datetime import date, datetime

import pytest

from crm import models as m
from crm.extensions import db
from crm.services.plans import objectives
from crm.services.training import parameters, promotion, requests
from tests import factories as f
from tests.helpers import count, page_text, queries_for

FORM = {"kind": "poei", "mode": "organisme", "contract_type": "cdd", "contract_months": "6",
        "hours_body": "300", "priority_public": "non", "offer_filed": "oui",
        "contributions_up_to_date": "oui", "economic_layoff_12_months": "non",
        "refused_hire_after_poe": "non", "private_individual_employer": "non",
        "training_body": "AFPA Dijon", "qualiopi": "oui", "qualiopi_number": "QUA-1",
        "candidate": "J. D.", "frap_line_id": ""}


@pytest.fixture
def need(agency, adviser):
    return f.HiringNeedFactory(organisation=agency, adviser=adviser, status=m.NeedStatus.ASSIGNED)


@pytest.fixture
def manager(agency):
    return f.UserFactory(organisation=agency, role=m.Role.MANAGER,
                         basins=[db.session.get(m.Basin, "2711")])


def test_an_adviser_writes_a_request_from_a_need_and_reads_each_check(client, auth, adviser, need):
    auth.login(adviser)
    page = client.get(f"/formations/nouvelle?besoin={need.reference}")
    assert page.status_code == 200 and need.company.name in page.get_data(as_text=True)
    response = client.post(f"/formations/nouvelle?besoin={need.reference}", data=FORM)
    assert response.status_code == 302
    created = db.session.query(m.TrainingRequest).one()
    assert (created.need_id, created.organisation_id, created.qualiopi) == (need.id, adviser.organisation_id,
                                                                           True)
    assert created.economic_layoff_12_months is False and created.contract_months == 6
    text = client.get(response.location).get_data(as_text=True)
    assert "Éligibilité : À compléter" in text  # the convention is not signed yet
    assert "décret n° 2024-561" in text and "CDD de 6 mois" in text
    assert "Déposer la demande" in text


def test_a_bad_form_is_shown_again_with_422(client, auth, adviser, need):
    auth.login(adviser)
    response = client.post(f"/formations/nouvelle?besoin={need.reference}",
                           data=FORM | {"hours_body": "-3"})
    assert response.status_code == 422 and count(m.TrainingRequest) == 0


def test_the_workflow_buttons_move_the_request_and_a_refused_step_says_why(
        client, auth, adviser, manager, agency, project_clock):
    training = f.TrainingRequestFactory(status=m.TrainingStatus.APPROVED, organisation_id=agency.id)
    auth.login(adviser)
    refused = client.post(f"/formations/{training.id}/etape", data={"to": "in_training",
                                                                     "day": "2026-06-09"})
    assert refused.status_code == 409
    assert "ne peut pas passer" in refused.get_data(as_text=True)
    assert client.post(f"/formations/{training.id}/etape",
                       data={"to": "convention_signed", "day": "2026-06-08"}).status_code == 302
    early = client.post(f"/formations/{training.id}/etape", data={"to": "in_training",
                                                                   "day": "2026-06-07"})
    assert early.status_code == 409 and "avant la signature" in early.get_data(as_text=True)
    assert client.post(f"/formations/{training.id}/etape",
                       data={"to": "in_training", "day": "2026-06-09"}).status_code == 302
    db.session.refresh(training)
    assert training.status == m.TrainingStatus.IN_TRAINING
    summary = client.get(f"/formations/{training.id}/convention").get_data(as_text=True)
    assert "récapitulatif de convention" in summary and "08/06/2026" in summary


def test_the_convention_summary_downloads_as_a_pdf(client, auth, adviser, agency):
    from io import BytesIO

    from pypdf import PdfReader

    training = f.TrainingRequestFactory(status=m.TrainingStatus.CONVENTION_SIGNED,
                                        organisation_id=agency.id, convention_signed_on=date(2026, 6, 8))
    auth.login(adviser)
    assert f"/formations/{training.id}/convention.pdf" in client.get(
        f"/formations/{training.id}").get_data(as_text=True)
    response = client.get(f"/formations/{training.id}/convention.pdf")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    assert f"convention-{training.kind.value}-{training.id}.pdf" in response.headers["Content-Disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert training.company.name in text and "08/06/2026" in text and "Signatures" in text
    assert "Retour à la demande" not in text


def test_without_the_pdf_libraries_the_summary_is_offered_to_print(client, auth, adviser, agency,
                                                                  monkeypatch):
    from crm.services.platform import pdf

    def missing(*_args, **_kwargs):
        raise pdf.PdfUnavailable("libpango absent")

    monkeypatch.setattr(pdf, "html_to_pdf", missing)
    training = f.TrainingRequestFactory(organisation_id=agency.id)
    auth.login(adviser)
    text = page_text(client.get(f"/formations/{training.id}/convention.pdf", follow_redirects=True))
    assert "Le PDF n'est pas disponible sur ce serveur" in text and "récapitulatif de convention" in text


def test_the_pdf_reads_only_the_apps_static_files(app):
    from pathlib import Path

    from crm.services.platform.pdf import static_fetcher

    fetch = static_fetcher(Path(app.static_folder)).fetch
    assert fetch("http://127.0.0.1:5000/static/css/plan-print.css").status == 200
    for url in ("file:///etc/passwd", "http://exemple.fr/style.css",
                "http://127.0.0.1:5000/static/../../pyproject.toml"):
        with pytest.raises(ValueError):
            fetch(url)


def test_the_list_runs_a_fixed_number_of_queries(client, auth, adviser):
    auth.login(adviser)
    f.TrainingRequestFactory()
    one = queries_for(client, "/formations")
    f.TrainingRequestFactory.create_batch(5)
    assert queries_for(client, "/formations") == one


def test_admins_date_a_new_cap_and_add_a_frap_line(client, auth, mission_locale):
    admin = f.UserFactory(organisation=mission_locale, role=m.Role.ADMIN)
    auth.login(admin)
    assert "service-public.fr" in client.get("/admin/formation").get_data(as_text=True)
    response = client.post("/admin/formation/parametres", data={
        "param-key": "poei_max_hours", "param-value": "400", "param-source": "Instruction régionale",
        "param-valid_from": "2026-01-01"})
    assert response.status_code == 302
    assert parameters.caps_on(date(2026, 6, 1)).poei.hours == 400
    assert parameters.caps_on(date(2025, 6, 1)).poei.hours == 450  # history keeps the shipped value
    bad = client.post("/admin/formation/parametres", data={
        "param-key": "poei_max_hours", "param-value": "400", "param-source": "x",
        "param-valid_from": "2026-01-01", "param-valid_to": "2025-01-01"})
    assert bad.status_code == 422
    line = client.post("/admin/formation/frap", data={
        "frap-name": "FRAP TPE-PME 2026", "frap-max_employees": "50", "frap-hourly_euros": "8",
        "frap-ceiling_euros": "2000", "frap-contracts": ["cdi", "cdd"]})
    assert line.status_code == 302
    stored = db.session.query(m.FrapLine).one()
    assert (stored.hourly_cents, stored.ceiling_cents, stored.contracts) == (800, 200_000, ["cdd", "cdi"])
    assert db.session.query(m.AuditEvent).filter_by(action="frap_line_added").count() == 1


def test_the_employer_asks_once_from_the_tracking_page(client, need):
    url = f"/recrutement/suivi/{need.tracking_token}"
    assert "Je souhaite former un candidat avant de l'embaucher" in client.get(url).get_data(
        as_text=True)
    assert client.post(f"{url}/formation").status_code == 302
    assert client.post(f"{url}/formation").status_code == 302
    created = db.session.query(m.TrainingRequest).one()
    assert (created.need_id, created.status) == (need.id, m.TrainingStatus.DRAFT)
    assert db.session.query(m.NeedMessage).filter_by(body=requests.EMPLOYER_WISH).count() == 1


def test_the_promotion_list_and_the_indicators(agency, adviser):
    small = f.CompanyFactory(name="Menuiserie Petit", headcount_band="11")
    f.HiringNeedFactory(company=small, rome_code="F1703", status=m.NeedStatus.ASSIGNED)
    had_poe = f.CompanyFactory(name="Déjà formée", headcount_band="11")
    f.HiringNeedFactory(company=had_poe, rome_code="F1703", status=m.NeedStatus.ASSIGNED)
    f.TrainingRequestFactory(company=had_poe, status=m.TrainingStatus.HIRED,
                             requested_on=date(2026, 3, 1), training_starts_on=date(2026, 3, 11))
    big = f.CompanyFactory(name="Grande usine", headcount_band="42")
    f.HiringNeedFactory(company=big, rome_code="F1703", status=m.NeedStatus.ASSIGNED)
    not_shortage = f.CompanyFactory(name="Bureau", headcount_band="11")
    f.HiringNeedFactory(company=not_shortage, rome_code="M1607", status=m.NeedStatus.ASSIGNED)
    f.TrainingRequestFactory(company=not_shortage, status=m.TrainingStatus.NOT_HIRED,
                             requested_on=date(2026, 3, 1), training_starts_on=date(2026, 3, 21))
    f.TrainingRequestFactory(company=big, status=m.TrainingStatus.SUBMITTED)
    assert [p.name for p in promotion.promotion_list("2711")] == ["Menuiserie Petit"]
    figures = promotion.indicators()
    assert (figures.total.requests, figures.total.approvals, figures.total.entries) == (3, 2, 2)
    assert figures.total.hire_rate == 50 and figures.total.median_delay == 15
    assert figures.by_size["PME (10 à 249)"].requests == 2


def test_the_indicators_split_by_basin_and_by_kind(agency, adviser):
    besancon = f.CompanyFactory(basin_code="2706", commune_code="25056")
    f.TrainingRequestFactory(company=f.CompanyFactory(), kind=m.TrainingKind.POEI,
                             status=m.TrainingStatus.HIRED)
    f.TrainingRequestFactory(company=f.CompanyFactory(), kind=m.TrainingKind.POEC,
                             status=m.TrainingStatus.SUBMITTED)
    f.TrainingRequestFactory(company=besancon, kind=m.TrainingKind.POEI,
                             status=m.TrainingStatus.REJECTED)
    figures = promotion.indicators()
    dijon, doubs = db.session.get(m.Basin, "2711").name, db.session.get(m.Basin, "2706").name
    assert {name: row.requests for name, row in figures.by_basin.items()} == {dijon: 2, doubs: 1}
    assert figures.by_basin[dijon].hires == 1 and figures.by_basin[doubs].approvals == 0
    assert {name: row.requests for name, row in figures.by_kind.items()} == {
        m.TrainingKind.POEI.label: 2, m.TrainingKind.POEC.label: 1}
    assert promotion.indicators(["2706"]).total.requests == 1


def test_poe_entries_count_the_trainings_started_in_the_plan_period(project_clock):
    plan = f.ProspectionPlanFactory(basin_code="2711", period_start=date(2026, 1, 1),
                                    period_end=date(2026, 12, 31))
    db.session.add(m.PlanObjective(plan_id=plan.id, indicator=m.Indicator.POE_ENTRIES, target=10))
    f.TrainingRequestFactory(status=m.TrainingStatus.IN_TRAINING, training_starts_on=date(2026, 2, 1))
    f.TrainingRequestFactory(status=m.TrainingStatus.HIRED, training_starts_on=date(2026, 12, 31))
    f.TrainingRequestFactory(status=m.TrainingStatus.HIRED, training_starts_on=date(2025, 12, 31))
    f.TrainingRequestFactory(status=m.TrainingStatus.APPROVED, training_starts_on=date(2026, 3, 1))
    db.session.flush()
    db.session.refresh(plan)
    project_clock.travel_to(datetime(2026, 7, 1, 8))
    row = objectives.progress(plan)[0]
    assert (row.indicator, row.achieved) == (m.Indicator.POE_ENTRIES, 2)


def test_the_demo_has_a_request_at_each_step(app):
    from crm.demo import seed as demo

    demo.seed_demo(companies=300)
    statuses = set(db.session.scalars(db.select(m.TrainingRequest.status)))
    assert {m.TrainingStatus.DRAFT, m.TrainingStatus.IN_TRAINING, m.TrainingStatus.HIRED} <= statuses
    hired = db.session.query(m.TrainingRequest).filter_by(status=m.TrainingStatus.HIRED).one()
    assert [c.to_status for c in hired.changes][-1] == m.TrainingStatus.HIRED
    assert hired.convention_signed_on <= hired.training_starts_on
    in_training = db.session.query(m.TrainingRequest).filter_by(status=m.TrainingStatus.IN_TRAINING).one()
    assert requests.eligibility_of(in_training).verdict.value == "eligible"


def test_the_promotion_page_runs_a_fixed_number_of_queries(client, auth, adviser):
    auth.login(adviser)

    def firm_with_need(name: str) -> None:
        company = f.CompanyFactory(name=name, headcount_band="11")
        f.HiringNeedFactory(company=company, rome_code="F1703", status=m.NeedStatus.ASSIGNED)
        f.TrainingRequestFactory(company=f.CompanyFactory(), status=m.TrainingStatus.HIRED,
                                 training_starts_on=date(2026, 3, 1))

    firm_with_need("Première")
    one = queries_for(client, "/formations/promotion?bassin=2711")
    for number in range(5):
        firm_with_need(f"Entreprise {number}")
    assert queries_for(client, "/formations/promotion?bassin=2711") == one
    assert client.get("/formations/promotion?bassin=9999").status_code == 404
