"""Recruitment events: the staff's pages (organise, follow, invite firms, check-in, outcomes), the
public pages where candidates register (`/evenements`), and the firm's answer through its signed
link."""

from flask import Blueprint, Flask

bp = Blueprint("events", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.events import public, views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
