"""The SIRENE files as streams (CSV or the zip INSEE ships), with progress in bytes, and the side
files read for the kept establishments only: legal-unit names and géolocalisation points."""

import csv
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from crm.services.imports.sirene_rows import (
    MASKED,
    SireneError,
    column_positions,
    fields,
    records,
    required_position,
)

TICK_ROWS = 50_000  # rows between two progress reports while reading a side file
LEGAL_UNIT_COLUMNS = {
    "siren": "siren", "denomination": "denominationUniteLegale", "surname": "nomUniteLegale",
    "usage_name": "nomUsageUniteLegale", "first_name": "prenom1UniteLegale",
    "usual_first_name": "prenomUsuelUniteLegale",
}
GEOLOC_COLUMNS = {"siret": "siret", "latitude": "y_latitude", "longitude": "x_longitude"}


@dataclass
class Progress:
    """Bytes read over every pass of an import, reported to a callback (e.g. a task's bar)."""

    total: int
    report: Callable[[int, int], None] | None = None
    done: int = 0

    def at(self, position: int) -> None:
        if self.report is not None:
            self.report(self.done + position, self.total)

    def finish(self, size: int) -> None:
        self.done += size
        self.at(0)


def file_size(path: Path) -> int:
    """Bytes a pass over the file reads: the CSV, or the CSV inside the zip."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return csv_member(archive).file_size
    return os.path.getsize(path)


def csv_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [info for info in archive.infolist() if info.filename.lower().endswith(".csv")]
    if not members:
        raise SireneError("L'archive zip ne contient aucun fichier .csv : déposez le fichier de l'INSEE.")
    return members[0]


@contextmanager
def open_lines(path: Path) -> Iterator[tuple[Iterator[str], Callable[[], int]]]:
    """The text lines of a file or of the CSV in a zip, read as a stream, and the bytes read so far."""
    with ExitStack() as stack:
        if zipfile.is_zipfile(path):
            archive = stack.enter_context(zipfile.ZipFile(path))
            raw = stack.enter_context(archive.open(csv_member(archive)))
        else:
            raw = stack.enter_context(open(path, "rb"))
        text = stack.enter_context(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        try:
            yield text, raw.tell
        except UnicodeDecodeError as error:
            raise SireneError("Le fichier n'est pas encodé en UTF-8 : utilisez la version « utf8 » "
                              "des fichiers de l'INSEE.") from error


@contextmanager
def open_rows(path: Path, delimiter: str = ",") -> Iterator[tuple[Iterator[list[str]], Callable[[], int]]]:
    """CSV rows of a file or of the CSV in a zip, read as a stream, and the bytes read so far."""
    with open_lines(path) as (lines, position):
        yield csv.reader(lines, delimiter=delimiter), position


def header_problem(path: Path, columns: dict[str, str], required: tuple[str, ...], what: str,
                   delimiter: str = ",") -> str | None:
    """Why a file is not the expected SIRENE file, read from its header only, or None."""
    try:
        with open_rows(path, delimiter) as (rows, _):
            column_positions(next(rows, []), columns, required, what)
    except (SireneError, csv.Error, OSError, zipfile.BadZipFile) as error:
        return str(error) if isinstance(error, SireneError) else f"Le fichier {what} est illisible."
    return None


def cleaned(value: str) -> str:
    return "" if value == MASKED else value.strip()


def legal_unit_name(row: list[str], positions: dict[str, int | None]) -> str | None:
    """The denomination, else first name and name of a sole trader (usage name first)."""
    def value(key: str) -> str:
        position = positions[key]
        return cleaned(row[position]) if position is not None and position < len(row) else ""

    if value("denomination"):
        return value("denomination")
    surname = value("usage_name") or value("surname")
    if not surname:
        return None
    return " ".join(part for part in (value("usual_first_name") or value("first_name"), surname) if part)


def legal_unit_names(path: Path, sirens: set[int], progress: Progress) -> dict[int, str]:
    """Names of the wanted legal units only: the national file (~28 M rows) is streamed through,
    each line's SIREN tested before the line is split or parsed."""
    names: dict[int, str] = {}
    with open_lines(path) as (lines, position):
        positions = column_positions(next(csv.reader([next(lines, "")]), []), LEGAL_UNIT_COLUMNS,
                                     ("siren",), "des unités légales (StockUniteLegale)")
        siren_at = required_position(positions, "siren")

        def unwanted(line: str) -> bool:
            parts = line.split(",", siren_at + 1)
            siren = parts[siren_at].rstrip("\r\n") if siren_at < len(parts) else ""
            return not (siren.isdigit() and int(siren) in sirens)

        for count, record in enumerate(records(lines, unwanted), start=1):
            if record is not None:
                row = fields(record)
                siren = row[siren_at] if siren_at < len(row) else ""
                if siren.isdigit() and int(siren) in sirens and (name := legal_unit_name(row, positions)):
                    names[int(siren)] = name
            if count % TICK_ROWS == 0:
                progress.at(position())
    progress.finish(file_size(path))
    return names


def coordinate(value: str, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if low < number < high else None


def geoloc_points(path: Path, sirets: set[str], progress: Progress) -> dict[str, tuple[float, float]]:
    """WGS84 points of the wanted establishments from the `;`-separated géolocalisation file."""
    points: dict[str, tuple[float, float]] = {}
    with open_rows(path, ";") as (rows, position):
        positions = column_positions(next(rows, []), GEOLOC_COLUMNS, tuple(GEOLOC_COLUMNS),
                                     "de géolocalisation")
        siret_at, latitude_at, longitude_at = (required_position(positions, key) for key in GEOLOC_COLUMNS)
        width = max(siret_at, latitude_at, longitude_at) + 1
        for count, row in enumerate(rows, start=1):
            if len(row) >= width and row[siret_at] in sirets:
                latitude = coordinate(row[latitude_at], 41.0, 51.5)
                longitude = coordinate(row[longitude_at], -5.5, 10.0)
                if latitude is not None and longitude is not None:
                    points[row[siret_at]] = round(latitude, 6), round(longitude, 6)
            if count % TICK_ROWS == 0:
                progress.at(position())
    progress.finish(file_size(path))
    return points
