"""Public pages for employers: the recruitment request form and its tracking page."""

from flask import Blueprint, Flask

bp = Blueprint("public", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.public import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
