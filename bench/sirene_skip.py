"""How fast the SIRENE import skips the rows of other regions (most of the national file): a
generated file of N rows, 95 % from other regions, read through the import's row reader (raw-line
prefilter) and through plain CSV parsing; then the legal units it does not need (about 96 % of the
national StockUniteLegale): a generated file of N legal units, one in 25 wanted, read by the import
(SIREN tested before parsing) and through plain CSV parsing. Prints rows per second for each.

Usage: python bench/sirene_skip.py [--rows 2000000]
"""

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from crm.services.imports.sirene_names import (  # noqa: E402
    LEGAL_UNIT_COLUMNS,
    Progress,
    legal_unit_name,
    legal_unit_names,
)
from crm.services.imports.sirene_rows import ESTABLISHMENT_COLUMNS, ESTABLISHMENT_REQUIRED, Layout  # noqa: E402

SAMPLE = (Path(__file__).resolve().parent.parent / "tests" / "data" / "sirene"
          / "StockEtablissement_sample.csv")
OTHER_COMMUNES = ("75056", "13055", "69123", "33063", "31555", "44109", "67482", "59350")


def write_file(path: Path, rows: int) -> None:
    header = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    width = header.count(",") + 1
    rng = random.Random(5)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header + "\n")
        for number in range(rows):
            fields = [f"V{column}" for column in range(width)]  # a real row is about 300 bytes
            fields[0] = f"{number:014d}"
            fields[1] = "21231" if number % 20 == 0 else rng.choice(OTHER_COMMUNES)
            fields[12] = "RUE DE LA REPUBLIQUE"
            if number % 50 == 0:
                fields[17] = f'"SOCIETE {number}, ATELIER"'
            out.write(",".join(fields) + "\n")


# StockUniteLegale's 34 columns, the SIREN first as INSEE ships it; the others' names do not matter
LEGAL_UNIT_HEADER = ["siren", *(f"colonne{number}" for number in range(1, 34))]
for number, name in zip((5, 6, 7, 8, 20), ("prenom1UniteLegale", "prenomUsuelUniteLegale", "nomUniteLegale",
                                           "nomUsageUniteLegale", "denominationUniteLegale"), strict=True):
    LEGAL_UNIT_HEADER[number] = name
WANTED_ONE_IN = 25


def write_legal_units(path: Path, rows: int) -> set[int]:
    """N legal units, a denomination for half of them, names for the others; the wanted SIRENs."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(LEGAL_UNIT_HEADER) + "\n")
        for number in range(rows):
            fields = [f"V{column}" for column in range(len(LEGAL_UNIT_HEADER))]
            fields[0] = f"{100_000_000 + number}"
            if number % 2:
                fields[5:9], fields[20] = ["JEANNE", "", "MOREAU", ""], ""
            else:
                fields[5:9], fields[20] = ["", "", "", ""], f"SOCIETE {number}"
            out.write(",".join(fields) + "\n")
    return set(range(100_000_000, 100_000_000 + rows, WANTED_ONE_IN))


def legal_unit_rates(path: Path, rows: int) -> dict:
    sirens = write_legal_units(path, rows)
    started = time.perf_counter()
    names = legal_unit_names(path, sirens, Progress(0))
    prefilter = rate(rows, started)
    with path.open(encoding="utf-8", newline="") as lines:
        started = time.perf_counter()
        reader = csv.reader(lines)
        positions: dict[str, int | None] = {key: LEGAL_UNIT_HEADER.index(name)
                                            for key, name in LEGAL_UNIT_COLUMNS.items()}
        next(reader)
        parsed = {int(row[0]): legal_unit_name(row, positions) for row in reader
                  if row[0].isdigit() and int(row[0]) in sirens}
        plain = rate(rows, started)
    assert parsed == names
    return {"legal_units": rows, "wanted": len(names), "legal_units_prefilter_rows_per_second": prefilter,
            "legal_units_parse_then_test_rows_per_second": plain,
            "legal_units_file_mb": round(path.stat().st_size / 1e6, 1)}


def rate(rows: int, started: float) -> int:
    return round(rows / (time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    generate.OUT.mkdir(parents=True, exist_ok=True)
    path = generate.OUT / "sirene-skip.csv"
    write_file(path, args.rows)
    with path.open(encoding="utf-8", newline="") as lines:
        layout = Layout(next(csv.reader([next(lines)])), ESTABLISHMENT_COLUMNS, ESTABLISHMENT_REQUIRED, "x")
        started = time.perf_counter()
        skipped = sum(record is None for record in layout.records(lines))
        prefilter = rate(args.rows, started)
    with path.open(encoding="utf-8", newline="") as lines:
        started = time.perf_counter()
        rows = csv.reader(lines)
        next(rows)
        communes = {"21231": None}  # what the rejection reads: is the code a commune of the region
        parsed = sum(layout.rejection(row, communes) == "other_region" for row in rows)
        plain = rate(args.rows, started)
    figures = {"rows": args.rows, "skipped_before_parsing": skipped, "other_region_after_parsing": parsed,
               "prefilter_rows_per_second": prefilter, "parse_then_reject_rows_per_second": plain,
               "file_mb": round(path.stat().st_size / 1e6, 1)}
    path.unlink()
    figures |= legal_unit_rates(path, args.rows)
    path.unlink()
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
