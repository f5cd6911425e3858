"""Prospection plans per basin: the fiche action, its objectives' progress, print and export, the
pilot basins compared with the others."""

from flask import Blueprint, Flask

bp = Blueprint("plans", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.plans import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
