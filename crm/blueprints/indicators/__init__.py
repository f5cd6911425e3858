"""Staff pages of the committee indicators: the dashboard per level with its comparisons, its
exports and the glossary (managers and admins; docs/indicators.md)."""

from flask import Blueprint, Flask

bp = Blueprint("indicators", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.indicators import committees, views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
