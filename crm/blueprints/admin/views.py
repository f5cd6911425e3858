"""Admin pages: access guard, shared helpers and the organisations of the network."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from crm.blueprints.admin import bp
from crm.blueprints.admin.forms import OrganisationFilterForm, OrganisationForm
from crm.blueprints.guards import actor, confirmed_action
from crm.blueprints.pagination import paginate
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import Organisation
from crm.services.accounts import access, users
from crm.services.accounts import users as accounts
from crm.services.platform import unit_of_work

ACTIVATION = "<any(desactiver, reactiver):action>"


@bp.before_request
@login_required
def require_permission():
    """Admins only; the outbox pages follow their own rule."""
    outbox_page = (request.endpoint or "").startswith("admin.message")
    allowed = access.can_read_outbox if outbox_page else access.can_manage_accounts
    if not allowed(current_user):
        abort(403)


def change_activation(setter, obj, action: str, done: tuple[str, str]) -> None:
    """Deactivate or reactivate through the service, then flash done[0] (off) or done[1] (on)."""
    confirmed_action()
    active = action == "reactiver"
    with refusals():
        setter(obj, active, actor=actor())
        unit_of_work.commit()
        flash(done[active], "success")


@bp.get("/organisations")
def organisations():
    """Organisations of the network, filtered by kind and by name."""
    form = OrganisationFilterForm(request.args)
    query = users.organisations_query()
    if form.validate():
        query = users.organisations_query(form.kind.data, form.q.data)
    page = paginate(query)
    return render_template("admin/organisations.html", form=form, page=page,
                           user_counts=users.user_counts(page.items))


@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
def organisation_new():
    """Create an organisation."""
    return edit_organisation(Organisation(), OrganisationForm(data={"spotter": "auto"}))


@bp.route("/organisations/<int:organisation_id>/modifier", methods=["GET", "POST"])
def organisation_edit(organisation_id: int):
    """Change an organisation's name, kind, spotter flag and coverage."""
    organisation = db.get_or_404(Organisation, organisation_id)
    data = {
        "name": organisation.name, "kind": organisation.kind.value,
        "spotter": "yes" if organisation.is_spotter else "no",
        "basins": [b.code for b in organisation.basins],
        "departments": [d.code for d in organisation.departments],
        "spotter_news": "digest" if organisation.spotter_digest else "each",
    }
    return edit_organisation(organisation, OrganisationForm(data=data))


def edit_organisation(organisation: Organisation, form: OrganisationForm):
    creating, error = organisation.id is None, None
    if form.validate_on_submit():
        with refusals(form, flashed=False) as refused:
            accounts.save_organisation(
                organisation, name=form.name.data, kind=form.kind.data,
                basin_codes=form.basins.data, department_codes=form.departments.data,
                is_spotter=form.spotter_flag(), spotter_digest=form.spotter_digest(), actor=actor(),
            )
            unit_of_work.commit()
            verb = "créée" if creating else "enregistrée"
            flash(f"L'organisation « {organisation.name} » est {verb}.", "success")
            return redirect(url_for(".organisations"))
        error = refused.message
    status = 422 if form.errors or error else 200
    return render_template("admin/organisation_form.html", form=form, organisation=organisation,
                           creating=creating, error=error), status


@bp.post(f"/organisations/<int:organisation_id>/{ACTIVATION}")
def organisation_activation(organisation_id: int, action: str):
    """Deactivate or reactivate an organisation."""
    organisation = db.get_or_404(Organisation, organisation_id)
    name = f"L'organisation « {organisation.name} »"
    change_activation(users.set_organisation_active, organisation, action,
                      (f"{name} est désactivée.", f"{name} est réactivée."))
    return redirect(url_for(".organisations"))
