"""Spreadsheets people upload (CSV in any usual dialect, or XLSX) read as text rows, and CSV reports."""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from openpyxl import load_workbook

from crm.services.platform.refusals import Refused

MAX_BYTES = 10 * 1024 * 1024
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
    if suffix == XLSX_SUFFIX and not zipfile.is_zipfile(io.BytesIO(content)):
        raise UnreadableFile("Ce fichier .xlsx est endommagé ou n'est pas un classeur Excel.")
    if suffix in CSV_SUFFIXES and b"\x00" in content[:4096]:
        raise UnreadableFile("Ce fichier n'est pas un fichier texte CSV : enregistrez-le au format CSV.")
    if suffix not in (*CSV_SUFFIXES, XLSX_SUFFIX):
        raise UnreadableFile("Format de fichier non pris en charge : choisissez un fichier CSV ou XLSX.")


def read_sheet(filename: str, content: bytes) -> Sheet:
    """The header and the non-blank rows of the file's first sheet, every cell as text."""
    lines = _xlsx_lines(content) if filename.lower().endswith(XLSX_SUFFIX) else _csv_lines(content)
    numbered = [(line, [cell.strip() for cell in values]) for line, values in lines]
    numbered = [(line, values) for line, values in numbered if any(values)]
    if not numbered:
        raise UnreadableFile("Le fichier ne contient aucune ligne : vérifiez qu'il s'agit de la bonne liste.")
    (_, header), body = numbered[0], numbered[1:]
    if not body:
        raise UnreadableFile("Le fichier ne contient qu'une ligne d'en-tête et aucune entreprise.")
    headers = unique_headers(header)
    width = len(headers)
    return Sheet(headers, [SheetRow(line, (values + [""] * width)[:width]) for line, values in body])


def unique_headers(raw: list[str]) -> list[str]:
    """Column titles made unique and never blank ("Colonne 3", "Ville (2)")."""
    headers: list[str] = []
    for position, title in enumerate(raw, start=1):
        title = title or f"Colonne {position}"
        candidate, copy = title, 2
        while candidate in headers:
            candidate, copy = f"{title} ({copy})", copy + 1
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


def _csv_lines(content: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text))
    start = 1
    for values in reader:
        yield start, values
        start = reader.line_num + 1


def _xlsx_lines(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile("Ce classeur Excel ne peut pas être lu : enregistrez-le de nouveau "
                             "au format .xlsx ou CSV.") from error
    try:
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [cell_text(value) for value in values]
    finally:
        workbook.close()


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
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return UTF8_BOM + buffer.getvalue().encode("utf-8")
