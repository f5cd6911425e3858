from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_login import current_user, login_required

from crm.services import dashboard

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.get("/accueil")
@login_required
def home():
    """The signed-in user's landing page: what concerns them, by role."""
    return render_template("main/home.html", summary=dashboard.summary(current_user))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
