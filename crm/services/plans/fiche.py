"""The fiche action of a basin's prospection plan: writing it, who may write and read it.

The protocol asks each basin for a "plan de prospection renforcée, incluant les priorités et cibles
… volumes visés", tested on 2-3 basins then rolled out. Managers write the plans of the basins they
follow, admins any plan; staff read every plan; partners read the active plans of the basins their
organisation covers (never their targets).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Basin,
    Commune,
    Indicator,
    Organisation,
    PlanActor,
    PlanObjective,
    PlanStatus,
    ProspectionPlan,
    Role,
    User,
)
from crm.services.accounts import access
from crm.services.platform import audit
from crm.services.platform.concurrency import ensure_version
from crm.services.platform.refusals import Refused

# The protocol's priority segments, in its words.
PRIORITY_SEGMENTS = {
    "region_identified": "Entreprises identifiées par la Région",
    "restructuring": "Entreprises en restructuration",
    "growing": "Entreprises en croissance",
    "new_establishments": "Nouveaux établissements",
    "young_firms": "Créations et reprises de moins de 2 ans",
    "likely_to_hire": "Entreprises susceptibles de recruter dans l'année",
    "tpe_pme_difficulties": "TPE-PME en difficulté de recrutement",
}
NAF_SECTIONS = {
    "A": "Agriculture, sylviculture et pêche", "B": "Industries extractives",
    "C": "Industrie manufacturière", "D": "Électricité, gaz, vapeur", "E": "Eau, déchets, dépollution",
    "F": "Construction", "G": "Commerce, réparation d'automobiles", "H": "Transports et entreposage",
    "I": "Hébergement et restauration", "J": "Information et communication",
    "K": "Activités financières et d'assurance", "L": "Activités immobilières",
    "M": "Activités spécialisées, scientifiques et techniques",
    "N": "Activités de services administratifs et de soutien", "O": "Administration publique",
    "P": "Enseignement", "Q": "Santé humaine et action sociale",
    "R": "Arts, spectacles et activités récréatives", "S": "Autres activités de services",
    "T": "Activités des ménages", "U": "Activités extra-territoriales",
}
STALE_PLAN = ("Ce plan a été modifié par quelqu'un d'autre pendant que vous le modifiiez : "
              "rechargez la page pour voir sa dernière version.")
MAX_PERIOD = timedelta(days=3 * 366)
MAX_MILESTONES = 24
MAX_TEXT = 5000


class PlanRefused(Refused):
    """A plan that cannot be saved as written, with the French reason and the field."""


@dataclass(frozen=True)
class Milestone:
    day: date | None
    label: str


@dataclass(frozen=True)
class ActorRole:
    organisation_id: int
    role: str


@dataclass
class PlanInput:
    """A fiche action as written in the form or sent through the API."""

    title: str
    basin_code: str
    period_start: date
    period_end: date
    status: PlanStatus = PlanStatus.DRAFT
    objectives: dict[Indicator, int] = field(default_factory=dict)
    priority_segments: list[str] = field(default_factory=list)
    priority_sectors: list[str] = field(default_factory=list)
    methods: str = ""
    resources: str = ""
    actors: list[ActorRole] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)


def covers(user: User, basin_code: str) -> bool:
    return basin_code in {basin.code for basin in user.basins}


def can_write_plan(user: User, basin_code: str) -> bool:
    """Admins write any plan; managers the plans of the basins they follow."""
    return access.is_admin(user) or (user.role == Role.MANAGER and covers(user, basin_code))


def can_write_plans(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.MANAGER)


def partner_basins(user: User) -> set[str] | None:
    """The basins a partner's organisation covers; None when it covers the whole region."""
    organisation = user.organisation
    if organisation.is_regional:
        return None
    codes = {basin.code for basin in organisation.basins}
    if organisation.departments:
        departments = [department.code for department in organisation.departments]
        codes |= set(db.session.scalars(sa.select(Commune.basin_code).distinct().where(
            Commune.department_code.in_(departments))))
    return codes


def can_read_plan(user: User, plan: ProspectionPlan) -> bool:
    if access.is_staff(user):
        return True
    if plan.status != PlanStatus.ACTIVE:
        return False
    basins = partner_basins(user)
    return basins is None or plan.basin_code in basins


def can_read_targets(user: User) -> bool:
    return access.is_staff(user)


def readable_plans(user: User) -> sa.Select:
    """The plans the user may read, newest period first."""
    query = sa.select(ProspectionPlan).order_by(ProspectionPlan.period_start.desc(),
                                                ProspectionPlan.id.desc())
    if access.is_staff(user):
        return query
    query = query.where(ProspectionPlan.status == PlanStatus.ACTIVE)
    basins = partner_basins(user)
    return query if basins is None else query.where(ProspectionPlan.basin_code.in_(basins))


def check_text(data: PlanInput) -> None:
    title = data.title.strip()
    if not title:
        raise PlanRefused("Donnez un titre au plan.", "title")
    if len(title) > 160:
        raise PlanRefused("Le titre ne doit pas dépasser 160 caractères.", "title")
    for name, value in (("methods", data.methods), ("resources", data.resources)):
        if len(value) > MAX_TEXT:
            raise PlanRefused(f"Ce texte ne doit pas dépasser {MAX_TEXT} caractères.", name)


def check_period(data: PlanInput) -> None:
    if data.period_end < data.period_start:
        raise PlanRefused("La fin de la période doit suivre son début.", "period_end")
    if data.period_end - data.period_start > MAX_PERIOD:
        raise PlanRefused("Un plan couvre trois ans au plus : découpez-le en plusieurs plans.",
                          "period_end")


def check_objectives(data: PlanInput) -> None:
    for indicator, target in data.objectives.items():
        if target <= 0:
            raise PlanRefused(f"L'objectif « {indicator.label} » doit être un nombre positif.",
                              "objectives")
        if indicator == Indicator.TPE_PME_SHARE and target > 100:
            raise PlanRefused("La part de TPE-PME est un pourcentage : 100 au plus.", "objectives")


def check_choices(data: PlanInput) -> None:
    if unknown := set(data.priority_segments) - set(PRIORITY_SEGMENTS):
        raise PlanRefused(f"Segment prioritaire inconnu : {', '.join(sorted(unknown))}.",
                          "priority_segments")
    if unknown := set(data.priority_sectors) - set(NAF_SECTIONS):
        raise PlanRefused(f"Secteur inconnu : {', '.join(sorted(unknown))}.", "priority_sectors")


def check_milestones(data: PlanInput) -> None:
    if len(data.milestones) > MAX_MILESTONES:
        raise PlanRefused(f"Le calendrier compte {MAX_MILESTONES} étapes au plus.", "milestones")
    margin = timedelta(days=92)
    for milestone in data.milestones:
        if not milestone.label.strip():
            raise PlanRefused("Chaque étape du calendrier a un libellé.", "milestones")
        if milestone.day is None:
            raise PlanRefused(f"Datez l'étape « {milestone.label} ».", "milestones")
        if len(milestone.label) > 200:
            raise PlanRefused("Le libellé d'une étape ne doit pas dépasser 200 caractères.",
                              "milestones")
        if not data.period_start - margin <= milestone.day <= data.period_end + margin:
            raise PlanRefused(f"L'étape « {milestone.label} » est datée loin de la période du plan.",
                              "milestones")


def actor_organisations(data: PlanInput) -> dict[int, Organisation]:
    ids = [actor.organisation_id for actor in data.actors]
    if len(set(ids)) != len(ids):
        raise PlanRefused("Chaque organisation ne figure qu'une fois parmi les acteurs.", "actors")
    found = {o.id: o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(ids), Organisation.active))}
    if len(found) != len(ids):
        raise PlanRefused("Un des acteurs n'est pas une organisation active du réseau.", "actors")
    for actor in data.actors:
        if len(actor.role) > 500:
            raise PlanRefused("Le rôle d'un acteur ne doit pas dépasser 500 caractères.", "actors")
    return found


def check(data: PlanInput, user: User) -> None:
    check_text(data)
    if db.session.get(Basin, data.basin_code) is None:
        raise PlanRefused("Choisissez un bassin d'emploi de la région.", "basin_code")
    if not can_write_plan(user, data.basin_code):
        raise PlanRefused("Vous ne pouvez écrire que les plans des bassins que vous suivez.",
                          "basin_code")
    check_period(data)
    check_objectives(data)
    check_choices(data)
    check_milestones(data)


def fill(plan: ProspectionPlan, data: PlanInput) -> None:
    plan.name, plan.basin_code, plan.status = data.title.strip(), data.basin_code, data.status
    plan.period_start, plan.period_end = data.period_start, data.period_end
    plan.priority_segments = list(data.priority_segments)
    plan.priority_sectors = list(data.priority_sectors)
    plan.methods, plan.resources = data.methods.strip() or None, data.resources.strip() or None
    dated = [(m.day, m.label.strip()) for m in data.milestones if m.day is not None]
    plan.milestones = [{"date": day.isoformat(), "label": label} for day, label in sorted(dated)]
    kept = {objective.indicator: objective for objective in plan.objectives}
    plan.objectives = [kept.get(indicator) or PlanObjective(indicator=indicator)
                       for indicator in Indicator if indicator in data.objectives]
    for objective in plan.objectives:
        objective.target = data.objectives[objective.indicator]
    roles = {actor.organisation_id: actor.role.strip() or None for actor in data.actors}
    current = {actor.organisation_id: actor for actor in plan.actors}
    plan.actors = [current.get(id_) or PlanActor(organisation_id=id_) for id_ in roles]
    for actor in plan.actors:
        actor.role = roles[actor.organisation_id]


def summary(plan: ProspectionPlan) -> dict:
    """What the audit trail keeps of a plan."""
    return {"title": plan.name, "basin": plan.basin_code, "status": plan.status.value,
            "period": [plan.period_start.isoformat(), plan.period_end.isoformat()],
            "objectives": {o.indicator.value: o.target for o in plan.objectives},
            "actors": sorted(a.organisation_id for a in plan.actors)}


def create_plan(data: PlanInput, user: User) -> ProspectionPlan:
    check(data, user)
    actor_organisations(data)
    plan = ProspectionPlan(created_by_id=user.id)
    fill(plan, data)
    db.session.add(plan)
    db.session.flush()
    audit.record(user, "plan_created", plan, summary(plan))
    return plan


def update_plan(plan: ProspectionPlan, data: PlanInput, user: User,
                seen_version: int | None) -> ProspectionPlan:
    """Save a new version of the fiche; refused if someone saved it since it was opened."""
    ensure_version(plan, seen_version, STALE_PLAN)
    if not can_write_plan(user, plan.basin_code):
        raise PlanRefused("Vous ne pouvez modifier que les plans des bassins que vous suivez.")
    check(data, user)
    if plan.status == PlanStatus.CLOSED and data.status == PlanStatus.DRAFT:
        raise PlanRefused("Un plan clos ne redevient pas un brouillon : rouvrez-le « en cours ».",
                          "status")
    actor_organisations(data)
    before = summary(plan)
    fill(plan, data)
    db.session.flush()
    after = summary(plan)
    audit.record(user, "plan_updated", plan,
                 {key: [before[key], after[key]] for key in after if before[key] != after[key]})
    return plan
