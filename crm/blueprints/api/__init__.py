"""Partner API v1: JSON under /api/v1/, bearer tokens, OpenAPI document."""

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    from crm.blueprints.api import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
