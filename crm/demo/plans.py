"""Demo prospection plans: the pilot basins' fiches actions, with objectives, actors, a calendar
and a target list shared among the basin's advisers (once)."""

from datetime import date, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Basin,
    Committee,
    CommitteeLevel,
    Commune,
    Company,
    Indicator,
    Organisation,
    OrganisationKind,
    PlanActor,
    PlanObjective,
    PlanStatus,
    PlanTarget,
    ProspectionPlan,
    ReportSchedule,
    Role,
    RolloutStage,
    User,
)
from crm.services.platform.local_time import local_today
from crm.services.routing.engine import covering_organisation

# The protocol tests the reinforced plan on 2-3 basins before rolling it out.
PILOT_BASINS = ("2711", "2706", "2702")
DRAFT_BASIN = "2718"
TARGETS_PER_PLAN = 40
TPE_PME_BANDS = ("01", "02", "03", "11", "12", "21", "22", "31")  # 1 to 249 employees
OBJECTIVES = {
    Indicator.COMPANIES_CONTACTED: 400, Indicator.COMPANIES_VISITED: 120,
    Indicator.NEEDS_COLLECTED: 150, Indicator.NEEDS_FILLED: 90, Indicator.HIRES: 110,
    Indicator.TPE_PME_SHARE: 70,
}
ROLES = {
    OrganisationKind.FRANCE_TRAVAIL: "Pilote du plan ; visites en task force et suivi jusqu'au "
                                     "recrutement.",
    OrganisationKind.MISSION_LOCALE: "Positionnement des jeunes ; co-animation des job datings.",
    OrganisationKind.CAP_EMPLOI: "Recrutements inclusifs ; sensibilisation des employeurs.",
    OrganisationKind.CCI: "Repérage des besoins des commerces et de l'industrie ; listes à vérifier.",
    OrganisationKind.CMA: "Repérage des besoins des artisans ; relais auprès des créateurs.",
}
METHODS = ("Visites en binôme France Travail – Mission locale des entreprises cibles ; "
           "repérage partagé avec les chambres consulaires ; promotion de la POE et de l'AFEST.")
RESOURCES = "Deux conseillers entreprises à mi-temps ; enveloppe POE du bassin ; salle pour les job datings."


def plan_period(today: date) -> tuple[date, date]:
    """The calendar year of the demo's today."""
    return date(today.year, 1, 1), date(today.year, 12, 31)


def milestones(start: date, end: date) -> list[dict]:
    steps = ((start, "Lancement du plan en comité de bassin"),
             (start + (end - start) / 2, "Point d'étape à mi-parcours"),
             (end - timedelta(days=15), "Bilan et préparation du plan suivant"))
    return [{"date": day.isoformat(), "label": label} for day, label in steps]


def main_department(basin: str) -> str | None:
    """The département holding most of the basin's communes."""
    return db.session.scalar(
        sa.select(Commune.department_code).where(Commune.basin_code == basin)
        .group_by(Commune.department_code).order_by(sa.func.count().desc()).limit(1))


def actors_of(basin: str) -> list[Organisation]:
    """The organisation of each kind the plan gives a role to covering the basin."""
    department = main_department(basin)
    found = (covering_organisation(kind, basin, department)[0] for kind in ROLES)
    return [organisation for organisation in found if organisation is not None]


def advisers_of(basin: str) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(User.organisation)
        .where(User.role == Role.ADVISER, User.active, User.basins.any(Basin.code == basin),
               Organisation.kind == OrganisationKind.FRANCE_TRAVAIL)
        .order_by(User.id)))


def add_targets(plan: ProspectionPlan, team: list[User]) -> None:
    """Small and medium firms of the basin with employees, shared in turn among the advisers."""
    companies = db.session.scalars(
        sa.select(Company).where(Company.basin_code == plan.basin_code, Company.active,
                                 Company.headcount_band.in_(TPE_PME_BANDS))
        .order_by(Company.id).limit(TARGETS_PER_PLAN)).all()
    for index, company in enumerate(companies):
        db.session.add(PlanTarget(
            plan_id=plan.id, company_id=company.id, priority=1 + index % 3,
            assignee_id=team[index % len(team)].id if team else None))


def add_plan(basin: Basin, status: PlanStatus, today: date) -> ProspectionPlan:
    start, end = plan_period(today)
    plan = ProspectionPlan(
        basin_code=basin.code, name=f"Plan de prospection renforcée – {basin.name} {start.year}",
        period_start=start, period_end=end, status=status,
        priority_segments=["growing", "new_establishments", "tpe_pme_difficulties"],
        priority_sectors=["C", "F", "I", "Q"], methods=METHODS, resources=RESOURCES,
        milestones=milestones(start, end))
    plan.objectives = [PlanObjective(indicator=indicator, target=target)
                       for indicator, target in OBJECTIVES.items()]
    plan.actors = [PlanActor(organisation_id=organisation.id, role=ROLES[organisation.kind])
                   for organisation in actors_of(basin.code)]
    db.session.add(plan)
    db.session.flush()
    return plan


def seed_plans() -> None:
    """Pilot basins get an active plan with targets; one other basin has a draft (once)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(ProspectionPlan)):
        return
    today = local_today()
    for code in PILOT_BASINS:
        basin = db.session.get(Basin, code)
        if basin is None:
            continue
        basin.rollout_stage = RolloutStage.PILOT
        add_targets(add_plan(basin, PlanStatus.ACTIVE, today), advisers_of(code))
    draft = db.session.get(Basin, DRAFT_BASIN)
    if draft is not None:
        draft.rollout_stage = RolloutStage.ROLLOUT
        add_plan(draft, PlanStatus.DRAFT, today)
    db.session.flush()


def seed_committees() -> None:
    """The committee of each pilot basin and of the Côte-d'Or, with two members each (once); the
    département's committee gets its report every two months, e-mailed to its members."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Committee)):
        return
    areas = [(CommitteeLevel.DEPARTEMENT, "21", "Comité départemental de la Côte-d'Or")]
    scheduled = {"21": ReportSchedule.EVERY_TWO_MONTHS}
    for code in PILOT_BASINS:
        basin = db.session.get(Basin, code)
        if basin is not None:
            areas.append((CommitteeLevel.BASIN, code, f"Comité local de {basin.name}"))
    for level, code, name in areas:
        db.session.add(Committee(level=level, code=code, name=name, members=[
            f"comite-{code}.elu@demo.crm-emploi-bfc.fr",
            f"comite-{code}.secretariat@demo.crm-emploi-bfc.fr"],
            schedule=scheduled.get(code, ReportSchedule.NONE), schedule_day=5,
            schedule_mail=code in scheduled))
    db.session.flush()
