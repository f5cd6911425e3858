"""SIRENE import: the establishments of Bourgogne-Franche-Comté upserted by SIRET (`docs/domain.md` §7).

Memory does not grow with the national files: the establishment file is streamed, in batches of
BATCH rows. When a legal-unit or géolocalisation file is given, a first pass over the establishments
collects the SIRENs of the region's open establishments (and the SIRETs of those without Lambert
coordinates); the side files are then streamed keeping only those: about 150 bytes per open
establishment of the region (~100 MB for the national files), whatever their ~28 M / ~40 M rows.

Closed establishments (F) update the companies the CRM knows (inactive, nothing deleted); closed ones
it does not know are not created. A row with no name (no legal unit, sign or usual name) updates a
known company under its current name, creates a non-diffusible one as "Établissement non diffusible",
and is otherwise rejected.
"""

import csv
import gc
import json
import multiprocessing
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import cycle, islice
from multiprocessing.connection import Connection
from operator import itemgetter
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from pyproj import Transformer
from sqlalchemy.dialects import postgresql
from werkzeug.datastructures import FileStorage

from crm.extensions import db
from crm.models import BackgroundTask, Commune, Company, HeadcountBand, NafCode, User
from crm.services.companies.records import search_text
from crm.services.imports.sirene_load import (
    RowWrites,
    StagedWrites,
    Writes,
    restore_indexes,
    without_secondary_indexes,
)
from crm.services.imports.sirene_names import (
    GEOLOC_COLUMNS,
    LEGAL_UNIT_COLUMNS,
    Progress,
    file_size,
    geoloc_points,
    header_problem,
    legal_unit_names,
    open_lines,
)
from crm.services.imports.sirene_rows import (
    ACTIVE,
    COMMUNE_CODE,
    DIFFUSIBLE,
    ESTABLISHMENT_COLUMNS,
    ESTABLISHMENT_REQUIRED,
    NAME,
    NON_DIFFUSIBLE_NAME,
    OTHER_REGION,
    POSTAL_CODE,
    SEARCH_TEXT,
    SIGN,
    SIRET,
    Context,
    Layout,
    Place,
    Record,
    SireneError,
    company_fields,
    fields,
    lambert,
    locate,
    sirets_valid,
)
from crm.services.platform import audit
from crm.services.platform.wording import normalise_name

BATCH = 5_000
READERS = 2  # child processes preparing alternate batches (docs/sirene.md)
FIRST_LOAD_MAX = 10_000  # companies at most in the table for an import to be a first load
TASK_KIND = "sirene"
ESTABLISHMENTS = "des établissements (StockEtablissement)"
UPLOAD_NAMES = {"establishments": "etablissements", "unites": "unites_legales", "geoloc": "geolocalisation"}


class Summary:
    """Counts of one import; `as_dict` is the JSON the command prints last."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.read = self.kept = self.inserted = self.updated = self.closed = 0
        self.rejected: Counter = Counter()

    def as_dict(self, warnings: Counter) -> dict:
        return {"read": self.read, "kept": self.kept, "inserted": self.inserted,
                "updated": self.updated, "closed": self.closed, "rejected": sum(self.rejected.values()),
                "seconds": round(time.monotonic() - self.started, 2),
                "rejected_by_reason": dict(sorted(self.rejected.items())),
                "warnings": dict(sorted(warnings.items()))}


def load_context() -> Context:
    communes = {code: Place(name, basin, postal_codes.split()[0], latitude, longitude, normalise_name(name))
                for code, name, basin, postal_codes, latitude, longitude in db.session.execute(
                    sa.select(Commune.code, Commune.name, Commune.basin_code, Commune.postal_codes,
                              Commune.latitude, Commune.longitude))}
    return Context(communes, frozenset(db.session.scalars(sa.select(NafCode.code))),
                   frozenset(db.session.scalars(sa.select(HeadcountBand.code))))


@contextmanager
def establishment_rows(path: Path) -> Iterator[tuple[Layout, Iterator[Record], Callable[[], int]]]:
    """The file's layout, its raw establishment records (None for a row of another region, skipped
    before CSV parsing; a line is split only when read, `fields`), and the bytes read so far."""
    with open_lines(path) as (lines, position):
        header = next(csv.reader([next(lines, "")]), [])
        layout = Layout(header, ESTABLISHMENT_COLUMNS, ESTABLISHMENT_REQUIRED, ESTABLISHMENTS)
        yield layout, layout.records(lines), position


def wanted_identifiers(path: Path, context: Context, progress: Progress) -> tuple[set[int], set[str]]:
    """First pass: SIRENs of the region's open establishments, SIRETs of those without Lambert point
    (SIRETs are not checked here: a few extra keys only cost memory, rows are checked when kept)."""
    sirens: set[int] = set()
    sirets: set[str] = set()
    wanted = itemgetter(*map(list(ESTABLISHMENT_COLUMNS).index, ("siret", "state", "x", "y")))
    with establishment_rows(path) as (layout, records, position):
        for count, record in enumerate(records, start=1):
            if (record is not None and len(row := fields(record)) >= layout.width
                    and row[layout.commune_at].strip() in context.communes):
                siret, state, x, y = wanted(layout.fields(row))
                if state != "F" and siret[:9].isdecimal():
                    sirens.add(int(siret[:9]))
                    if lambert(x, y) is None:
                        sirets.add(siret)
            if count % (BATCH * 10) == 0:
                progress.at(position())
    progress.finish(file_size(path))
    return sirens, sirets


@dataclass
class Prepared:
    """A batch of establishment rows read and turned into company rows, before the database is
    looked at: the usable rows located, each with its search text and what it lost (warnings).
    The rows are tuples in `COMPANY_FIELDS` order, as the writes take them (cheaper to send
    between processes and to copy into the table than dicts)."""

    read: int
    rejected: Counter
    values: list[tuple]
    lost: list[tuple[str, ...]]
    position: int  # bytes of the file read at the end of the batch


def prepared_batches(path: Path, context: Context, reader: int = 0, readers: int = 1) -> Iterator[Prepared]:
    """The establishment file read BATCH rows at a time into company rows (`Prepared`): of every
    `readers` batches, the one numbered `reader` (the others only read through). Uses only the
    context's lookups, never the database: it runs in `prepared_in_process`'s children."""
    transformer = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    communes = context.communes
    with establishment_rows(path) as (layout, records, position):
        place_rejection = layout.place_rejection
        for number, batch in enumerate(batches(records, BATCH)):
            if number % readers != reader:
                continue  # read through, its lines not split
            rejected: Counter = Counter()
            placed = []
            for record in batch:
                if record is None:
                    rejected[OTHER_REGION] += 1
                elif reason := place_rejection(row := fields(record), communes):
                    rejected[reason] += 1
                else:
                    placed.append(row)
            usable = []
            for row, valid in zip(placed, sirets_valid([layout.siret(row) for row in placed]), strict=True):
                if valid:
                    usable.append(company_fields(layout.fields(row), context))
                else:
                    rejected["invalid_siret"] += 1
            at_commune = locate([row for row, _, _ in usable], [point for _, _, point in usable], context,
                                transformer)
            yield Prepared(len(batch), rejected, [tuple(row) for row, _, _ in usable], [
                (*lost, "commune_point") if fallback else lost
                for (_, lost, _), fallback in zip(usable, at_commune, strict=True)], position())


def prepared_in_process(path: Path, context: Context) -> Iterator[Prepared]:
    """`prepared_batches` run in READERS child processes (forked: they inherit the context), each
    preparing every READERS-th batch while the caller writes the current one; no thread. The
    batches are received from the children in turn, so in the file's order. An error of a child
    is raised here; when the caller stops early, the children stop at their next batch."""
    processes = multiprocessing.get_context("fork")
    receivers, children = [], []
    for reader in range(READERS):
        receiver, sender = processes.Pipe(duplex=False)
        child = processes.Process(target=send_prepared, args=(path, context, sender, db.engine, reader),
                                  name=f"sirene-read-{reader}", daemon=True)
        child.start()
        sender.close()
        receivers.append(receiver)
        children.append(child)
    try:
        for receiver in cycle(receivers):
            item = receiver.recv()
            if item is None:  # the child whose turn it is has no batch left: none is left
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        for receiver in receivers:
            receiver.close()
        for child in children:
            child.join()


def send_prepared(path: Path, context: Context, sender: Connection, engine: sa.Engine,
                  reader: int) -> None:
    """A child's work: its prepared batches, then None (or the error that stopped it). The
    parent's database connections are left to the parent."""
    engine.dispose(close=False)
    try:
        for prepared in prepared_batches(path, context, reader, READERS):
            sender.send(prepared)
        sender.send(None)
    except BrokenPipeError:  # the parent stopped reading
        pass
    except Exception as error:  # noqa: BLE001 - raised again in the parent
        sender.send(error)


def batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def existing_rows(sirets: list[str], columns: tuple[str, ...]) -> dict[str, sa.Row]:
    """The companies of these SIRETs by SIRET, with these columns; no query when there are none."""
    if not sirets:
        return {}
    table = Company.__table__
    # one parameter, not one per SIRET: an array on PostgreSQL (planned as an index lookup), a JSON
    # list read by json_each on SQLite
    if db.engine.dialect.name == "postgresql":
        wanted = table.c.siret == sa.any_(sa.bindparam("sirets", type_=postgresql.ARRAY(sa.String)))
        value: list[str] | str = sirets
    else:
        wanted = table.c.siret.in_(sa.select(sa.column("value")).select_from(
            sa.func.json_each(sa.bindparam("sirets", type_=sa.String))))
        value = json.dumps(sirets)
    query = sa.select(table.c.id, table.c.siret, *(table.c[name] for name in columns)).where(wanted)
    return {row.siret: row for row in db.session.execute(query, {"sirets": value})}


def settled(values: tuple, old: sa.Row | None, context: Context) -> tuple[str | None, tuple]:
    """Why a company row gives no company (None when it gives one), and the row with its name
    settled (see the module docstring)."""
    if old is not None:
        if values[NAME] is None or not values[ACTIVE]:
            return None, named(values, old.name, old.search_name, context)
        return None, values
    if not values[ACTIVE]:
        return "closed_unknown", values
    if values[NAME] is None:
        if values[DIFFUSIBLE]:
            return "no_name", values
        return None, named(values, NON_DIFFUSIBLE_NAME, normalise_name(NON_DIFFUSIBLE_NAME), context)
    return None, values


def named(values: tuple, name: str, search_name: str, context: Context) -> tuple:
    """A company row under another name: its search name, and its search text if the name changed."""
    text = values[SEARCH_TEXT] if name == values[NAME] else search_text(
        name, values[SIGN], context.communes[values[COMMUNE_CODE]].name, values[POSTAL_CODE])
    # name, search_name and search_text are adjacent columns of the row
    return values[:NAME] + (name, search_name, text) + values[SEARCH_TEXT + 1:]


def write_batch(rows: list[tuple], losses: list[tuple[str, ...]], context: Context, summary: Summary,
                writes: Writes, in_table: set[str] | None = None) -> None:
    """Settle each company row of a batch (tuples in `COMPANY_FIELDS` order, each with what it lost),
    then insert the new establishments and update the changed ones. `in_table`, on a first load: the
    SIRETs the table may hold (`known_sirets`), the only ones looked up; the batch's are added."""
    by_siret = {values[SIRET]: (values, lost) for values, lost in zip(rows, losses, strict=True)}
    if len(by_siret) < len(rows):
        summary.rejected["duplicate_siret"] += len(rows) - len(by_siret)
    sirets = list(by_siret) if in_table is None else [siret for siret in by_siret if siret in in_table]
    existing = existing_rows(sirets, writes.old_columns)
    if in_table is not None:
        in_table.update(by_siret)
    new, known = [], []
    warnings: list[str] = []
    for siret, (values, lost) in by_siret.items():
        old = existing.get(siret)
        reason, values = settled(values, old, context)
        if reason:
            summary.rejected[reason] += 1
            continue
        warnings += lost
        if old is None:
            new.append(values)
        else:
            known.append((values, old))
    context.warnings.update(warnings)
    summary.kept += len(new) + len(known)
    summary.closed += sum(not values[ACTIVE] for values in (*new, *(values for values, _ in known)))
    inserted, updated = writes.write(new, known)
    summary.inserted += inserted
    summary.updated += updated


def first_load() -> bool:
    """Whether the companies table is empty or nearly so (loaded without its secondary indexes)."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(
        sa.select(Company.id).limit(FIRST_LOAD_MAX + 1).subquery()))
    return (count or 0) <= FIRST_LOAD_MAX


def known_sirets() -> set[str]:
    """The SIRETs of a nearly empty table (a first load): with those the load writes, the only
    ones its batches look up. A firm someone adds meanwhile is then left as it is, as when it is
    added while its batch is written (`StagedWrites.insert`)."""
    return set(db.session.scalars(sa.select(Company.siret).where(Company.siret.is_not(None))))


def import_files(establishments: Path, unites: Path | None = None, geoloc: Path | None = None,
                 report: Callable[[int, int], None] | None = None, method: str = "auto") -> dict:
    """Import a StockEtablissement file, with names from StockUniteLegale and points from the
    géolocalisation file when given; commits batch by batch and returns the summary.

    `method`: "auto" (a first load without the secondary indexes when the table is nearly empty,
    else the incremental staged upsert), "bulk", "incremental" or "rows" (the row-by-row reference)."""
    restore_indexes()
    if method == "auto":
        method = "bulk" if first_load() else "incremental"
    writes: Writes = RowWrites() if method == "rows" else StagedWrites()
    if method != "bulk":
        return read_and_write(establishments, unites, geoloc, report, writes)
    in_table = known_sirets()
    with without_secondary_indexes():
        return read_and_write(establishments, unites, geoloc, report, writes, in_table)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused over an import (the child inherits it): the batches hold no
    cycles, and its passes scanned every row in memory (4.6 s of a 33 s import, docs/performance.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_and_write(establishments: Path, unites: Path | None, geoloc: Path | None,
                   report: Callable[[int, int], None] | None, writes: Writes,
                   in_table: set[str] | None = None) -> dict:
    with collector_paused():
        return read_and_write_files(establishments, unites, geoloc, report, writes, in_table)


def read_and_write_files(establishments: Path, unites: Path | None, geoloc: Path | None,
                         report: Callable[[int, int], None] | None, writes: Writes,
                         in_table: set[str] | None) -> dict:
    context, summary = load_context(), Summary()
    sides = [path for path in (unites, geoloc) if path is not None]
    passes = (2 if sides else 1) * file_size(establishments) + sum(file_size(path) for path in sides)
    progress = Progress(passes, report)
    if sides:
        sirens, sirets = wanted_identifiers(establishments, context, progress)
        context.names = legal_unit_names(unites, sirens, progress) if unites else {}
        context.points = geoloc_points(geoloc, sirets, progress) if geoloc else {}
        del sirens, sirets
    for prepared in prepared_in_process(establishments, context):
        summary.read += prepared.read
        summary.rejected.update(prepared.rejected)
        write_batch(prepared.values, prepared.lost, context, summary, writes, in_table)
        db.session.commit()
        progress.at(prepared.position)
    progress.finish(file_size(establishments))
    return summary.as_dict(context.warnings)


def upload_root() -> Path:
    """Where uploaded files wait for the worker (`CRM_IMPORT_FOLDER`): shared by every machine running
    the app."""
    return Path(current_app.config["CRM_IMPORT_FOLDER"])


def upload_folder(folder_id: str) -> Path:
    if not folder_id.isalnum():
        raise SireneError("Dossier de dépôt invalide.")
    return upload_root() / folder_id


def save_upload(files: dict[str, FileStorage | None]) -> tuple[str, dict[str, str]]:
    """Stream the uploaded files to a new folder; returns its id and the stored file names."""
    folder_id = uuid.uuid4().hex
    folder = upload_folder(folder_id)
    folder.mkdir(parents=True)
    names = {}
    for role, storage in files.items():
        if storage is not None and storage.filename:
            names[role] = UPLOAD_NAMES[role] + Path(storage.filename).suffix.lower()
            storage.save(folder / names[role])
    return folder_id, names


def discard_upload(folder_id: str) -> None:
    shutil.rmtree(upload_folder(folder_id), ignore_errors=True)


UPLOAD_CHECKS = {  # role: (columns, required columns, what, delimiter)
    "establishments": (ESTABLISHMENT_COLUMNS, ESTABLISHMENT_REQUIRED, ESTABLISHMENTS, ","),
    "unites": (LEGAL_UNIT_COLUMNS, ("siren",), "des unités légales (StockUniteLegale)", ","),
    "geoloc": (GEOLOC_COLUMNS, tuple(GEOLOC_COLUMNS), "de géolocalisation", ";"),
}


def upload_problems(folder_id: str, names: dict[str, str]) -> dict[str, str]:
    """What is wrong with each uploaded file, read from its header, by role."""
    folder = upload_folder(folder_id)
    problems = {}
    for role, name in names.items():
        columns, required, what, delimiter = UPLOAD_CHECKS[role]
        if problem := header_problem(folder / name, columns, required, what, delimiter):
            problems[role] = problem
    return problems


def imports_query() -> sa.Select:
    """Past SIRENE imports, newest first."""
    return (sa.select(BackgroundTask).where(BackgroundTask.kind == TASK_KIND)
            .order_by(BackgroundTask.created_at.desc(), BackgroundTask.id))


def record_run(task_id: str | None, summary: dict) -> None:
    """Keep an import run in the audit trail, under the person who started it."""
    task = db.session.get(BackgroundTask, task_id or "")
    user = db.session.get(User, task.user_id) if task is not None and task.user_id else None
    audit.record(user, "import_sirene", task, summary)
