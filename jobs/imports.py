"""Imports of partners' lists of firms, run on the "imports" queue."""

from crm.extensions import db
from crm.models import Upload, User
from crm.services.imports import partners as partner_import
from crm.services.platform import audit
from jobs import tracked


@tracked
def run_partner_import(upload_id: int, user_id: int, mapping: dict[str, str], source_tag: str) -> dict:
    """Create or complete the firms of an uploaded list, reporting progress batch by batch."""
    upload = db.session.get(Upload, upload_id)
    if upload is None:
        raise LookupError("le fichier importé n'existe plus")
    with audit.acting_as(user_id):
        return partner_import.run_import(upload, db.session.get(User, user_id), mapping, source_tag)
