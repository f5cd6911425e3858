"""Plans through the API: the Région's and partners' systems write and read prospection plans
(managers and admins write the plans of their basins; partners read active plans, no targets)."""

import sqlalchemy as sa
from flask import jsonify, request, url_for

from crm.blueprints.api import bp
from crm.blueprints.api.auth import api_user
from crm.blueprints.api.errors import ApiError, invalid
from crm.blueprints.api.serializers import page as list_page
from crm.blueprints.api.views import BAD_PARAMETERS, json_object, paginate
from crm.extensions import db
from crm.models import PlanStatus, PlanTarget, ProspectionPlan
from crm.services.plans import fiche, objectives
from crm.services.plans.schema import parse_plan
from crm.services.platform import unit_of_work

UNKNOWN_PLAN = "Aucun plan visible avec cet identifiant."
NOT_A_WRITER = "Seuls les responsables de bassin et les administrateurs écrivent des plans."


def plan_summary(plan: ProspectionPlan) -> dict:
    return {"id": plan.id, "basin_code": plan.basin_code, "title": plan.name,
            "period_start": plan.period_start.isoformat(), "period_end": plan.period_end.isoformat(),
            "status": plan.status.value, "rollout_stage": plan.basin.rollout_stage.value}


def plan_detail(plan: ProspectionPlan, staff: bool) -> dict:
    targets = db.session.scalar(sa.select(sa.func.count()).where(PlanTarget.plan_id == plan.id))
    return plan_summary(plan) | {
        "priority_segments": plan.priority_segments, "priority_sectors": plan.priority_sectors,
        "methods": plan.methods, "resources": plan.resources,
        "actors": [{"organisation": actor.organisation.name, "role": actor.role}
                   for actor in plan.actors],
        "milestones": plan.milestones,
        "objectives": [{"indicator": row.indicator.value, "target": row.target,
                        "achieved": row.achieved, "expected_to_date": row.expected_to_date}
                       for row in objectives.progress(plan)],
        "targets_count": targets if staff else None,
    }


MAX_ID = 2**31 - 1  # ids are INTEGER columns


def readable_plan(plan_id: int) -> ProspectionPlan:
    """The plan the token's user may read; 404 for any other id (too big ones included)."""
    plan = db.session.get(ProspectionPlan, plan_id) if plan_id <= MAX_ID else None
    if plan is None or not fiche.can_read_plan(api_user(), plan):
        raise ApiError(404, UNKNOWN_PLAN)
    return plan


@bp.post("/plans")
def create_plan():
    """Write the fiche action of a basin the token's user follows; 201 with the plan."""
    user = api_user()
    if not fiche.can_write_plans(user):
        raise ApiError(403, NOT_A_WRITER)
    plan = fiche.create_plan(parse_plan(json_object()), user)
    unit_of_work.commit()
    return jsonify(plan_detail(plan, True)), 201, {"Location": url_for(".plan", plan_id=plan.id)}


@bp.get("/plans")
def plan_list():
    """The plans the token's user may read, newest period first, by basin and status."""
    query = fiche.readable_plans(api_user()).options(sa.orm.joinedload(ProspectionPlan.basin))
    if basin := request.args.get("basin"):
        query = query.where(ProspectionPlan.basin_code == basin)
    if status := request.args.get("status"):
        if status not in {member.value for member in PlanStatus}:
            raise invalid({"status": ["Valeurs possibles : draft, active, closed."]}, BAD_PARAMETERS)
        query = query.where(ProspectionPlan.status == PlanStatus(status))
    result = paginate(query)
    return list_page(result, [plan_summary(plan) for plan in result.items])


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    """A plan with its objectives' figures computed now, and its targets' count for staff."""
    user = api_user()
    return plan_detail(readable_plan(plan_id), fiche.can_read_targets(user))
