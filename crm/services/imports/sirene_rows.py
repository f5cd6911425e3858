"""SIRENE establishment rows: columns found by header name, masked fields, and the company fields
a row gives (`docs/domain.md` §7)."""

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

from crm.services.platform.refusals import Refused
from crm.services.platform.wording import normalise_name

MASKED = "[ND]"  # what INSEE writes in the fields of a partially diffusible row
BFC_DEPARTMENTS = frozenset({"21", "25", "39", "58", "70", "71", "89", "90"})
OTHER_REGION = "other_region"
NON_DIFFUSIBLE_NAME = "Établissement non diffusible"
# Lambert-93 bounds of metropolitan France: coordinates outside are treated as missing
LAMBERT_X = (60_000.0, 1_250_000.0)
LAMBERT_Y = (6_000_000.0, 7_150_000.0)

ESTABLISHMENT_COLUMNS = {
    "siret": "siret", "siren": "siren", "diffusion": "statutDiffusionEtablissement",
    "created": "dateCreationEtablissement", "band": "trancheEffectifsEtablissement",
    "number": "numeroVoieEtablissement", "repetition": "indiceRepetitionEtablissement",
    "street_type": "typeVoieEtablissement", "street": "libelleVoieEtablissement",
    "postal_code": "codePostalEtablissement", "commune": "codeCommuneEtablissement",
    "x": "coordonneeLambertAbscisseEtablissement", "y": "coordonneeLambertOrdonneeEtablissement",
    "state": "etatAdministratifEtablissement", "sign": "enseigne1Etablissement",
    "usual_name": "denominationUsuelleEtablissement", "naf": "activitePrincipaleEtablissement",
    "employer": "caractereEmployeurEtablissement", "naf2025": "activitePrincipaleNAF25Etablissement",
}
ESTABLISHMENT_REQUIRED = ("siret", "commune")

REJECTION_LABELS = {
    "other_region": "Établissement d'une autre région",
    "missing_commune": "Code commune absent (établissement à l'étranger ou adresse incomplète)",
    "unknown_commune": "Code commune de la région inconnu (commune fusionnée ?)",
    "invalid_siret": "SIRET invalide",
    "malformed": "Ligne incomplète",
    "duplicate_siret": "SIRET en double dans le fichier",
    "closed_unknown": "Établissement fermé inconnu du CRM (non créé)",
    "no_name": "Sans nom (ni unité légale, ni enseigne)",
}
WARNING_LABELS = {
    "naf_unknown": "Code NAF absent de la nomenclature (laissé vide)",
    "band_unknown": "Tranche d'effectif inconnue (laissée vide)",
    "commune_point": "Position prise au centre de la commune",
}
STREET_TYPES = {
    "ALL": "ALLEE", "AV": "AVENUE", "BD": "BOULEVARD", "CAR": "CARREFOUR", "CHE": "CHEMIN",
    "CHS": "CHAUSSEE", "CRS": "COURS", "DOM": "DOMAINE", "ESP": "ESPLANADE", "FG": "FAUBOURG",
    "HAM": "HAMEAU", "IMP": "IMPASSE", "LD": "LIEU-DIT", "LOT": "LOTISSEMENT", "MTE": "MONTEE",
    "PAS": "PASSAGE", "PL": "PLACE", "PRO": "PROMENADE", "QUA": "QUARTIER", "RES": "RESIDENCE",
    "RLE": "RUELLE", "RPT": "ROND-POINT", "RTE": "ROUTE", "RUE": "RUE", "SQ": "SQUARE", "TRA": "TRAVERSE",
    "ZA": "ZONE ARTISANALE", "ZI": "ZONE INDUSTRIELLE",
}


class SireneError(Refused):
    """A file the import cannot read; the message says what to do, in French."""


@dataclass(frozen=True)
class Place:
    """What a kept row takes from its commune."""

    name: str
    basin_code: str
    postal_code: str
    latitude: float
    longitude: float


@dataclass
class Context:
    """Lookups shared by every row of an import."""

    communes: dict[str, Place]
    naf_codes: frozenset[str]
    bands: frozenset[str]
    names: dict[int, str] = field(default_factory=dict)
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    warnings: Counter = field(default_factory=Counter)


def column_positions(header: list[str], columns: dict[str, str], required: Iterable[str],
                     what: str) -> dict[str, int | None]:
    """Where each wanted column is, by header name; a missing required one stops the import."""
    index = {name.strip(): position for position, name in enumerate(header)}
    missing = [columns[key] for key in required if columns[key] not in index]
    if missing:
        raise SireneError(f"Le fichier {what} n'a pas la colonne {', '.join(missing)} : vérifiez qu'il "
                          "s'agit bien du fichier de l'INSEE, avec sa ligne d'en-tête.")
    return {key: index.get(name) for key, name in columns.items()}


def required_position(positions: dict[str, int | None], key: str) -> int:
    """Where a column is that column_positions required, so found."""
    position = positions[key]
    assert position is not None, f"column {key} was not required"
    return position


DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # Luhn: a digit doubled, its two digits summed
LA_POSTE = "356000000"


DOUBLED_DIGITS = str.maketrans("0123456789", "".join(map(str, DOUBLED)))


def luhn_valid(digits: str) -> bool:
    """The Luhn check of a string of digits (what stdnum does, at the speed of a stock file): ASCII
    digits are summed from their bytes, the doubled ones through a translation table."""
    if not digits.isascii():
        doubled = sum(map(DOUBLED.__getitem__, map(int, digits[-2::-2])))
        return (sum(map(int, digits[-1::-2])) + doubled) % 10 == 0
    total = sum(digits[-1::-2].encode()) + sum(digits[-2::-2].translate(DOUBLED_DIGITS).encode())
    return (total - 48 * len(digits)) % 10 == 0


def siret_valid(siret: str) -> bool:
    """14 digits, a valid SIREN, and the Luhn check, or for La Poste a digit sum multiple of 5."""
    if len(siret) != 14 or not siret.isdigit() or not luhn_valid(siret[:9]):
        return False
    if siret.startswith(LA_POSTE):
        return sum(map(int, siret)) % 5 == 0
    return luhn_valid(siret)


class Layout:
    """Where the wanted columns of a file are; reads a raw row's commune and SIRET cheaply, so the
    rows of other regions (most of a national file) are refused before anything else is read."""

    def __init__(self, header: list[str], columns: dict[str, str], required: Iterable[str],
                 what: str) -> None:
        self.positions = column_positions(header, columns, required, what)
        self.width = max(p for p in self.positions.values() if p is not None) + 1
        self.commune_at = required_position(self.positions, "commune")
        self.siret_at = required_position(self.positions, "siret")
        self.diffusion_at = -1 if self.positions["diffusion"] is None else self.positions["diffusion"]
        self.values = itemgetter(*(-1 if p is None else p for p in self.positions.values()))

    def rejection(self, row: list[str], communes: dict[str, Place]) -> str | None:
        """Why a row cannot be used before looking at the database, or None."""
        if len(row) < self.width:
            return "malformed"
        code = row[self.commune_at].strip()
        if code not in communes:
            if not code or code == MASKED:
                return "missing_commune"
            return "unknown_commune" if code[:2] in BFC_DEPARTMENTS else OTHER_REGION
        if not siret_valid(row[self.siret_at].strip()):
            return "invalid_siret"
        return None

    def rows(self, lines: Iterator[str]) -> Iterator[list[str] | None]:
        """The rows after the header; None for a row of another region, told from its raw line
        without CSV parsing (most of a national file). A line without quotes splits on commas
        exactly; lines with quotes, and the lines of a quoted field spanning several, are parsed."""
        skipped = 0

        def to_parse() -> Iterator[str]:
            nonlocal skipped
            inside_quotes = False
            for line in lines:
                if inside_quotes or '"' in line:
                    inside_quotes ^= line.count('"') % 2 == 1
                    yield line
                elif self.other_region(line):
                    skipped += 1
                else:
                    yield line

        for row in csv.reader(to_parse()):
            while skipped:
                skipped -= 1
                yield None
            yield row
        yield from (None for _ in range(skipped))

    def other_region(self, line: str) -> bool:
        """Whether a line without quotes is a whole row whose commune is outside the region (what
        `rejection` would say of it: neither malformed nor missing its commune)."""
        if line.count(",") < self.width - 1:
            return False
        code = line.split(",", self.commune_at + 1)[self.commune_at].strip()
        return bool(code) and code != MASKED and code[:2] not in BFC_DEPARTMENTS

    def record(self, row: list[str]) -> dict[str, str]:
        """The wanted columns of a row (absent ones empty), masked values emptied."""
        row.append("")  # what the columns missing from the file read (position -1)
        values = self.values(row)
        if row[self.diffusion_at] == "P":
            values = ["" if value == MASKED else value for value in values]
        return dict(zip(self.positions, values, strict=True))


def siren_key(record: dict[str, str]) -> int:
    """The SIREN as an integer: the key of the legal-unit names (smaller in memory than text)."""
    return int(record["siret"][:9])


def lambert(record: dict[str, str]) -> tuple[float, float] | None:
    """The row's Lambert-93 point when present and plausible."""
    try:
        x, y = float(record["x"]), float(record["y"])
    except ValueError:
        return None
    if LAMBERT_X[0] < x < LAMBERT_X[1] and LAMBERT_Y[0] < y < LAMBERT_Y[1]:
        return x, y
    return None


def address(record: dict[str, str]) -> str | None:
    street_type = STREET_TYPES.get(record["street_type"], record["street_type"])
    number = record["number"] + record["repetition"]
    text = " ".join(part for part in (number, street_type, record["street"]) if part)
    return text[:255] or None


def creation_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def known(value: str, codes: frozenset[str]) -> str | None:
    """A code kept only when the reference table knows it."""
    return value if value in codes else None


def warnings_of(record: dict[str, str], row: dict) -> list[str]:
    """What a kept row lost: codes the reference tables do not know."""
    return [warning for warning, code, kept in (("naf_unknown", record["naf"], row["naf_code"]),
                                                 ("band_unknown", record["band"], row["headcount_band"]))
            if code and kept is None]


def search_form(name: str) -> str:
    """`normalise_name`, with a shortcut for plain ASCII names (most of them): same result."""
    return " ".join(name.lower().split()) if name.isascii() else normalise_name(name)


def establishment_name(record: dict[str, str], context: Context) -> str | None:
    """The legal unit's name, else the sign, else the usual name of the establishment."""
    name = context.names.get(siren_key(record)) or record["sign"] or record["usual_name"]
    return name[:255] if name else None


def company_fields(record: dict[str, str], context: Context) -> dict:
    """The company columns of a usable row; latitude and longitude are filled by `locate`."""
    place = context.communes[record["commune"]]
    name = establishment_name(record, context)
    postal_code = record["postal_code"]
    return {
        "siret": record["siret"], "siren": record["siret"][:9], "name": name,
        "search_name": search_form(name) if name else None, "sign": record["sign"][:255] or None,
        "naf_code": known(record["naf"], context.naf_codes),
        "naf2025_code": record["naf2025"] if 0 < len(record["naf2025"]) <= 7 else None,
        "headcount_band": known(record["band"], context.bands),
        "address": address(record),
        "postal_code": postal_code if len(postal_code) == 5 else place.postal_code,
        "commune_code": record["commune"], "basin_code": place.basin_code,
        "latitude": None, "longitude": None,
        "active": record["state"] != "F", "diffusible": record["diffusion"] != "P",
        "employer": {"O": True, "N": False}.get(record["employer"]), "verified": True,
        "created_on": creation_date(record["created"]),
    }


def locate(rows: list[dict], records_: list[dict[str, str]], context: Context, transformer) -> None:
    """Coordinates from Lambert-93 (converted together), else the géolocalisation file, else the
    commune's point."""
    projected = [(row, point) for row, record in zip(rows, records_, strict=True)
                 if (point := lambert(record)) is not None]
    if projected:
        longitudes, latitudes = transformer.transform(*zip(*(point for _, point in projected),
                                                          strict=True))
        for (row, _), lat, lon in zip(projected, latitudes, longitudes, strict=True):
            row["latitude"], row["longitude"] = round(lat, 6), round(lon, 6)
    for row in rows:
        if row["latitude"] is None:
            point = context.points.get(row["siret"])
            if point is None:
                context.warnings["commune_point"] += 1
                place = context.communes[row["commune_code"]]
                point = place.latitude, place.longitude
            row["latitude"], row["longitude"] = point
