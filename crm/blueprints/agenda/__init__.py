"""Follow-up tasks and "Ma journée"."""

from flask import Blueprint, Flask

bp = Blueprint("agenda", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.agenda import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
