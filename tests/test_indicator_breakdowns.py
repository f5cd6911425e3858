"""The dashboard's other levels (RSA pilot territory, adviser), its breakdown tables (ROME jobs and
shortage jobs, prospection plans, spotters by organisation) and the events and POE/FRAP funnels,
on a fixture built for them. Every figure equals the value computed by hand in the comments; the
clock reads 10 June 2026 and the period is May 2026."""

import html
import io
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm import models as m
from crm.blueprints.indicators import links
from crm.extensions import db
from crm.services.indicators import breakdowns, figures, scope
from crm.services.indicators.scope import Level, Period, Scope
from crm.services.platform.refusals import InvalidInput
from crm.services.platform.working_days import first_contact_deadline
from tests import factories as f
from tests.helpers import assert_constant_queries, count_queries, page_text, text_of
from tests.test_indicators import indicators_token, listed_companies
from tests.test_openapi import ApiClient

MAY = Period(date(2026, 5, 1), date(2026, 5, 31))
DIJON = Scope(Level.BASIN, "2711", "Dijon")
PAGE = "/pilotage/indicateurs?level=basin&code=2711&from=2026-05-01&to=2026-05-31"
GENLIS_EPCI = "200000925"  # the 2023 RSA pilot around Genlis (commune 21292, Dijon basin)


def utc(*parts: int) -> datetime:
    return datetime(*parts)


def firm(name: str, commune: str = "21231", basin: str = "2711") -> m.Company:
    return f.CompanyFactory(name=name, headcount_band=None, basin_code=basin, commune_code=commune)


def need(company: m.Company, filed: datetime, rome: str | None, positions: int = 1,
         status: m.NeedStatus = m.NeedStatus.IN_PROGRESS, closed: datetime | None = None,
         hires: int | None = None, source: m.NeedSource = m.NeedSource.PUBLIC_FORM,
         contacted: datetime | None = None, **values) -> m.HiringNeed:
    return f.HiringNeedFactory(
        company=company, source=source, created_at=filed, positions=positions, rome_code=rome,
        first_contact_due_at=first_contact_deadline(filed), first_contact_at=contacted,
        status=status, closed_at=closed, hires=hires, basin_code=company.basin_code,
        commune_code=company.commune_code, **values)


def genlis() -> m.RsaPilotTerritory:
    return db.session.scalars(sa.select(m.RsaPilotTerritory)
                              .where(m.RsaPilotTerritory.code == GENLIS_EPCI)).one()


@pytest.fixture
def data(agency):
    """Dijon basin: A and B in Dijon, C in Genlis (RSA pilot); H in Besançon. F1202 (chef de
    chantier) and D1505 (hôte de caisse) are shortage jobs, A1101 (conducteur d'engins agricoles)
    is not."""
    local = f.OrganisationFactory(name="Mission locale du Dijonnais",
                                  kind=m.OrganisationKind.MISSION_LOCALE)
    club = f.OrganisationFactory(name="Club des entreprises", kind=m.OrganisationKind.CCI)
    cap = f.OrganisationFactory(name="Cap emploi 21", kind=m.OrganisationKind.CAP_EMPLOI)
    paul = f.UserFactory(organisation=agency, name="Paul Conseiller")
    lea = f.UserFactory(organisation=local, name="Léa Conseillère")
    a, b, c = firm("A"), firm("B"), firm("C", commune="21292")
    h = firm("H", commune="25056", basin="2706")
    S, N = m.NeedSource, m.NeedStatus
    ours = {"organisation": agency, "adviser": paul}
    # N1: 4 → 14 May, filled: 10 days
    need(a, utc(2026, 5, 4, 9, 0), "F1202", 3, N.FILLED, utc(2026, 5, 14, 9, 0), 2, **ours)
    need(b, utc(2026, 5, 5, 9, 0), "F1202", 1, N.UNFILLED, utc(2026, 5, 20, 9, 0), 0,  # N2
         closing_reason=m.ClosingReason.LACK_OF_CANDIDATES, **ours)
    # N3, flagged by the club, contacted the same day (0 working days): 6 → 26 May, 20 days
    need(c, utc(2026, 5, 6, 8, 0), "A1101", 2, N.FILLED, utc(2026, 5, 26, 9, 0), 1, S.SPOTTER,
         utc(2026, 5, 6, 14, 0), organisation=local, adviser=lea, source_organisation=club)
    # N4, flagged by the club, no ROME code, not contacted yet
    need(a, utc(2026, 5, 7, 8, 0), None, 1, source=S.SPOTTER, source_organisation=club)
    # N5, flagged by Cap emploi Mon 11 May, contacted Tue 12 (1 working day), 11 → 29 May: 18 days
    need(b, utc(2026, 5, 11, 8, 0), "A1101", 1, N.PARTLY_FILLED, utc(2026, 5, 29, 9, 0), 1,
         S.SPOTTER, utc(2026, 5, 12, 9, 0), source_organisation=cap)
    need(a, utc(2026, 5, 12, 8, 0), "D1505", 1, N.CANCELLED, utc(2026, 5, 15, 9, 0))  # N6
    need(h, utc(2026, 5, 12, 8, 0), "F1202", 5, N.FILLED, utc(2026, 5, 22, 9, 0), 5)  # Besançon
    need(a, utc(2026, 4, 20, 8, 0), "F1202", 1)  # April
    f.InteractionFactory(company=a, user=paul, organisation=agency, occurred_at=utc(2026, 5, 4, 10, 0))
    f.InteractionFactory(company=b, user=paul, organisation=agency, occurred_at=utc(2026, 5, 5, 10, 0))
    f.InteractionFactory(company=c, user=lea, organisation=local, occurred_at=utc(2026, 5, 6, 10, 0))

    # events: E1 held in Dijon on 20 May; E2 held in Besançon; E3 cancelled; E4 held in June
    held = m.EventStatus.HELD
    e1 = f.EventFactory(status=held, starts_at=utc(2026, 5, 20, 8, 0), created_by_id=paul.id)
    e1.organisers.append(agency)
    f.EventCompanyFactory(event_id=e1.id, company=a, status=m.ParticipationStatus.CONFIRMED,
                          interviews=5, hires=2, outcomes_at=utc(2026, 5, 21, 9, 0))
    f.EventCompanyFactory(event_id=e1.id, company=b, status=m.ParticipationStatus.CONFIRMED)
    f.EventCompanyFactory(event_id=e1.id, company=c, status=m.ParticipationStatus.DECLINED,
                          interviews=9, hires=9, outcomes_at=utc(2026, 5, 21, 9, 0))
    for present in (True, True, False):
        f.EventRegistrationFactory(event_id=e1.id,
                                   checked_in_at=utc(2026, 5, 20, 8, 5) if present else None)
    e2 = f.EventFactory(status=held, starts_at=utc(2026, 5, 27, 8, 0), commune_code="25056",
                        basin_code="2706")
    f.EventCompanyFactory(event_id=e2.id, company=h, status=m.ParticipationStatus.CONFIRMED,
                          interviews=4, hires=1, outcomes_at=utc(2026, 5, 28, 9, 0))
    f.EventFactory(status=m.EventStatus.CANCELLED, starts_at=utc(2026, 5, 22, 8, 0))
    f.EventFactory(status=held, starts_at=utc(2026, 6, 2, 8, 0))

    # POE requests dated in May for the basin's firms (a draft and an April one left out)
    T = m.TrainingStatus
    for company, day, status, frap in ((a, 4, T.HIRED, True), (b, 10, T.NOT_HIRED, False),
                                       (c, 15, T.APPROVED, True), (a, 20, T.SUBMITTED, False),
                                       (a, 21, T.DRAFT, False)):
        f.TrainingRequestFactory(company=company, requested_on=date(2026, 5, day), status=status,
                                 frap_requested=frap, organisation_id=agency.id,
                                 created_by_id=paul.id)
    f.TrainingRequestFactory(company=a, requested_on=date(2026, 4, 28), status=T.HIRED)

    # plans: the 2026 plan of Dijon; a draft, a Besançon plan and a plan over by May left out
    plan = f.ProspectionPlanFactory(name="Plan Dijon 2026", basin_code="2711",
                                    period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                                    status=m.PlanStatus.ACTIVE)
    for indicator, target in ((m.Indicator.NEEDS_COLLECTED, 100), (m.Indicator.HIRES, 20),
                              (m.Indicator.TPE_PME_SHARE, 60)):
        f.PlanObjectiveFactory(plan_id=plan.id, indicator=indicator, target=target)
    for name, basin, start, end, status in (
            ("Brouillon", "2711", date(2026, 1, 1), date(2026, 12, 31), m.PlanStatus.DRAFT),
            ("Plan Besançon", "2706", date(2026, 1, 1), date(2026, 12, 31), m.PlanStatus.ACTIVE),
            ("Plan de mars", "2711", date(2026, 3, 1), date(2026, 4, 30), m.PlanStatus.CLOSED)):
        other = f.ProspectionPlanFactory(name=name, basin_code=basin, period_start=start,
                                         period_end=end, status=status)
        f.PlanObjectiveFactory(plan_id=other.id, indicator=m.Indicator.HIRES, target=5)
    db.session.commit()
    return {"paul": paul, "lea": lea, "local": local, "plan": plan}


@pytest.fixture
def earlier(data):
    """The previous period (31 March to 30 April 2026) and May 2025 in the Dijon basin, besides
    the April need of `data` (F1202, filed 20 April, open)."""
    a, b = (db.session.scalars(sa.select(m.Company).where(m.Company.name == name)).one()
            for name in ("A", "B"))
    N, lack = m.NeedStatus, m.ClosingReason.LACK_OF_CANDIDATES
    club = db.session.scalars(sa.select(m.Organisation)
                              .where(m.Organisation.name == "Club des entreprises")).one()
    need(a, utc(2026, 4, 2, 8, 0), "F1202", 1, N.UNFILLED, utc(2026, 4, 25, 9, 0), 0,
         closing_reason=lack)  # P1
    need(b, utc(2026, 4, 3, 8, 0), "A1101", 1, N.FILLED, utc(2026, 4, 28, 9, 0), 1)  # P2: 25 days
    # S1, flagged by the club on Tuesday 14 April, contacted on Wednesday 15 (1 working day)
    need(a, utc(2026, 4, 14, 8, 0), "D1505", 1, source=m.NeedSource.SPOTTER,
         contacted=utc(2026, 4, 15, 9, 0), source_organisation=club)
    need(a, utc(2025, 5, 5, 8, 0), "F1202", 2, N.FILLED, utc(2025, 5, 15, 9, 0), 2)  # Y1: 10 days
    need(b, utc(2025, 5, 6, 8, 0), "F1202", 1, N.UNFILLED, utc(2025, 5, 26, 9, 0), 0,
         closing_reason=lack)  # Y2
    need(a, utc(2025, 5, 7, 8, 0), "D1505", 1, N.CANCELLED, utc(2025, 5, 9, 9, 0),
         closing_reason=m.ClosingReason.CANCELLED_BY_COMPANY)  # Y3
    db.session.commit()


def values(found: dict[str, figures.Figure], *keys: str) -> dict[str, float | None]:
    return {key: found[key].value for key in keys}


MODULE_KEYS = ("events_held", "event_firms", "event_candidates", "event_interviews", "event_hires",
               "training_requests", "training_frap_requests", "training_approved",
               "training_entries", "training_hires", "training_hire_rate",
               "spotter_hire_conversion", "spotter_median_first_contact_working_days")


def test_the_events_poe_and_spotter_figures_equal_their_hand_computed_values(data):
    found = figures.figures(DIJON, MAY)
    assert values(found, *MODULE_KEYS) == {
        "events_held": 1,  # E1 (E2 in Besançon, E3 cancelled, E4 in June)
        "event_firms": 2,  # A and B confirmed; C declined
        "event_candidates": 2,  # two of three registrations checked in
        "event_interviews": 5,  # A's declared results (B declared none, C declined)
        "event_hires": 2,
        "training_requests": 4,  # the draft and the April request left out
        "training_frap_requests": 2,
        "training_approved": 3,  # hired, not hired, approved
        "training_entries": 2,  # hired, not hired
        "training_hires": 1,
        "training_hire_rate": 50.0,  # 1 hired of 2 with an outcome
        "spotter_hire_conversion": 66.7,  # N3 and N5 hired, of N3, N4, N5
        "spotter_median_first_contact_working_days": 0.5,  # 0 (N3) and 1 (N5)
    }
    assert found["needs_filled"].value == 3  # N1, N3, N5


def test_a_funnel_without_data_is_not_available_rather_than_zero(data):
    june = figures.figures(DIJON, Period(date(2026, 6, 1), date(2026, 6, 30)))
    assert values(june, "events_held", "event_firms") == {"events_held": 1, "event_firms": 0}
    for key in ("event_interviews", "event_hires", "training_hire_rate", "spotter_hire_conversion",
                "spotter_median_first_contact_working_days"):
        assert (june[key].value, june[key].available) == (None, False), key


def test_the_needs_by_rome_job_with_the_rest_and_shortage_jobs_apart(data):
    table = breakdowns.job_table(figures.Measures(DIJON, MAY), top=2)

    def row(job: breakdowns.JobRow) -> tuple:
        return (job.key, job.current.needs, job.current.positions, job.current.filled,
                job.current.fill_rate.value, job.current.median_time_to_fill.value)

    assert [row(job) for job in table.jobs] == [
        ("A1101", 2, 3, 2, 100.0, 19.0),  # N3, N5: 20 and 18 days (more filled than F1202)
        ("F1202", 2, 4, 1, 50.0, 10.0),  # N1, N2
        ("autres", 2, 2, 0, None, None),  # D1505 (cancelled) and N4 without a code
    ]
    assert [job.code for job in table.jobs] == ["A1101", "F1202", ""]
    assert table.jobs[1].shortage is True and table.jobs[0].shortage is False
    assert [row(job) for job in table.shortage] == [
        ("tension", 3, 5, 1, 50.0, 10.0),  # F1202 and D1505
        ("hors-tension", 3, 4, 2, 100.0, 19.0),  # A1101 and N4 without a code
    ]
    assert table.jobs[2].current.fill_rate.available is False


def job_figures(job: breakdowns.JobRow, which: str) -> tuple:
    return tuple(job.periods[which].figure(key).value for key in breakdowns.JOB_FIGURES)


def test_the_jobs_table_compares_the_previous_period_and_a_year_before(data, earlier):
    """Needs filed, positions, filled, fill rate, median days to fill and the share closed for
    lack of candidates (of those filled or closed with a reason), per job and period."""
    table = breakdowns.job_table(figures.Measures(DIJON, MAY), top=2)
    assert [job.key for job in table.jobs] == ["A1101", "F1202", "autres"]
    a1101, f1202, others = table.jobs
    assert job_figures(a1101, "current") == (2, 3, 2, 100.0, 19.0, 0.0)  # N3 known; N5 no reason
    assert job_figures(a1101, "previous") == (1, 1, 1, 100.0, 25.0, 0.0)  # P2
    assert job_figures(a1101, "year_before") == (0, 0, 0, None, None, None)
    assert job_figures(f1202, "current") == (2, 4, 1, 50.0, 10.0, 50.0)  # N1 filled, N2 lack
    assert job_figures(f1202, "previous") == (2, 2, 0, 0.0, None, 100.0)  # 20 April and P1
    assert job_figures(f1202, "year_before") == (2, 3, 1, 50.0, 10.0, 50.0)  # Y1, Y2
    # D1505 and N4 (no code): N6 cancelled without a reason; S1 open; Y3 cancelled by the firm
    assert job_figures(others, "current") == (2, 2, 0, None, None, None)
    assert job_figures(others, "previous") == (1, 1, 0, None, None, None)
    assert job_figures(others, "year_before") == (1, 1, 0, None, None, 0.0)
    shortage, rest = table.shortage
    assert [job_figures(shortage, which)[5] for which in breakdowns.PERIODS] == [
        50.0, 100.0, 33.3]  # 1 of N1, N2; P1 alone; Y2 of Y1, Y2, Y3
    assert [job_figures(rest, which)[5] for which in breakdowns.PERIODS] == [0.0, 0.0, None]
    # the jobs add up to the dashboard's share: 1 of 3, 1 of 2, 1 of 3
    row = figures.dashboard(DIJON, MAY).row("closed_for_lack_of_candidates")
    assert (row.current.value, row.previous.value, row.year_before.value) == (33.3, 50.0, 33.3)
    for which in breakdowns.PERIODS:
        lack = shortage.periods[which].lack + rest.periods[which].lack
        known = shortage.periods[which].known + rest.periods[which].known
        assert round(100 * lack / known, 1) == getattr(row, which).value


def test_the_spotters_compare_the_previous_period_and_a_year_before(data, earlier):
    measures = figures.Measures(DIJON, MAY).compared
    rows = breakdowns.spotters_by_organisation(measures)
    assert spotters(rows, "previous") == [("Club des entreprises", 1, 0, 0.0, 1.0),  # S1
                                          ("Cap emploi 21", 0, 0, None, None)]
    assert spotters(rows, "year_before") == [("Club des entreprises", 0, 0, None, None),
                                             ("Cap emploi 21", 0, 0, None, None)]


def test_the_spotters_table_reads_the_dashboards_flags(data, earlier):
    with count_queries() as statements:
        board = figures.dashboard(DIJON, MAY)
        tables = breakdowns.breakdowns(DIJON, MAY, date(2026, 6, 10), board.measures)
    flags = [statement for statement in statements
             if "hiring_needs.source_organisation_id, organisations.name" in statement]
    assert len(flags) == 3  # the chosen period, the previous one and a year before: once each
    assert spotters(tables.spotters, "previous") == [("Club des entreprises", 1, 0, 0.0, 1.0),
                                                     ("Cap emploi 21", 0, 0, None, None)]


def test_the_plans_objectives_target_achieved_and_expected(data):
    plans = breakdowns.plans_progress(DIJON, MAY, date(2026, 6, 10))
    assert [plan.name for plan in plans] == ["Plan Dijon 2026"]
    assert [(o.indicator, o.target, o.achieved, o.expected) for o in plans[0].objectives] == [
        # N1 to N6 and the April need, filed from 1 January to 31 May; 151 days of 365:
        # 100 × 151 ÷ 365 = 41.4
        (m.Indicator.NEEDS_COLLECTED, 100, 7, 41),
        # closed by 31 May: 2 (N1) + 0 (N2) + 1 (N3) + 1 (N5); 20 × 151 ÷ 365 = 8.3
        (m.Indicator.HIRES, 20, 4, 8),
        (m.Indicator.TPE_PME_SHARE, 60, None, 60),  # no firm of known size contacted
    ]
    # by 30 April (the previous period's end): the April need, no hire yet; by 31 May 2025 the
    # plan had not started
    assert [o.compared for o in plans[0].objectives] == [
        {"previous": 1, "year_before": None}, {"previous": 0, "year_before": None},
        {"previous": None, "year_before": None}]
    assert [o.compared_figure("previous").available for o in plans[0].objectives] == [
        True, True, False]


def test_a_plan_s_comparison_stops_at_its_own_end_and_a_twelve_month_period_counts_once(data,
                                                                                      earlier):
    march = db.session.scalars(sa.select(m.ProspectionPlan)
                               .where(m.ProspectionPlan.name == "Plan de mars")).one()
    april = Period(date(2026, 4, 1), date(2026, 4, 30))  # previous: 2 to 31 March
    plans = {plan.name: plan for plan in breakdowns.plans_progress(DIJON, april, date(2026, 6, 10))}
    [hires] = plans["Plan de mars"].objectives
    # 1 March to 30 April: P1 (0 hires), P2 (1); to 31 March: nothing closed; April 2025: not started
    assert (hires.achieved, hires.compared) == (1, {"previous": 0, "year_before": None})
    assert plans["Plan de mars"].plan_id == march.id
    year = Period(date(2025, 6, 1), date(2026, 5, 31))  # its previous period is its year before
    [dijon] = [plan for plan in breakdowns.plans_progress(DIJON, year, date(2026, 6, 10))
               if plan.name == "Plan Dijon 2026"]
    assert [o.compared for o in dijon.objectives] == [dict.fromkeys(("previous", "year_before"))] * 3
    adviser = Scope(Level.ADVISER, str(data["paul"].id), "Paul Conseiller")
    assert breakdowns.plans_progress(adviser, MAY, date(2026, 6, 10)) is None


def spotters(rows: list[breakdowns.SpotterRow], which: str) -> list[tuple]:
    return [(row.name, row.periods[which].flags, row.periods[which].hired,
             row.periods[which].conversion.value, row.periods[which].median_first_contact.value)
            for row in rows]


def test_the_spotters_by_organisation(data):
    measures = figures.Measures(DIJON, MAY).compared
    rows = breakdowns.spotters_by_organisation(measures)
    assert spotters(rows, "current") == [("Club des entreprises", 2, 1, 50.0, 0.0),
                                         ("Cap emploi 21", 1, 1, 100.0, 1.0)]


def test_an_rsa_pilot_territory_holds_its_communes_firms(data):
    territory = genlis()
    chosen = scope.parse_scope("rsa", str(territory.id))
    assert chosen.name == territory.label
    found = figures.figures(chosen, MAY)
    assert values(found, "needs_collected", "positions", "companies_contacted", "needs_filled",
                  "spotter_hire_conversion", "training_requests", "events_held") == {
        "needs_collected": 1, "positions": 2, "companies_contacted": 1,  # C only
        "needs_filled": 1, "spotter_hire_conversion": 100.0, "training_requests": 1,
        "events_held": 0,  # E1 is in Dijon, outside the pilot
    }
    plans = breakdowns.plans_progress(chosen, MAY, date(2026, 6, 10))
    assert [plan.name for plan in plans] == ["Plan Dijon 2026"]  # Genlis is in the Dijon basin


def test_an_adviser_counts_their_contacts_visits_and_piloted_needs(data):
    paul = scope.parse_scope("adviser", str(data["paul"].id))
    assert paul.label == "Conseiller : Paul Conseiller"
    found = figures.figures(paul, MAY)
    assert values(found, "companies_contacted", "needs_collected", "positions", "fill_rate",
                  "median_time_to_fill_days", "events_held", "training_requests") == {
        "companies_contacted": 2,  # A and B
        "needs_collected": 2, "positions": 4,  # N1, N2
        "fill_rate": 50.0, "median_time_to_fill_days": 10.0,
        "events_held": 1,  # E1, which Paul created
        "training_requests": 4,  # the requests Paul filed (the draft left out)
    }
    lea = figures.figures(scope.parse_scope("adviser", str(data["lea"].id)), MAY)
    assert values(lea, "needs_collected", "companies_contacted", "events_held") == {
        "needs_collected": 1, "companies_contacted": 1, "events_held": 0}


def test_levels_and_codes_are_checked_in_french(data, agency):
    partner = f.UserFactory(organisation=agency, role=m.Role.PARTNER)
    for level, code, message in (
            ("rsa", "", "Choisissez un territoire pilote RSA."),
            ("rsa", "999999", "Territoire pilote RSA inconnu : 999999."),
            ("adviser", "", "Choisissez un conseiller."),
            ("adviser", "abc", "Conseiller inconnu : abc."),
            ("adviser", str(partner.id), f"Conseiller inconnu : {partner.id}.")):
        with pytest.raises(InvalidInput) as refused:
            scope.parse_scope(level, code)
        assert refused.value.fields == {"code": [message]}
    with pytest.raises(InvalidInput) as refused:
        scope.parse_scope("adviser", str(data["paul"].id), levels=scope.AREA_LEVELS)
    assert "level" in refused.value.fields


# --- the page, its links, its exports and who reads it -----------------------------------------

def test_the_dashboard_shows_the_breakdowns_with_links_to_their_lists(client, data, manager):
    response = client.get(PAGE)
    assert response.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())
    for title in ("Besoins par métier (ROME) et métiers en tension", "Objectifs des plans de prospection",
                  "Repéreurs : signalements par structure", "Événements réalisés",
                  "Taux d'embauche après la POE", "Signalements suivis d'une embauche"):
        assert title in text, title
    # each figure of the period, then the previous period's (31 March to 30 April: the need
    # filed on 20 April), the share closed for lack of candidates last (N2 of N1 and N2)
    assert ("Chef / Cheffe de chantier bâtiment (F1202) En tension 2 1 4 1 1 0 50,0 % non disponible "
            "10,0 non disponible 50,0 % non disponible") in text
    assert ("Métiers en tension 3 1 5 1 1 0 50,0 % non disponible 10,0 non disponible 50,0 % "
            "non disponible") in text
    # achieved by 31 May (N1 to N6, the April need), by 30 April (the April need): Comparison
    assert "Plan Dijon 2026" in text and "Besoins recueillis 100 7 1 41" in text
    assert "Club des entreprises 2 0 1 0 50,0 % non disponible 0,0 non disponible" in text
    body = response.get_data(as_text=True)
    rome = html.unescape(re.search(r'href="(/demandes\?[^"]*rome=F1202[^"]*)"', body).group(1))
    assert "du=2026-05-01" in rome and "bassin_entreprise=2711" in rome
    assert "2 demandes" in text_of(client, rome)  # N1, N2
    def links(pattern: str) -> list[str]:
        return [html.unescape(link) for link in re.findall(rf'href="(/demandes\?[^"]*{pattern}[^"]*)"', body)]

    shortage = links("tension=oui")
    filed = next(link for link in shortage if "du=2026-05-01" in link and "clos_du" not in link)
    assert "3 demandes" in text_of(client, filed)  # N1, N2, N6
    closed = next(link for link in shortage if "issue=outcome" in link)
    assert "2 demandes" in text_of(client, closed)  # N1, N2: the fill rate's denominator
    other = next(link for link in links("tension=non") if "du=2026-05-01" in link)
    assert "3 demandes" in text_of(client, other)  # N3, N4 (no code), N5
    club = next(link for link in links("repereur=") if "du=2026-05-01" in link)
    assert "source=spotter" in club
    assert "2 demandes" in text_of(client, club)  # N3, N4: the club's flags in May
    lack = next(link for link in links("rome=F1202") if "motif=lack_of_candidates" in link)
    assert "clos_du=2026-05-01" in lack and "clos_au=2026-05-31" in lack
    assert listed_needs(client, lack) == 1  # N2, the share's numerator


def test_the_breakdowns_compare_the_period_the_comparison_picker_names(client, data, earlier, manager):
    def table_text(arguments: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", page_text(client.get(PAGE + arguments))).split())

    previous = table_text("")
    assert ("Chaque chiffre est mis en regard de la période précédente "
            "(du 31/03/2026 au 30/04/2026)") in previous
    assert ("(F1202) En tension 2 2 4 2 1 0 50,0 % 0,0 % 10,0 non disponible 50,0 % 100,0 %"
            in previous)  # April: the need of 20 April and P1, closed for lack of candidates
    assert "Club des entreprises 2 1 1 0 50,0 % 0,0 % 0,0 1,0" in previous  # S1
    # the plan's achieved figure from 1 January to 31 May, then to 30 April: the April need, P1,
    # P2 and S1 (4 needs); P2's hire (P1 was closed without one); no firm of known size
    assert ("Plan Dijon 2026 du 01/01/2026 au 31/12/2026 Besoins recueillis 100 10 4 41 "
            "Recrutements 20 5 1 8 Part de TPE-PME parmi les entreprises contactées (%) 60 "
            "non disponible non disponible 60") in previous
    year = table_text("&comparaison=year_before")
    assert "(F1202) En tension 2 2 4 3 1 1 50,0 % 50,0 % 10,0 10,0 50,0 % 50,0 %" in year  # Y1, Y2
    # May 2025: the plan had not started
    assert ("Besoins recueillis 100 10 non disponible 41 Recrutements 20 5 non disponible 8"
            in year)
    assert "Métiers en tension 3 3 5 4 1 1 50,0 % 50,0 % 10,0 10,0 50,0 % 33,3 %" in year
    refused = client.get(PAGE + "&comparaison=hier")
    assert refused.status_code == 422 and "Comparer les tableaux détaillés à" in page_text(refused)


def test_the_needs_list_filters_on_a_rome_code_in_french(client, data, manager):
    assert "2 demandes" in text_of(client, "/demandes?rome=f1202&du=2026-05-01&au=2026-05-31")
    text = text_of(client, "/demandes?rome=chef")
    assert "Un code ROME est une lettre suivie de 4 chiffres" in text


def test_the_exports_hold_the_new_figures_and_the_breakdowns(client, data, manager):
    text = client.get(PAGE.replace("indicateurs?", "indicateurs.csv?")).get_data(as_text=True)
    assert "training_hire_rate;Taux d'embauche après la POE;%;50.0;" in text
    assert "event_interviews;Entretiens;entretiens;5;non disponible;" in text
    # each figure over the period, the previous one and a year before
    assert ("Code ROME;Métier;Métier en tension;Besoins recueillis – période;"
            "Besoins recueillis – période précédente;Besoins recueillis – un an avant;") in text
    assert ";Clôturés faute de candidats – période précédente;" in text
    assert ("F1202;Chef / Cheffe de chantier bâtiment;oui;2;1;0;4;1;0;1;0;0;50.0;non disponible;"
            "non disponible;10.0;non disponible;non disponible;50.0;non disponible;non disponible") in text
    assert (";Autres métiers (hors tension);;3;0;0;4;0;0;2;0;0;100.0;non disponible;non disponible;"
            "19.0;non disponible;non disponible;0.0;non disponible;non disponible") in text
    assert ("Plan;Bassin;Début;Fin;Objectif;Cible;Réalisé – période;Réalisé – période précédente;"
            "Réalisé – un an avant;Attendu") in text
    # achieved by 31 May, by 30 April (the April need), by 31 May 2025 (not started)
    assert ("Plan Dijon 2026;2711;2026-01-01;2026-12-31;Besoins recueillis;100;7;1;non disponible;41"
            in text)
    assert "Plan Dijon 2026;2711;2026-01-01;2026-12-31;Part de TPE-PME" in text
    assert "non disponible;60" in text
    assert "Club des entreprises;2;0;0;1;0;0;50.0;non disponible;non disponible;0.0;" in text
    workbook = client.get(PAGE.replace("indicateurs?", "indicateurs.xlsx?"))
    rows = list(load_workbook(io.BytesIO(workbook.data)).active.iter_rows(values_only=True))
    assert ("Cap emploi 21", 1, 0, 0, 1, 0, 0, 100.0, "non disponible", "non disponible", 1.0) in [
        row[:11] for row in rows]


def test_the_dashboard_queries_do_not_grow_with_the_rows(client, data, manager):
    def add_rows(number: int):
        for index in range(number):
            company = firm(f"Firme {index}")
            spotter = f.OrganisationFactory(kind=m.OrganisationKind.CCI)
            code = ("A1102", "A1201", "A1405", "D1507")[index % 4]
            need(company, utc(2026, 5, 4, 9, 0), code, status=m.NeedStatus.FILLED,
                 closed=utc(2026, 5, 20, 9, 0), hires=1, source=m.NeedSource.SPOTTER,
                 source_organisation=spotter, contacted=utc(2026, 5, 5, 9, 0))
            plan = f.ProspectionPlanFactory(basin_code="2711", period_start=date(2026, 1, 1),
                                            period_end=date(2026, 12, 31),
                                            status=m.PlanStatus.ACTIVE)
            f.PlanObjectiveFactory(plan_id=plan.id, indicator=m.Indicator.COMPANIES_CONTACTED)
            event = f.EventFactory(status=m.EventStatus.HELD, starts_at=utc(2026, 5, 6, 8, 0))
            f.EventCompanyFactory(event_id=event.id, company=company,
                                  status=m.ParticipationStatus.CONFIRMED, interviews=1)
            f.TrainingRequestFactory(company=company, requested_on=date(2026, 5, 6),
                                     status=m.TrainingStatus.SUBMITTED)
        db.session.commit()

    assert_constant_queries(client, PAGE, add_rows)


def test_an_adviser_reads_their_own_figures_only(client, auth, data):
    paul, lea = data["paul"], data["lea"]
    auth.login(paul)
    response = client.get("/pilotage/indicateurs?from=2026-05-01&to=2026-05-31")
    assert response.status_code == 200
    text = page_text(response)
    assert "Conseiller : Paul Conseiller, du 01/05/2026 au 31/05/2026" in text
    assert "les plans de prospection sont fixés par bassin" in text
    assert "Léa Conseillère" not in text  # not among the advisers offered
    own = f"/pilotage/indicateurs.csv?level=adviser&conseiller={paul.id}&from=2026-05-01&to=2026-05-31"
    assert client.get(own).status_code == 200
    assert client.get(f"/pilotage/indicateurs?level=adviser&conseiller={lea.id}").status_code == 403
    assert client.get(PAGE).status_code == 403
    assert client.get("/pilotage/indicateurs/definitions").status_code == 200


def test_a_manager_reads_their_organisations_advisers_and_an_admin_everyone(client, auth, data,
                                                                            agency):
    paul, lea = data["paul"], data["lea"]
    boss = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Responsable")
    auth.login(boss)
    page = client.get(f"/pilotage/indicateurs?level=adviser&conseiller={paul.id}&from=2026-05-01")
    assert page.status_code == 200
    assert "Léa Conseillère" not in page_text(page)
    assert client.get(f"/pilotage/indicateurs?level=adviser&conseiller={lea.id}").status_code == 403
    assert client.get(f"/pilotage/indicateurs.xlsx?level=adviser&conseiller={lea.id}").status_code == 403
    territory = genlis()
    rsa = client.get(f"/pilotage/indicateurs?level=rsa&rsa={territory.id}&from=2026-05-01&to=2026-05-31")
    assert rsa.status_code == 200
    assert f"Territoire pilote RSA : {territory.label}" in html.unescape(page_text(rsa))
    missing = client.get("/pilotage/indicateurs?level=rsa")
    assert missing.status_code == 422 and "Choisissez un territoire pilote RSA." in page_text(missing)
    auth.logout()
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    assert client.get(f"/pilotage/indicateurs?level=adviser&conseiller={lea.id}").status_code == 200
    auth.logout()
    auth.login(f.UserFactory(organisation=agency, role=m.Role.PARTNER))
    assert client.get("/pilotage/indicateurs").status_code == 403


def test_the_api_reads_an_rsa_pilot_territory_but_not_an_adviser(client, data, agency):
    api = ApiClient(client, indicators_token(f.UserFactory(organisation=agency, role=m.Role.MANAGER)))
    territory = genlis()
    body = api.get(f"/api/v1/indicators?level=rsa&code={territory.id}&from=2026-05-01&to=2026-05-31").json
    assert (body["level"], body["code"]) == ("rsa", str(territory.id))
    found = {item["key"]: item["value"] for item in body["indicators"]}
    assert (found["needs_collected"], found["training_requests"]) == (1, 1)
    refused = api.get(f"/api/v1/indicators?level=adviser&code={data['paul'].id}")
    assert refused.status_code == 422 and "level" in refused.json["fields"]


def test_the_glossary_defines_the_breakdown_columns(client, manager):
    text = text_of(client, "/pilotage/indicateurs/definitions")
    for heading in ("Métiers (ROME) et métiers en tension", "Plans de prospection", "POE et FRAP",
                    "Événements de recrutement (job datings)", "Repéreurs"):
        assert heading in text
    assert "Attendu à date" in text and "Métier en tension" in text



# --- every needs figure links to its list, at every level ---------------------------------------

def listed_needs(client, link: str) -> int:
    """How many needs the list behind a link shows."""
    text = text_of(client, link)
    if "Aucune demande ne correspond" in text:
        return 0
    return int(re.search(r"(\d+) demandes?\b", text).group(1))


def dashboard_links(app, chosen: Scope) -> dict[str, str]:
    with app.test_request_context():
        return links.record_links(chosen, MAY)


COUNTED = ("needs_collected", "needs_filled", *(f"needs_collected_{source.value}" for source in m.NeedSource))


def scopes_without_area(data) -> list[tuple[Scope, dict[str, int]]]:
    """The adviser, organisation and RSA levels, with their hand-computed needs figures."""
    paul, local = data["paul"], data["local"]
    return [
        # Paul pilots N1 and N2 (public form); N1 is filled
        (Scope(Level.ADVISER, str(paul.id), paul.name),
         {"needs_collected": 2, "needs_collected_public_form": 2, "needs_filled": 1}),
        # the Mission locale pilots N3 (a spotter's flag, filled) in the Dijon basin
        (Scope(Level.BASIN, "2711", "Dijon", local.id, local.name),
         {"needs_collected": 1, "needs_collected_spotter": 1, "needs_filled": 1}),
        # Genlis: firm C and its need N3
        (Scope(Level.RSA, str(genlis().id), "Genlis"),
         {"needs_collected": 1, "needs_collected_spotter": 1, "needs_filled": 1}),
    ]


def test_the_needs_figures_of_an_adviser_an_organisation_and_an_rsa_territory_link_to_their_needs(
        app, client, data, manager):
    for chosen, expected in scopes_without_area(data):
        found = figures.figures(chosen, MAY)
        found_links = dashboard_links(app, chosen)
        for key in COUNTED:
            assert found[key].value == expected.get(key, 0), (chosen, key)
            assert listed_needs(client, found_links[key]) == found[key].value, (chosen, key)
        closed = found_links["fill_rate"]  # the needs closed with an outcome: N1, N2 for Paul
        assert "clos_du=2026-05-01" in closed and "issue=outcome" in closed
        # the firms figures link to the companies list with the same filters, for any period
        for key in ("companies_contacted", "companies_visited"):
            assert listed_companies(client, found_links[key]) == found[key].value, (chosen, key)
    assert listed_needs(client, dashboard_links(app, scopes_without_area(data)[0][0])["fill_rate"]) == 2


def test_the_adviser_level_page_links_to_the_advisers_needs(client, data, manager):
    paul = data["paul"]
    body = client.get(f"/pilotage/indicateurs?level=adviser&conseiller={paul.id}"
                      "&from=2026-05-01&to=2026-05-31").get_data(as_text=True)
    found = [html.unescape(link) for link in re.findall(r'href="(/demandes\?[^"]+)"', body)]
    assert found and all(f"conseiller={paul.id}" in link for link in found)


def test_the_needs_list_filters_on_the_piloting_adviser_organisation_and_rsa_territory(
        client, data, manager):
    paul, local = data["paul"], data["local"]
    may = "du=2026-05-01&au=2026-05-31"
    assert listed_needs(client, f"/demandes?conseiller={paul.id}&{may}") == 2  # N1, N2
    assert listed_needs(client, f"/demandes?structure={local.id}&{may}") == 1  # N3
    assert listed_needs(client, f"/demandes?territoire_rsa={genlis().id}&{may}") == 1  # N3
    # a manager may not pick another organisation's adviser: refused in French, nothing filtered
    text = text_of(client, f"/demandes?conseiller={data['lea'].id}&{may}")
    assert "N'est pas un choix valide." in text
    assert "Léa Conseillère</option>" not in text
    text = text_of(client, "/demandes?rome_hors=F1202,chef")
    assert "Indiquez des codes ROME séparés par des virgules" in text


def test_an_adviser_may_filter_on_their_own_needs_only(client, auth, data):
    auth.login(data["paul"])
    text = text_of(client, "/demandes")
    assert f'value="{data["paul"].id}">Paul Conseiller</option>' in text
    assert "Léa Conseillère</option>" not in text


def test_other_jobs_link_to_the_needs_of_every_other_rome_code_or_none(app, client, data, manager):
    measures = figures.Measures(DIJON, MAY)
    # A1101 (two needs, both filled) first, then F1202, D1505 and N4 (no code)
    table = breakdowns.job_table(measures, top=1)
    others = table.jobs[-1]
    assert others.key == breakdowns.OTHERS and (others.current.needs, others.current.filled) == (4, 1)
    with app.test_request_context():
        found = links.job_links(DIJON, MAY, others, table.jobs)
    assert "rome_hors=A1101" in found["needs_collected"]
    assert listed_needs(client, found["needs_collected"]) == others.current.needs  # N1, N2, N4, N6
    assert listed_needs(client, found["needs_filled"]) == others.current.filled  # N1
    assert listed_needs(client, found["fill_rate"]) == 2  # N1, N2; N6 cancelled: no outcome
    # on the page (ten jobs), "Autres métiers" gathers N4 alone, the need without a code
    body = client.get(PAGE).get_data(as_text=True)
    other = html.unescape(re.search(r'href="(/demandes\?[^"]*rome_hors=[^"]*)"', body).group(1))
    assert "du=2026-05-01" in other
    assert listed_needs(client, other) == 1


def test_the_plans_achieved_needs_link_to_the_needs_they_count(client, data, manager):
    body = client.get(PAGE).get_data(as_text=True)
    plan_links = [html.unescape(link) for link in re.findall(
        r'href="(/demandes\?[^"]*du=2026-01-01[^"]*)"', body)]
    filed = next(link for link in plan_links if "clos_du" not in link)
    assert "au=2026-05-31" in filed and "bassin_entreprise=2711" in filed
    assert listed_needs(client, filed) == 7  # the plan's achieved needs: N1 to N6 and April's
    hires = next(link for link in plan_links if "clos_du=2026-01-01" in link)
    assert "clos_au=2026-05-31" in hires
    assert listed_needs(client, hires) == 5  # the closed needs whose hires are added up


def test_the_firms_contacted_in_an_rsa_territory_link_to_its_companies(app, client, data, manager):
    """The last 90 days up to today (10 June): in Genlis, C contacted on 6 May."""
    chosen = Scope(Level.RSA, str(genlis().id), "Genlis")
    last_days = Period(date(2026, 3, 13), date(2026, 6, 10))
    found = figures.figures(chosen, last_days)
    assert found["companies_contacted"].value == 1
    with app.test_request_context():
        contacted = links.record_links(chosen, last_days)["companies_contacted"]
    assert f"rsa_territory={genlis().id}" in contacted and "contacted_from=2026-03-13" in contacted
    text = text_of(client, contacted)
    assert "1 entreprise" in text and "C" in text
    may_12 = contacted.replace("contacted_from=2026-03-13", "contacted_from=2026-05-12")
    assert "Aucune entreprise" in text_of(client, may_12)
