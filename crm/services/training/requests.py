"""POE requests: who may read and write them, creating one from a need or a firm, its case for the
eligibility engine (caps and FRAP line in force on its date)."""

from datetime import date
from typing import Any

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Company,
    FrapLine,
    HeadcountBand,
    HiringNeed,
    Role,
    TrainingKind,
    TrainingRequest,
    TrainingStatus,
    TrainingStatusChange,
    User,
)
from crm.services.accounts import access
from crm.services.companies import records
from crm.services.needs import tracking
from crm.services.platform.identifiers import clean_siret
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import Refused
from crm.services.training import parameters
from crm.services.training.eligibility import Case, Eligibility, evaluate

NOT_STAFF = "Les demandes de formation avant embauche sont réservées au personnel du réseau."
UNKNOWN_COMPANY = "Aucun établissement connu avec ce SIRET."
UNKNOWN_NEED = "Aucune demande de recrutement visible avec cette référence."
UNKNOWN_LINE = "Ligne de financement FRAP inconnue."
EDITABLE = frozenset({TrainingStatus.DRAFT, TrainingStatus.SUBMITTED, TrainingStatus.UNDER_REVIEW})
CASE_COLUMNS = ("kind", "mode", "contract_type", "contract_months", "missions_months_within_9",
                "hours_body", "hours_tutoring", "priority_public", "offer_filed",
                "contributions_up_to_date", "economic_layoff_12_months", "refused_hire_after_poe",
                "private_individual_employer", "qualiopi", "tutor_experience_years",
                "tutor_current_trainees", "convention_signed_on", "training_starts_on",
                "frap_requested")
REQUEST_COLUMNS = (*CASE_COLUMNS, "training_body", "qualiopi_number", "opco_cofunding", "opco_name",
                   "frap_line_id", "candidate", "training_ends_on")


def can_read(user: User) -> bool:
    return access.is_staff(user)


def require_staff(user: User) -> None:
    if not can_read(user):
        raise Refused(NOT_STAFF)


def owns(user: User, request: TrainingRequest) -> bool:
    """The request's organisation's staff, or an administrator."""
    return user.role == Role.ADMIN or (access.is_staff(user)
                                       and user.organisation_id == request.organisation_id)


def case_of(request: TrainingRequest) -> Case:
    band = db.session.get(HeadcountBand, request.company.headcount_band) \
        if request.company.headcount_band else None
    return Case(
        kind=request.kind, on_date=request.requested_on, contract_type=request.contract_type,
        contract_months=request.contract_months,
        missions_months_within_9=request.missions_months_within_9,
        training_hours=request.hours_body, tutoring_hours=request.hours_tutoring, mode=request.mode,
        priority_public=request.priority_public, offer_filed=request.offer_filed,
        contributions_up_to_date=request.contributions_up_to_date,
        economic_layoff_12_months=request.economic_layoff_12_months,
        refused_hire_after_poe=request.refused_hire_after_poe, qualiopi=request.qualiopi,
        tutor_experience_years=request.tutor_experience_years,
        tutor_current_trainees=request.tutor_current_trainees,
        private_individual_employer=request.private_individual_employer,
        convention_signed_on=request.convention_signed_on,
        training_starts_on=request.training_starts_on, frap_requested=request.frap_requested,
        company_employees=band.max_employees if band else None)


def check_case(case: Case, frap_line: FrapLine | None = None, today: date | None = None) -> Eligibility:
    """The case's checks with the caps in force on its date."""
    today = today or local_today()
    day = case.convention_signed_on or case.on_date or today
    return evaluate(case, parameters.caps_on(day), today, parameters.terms_of(frap_line))


def eligibility_of(request: TrainingRequest) -> Eligibility:
    return check_case(case_of(request), request.frap_line)


def company_by_siret(siret: str) -> Company:
    company = records.find_by_siret(clean_siret(siret))
    if company is None:
        raise Refused(UNKNOWN_COMPANY, "siret")
    return company


def need_by_reference(user: User, reference: str) -> HiringNeed:
    need = db.session.scalar(sa.select(HiringNeed).where(HiringNeed.reference == reference))
    if need is None or not access.can_view_need(user, need):
        raise Refused(UNKNOWN_NEED, "need_reference")
    return need


def check_line(values: dict[str, Any]) -> None:
    line_id = values.get("frap_line_id")
    if line_id is not None and db.session.get(FrapLine, line_id) is None:
        raise Refused(UNKNOWN_LINE, "frap_line_id")


def create(user: User, company: Company, values: dict[str, Any],
           need: HiringNeed | None = None) -> TrainingRequest:
    """A draft request of the user's organisation, with its first history row."""
    require_staff(user)
    check_line(values)
    if need is not None and need.company_id != company.id:
        raise Refused("La demande de recrutement concerne un autre établissement.", "need_reference")
    request = TrainingRequest(
        company=company, need_id=need.id if need else None, organisation_id=user.organisation_id,
        created_by_id=user.id, requested_on=local_today(), status=TrainingStatus.DRAFT,
        **{name: values.get(name) for name in REQUEST_COLUMNS if name != "frap_requested"},
        frap_requested=bool(values.get("frap_requested")))
    if request.kind is None:
        request.kind = TrainingKind.POEI
    request.changes.append(TrainingStatusChange(to_status=TrainingStatus.DRAFT, user_id=user.id))
    db.session.add(request)
    db.session.flush()
    return request


def update(user: User, request: TrainingRequest, values: dict[str, Any]) -> None:
    """Complete a request still being written or reviewed (the dates are the workflow's)."""
    if not owns(user, request):
        raise Refused("Seule l'organisation qui porte la demande la modifie.")
    if request.status not in EDITABLE:
        raise Refused("La demande ne se modifie plus une fois accordée ou refusée.")
    check_line(values)
    for name in REQUEST_COLUMNS:
        if name in values and name not in ("convention_signed_on",):
            setattr(request, name, values[name])
    request.frap_requested = bool(request.frap_requested)


def readable(user: User) -> sa.Select:
    """Every request, for staff (newest first); partners see none."""
    query = sa.select(TrainingRequest).order_by(TrainingRequest.created_at.desc(),
                                                TrainingRequest.id.desc())
    return query if can_read(user) else query.where(sa.false())


EMPLOYER_WISH = "Je souhaite former un candidat avant de l'embaucher (POE)."


def open_request_for_need(need: HiringNeed) -> TrainingRequest | None:
    return db.session.scalar(sa.select(TrainingRequest).where(
        TrainingRequest.need_id == need.id,
        TrainingRequest.status.not_in([TrainingStatus.REJECTED, TrainingStatus.NOT_HIRED,
                                       TrainingStatus.HIRED])).limit(1))


def from_employer(need: HiringNeed) -> tuple[TrainingRequest, bool]:
    """The employer asks, from the tracking page, to train a candidate before hiring: a draft
    request for the need's organisation, which its adviser completes (once per open need); the
    adviser is told by an employer message. Returns the request and whether it is new."""
    found = open_request_for_need(need)
    if found is not None:
        return found, False
    tracking.write(need, EMPLOYER_WISH)
    request = TrainingRequest(company_id=need.company_id, need_id=need.id,
                              organisation_id=need.organisation_id, requested_on=local_today(),
                              kind=TrainingKind.POEI, status=TrainingStatus.DRAFT, offer_filed=None)
    request.changes.append(TrainingStatusChange(to_status=TrainingStatus.DRAFT,
                                                reason="Souhait exprimé par l'employeur"))
    db.session.add(request)
    db.session.flush()
    return request, True
