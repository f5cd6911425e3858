"""Spreadsheets people upload (CSV in any usual dialect, or XLSX) read as text rows, and CSV reports."""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse

from crm.services.platform import spreadsheet_files
from crm.services.platform.refusals import Refused

MAX_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # what an XLSX may hold once unzipped
MAX_COLUMNS = 100
MAX_ROWS = 50_000  # rows of firms, the header not counted
MAX_LINES = 2 * MAX_ROWS  # blank lines included
MAX_CELL_CHARACTERS = 32_767  # what a spreadsheet cell holds at most
PROGRESS_EVERY = 2_000  # lines read between two progress reports
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIX = ".xlsx"
SEPARATORS = ";,\t"
UTF8_BOM = b"\xef\xbb\xbf"


class UnreadableFile(Refused):
    """A file that cannot be read, with the French message saying what to do (about the field
    `file` of the upload)."""

    def __init__(self, message: str):
        super().__init__(message, "file")


@dataclass(frozen=True)
class SheetRow:
    line: int  # as the spreadsheet numbers it: the header is line 1
    values: list[str]


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[SheetRow]


Progress = Callable[[int, int], None]  # (lines read, lines expected), told every PROGRESS_EVERY lines


def check_file(filename: str, content: bytes) -> None:
    """Refuse a file that is empty, too big or of a type that is not CSV or XLSX."""
    suffix = PurePath(filename or "").suffix.lower()
    if not content:
        raise UnreadableFile("Le fichier est vide : choisissez le fichier de la liste des entreprises.")
    if len(content) > MAX_BYTES:
        raise UnreadableFile(f"Le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo : "
                             "découpez-le en plusieurs fichiers ou retirez les colonnes inutiles.")
    if suffix == ".xls":
        raise UnreadableFile("Les fichiers Excel 97-2003 (.xls) ne sont pas acceptés : "
                             "enregistrez le fichier au format .xlsx ou CSV.")
    if suffix == XLSX_SUFFIX:
        check_workbook(content)
    if suffix in CSV_SUFFIXES and b"\x00" in content[:4096]:
        raise UnreadableFile("Ce fichier n'est pas un fichier texte CSV : enregistrez-le au format CSV.")
    if suffix not in (*CSV_SUFFIXES, XLSX_SUFFIX):
        raise UnreadableFile("Format de fichier non pris en charge : choisissez un fichier CSV ou XLSX.")


def check_workbook(content: bytes) -> None:
    """Refuse a damaged workbook, or one that unzips to more than MAX_UNCOMPRESSED_BYTES."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise UnreadableFile("Ce fichier .xlsx est endommagé ou n'est pas un classeur Excel.") from error
    if unzipped > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(
            f"Ce classeur contient plus de {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} Mo de données "
            "une fois ouvert : découpez-le en plusieurs fichiers.")


def filled_lines(filename: str, content: bytes,
                 progress: Progress | None = None) -> Iterator[tuple[int, list[str]]]:
    """The non-blank lines of the file's first sheet, cells stripped; refuses any line wider than
    MAX_COLUMNS and stops with a refusal past MAX_ROWS lines of firms. `progress`, when given, is
    told every PROGRESS_EVERY lines how many were read out of how many the file seems to hold."""
    expected = [MAX_LINES]  # what the file seems to hold, at most MAX_LINES: the reader sets it
    if filename.lower().endswith(XLSX_SUFFIX):
        lines = _xlsx_lines(content, expected)
    else:
        lines = _csv_lines(content, expected)
    count = 0
    for line, values in lines:
        if line > MAX_LINES:
            raise too_long()
        if progress is not None and line % PROGRESS_EVERY == 0:
            progress(line, max(line, min(expected[0], MAX_LINES)))
        cells = [cell.strip() for cell in values]
        if not any(cells):
            continue
        while cells and not cells[-1]:  # empty trailing cells do not make a column
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise UnreadableFile(f"La ligne {line} a plus de {MAX_COLUMNS} colonnes : gardez seulement "
                                 "les colonnes utiles à l'import.")
        count += 1
        if count > MAX_ROWS + 1:
            raise too_long()
        yield line, cells


def too_long() -> UnreadableFile:
    rows = f"{MAX_ROWS:,}".replace(",", "\N{NARROW NO-BREAK SPACE}")
    return UnreadableFile(f"Le fichier a plus de {rows} lignes d'entreprises : découpez-le en "
                          "plusieurs fichiers.")


def read_sheet(filename: str, content: bytes, progress: Progress | None = None) -> Sheet:
    """The header and the non-blank rows of the file's first sheet, every cell as text."""
    numbered = list(filled_lines(filename, content, progress))
    if not numbered:
        raise UnreadableFile("Le fichier ne contient aucune ligne : vérifiez qu'il s'agit de la bonne liste.")
    (_, header), body = numbered[0], numbered[1:]
    if not body:
        raise UnreadableFile("Le fichier ne contient qu'une ligne d'en-tête et aucune entreprise.")
    headers = unique_headers(header)
    width = len(headers)
    return Sheet(headers, [SheetRow(line, (values + [""] * width)[:width]) for line, values in body])


def unique_headers(raw: list[str]) -> list[str]:
    """Column titles made unique and never blank ("Colonne 3", "Ville (2)"), in linear time."""
    headers: list[str] = []
    taken: set[str] = set()
    next_copy: dict[str, int] = {}
    for position, title in enumerate(raw, start=1):
        title = title or f"Colonne {position}"
        candidate, copy = title, next_copy.get(title, 2)
        while candidate in taken:
            candidate, copy = f"{title} ({copy})", copy + 1
        next_copy[title] = copy
        taken.add(candidate)
        headers.append(candidate)
    return headers


def decode(content: bytes) -> str:
    """UTF-8 text (with or without BOM), else Windows-1252 as Excel writes it in France."""
    if content.startswith(UTF8_BOM):
        return content[len(UTF8_BOM):].decode("utf-8", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def separator(text: str) -> str:
    """The separator of a CSV text: the one the header line uses most among ; , and tab."""
    header = text.splitlines()[0] if text else ""
    return max(SEPARATORS, key=header.count)


def _csv_lines(content: bytes, expected: list[int]) -> Iterator[tuple[int, list[str]]]:
    text = decode(content)
    expected[0] = text.count("\n") + 1  # a quoted line break counts too: an estimate
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text))
    start = 1
    try:
        for values in reader:
            if any(len(value) > MAX_CELL_CHARACTERS for value in values):
                raise UnreadableFile(f"Une cellule de la ligne {start} dépasse {MAX_CELL_CHARACTERS} "
                                     "caractères : ce n'est pas une liste d'entreprises.")
            yield start, values
            start = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(f"La ligne {start} du fichier CSV ne peut pas être lue : enregistrez de "
                             "nouveau le fichier au format CSV.") from error


def _xlsx_lines(content: bytes, expected: list[int]) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile("Ce classeur Excel ne peut pas être lu : enregistrez-le de nouveau "
                             "au format .xlsx ou CSV.") from error
    try:
        sheet = workbook.worksheets[0]
        expected[0] = sheet.max_row or expected[0]  # as the workbook declares it, when it does
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [cell_text(value) for value in values]
    finally:
        workbook.close()


def _declared_size(worksheet: ReadOnlyWorksheet) -> None:
    """openpyxl's `ReadOnlyWorksheet._get_size`, which reads the sheet's declared dimension when a
    workbook is opened, without its flaw: when a workbook declares none (write-only openpyxl files,
    hostile ones), openpyxl parses every row to find out (a million rows of a 150 KB file: 40 s and
    100 MB before the first row is read). This stops where the rows begin."""
    with worksheet._get_source() as source:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                boundaries = SheetDimension.from_tree(element).boundaries
                (worksheet._min_column, worksheet._min_row,
                 worksheet._max_column, worksheet._max_row) = boundaries
                return
            if element.tag == DATA_TAG:
                return


ReadOnlyWorksheet._get_size = _declared_size


def cell_text(value: object) -> str:
    """A spreadsheet cell as a person reads it (a SIRET typed as a number keeps its digits)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    """A CSV report as French spreadsheet software opens it: UTF-8 with BOM, `;` separated."""
    return spreadsheet_files.csv_bytes([header, *rows])
