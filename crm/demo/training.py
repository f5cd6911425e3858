"""Demo POE requests: a few requests on the needs of the first pilot basin (open ones first), one at each step
of the workflow (with their history), and a FRAP funding line (once)."""

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Company,
    FrapLine,
    HiringNeed,
    PromisedContract,
    TrainingKind,
    TrainingMode,
    TrainingRequest,
    TrainingStatus,
    TrainingStatusChange,
    utcnow,
)
from crm.models.need import CLOSED_STATUSES
from crm.services.platform.local_time import local_today

BASIN = "2711"
S = TrainingStatus
PATH = (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.CONVENTION_SIGNED, S.IN_TRAINING,
        S.COMPLETED)
GOOD_EMPLOYER: dict[str, Any] = dict(
    offer_filed=True, contributions_up_to_date=True, economic_layoff_12_months=False,
    refused_hire_after_poe=False, private_individual_employer=False, priority_public=False)
BODY: dict[str, Any] = dict(mode=TrainingMode.ORGANISME, training_body="AFPA Dijon-Chevigny",
                            qualiopi=True, qualiopi_number="QUALIOPI-21-0456", hours_body=350)
TUTOR: dict[str, Any] = dict(mode=TrainingMode.TUTORAT, hours_tutoring=240, tutor_experience_years=6,
                             tutor_current_trainees=1)
# (status, days ago requested, facts, candidate, reason)
REQUESTS: tuple[tuple[TrainingStatus, int, dict[str, Any], str | None, str | None], ...] = (
    (S.DRAFT, 2, {"kind": TrainingKind.POEI}, None, None),
    (S.SUBMITTED, 6, GOOD_EMPLOYER | BODY | {"contract_type": PromisedContract.CDD,
                                             "contract_months": 6}, "L. M.", None),
    (S.UNDER_REVIEW, 12, GOOD_EMPLOYER | TUTOR | {"contract_type": PromisedContract.CDI}, "S. B.", None),
    (S.APPROVED, 20, GOOD_EMPLOYER | BODY | {"contract_type": PromisedContract.PROFESSIONNALISATION,
                                             "contract_months": 12, "frap_requested": True},
     "K. D.", None),
    (S.IN_TRAINING, 35, GOOD_EMPLOYER | BODY | {"contract_type": PromisedContract.CDI}, "A. R.", None),
    (S.HIRED, 90, GOOD_EMPLOYER | TUTOR | {"contract_type": PromisedContract.SAISONNIER,
                                           "contract_months": 5}, None, None),
    (S.REJECTED, 25, GOOD_EMPLOYER | BODY | {"contract_type": PromisedContract.CDD, "contract_months": 4,
                                             "economic_layoff_12_months": True}, None,
     "Licenciement économique en mars ; CDD de 4 mois trop court."),
)


def steps_to(status: TrainingStatus) -> list[TrainingStatus]:
    if status == S.REJECTED:
        return [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.REJECTED]
    if status == S.HIRED:
        return [*PATH, S.HIRED]
    return list(PATH[:PATH.index(status) + 1])


def seed_training() -> None:
    """Seven requests at each step on the basin's open needs, and a FRAP line (once)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(TrainingRequest)):
        return
    frap = FrapLine(name="FRAP TPE-PME (démonstration)", max_employees=50,
                    contracts=["cdi", "cdd", "professionnalisation"], hourly_cents=600,
                    ceiling_cents=150_000, valid_from=date(2025, 1, 1),
                    source="Région Bourgogne-Franche-Comté, règlement d'intervention (exemple)")
    db.session.add(frap)
    needs = list(db.session.scalars(
        sa.select(HiringNeed).join(Company, Company.id == HiringNeed.company_id)
        .where(HiringNeed.organisation_id.is_not(None))
        .order_by((Company.basin_code == BASIN).desc(), HiringNeed.status.in_(list(CLOSED_STATUSES)),
                  HiringNeed.id).limit(len(REQUESTS))))
    today = local_today()
    for need, (status, age, facts, candidate, reason) in zip(needs, REQUESTS, strict=False):
        add_request(need, status, today - timedelta(days=age), facts, candidate, reason, frap, today)
    db.session.flush()


def add_request(need: HiringNeed, status: TrainingStatus, requested: date, facts: dict[str, Any],
                candidate: str | None, reason: str | None, frap: FrapLine, today: date) -> None:
    steps = steps_to(status)
    request = TrainingRequest(
        company_id=need.company_id, need_id=need.id, organisation_id=need.organisation_id,
        created_by_id=need.adviser_id, requested_on=requested, status=status,
        status_reason=reason, candidate=candidate, kind=facts.get("kind", TrainingKind.POEI),
        **{key: value for key, value in facts.items() if key != "kind"})
    if request.frap_requested:
        request.frap_line = frap
    gap = max(1, (today - requested).days // (len(steps) + 1))
    day = requested
    for previous, step in zip([None, *steps], steps, strict=False):
        on_date = None
        if step == S.CONVENTION_SIGNED:
            on_date = request.convention_signed_on = day
        elif step == S.IN_TRAINING:
            on_date = request.training_starts_on = day
        elif step == S.COMPLETED:
            on_date = request.training_ends_on = day
        elif step == S.HIRED:
            on_date = request.outcome_on = day
        request.changes.append(TrainingStatusChange(
            from_status=previous, to_status=step, on_date=on_date,
            reason=reason if step == S.REJECTED else None, user_id=need.adviser_id,
            at=utcnow() - timedelta(days=(today - day).days)))
        day += timedelta(days=gap)
    if status == S.HIRED:
        request.candidate = "Candidat (pseudonymisé)"
        request.candidate_pseudonymised_at = utcnow()
    db.session.add(request)
