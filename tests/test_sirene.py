"""SIRENE import: a hand-written stock with every tricky row, the exact summary it must give, and the
admin page that runs it as a followed background task."""

import io
import json
import random
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from stdnum import luhn
from stdnum.fr import siret

from crm import models as m
from crm.extensions import db
from crm.services.companies import records
from crm.services.imports import sirene
from crm.services.imports.sirene_rows import NON_DIFFUSIBLE_NAME, siret_valid, sirets_valid
from tests import factories as f
from tests.helpers import assert_constant_queries, page_text

DATA = Path(__file__).parent / "data" / "sirene"
ESTABLISHMENTS = DATA / "StockEtablissement_sample.csv"
UNITES = DATA / "StockUniteLegale_sample.csv"
GEOLOC = DATA / "GeolocalisationEtablissement_sample.csv"
SUMMARY = {"read": 12, "kept": 6, "inserted": 6, "updated": 0, "closed": 0, "rejected": 6}
REJECTED = {"closed_unknown": 1, "invalid_siret": 1, "missing_commune": 1, "no_name": 1,
            "other_region": 1, "unknown_commune": 1}
WARNINGS = {"band_unknown": 1, "commune_point": 3, "naf_unknown": 1}


def import_sample(**files) -> dict:
    return sirene.import_files(ESTABLISHMENTS, files.get("unites", UNITES), files.get("geoloc", GEOLOC))


def company(siret: str) -> m.Company:
    db.session.expire_all()
    return db.session.scalar(sa.select(m.Company).where(m.Company.siret == siret))


def figures(summary: dict) -> dict:
    return {key: summary[key] for key in SUMMARY}


def test_the_sample_gives_the_exact_summary_and_rejections_by_reason():
    summary = import_sample()
    assert figures(summary) == SUMMARY
    assert summary["rejected_by_reason"] == REJECTED and summary["warnings"] == WARNINGS
    assert summary["read"] == summary["kept"] + summary["rejected"]
    kept = db.session.scalars(sa.select(m.Company.siret).order_by(m.Company.siret)).all()
    assert kept == ["35600000049837", "81234567600017", "81234568400011", "81234570000015",
                    "81234575900011", "81234577500017"]


def test_a_company_takes_its_legal_unit_name_address_codes_and_lambert_point():
    import_sample()
    firm = company("81234567600017")
    assert (firm.name, firm.search_name) == ("ÉLECTRICITÉ GÉNÉRALE DIJONNAISE",
                                             "electricite generale dijonnaise")
    assert (firm.siren, firm.address, firm.postal_code) == ("812345676", "12B AVENUE DU DRAPEAU", "21000")
    assert (firm.commune_code, firm.basin_code) == ("21231", "2711")
    assert (firm.naf_code, firm.naf2025_code, firm.headcount_band) == ("43.21A", "43.21Y", "11")
    assert firm.created_on == date(2012, 5, 14) and firm.employer is True
    assert firm.verified and firm.active and firm.diffusible and firm.source == "sirene"
    # from Lambert-93, not from the géolocalisation file's (47.0, 5.0)
    assert firm.latitude == pytest.approx(47.3220, abs=1e-4)
    assert firm.longitude == pytest.approx(5.0412, abs=1e-4)


def test_a_sole_trader_is_named_after_the_person_and_placed_by_the_geolocation_file():
    import_sample()
    firm = company("81234568400011")
    assert firm.name == "JEANNE VIDAL" and firm.sign == "PLOMBERIE DU DOUBS"
    assert (firm.latitude, firm.longitude) == (47.2451, 6.0301)


def test_masked_fields_are_left_empty_and_the_commune_point_is_used():
    import_sample()
    masked = company("81234570000015")
    assert masked.name == NON_DIFFUSIBLE_NAME and not masked.diffusible
    assert masked.address is None and masked.sign is None and masked.employer is False
    assert (masked.latitude, masked.longitude) == (46.36297, 4.83547)  # Mâcon
    partly = company("81234577500017")
    assert partly.name == "ACIERIES DE FRANCHE-COMTE" and not partly.diffusible
    assert partly.address is None and partly.basin_code == "2718"


def test_unknown_codes_are_left_empty_and_the_sign_names_a_firm_without_legal_unit():
    import_sample()
    bakery = company("81234575900011")
    assert bakery.name == "BOULANGERIE DU PONT" and bakery.sign == "BOULANGERIE DU PONT"
    assert bakery.naf_code is None and bakery.headcount_band is None and bakery.created_on is None
    assert bakery.address == "7 QUAI DE LA MARINE" and bakery.postal_code == "89000"


def test_la_poste_sirets_follow_their_own_rule():
    import_sample()
    assert company("35600000049837").name == "LA POSTE"


def test_a_batch_of_sirets_is_checked_as_stdnum_checks_each_one():
    generator = random.Random(14)
    valid = [siret.compact(f"{digits}{luhn.calc_check_digit(digits)}")
             for digits in (f"{generator.randrange(10 ** 12, 10 ** 13)}" for _ in range(300))]
    sirets = [*valid, *(f"{value[:-1]}{(int(value[-1]) + 1) % 10}" for value in valid[:100]),
              "35600000049837", "35600000049838", "35600000000048", "356000000",
              "", "1234", "4181660960006X", "٤١٨١٦٦٠٩٦٠٠٠٦٩", " 41816609600069", "418166096000690"]
    assert sirets_valid(sirets) == [siret_valid(value) for value in sirets]
    assert sirets_valid(sirets) == [siret.is_valid(value) and value.isascii() and " " not in value
                                    for value in sirets]
    assert sirets_valid([]) == []


def test_without_side_files_names_come_from_signs_and_points_from_communes():
    summary = sirene.import_files(ESTABLISHMENTS)
    # named by their sign or usual name, or as non-diffusible; the two others have no name
    assert summary["kept"] == 5 and summary["rejected_by_reason"]["no_name"] == 2
    assert company("81234577500017").name == NON_DIFFUSIBLE_NAME
    assert company("81234568400011").name == "PLOMBERIE DU DOUBS"
    assert company("35600000049837").name == "BUREAU DE POSTE DE NEVERS"


def test_re_importing_the_same_files_changes_nothing():
    import_sample()
    before = db.session.execute(sa.select(m.Company.id, m.Company.version, m.Company.updated_at)
                                .order_by(m.Company.id)).all()
    again = import_sample()
    assert figures(again) == {**SUMMARY, "inserted": 0, "updated": 0}
    assert db.session.execute(sa.select(m.Company.id, m.Company.version, m.Company.updated_at)
                              .order_by(m.Company.id)).all() == before


def test_an_unverified_company_from_the_public_form_is_completed_not_duplicated():
    typed = records.create_unverified("812 345 676 00017", "Elec Dijon", None, "public_form")
    db.session.commit()
    summary = import_sample()
    assert (summary["inserted"], summary["updated"], summary["kept"]) == (5, 1, 6)
    firm = company("81234567600017")
    assert firm.id == typed.id and firm.verified and firm.name == "ÉLECTRICITÉ GÉNÉRALE DIJONNAISE"
    assert firm.basin_code == "2711" and firm.source == "public_form" and firm.version == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Company)) == 6


def test_a_closed_establishment_becomes_inactive_and_keeps_its_needs():
    known = f.CompanyFactory(siret="81234569200014", siren="812345692", name="Scierie Martin")
    need = f.HiringNeedFactory(company=known)
    db.session.commit()
    summary = import_sample()
    assert (summary["closed"], summary["updated"], summary["kept"]) == (1, 1, 7)
    assert "closed_unknown" not in summary["rejected_by_reason"]
    closed = company("81234569200014")
    assert not closed.active and closed.name == "Scierie Martin" and closed.verified
    assert db.session.get(m.HiringNeed, need.id).company_id == closed.id


def test_a_file_without_its_key_columns_is_refused_in_french(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("siren,nom\n812345676,X\n", encoding="utf-8")
    with pytest.raises(sirene.SireneError, match="colonne siret, codeCommuneEtablissement"):
        sirene.import_files(wrong)


def test_the_zip_published_by_insee_is_read_as_is(tmp_path):
    archive = shutil.make_archive(str(tmp_path / "StockEtablissement_utf8"), "zip", DATA,
                                  ESTABLISHMENTS.name)
    summary = sirene.import_files(Path(archive), UNITES, GEOLOC)
    assert figures(summary) == SUMMARY


def test_progress_is_reported_in_bytes_up_to_the_whole(monkeypatch):
    monkeypatch.setattr(sirene, "BATCH", 4)
    reports = []
    sirene.import_files(ESTABLISHMENTS, UNITES, report=lambda done, total: reports.append((done, total)))
    total = 2 * ESTABLISHMENTS.stat().st_size + UNITES.stat().st_size
    assert {t for _, t in reports} == {total} and reports[-1][0] == total
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


def test_the_command_ends_with_the_json_summary(runner):
    result = runner.invoke(args=["import-sirene", str(ESTABLISHMENTS), "--unites", str(UNITES),
                                 "--geoloc", str(GEOLOC)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert figures(summary) == SUMMARY and summary["seconds"] >= 0


# The admin page

def upload(client, **files):
    data = {role: (io.BytesIO(path.read_bytes()), path.name) for role, path in files.items()}
    return client.post("/admin/sirene", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("role", [m.Role.MANAGER, m.Role.ADVISER, m.Role.PARTNER])
def test_only_admins_reach_the_import_page(auth, client, role):
    auth.login(f.UserFactory(role=role))
    assert client.get("/admin/sirene").status_code == 403
    assert upload(client, establishments=ESTABLISHMENTS).status_code == 403


def test_an_upload_runs_as_a_followed_task_with_its_report(admin, app, client, run_jobs):
    response = upload(client, establishments=ESTABLISHMENTS, unites=UNITES, geoloc=GEOLOC)
    assert response.status_code == 302
    task_url = response.headers["Location"]
    task = db.session.scalars(sa.select(m.BackgroundTask)).one()
    assert task.kind == "sirene" and task.user_id == admin.id
    task_id = task.id
    folder = Path(app.instance_path) / "imports"
    assert len(list(folder.iterdir())) == 1
    assert "En attente" in page_text(client.get(task_url))
    run_jobs()
    db.session.rollback()  # the pages read what the worker wrote, not the test's snapshot
    done = page_text(client.get(task_url))
    assert "Terminé" in done and "Avancement : 100 %" in done and "Établissement d'une autre région" in done
    state = client.get(task_url + ".json").get_json()
    assert figures(state["result"]) == SUMMARY and state["result"]["rejected_by_reason"] == REJECTED
    assert list(folder.iterdir()) == []  # the uploaded files are removed once imported
    event = db.session.scalars(sa.select(m.AuditEvent).filter_by(action="import_sirene")).one()
    assert event.actor_id == admin.id and event.object_id == task_id
    listing = page_text(client.get("/admin/sirene"))
    assert "Import SIRENE : StockEtablissement_sample.csv" in listing
    assert "Établissement d'une autre région : 1" in listing


def test_uploads_wait_in_the_shared_import_folder_for_any_worker(admin, app, client, run_jobs,
                                                                 tmp_path, monkeypatch):
    shared = tmp_path / "partage"
    monkeypatch.setitem(app.config, "CRM_IMPORT_FOLDER", str(shared))
    assert upload(client, establishments=ESTABLISHMENTS, unites=UNITES).status_code == 302
    assert len(list(shared.iterdir())) == 1
    run_jobs()
    db.session.rollback()
    assert db.session.scalars(sa.select(m.BackgroundTask)).one().status == m.BackgroundTaskStatus.FINISHED
    assert list(shared.iterdir()) == []


def test_a_wrong_file_is_refused_before_any_task(admin, app, client, tmp_path):
    wrong = tmp_path / "StockUniteLegale.csv"
    wrong.write_text("siren,denominationUniteLegale\n812345676,X\n", encoding="utf-8")
    text = page_text(upload(client, establishments=wrong))
    assert "n'a pas la colonne siret, codeCommuneEtablissement" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.BackgroundTask)) == 0
    assert list((Path(app.instance_path) / "imports").iterdir()) == []


def test_the_establishment_file_is_required_and_must_be_csv_or_zip(admin, client, tmp_path):
    assert "Choisissez le fichier des établissements." in page_text(upload(client))
    other = tmp_path / "etablissements.xlsx"
    other.write_bytes(b"PK")
    assert "Déposez le fichier .csv ou .zip" in page_text(upload(client, establishments=other))


def test_the_page_lists_past_imports_in_constant_queries(admin, client):
    assert "Aucun import SIRENE pour l'instant." in page_text(client.get("/admin/sirene"))
    result = {**SUMMARY, "rejected_by_reason": REJECTED}
    assert_constant_queries(client, "/admin/sirene", lambda count: f.BackgroundTaskFactory.create_batch(
        count, kind="sirene", status=m.BackgroundTaskStatus.FINISHED, result=result))


@pytest.mark.parametrize("siren_last", [False, True])
def test_legal_units_not_wanted_are_skipped_before_parsing_with_the_names_a_full_parse_gives(tmp_path,
                                                                                          siren_last):
    """Each line's SIREN is tested before the line is parsed: the names found are the CSV parser's,
    whatever the quotes, the fields spanning lines (a continuation starting with a wanted SIREN),
    Windows line ends, or the SIREN in the last column."""
    import csv

    from crm.services.imports.sirene_names import (
        LEGAL_UNIT_COLUMNS,
        Progress,
        legal_unit_name,
        legal_unit_names,
    )

    columns = ["denominationUniteLegale", "prenom1UniteLegale", "nomUniteLegale", "siren"]
    if not siren_last:
        columns.insert(0, columns.pop())

    def line(siren: str, denomination: str = "", first_name: str = "", surname: str = "") -> str:
        values = {"siren": siren, "denominationUniteLegale": denomination, "prenom1UniteLegale": first_name,
                  "nomUniteLegale": surname}
        return ",".join(values[column] for column in columns) + "\n"

    lines = [",".join(columns) + "\n", line("812345676", "ATELIER DU DOUBS"),
             line("812345684", first_name="JEANNE", surname="MOREAU").replace("\n", "\r\n"),
             line("812345692", '"BOIS, SCIERIE"'), line("999999998", "PAS VOULUE"),
             line("812345700", '"SUR DEUX').rstrip("\n") + "\n", line("812345718", 'LIGNES"'),
             line("812345726", 'UN ""GUILLEMET""'), "812345734\n", line("812345742", "[ND]"), "\r\n",
             line("81234575X", "PAS UN SIREN"), line("812345759", "GARDE LE DERNIER")]
    wanted = {812345676, 812345684, 812345692, 812345700, 812345718, 812345726, 812345734, 812345742,
              812345759}
    path = tmp_path / "unites.csv"
    path.write_text("".join(lines), encoding="utf-8")
    at = {key: columns.index(name) if name in columns else None for key, name in LEGAL_UNIT_COLUMNS.items()}
    expected = {}
    for row in list(csv.reader(lines))[1:]:
        siren = row[at["siren"]] if at["siren"] < len(row) else ""
        if siren.isdigit() and int(siren) in wanted and (name := legal_unit_name(row, at)):
            expected[int(siren)] = name
    assert legal_unit_names(path, wanted, Progress(0)) == expected
    assert expected[812345692] == "BOIS, SCIERIE" and expected[812345684] == "JEANNE MOREAU"
    assert 999999998 not in expected and 812345742 not in expected


def test_rows_of_other_regions_skipped_before_parsing_are_counted_as_a_full_parse_would(app):
    """The raw-line prefilter says "other region" exactly where the CSV parser and `rejection`
    would, whatever the quotes, the fields spanning lines, masked or missing communes."""
    import csv

    from crm.services.imports.sirene_rows import ESTABLISHMENT_COLUMNS, ESTABLISHMENT_REQUIRED, Layout

    lines = ESTABLISHMENTS.read_text(encoding="utf-8").splitlines(keepends=True)
    header, width = lines[0], lines[0].count(",") + 1

    def row(siret: str, commune: str, name: str = "X") -> str:
        fields = [""] * width
        fields[0], fields[1], fields[17] = siret, commune, name
        return ",".join(fields) + "\n"

    tricky = [
        row("41816609600069", "75056"),  # Paris: skipped before parsing
        row("41816609600069", "21231"),  # Dijon: parsed
        row("41816609600069", "13055", '"Marseille, quai"'),  # quoted comma: parsed
        row("41816609600069", "69123", '"sur deux\n').rstrip("\n") + "\n",  # a field spanning lines…
        row("41816609600069", "75056", 'lignes"'),  # … whose continuation looks like another region
        row("41816609600069", "[ND]"), row("41816609600069", ""),  # masked, missing commune
        "41816609600069,75056,trop,court\n",  # malformed, not another region
        row("41816609600069", " 33063 "),
        row("41816609600069", "21231", "fin windows ").replace("\n", "\r\n"), "\n", "\r\n",
        row("41816609600069", "21231", 'un ""guillemet"" doublé'),
    ]
    layout = Layout(next(csv.reader([header])), ESTABLISHMENT_COLUMNS, ESTABLISHMENT_REQUIRED,
                    "établissements")
    with app.app_context():
        communes = sirene.load_context().communes
    parsed = [layout.rejection(fields, communes) for fields in csv.reader(tricky)]
    prefiltered = ["other_region" if fields is None else layout.rejection(fields, communes)
                   for fields in layout.rows(iter(tricky))]
    assert prefiltered == parsed
    everything = lines[1:] + tricky
    for fields, parsed_fields in zip(layout.rows(iter(everything)), csv.reader(everything), strict=True):
        assert fields is None or fields == parsed_fields
    assert parsed.count("other_region") == 4 and "malformed" in parsed and None in parsed
