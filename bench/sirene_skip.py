"""How fast the SIRENE import skips the rows of other regions (most of the national file): a
generated file of N rows, 95 % from other regions, read through the import's row reader (raw-line
prefilter) and through plain CSV parsing; prints rows per second for each.

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
        skipped = sum(row is None for row in layout.rows(lines))
        prefilter = rate(args.rows, started)
    with path.open(encoding="utf-8", newline="") as lines:
        started = time.perf_counter()
        rows = csv.reader(lines)
        next(rows)
        communes = {"21231": None}  # what the rejection reads: is the code a commune of the region
        parsed = sum(layout.rejection(row, communes) == "other_region" for row in rows)
        plain = rate(args.rows, started)
    print(json.dumps({"rows": args.rows, "skipped_before_parsing": skipped,
                      "other_region_after_parsing": parsed,
                      "prefilter_rows_per_second": prefilter, "parse_then_reject_rows_per_second": plain,
                      "file_mb": round(path.stat().st_size / 1e6, 1)}, indent=1))
    path.unlink()


if __name__ == "__main__":
    main()
