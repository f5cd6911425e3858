"""Admin pages for routing rules (with a simulator) and managers' spotter indicators."""

from flask import Blueprint, Flask

bp = Blueprint("routing", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.routing import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
