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
from crm.services.imports import partner_files, partners
from crm.services.imports.partner_files import ParsedList
from crm.services.imports.partner_rows import FIELDS
from crm.services.imports.spreadsheets import MAX_BYTES
from crm.services.platform import background_tasks, unit_of_work
from jobs.imports import read_partner_list, run_partner_import

importers_only = allowed(access.can_import_companies)


@bp.route("/import", methods=["GET", "POST"])
@importers_only
def import_upload():
    """Step 1: send the CSV or XLSX file, kept in the database and read by a job (followed on its
    task page, which leads to the next step)."""
    form = UploadForm()
    if form.validate_on_submit():
        sent = form.file.data
        with refusals(form):
            upload = partner_files.store_upload(actor(), sent.filename, sent.read(MAX_BYTES + 1))
            unit_of_work.commit()
            task = background_tasks.start_task(
                partner_files.READ_TASK_KIND, f"Lecture du fichier {upload.filename}", actor(),
                read_partner_list, upload.id, queue="imports")
            return redirect(url_for("main.task", task_id=task.id))
    return render_template("companies/import_upload.html", form=form), 422 if form.errors else 200


def own_upload(upload_id: int) -> tuple[Upload, ParsedList]:
    """A partner list the signed-in user sent, as the job read it (404 unknown, 403 someone else's)."""
    upload = db.get_or_404(Upload, upload_id)
    if upload.kind != partner_files.SHEET_KIND:
        abort(404)
    if not access.can_use_upload(actor(), upload.user_id):
        abort(403)
    return upload, partner_files.parsed_list(upload)


def render_mapping(upload: Upload, parsed: ParsedList, form: MappingForm, status: int = 200):
    return render_template(
        "companies/import_mapping.html", upload=upload, form=form, fields=FIELDS,
        examples=parsed.examples, rows=parsed.rows,
    ), status


@bp.get("/import/<int:upload_id>/colonnes")
@importers_only
def import_mapping(upload_id: int):
    """Step 2: the file's column for each CRM field, remembered per organisation or guessed."""
    upload, parsed = own_upload(upload_id)
    if request.args:
        form = MappingForm(request.args, parsed.headers, meta={"csrf": False})
    else:
        initial = partners.initial_mapping(actor().organisation_id, parsed.headers)
        tag = partners.default_source_tag(actor().organisation)
        form = MappingForm(None, parsed.headers, data=initial | {"source_tag": tag})
    return render_mapping(upload, parsed, form)


@bp.get("/import/<int:upload_id>/apercu")
@importers_only
def import_preview(upload_id: int):
    """Step 3: the first rows as they will be imported and the counts on the file's first rows."""
    upload, parsed = own_upload(upload_id)
    form = MappingForm(request.args, parsed.headers, meta={"csrf": False})
    if not form.validate():
        return render_mapping(upload, parsed, form, 422)
    mapping = form.mapping()
    return render_template(
        "companies/import_preview.html", upload=upload, form=form, rows=parsed.rows,
        preview=partners.preview(partner_files.head_sheet(parsed), mapping, form.source_tag.data,
                                 parsed.distinct),
        columns={key: parsed.headers.index(header) for key, header in mapping.items()},
    )


@bp.post("/import/<int:upload_id>/confirmer")
@importers_only
def import_confirm(upload_id: int):
    """Step 4: remember the mapping and run the import in the background."""
    upload, parsed = own_upload(upload_id)
    form = MappingForm(request.form, parsed.headers)
    if not form.validate():
        return render_mapping(upload, parsed, form, 422)
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
