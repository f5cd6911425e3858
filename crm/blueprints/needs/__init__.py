"""Staff and partner pages on hiring needs: my requests, need page, flags."""

from flask import Blueprint, Flask

bp = Blueprint("needs", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.needs import actions, pipeline, spotters, views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
