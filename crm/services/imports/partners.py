"""Import of a partner's list of firms (a CCI, OPCO or temp agency spreadsheet), by SIRET.

The file is kept in `uploads` and read once by a job (`partner_files`), so every step and every
worker reads the same rows. Rules:

- a firm unknown to the CRM is created unverified, with source "import", placed in its commune and basin;
- a firm already in the CRM is completed, never overwritten: partner data fills only its empty fields,
  and only when the firm is not verified against SIRENE (a verified firm's identity comes from SIRENE
  alone, so its next refresh never fights partner data);
- either way the firm's tags gain the import's source tag and the row's tags, and the row's contact is
  added unless the firm already has a contact with that e-mail (or, without e-mail, that name).
"""

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import PurePath

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import BackgroundTask, Commune, Company, Contact, ImportMapping, Organisation, Upload, User
from crm.models.base import LabelledEnum
from crm.services.companies import records
from crm.services.imports import spreadsheets
from crm.services.imports.partner_rows import FIELDS, Distinct, Entry, Person, Row, RowReader, guess_mapping
from crm.services.imports.spreadsheets import Sheet
from crm.services.platform import audit, spreadsheet_files
from crm.services.platform import background_tasks as tasks
from crm.services.platform.local_time import local_today
from crm.services.platform.wording import normalise_name

UPLOAD_KIND = "partner_list"
REJECTS_KIND = "partner_list_rejects"
TASK_KIND = "partner_import"
REJECTS_TYPE = spreadsheet_files.CSV_TYPE
SOURCE = "import"
BATCH_SIZE = 500
PREVIEW_ROWS = 20
PREVIEW_COUNTED_ROWS = 5_000  # the preview's counts stop there, to answer within a request
FIELD_KEYS = tuple(f.key for f in FIELDS)


class Outcome(LabelledEnum):
    CREATE = "create", "Création"
    UPDATE = "update", "Mise à jour"
    UNCHANGED = "unchanged", "Déjà à jour"
    REJECT = "reject", "Rejetée"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, outcome: Outcome) -> None:
        name = COUNTED_AS[outcome]
        setattr(self, name, getattr(self, name) + 1)


COUNTED_AS = {Outcome.CREATE: "created", Outcome.UPDATE: "updated", Outcome.UNCHANGED: "unchanged",
              Outcome.REJECT: "rejected"}


@dataclass
class Changes:
    """What a row adds to a firm already in the CRM."""

    fields: dict[str, object] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    contact: bool = False

    def __bool__(self) -> bool:
        return bool(self.fields or self.tags or self.contact)


@dataclass
class Verdict:
    row: Row
    outcome: Outcome
    company: Company | None = None
    changes: Changes | None = None


@dataclass
class Preview:
    counts: Counts
    verdicts: list[Verdict]
    counted: int  # rows the counts cover: the whole file, or its first PREVIEW_COUNTED_ROWS


def initial_mapping(organisation_id: int, headers: list[str]) -> dict[str, str]:
    """The organisation's remembered mapping where the file has those columns, guesses elsewhere."""
    saved = db.session.get(ImportMapping, (organisation_id, UPLOAD_KIND))
    remembered = {key: header for key, header in (saved.mapping if saved else {}).items()
                  if key in FIELD_KEYS and header in headers}
    guessed = {key: header for key, header in guess_mapping(headers).items()
               if key not in remembered and header not in remembered.values()}
    return remembered | guessed


def remember_mapping(organisation_id: int, mapping: dict[str, str]) -> None:
    saved = db.session.get(ImportMapping, (organisation_id, UPLOAD_KIND))
    if saved is None:
        saved = ImportMapping(organisation_id=organisation_id, kind=UPLOAD_KIND)
        db.session.add(saved)
    saved.mapping = dict(mapping)


def default_source_tag(organisation: Organisation, today: date | None = None) -> str:
    """e.g. "import CCI Côte-d'Or 2026-11"."""
    return f"import {organisation.name} {(today or local_today()):%Y-%m}"


def companies_by_siret(sirets: list[str]) -> dict[str, Company]:
    query = sa.select(Company).where(Company.siret.in_(sirets)).options(selectinload(Company.contacts))
    return {company.siret: company for company in db.session.scalars(query)} if sirets else {}


def has_contact(company: Company, person: Person) -> bool:
    if person.email:
        return any((contact.email or "").lower() == person.email.lower() for contact in company.contacts)
    return any(normalise_name(contact.name) == normalise_name(person.name)
               for contact in company.contacts)


def changes_for(entry: Entry, company: Company, source_tag: str) -> Changes:
    """What the row adds to a known firm: empty fields (unverified firms only), tags, contact."""
    offered = {"address": entry.address, "postal_code": entry.postal_code,
               "commune_code": entry.commune.code if entry.commune else None,
               "naf_code": entry.naf_code, "headcount_band": entry.headcount_band}
    fields: dict[str, object] = {} if company.verified else {
        key: value for key, value in offered.items() if value and not getattr(company, key)}
    tags = [tag for tag in dict.fromkeys([*entry.tags, source_tag]) if tag not in (company.tags or [])]
    return Changes(fields, tags, entry.contact is not None and not has_contact(company, entry.contact))


def judge(row: Row, company: Company | None, source_tag: str) -> Verdict:
    if row.entry is None:
        return Verdict(row, Outcome.REJECT)
    if company is not None:
        changes = changes_for(row.entry, company, source_tag)
        return Verdict(row, Outcome.UPDATE if changes else Outcome.UNCHANGED, company, changes)
    if not row.entry.name:
        row.reasons.append("raison sociale manquante pour une entreprise inconnue du CRM")
        return Verdict(row, Outcome.REJECT)
    return Verdict(row, Outcome.CREATE)


def verdicts(sheet: Sheet, mapping: dict[str, str], source_tag: str,
             distinct: Distinct | None = None) -> Iterator[list[Verdict]]:
    """The verdict on every row of the sheet, one batch at a time, firms looked up per batch
    (`distinct`: the whole file's distinct values per column, when the sheet is its first rows)."""
    reader = RowReader(sheet, mapping, distinct)
    for start in range(0, len(sheet.rows), BATCH_SIZE):
        rows = [reader.read(row.line, row.values) for row in sheet.rows[start:start + BATCH_SIZE]]
        known = companies_by_siret([row.entry.siret for row in rows if row.entry])
        yield [judge(row, known.get(row.entry.siret) if row.entry else None, source_tag) for row in rows]


def preview(sheet: Sheet, mapping: dict[str, str], source_tag: str,
            distinct: Distinct | None = None) -> Preview:
    """The first rows as they will be imported, and the counts on the file (its first
    PREVIEW_COUNTED_ROWS rows when longer: the import itself checks every row); nothing written.
    `sheet` may hold the file's first rows only, with `distinct` the file's values per column."""
    counts, counted = Counts(), 0
    first: list[Verdict] = []
    for batch in verdicts(sheet, mapping, source_tag, distinct):
        for verdict in batch:
            counts.add(verdict.outcome)
        first.extend(batch[:PREVIEW_ROWS - len(first)])
        counted += len(batch)
        if counted >= PREVIEW_COUNTED_ROWS:
            break
    return Preview(counts, first, counted)


def add_contact(company: Company, person: Person) -> None:
    company.contacts.append(Contact(name=person.name, email=person.email, phone=person.phone))


def create(entry: Entry, source_tag: str, commune: Commune | None) -> Company:
    assert entry.name, "judge() creates named firms only"
    company = records.create_unverified(entry.siret, entry.name, None, SOURCE)
    if commune is not None:
        records.place(company, commune)
    company.address, company.naf_code, company.headcount_band = (
        entry.address, entry.naf_code, entry.headcount_band)
    company.postal_code = entry.postal_code or company.postal_code
    company.tags = list(dict.fromkeys([*entry.tags, source_tag]))
    if entry.contact:
        add_contact(company, entry.contact)
    return company


def complete(company: Company, entry: Entry, changes: Changes, commune: Commune | None) -> None:
    for key, value in changes.fields.items():
        setattr(company, key, value)
    if "commune_code" in changes.fields and commune is not None:  # found by communes_of()
        records.place(company, commune)
    if changes.tags:
        company.tags = [*(company.tags or []), *changes.tags]
    if changes.contact and entry.contact:  # changes_for() sets contact only when there is one
        add_contact(company, entry.contact)


def communes_of(batch: list[Verdict]) -> dict[str, Commune]:
    """The communes a batch places firms in, in one query (no autoflush row by row)."""
    codes = {v.row.entry.commune.code for v in batch if v.row.entry and v.row.entry.commune}
    query = sa.select(Commune).where(Commune.code.in_(codes))
    return {commune.code: commune for commune in db.session.scalars(query)} if codes else {}


def apply(batch: list[Verdict], source_tag: str) -> None:
    """Create or complete the firms of a batch; flushed once, at the batch's commit."""
    communes = communes_of(batch)
    for verdict in batch:
        entry = verdict.row.entry
        if entry is None:  # a rejected row
            continue
        commune = communes.get(entry.commune.code) if entry.commune else None
        if verdict.outcome is Outcome.CREATE:
            create(entry, source_tag, commune)
        elif verdict.outcome is Outcome.UPDATE:
            assert verdict.company is not None and verdict.changes is not None, "set by judge()"
            complete(verdict.company, entry, verdict.changes, commune)


def run_import(upload: Upload, sheet: Sheet, user: User | None, mapping: dict[str, str],
               source_tag: str) -> dict:
    """Create or complete every valid row, a batch per transaction (committed here on purpose: the
    progress reported after each batch is then true, and memory stays flat); keep the rejects as a
    report, committed by the job with its result. The start is audited with the first batch and the
    counts so far saved with each, so an import a killed worker left half done says what it did;
    running the same file again finishes it (firms are matched by SIRET, never created twice).
    `upload` is the list as read (`partner_files.SHEET_KIND`), `sheet` all its rows."""
    counts, rejects, done = Counts(), [], 0
    db.session.expunge(upload)  # read once: the commits below must not reload it
    about = {"source_tag": source_tag, "filename": upload.filename, "upload_id": upload.id}
    audit.record(user, "partner_import_start", upload, about | {"mapping": mapping})
    for batch in verdicts(sheet, mapping, source_tag):
        apply(batch, source_tag)
        db.session.commit()
        for verdict in batch:
            counts.add(verdict.outcome)
            if verdict.outcome is Outcome.REJECT:
                rejects.append(verdict.row)
        done += len(batch)
        tasks.set_progress(done, len(sheet.rows), asdict(counts) | about)  # kept if the worker dies
    report = store_rejects(upload, sheet.headers, rejects) if rejects else None
    result = asdict(counts) | about | {"rejects_upload_id": report.id if report else None}
    audit.record(user, "partner_import", upload, result | {"mapping": mapping})
    return result


def rejects_csv(headers: list[str], rejects: list[Row]) -> bytes:
    """The rejected rows as in the file, with their line number and reasons."""
    return spreadsheets.csv_bytes([*headers, "ligne", "motif"], (
        [*row.values, str(row.line), " ; ".join(row.reasons)] for row in rejects))


def store_rejects(upload: Upload, headers: list[str], rejects: list[Row]) -> Upload:
    content = rejects_csv(headers, rejects)
    report = Upload(kind=REJECTS_KIND, filename=f"rejets-{PurePath(upload.filename).stem}.csv"[:255],
                    content=content, size=len(content), user_id=upload.user_id,
                    organisation_id=upload.organisation_id)
    db.session.add(report)
    db.session.flush()
    return report


def rejects_of(task: BackgroundTask) -> Upload | None:
    """The rejected-rows report of a finished import task, if it had rejects."""
    report_id = (task.result or {}).get("rejects_upload_id") if task.kind == TASK_KIND else None
    return db.session.get(Upload, report_id) if report_id else None


def history_query(organisation_id: int) -> sa.Select:
    """The organisation's import tasks, newest first."""
    return (sa.select(BackgroundTask).join(User, User.id == BackgroundTask.user_id)
            .where(BackgroundTask.kind == TASK_KIND, User.organisation_id == organisation_id)
            .order_by(BackgroundTask.created_at.desc(), BackgroundTask.id))


def user_names(tasks_page: list[BackgroundTask]) -> dict[int, str]:
    ids = {task.user_id for task in tasks_page if task.user_id}
    if not ids:
        return {}
    return {user_id: name for user_id, name in db.session.execute(sa.select(User.id, User.name)
                                                                   .where(User.id.in_(ids)))}
