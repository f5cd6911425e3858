from flask import Blueprint, Flask, jsonify

from crm.extensions import csrf, limiter
from crm.services.platform import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """State of the database, Redis and the worker: 200 when the database and Redis answer."""
    state, healthy = health.report()
    return jsonify(state), 200 if healthy else 503


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
