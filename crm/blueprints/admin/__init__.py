from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app: Flask) -> None:
    from crm.blueprints.admin import privacy, settings, sirene, system, users, views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
