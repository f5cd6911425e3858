"""Exports of the companies list too large to download at once."""

from crm.extensions import db
from crm.models import User, utcnow
from crm.services.companies import exports
from crm.services.companies.listing import CompanyFilters
from crm.services.platform import background_tasks
from jobs import tracked


@tracked
def export_companies(user_id: int, filters: dict, fmt: str) -> dict:
    """Write the view's companies to a CSV or XLSX file kept in the database, with progress."""
    user = db.session.get_one(User, user_id)
    upload, total = exports.store_export(user, CompanyFilters.from_dict(filters), fmt, utcnow(),
                                         background_tasks.set_progress)
    return {"Fichier": upload.filename, "Entreprises exportées": total, "upload_id": upload.id}
