"""The SIRENE import's write paths give the same companies: the first load without the secondary
indexes ("bulk"), the staged set-based upsert ("incremental") and the row-by-row reference ("rows"),
on the hand-written sample and on generated files; the search works after each."""

import gc

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.demo import sirene_stock
from crm.extensions import db
from crm.services.companies import records
from crm.services.companies.search import search_companies
from crm.services.imports import sirene, sirene_load
from tests import factories as f
from tests.test_sirene import ESTABLISHMENTS, GEOLOC, UNITES

METHODS = ("rows", "bulk", "incremental")
IGNORED = {"id", "created_at", "updated_at"}  # set by the clock at each run


def companies() -> list[tuple]:
    db.session.expire_all()
    table = m.Company.__table__
    columns = [column for column in table.c if column.name not in IGNORED]
    return [tuple(row) for row in db.session.execute(sa.select(*columns).order_by(table.c.siret))]


def without_time(summary: dict) -> dict:
    return {key: value for key, value in summary.items() if key != "seconds"}


def empty_companies() -> None:
    db.session.execute(m.HiringNeed.__table__.delete())
    db.session.execute(m.Company.__table__.delete())
    db.session.commit()


def secondary_objects() -> list[str]:
    return sorted(sirene_load.secondary_objects()[1])


def search_texts_differing_from_records() -> list[str]:
    """SIRETs whose search text is not the one `records.search_text` gives their columns."""
    rows = db.session.execute(sa.select(m.Company.siret, m.Company.name, m.Company.sign, m.Commune.name,
                                        m.Company.postal_code, m.Company.search_text)
                              .join(m.Commune, m.Commune.code == m.Company.commune_code))
    return [siret for siret, name, sign, commune, postal_code, text in rows
            if records.search_text(name, sign, commune, postal_code) != text]


def import_with(method: str, *files) -> tuple[dict, list[tuple]]:
    summary = sirene.import_files(*files, method=method)
    return without_time(summary), companies()


def known_companies() -> None:
    """What the CRM already holds before an import: a firm typed on the public form, a known
    establishment the file closes, and one whose name changed since."""
    records.create_unverified("812 345 676 00017", "Elec Dijon", None, "public_form")
    known = f.CompanyFactory(siret="81234569200014", siren="812345692", name="Scierie Martin")
    f.HiringNeedFactory(company=known)
    f.CompanyFactory(siret="81234568400011", siren="812345684", name="Ancien nom")
    db.session.commit()


def results_of_each_method(*files, before=None, again: bool = True) -> dict[str, tuple]:
    results = {}
    for method in METHODS:
        empty_companies()
        if before is not None:
            before()
        first = import_with(method, *files)
        results[method] = (first, import_with(method, *files) if again else None)
    return results


def test_the_three_paths_give_the_same_companies_from_the_sample():
    results = results_of_each_method(ESTABLISHMENTS, UNITES, GEOLOC)
    assert results["bulk"] == results["rows"] and results["incremental"] == results["rows"]
    (summary, rows), (again, rows_again) = results["rows"]
    assert (summary["inserted"], summary["kept"], len(rows)) == (6, 6, 6)
    assert search_texts_differing_from_records() == []
    assert (again["inserted"], again["updated"]) == (0, 0) and rows_again == rows


def test_the_paths_complete_update_and_close_the_companies_already_known_alike():
    results = results_of_each_method(ESTABLISHMENTS, UNITES, GEOLOC, before=known_companies)
    assert results["bulk"] == results["rows"] and results["incremental"] == results["rows"]
    (summary, _), (again, _) = results["rows"]
    assert (summary["inserted"], summary["updated"], summary["closed"], summary["kept"]) == (4, 3, 1, 7)
    assert (again["inserted"], again["updated"]) == (0, 0)


def test_a_siret_repeated_in_a_later_batch_of_a_first_load_updates_the_company_it_wrote(tmp_path,
                                                                                         monkeypatch):
    """A first load looks up only the SIRETs the table held or the load wrote: a row repeated in a
    later batch (another address) updates the company as the row-by-row reference does."""
    lines = ESTABLISHMENTS.read_text(encoding="utf-8").splitlines(keepends=True)
    repeated = lines[9].replace(",QUAI,DE LA MARINE,", ",RUE,DES FORGES,")  # not known before the load
    assert repeated != lines[9]
    stock = tmp_path / "etablissements.csv"
    stock.write_text("".join([*lines, repeated]), encoding="utf-8")
    monkeypatch.setattr(sirene, "BATCH", 3)
    results = results_of_each_method(stock, UNITES, GEOLOC, before=known_companies, again=False)
    assert results["bulk"] == results["rows"]
    (summary, rows), _ = results["bulk"]
    assert summary["updated"] == 4 and "DES FORGES" in repr(rows)


def test_the_paths_agree_on_a_generated_file_and_on_its_monthly_update(tmp_path):
    first, first_unites = tmp_path / "etablissements.csv", tmp_path / "unites.csv"
    update, update_unites = tmp_path / "etablissements_2.csv", tmp_path / "unites_2.csv"
    sirene_stock.generate(first, 1_500, first_unites, seed=1)
    sirene_stock.generate(update, 1_500, update_unites, seed=2)  # same SIRETs, other values
    results = {}
    for method in METHODS:
        empty_companies()
        loaded = import_with(method, first, first_unites)
        results[method] = (loaded, import_with("incremental" if method == "bulk" else method,
                                               update, update_unites))
    assert results["bulk"] == results["rows"] and results["incremental"] == results["rows"]
    (loaded, _), (updated, _) = results["rows"]
    assert loaded["inserted"] > 1_000 and updated["updated"] > 1_000
    assert search_texts_differing_from_records() == []


def test_batches_prepared_by_the_two_readers_in_turn_give_the_same_companies(tmp_path, monkeypatch):
    """The children prepare alternate batches, received in turn: small batches (the last one
    the first child's, then the second's) give the companies and figures of a single batch."""
    stock, unites = tmp_path / "etablissements.csv", tmp_path / "unites.csv"
    sirene_stock.generate(stock, 1_500, unites, seed=3)
    whole = import_with("bulk", stock, unites)
    assert whole[0]["kept"] > 1_000
    for size in (100, 70):  # 15 batches, 22 batches
        monkeypatch.setattr(sirene, "BATCH", size)
        empty_companies()
        assert import_with("bulk", stock, unites) == whole


def test_a_first_load_rebuilds_the_indexes_and_search_it_loaded_without():
    indexes = secondary_objects()
    summary = sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC, method="bulk")
    assert summary["inserted"] == 6 and secondary_objects() == indexes
    assert db.session.get(m.AppSetting, sirene_load.PENDING_KEY) is None
    assert [hit.company.siret for hit in search_companies("plomberie doubs").items] == ["81234568400011"]


def test_the_search_finds_a_new_name_right_after_an_incremental_update():
    known_companies()
    sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC, method="incremental")
    assert [hit.company.siret for hit in search_companies("plomberie doubs").items] == ["81234568400011"]
    assert search_companies("ancien nom").total == 0


def test_an_interrupted_first_load_puts_its_indexes_back(monkeypatch):
    indexes = secondary_objects()

    def failing(self, new, known):
        raise RuntimeError("coupure")

    monkeypatch.setattr(sirene_load.StagedWrites, "write", failing)
    try:
        sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC, method="bulk")
    except RuntimeError:
        pass
    assert secondary_objects() == indexes
    assert db.session.get(m.AppSetting, sirene_load.PENDING_KEY) is None


def test_indexes_a_killed_first_load_left_dropped_are_rebuilt_by_the_next_import():
    indexes = secondary_objects()
    drop, restore = sirene_load.secondary_objects()
    db.session.add(m.AppSetting(key=sirene_load.PENDING_KEY, value={"restore": restore}))
    for statement in drop:  # what a process killed in the middle of a first load leaves
        db.session.execute(sa.text(statement))
    db.session.commit()
    summary = sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC)
    assert summary["inserted"] == 6 and secondary_objects() == indexes
    assert [hit.company.siret for hit in search_companies("plomberie doubs").items] == ["81234568400011"]


def test_a_rebuild_interrupted_after_some_indexes_were_built_is_finished_by_the_next_import():
    indexes = secondary_objects()
    drop, restore = sirene_load.secondary_objects()
    db.session.add(m.AppSetting(key=sirene_load.PENDING_KEY, value={"restore": restore}))
    for statement in drop:
        db.session.execute(sa.text(statement))
    db.session.execute(sa.text(restore[0]))  # what the second connection had committed
    db.session.commit()
    summary = sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC)
    assert summary["inserted"] == 6 and secondary_objects() == indexes
    assert db.session.get(m.AppSetting, sirene_load.PENDING_KEY) is None


def test_the_cycle_collector_runs_again_after_an_import(monkeypatch):
    def failing(self, new, known):
        raise RuntimeError("coupure")

    sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC)
    assert gc.isenabled()
    monkeypatch.setattr(sirene_load.StagedWrites, "write", failing)
    try:
        sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC)
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_an_establishment_added_while_its_batch_was_written_is_left_as_it_is(monkeypatch):
    sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC, method="incremental")
    before = companies()
    # what a firm typed on the public form between the batch's lookup and its write looks like
    monkeypatch.setattr(sirene, "existing_rows", lambda sirets, columns: {})
    summary = sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC, method="incremental")
    assert (summary["inserted"], summary["updated"]) == (0, 0) and companies() == before


def foreign_keys() -> list[str]:
    return sorted(db.session.scalars(sa.text(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'companies'::regclass AND contype = 'f'")))


def keys_while_written(monkeypatch) -> list[list[str]]:
    """The companies' foreign keys each time a batch is written."""
    seen: list[list[str]] = []
    write = sirene_load.StagedWrites.write

    def watched(self, new, known):
        seen.append(foreign_keys())
        return write(self, new, known)

    monkeypatch.setattr(sirene_load.StagedWrites, "write", watched)
    return seen


def postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's foreign keys")


def test_a_first_load_on_postgresql_checks_the_foreign_keys_once_at_the_end(monkeypatch):
    postgresql_only()
    keys = foreign_keys()
    seen = keys_while_written(monkeypatch)
    summary = sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC, method="bulk")
    assert summary["inserted"] == 6 and seen == [[]] and foreign_keys() == keys
    assert "fk_companies_commune_code_communes" in keys


def test_a_reader_holding_a_referenced_table_leaves_the_keys_checked_row_by_row(app, monkeypatch):
    postgresql_only()
    keys = foreign_keys()
    monkeypatch.setattr(sirene_load, "KEY_LOCK_WAIT", "100ms")
    seen = keys_while_written(monkeypatch)
    reader = db.engine.connect()
    try:
        reader.execute(sa.text("SELECT count(*) FROM basins"))  # its transaction stays open
        summary = sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC, method="bulk")
    finally:
        reader.close()
    assert summary["inserted"] == 6 and seen == [keys] and foreign_keys() == keys
    assert db.session.get(m.AppSetting, sirene_load.PENDING_KEY) is None


def test_a_load_stopped_before_its_keys_were_dropped_is_finished_by_the_next_import():
    postgresql_only()
    keys, indexes = foreign_keys(), secondary_objects()
    drop, restore = sirene_load.secondary_objects()
    db.session.add(m.AppSetting(key=sirene_load.PENDING_KEY, value={"restore": restore}))
    for statement in drop:
        if not statement.startswith(sirene_load.DROP_KEY):
            db.session.execute(sa.text(statement))
    db.session.commit()
    summary = sirene.import_files(ESTABLISHMENTS, UNITES, GEOLOC)
    assert summary["inserted"] == 6 and foreign_keys() == keys and secondary_objects() == indexes
