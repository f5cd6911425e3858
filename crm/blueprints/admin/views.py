from flask import abort, render_template
from flask_login import current_user, login_required

from crm.blueprints.admin import bp
from crm.services import access


@bp.before_request
@login_required
def require_admin():
    if not access.can_manage_accounts(current_user):
        abort(403)


@bp.get("/organisations")
def organisations():
    return render_template("admin/organisations.html")


@bp.get("/utilisateurs")
def users():
    return render_template("admin/users.html")


@bp.get("/messages")
def messages():
    return render_template("admin/messages.html")
