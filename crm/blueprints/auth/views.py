from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from crm.blueprints.auth.forms import LoginForm
from crm.blueprints.guards import actor
from crm.extensions import limiter
from crm.services.accounts import users as accounts
from crm.services.platform import unit_of_work

bp = Blueprint("auth", __name__)


def login_rate_limit() -> str:
    return current_app.config["CRM_LOGIN_RATE_LIMIT"]


def safe_next(target: str | None) -> str:
    """Only follow a relative `next` address, never another site."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return url_for("main.home")


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"],
               error_message="Trop de tentatives de connexion. Réessayez dans une minute.")
def login():
    """Staff and partner sign-in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        unit_of_work.commit()  # the time of the sign-in
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(f"Bienvenue, {user.name}.", "success")
            return redirect(safe_next(request.args.get("next")))
        flash("Adresse électronique ou mot de passe incorrect, ou compte désactivé.", "error")
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.post("/deconnexion")
@login_required
def logout():
    """Sign out everywhere: the session and "remember me" cookies issued so far stop working."""
    user = actor()
    accounts.end_sessions(user, "logout", user)
    unit_of_work.commit()
    logout_user()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))
