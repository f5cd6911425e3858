"""Import of a partner's list of firms: upload, column mapping, preview, background run, history."""

import io

from flask import abort, redirect, render_template, request, send_file, url_for

from crm.blueprints.companies import bp
from crm.blueprints.companies.import_forms import MappingForm, UploadForm
from crm.blueprints.guards import actor, allowed
from crm.blueprints.pagination import paginate
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import BackgroundTask, Upload
from crm.services.accounts import access
from crm.services.imports import partners
from crm.services.imports import partners as partner_import
from crm.services.imports.partner_rows import FIELDS
from crm.services.imports.spreadsheets import MAX_BYTES, Sheet
from crm.services.platform import background_tasks, unit_of_work
from jobs.imports import run_partner_import

importers_only = allowed(access.can_import_companies)


@bp.route("/import", methods=["GET", "POST"])
@importers_only
def import_upload():
    """Step 1: send the CSV or XLSX file, kept in the database for the next steps."""
    form = UploadForm()
    if form.validate_on_submit():
        sent = form.file.data
        with refusals(form):
            upload = partner_import.store_upload(actor(), sent.filename, sent.read(MAX_BYTES + 1))
            unit_of_work.commit()
            return redirect(url_for(".import_mapping", upload_id=upload.id))
    return render_template("companies/import_upload.html", form=form), 422 if form.errors else 200


def own_upload(upload_id: int) -> tuple[Upload, Sheet]:
    """An uploaded partner list of the signed-in user (404 unknown, 403 someone else's), read."""
    upload = db.get_or_404(Upload, upload_id)
    if upload.kind != partners.UPLOAD_KIND:
        abort(404)
    if not access.can_use_upload(actor(), upload.user_id):
        abort(403)
    return upload, partners.sheet_of(upload)


def render_mapping(upload: Upload, sheet: Sheet, form: MappingForm, status: int = 200):
    return render_template(
        "companies/import_mapping.html", upload=upload, form=form, fields=FIELDS,
        examples=partners.examples(sheet), rows=len(sheet.rows),
    ), status


@bp.get("/import/<int:upload_id>/colonnes")
@importers_only
def import_mapping(upload_id: int):
    """Step 2: the file's column for each CRM field, remembered per organisation or guessed."""
    upload, sheet = own_upload(upload_id)
    if request.args:
        form = MappingForm(request.args, sheet.headers, meta={"csrf": False})
    else:
        initial = partners.initial_mapping(actor().organisation_id, sheet.headers)
        tag = partners.default_source_tag(actor().organisation)
        form = MappingForm(None, sheet.headers, data=initial | {"source_tag": tag})
    return render_mapping(upload, sheet, form)


@bp.get("/import/<int:upload_id>/apercu")
@importers_only
def import_preview(upload_id: int):
    """Step 3: the first rows as they will be imported and the counts on the whole file."""
    upload, sheet = own_upload(upload_id)
    form = MappingForm(request.args, sheet.headers, meta={"csrf": False})
    if not form.validate():
        return render_mapping(upload, sheet, form, 422)
    mapping = form.mapping()
    return render_template(
        "companies/import_preview.html", upload=upload, form=form, rows=len(sheet.rows),
        preview=partners.preview(sheet, mapping, form.source_tag.data),
        columns={key: sheet.headers.index(header) for key, header in mapping.items()},
    )


@bp.post("/import/<int:upload_id>/confirmer")
@importers_only
def import_confirm(upload_id: int):
    """Step 4: remember the mapping and run the import in the background."""
    upload, sheet = own_upload(upload_id)
    form = MappingForm(request.form, sheet.headers)
    if not form.validate():
        return render_mapping(upload, sheet, form, 422)
    partners.remember_mapping(actor().organisation_id, form.mapping())
    task = background_tasks.start_task(
        partners.TASK_KIND, f"Import de la liste {upload.filename}", actor(), run_partner_import,
        upload.id, actor().id, form.mapping(), form.source_tag.data, queue="imports",
    )
    return redirect(url_for("main.task", task_id=task.id))


@bp.get("/import/<task_id>/rejets.csv")
@importers_only
def import_rejects(task_id: str):
    """The rejected rows of an import with their line and reasons, for whoever ran it (and admins)."""
    task = db.get_or_404(BackgroundTask, task_id)
    if not access.can_view_task(actor(), task):
        abort(403)
    report = partners.rejects_of(task)
    if report is None:
        abort(404)
    response = send_file(io.BytesIO(report.content), mimetype="text/csv", as_attachment=True,
                         download_name=report.filename)
    response.content_type = partners.REJECTS_TYPE
    return response


@bp.get("/imports")
@importers_only
def import_history():
    """The organisation's imports: who, when, which file, what came of it."""
    page = paginate(partners.history_query(actor().organisation_id))
    return render_template("companies/import_history.html", page=page,
                           names=partners.user_names(page.items),
                           downloadable=lambda task: access.can_view_task(actor(), task))
