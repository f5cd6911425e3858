"""Changes staff make from the company page: identity and preferences, tags, referent, contacts.
A refused change (someone else saved first, a rule broken) keeps the input and changes nothing."""

from flask import abort, flash, redirect, render_template, request, url_for

from crm.blueprints.companies import bp
from crm.blueprints.companies.page_forms import (
    ContactPersonForm,
    IdentityForm,
    ReferentForm,
    RemoveTagForm,
    TagForm,
)
from crm.blueprints.companies.page_views import company_or_404
from crm.blueprints.forms import ActionForm, every_organisation_asked
from crm.blueprints.guards import actor, allowed
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import Company, Contact, User
from crm.services.accounts import access, users
from crm.services.companies import profile
from crm.services.companies import profile as company_profile
from crm.services.companies.profile import STALE
from crm.services.platform import unit_of_work

editors_only = allowed(access.can_edit_company)


def page_of(company: Company, anchor: str | None = None):
    return redirect(url_for(".company", company_id=company.id, _anchor=anchor))


def render_edit(company: Company, identity: IdentityForm | None = None, tag: TagForm | None = None,
                error: str | None = None, status: int = 200):
    blank = {"formdata": None, "data": {"version": company.version}, "prefix": "tag"}
    return render_template(
        "companies/edit.html", company=company, error=error,
        form=identity or IdentityForm.of(company), tag_form=tag or TagForm(**blank),
        tags_in_use=profile.tags_in_use()), status


@bp.route("/<int:company_id>/modifier", methods=["GET", "POST"])
@editors_only
def edit(company_id: int):
    """Correct the firm's name, sign, address and contact preferences."""
    company = company_or_404(company_id)
    form = IdentityForm()
    if not form.is_submitted():
        return render_edit(company)
    if not form.validate():
        return render_edit(company, identity=form, status=422)
    with refusals(stale=STALE, flashed=False) as refused:
        company_profile.correct_identity(company, form.identity(), form.seen_version())
        unit_of_work.commit()
    if refused:
        return render_edit(company_or_404(company_id), identity=form, error=refused.message,
                           status=409)
    flash("Les informations de l'entreprise sont enregistrées.", "success")
    return page_of(company)


@bp.post("/<int:company_id>/etiquettes")
@editors_only
def add_tag(company_id: int):
    """Give the firm a segment tag."""
    company = company_or_404(company_id)
    form = TagForm(prefix="tag")
    if not form.validate():
        return render_edit(company, tag=form, status=422)
    with refusals(stale=STALE, flashed=False) as refused:
        company_profile.add_tag(company, form.tag.data, form.seen_version())
        unit_of_work.commit()
    if refused:
        return render_edit(company_or_404(company_id), tag=form, error=refused.message, status=409)
    flash(f"L'étiquette « {company_profile.normalise_tag(form.tag.data)} » est ajoutée.", "success")
    return redirect(url_for(".edit", company_id=company.id, _anchor="etiquettes"))


@bp.post("/<int:company_id>/etiquettes/retrait")
@editors_only
def remove_tag(company_id: int):
    """Take a segment tag off the firm."""
    company = company_or_404(company_id)
    form = RemoveTagForm()
    if not form.validate():
        flash("Étiquette inconnue.", "error")
        return page_of(company, "etiquettes")
    with refusals(stale=STALE):
        company_profile.remove_tag(company, form.tag.data, form.seen_version())
        unit_of_work.commit()
        flash(f"L'étiquette « {form.tag.data} » est retirée.", "success")
    return page_of(company, "etiquettes")


@bp.route("/<int:company_id>/referent", methods=["GET", "POST"])
@editors_only
def referent(company_id: int):
    """Set the firm's first referent adviser, or change it with a reason."""
    company = company_or_404(company_id)
    staff = users.staff_choices(actor(), every_organisation_asked(), [company.referent_id])
    replacing = company.referent_id is not None
    if request.method == "GET":
        form = ReferentForm(formdata=None, staff=staff, replacing=replacing,
                            data={"version": company.version, "referent": company.referent_id or 0})
        return render_template("companies/referent_form.html", company=company, form=form)
    form = ReferentForm(staff=staff, replacing=replacing)
    error = None
    if form.validate():
        chosen = db.session.get(User, form.referent.data) if form.referent.data else None
        with refusals(stale=STALE, flashed=False) as refused:
            company_profile.change_referent(company, actor(), chosen, form.reason.data or "",
                                            form.seen_version())
            unit_of_work.commit()
            flash("Le référent de l'entreprise est enregistré.", "success")
            return page_of(company, "referent")
        error = refused.message
    return render_template("companies/referent_form.html", company=company_or_404(company_id),
                           form=form, error=error), 409 if error else 422


def company_contact(company: Company, contact_id: int) -> Contact:
    contact = next((c for c in company.contacts if c.id == contact_id), None)
    if contact is None:
        abort(404)
    return contact


def contact_form_page(company: Company, contact: Contact | None):
    """Add or change a person met at the firm."""
    form = ContactPersonForm()
    if not form.is_submitted() and contact is not None:
        form = ContactPersonForm.of(contact)
    if form.validate_on_submit():
        company_profile.save_contact(company, contact, form.person())
        unit_of_work.commit()
        flash("Le contact est enregistré.", "success")
        return page_of(company, "contacts")
    status = 422 if form.is_submitted() else 200
    return render_template("companies/contact_form.html", company=company, contact=contact,
                           form=form), status


@bp.route("/<int:company_id>/contacts/nouveau", methods=["GET", "POST"])
@editors_only
def new_contact(company_id: int):
    return contact_form_page(company_or_404(company_id), None)


@bp.route("/<int:company_id>/contacts/<int:contact_id>/modifier", methods=["GET", "POST"])
@editors_only
def edit_contact(company_id: int, contact_id: int):
    company = company_or_404(company_id)
    return contact_form_page(company, company_contact(company, contact_id))


@bp.route("/<int:company_id>/contacts/<int:contact_id>/supprimer", methods=["GET", "POST"])
@editors_only
def delete_contact(company_id: int, contact_id: int):
    """Ask for confirmation, then remove the person from the firm's contacts."""
    company = company_or_404(company_id)
    contact = company_contact(company, contact_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("companies/contact_delete.html", company=company, contact=contact,
                               form=form)
    name = contact.name
    company_profile.delete_contact(contact)
    unit_of_work.commit()
    flash(f"Le contact {name} est supprimé.", "success")
    return page_of(company, "contacts")
