"""Segments and target lists of prospection plans: the segment builder with its live count, saved
segments, a plan's target list (statuses, assignment, outcomes) and an adviser's own targets."""

from flask import Blueprint, Flask

bp = Blueprint("targets", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.targets import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
