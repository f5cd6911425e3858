"""Admin pages: user accounts and their API tokens."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_user

from crm.blueprints.admin import bp
from crm.blueprints.admin.forms import TokenForm, UserFilterForm, UserForm
from crm.blueprints.admin.views import ACTIVATION, change_activation
from crm.blueprints.guards import actor, confirmed_action
from crm.blueprints.pagination import paginate, paginate_rows
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import ApiScope, ApiToken, Organisation, Role, User
from crm.services.accounts import recovery
from crm.services.accounts import users as accounts
from crm.services.platform import unit_of_work


@bp.get("/utilisateurs")
def users():
    """Accounts, filtered by role, organisation and state, searched by name or e-mail."""
    form = UserFilterForm(request.args)
    query = accounts.users_query()
    if form.validate():
        query = accounts.users_query(form.role.data, form.organisation.data,
                                     form.active_flag(), form.q.data)
    page = paginate(query)
    return render_template("admin/users.html", form=form, page=page,
                           pending=recovery.pending_invitations([user.id for user in page.items]))


@bp.route("/utilisateurs/nouveau", methods=["GET", "POST"])
def user_new():
    """Create an account: the person is invited by e-mail to choose their password."""
    organisation_id = request.args.get("organisation", type=int)
    data = {"organisation": organisation_id, "role": Role.ADVISER.value}
    return edit_user(User(), UserForm(creating=True, data=data))


@bp.route("/utilisateurs/<int:user_id>/modifier", methods=["GET", "POST"])
def user_edit(user_id: int):
    """Change an account; the password changes only when a new one is typed."""
    user = db.get_or_404(User, user_id)
    data = {"name": user.name, "email": user.email, "role": user.role.value,
            "organisation": user.organisation_id, "basins": [b.code for b in user.basins]}
    return edit_user(user, UserForm(creating=False, data=data))


def edit_user(user: User, form: UserForm):
    creating, error = user.id is None, None
    if form.validate_on_submit():
        with refusals(form, flashed=False) as refused:
            accounts.save_user(
                user, email=form.email.data, name=form.name.data, role=form.role.data,
                organisation=db.session.get_one(Organisation, form.organisation.data),
                basin_codes=form.basins.data, actor=actor(),
                password=(form.password.data or None) if form.password is not None else None,
            )
            if creating:
                recovery.invite(user, actor())
            unit_of_work.commit()
            if user.id == actor().id:  # one's own password or role changed: stay signed in here
                login_user(user)
            if creating:
                flash(f"Le compte de {user.name} est créé : une invitation à choisir son mot de "
                      f"passe est envoyée à {user.email}.", "success")
            else:
                flash(f"Le compte de {user.name} est enregistré.", "success")
            return redirect(url_for(".users"))
        error = refused.message
    status = 422 if form.errors or error else 200
    pending = not creating and recovery.invitation_pending(user)
    return render_template("admin/user_form.html", form=form, user=user, creating=creating,
                           error=error, pending_invitation=pending), status


@bp.post("/utilisateurs/<int:user_id>/invitation")
def user_invite(user_id: int):
    """Send the invitation again: a new link, the earlier ones stop working."""
    confirmed_action()
    user = db.get_or_404(User, user_id)
    with refusals():
        recovery.invite(user, actor())
        unit_of_work.commit()
        flash(f"Une nouvelle invitation est envoyée à {user.email} ; le lien précédent ne "
              f"fonctionne plus.", "success")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.post(f"/utilisateurs/<int:user_id>/{ACTIVATION}")
def user_activation(user_id: int, action: str):
    """Deactivate or reactivate an account (never one's own)."""
    user = db.get_or_404(User, user_id)
    name = f"Le compte de {user.name}"
    change_activation(accounts.set_user_active, user, action,
                      (f"{name} est désactivé.", f"{name} est réactivé."))
    return redirect(url_for(".users"))


@bp.get("/utilisateurs/<int:user_id>/jetons")
def user_tokens(user_id: int):
    """A user's API tokens, and the form to create one."""
    user = db.get_or_404(User, user_id)
    return render_template("admin/tokens.html", user=user, tokens=accounts.api_tokens(user),
                           form=TokenForm())


@bp.post("/utilisateurs/<int:user_id>/jetons")
def user_token_new(user_id: int):
    """Create an API token and show it this once."""
    user = db.get_or_404(User, user_id)
    form = TokenForm()
    if not form.validate_on_submit():
        return render_template("admin/tokens.html", user=user, tokens=accounts.api_tokens(user),
                               form=form), 422
    with refusals(form) as refused:
        token = accounts.issue_api_token(user, form.name.data.strip(), actor=actor(),
                                         scopes=form.scopes.data)
    if refused:
        return render_template("admin/tokens.html", user=user, tokens=accounts.api_tokens(user),
                               form=form), refused.status
    unit_of_work.commit()
    return render_template("admin/token_created.html", user=user, token=token,
                           name=form.name.data.strip(),
                           scopes=[scope.label for scope in ApiScope if scope in form.scopes.data]), 201


@bp.post("/utilisateurs/<int:user_id>/jetons/<int:token_id>/revoquer")
def user_token_revoke(user_id: int, token_id: int):
    """Revoke one of the user's API tokens."""
    confirmed_action()
    api_token = db.first_or_404(
        db.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    )
    if not api_token.revoked:
        accounts.revoke_api_token(api_token, actor=actor())
        unit_of_work.commit()
    flash(f"Le jeton « {api_token.name} » ({api_token.prefix}…) est révoqué.", "success")
    return redirect(url_for(".user_tokens", user_id=user_id))


@bp.get("/journal-de-securite")
def security_log():
    """Sign-ins, failures, lockouts, password changes and invitations, newest first."""
    account = (request.args.get("compte") or "").strip()[:120]
    page = paginate_rows(recovery.security_events_query(account or None))
    return render_template("admin/security_log.html", page=page, account=account,
                           labels=recovery.SECURITY_ACTIONS, detail=recovery.event_detail)
