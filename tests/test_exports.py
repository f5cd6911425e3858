"""Exports of the companies list: CSV and XLSX content, permissions, large exports as a job."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from crm.extensions import db
from crm.models import BackgroundTask, BackgroundTaskStatus, Role, Upload, utcnow
from crm.services.platform import background_tasks as tasks
from tests import factories as f
from tests.helpers import page_text

STAFF_HEADERS = ["Référent", "Étiquettes", "Dernier contact", "Besoins ouverts"]


@pytest.fixture
def firms():
    referent = f.UserFactory(name="Claude Référent")
    bakery = f.CompanyFactory(name="Boulangerie Lefèvre", search_name="boulangerie lefevre",
                              referent=referent, tags=["TPE", "Secteur en tension"])
    f.CompanyFactory(name="Garage du Centre", search_name="garage du centre", basin_code="2706")
    f.HiringNeedFactory(company=bakery)
    f.InteractionFactory(company=bakery, occurred_at=utcnow() - timedelta(days=1))
    return bakery


def exported(client, fmt: str, **filters):
    return client.post("/entreprises/export", query_string=filters, data={"format": fmt})


def csv_rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_a_bom_semicolons_french_headers_and_the_view_only(client, auth, firms):
    auth.login(f.UserFactory())
    response = exported(client, "csv", basin="2711")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:3] == ["Raison sociale", "SIRET", "SIREN"] and header[-4:] == STAFF_HEADERS
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Raison sociale"] == "Boulangerie Lefèvre" and row["SIRET"] == firms.siret
    assert row["Commune"] == "Dijon" and row["Tranche d'effectif"] == "10 à 19 salariés"
    assert row["Référent"] == "Claude Référent" and row["Étiquettes"] == "TPE, Secteur en tension"
    assert row["Dernier contact"] == (utcnow() - timedelta(days=1)).strftime("%d/%m/%Y")
    assert row["Besoins ouverts"] == "1" and row["Établissement actif"] == "Oui"


def test_the_xlsx_opens_with_the_same_rows(client, auth, firms):
    auth.login(f.UserFactory())
    response = exported(client, "xlsx", q="garage")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[0] == "Raison sociale" and header[-4:] == STAFF_HEADERS
    assert [row[0] for row in rows] == ["Garage du Centre"]


def test_partners_export_the_public_identity_only(client, auth, firms):
    auth.login(f.UserFactory(role=Role.PARTNER))
    header, *rows = csv_rows(exported(client, "csv", referent="aucun"))
    assert not set(STAFF_HEADERS) & set(header)
    assert "Claude Référent" not in str(rows) and len(rows) == 2  # staff-only filter ignored


def test_exporting_needs_a_known_format_and_a_signed_in_user(client, auth, firms):
    assert exported(client, "csv").status_code == 302
    auth.login(f.UserFactory())
    assert exported(client, "pdf").status_code == 400


def test_a_large_export_runs_as_a_job_whose_file_only_its_owner_downloads(
        app, client, auth, firms, run_jobs, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_EXPORT_SYNC_LIMIT", 1)
    from crm.services.companies import exports

    monkeypatch.setattr(exports, "BATCH", 1)
    reported = []
    monkeypatch.setattr(tasks, "set_progress", lambda done, total: reported.append((done, total)))
    owner = f.UserFactory()
    auth.login(owner)
    response = exported(client, "xlsx")
    task_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert response.headers["Location"].endswith(f"/taches/{task_id}")
    assert db.session.get(BackgroundTask, task_id).status == BackgroundTaskStatus.QUEUED
    run_jobs()
    db.session.expire_all()
    task = db.session.get(BackgroundTask, task_id)
    assert (task.status, task.progress) == (BackgroundTaskStatus.FINISHED, 100)
    assert task.result["Entreprises exportées"] == 2 and reported == [(1, 2), (2, 2)]
    page = " ".join(page_text(client.get(f"/taches/{task_id}")).split())
    assert "<strong>2</strong> entreprises exportées" in page
    assert f'href="/entreprises/exports/{task_id}">Télécharger' in page
    upload = db.session.get(Upload, task.result["upload_id"])
    assert upload.kind == "export" and upload.user_id == owner.id
    download = client.get(f"/entreprises/exports/{task_id}")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.get_data()), read_only=True).active
    assert len(list(sheet.iter_rows())) == 3
    auth.logout()
    auth.login(f.UserFactory(organisation=owner.organisation))
    assert client.get(f"/entreprises/exports/{task_id}").status_code == 404
    assert client.get("/entreprises/exports/inconnue").status_code == 404


def test_a_large_csv_export_through_the_job_keeps_the_bom_and_separator(
        app, client, auth, firms, run_jobs, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_EXPORT_SYNC_LIMIT", 1)
    auth.login(f.UserFactory())
    task_id = exported(client, "csv").headers["Location"].rsplit("/", 1)[-1]
    run_jobs()
    header, *rows = csv_rows(client.get(f"/entreprises/exports/{task_id}"))
    assert header[0] == "Raison sociale" and len(rows) == 2
