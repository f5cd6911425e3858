"""Loading the BFC reference data shipped in crm/data/, idempotently."""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app

from crm.extensions import Model, db
from crm.models import (
    Basin,
    Commune,
    CommunePostalCode,
    Department,
    HeadcountBand,
    NafCode,
    NafDivisionRome,
    RomeCode,
)
from crm.services.platform.wording import sentence_case

DATA = Path(__file__).resolve().parents[2] / "data"
RSA_PILOT_BASINS = frozenset({"2703", "2704", "2711"})


T = TypeVar("T")


def read_csv(name: str) -> Iterator[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def read_features(name: str) -> list[dict]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))["features"]


def upsert(model: type[Model], rows: Iterable[dict]) -> int:
    """Insert missing rows and update changed ones, keyed by primary key; returns rows written."""
    keys = [column.key for column in model.__table__.primary_key]
    rows = list(rows)
    columns = [getattr(model, name) for name in rows[0]] if rows else []
    existing = {
        tuple(row[k] for k in keys): row
        for row in db.session.execute(sa.select(*columns)).mappings()
    }
    new = [row for row in rows if tuple(row[k] for k in keys) not in existing]
    changed = [
        row
        for row in rows
        if (old := existing.get(tuple(row[k] for k in keys))) is not None and dict(old) != row
    ]
    if new:
        db.session.execute(sa.insert(model), new)
    if changed:
        db.session.execute(sa.update(model), changed)
    return len(new) + len(changed)


def department_rows() -> Iterator[dict]:
    for feature in read_features("departements_bfc.geojson"):
        props = feature["properties"]
        yield {"code": props["code"], "name": props["nom"], "outline": feature["geometry"]}


def basin_rows() -> Iterator[dict]:
    for feature in read_features("zones_emploi_bfc.geojson"):
        code = feature["properties"]["ze2020"]
        yield {
            "code": code,
            "name": feature["properties"]["libze2020"],
            "rsa_pilot": code in RSA_PILOT_BASINS,
            "outline": feature["geometry"],
        }


def commune_rows() -> Iterator[dict]:
    for row in read_csv("communes_bfc.csv"):
        yield {
            "code": row["code_insee"],
            "name": row["nom"],
            "department_code": row["departement"],
            "basin_code": row["ze2020"],
            "postal_codes": row["codes_postaux"],
            "population": int(row["population"] or 0),
            "latitude": float(row["lat"]),
            "longitude": float(row["lon"]),
            "epci_siren": row["epci_siren"] or None,
            "epci_name": row["epci_nom"] or None,
        }


def postal_code_rows() -> Iterator[dict]:
    for row in read_csv("communes_bfc.csv"):
        for postal_code in row["codes_postaux"].split():
            yield {"postal_code": postal_code, "commune_code": row["code_insee"]}


def naf_rows() -> Iterator[dict]:
    """NAF sub-classes; section labels, in capitals in the source, in sentence case."""
    for row in read_csv("naf_rev2.csv"):
        yield {key: row[key] for key in ("code", "label", "division", "division_label", "section")
               } | {"section_label": sentence_case(row["section_label"])}


def rome_rows() -> Iterator[dict]:
    shortage = {row["rome_code"]: row["sector"] for row in read_csv("metiers_tension_bfc.csv")}
    for row in read_csv("rome.csv"):
        sector = shortage.get(row["code"])
        yield {"code": row["code"], "label": row["label"], "shortage": sector is not None,
               "shortage_sector": sector}


def naf_division_rome_rows() -> Iterator[dict]:
    pairs = {(row["naf_division"], row["rome_code"]) for row in read_csv("naf_division_rome.csv")}
    for division, rome_code in sorted(pairs):
        yield {"naf_division": division, "rome_code": rome_code}


def band_rows() -> Iterator[dict]:
    for row in read_csv("tranches_effectifs.csv"):
        yield {
            "code": row["code"],
            "label": row["label"],
            "min_employees": int(row["min"]) if row["min"] else None,
            "max_employees": int(row["max"]) if row["max"] else None,
        }


LOADERS: tuple[tuple[type[Model], Callable[[], Iterator[dict]]], ...] = (
    (Department, department_rows),
    (Basin, basin_rows),
    (Commune, commune_rows),
    (CommunePostalCode, postal_code_rows),
    (NafCode, naf_rows),
    (RomeCode, rome_rows),
    (NafDivisionRome, naf_division_rome_rows),
    (HeadcountBand, band_rows),
)


def load_reference_data() -> dict[str, int]:
    """Load every reference table; returns rows written per table (all zero on a re-run)."""
    return {model.__tablename__: upsert(model, rows()) for model, rows in LOADERS}


def reference_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
        for model, _ in LOADERS
    }


def cached(name: str, load: Callable[[], T]) -> T:
    """Reference data derived once per process (it changes only when `crm init` reloads it, which
    operators follow with a restart; see docs/operations.md)."""
    store = current_app.extensions.setdefault("crm_reference_cache", {})
    if name not in store:
        store[name] = load()
    return store[name]
