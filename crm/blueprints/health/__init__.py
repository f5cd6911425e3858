from flask import Blueprint, Flask, jsonify

from crm.extensions import csrf, limiter
from crm.services.platform import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Liveness: 200 while the database answers (filings are accepted even with Redis down), with
    each part's state; 503 when the database is down."""
    state, alive = health.report()
    return jsonify(state), 200 if alive else 503


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Readiness: 200 only when every part works; 503 with the failing parts when degraded."""
    state, _alive = health.report()
    return jsonify(state), 200 if state["status"] == "ok" else 503


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
