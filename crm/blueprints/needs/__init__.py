"""Staff and partner pages on hiring needs: my requests, need page, flags."""

from flask import Blueprint, Flask

bp = Blueprint("needs", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.needs import (  # noqa: F401  (registers the routes)
        actions,
        aftercare,
        cohandling,
        pipeline,
        spotters,
        views,
    )

    app.register_blueprint(bp)
