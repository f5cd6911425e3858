"""Training before hire (POE, FRAP): requests from a need or a firm, the request page with each
check, its workflow buttons and printable convention summary, the promotion list and indicators,
the administrators' dated parameters and FRAP lines, and the employer's wish from the tracking page."""

from flask import Blueprint, Flask

bp = Blueprint("training", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.training import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
