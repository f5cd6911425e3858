"""Companies: the list with saved views and exports, the 360° page, duplicates and merge, imports."""

from flask import Blueprint, Flask

bp = Blueprint("companies", __name__, url_prefix="/entreprises")


def init_app(app: Flask) -> None:
    from crm.blueprints.companies import (  # noqa: F401  (registers the routes)
        duplicate_views,
        import_views,
        list_views,
        page_actions,
        page_views,
        project_views,
    )

    app.register_blueprint(bp)
