"""Access guards shared by the staff blueprints, and the signed-in user as a model instance."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from crm.blueprints.forms import ActionForm
from crm.models import User
from crm.services.accounts import access


def allowed(check: Callable[[User], bool]):
    """Sign-in required, then 403 unless `check` accepts the user."""
    def decorator(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorator


staff_only = allowed(access.is_staff)
supervisors_only = allowed(access.is_supervisor)
partners_only = allowed(access.is_partner)
admins_only = allowed(access.is_admin)


def actor() -> User:
    """The signed-in user as a model instance, for services and audit events."""
    return current_user._get_current_object()


def confirmed_action() -> None:
    """Stop a POST action whose CSRF token is missing or wrong."""
    if not ActionForm().validate_on_submit():
        abort(400)
