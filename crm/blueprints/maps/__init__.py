"""The map of basins, firms, needs, visits and events, and one page per basin."""

from flask import Blueprint, Flask

bp = Blueprint("maps", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.maps import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
