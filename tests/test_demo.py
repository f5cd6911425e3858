"""The demo data set: a believable BFC network, idempotent, with accounts that sign in."""

import json
import re
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
from stdnum.fr import siret

from crm import models as m
from crm.demo import hiring_needs as demo_needs
from crm.demo import plans as demo_plans
from crm.demo import seed as demo
from crm.extensions import db
from crm.services.platform.local_time import local_from_utc, local_today
from crm.services.platform.working_days import is_working_day
from tests.conftest import empty_tables

UNASSIGNED_DAYS = 2  # an open need may wait in a queue without an adviser for this long at most


def table_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_seeding_twice_gives_the_same_rows():
    first = demo.seed_demo(companies=300)
    counts = table_counts()
    second = demo.seed_demo(companies=300)
    assert table_counts() == counts
    assert second == first
    assert first["companies"] == counts["companies"] == 300
    assert first["users"] == counts["users"] and first["interactions"] == counts["interactions"]
    assert counts["contacts"] > 50 and counts["interactions"] > 100
    assert counts["hiring_needs"] == first["hiring_needs"] == 60


def test_demo_needs_are_routed_followed_and_some_are_late():
    from crm.services.needs.workflow import late_condition

    demo.seed_demo(companies=300)
    statuses = set(db.session.scalars(sa.select(m.HiringNeed.status)))
    assert {m.NeedStatus.ASSIGNED, m.NeedStatus.IN_PROGRESS, m.NeedStatus.FILLED} <= statuses
    late = db.session.scalar(sa.select(sa.func.count(m.HiringNeed.id)).where(late_condition()))
    assert late > 0
    assert db.session.scalar(sa.select(sa.func.count(m.HiringNeed.id))
                             .where(m.HiringNeed.adviser_id.is_not(None))) > 40


def test_companies_have_valid_sirets_and_their_commune_basin():
    demo.seed_demo(companies=300)
    rows = db.session.execute(
        sa.select(m.Company.siret, m.Company.basin_code, m.Commune.basin_code, m.Company.naf_code,
                  m.Company.search_name, m.Company.source)
        .join(m.Commune, m.Company.commune_code == m.Commune.code)).all()
    assert len(rows) == 300
    assert all(siret.is_valid(row[0]) for row in rows)
    assert all(row[1] == row[2] for row in rows)
    assert all(row[3] and row[4] == row[4].lower() and row[5] == "demo" for row in rows)
    assert len({row[0] for row in rows}) == 300


def test_companies_follow_population_and_small_firms_dominate():
    demo.seed_demo(companies=300)
    basins = db.session.execute(
        sa.select(m.Company.basin_code, sa.func.count()).group_by(m.Company.basin_code)).all()
    by_basin = dict(basins)
    assert max(by_basin, key=by_basin.get) == "2711"
    small = db.session.scalar(sa.select(sa.func.count()).select_from(m.Company).where(
        m.Company.headcount_band.in_(["00", "01", "02", "03"])))
    assert small > 150


def test_the_network_has_every_expected_kind():
    demo.seed_demo(companies=0)
    kinds = dict(db.session.execute(
        sa.select(m.Organisation.kind, sa.func.count()).group_by(m.Organisation.kind)).all())
    kind = m.OrganisationKind
    assert kinds[kind.FRANCE_TRAVAIL] == 21
    assert kinds[kind.MISSION_LOCALE] == kinds[kind.CAP_EMPLOI] == kinds[kind.IAE] == 8
    assert kinds[kind.CCI] == kinds[kind.CMA] == 8
    assert kinds[kind.OPCO] == 3 and kinds[kind.ETT] == 2
    assert kinds[kind.APEC] == kinds[kind.URSSAF] == kinds[kind.REGION] == 1
    dijon = db.session.scalar(
        sa.select(m.Organisation).where(m.Organisation.name == "France Travail Dijon"))
    assert [b.code for b in dijon.basins] == ["2711"]
    urssaf = db.session.scalar(
        sa.select(m.Organisation).where(m.Organisation.kind == kind.URSSAF))
    assert urssaf.is_spotter and urssaf.is_regional


def test_every_role_has_an_account_and_the_admin_signs_in(auth, client):
    summary = demo.seed_demo(companies=0)
    accounts = summary["accounts"]
    assert accounts[0]["email"] == "admin@demo.crm-emploi-bfc.fr"
    assert {account["role"] for account in accounts} == {role.value for role in m.Role}
    assert auth.login(accounts[0]["email"], accounts[0]["password"]).status_code == 302
    assert client.get("/accueil").status_code == 200


def test_referents_are_advisers_of_the_firm_basin():
    demo.seed_demo(companies=300)
    rows = db.session.execute(
        sa.select(m.Company.basin_code, m.User.role, m.Organisation.kind, m.Organisation.id)
        .join(m.User, m.Company.referent_id == m.User.id)
        .join(m.Organisation, m.User.organisation_id == m.Organisation.id)).all()
    assert 20 < len(rows) < 120
    for basin, role, kind, organisation_id in rows:
        organisation = db.session.get(m.Organisation, organisation_id)
        assert role == m.Role.ADVISER and kind == m.OrganisationKind.FRANCE_TRAVAIL
        assert [b.code for b in organisation.basins] == [basin]


def test_some_firms_were_contacted_by_several_organisations():
    demo.seed_demo(companies=300)
    several = db.session.execute(
        sa.select(m.Interaction.company_id)
        .group_by(m.Interaction.company_id)
        .having(sa.func.count(sa.distinct(m.Interaction.organisation_id)) >= 2)).all()
    assert len(several) >= 5


def test_seed_demo_command_prints_accounts_and_a_summary(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split() == ["admin", "admin@demo.crm-emploi-bfc.fr", demo.PASSWORD]
    summary = json.loads(lines[-1])
    assert summary["companies"] == 2000
    assert summary["organisations"] == 74  # with the 5 Conseils départementaux (RSA pilots)


def test_demo_advisers_have_visits_some_by_task_forces_and_tasks():
    demo.seed_demo(companies=300)
    visits = db.session.scalars(sa.select(m.Visit)).all()
    assert {m.VisitStatus.DONE, m.VisitStatus.PLANNED} <= {visit.status for visit in visits}
    task_forces = [visit for visit in visits if len({p.organisation_id for p in visit.participants}) >= 2]
    assert task_forces
    done = [visit for visit in visits if visit.status == m.VisitStatus.DONE]
    in_ledger = db.session.scalars(sa.select(m.Interaction.visit_id)
                                   .where(m.Interaction.visit_id.is_not(None)))
    assert {visit.id for visit in done} == set(in_ledger)
    today = m.utcnow().date()
    assert db.session.scalar(sa.select(sa.func.count(m.FollowUp.id)).where(m.FollowUp.due_on < today)) > 0


STAFF_CONTACTS = (m.InteractionKind.CALL, m.InteractionKind.EMAIL, m.InteractionKind.VISIT,
                  m.InteractionKind.MEETING)
# Titles of executive (cadre) jobs in the ROME 4.0 labels: engineers, directors, managers.
EXECUTIVE_TITLE = re.compile(r"^(Ingénieur|Directeur|Responsable|Cadre|Contrôleur / Contrôleuse de "
                             r"gestion|Expert-comptable)")


def during_office_hours(moment: datetime) -> bool:
    """A stored time falls on a French working day, between 8:00 and 18:00 in Paris."""
    local = local_from_utc(moment)
    return is_working_day(local.date()) and time(8) <= local.time() <= time(18)


@pytest.mark.parametrize("moment", [
    datetime(2026, 6, 10, 8, 0),  # an ordinary Wednesday morning
    datetime(2026, 8, 15, 10, 0),  # a Saturday that is a public holiday (Assumption)
    datetime(2026, 12, 4, 23, 30),  # Friday night in UTC, already Saturday in Paris
])
def test_demo_visits_and_contacts_happen_on_working_days_in_office_hours(project_clock, moment):
    project_clock.travel_to(moment)
    demo.seed_demo(companies=300)
    visits = db.session.scalars(sa.select(m.Visit)).all()
    assert len(visits) > 100
    assert [v.scheduled_at for v in visits if not during_office_hours(v.scheduled_at)] == []
    contacts = db.session.scalars(sa.select(m.Interaction.occurred_at)
                                  .where(m.Interaction.kind.in_(STAFF_CONTACTS))).all()
    assert len(contacts) > 200
    assert [c for c in contacts if not during_office_hours(c)] == []
    assert all(c <= m.utcnow() for c in contacts)
    due = db.session.scalars(sa.select(m.FollowUp.due_on)).all()
    assert due and all(is_working_day(day) for day in due)
    today = local_today()
    done = {v.status for v in visits if local_from_utc(v.scheduled_at).date() < today}
    assert done == {m.VisitStatus.DONE}


def test_needs_routed_to_the_apec_ask_for_executives():
    demo.seed_demo(companies=300)
    rows = db.session.execute(
        sa.select(m.RoutingRule.target_kind, m.HiringNeed.rome_code, m.RomeCode.label,
                  m.HiringNeed.publics, m.Company.headcount_band)
        .join(m.RoutingRule, m.HiringNeed.routing_rule_id == m.RoutingRule.id)
        .join(m.RomeCode, m.HiringNeed.rome_code == m.RomeCode.code)
        .join(m.Company, m.HiringNeed.company_id == m.Company.id)).all()
    assert len(rows) == 60
    executive = [row for row in rows if row.target_kind == m.OrganisationKind.APEC]
    assert len(executive) >= 3
    for row in executive:
        assert row.rome_code in demo_needs.EXECUTIVE_JOBS + demo_needs.EXECUTIVE_FUNCTIONS
        assert EXECUTIVE_TITLE.match(row.label), row.label
        assert row.headcount_band not in {"NN", "00", "01", "02", "03"}
    others = [row for row in rows if row.target_kind != m.OrganisationKind.APEC]
    assert not [row.label for row in others if EXECUTIVE_TITLE.match(row.label)]
    for row in rows:  # each need's job is one of the jobs drawn for the public it seeks
        jobs, any_firm = demo_needs.JOBS[row.publics[0] if row.publics else ""]
        assert row.rome_code in jobs + any_firm


def test_the_curated_executive_jobs_are_executive_rome_codes():
    codes = demo_needs.EXECUTIVE_JOBS + demo_needs.EXECUTIVE_FUNCTIONS
    labels = dict(db.session.execute(
        sa.select(m.RomeCode.code, m.RomeCode.label).where(m.RomeCode.code.in_(codes))).all())
    assert set(labels) == set(codes)
    assert [label for label in labels.values() if not EXECUTIVE_TITLE.match(label)] == []
    every_job = {job for jobs, any_firm in demo_needs.JOBS.values() for job in jobs + any_firm}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.RomeCode)
                             .where(m.RomeCode.code.in_(every_job))) == len(every_job)


def test_no_demo_need_waits_without_an_adviser():
    demo.seed_demo(companies=300)
    old = m.utcnow() - timedelta(days=UNASSIGNED_DAYS)
    waiting = db.session.scalars(sa.select(m.HiringNeed.reference).where(
        m.HiringNeed.status.not_in(m.CLOSED_STATUSES), m.HiringNeed.adviser_id.is_(None),
        m.HiringNeed.created_at < old)).all()
    assert waiting == []
    kinds = set(db.session.scalars(sa.select(m.RoutingRule.target_kind).join(
        m.HiringNeed, m.HiringNeed.routing_rule_id == m.RoutingRule.id)))
    assert {m.OrganisationKind.APEC, m.OrganisationKind.IAE} <= kinds
    for need in db.session.scalars(sa.select(m.HiringNeed)):
        assert need.adviser is not None and need.adviser.organisation_id == need.organisation_id


def test_the_demo_is_the_same_when_seeded_again_from_scratch(project_clock):
    project_clock.freeze(datetime(2026, 6, 10, 8, 0))
    def needs() -> list[tuple]:
        return db.session.execute(
            sa.select(m.Company.siret, m.HiringNeed.rome_code, m.HiringNeed.publics,
                      m.HiringNeed.created_at, m.HiringNeed.status, m.User.email)
            .join(m.Company, m.HiringNeed.company_id == m.Company.id)
            .join(m.User, m.HiringNeed.adviser_id == m.User.id).order_by(m.HiringNeed.id)).all()

    def visits() -> list[tuple]:
        return db.session.execute(sa.select(m.Company.siret, m.Visit.scheduled_at, m.Visit.status)
                                  .join(m.Company).order_by(m.Visit.id)).all()

    demo.seed_demo(companies=300)
    first = (needs(), visits(), table_counts())
    empty_tables()
    demo.seed_demo(companies=300)
    assert (needs(), visits(), table_counts()) == first


def test_the_pilot_basins_have_an_active_plan_with_targets_shared_among_their_advisers():
    demo.seed_demo(companies=300)
    plans = db.session.scalars(sa.select(m.ProspectionPlan).order_by(m.ProspectionPlan.id)).all()
    active = [plan for plan in plans if plan.status == m.PlanStatus.ACTIVE]
    assert {plan.basin_code for plan in active} == set(demo_plans.PILOT_BASINS)
    assert all(plan.basin.rollout_stage == m.RolloutStage.PILOT for plan in active)
    assert [plan.status for plan in plans if plan not in active] == [m.PlanStatus.DRAFT]
    for plan in active:
        assert len(plan.objectives) == len(demo_plans.OBJECTIVES)
        assert {actor.organisation.kind for actor in plan.actors} >= {
            m.OrganisationKind.FRANCE_TRAVAIL, m.OrganisationKind.CCI}
        targets = db.session.scalars(sa.select(m.PlanTarget).where(m.PlanTarget.plan_id == plan.id)).all()
        assert targets and all(t.company.basin_code == plan.basin_code for t in targets)
        assignees = {t.assignee for t in targets}
        assert None not in assignees and len(assignees) >= 2
        assert all(plan.basin_code in {b.code for b in adviser.basins} for adviser in assignees)


def test_the_demo_has_events_with_a_double_banner_firms_and_a_waiting_list():
    demo.seed_demo(companies=300)
    events = db.session.scalars(sa.select(m.Event)).all()
    assert any(event.double_banner for event in events)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.EventCompany)) > 0
    assert db.session.scalar(sa.select(sa.func.count(m.EventRegistration.id)).where(
        m.EventRegistration.status == m.RegistrationStatus.WAITING)) > 0
