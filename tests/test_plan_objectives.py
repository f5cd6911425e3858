"""A plan's objectives count what happened in its basin during its period, as a person would count
it by hand: every organisation's contacts, a task-force visit once, a firm contacted twice once,
nothing outside the basin or the period; the expected figure follows the pace of the period."""

from datetime import date, datetime

import pytest

from crm import models as m
from crm.services.plans import objectives
from tests import factories as f

START, END = date(2026, 1, 1), date(2026, 12, 31)
ELSEWHERE = "2706"  # Besançon


@pytest.fixture
def network():
    """Three organisations of the network, one adviser or partner in each."""
    agency = f.OrganisationFactory(name="France Travail Dijon")
    youth = f.OrganisationFactory(name="Mission locale de Dijon", kind=m.OrganisationKind.MISSION_LOCALE)
    chamber = f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI, is_spotter=True)
    return {
        "ft": f.adviser_in(agency, "2711", name="Alice Conseil"),
        "ml": f.adviser_in(youth, "2711", name="Bruno Jeunes"),
        "cci": f.UserFactory(organisation=chamber, role=m.Role.PARTNER, name="Chloé Chambre"),
    }


def contact(company, user, when: datetime, **fields):
    return f.InteractionFactory(company=company, user=user, organisation=user.organisation,
                                occurred_at=when, **fields)


def task_force(company, people, when: datetime) -> m.Visit:
    """A visit done by several organisations: one ledger row per participant."""
    visit = f.VisitFactory(company=company, scheduled_at=when, status=m.VisitStatus.DONE)
    for person in people:
        f.VisitParticipantFactory(visit_id=visit.id, user=person, organisation=person.organisation)
        contact(company, person, when, kind=m.InteractionKind.VISIT, visit_id=visit.id)
    return visit


@pytest.fixture
def plan(network):
    """The basin's year: firms A (small), B (large), C (size unknown) contacted, D just before the
    period, E in another basin; needs in and out of the period or the basin."""
    ft, ml, cci = network["ft"], network["ml"], network["cci"]
    a = f.CompanyFactory(name="A", headcount_band="01")
    b = f.CompanyFactory(name="B", headcount_band="32")
    c = f.CompanyFactory(name="C", headcount_band="NN")
    d = f.CompanyFactory(name="D")
    e = f.CompanyFactory(name="E", basin_code=ELSEWHERE, commune_code="25056")
    contact(a, ft, datetime(2026, 3, 10, 9))
    contact(a, ft, datetime(2026, 3, 12, 9))  # the same firm again: counted once
    contact(b, ml, datetime(2026, 4, 1, 14))
    task_force(c, [ft, cci], datetime(2026, 5, 5, 8))
    contact(d, cci, datetime(2025, 12, 31, 22, 30))  # 23:30 in Paris on the eve: outside
    contact(e, ft, datetime(2026, 4, 2, 9))  # another basin
    f.VisitFactory(company=d, scheduled_at=datetime(2026, 5, 6, 8))  # planned, not done
    f.HiringNeedFactory(company=a, created_at=datetime(2026, 3, 12, 10), adviser=ft,
                        organisation=ft.organisation, status=m.NeedStatus.FILLED,
                        closed_at=datetime(2026, 6, 1, 10), hires=2)
    f.HiringNeedFactory(company=b, created_at=datetime(2025, 11, 4, 10), status=m.NeedStatus.UNFILLED,
                        closed_at=datetime(2026, 2, 1, 10), hires=0)
    f.HiringNeedFactory(company=e, basin_code=ELSEWHERE, created_at=datetime(2026, 3, 1, 10))
    plan = f.ProspectionPlanFactory(basin_code="2711", period_start=START, period_end=END)
    for indicator, target in [(m.Indicator.COMPANIES_CONTACTED, 365), (m.Indicator.COMPANIES_VISITED, 100),
                              (m.Indicator.NEEDS_COLLECTED, 50), (m.Indicator.NEEDS_FILLED, 30),
                              (m.Indicator.HIRES, 40), (m.Indicator.TPE_PME_SHARE, 70),
                              (m.Indicator.POE_ENTRIES, 10)]:
        f.PlanObjectiveFactory(plan_id=plan.id, indicator=indicator, target=target)
    return plan


def by_indicator(plan, today: date) -> dict[m.Indicator, objectives.ObjectiveProgress]:
    plan.objectives  # noqa: B018  (loaded before the figures)
    return {row.indicator: row for row in objectives.progress(plan, today)}


def test_achieved_figures_equal_the_hand_count(plan):
    found = by_indicator(plan, date(2026, 7, 1))
    achieved = {indicator: row.achieved for indicator, row in found.items()}
    assert achieved == {
        m.Indicator.COMPANIES_CONTACTED: 3,  # A, B, C: not D (the eve), not E (Besançon)
        m.Indicator.COMPANIES_VISITED: 1,  # the task force at C, once; D's visit was not done
        m.Indicator.NEEDS_COLLECTED: 1,  # A's; B's was filed before, E's elsewhere
        m.Indicator.NEEDS_FILLED: 1,
        m.Indicator.HIRES: 2,
        m.Indicator.TPE_PME_SHARE: 50,  # A small, B large, C's size unknown
        m.Indicator.POE_ENTRIES: 0,  # no training started (tests/test_training_pages.py counts them)
    }


def test_the_expected_figure_follows_the_pace_of_the_period(plan):
    found = by_indicator(plan, date(2026, 7, 1))  # 182 days of 365 gone
    assert found[m.Indicator.COMPANIES_CONTACTED].expected_to_date == 182
    assert found[m.Indicator.COMPANIES_CONTACTED].gap == 3 - 182
    assert found[m.Indicator.TPE_PME_SHARE].expected_to_date == 70  # a share has no pace
    before = by_indicator(plan, date(2025, 12, 1))[m.Indicator.HIRES]
    after = by_indicator(plan, date(2027, 3, 1))[m.Indicator.HIRES]
    assert (before.expected_to_date, after.expected_to_date) == (0, 40)


def test_each_organisation_and_adviser_gets_its_part(plan, network):
    per_organisation = {row.name: row.figures for row in objectives.contributions(plan, by_adviser=False)}
    contacted = {name: figures.get(m.Indicator.COMPANIES_CONTACTED)
                 for name, figures in per_organisation.items()}
    assert contacted == {"France Travail Dijon": 2, "Mission locale de Dijon": 1, "CCI Côte-d'Or": 1}
    assert per_organisation["CCI Côte-d'Or"][m.Indicator.COMPANIES_VISITED] == 1
    per_adviser = {row.name: row.figures for row in objectives.contributions(plan, by_adviser=True)}
    assert per_adviser["Alice Conseil"] == {
        m.Indicator.COMPANIES_CONTACTED: 2, m.Indicator.COMPANIES_VISITED: 1,
        m.Indicator.NEEDS_COLLECTED: 1, m.Indicator.NEEDS_FILLED: 1, m.Indicator.HIRES: 2}


def test_the_weekly_trend_counts_each_firm_in_the_week_it_was_first_reached(plan):
    weeks = objectives.weekly_contacts(plan, date(2026, 5, 10))
    assert weeks[0].start == date(2025, 12, 29)
    reached = {week.start: week.contacted for week in weeks if week.contacted}
    assert reached == {date(2026, 3, 9): 1, date(2026, 3, 30): 1, date(2026, 5, 4): 1}
    assert weeks[-1].start == date(2026, 5, 4) and weeks[-1].total == 3


def test_basins_side_by_side(plan, network):
    contact(f.CompanyFactory(basin_code=ELSEWHERE, commune_code="25056"), network["ft"],
            datetime(2026, 4, 3, 9))
    period = objectives.Period(START, END)
    basins = ["2711", ELSEWHERE, "2702"]
    assert objectives.achieved_by_basin(m.Indicator.COMPANIES_CONTACTED, period, basins) == {
        "2711": 3, ELSEWHERE: 2, "2702": 0}
    assert objectives.achieved_by_basin(m.Indicator.TPE_PME_SHARE, period, ["2711", "2702"]) == {
        "2711": 50, "2702": None}
