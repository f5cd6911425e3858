"""The one writer of spreadsheet files the CRM hands out (company exports, spotter statistics, import
rejects, plan sheets): CSV for French spreadsheet software and XLSX, both safe against formula
injection.

- XLSX: every string is written as a text cell (inline string), never as a formula, whatever it
  starts with; characters XML cannot hold are dropped.
- CSV: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`
  (OWASP's advice), so that no spreadsheet evaluates it.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# Content types as given to a Response's `content_type` (not `mimetype`, which would add a second
# charset to the CSV one).
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
BATCH = 1000


def csv_cell(value: object) -> object:
    """A CSV cell no spreadsheet takes for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(rows: Iterable[list], batch: int = BATCH) -> Iterator[str]:
    """CSV text for Excel in French: a BOM, `;` between fields, one chunk per batch of rows."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for number, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if number % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(rows: Iterable[list]) -> str:
    return "".join(csv_chunks(rows))


def csv_bytes(rows: Iterable[list]) -> bytes:
    return csv_text(rows).encode("utf-8")


def xlsx_cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    """Strings become text cells (never formulas); other values stay as they are."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def write_xlsx(rows: Iterable[list], out: IO[bytes], title: str = "Feuille") -> None:
    """An XLSX workbook written row by row (write-only mode keeps no cell in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    workbook.save(out)


def xlsx_file(rows: Iterable[list], title: str = "Feuille") -> IO[bytes]:
    """The workbook in a temporary file (in memory while small), ready to be sent."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_xlsx(rows, out, title)
    out.seek(0)
    return out


def xlsx_bytes(rows: Iterable[list], title: str = "Feuille") -> bytes:
    out = io.BytesIO()
    write_xlsx(rows, out, title)
    return out.getvalue()


def file_bytes(rows: Iterable[list], fmt: str, title: str = "Feuille") -> bytes:
    return csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows, title)
