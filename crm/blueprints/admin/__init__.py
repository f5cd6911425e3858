from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app: Flask) -> None:
    from crm.blueprints.admin import (  # noqa: F401  (registers the routes)
        privacy,
        rsa_pilots,
        settings,
        sirene,
        system,
        users,
        views,
    )

    app.register_blueprint(bp)
