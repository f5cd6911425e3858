"""Admin page of the SIRENE import: upload the INSEE files, follow the job, see past imports."""

from flask import redirect, render_template, url_for
from flask_wtf.file import FileAllowed, FileField, FileRequired

from crm.blueprints.admin import bp
from crm.blueprints.admin.views import actor
from crm.blueprints.forms import FrenchForm
from crm.blueprints.pagination import paginate
from crm.models import BackgroundTaskStatus
from crm.services.imports import sirene
from crm.services.imports.sirene_rows import REJECTION_LABELS
from crm.services.platform import background_tasks
from jobs.sirene import import_sirene

FORMATS = FileAllowed(["csv", "zip"], "Déposez le fichier .csv ou .zip tel que publié par l'INSEE.")


class SireneImportForm(FrenchForm):
    establishments = FileField(
        "Fichier des établissements (StockEtablissement)",
        validators=[FileRequired("Choisissez le fichier des établissements."), FORMATS],
        description="Fichier StockEtablissement_utf8, en .csv ou .zip, séparé par des virgules.",
    )
    unites = FileField(
        "Fichier des unités légales (StockUniteLegale), facultatif",
        validators=[FORMATS],
        description="Donne le nom des entreprises (dénomination, ou prénom et nom des entrepreneurs "
        "individuels). Sans lui, le nom vient de l'enseigne.",
    )
    geoloc = FileField(
        "Fichier de géolocalisation des établissements, facultatif",
        validators=[FORMATS],
        description="Séparé par des points-virgules ; sert quand les coordonnées Lambert manquent.",
    )


@bp.route("/sirene", methods=["GET", "POST"])
def sirene_import():
    """Upload the SIRENE files and start the import in the background; list past imports."""
    form = SireneImportForm()
    if form.validate_on_submit():
        folder_id, names = sirene.save_upload(
            {role: form[role].data for role in ("establishments", "unites", "geoloc")})
        problems = sirene.upload_problems(folder_id, names)
        if not problems:
            task = background_tasks.start_task(
                sirene.TASK_KIND, f"Import SIRENE : {form.establishments.data.filename}", actor(),
                import_sirene, folder_id, names, queue="imports")
            if task.status == BackgroundTaskStatus.FAILED:
                sirene.discard_upload(folder_id)
            return redirect(url_for("main.task", task_id=task.id))
        sirene.discard_upload(folder_id)
        for role, problem in problems.items():
            form[role].errors.append(problem)
    return render_template("admin/sirene.html", form=form, page=paginate(sirene.imports_query()),
                           rejection_labels=REJECTION_LABELS)
