"""Import of partners' lists of firms: upload, mapping, preview, background run, rejects, history."""

import csv
import io
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from flask import render_template

from crm import models as m
from crm.extensions import db
from crm.services.imports import partners as partner_import
from crm.services.imports import spreadsheets
from crm.services.imports.partner_rows import RowReader
from crm.services.imports.spreadsheets import Sheet, SheetRow
from tests.factories import (
    BackgroundTaskFactory,
    CompanyFactory,
    ContactFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.helpers import assert_constant_queries, page_text

DATA = Path(__file__).parent / "data" / "imports"
CCI_FILE = "cci-cote-dor.csv"
CCI_MAPPING = {"siret": "N° SIRET", "name": "Raison sociale", "address": "Adresse", "postal_code": "CP",
               "commune": "Ville", "naf": "Code NAF/APE", "headcount": "Effectif",
               "contact_name": "Contact", "contact_email": "E-mail", "contact_phone": "Téléphone",
               "tags": "Segment"}
TAG = "import CCI Côte-d'Or 2026-11"
EXISTING_SIRET = "51234568700010"  # line 3 of the CCI file


@pytest.fixture
def cci_user():
    organisation = OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI, is_spotter=True)
    return UserFactory(role=m.Role.PARTNER, organisation=organisation)


def visible_text(response) -> str:
    """The page's words without markup, as a person reads them."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def fixture_bytes(name: str) -> bytes:
    return (DATA / name).read_bytes()


def upload(client, content: bytes, filename: str):
    return client.post("/entreprises/import", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def read_task(client, run_jobs, content: bytes, filename: str) -> m.BackgroundTask:
    """Send a file and let the job read it; returns the reading task."""
    response = upload(client, content, filename)
    assert response.status_code == 302, page_text(response)
    assert "/taches/" in response.headers["Location"]
    run_jobs()
    db.session.expire_all()
    return db.session.get(m.BackgroundTask, response.headers["Location"].split("/")[-1])


def uploaded(client, run_jobs, content: bytes, filename: str) -> int:
    """Send a file, let the job read it and follow the task page's link to the mapping step;
    returns the id in the mapping step's address."""
    task = read_task(client, run_jobs, content, filename)
    assert task.status == m.BackgroundTaskStatus.FINISHED, task.result
    page = page_text(client.get(f"/taches/{task.id}"))
    link = re.search(r'href="/entreprises/import/(\d+)/colonnes">Choisir les colonnes<', page)
    assert link, page
    return int(link.group(1))


def confirm(client, upload_id: int, mapping: dict, tag: str = TAG) -> str:
    response = client.post(f"/entreprises/import/{upload_id}/confirmer", data=mapping | {"source_tag": tag})
    assert response.status_code == 302, page_text(response)
    return response.headers["Location"].split("/")[-1]


def company(siret: str) -> m.Company | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(m.Company).where(m.Company.siret == siret))


def company_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(m.Company))


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_cci(client, auth, user, run_jobs) -> m.BackgroundTask:
    auth.login(user)
    task_id = confirm(client, uploaded(client, run_jobs, fixture_bytes(CCI_FILE), CCI_FILE), CCI_MAPPING)
    run_jobs()
    db.session.expire_all()
    return db.session.get(m.BackgroundTask, task_id)


def test_headers_are_guessed_whatever_their_accents_case_and_punctuation(client, auth, cci_user, run_jobs):
    auth.login(cci_user)
    upload_id = uploaded(client, run_jobs, fixture_bytes(CCI_FILE), CCI_FILE)
    assert partner_import.guess_mapping(
        ["N° SIRET", "Raison sociale", "CP", "VILLE", "Code NAF/APE", "Effectif", "E-mail", "Divers"]
    ) == {"siret": "N° SIRET", "name": "Raison sociale", "postal_code": "CP", "commune": "VILLE",
          "naf": "Code NAF/APE", "headcount": "Effectif", "contact_email": "E-mail"}
    page = page_text(client.get(f"/entreprises/import/{upload_id}/colonnes"))
    assert '<option selected value="N° SIRET">' in page
    assert '<option selected value="Code NAF/APE">' in page
    assert "8 lignes d'entreprises" in page
    assert 'value="import CCI Côte-d\'Or ' in page


def test_preview_counts_the_whole_file_shows_reasons_and_writes_nothing(client, auth, cci_user, run_jobs):
    CompanyFactory(siret=EXISTING_SIRET, siren=EXISTING_SIRET[:9], name="Menuiserie Morel", verified=False,
                   address=None, naf_code=None, tags=[])
    auth.login(cci_user)
    upload_id = uploaded(client, run_jobs, fixture_bytes(CCI_FILE), CCI_FILE)
    before = company_count()
    response = client.get(f"/entreprises/import/{upload_id}/apercu",
                          query_string=CCI_MAPPING | {"source_tag": TAG})
    page = visible_text(response)
    assert response.status_code == 200
    for count in ("3 entreprises à créer", "1 entreprise à compléter", "0 entreprise déjà à jour",
                  "4 lignes rejetées"):
        assert count in page
    for reason in ("SIRET invalide", "commune hors Bourgogne-Franche-Comté",
                   "SIRET en double dans le fichier", "SIRET manquant"):
        assert reason in page
    assert "Lons-le-Saunier" in page and "Besançon" in page
    assert company_count() == before


def test_preview_refuses_a_mapping_without_siret(client, auth, cci_user, run_jobs):
    auth.login(cci_user)
    upload_id = uploaded(client, run_jobs, fixture_bytes(CCI_FILE), CCI_FILE)
    response = client.get(f"/entreprises/import/{upload_id}/apercu",
                          query_string={"name": "Raison sociale", "source_tag": TAG})
    assert response.status_code == 422
    assert "Choisissez la colonne qui contient le SIRET." in page_text(response)


def test_csv_import_creates_completes_tags_and_rejects(client, auth, cci_user, run_jobs):
    existing = CompanyFactory(siret=EXISTING_SIRET, siren=EXISTING_SIRET[:9], name="Menuiserie Morel",
                              verified=False, address=None, naf_code=None, headcount_band="11",
                              tags=["suivi PLIE"])
    ContactFactory(company=existing, name="Jean Morel", email="Jean.Morel@exemple.fr")
    task = import_cci(client, auth, cci_user, run_jobs)

    assert task.status == m.BackgroundTaskStatus.FINISHED and task.progress == 100
    assert {key: task.result[key] for key in ("created", "updated", "unchanged", "rejected")} == {
        "created": 3, "updated": 1, "unchanged": 0, "rejected": 4}
    bakery = company("51234567900017")
    assert (bakery.name, bakery.verified, bakery.source) == ("Boulangerie Dupré", False, "import")
    assert (bakery.commune_code, bakery.basin_code, bakery.postal_code) == ("21231", "2711", "21000")
    assert (bakery.naf_code, bakery.headcount_band, bakery.address) == ("10.71C", "11", "3 rue des Forges")
    assert bakery.tags == ["artisanat", TAG]
    assert [(c.name, c.email, c.phone) for c in bakery.contacts] == [
        ("Marie Dupré", "marie.dupre@exemple.fr", "+33380123456")]
    transport = company("51234570300015")
    assert (transport.commune_code, transport.naf_code, transport.headcount_band) == ("25056", "49.41A", "NN")
    cheese = company("51234571100018")
    assert cheese.headcount_band == "12"
    assert [c.name for c in cheese.contacts] == ["contact@fromagerie-jura.fr"]

    menuiserie = company(EXISTING_SIRET)
    assert (menuiserie.address, menuiserie.naf_code) == ("12 avenue Foch", "43.32A")
    assert menuiserie.headcount_band == "11"  # kept: partner data never replaces a value
    assert menuiserie.tags == ["suivi PLIE", "BTP", "bois", TAG]
    assert len(menuiserie.contacts) == 1  # same e-mail, whatever its case
    for siret in ("51234567900018", "51234569500013"):
        assert company(siret) is None


def test_a_verified_company_keeps_its_sirene_identity(client, auth, cci_user, run_jobs):
    CompanyFactory(siret=EXISTING_SIRET, siren=EXISTING_SIRET[:9], name="MOREL MENUISERIE", verified=True,
                   address=None, naf_code="16.23Z", tags=[])
    import_cci(client, auth, cci_user, run_jobs)
    menuiserie = company(EXISTING_SIRET)
    assert (menuiserie.name, menuiserie.address, menuiserie.naf_code) == ("MOREL MENUISERIE", None, "16.23Z")
    assert TAG in menuiserie.tags
    assert [c.email for c in menuiserie.contacts] == ["jean.morel@exemple.fr"]


def test_importing_the_same_file_twice_creates_nothing_the_second_time(client, auth, cci_user, run_jobs):
    first = import_cci(client, auth, cci_user, run_jobs)
    companies_after_first = company_count()
    contacts = db.session.scalar(sa.select(sa.func.count()).select_from(m.Contact))
    second = import_cci(client, auth, cci_user, run_jobs)
    assert first.result["created"] == 4
    assert {key: second.result[key] for key in ("created", "updated", "unchanged", "rejected")} == {
        "created": 0, "updated": 0, "unchanged": 4, "rejected": 4}
    assert company_count() == companies_after_first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Contact)) == contacts


def test_the_import_run_is_recorded_once_in_the_audit_trail(client, auth, cci_user, run_jobs):
    task = import_cci(client, auth, cci_user, run_jobs)
    events = db.session.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == "partner_import")).all()
    assert len(events) == 1
    assert events[0].actor_id == cci_user.id
    assert events[0].changes["created"] == 4 and events[0].changes["source_tag"] == TAG
    assert events[0].object_id == str(task.result["upload_id"])
    created = db.session.scalars(sa.select(m.AuditEvent).where(
        m.AuditEvent.action == "created", m.AuditEvent.object_type == "Company")).all()
    assert {event.actor_id for event in created} == {cci_user.id}


def test_rejects_report_lists_original_values_line_and_reason(client, auth, cci_user, run_jobs):
    task = import_cci(client, auth, cci_user, run_jobs)
    response = client.get(f"/entreprises/import/{task.id}/rejets.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(spreadsheets.UTF8_BOM)
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [*CCI_MAPPING.values(), "ligne", "motif"]
    assert [(row[0], row[-2], row[-1]) for row in rows[1:]] == [
        ("51234567900018", "4", "SIRET invalide"),
        ("51234569500013", "5", "commune hors Bourgogne-Franche-Comté"),
        ("512.345.679.00017", "6", "SIRET en double dans le fichier"),
        ("", "7", "SIRET manquant"),
    ]
    assert rows[1][1] == "Garage Faux Siret"


def test_rejects_report_is_refused_to_another_user_and_open_to_admins(client, auth, cci_user, run_jobs):
    task = import_cci(client, auth, cci_user, run_jobs)
    colleague = UserFactory(role=m.Role.PARTNER, organisation=cci_user.organisation)
    auth.logout()
    auth.login(colleague)
    assert client.get(f"/entreprises/import/{task.id}/rejets.csv").status_code == 403
    auth.logout()
    auth.login(UserFactory(role=m.Role.ADMIN))
    assert client.get(f"/entreprises/import/{task.id}/rejets.csv").status_code == 200
    assert client.get("/entreprises/import/inconnue/rejets.csv").status_code == 404


def test_an_upload_is_used_only_by_the_person_who_sent_it(client, auth, cci_user, run_jobs):
    auth.login(cci_user)
    upload_id = uploaded(client, run_jobs, fixture_bytes(CCI_FILE), CCI_FILE)
    auth.logout()
    auth.login(UserFactory(role=m.Role.ADVISER))
    assert client.get(f"/entreprises/import/{upload_id}/colonnes").status_code == 403
    assert client.post(f"/entreprises/import/{upload_id}/confirmer",
                       data=CCI_MAPPING | {"source_tag": TAG}).status_code == 403
    assert client.get("/entreprises/import/999999/colonnes").status_code == 404


def test_xlsx_import_reads_numbers_as_typed(client, auth, run_jobs):
    adviser = UserFactory(role=m.Role.ADVISER)
    content = xlsx_bytes([
        ["Siret", "Nom", "Code postal", "Commune", "Effectif"],
        [51234567900017, "Boulangerie Dupré", 21000, "DIJON CEDEX", 12],
        [None, None, None, None, None],
        [51234570300015, "Transports Comtois", "25300", "Pontarlier", "50 à 99"],
        ["123", "Siret trop court", "21000", "Dijon", None],
    ])
    auth.login(adviser)
    upload_id = uploaded(client, run_jobs, content, "liste.xlsx")
    mapping = partner_import.guess_mapping(["Siret", "Nom", "Code postal", "Commune", "Effectif"])
    assert mapping == {"siret": "Siret", "name": "Nom", "postal_code": "Code postal", "commune": "Commune",
                       "headcount": "Effectif"}
    task_id = confirm(client, upload_id, mapping, "import Pôle 2026")
    run_jobs()
    db.session.expire_all()
    result = db.session.get(m.BackgroundTask, task_id).result
    assert (result["created"], result["rejected"]) == (2, 1)
    bakery, transport = company("51234567900017"), company("51234570300015")
    assert (bakery.commune_code, bakery.headcount_band) == ("21231", "11")
    assert (transport.commune_code, transport.headcount_band) == ("25462", "21")
    report = client.get(f"/entreprises/import/{task_id}/rejets.csv").data.decode("utf-8-sig")
    assert "123;Siret trop court;21000;Dijon;;5;SIRET invalide" in report


def test_mapping_is_remembered_for_the_next_upload_of_the_organisation(client, auth, cci_user, run_jobs):
    auth.login(cci_user)
    content = fixture_bytes("opco-liste.csv")
    first = uploaded(client, run_jobs, content, "opco-liste.csv")
    page = page_text(client.get(f"/entreprises/import/{first}/colonnes"))
    assert '<option selected value="Identifiant établissement">' not in page  # not a usual title
    mapping = {"siret": "Identifiant établissement", "name": "Entreprise", "postal_code": "Code postal",
               "commune": "Commune", "contact_email": "Adresse électronique"}
    confirm(client, first, mapping)
    run_jobs()
    colleague = UserFactory(role=m.Role.PARTNER, organisation=cci_user.organisation)
    auth.logout()
    auth.login(colleague)
    second = uploaded(client, run_jobs, content, "opco-liste-decembre.csv")
    page = page_text(client.get(f"/entreprises/import/{second}/colonnes"))
    assert '<option selected value="Identifiant établissement">' in page
    assert '<option selected value="Adresse électronique">' in page
    saved = db.session.get(m.ImportMapping, (cci_user.organisation_id, partner_import.UPLOAD_KIND))
    assert saved.mapping == mapping


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("liste.pdf", b"%PDF-1.4", "Format de fichier non pris en charge : choisissez un fichier CSV"),
        ("liste.xls", b"\xd0\xcf\x11\xe0", "Les fichiers Excel 97-2003 (.xls) ne sont pas acceptés"),
        ("liste.xlsx", b"pas un classeur", "Ce fichier .xlsx est endommagé"),
        ("liste.csv", b"", "Le fichier est vide"),
        ("liste.csv", b"SIRET;Nom\n" + b"x" * spreadsheets.MAX_BYTES, "Le fichier dépasse 10 Mo"),
        ("liste.csv", b"SIRET;\x00Nom\n", "Ce fichier n'est pas un fichier texte CSV"),
    ],
)
def test_bad_files_are_refused_at_once_with_a_french_message(client, auth, filename, content, message):
    auth.login(UserFactory(role=m.Role.ADVISER))
    response = upload(client, content, filename)
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Upload)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.BackgroundTask)) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"SIRET;Nom\r\n", "Le fichier ne contient qu'une ligne d'en-tête et aucune entreprise."),
        (b"\r\n\r\n", "Le fichier ne contient aucune ligne : vérifiez qu'il s'agit de la bonne liste."),
        (b"SIRET" + b";x" * 100 + b"\n1\n", "La ligne 1 a plus de 100 colonnes"),
    ],
)
def test_a_file_the_job_cannot_read_fails_its_task_with_the_french_reason(client, auth, run_jobs, content,
                                                                            message):
    auth.login(UserFactory(role=m.Role.ADVISER))
    task = read_task(client, run_jobs, content, "liste.csv")
    assert task.status == m.BackgroundTaskStatus.FAILED
    assert task.result["error"] == message or task.result["error"].startswith(message)
    page = visible_text(client.get(f"/taches/{task.id}"))
    assert "La tâche a échoué" in page and message in page and "Envoyer un autre fichier" in page
    assert "Choisir les colonnes" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Upload)) == 0  # nothing kept


def test_the_upload_form_requires_a_file(client, auth):
    auth.login(UserFactory(role=m.Role.ADVISER))
    response = client.post("/entreprises/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choisissez le fichier à importer." in page_text(response)


@pytest.mark.parametrize(
    "content",
    [
        "SIRET;Nom;Ville\n51234567900017;Café Éloïse;Dijon\n".encode(),
        b"\xef\xbb\xbf" + "SIRET,Nom,Ville\n51234567900017,Café Éloïse,Dijon\n".encode(),
        "SIRET\tNom\tVille\r\n51234567900017\tCafé Éloïse\tDijon\r\n".encode(),
        "SIRET;Nom;Ville\r\n51234567900017;Café Éloïse;Dijon\r\n".encode("cp1252"),
    ],
    ids=["utf8-semicolon", "bom-comma", "tab", "windows-1252"],
)
def test_csv_dialects_and_encodings_are_detected(content):
    sheet = spreadsheets.read_sheet("liste.csv", content)
    assert sheet.headers == ["SIRET", "Nom", "Ville"]
    assert [row.values for row in sheet.rows] == [["51234567900017", "Café Éloïse", "Dijon"]]


def test_row_values_are_read_with_their_usual_spellings():
    reader = RowReader(Sheet(["siret", "cp", "ville", "naf", "effectif", "tel"], []),
                       {"siret": "siret", "postal_code": "cp", "commune": "ville", "naf": "naf",
                        "headcount": "effectif", "contact_phone": "tel"})
    row = reader.read(2, ["51234567900017", "25 000", "besancon", "43 21 a", "1 000 à 1 999", "0381000000"])
    assert (row.entry.commune.code, row.entry.naf_code, row.entry.headcount_band) == ("25056", "43.21A", "42")
    assert (row.entry.contact, row.notes) == (None, ["contact sans nom ni courriel : non ajouté"])
    row = reader.read(3, ["51234568700010", "", "St Didier", "", "", ""])
    assert row.entry is None
    assert row.reasons == [
        "plusieurs communes de la région s'appellent « St Didier » : indiquez le code postal"]
    row = reader.read(4, ["51234569500013", "2100", "Dijon", "99.99Z", "beaucoup", "12"])
    assert row.reasons == ["commune hors Bourgogne-Franche-Comté"]  # 02100, as a spreadsheet drops the 0
    row = reader.read(5, ["51234570300015", "21000", "Dijon", "99.99Z", "beaucoup", "12"])
    assert row.notes == ["code NAF « 99.99Z » inconnu : non repris",
                         "effectif « beaucoup » non reconnu : non repris",
                         "téléphone du contact « 12 » invalide : non repris"]
    row = reader.read(6, ["51234571100018", "25300", "", "", "", ""])
    assert row.reasons == ["le code postal 25300 dessert plusieurs communes : indiquez le nom de la commune"]


@pytest.mark.parametrize(("column", "bands"), [
    (["12", "03", "NN"], ["12", "03", "NN"]),  # INSEE band codes
    (["12", "3", "10 à 19"], ["11", "02", "11"]),  # counts and ranges
])
def test_a_headcount_column_is_read_as_codes_only_when_every_value_is_one(column, bands):
    sirets = ["51234567900017", "51234568700010", "51234569500013"]
    pairs = enumerate(zip(sirets, column, strict=True), start=2)
    sheet = Sheet(["siret", "effectif"], [SheetRow(line, [siret, value]) for line, (siret, value) in pairs])
    reader = RowReader(sheet, {"siret": "siret", "headcount": "effectif"})
    assert [reader.read(row.line, row.values).entry.headcount_band for row in sheet.rows] == bands


def test_a_partner_imports_and_sees_the_organisation_history(client, auth, cci_user, run_jobs):
    task = import_cci(client, auth, cci_user, run_jobs)
    page = page_text(client.get("/entreprises/imports"))
    assert CCI_FILE in page and cci_user.name in page
    assert f"/entreprises/import/{task.id}/rejets.csv" in page
    colleague = UserFactory(role=m.Role.PARTNER, organisation=cci_user.organisation)
    auth.logout()
    auth.login(colleague)
    page = page_text(client.get("/entreprises/imports"))
    assert CCI_FILE in page and "rejets.csv" not in page
    auth.logout()
    auth.login(UserFactory(role=m.Role.PARTNER))
    assert CCI_FILE not in page_text(client.get("/entreprises/imports"))


def test_history_queries_do_not_grow_with_imports(client, auth, cci_user):
    auth.login(cci_user)

    def add_imports(count: int) -> None:
        for _ in range(count):
            BackgroundTaskFactory(kind=partner_import.TASK_KIND, user_id=UserFactory(
                organisation=cci_user.organisation, role=m.Role.PARTNER).id,
                description="Import de la liste liste.csv", status=m.BackgroundTaskStatus.FINISHED,
                result={"created": 1, "updated": 0, "unchanged": 0, "rejected": 1, "filename": "liste.csv",
                        "rejects_upload_id": 1})

    assert_constant_queries(client, "/entreprises/imports", add_imports)


def test_history_is_empty_at_first(client, auth, cci_user):
    auth.login(cci_user)
    assert "Aucun import pour l'instant." in page_text(client.get("/entreprises/imports"))


def test_the_task_result_shows_the_counts_and_the_rejects_link(app, client, auth, cci_user, run_jobs):
    task = import_cci(client, auth, cci_user, run_jobs)
    with app.test_request_context():
        html = render_template("companies/import_task_result.html", task=task)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "4 entreprises créées" in text and "4 lignes rejetées" in text
    assert f"/entreprises/import/{task.id}/rejets.csv" in html


def test_preview_of_a_long_file_counts_its_first_rows_and_says_so(client, auth, cci_user, monkeypatch,
                                                                 run_jobs):
    from crm.services.imports import partners as partner_import
    monkeypatch.setattr(partner_import, "BATCH_SIZE", 3)
    monkeypatch.setattr(partner_import, "PREVIEW_COUNTED_ROWS", 3)
    auth.login(cci_user)
    upload_id = uploaded(client, run_jobs, fixture_bytes(CCI_FILE), CCI_FILE)
    page = visible_text(client.get(f"/entreprises/import/{upload_id}/apercu",
                                   query_string=CCI_MAPPING | {"source_tag": TAG}))
    assert "Sur les 3 premières lignes du fichier (8 au total)" in page
    assert "l'import vérifie chacune des 8 lignes" in page


def test_the_reading_task_reports_the_file_and_leads_to_the_mapping(client, auth, cci_user, run_jobs):
    auth.login(cci_user)
    task = read_task(client, run_jobs, fixture_bytes(CCI_FILE), CCI_FILE)
    assert (task.kind, task.description) == ("partner_list_read", f"Lecture du fichier {CCI_FILE}")
    assert (task.status, task.progress) == (m.BackgroundTaskStatus.FINISHED, 100)
    assert (task.result["rows"], task.result["columns"], task.result["filename"]) == (8, 11, CCI_FILE)
    page = visible_text(client.get(f"/taches/{task.id}"))
    assert f"Le fichier {CCI_FILE} compte 8 lignes d'entreprises et 11 colonnes." in page
    assert "Choisir les colonnes" in page
    kinds = db.session.scalars(sa.select(m.Upload.kind).order_by(m.Upload.kind)).all()
    assert kinds == ["partner_list", "partner_list_head", "partner_list_rows", "partner_list_sheet"]
    # the file sent is not the list read: its id leads nowhere
    sent = db.session.scalar(sa.select(m.Upload.id).where(m.Upload.kind == partner_import.UPLOAD_KIND))
    assert client.get(f"/entreprises/import/{sent}/colonnes").status_code == 404


def test_reading_reports_its_progress_as_it_goes(client, auth, cci_user, run_jobs, monkeypatch):
    from crm.services.platform import background_tasks
    monkeypatch.setattr(spreadsheets, "PROGRESS_EVERY", 2)
    seen: list[int] = []
    report = background_tasks.set_progress

    def recorded(done, total, so_far=None):
        report(done, total, so_far)
        task_id = background_tasks.current_task_id()
        seen.append(db.session.get(m.BackgroundTask, task_id).progress)

    monkeypatch.setattr(background_tasks, "set_progress", recorded)
    auth.login(cci_user)
    read_task(client, run_jobs, fixture_bytes(CCI_FILE), CCI_FILE)
    assert seen == sorted(seen) and len(seen) >= 3 and seen[-1] == 90  # then 100 when finished
    assert 0 < seen[0] < 90


def test_the_headcount_codes_rule_looks_at_the_whole_file_in_the_preview(client, auth, run_jobs, monkeypatch):
    """The preview judges the first rows only, yet "12" is read as a band code only when every value
    of the whole column is one."""
    from crm.services.imports import partner_files
    monkeypatch.setattr(partner_import, "PREVIEW_COUNTED_ROWS", 1)
    header = ["Siret", "Nom", "Code postal", "Commune", "Effectif"]
    codes = [header, ["51234567900017", "Boulangerie", "21000", "Dijon", "12"],
             ["51234570300015", "Transports", "25300", "Pontarlier", "03"]]
    counts = [*codes[:2], ["51234570300015", "Transports", "25300", "Pontarlier", "250"]]
    auth.login(UserFactory(role=m.Role.ADVISER))
    mapping = partner_import.guess_mapping(header)
    for rows, band in ((codes, "12"), (counts, "11")):
        content = "\n".join(";".join(row) for row in rows).encode()
        parsed = partner_files.parsed_list(db.session.get(m.Upload, uploaded(client, run_jobs, content,
                                                                             "liste.csv")))
        head = partner_files.head_sheet(parsed)
        assert len(head.rows) == 1
        verdict = partner_import.preview(head, mapping, "t", parsed.distinct).verdicts[0]
        assert verdict.row.entry.headcount_band == band


class Reads:
    """Counts the reads of a sent file; refuses them while `refuse` is set."""

    def __init__(self, monkeypatch):
        self.count, self.refuse, self.read = 0, False, spreadsheets.read_sheet
        monkeypatch.setattr(spreadsheets, "read_sheet", self)

    def __call__(self, *args, **kwargs):
        assert not self.refuse, "the file is read in the web request"
        self.count += 1
        return self.read(*args, **kwargs)


def test_the_file_is_read_once_from_upload_to_import(client, auth, cci_user, run_jobs, monkeypatch):
    reads = Reads(monkeypatch)
    auth.login(cci_user)
    reads.refuse = True
    response = upload(client, fixture_bytes(CCI_FILE), CCI_FILE)
    assert response.status_code == 302
    reads.refuse = False
    run_jobs()
    task_id = response.headers["Location"].split("/")[-1]
    db.session.expire_all()
    sheet_id = db.session.get(m.BackgroundTask, task_id).result["sheet_id"]
    reads.refuse = True
    from crm.services.imports import partner_files
    every_row = partner_files.full_sheet

    def refused_in_pages(parsed):  # the pages read the summary and the first rows, not every row
        raise AssertionError("a page reads every row of the file")

    monkeypatch.setattr(partner_files, "full_sheet", refused_in_pages)
    assert client.get(f"/taches/{task_id}").status_code == 200
    assert client.get(f"/entreprises/import/{sheet_id}/colonnes").status_code == 200
    query = CCI_MAPPING | {"source_tag": TAG}
    assert client.get(f"/entreprises/import/{sheet_id}/apercu", query_string=query).status_code == 200
    import_id = confirm(client, sheet_id, CCI_MAPPING)
    monkeypatch.setattr(partner_files, "full_sheet", every_row)
    run_jobs()
    db.session.expire_all()
    assert db.session.get(m.BackgroundTask, import_id).result["created"] == 4
    assert reads.count == 1


def million_rows_workbook() -> bytes:
    """A workbook of one million rows, about 341 KB zipped: each row the same few bytes."""
    row = '<row><c t="inlineStr"><is><t>x</t></is></c></row>'  # numbered by their order
    sheet = io.StringIO()
    sheet.write('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    for _ in range(1_000_000):
        sheet.write(row)
    sheet.write("</sheetData></worksheet>")
    template = io.BytesIO(xlsx_bytes([["x"]]))
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = sheet.getvalue().encode() if item.filename == "xl/worksheets/sheet1.xml" \
                else source.read(item.filename)
            target.writestr(item.filename, data, compresslevel=9)
    return out.getvalue()


def test_a_million_rows_workbook_is_refused_by_the_job_and_the_request_stays_fast(client, auth, run_jobs,
                                                                                  monkeypatch):
    content = million_rows_workbook()
    assert len(content) < 2 * 1024 * 1024
    reads = Reads(monkeypatch)
    auth.login(UserFactory(role=m.Role.ADVISER))
    reads.refuse = True
    started = time.perf_counter()
    response = upload(client, content, "liste.xlsx")
    assert time.perf_counter() - started < 2
    assert response.status_code == 302
    reads.refuse = False
    run_jobs()
    db.session.expire_all()
    task = db.session.get(m.BackgroundTask, response.headers["Location"].split("/")[-1])
    assert task.status == m.BackgroundTaskStatus.FAILED
    assert task.result["error"] == ("Le fichier a plus de 50\u202f000 lignes d'entreprises : découpez-le "
                                    "en plusieurs fichiers.")
    assert "Le fichier a plus de 50\u202f000 lignes" in page_text(client.get(f"/taches/{task.id}"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Upload)) == 0
