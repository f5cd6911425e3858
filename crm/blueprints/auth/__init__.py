from flask import Flask

from crm.blueprints.auth.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
