"""Imports of partners' lists of firms, run on the "imports" queue: reading the file sent, once,
then importing the rows read."""

from crm.extensions import db
from crm.models import Upload, User
from crm.services.imports import partner_files
from crm.services.imports import partners as partner_import
from crm.services.imports.spreadsheets import UnreadableFile
from crm.services.platform import audit, unit_of_work
from jobs import derived, tracked


@tracked
def read_partner_list(upload_id: int) -> dict:
    """Read the file sent, reporting progress, and keep its rows for the next steps; a file that
    cannot be imported is dropped and the task fails with the French reason."""
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.kind != partner_import.UPLOAD_KIND:
        raise LookupError("le fichier envoyé n'existe plus")
    try:
        parsed = partner_files.read_upload(upload)
    except UnreadableFile:
        db.session.rollback()
        partner_files.forget(upload_id)
        unit_of_work.commit()
        raise
    return {"sheet_id": parsed.upload.id, "filename": parsed.upload.filename, "rows": parsed.rows,
            "columns": len(parsed.headers)}


@tracked
def run_partner_import(sheet_id: int, user_id: int, mapping: dict[str, str], source_tag: str) -> dict:
    """Create or complete the firms of a list read by `read_partner_list`, reporting progress batch
    by batch."""
    upload = db.session.get(Upload, sheet_id)
    if upload is None or upload.kind != partner_files.SHEET_KIND:
        raise LookupError("le fichier importé n'existe plus")
    parsed = partner_files.parsed_list(upload)
    sheet = partner_files.full_sheet(parsed)
    with audit.acting_as(user_id):
        summary = partner_import.run_import(upload, sheet, db.session.get(User, user_id), mapping, source_tag)
    derived.refresh_after_import()
    return summary
