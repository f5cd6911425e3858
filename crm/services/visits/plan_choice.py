"""The prospection plan a visit or a contact counts for: the active plans of the firm's basin,
the one where the firm is a target offered first. (Plans live in a higher room: the models are
read directly here.)"""

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Company, PlanStatus, PlanTarget, ProspectionPlan
from crm.services.platform.refusals import Refused


def active_plans_of(company: Company, keep: int | None = None) -> list[ProspectionPlan]:
    """The active plans of the firm's basin by name (and the plan `keep`, already chosen)."""
    in_basin = sa.and_(ProspectionPlan.status == PlanStatus.ACTIVE,
                       ProspectionPlan.basin_code == company.basin_code)
    condition = sa.or_(in_basin, ProspectionPlan.id == keep) if keep else in_basin
    return list(db.session.scalars(sa.select(ProspectionPlan).where(condition)
                                   .order_by(ProspectionPlan.name, ProspectionPlan.id)))


def targeting_plan_id(company: Company, plans: list[ProspectionPlan]) -> int | None:
    """The first of these plans whose target list holds the firm."""
    if not plans:
        return None
    return db.session.scalar(sa.select(PlanTarget.plan_id).where(
        PlanTarget.company_id == company.id, PlanTarget.plan_id.in_([p.id for p in plans]))
        .order_by(PlanTarget.plan_id).limit(1))


def checked_plan_id(company: Company, plan_id: int | None, keep: int | None = None) -> int | None:
    """The chosen plan, refused unless it is an active plan of the firm's basin (or `keep`)."""
    if plan_id is None or plan_id == keep:
        return plan_id
    if plan_id not in {plan.id for plan in active_plans_of(company)}:
        raise Refused("Choisissez un plan de prospection en cours du bassin de l'entreprise.",
                      field="plan")
    return plan_id
