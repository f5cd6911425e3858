"""A plan's target list: firms added from a segment or by SIRET, removed, assigned by hand or
shared evenly among the plan's advisers, and the two outcomes an adviser sets by hand.

A target's status is derived in SQL from what happened to the firm since it was added
(`status_expression`), first match wins:

1. "pas intéressée" / "injoignable": the outcome an adviser recorded;
2. "besoin recueilli": a hiring need of the firm was filed since the target was added;
3. "visitée": a visit of the firm, done ("réalisée"), dated since then;
4. "contactée": a contact in the shared ledger since then (call, e-mail, visit, meeting, event,
   by any organisation; the employer's own requests and partners' flags are not contacts);
5. "à contacter" otherwise.

Who may do what: admins and the managers of the plan's basin build the list (add, remove,
assign); staff read it; an adviser sets the outcome of the targets assigned to them. Partners
never see targets. Every change is in the audit trail.
"""

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import (
    Basin,
    Company,
    HiringNeed,
    Interaction,
    Organisation,
    PlanActor,
    PlanStatus,
    PlanTarget,
    ProspectionPlan,
    Role,
    TargetOutcome,
    TargetStatus,
    User,
    Visit,
    VisitStatus,
)
from crm.models.base import utcnow
from crm.services.accounts import access
from crm.services.companies.pressure import CONTACT_KINDS
from crm.services.plans import fiche, segments
from crm.services.platform import audit
from crm.services.platform.refusals import InvalidInput, Refused

MAX_SIRETS = 500
DEFAULT_PRIORITY = 2


@dataclass(frozen=True)
class SiretsAdded:
    added: list[str]
    already: list[str]
    unknown: list[str]


@dataclass(frozen=True)
class SegmentAdded:
    added: int
    already: int


@dataclass(frozen=True)
class TargetRow:
    target: PlanTarget
    status: TargetStatus
    plan: ProspectionPlan


@dataclass(frozen=True)
class TargetFilters:
    plan_id: int | None = None
    status: TargetStatus | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    active_plans_only: bool = False


# Who may


def can_build(user: User, plan: ProspectionPlan) -> bool:
    """Build segments and the target list, assign targets: whoever writes the plan (admins,
    managers of its basin)."""
    return fiche.can_write_plan(user, plan.basin_code)


can_read_targets = fiche.can_read_targets


def can_set_outcome(user: User, plan: ProspectionPlan, target: PlanTarget) -> bool:
    return can_build(user, plan) or (access.is_staff(user) and target.assignee_id == user.id)


# The derived status


def status_expression() -> ColumnElement[str]:
    """SQL: the target's status, from its outcome, then the needs, visits and contacts of its firm
    since it was added."""
    since_added = PlanTarget.added_at
    need = sa.exists().where(HiringNeed.company_id == PlanTarget.company_id,
                             HiringNeed.created_at >= since_added)
    visit = sa.exists().where(Visit.company_id == PlanTarget.company_id,
                              Visit.status == VisitStatus.DONE, Visit.scheduled_at >= since_added)
    contact = sa.exists().where(Interaction.company_id == PlanTarget.company_id,
                                Interaction.kind.in_(CONTACT_KINDS),
                                Interaction.occurred_at >= since_added)
    return sa.case(
        (PlanTarget.outcome.is_not(None), sa.cast(PlanTarget.outcome, sa.String)),
        (need, TargetStatus.NEED_FOUND.value),
        (visit, TargetStatus.VISITED.value),
        (contact, TargetStatus.CONTACTED.value),
        else_=TargetStatus.TO_CONTACT.value,
    )


def targets_query(filters: TargetFilters) -> sa.Select:
    """(target with its firm and assignee, status, plan) rows, by priority then firm name."""
    status = status_expression().label("status")
    query = (sa.select(PlanTarget, status, ProspectionPlan)
             .join(PlanTarget.company)
             .join(ProspectionPlan, ProspectionPlan.id == PlanTarget.plan_id)
             .options(contains_eager(PlanTarget.company), joinedload(PlanTarget.assignee))
             .order_by(PlanTarget.priority, Company.search_name, PlanTarget.id))
    if filters.plan_id is not None:
        query = query.where(PlanTarget.plan_id == filters.plan_id)
    if filters.status is not None:
        query = query.where(status_expression() == filters.status.value)
    if filters.assignee_id is not None:
        query = query.where(PlanTarget.assignee_id == filters.assignee_id)
    if filters.unassigned:
        query = query.where(PlanTarget.assignee_id.is_(None))
    if filters.active_plans_only:
        query = query.where(ProspectionPlan.status == PlanStatus.ACTIVE)
    return query


def rows_of(results: Iterable) -> list[TargetRow]:
    return [TargetRow(target, TargetStatus(status), plan) for target, status, plan in results]


def status_of(target: PlanTarget) -> TargetStatus:
    query = sa.select(status_expression()).where(PlanTarget.id == target.id)
    return TargetStatus(db.session.execute(query).scalar_one())


def status_counts(plan: ProspectionPlan) -> dict[TargetStatus, int]:
    """How many of the plan's targets are at each status, every status listed."""
    status = status_expression().label("status")
    inner = sa.select(status).where(PlanTarget.plan_id == plan.id).subquery()
    counted = sa.select(inner.c.status.label("status"), sa.func.count().label("number"))
    found = {TargetStatus(row.status): int(row.number)
             for row in db.session.execute(counted.group_by(inner.c.status))}
    return {member: found.get(member, 0) for member in TargetStatus}


# Adding and removing


def normalised_sirets(raw: object) -> list[str]:
    """The SIRETs of a request, spaces removed, each once; refused when not a list of 14 digits."""
    if not isinstance(raw, list) or not raw:
        raise Refused("Indiquez une liste de SIRET.", field="sirets")
    if len(raw) > MAX_SIRETS:
        raise Refused(f"Pas plus de {MAX_SIRETS} SIRET à la fois.", field="sirets")
    sirets, wrong = [], []
    for item in raw:
        siret = item.replace(" ", "") if isinstance(item, str) else ""
        if len(siret) == 14 and siret.isascii() and siret.isdigit():
            sirets.append(siret)
        else:
            wrong.append(str(item)[:20])
    if wrong:
        raise Refused(f"Un SIRET compte 14 chiffres : {', '.join(wrong[:5])}.", field="sirets")
    return list(dict.fromkeys(sirets))


def add_sirets(plan: ProspectionPlan, raw_sirets: object, actor: User,
               now: datetime | None = None) -> SiretsAdded:
    """Add these establishments to the plan's targets: which were added, were already targets,
    or are unknown to the CRM."""
    sirets = normalised_sirets(raw_sirets)
    known = dict(db.session.execute(sa.select(Company.siret, Company.id)
                                    .where(Company.siret.in_(sirets))).all())
    targeted = set(db.session.scalars(sa.select(PlanTarget.company_id).where(
        PlanTarget.plan_id == plan.id, PlanTarget.company_id.in_(known.values()))))
    added = [siret for siret in sirets if siret in known and known[siret] not in targeted]
    now = now or utcnow()
    db.session.add_all(PlanTarget(plan_id=plan.id, company_id=known[siret], priority=DEFAULT_PRIORITY,
                                  added_at=now, added_by_id=actor.id) for siret in added)
    result = SiretsAdded(added=added,
                         already=[s for s in sirets if s in known and known[s] in targeted],
                         unknown=[s for s in sirets if s not in known])
    audit.record(actor, "targets_added", plan, {"sirets": added, "already": len(result.already),
                                                "unknown": len(result.unknown)})
    db.session.flush()
    return result


def add_segment(plan: ProspectionPlan, criteria: segments.Criteria, actor: User,
                now: datetime | None = None) -> SegmentAdded:
    """Add every firm of the segment that is not a target yet, in one INSERT … SELECT."""
    now = now or utcnow()
    targeted = sa.select(PlanTarget.id).where(PlanTarget.plan_id == plan.id,
                                              PlanTarget.company_id == Company.id).exists()
    matching = segments.conditions(criteria, now)
    already = db.session.scalar(sa.select(sa.func.count()).select_from(Company)
                                .where(*matching, targeted)) or 0
    rows = (sa.select(sa.literal(plan.id), Company.id, sa.literal(DEFAULT_PRIORITY),
                      sa.literal(now, sa.DateTime()), sa.literal(actor.id))
            .where(*matching, ~targeted))
    insert = sa.insert(PlanTarget.__table__).from_select(
        ["plan_id", "company_id", "priority", "added_at", "added_by_id"], rows)
    added = len(db.session.execute(insert.returning(PlanTarget.__table__.c.id)).all())
    audit.record(actor, "targets_added", plan, {"segment": criteria.to_dict(), "added": added,
                                                "already": already})
    db.session.flush()
    return SegmentAdded(added=added, already=already)


def remove_target(target: PlanTarget, actor: User) -> None:
    audit.record(actor, "target_removed", target, {"plan_id": target.plan_id,
                                                   "company_id": target.company_id})
    db.session.delete(target)
    db.session.flush()


def targets_of(plan: ProspectionPlan, target_ids: list[int]) -> list[PlanTarget]:
    """The plan's targets among these ids (others are ignored)."""
    if not target_ids:
        raise Refused("Cochez au moins une entreprise de la liste.", field="targets")
    return list(db.session.scalars(sa.select(PlanTarget).where(
        PlanTarget.plan_id == plan.id, PlanTarget.id.in_(target_ids)).order_by(PlanTarget.id)))


# Assigning


def plan_advisers(plan: ProspectionPlan) -> list[User]:
    """The active advisers of the organisations taking part in the plan; without any, those of
    the plan's basin (their own basins or their organisation's)."""
    advisers = sa.select(User).where(User.role == Role.ADVISER, User.active).order_by(User.name, User.id)
    actors = sa.select(PlanActor.organisation_id).where(PlanActor.plan_id == plan.id)
    found = list(db.session.scalars(advisers.where(User.organisation_id.in_(actors))))
    if found:
        return found
    in_basin = sa.or_(User.basins.any(Basin.code == plan.basin_code),
                      User.organisation.has(Organisation.basins.any(Basin.code == plan.basin_code)))
    return list(db.session.scalars(advisers.where(in_basin)))


def adviser_for(plan: ProspectionPlan, assignee_id: int) -> User:
    chosen = next((user for user in plan_advisers(plan) if user.id == assignee_id), None)
    if chosen is None:
        raise Refused("Choisissez un conseiller des organisations du plan.", field="assignee")
    return chosen


def assign(plan: ProspectionPlan, target_ids: list[int], assignee_id: int | None,
           actor: User) -> int:
    """Give these targets to an adviser of the plan (None: nobody); how many were given."""
    chosen = adviser_for(plan, assignee_id) if assignee_id is not None else None
    chosen_targets = targets_of(plan, target_ids)
    for target in chosen_targets:
        target.assignee_id = chosen.id if chosen else None
    audit.record(actor, "targets_assigned", plan, {
        "targets": [t.id for t in chosen_targets], "assignee_id": chosen.id if chosen else None})
    db.session.flush()
    return len(chosen_targets)


def balance(plan: ProspectionPlan, actor: User) -> dict[int, int]:
    """Share the unassigned targets among the plan's advisers, each to whoever has the fewest
    targets in the plan (ties: by name, then id), highest priority and name first. Returns
    adviser id → targets given."""
    advisers = plan_advisers(plan)
    if not advisers:
        raise Refused("Aucun conseiller n'est rattaché aux organisations du plan ni à son bassin.")
    loads = dict(db.session.execute(
        sa.select(PlanTarget.assignee_id, sa.func.count()).where(
            PlanTarget.plan_id == plan.id, PlanTarget.assignee_id.is_not(None))
        .group_by(PlanTarget.assignee_id)).all())
    queue = [(loads.get(user.id, 0), rank, user.id) for rank, user in enumerate(advisers)]
    heapq.heapify(queue)
    unassigned = db.session.scalars(
        sa.select(PlanTarget).join(PlanTarget.company)
        .where(PlanTarget.plan_id == plan.id, PlanTarget.assignee_id.is_(None))
        .order_by(PlanTarget.priority, Company.search_name, PlanTarget.id))
    given: dict[int, int] = {}
    for target in unassigned:
        load, rank, user_id = heapq.heappop(queue)
        target.assignee_id = user_id
        given[user_id] = given.get(user_id, 0) + 1
        heapq.heappush(queue, (load + 1, rank, user_id))
    audit.record(actor, "targets_balanced", plan, {"given": given})
    db.session.flush()
    return given


# Outcomes


def set_outcome(target: PlanTarget, outcome: TargetOutcome | None, actor: User,
                now: datetime | None = None) -> None:
    """Record "not interested" or "not reachable" on the target, or clear it (None)."""
    before = target.outcome
    target.outcome = outcome
    target.outcome_at = (now or utcnow()) if outcome is not None else None
    audit.record(actor, "target_outcome", target, {
        "outcome": [before.value if before else None, outcome.value if outcome else None]})
    db.session.flush()


def outcome_from(raw: str) -> TargetOutcome | None:
    """The outcome of a form or JSON value ("" clears it)."""
    if not raw:
        return None
    try:
        return TargetOutcome(raw)
    except ValueError:
        raise InvalidInput({"outcome": ["Choisissez « Pas intéressée » ou « Injoignable »."]}) from None
