"""Partner API v1: JSON under /api/v1/, bearer tokens, OpenAPI document."""

from flask import Blueprint, Flask

from crm.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def init_app(app: Flask) -> None:
    from crm.blueprints.api import (  # noqa: F401  (registers the handlers)
        auth,
        errors,
        events,
        indicators,
        need_work,
        plan_targets,
        plans,
        training,
        views,
    )

    app.register_blueprint(bp)
