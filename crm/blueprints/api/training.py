"""POE requests through the API: check a case (nothing stored), write a request, read it with its
checks, move it along its workflow (409 for a move the workflow refuses)."""

from datetime import date

from flask import url_for

from crm.blueprints.api import bp
from crm.blueprints.api.auth import api_user
from crm.blueprints.api.errors import ApiError
from crm.blueprints.api.views import json_object
from crm.extensions import db
from crm.models import TrainingRequest
from crm.services.platform import unit_of_work
from crm.services.platform.refusals import InvalidInput
from crm.services.training import requests, schema, workflow
from crm.services.training.eligibility import Eligibility

UNKNOWN_REQUEST = "Aucune demande de formation visible avec cet identifiant."
TRANSITION_FIELDS = {"to", "reason", "date"}


def eligibility_body(result: Eligibility) -> dict:
    rules = result.rule_set
    return {
        "verdict": result.verdict.value,
        "rule_set": {"name": rules.name,
                     "valid_from": rules.valid_from.isoformat() if rules.valid_from else None,
                     "valid_to": rules.valid_to.isoformat() if rules.valid_to else None},
        "checks": [{"rule": check.rule, "result": check.result.value, "reason": check.reason,
                    "source": check.source} for check in result.checks],
    }


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def request_body(request: TrainingRequest) -> dict:
    user = api_user()
    return {
        "id": request.id, "kind": request.kind.value, "mode": request.mode.value if request.mode else None,
        "status": request.status.value, "status_label": request.status.label,
        "status_reason": request.status_reason,
        "company": {"siret": request.company.siret, "name": request.company.name},
        "requested_on": request.requested_on.isoformat(),
        "contract_type": request.contract_type.value if request.contract_type else None,
        "contract_months": request.contract_months,
        "missions_months_within_9": request.missions_months_within_9,
        "training_hours": request.hours_body, "tutoring_hours": request.hours_tutoring,
        "training_body": request.training_body, "qualiopi": request.qualiopi,
        "qualiopi_number": request.qualiopi_number,
        "tutor_experience_years": request.tutor_experience_years,
        "tutor_current_trainees": request.tutor_current_trainees,
        "opco_cofunding": request.opco_cofunding, "frap_requested": request.frap_requested,
        "candidate": request.candidate,
        "convention_signed_on": iso(request.convention_signed_on),
        "training_starts_on": iso(request.training_starts_on),
        "training_ends_on": iso(request.training_ends_on), "outcome_on": iso(request.outcome_on),
        "eligibility": eligibility_body(requests.eligibility_of(request)),
        "history": [{"from": change.from_status.value if change.from_status else None,
                     "to": change.to_status.value, "at": change.at.isoformat() + "Z",
                     "reason": change.reason, "date": iso(change.on_date)}
                    for change in request.changes],
        "next": [{"to": move.target.value, "label": move.label, "records": move.records.value}
                 for move in workflow.moves(user, request)],
    }


def readable_request(request_id: int) -> TrainingRequest:
    found = db.session.get(TrainingRequest, request_id) if request_id <= schema.MAX_ID else None
    if found is None or not requests.can_read(api_user()):
        raise ApiError(404, UNKNOWN_REQUEST)
    return found


@bp.post("/training/eligibility")
def training_eligibility():
    """Every rule of the case, with its reason and source; stores nothing."""
    return eligibility_body(requests.check_case(schema.parse_case(json_object())))


@bp.post("/training/requests")
def create_training_request():
    """A draft request of the token's organisation; 201 with its checks."""
    user = api_user()
    if not requests.can_read(user):
        raise ApiError(403, requests.NOT_STAFF)
    values = schema.parse_request(json_object())
    company = requests.company_by_siret(values.pop("siret"))
    reference = values.pop("need_reference")
    need = requests.need_by_reference(user, reference) if reference else None
    created = requests.create(user, company, values, need)
    unit_of_work.commit()
    return request_body(created), 201, {
        "Location": url_for(".training_request", request_id=created.id)}


@bp.get("/training/requests/<int:request_id>")
def training_request(request_id: int):
    """The request with its checks, history and the moves the token's user may make."""
    return request_body(readable_request(request_id))


@bp.post("/training/requests/<int:request_id>/transitions")
def training_transition(request_id: int):
    """Move the request: {"to", "reason", "date"}; 409 when the workflow refuses the move."""
    found = readable_request(request_id)
    payload = json_object()
    errors = schema.Errors()
    schema.unknown_fields(payload, TRANSITION_FIELDS, errors)
    target = payload.get("to")
    if not isinstance(target, str) or len(target) > 40:
        errors.add("to", "Le statut visé est obligatoire.")
    reason = payload.get("reason")
    if reason is not None and not isinstance(reason, str):
        errors.add("reason", "Une chaîne de caractères est attendue.")
    day = schema.day(payload, "date", errors)
    if errors:
        raise InvalidInput(dict(errors))
    workflow.move(api_user(), found, str(target), reason, day)
    unit_of_work.commit()
    return request_body(found)
