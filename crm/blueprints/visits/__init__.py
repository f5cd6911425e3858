"""Visits (alone or as a task force), quick contact logging, the week calendar and visit reports."""

from flask import Blueprint, Flask

bp = Blueprint("visits", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.visits import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
