"""Public pages: the employers' recruitment request form and tracking page, the legal pages."""

from flask import Blueprint, Flask

bp = Blueprint("public", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.public import legal, views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
