"""Hostile uploads are refused with a French message, and nothing is kept: at once in the request
(bodies past the request size limit, a workbook that unzips to far more than its size), or by the
job that reads the file (a header repeating one title thousands of times, too many columns or rows,
a huge cell, a damaged sheet), whose task page then gives the reason."""

import io
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from crm import models as m
from crm.extensions import db
from crm.services.imports import spreadsheets
from tests.factories import UserFactory
from tests.helpers import page_text


def upload(client, content: bytes, filename: str):
    return client.post("/entreprises/import", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def workbook_bytes(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(client, auth, content: bytes, filename: str) -> str:
    """The page refusing the file at once."""
    auth.login(UserFactory(role=m.Role.ADVISER))
    response = upload(client, content, filename)
    assert response.status_code in (413, 422)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Upload)) == 0
    return page_text(response)


def refused_by_the_job(client, auth, run_jobs, content: bytes, filename: str) -> str:
    """The reason the job reading the file gives, on its task page."""
    auth.login(UserFactory(role=m.Role.ADVISER))
    response = upload(client, content, filename)
    assert response.status_code == 302
    run_jobs()
    db.session.expire_all()
    task = db.session.get(m.BackgroundTask, response.headers["Location"].split("/")[-1])
    assert task.status == m.BackgroundTaskStatus.FAILED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Upload)) == 0
    page = page_text(client.get(f"/taches/{task.id}"))
    assert task.result["error"] in page
    return task.result["error"]


def test_a_header_repeating_siret_thousands_of_times_is_refused(client, auth, run_jobs):
    content = (";".join(["SIRET"] * 3000) + "\n" + ";".join(["51234567900017"] * 3000) + "\n").encode()
    text = refused_by_the_job(client, auth, run_jobs, content, "liste.csv")
    assert "La ligne 1 a plus de 100 colonnes" in text


def test_repeated_titles_are_numbered_in_order():
    headers = spreadsheets.unique_headers(["SIRET"] * 3000 + ["", "SIRET (2)"])
    assert headers[:3] == ["SIRET", "SIRET (2)", "SIRET (3)"]
    assert headers[2999] == "SIRET (3000)"
    assert headers[3000:] == ["Colonne 3001", "SIRET (2) (2)"]
    assert len(set(headers)) == len(headers)


def test_empty_trailing_cells_do_not_count_as_columns():
    content = ("SIRET;Nom" + ";" * 500 + "\n51234567900017;Café" + ";" * 500 + "\n").encode()
    assert spreadsheets.read_sheet("liste.csv", content).headers == ["SIRET", "Nom"]


def test_a_list_of_more_rows_than_the_cap_is_refused(client, auth, run_jobs):
    lines = ["SIRET;Nom"] + [f"{51234567900017 + n};Entreprise {n}" for n in range(spreadsheets.MAX_ROWS + 1)]
    text = refused_by_the_job(client, auth, run_jobs, "\n".join(lines).encode(), "liste.csv")
    assert "Le fichier a plus de 50\u202f000 lignes d'entreprises" in text


def test_a_list_of_exactly_the_cap_is_read():
    lines = ["SIRET;Nom"] + [f"{51234567900017 + n};Entreprise {n}" for n in range(spreadsheets.MAX_ROWS)]
    assert len(spreadsheets.read_sheet("liste.csv", "\n".join(lines).encode()).rows) == spreadsheets.MAX_ROWS


def test_a_workbook_of_blank_lines_stops_at_the_cap(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_LINES", 50)
    content = workbook_bytes([["SIRET", "Nom"]] + [[""]] * 30 + [["x", "y"]] * 40)
    with pytest.raises(spreadsheets.UnreadableFile, match="lignes d'entreprises"):
        spreadsheets.read_sheet("liste.xlsx", content)


@pytest.mark.parametrize("size", [spreadsheets.MAX_CELL_CHARACTERS + 1, 140_000])
def test_a_huge_cell_is_refused(client, auth, run_jobs, size):
    content = ("SIRET;Nom\n51234567900017;" + "x" * size + "\n").encode()
    text = refused_by_the_job(client, auth, run_jobs, content, "liste.csv")
    assert "la ligne 2" in text.lower()


def test_a_workbook_unzipping_past_the_cap_is_refused(client, auth, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNCOMPRESSED_BYTES", 10_000)
    content = workbook_bytes([["SIRET", "Nom"]] + [["51234567900017", "x" * 200]] * 100)
    assert len(content) < 10_000
    assert "une fois ouvert : découpez-le" in refused(client, auth, content, "liste.xlsx")


def test_a_damaged_workbook_is_refused(client, auth, run_jobs):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<pas du tout un classeur>")
    text = refused_by_the_job(client, auth, run_jobs, out.getvalue(), "liste.xlsx")
    assert "Ce classeur Excel ne peut pas être lu" in text


def test_a_workbook_without_declared_dimension_is_read_without_a_first_pass():
    """openpyxl parses every row of such a sheet when it opens it; the reader does not."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in [["SIRET", "Nom"], ["51234567900017", "Café"], [None, None], ["51234570300015", "Garage"]]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    read = spreadsheets.read_sheet("liste.xlsx", out.getvalue())
    assert (read.headers, [(row.line, row.values) for row in read.rows]) == (
        ["SIRET", "Nom"], [(2, ["51234567900017", "Café"]), (4, ["51234570300015", "Garage"])])
    content = workbook_bytes([["a", "b"], ["c", "d"]])
    declared = spreadsheets.load_workbook(io.BytesIO(content), read_only=True)
    assert (declared.worksheets[0].max_row, declared.worksheets[0].max_column) == (2, 2)


def test_a_body_past_the_request_limit_gets_a_french_413(client, auth, app):
    content = b"SIRET;Nom\n" + b"x" * app.config["MAX_CONTENT_LENGTH"]
    assert "Le fichier envoyé est trop volumineux." in refused(client, auth, content, "liste.csv")


def test_the_sirene_upload_may_be_larger_than_the_request_limit(client, admin, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    content = b"siren,nic,siret\n" + b"x" * 4096
    response = client.post("/admin/sirene", data={"establishments": (io.BytesIO(content), "stock.csv")},
                           content_type="multipart/form-data")
    assert response.status_code != 413
