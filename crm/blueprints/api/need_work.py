"""Working a need together through the API: co-handling organisations and the candidates put
forward (pseudonymised). Who may do what is `access.NEED_ACTIONS`; partners never see candidates."""

from datetime import date
from typing import Any

from flask import jsonify

from crm.blueprints.api import bp
from crm.blueprints.api import serializers as show
from crm.blueprints.api.auth import api_user
from crm.blueprints.api.errors import ApiError, invalid
from crm.blueprints.api.views import UNKNOWN_NEED, json_object
from crm.extensions import db
from crm.models import (
    CandidateStatus,
    CoHandlerStatus,
    HiringNeed,
    NeedCandidate,
    NeedCoHandler,
    NotRetainedReason,
    Organisation,
)
from crm.services.accounts import access
from crm.services.accounts.access import NeedAction
from crm.services.needs import candidates, cohandling, partner_api
from crm.services.needs.workflow import MAX_MESSAGE
from crm.services.platform import unit_of_work

MAX_ID = 2**31 - 1  # ids are INTEGER columns
NOT_ALLOWED = {
    NeedAction.ADD_CO_HANDLER: "Seul le personnel de la structure pilote (ou un administrateur) "
                               "invite une structure ; le personnel d'une autre structure qui voit "
                               "la demande peut indiquer la sienne pour la co-traiter.",
    NeedAction.CO_HANDLE: "Seule la structure co-traitante (ou un administrateur) change son statut.",
    NeedAction.PUT_FORWARD: "Seules les structures qui pilotent ou co-traitent la demande voient et "
                            "proposent des candidats.",
}
UNKNOWN_CO_HANDLER = "Aucune structure co-traitante avec cet identifiant sur cette demande."
UNKNOWN_CANDIDATE = "Aucun candidat avec cet identifiant sur cette demande."


def visible_need(reference: str) -> HiringNeed:
    need = partner_api.visible_need(api_user(), reference)
    if need is None:
        raise ApiError(404, UNKNOWN_NEED)
    return need


def allowed(need: HiringNeed, *actions: NeedAction) -> None:
    """403 unless the token's user may do one of these actions on the need."""
    granted = access.need_actions(api_user(), need, visible=True)
    if not granted.intersection(actions):
        raise ApiError(403, NOT_ALLOWED[actions[0]])


def closed_body(names: set[str], required: set[str]) -> dict:
    """The JSON object with only these fields and the required ones present; 422 otherwise."""
    payload = json_object()
    fields = {name: ["Champ inconnu."] for name in payload if name not in names}
    fields |= {name: ["Ce champ est obligatoire."] for name in required if payload.get(name) is None}
    if fields:
        raise invalid(fields)
    return payload


def choice(payload: dict, name: str, enum: Any) -> Any:
    value = payload.get(name)
    if value not in {member.value for member in enum}:
        raise invalid({name: ["Valeurs possibles : " + ", ".join(m.value for m in enum) + "."]})
    return enum(value)


def whole_id(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise invalid({name: ["Un identifiant entier positif est attendu."]})
    return value


def co_handler_body(co: NeedCoHandler) -> dict:
    return {"id": co.id, "organisation": show.organisation_ref(co.organisation),
            "status": co.status.value, "adviser": show.person_ref(co.adviser)}


def candidate_body(candidate: NeedCandidate) -> dict:
    return {"id": candidate.id, "status": candidate.status.value}


@bp.post("/needs/<reference>/co-handlers")
def add_co_handler(reference: str):
    """The pilot invites an organisation; staff of another one name their own to co-handle."""
    need = visible_need(reference)
    user = api_user()
    allowed(need, NeedAction.ADD_CO_HANDLER, NeedAction.ASK_CO_HANDLING)
    payload = closed_body({"organisation_id"}, {"organisation_id"})
    organisation_id = whole_id(payload["organisation_id"], "organisation_id")
    if access.may(user, need, NeedAction.ADD_CO_HANDLER):
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            raise invalid({"organisation_id": ["Structure inconnue."]})
        co = cohandling.add(need, user, organisation)
    elif organisation_id == user.organisation_id:
        co = cohandling.ask(need, user)
    else:
        raise ApiError(403, NOT_ALLOWED[NeedAction.ADD_CO_HANDLER])
    unit_of_work.commit()
    return jsonify(co_handler_body(co)), 201


@bp.patch("/needs/<reference>/co-handlers/<int:co_handler_id>")
def update_co_handler(reference: str, co_handler_id: int):
    """A co-handler's staff (or an admin) change its status, with a reason for not_for_me."""
    need = visible_need(reference)
    co = db.session.get(NeedCoHandler, co_handler_id) if co_handler_id <= MAX_ID else None
    if co is None or co.need_id != need.id:
        raise ApiError(404, UNKNOWN_CO_HANDLER)
    allowed(need, NeedAction.CO_HANDLE)
    payload = closed_body({"status", "reason"}, {"status"})
    status = choice(payload, "status", CoHandlerStatus)
    reason = payload.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_MESSAGE):
        raise invalid({"reason": [f"Un texte de {MAX_MESSAGE} caractères au plus est attendu."]})
    cohandling.update(need, co, api_user(), status, reason)
    unit_of_work.commit()
    return jsonify(co_handler_body(co))


@bp.post("/needs/<reference>/candidates")
def put_forward(reference: str):
    """Record a candidate the token's organisation puts forward (reference or initials only)."""
    need = visible_need(reference)
    allowed(need, NeedAction.PUT_FORWARD)
    payload = closed_body({"reference", "consent_on"}, {"reference", "consent_on"})
    consent = payload["consent_on"]
    try:
        consent_on = date.fromisoformat(consent) if isinstance(consent, str) else None
    except ValueError:
        consent_on = None
    if consent_on is None or len(consent) != 10:
        raise invalid({"consent_on": ["Une date AAAA-MM-JJ est attendue."]})
    if not isinstance(payload["reference"], str):
        raise invalid({"reference": [candidates.REFERENCE_RULE]})
    candidate = candidates.put_forward(need, api_user(), payload["reference"], consent_on)
    unit_of_work.commit()
    return jsonify(candidate_body(candidate)), 201


@bp.patch("/needs/<reference>/candidates/<int:candidate_id>")
def move_candidate(reference: str, candidate_id: int):
    """Move a candidate to its next stage; a reason from the list when not retained."""
    need = visible_need(reference)
    allowed(need, NeedAction.PUT_FORWARD)
    candidate = db.session.get(NeedCandidate, candidate_id) if candidate_id <= MAX_ID else None
    if candidate is None or candidate.need_id != need.id:
        raise ApiError(404, UNKNOWN_CANDIDATE)
    payload = closed_body({"status", "reason"}, {"status"})
    status = choice(payload, "status", CandidateStatus)
    reason = choice(payload, "reason", NotRetainedReason) if payload.get("reason") else None
    candidates.move(need, candidate, api_user(), status, reason)
    unit_of_work.commit()
    return jsonify(candidate_body(candidate))
