from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from crm.blueprints.auth.forms import ChoosePasswordForm, ForgotPasswordForm, LoginForm
from crm.blueprints.guards import actor
from crm.blueprints.refusals import refusals
from crm.extensions import limiter
from crm.models import PasswordLinkPurpose
from crm.services.accounts import recovery
from crm.services.accounts import users as accounts
from crm.services.platform import audit, unit_of_work

bp = Blueprint("auth", __name__)


def login_rate_limit() -> str:
    return current_app.config["CRM_LOGIN_RATE_LIMIT"]


def reset_rate_limit() -> str:
    return current_app.config["CRM_RESET_RATE_LIMIT"]


def safe_next(target: str | None) -> str:
    """Only follow a relative `next` address, never another site. Browsers drop tabs and line
    breaks and read a backslash as a slash, so any control character or backslash is refused."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/") \
            and not target.startswith("//") and "\\" not in target \
            and not any(ord(char) < 32 or ord(char) == 127 for char in target):
        return target
    return url_for("main.home")


def lockout() -> accounts.Lockout:
    config = current_app.config
    return accounts.Lockout(config["CRM_LOGIN_LOCKOUT_ATTEMPTS"], config["CRM_LOGIN_LOCKOUT_MINUTES"])


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"],
               error_message="Trop de tentatives de connexion. Réessayez dans une minute.")
def login():
    """Staff and partner sign-in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form, status = LoginForm(), 200
    if form.validate_on_submit():
        message = "Adresse électronique ou mot de passe incorrect, ou compte désactivé."
        try:
            user = accounts.authenticate(form.email.data, form.password.data, lockout())
        except accounts.AccountLocked as locked:
            user, message, status = None, locked.message, 429
        unit_of_work.commit()  # the time of the sign-in, or the failure
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(f"Bienvenue, {user.name}.", "success")
            return redirect(safe_next(request.args.get("next")))
        flash(message, "error")
    return render_template("auth/login.html", form=form), 422 if form.errors else status


@bp.post("/deconnexion")
@login_required
def logout():
    """Sign out everywhere: the session and "remember me" cookies issued so far stop working."""
    user = actor()
    accounts.end_sessions(user, "logout", user)
    audit.record(user, "logout", user, {})
    unit_of_work.commit()
    logout_user()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(reset_rate_limit, methods=["POST"],
               error_message="Trop de demandes de nouveau mot de passe. Réessayez dans une minute.")
def forgot_password():
    """Ask for a link to choose a new password. The answer is the same whether an account has
    this address or not, so that the page tells nobody who has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        recovery.request_reset(form.email.data)
        unit_of_work.commit()
        return render_template("auth/forgot_password_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Choose one's first password through the invitation link."""
    return choose_password(token, PasswordLinkPurpose.INVITATION)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through the link of a "forgotten password" e-mail."""
    return choose_password(token, PasswordLinkPurpose.RESET)


def choose_password(token: str, purpose: PasswordLinkPurpose):
    try:
        link = recovery.usable_link(token, purpose)
    except recovery.LinkUnusable as unusable:
        return render_template("auth/link_unusable.html", message=unusable.message,
                               purpose=purpose.value), unusable.status
    form, user = ChoosePasswordForm(), link.user
    if form.validate_on_submit():
        with refusals(form, flashed=False) as refused:
            recovery.choose_password(token, purpose, form.password.data)
            unit_of_work.commit()
            if current_user.is_authenticated:
                logout_user()
            flash("Votre mot de passe est enregistré. Connectez-vous avec votre adresse "
                  "électronique et ce mot de passe.", "success")
            return redirect(url_for("auth.login"))
        if isinstance(refused.error, recovery.LinkUnusable):
            return render_template("auth/link_unusable.html", message=refused.message,
                                   purpose=purpose.value), refused.status
    status = 422 if form.errors else 200
    return render_template("auth/choose_password.html", form=form, user=user,
                           purpose=purpose.value), status
