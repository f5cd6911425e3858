"""The BFC reference data is complete, right, and loads idempotently."""

import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.territory import reference


def test_reference_counts():
    assert reference.reference_counts() == {
        "departments": 8,
        "basins": 21,
        "communes": 3685,
        "commune_postal_codes": 3712,
        "naf_codes": 732,
        "rome_codes": 1584,
        "naf_division_rome": 2920,
        "headcount_bands": 16,
    }


def test_dijon_is_in_the_dijon_basin():
    dijon = db.session.get(m.Commune, "21231")
    assert (dijon.name, dijon.basin_code, dijon.basin.name) == ("Dijon", "2711", "Dijon")
    assert "21000" in dijon.postal_codes.split()


def test_macon_is_in_the_macon_basin_shared_with_another_region():
    macon = db.session.get(m.Commune, "71270")
    assert (macon.name, macon.basin_code, macon.department_code) == ("Mâcon", "0059", "71")


def test_a_second_load_changes_nothing():
    assert set(reference.load_reference_data().values()) == {0}


def test_basins_have_outlines_and_rsa_pilots():
    basin = db.session.get(m.Basin, "2704")
    assert basin.outline["type"] in {"Polygon", "MultiPolygon"}
    assert basin.rsa_pilot
    assert not db.session.get(m.Basin, "2705").rsa_pilot


def test_shortage_occupations_are_flagged():
    mason = db.session.get(m.RomeCode, "F1703")
    assert mason.shortage and mason.shortage_sector == "BTP"
    shortage = db.session.scalar(
        sa.select(sa.func.count()).select_from(m.RomeCode).where(m.RomeCode.shortage)
    )
    assert shortage == 33


def test_naf_and_headcount_bands():
    assert db.session.get(m.NafCode, "43.91A").section == "F"
    band = db.session.get(m.HeadcountBand, "12")
    assert (band.min_employees, band.max_employees) == (20, 49)


def test_a_postal_code_finds_its_communes():
    communes = db.session.scalars(
        sa.select(m.CommunePostalCode.commune_code).where(m.CommunePostalCode.postal_code == "25000")
    ).all()
    assert "25056" in communes
