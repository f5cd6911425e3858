"""The demo data set: a believable BFC network, idempotent, with accounts that sign in."""

import json

import sqlalchemy as sa
from stdnum.fr import siret

from crm import models as m
from crm.extensions import db
from crm.services import demo


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
    from crm.services.need_workflow import late_condition

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
    assert summary["organisations"] == 69


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
    assert db.session.scalar(sa.select(sa.func.count(m.Task.id)).where(m.Task.due_on < today)) > 0
