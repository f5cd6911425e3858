"""The generated SIRENE stock: INSEE's format, realistic shares, and read back by the import."""

import csv
import json
from collections import Counter

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.demo import sirene_stock
from crm.extensions import db
from crm.services.imports import sirene
from crm.services.imports.sirene_rows import NON_DIFFUSIBLE_NAME, siret_valid

ROWS = 4000


@pytest.fixture
def generated(tmp_path):
    establishments, unites = tmp_path / "StockEtablissement.csv", tmp_path / "StockUniteLegale.csv"
    counts = sirene_stock.generate(establishments, ROWS, unites, seed=7)
    return establishments, unites, counts


def read(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_files_have_insee_headers_and_the_expected_shares(generated):
    establishments, unites, counts = generated
    assert establishments.read_text(encoding="utf-8").splitlines()[0] == ",".join(
        sirene_stock.ESTABLISHMENT_HEADER)
    assert "activitePrincipaleNAF25Etablissement" in sirene_stock.ESTABLISHMENT_HEADER
    rows = read(establishments)
    assert len(rows) == counts["rows"] == ROWS
    share = Counter(row["etatAdministratifEtablissement"] for row in rows)["F"] / ROWS
    assert 0.06 < share < 0.10
    masked = [row for row in rows if row["statutDiffusionEtablissement"] == "P"]
    assert 0.015 < len(masked) / ROWS < 0.05
    assert all(row["libelleVoieEtablissement"] == "[ND]" for row in masked)
    assert 0.01 < counts["other_region"] / ROWS < 0.03 and counts["invalid_siret"] >= 1
    assert sum(not siret_valid(row["siret"]) for row in rows) == counts["invalid_siret"]
    legal_units = read(unites)
    assert len(legal_units) == counts["legal_units"] < ROWS  # some units have several establishments
    sole_traders = [unit for unit in legal_units if unit["categorieJuridiqueUniteLegale"] == "1000"]
    assert 0.2 < len(sole_traders) / len(legal_units) < 0.4


def test_the_import_keeps_the_region_s_open_establishments(generated):
    establishments, unites, counts = generated
    summary = sirene.import_files(establishments, unites)
    assert summary["read"] == ROWS
    assert summary["kept"] == summary["inserted"] == counts["kept_on_empty_database"]
    assert summary["rejected_by_reason"] == {
        "closed_unknown": counts["closed"], "invalid_siret": counts["invalid_siret"],
        "other_region": counts["other_region"]}
    # every trade and band of the demo is in the reference tables, masked rows sit at their commune
    assert summary["warnings"] == {"commune_point": counts["non_diffusible"]}
    bands = Counter(db.session.scalars(sa.select(m.Company.headcount_band)))
    assert bands["01"] > bands["21"] > bands["41"]
    named = db.session.scalar(sa.select(sa.func.count()).where(m.Company.name != NON_DIFFUSIBLE_NAME))
    assert named > 0.95 * summary["kept"]


def test_the_same_seed_gives_the_same_file(tmp_path, generated):
    again = tmp_path / "again.csv"
    sirene_stock.generate(again, ROWS, seed=7)
    assert again.read_bytes() == generated[0].read_bytes()


def test_the_command_writes_the_files_and_ends_with_json(runner, tmp_path):
    out, unites = tmp_path / "etab.csv", tmp_path / "ul.csv"
    result = runner.invoke(args=["generate-sirene", str(out), "--rows", "50", "--unites", str(unites)])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output.strip().splitlines()[-1])
    assert counts["rows"] == 50 == len(read(out)) and len(read(unites)) == counts["legal_units"]
