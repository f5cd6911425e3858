"""JSON errors of the API: {"error": <French message>, "fields": {...}} (fields only for 422).
A refusal of the services (`Refused`) is answered the same way, with nothing stored."""

from flask import jsonify
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm.blueprints.api import bp
from crm.extensions import db
from crm.services.platform.refusals import Refused

INVALID_INPUT = "Certaines informations sont manquantes ou invalides."
CONFLICT = ("La demande est entrée en conflit avec une modification simultanée : "
            "réessayez dans quelques instants.")


class ApiError(Exception):
    """An error answered as JSON with its status, French message and optional field details."""

    def __init__(self, status: int, message: str, fields: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message = status, message
        self.fields, self.headers = fields, headers or {}


def invalid(fields: dict[str, list[str]], message: str = INVALID_INPUT) -> ApiError:
    """A 422 error listing the French messages of each invalid field."""
    return ApiError(422, message, fields)


@bp.errorhandler(ApiError)
def render(error: ApiError):
    body: dict[str, object] = {"error": error.message}
    if error.fields is not None:
        body["fields"] = error.fields
    return jsonify(body), error.status, error.headers


@bp.errorhandler(Refused)
def refused(error: Refused):
    """422 with the French message and its fields (409 for a stale edit); nothing is kept."""
    db.session.rollback()
    return render(ApiError(error.status, error.message, error.fields if error.status == 422 else None))


@bp.errorhandler(IntegrityError)
@bp.errorhandler(StaleDataError)
def conflict(_error: Exception):
    """A concurrent write won the race (same SIRET filed twice at once, a need changed)."""
    db.session.rollback()
    return render(ApiError(409, CONFLICT))
