"""API of a prospection plan's target list: add firms by SIRET, read the list with statuses.
Partners' tokens get 403: targets are the network's internal work."""

from flask import jsonify

from crm.blueprints.api import bp, plans
from crm.blueprints.api import serializers as show
from crm.blueprints.api.auth import api_user
from crm.blueprints.api.errors import ApiError
from crm.blueprints.api.views import json_object, paging
from crm.blueprints.pagination import RowPagination
from crm.extensions import db
from crm.models import ProspectionPlan
from crm.services.plans import targets
from crm.services.platform import unit_of_work

NOT_YOURS = "Les listes cibles sont réservées aux conseillers et responsables du réseau."
NOT_BUILDER = "Seuls les responsables du bassin du plan et les administrateurs modifient sa liste cible."


def readable_plan(plan_id: int) -> ProspectionPlan:
    if not targets.can_read_targets(api_user()):
        raise ApiError(403, NOT_YOURS)
    return plans.readable_plan(plan_id)


@bp.post("/plans/<int:plan_id>/targets")
def add_plan_targets(plan_id: int):
    """Add establishments by SIRET: which were added, already targets, unknown."""
    plan = readable_plan(plan_id)
    user = api_user()
    if not targets.can_build(user, plan):
        raise ApiError(403, NOT_BUILDER)
    result = targets.add_sirets(plan, json_object().get("sirets"), user)
    unit_of_work.commit()
    return jsonify({"added": result.added, "already": result.already, "unknown": result.unknown})


@bp.get("/plans/<int:plan_id>/targets")
def plan_target_list(plan_id: int):
    """The plan's targets with their derived status, by priority then name."""
    plan = readable_plan(plan_id)
    page, per_page = paging()
    result = RowPagination(select=targets.targets_query(targets.TargetFilters(plan_id=plan.id)),
                           session=db.session(), page=page, per_page=per_page, error_out=False)
    rows = targets.rows_of(result.items)
    return show.page(result, [
        {"siret": row.target.company.siret, "name": row.target.company.name,
         "status": row.status.value,
         "assignee": row.target.assignee.name if row.target.assignee else None}
        for row in rows])
