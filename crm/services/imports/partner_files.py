"""A partner's list of firms, from the file sent to the rows the import reads: parsed once, in a job.

The upload request only makes the cheap checks (size, type, a workbook's unzipped size) and keeps
the bytes (`partners.UPLOAD_KIND`). A job on the "imports" queue then reads the file once, reporting
its progress, and keeps what it read as three compact JSON uploads, so the next steps never read
the file again and each reads only what it shows:

- SHEET_KIND: the headers, each column's first value, the number of rows, and each column's distinct
  values when they are few (the headcount column is read as INSEE codes only when all of them are
  codes): the mapping page and the checks of the preview and confirmation read this alone;
- HEAD_KIND: the first `partners.PREVIEW_COUNTED_ROWS` rows, which the preview judges;
- ROWS_KIND: every row with its line number, which the import job reads.
"""

import json
from dataclasses import dataclass
from pathlib import PurePath

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Upload, User
from crm.services.imports import partners, spreadsheets
from crm.services.imports.spreadsheets import Sheet, SheetRow
from crm.services.platform import background_tasks as tasks

SHEET_KIND = "partner_list_sheet"
HEAD_KIND = "partner_list_head"
ROWS_KIND = "partner_list_rows"
READ_TASK_KIND = "partner_list_read"
DISTINCT_KEPT = 64  # distinct values kept per column: more than there are headcount band codes
READ_SHARE = 90  # the share of the task's progress bar the reading takes; storing takes the rest


@dataclass(frozen=True)
class ParsedList:
    """A partner list as the job read it (the SHEET_KIND upload), without its rows."""

    upload: Upload
    headers: list[str]
    examples: dict[str, str]
    rows: int
    distinct: dict[str, list[str] | None]  # None: more than DISTINCT_KEPT distinct values
    source_id: int  # the file as sent
    head_id: int
    rows_id: int


def store_upload(user: User, filename: str, content: bytes) -> Upload:
    """Keep the bytes of a file that passes the cheap checks (size, type, a workbook's unzipped size);
    raise UnreadableFile with a French message otherwise. The file is read by `read_upload`."""
    filename = PurePath(filename or "liste").name
    spreadsheets.check_file(filename, content)
    upload = Upload(kind=partners.UPLOAD_KIND, filename=filename[:255], content=content,
                    size=len(content), user_id=user.id, organisation_id=user.organisation_id)
    db.session.add(upload)
    return upload


def read_upload(upload: Upload) -> ParsedList:
    """Read the file sent (reporting the current task's progress) and keep what it holds; raise
    UnreadableFile with the French message saying why it cannot be imported."""
    def progress(done: int, expected: int) -> None:
        tasks.set_progress(done * READ_SHARE, expected * 100)

    db.session.expunge(upload)  # loaded once: the progress commits must not reload its bytes
    sheet = spreadsheets.read_sheet(upload.filename, upload.content, progress)
    tasks.set_progress(READ_SHARE, 100)
    return store_parsed(upload, sheet)


def compact(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def rows_json(rows: list[SheetRow]) -> bytes:
    """[[line, values without their empty trailing cells], …]"""
    encoded = []
    for row in rows:
        values = list(row.values)
        while values and not values[-1]:
            values.pop()
        encoded.append([row.line, values])
    return compact(encoded)


def first_values(sheet: Sheet) -> dict[str, str]:
    """The first value of each column, to recognise it when mapping."""
    return {header: next((row.values[i] for row in sheet.rows if row.values[i]), "")
            for i, header in enumerate(sheet.headers)}


def distinct_values(sheet: Sheet) -> dict[str, list[str] | None]:
    """Each column's distinct non-empty values in capitals, or None past DISTINCT_KEPT of them."""
    seen: list[set[str] | None] = [set() for _ in sheet.headers]
    for row in sheet.rows:
        for i, value in enumerate(row.values):
            values = seen[i]
            if value and values is not None:
                values.add(value.upper())
                if len(values) > DISTINCT_KEPT:
                    seen[i] = None
    return {header: sorted(values) if values is not None else None
            for header, values in zip(sheet.headers, seen, strict=True)}


def store_parsed(source: Upload, sheet: Sheet) -> ParsedList:
    """Keep a read sheet as the three uploads the next steps read (see the module's docstring)."""
    def kept(kind: str, content: bytes) -> Upload:
        upload = Upload(kind=kind, filename=source.filename, content=content, size=len(content),
                        user_id=source.user_id, organisation_id=source.organisation_id)
        db.session.add(upload)
        return upload

    rows = kept(ROWS_KIND, rows_json(sheet.rows))
    head = kept(HEAD_KIND, rows_json(sheet.rows[:partners.PREVIEW_COUNTED_ROWS]))
    db.session.flush()
    summary = {"source_id": source.id, "head_id": head.id, "rows_id": rows.id, "headers": sheet.headers,
               "examples": first_values(sheet), "rows": len(sheet.rows), "distinct": distinct_values(sheet)}
    upload = kept(SHEET_KIND, compact(summary))
    db.session.flush()
    return parsed_list(upload)


def parsed_list(upload: Upload) -> ParsedList:
    """What the job read, from its SHEET_KIND upload."""
    summary = json.loads(upload.content)
    return ParsedList(upload, summary["headers"], summary["examples"], summary["rows"], summary["distinct"],
                      summary["source_id"], summary["head_id"], summary["rows_id"])


def sheet_from(parsed: ParsedList, upload_id: int) -> Sheet:
    """The headers and the rows kept in one of the parsed list's uploads (its bytes only are read)."""
    content = db.session.scalar(sa.select(Upload.content).where(Upload.id == upload_id))
    if content is None:
        raise LookupError("les lignes du fichier importé n'existent plus")
    width = len(parsed.headers)
    return Sheet(parsed.headers, [SheetRow(line, (values + [""] * width)[:width])
                                  for line, values in json.loads(content)])


def head_sheet(parsed: ParsedList) -> Sheet:
    """The first rows, for the preview."""
    return sheet_from(parsed, parsed.head_id)


def full_sheet(parsed: ParsedList) -> Sheet:
    """Every row, for the import."""
    return sheet_from(parsed, parsed.rows_id)


def forget(upload_id: int) -> None:
    """Drop a file that could not be read (nothing of it is kept)."""
    db.session.execute(sa.delete(Upload).where(Upload.id == upload_id, Upload.kind == partners.UPLOAD_KIND))
