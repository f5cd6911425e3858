"""Who calls the API: a bearer token acting with its user's rights within its scopes (the
indicators endpoint needs the "indicators" scope, every other one the "needs" scope),
rate-limited per token."""

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from crm.blueprints.api import bp
from crm.blueprints.api.errors import ApiError
from crm.extensions import db, limiter
from crm.models import ApiScope, ApiToken, User
from crm.services.accounts import users
from crm.services.platform import unit_of_work

PUBLIC_ENDPOINTS = frozenset({"api.openapi"})
# read-only aggregates a signed-in manager's browser may also read with its session
SESSION_ENDPOINTS = frozenset({"api.indicators"})
# the scope each endpoint needs; every endpoint not listed needs "needs"
ENDPOINT_SCOPES = {"api.indicators": ApiScope.INDICATORS}
CHALLENGE = 'Bearer realm="api"'
MISSING = "Authentification requise : envoyez l'en-tête « Authorization: Bearer <jeton> »."
REFUSED = "Jeton d'accès invalide ou révoqué, ou compte désactivé."
OUT_OF_SCOPE = {
    ApiScope.NEEDS: "Ce jeton n'a pas la portée « Besoins et suivi » : il ne peut ni lire ni "
                    "modifier les demandes, plans, événements et formations.",
    ApiScope.INDICATORS: "Ce jeton n'a pas la portée « Indicateurs » : demandez à un "
                         "administrateur un jeton qui l'a.",
}
TOO_MANY = "Trop de requêtes pour ce jeton : réessayez dans une minute."


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def rate_limit_key() -> str:
    """Requests are counted per token (its digest), or per address without a token."""
    token = bearer_token()
    return f"token:{users.token_digest(token)}" if token else f"ip:{get_remote_address()}"


def api_rate_limit() -> str:
    return current_app.config["CRM_API_RATE_LIMIT"]


@bp.before_request
def authenticate() -> None:
    """Every endpoint but the OpenAPI document needs a valid token; 401 otherwise."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token = bearer_token()
    g.api_token = None
    if token is None and request.endpoint in SESSION_ENDPOINTS and current_user.is_authenticated:
        g.api_user = current_user._get_current_object()  # a signed-in page reading the same figures
        return
    if token is None:
        raise ApiError(401, MISSING, headers={"WWW-Authenticate": CHALLENGE})
    api_token = users.valid_token(token)
    if api_token is None:
        challenge = f'{CHALLENGE}, error="invalid_token"'
        raise ApiError(401, REFUSED, headers={"WWW-Authenticate": challenge})
    needed = ENDPOINT_SCOPES.get(request.endpoint or "", ApiScope.NEEDS)
    if not api_token.allows(needed):
        raise ApiError(403, OUT_OF_SCOPE[needed])
    g.api_user, g.api_token = api_token.user, api_token


@bp.after_request
def record_token_use(response):
    """Write the token's last use once the answer is ready, so the request's objects stay loaded."""
    if db.session.dirty:
        unit_of_work.commit()
    return response


def api_user() -> User:
    """The user the request's token acts for."""
    return g.api_user


def api_token() -> ApiToken | None:
    """The request's token; None for a signed-in page reading a session endpoint."""
    return g.api_token


limiter.shared_limit(api_rate_limit, scope="api", key_func=rate_limit_key,
                     error_message=TOO_MANY)(bp)
