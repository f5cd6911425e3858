"""Exports of the companies list: the current view, with the columns the user may see, as CSV
(UTF-8 with BOM, `;`) or XLSX (openpyxl in write-only mode). Small exports are downloaded at once;
larger ones run as a job that stores the file in the uploads table for any web process to serve."""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.models import BackgroundTask, Basin, Commune, Company, HeadcountBand, NafCode, Upload, User
from crm.services.accounts import access
from crm.services.companies import listing
from crm.services.companies.listing import CompanyFilters
from crm.services.platform import spreadsheet_files
from crm.services.platform.local_time import local_datetime

FORMATS = spreadsheet_files.FORMATS
BATCH = spreadsheet_files.BATCH
KIND = "export"
Referent = aliased(User)

IDENTITY_COLUMNS = (
    ("Raison sociale", Company.name), ("SIRET", Company.siret), ("SIREN", Company.siren),
    ("Enseigne", Company.sign), ("Code NAF", Company.naf_code), ("Activité (NAF)", NafCode.label),
    ("Tranche d'effectif", HeadcountBand.label), ("Adresse", Company.address),
    ("Code postal", Company.postal_code), ("Commune", Commune.name),
    ("Bassin d'emploi", Basin.name), ("Établissement actif", Company.active),
)
STAFF_COLUMNS = (
    ("Référent", Referent.name), ("Étiquettes", Company.tags),
    ("Dernier contact", Company.last_contact_at),
    ("Besoins ouverts", Company.open_needs_count),
)


def sync_limit() -> int:
    return current_app.config["CRM_EXPORT_SYNC_LIMIT"]


def columns_for(user: User) -> tuple:
    """Partners get the firms' public identity; staff also the network's follow-up."""
    return IDENTITY_COLUMNS + (STAFF_COLUMNS if access.sees_company_details(user) else ())


def export_count(user: User, filters: CompanyFilters, now: datetime) -> int:
    found, _ = listing.listed(user, filters, now)
    return db.session.execute(sa.select(sa.func.count()).select_from(Company).where(*found)).scalar_one()


def rows_query(user: User, filters: CompanyFilters, now: datetime) -> sa.Select:
    """The exported columns of every company of the view, in the list's order."""
    found, order = listing.listed(user, filters, now)
    return (sa.select(*[column for _, column in columns_for(user)]).select_from(Company)
            .outerjoin(NafCode, NafCode.code == Company.naf_code)
            .outerjoin(HeadcountBand, HeadcountBand.code == Company.headcount_band)
            .outerjoin(Commune, Commune.code == Company.commune_code)
            .outerjoin(Basin, Basin.code == Company.basin_code)
            .outerjoin(Referent, Referent.id == Company.referent_id)
            .where(*found).order_by(*order))


def cell(value) -> str | int:
    """A value as the export shows it: dates in French, yes/no, tags joined."""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, datetime):
        return local_datetime(value, "%d/%m/%Y")
    if isinstance(value, list):
        return ", ".join(value)
    return "" if value is None else value


def export_rows(user: User, filters: CompanyFilters, now: datetime) -> Iterator[list]:
    """The header, then one row per company, read from the database in batches."""
    yield [title for title, _ in columns_for(user)]
    result = db.session.execute(rows_query(user, filters, now).execution_options(yield_per=BATCH))
    for row in result:
        yield [cell(value) for value in row]


def csv_chunks(rows: Iterator[list]) -> Iterator[str]:
    """CSV text for Excel in French, one chunk per batch of rows (the one safe writer)."""
    return spreadsheet_files.csv_chunks(rows, BATCH)


def xlsx_file(rows: Iterator[list], title: str = "Entreprises") -> IO[bytes]:
    """The workbook in a temporary file, ready to be sent (the one safe writer)."""
    return spreadsheet_files.xlsx_file(rows, title)


def counted(rows: Iterator[list], total: int, progress: Callable[[int, int], None]) -> Iterator:
    """The rows, reporting progress every batch (the header does not count)."""
    for number, row in enumerate(rows):
        yield row
        if number and number % BATCH == 0:
            progress(number, total)


def export_bytes(rows: Iterator[list], fmt: str) -> bytes:
    return spreadsheet_files.file_bytes(rows, fmt, "Entreprises")


def filename(fmt: str, now: datetime) -> str:
    return f"entreprises-{local_datetime(now, '%Y-%m-%d-%H%M')}.{fmt}"


def store_export(user: User, filters: CompanyFilters, fmt: str, now: datetime,
                 progress: Callable[[int, int], None]) -> tuple[Upload, int]:
    """Write the whole export into the uploads table; returns it with its number of rows."""
    total = export_count(user, filters, now)
    content = export_bytes(counted(export_rows(user, filters, now), total, progress), fmt)
    upload = Upload(kind=KIND, filename=filename(fmt, now), content=content, size=len(content),
                    user_id=user.id, organisation_id=user.organisation_id)
    db.session.add(upload)
    db.session.flush()
    return upload, total


def export_of_task(user: User, task: BackgroundTask | None) -> Upload | None:
    """The file a finished export task produced, for the user who asked for it only."""
    if task is None or task.user_id != user.id or task.kind != KIND or not task.result:
        return None
    upload = db.session.get(Upload, task.result.get("upload_id") or 0)
    return upload if upload is not None and upload.user_id == user.id and upload.kind == KIND \
        else None
