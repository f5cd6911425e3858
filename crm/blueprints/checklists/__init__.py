"""Check-lists for offer spotters (the manager's lists and answers, the partner's "Entreprises à
vérifier", the public page of a signed link) and the directory of a basin's offer spotters."""

from flask import Blueprint, Flask

bp = Blueprint("checklists", __name__)


def init_app(app: Flask) -> None:
    from crm.blueprints.checklists import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
