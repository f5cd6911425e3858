"""The likely-to-hire score: a pure function of a firm's facts whose explanation adds up to the
score, kept in 0..100, that more signs of hiring never lower; the batch reading the facts of many
firms with a fixed number of queries and giving each the score computed for it alone; the nightly
job, `crm scores`, and the 360° page showing the score with its factors in words."""

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from crm import models as m
from crm.extensions import db
from crm.services.plans import scoring
from crm.services.plans.scoring import FirmFacts, score_of
from crm.services.platform import unit_of_work
from crm.services.platform.local_time import local_today
from tests import factories as f
from tests.helpers import count_queries, text_of

BANDS = [None, "NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "53"]
facts_strategy = st.builds(
    FirmFacts,
    shortage_jobs=st.integers(0, 6), headcount_band=st.sampled_from(BANDS),
    recent_needs=st.integers(0, 8), recent_flags=st.integers(0, 5), past_hires=st.integers(0, 40),
    age_years=st.none() | st.integers(0, 80), growth_projects=st.integers(0, 3),
    setback_projects=st.integers(0, 3), season_share=st.floats(0, 1), active=st.booleans())
BUSY = FirmFacts(shortage_jobs=4, headcount_band="22", recent_needs=3, recent_flags=2,
                 past_hires=12, age_years=1, growth_projects=1, season_share=0.5)


def points(score: scoring.Score) -> dict[str, int]:
    return {factor.factor: factor.points for factor in score.factors}


@settings(max_examples=300, deadline=None)
@given(facts_strategy)
def test_the_explanation_adds_up_to_the_score_which_stays_in_bounds(facts):
    score = score_of(facts)
    assert 0 <= score.score <= 100
    assert sum(factor.points for factor in score.factors) == score.score
    assert all(factor.points and factor.label for factor in score.factors)
    assert score_of(facts) == score  # the same facts, the same score and explanation


@settings(max_examples=300, deadline=None)
@given(facts_strategy)
def test_more_signs_of_hiring_never_lower_the_score(facts):
    before = score_of(facts).score
    for more in ({"recent_needs": facts.recent_needs + 1}, {"recent_flags": facts.recent_flags + 1},
                 {"past_hires": facts.past_hires + 1}, {"growth_projects": facts.growth_projects + 1},
                 {"shortage_jobs": facts.shortage_jobs + 1}):
        assert score_of(replace(facts, **more)).score >= before, more


def test_a_firm_without_any_sign_scores_zero_with_an_empty_explanation():
    assert score_of(FirmFacts()) == scoring.Score(0, [])


def test_each_factor_says_its_points_in_french():
    score = score_of(FirmFacts(shortage_jobs=3, recent_needs=1, headcount_band="12"))
    assert points(score) == {"shortage_sector": 20, "recent_needs": 12, "size": 10}
    assert score.score == 42
    assert scoring.described([vars(factor) for factor in score.factors]) == (
        "secteur en tension : +20, 1 besoin récent : +12, taille de l'établissement : +10")


def test_the_cap_is_a_factor_of_its_own():
    score = score_of(BUSY)
    assert score.score == 100
    assert score.factors[-1].factor == "cap" and score.factors[-1].label == "plafond de 100"
    assert score.factors[-1].points < 0


def test_a_recent_difficulty_lowers_the_score_but_never_below_zero():
    assert points(score_of(FirmFacts(recent_needs=1, setback_projects=1)))["setback_project"] == -10
    assert score_of(FirmFacts(recent_needs=1, setback_projects=1)).score == 2
    floored = score_of(FirmFacts(setback_projects=1))
    assert floored.score == 0 and points(floored) == {"setback_project": -10, "floor": 10}


def test_a_closed_establishment_scores_zero_and_says_why():
    score = score_of(replace(BUSY, active=False))
    assert score.score == 0
    assert score.factors[-1].label == "établissement fermé" and score.factors[-1].points < 0
    assert sum(factor.points for factor in score.factors) == 0


def test_young_firms_get_points_that_fade_with_age():
    assert [score_of(FirmFacts(age_years=age)).score for age in (0, 1, 3, 5, 30)] == [8, 8, 5, 0, 0]


def test_the_coming_months_wrap_around_the_year():
    assert scoring.coming_months(date(2026, 11, 20)) == {11, 12, 1}


# --- the facts read from the database ---------------------------------------------------------


@pytest.fixture
def spotter():
    return f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI, is_spotter=True)


def busy_firm(spotter: m.Organisation) -> m.Company:
    """A young firm of the building trade (a shortage sector) with needs, flags, hires, a project."""
    company = f.CompanyFactory(naf_code="43.21A", headcount_band="12",
                               created_on=local_today() - timedelta(days=400))
    f.HiringNeedFactory(company=company)
    flagged = f.HiringNeedFactory(company=company, source=m.NeedSource.SPOTTER,
                                  source_organisation=spotter)
    db.session.add(m.NeedContribution(need_id=flagged.id, organisation_id=spotter.id))
    f.HiringNeedFactory(company=company, status=m.NeedStatus.FILLED, hires=4,
                        created_at=m.utcnow() - timedelta(days=500))
    f.CompanyProjectFactory(company=company, kind=m.ProjectKind.EXPANSION)
    f.CompanyProjectFactory(company=company, kind=m.ProjectKind.DIFFICULTY,
                            occurred_on=local_today() - timedelta(days=500))  # not recent
    db.session.flush()
    return company


def test_the_facts_of_a_firm_come_from_its_needs_flags_hires_and_projects(spotter):
    company = busy_firm(spotter)
    facts = scoring.facts_of([company.id], scoring.Context.now())[company.id]
    assert facts.recent_needs == 2  # the filled need was filed 500 days ago
    assert facts.recent_flags == 2  # the spotter's need and its contribution
    assert facts.past_hires == 4
    assert (facts.growth_projects, facts.setback_projects) == (1, 0)
    assert facts.age_years == 1 and facts.headcount_band == "12"
    assert facts.shortage_jobs == 3  # division 43: roofer, electrician, plumber…


def test_a_sector_hiring_in_the_coming_months_gets_seasonal_points():
    company = f.CompanyFactory(naf_code="56.10A")
    for _ in range(scoring.SEASON_MIN_NEEDS):
        f.HiringNeedFactory(company=f.CompanyFactory(naf_code="56.10A"))  # all filed this month
    facts = scoring.facts_of([company.id], scoring.Context.now())[company.id]
    assert facts.season_share == 1.0
    assert points(score_of(facts))["season"] == 10


def stored() -> dict[int, tuple[int, list[dict]]]:
    db.session.expire_all()
    return {row.company_id: (row.score, row.factors)
            for row in db.session.scalars(sa.select(m.CompanyScore))}


def test_the_batch_stores_for_each_firm_the_score_computed_for_it_alone(spotter):
    firms = [busy_firm(spotter), f.CompanyFactory(headcount_band="00"),
             f.CompanyFactory(naf_code=None, headcount_band=None)]
    f.CompanyProjectFactory(company=firms[1], kind=m.ProjectKind.RESTRUCTURING)
    assert sum(scoring.refresh_scores(size=2)) == 3
    unit_of_work.commit()
    rows = stored()
    for company in firms:
        alone = scoring.score_of_company(company.id)
        assert rows[company.id] == (alone.score, [vars(factor) for factor in alone.factors])
    assert rows[firms[0].id][0] > rows[firms[2].id][0]


def test_the_batch_replaces_older_scores_and_takes_ids(spotter):
    company, other = f.CompanyFactory(), f.CompanyFactory()
    f.CompanyScoreFactory(company=company, score=99, computed_at=m.utcnow() - timedelta(days=3))
    unit_of_work.commit()
    assert sum(scoring.refresh_scores([company.id, company.id, 123456])) == 1
    unit_of_work.commit()
    rows = stored()
    assert set(rows) == {company.id} and rows[company.id][0] == score_of(
        scoring.facts_of([company.id], scoring.Context.now())[company.id]).score
    assert db.session.get(m.CompanyScore, company.id).computed_at > m.utcnow() - timedelta(minutes=1)
    assert other.id not in rows


def queries_to_score(count: int, spotter: m.Organisation) -> int:
    for _ in range(count):
        busy_firm(spotter)
    unit_of_work.commit()
    with count_queries() as statements:
        sum(scoring.refresh_scores())
    return len(statements)


def test_the_batch_runs_as_many_queries_for_thirty_firms_as_for_three(spotter):
    few = queries_to_score(3, spotter)
    db.session.execute(sa.delete(m.CompanyScore))
    assert queries_to_score(27, spotter) == few


def test_the_nightly_job_is_scheduled_and_stores_every_score(app):
    from jobs.scoring import refresh_scores
    from jobs.worker import scheduled

    jobs = {job.func_name: job for job in scheduled(app).get_jobs()}
    assert jobs["jobs.scoring.refresh_scores"].cron == "0 2 * * *"
    companies = f.CompanyFactory.create_batch(3)
    assert refresh_scores() == 3
    db.session.rollback()  # what the job committed stays
    assert set(stored()) == {company.id for company in companies}


def test_crm_scores_computes_now_and_reports(runner):
    company = f.CompanyFactory()
    f.CompanyFactory()
    unit_of_work.commit()
    result = runner.invoke(args=["scores", str(company.id)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["scores"] == 1
    result = runner.invoke(args=["scores"])
    assert json.loads(result.output.strip().splitlines()[-1])["scores"] == 2


# --- the 360° page ----------------------------------------------------------------------------


def test_the_company_page_shows_the_score_and_its_strongest_factors(auth, adviser, client, spotter):
    company = busy_firm(spotter)
    sum(scoring.refresh_scores([company.id]))
    unit_of_work.commit()
    score = db.session.get(m.CompanyScore, company.id)
    auth.login(adviser)
    text = text_of(client, f"/entreprises/{company.id}")
    assert f"Probabilité d'embauche : {score.score}/100 — secteur en tension : +20" in text
    assert "2 besoins récents : +18" in text and "projet de développement récent : +15" in text
    assert "Calculée le" in text
    for factor in score.factors:
        assert f"{factor['label']} : {factor['points']:+d}" in text


def test_a_firm_not_yet_scored_says_when_it_will_be(auth, adviser, client):
    auth.login(adviser)
    assert "Pas encore calculée" in text_of(client, f"/entreprises/{f.CompanyFactory().id}")


def test_partners_do_not_see_the_score(auth, client, spotter):
    company = f.CompanyFactory()
    f.CompanyScoreFactory(company=company)
    auth.login(f.UserFactory(organisation=spotter, role=m.Role.PARTNER))
    assert "Probabilité d'embauche" not in text_of(client, f"/entreprises/{company.id}")
