"""A firm's projects from its 360° page: add one (the page's form), correct or delete one. A refused
project (no kind, a date too far ahead, a note too long) shows the form again with the input."""

from flask import abort, flash, redirect, render_template, url_for

from crm.blueprints.companies import bp
from crm.blueprints.companies.page_actions import editors_only
from crm.blueprints.companies.page_forms import ProjectForm
from crm.blueprints.companies.page_views import company_or_404
from crm.blueprints.forms import ActionForm
from crm.blueprints.guards import actor
from crm.blueprints.refusals import refusals
from crm.models import Company, CompanyProject
from crm.services.companies import projects
from crm.services.platform import unit_of_work

ANCHOR = "projets"


def project_or_404(company: Company, project_id: int) -> CompanyProject:
    project = projects.project_of(company.id, project_id)
    if project is None:
        abort(404)
    return project


def back_to_page(company: Company):
    return redirect(url_for(".company", company_id=company.id, _anchor=ANCHOR))


def project_form_page(company: Company, project: CompanyProject | None):
    """Add a project to the firm, or correct one."""
    form = ProjectForm()
    if not form.is_submitted():
        form = ProjectForm.of(project) if project else ProjectForm(formdata=None)
        return render_template("companies/project_form.html", company=company, project=project,
                               form=form)
    if form.validate():
        with refusals(form):
            if project is None:
                projects.record_project(company, actor(), form.facts())
            else:
                projects.edit_project(project, actor(), form.facts())
            unit_of_work.commit()
            flash("Le projet de l'entreprise est enregistré.", "success")
            return back_to_page(company)
    return render_template("companies/project_form.html", company=company, project=project,
                           form=form), 422


@bp.route("/<int:company_id>/projets/nouveau", methods=["GET", "POST"])
@editors_only
def new_project(company_id: int):
    return project_form_page(company_or_404(company_id), None)


@bp.route("/<int:company_id>/projets/<int:project_id>/modifier", methods=["GET", "POST"])
@editors_only
def edit_project(company_id: int, project_id: int):
    company = company_or_404(company_id)
    return project_form_page(company, project_or_404(company, project_id))


@bp.route("/<int:company_id>/projets/<int:project_id>/supprimer", methods=["GET", "POST"])
@editors_only
def delete_project(company_id: int, project_id: int):
    """Ask for confirmation, then delete the project (the history of changes keeps it)."""
    company = company_or_404(company_id)
    project = project_or_404(company, project_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("companies/project_delete.html", company=company, project=project,
                               form=form)
    projects.delete_project(project, actor())
    unit_of_work.commit()
    flash(f"Le projet « {project.kind.label} » est supprimé.", "success")
    return back_to_page(company)
