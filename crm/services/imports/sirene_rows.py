"""SIRENE establishment rows: columns found by header name, masked fields, and the company fields
a row gives (`docs/domain.md` §7)."""

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

import numpy as np

from crm.services.companies.records import WORD
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
    search_form: str  # the name as `normalise_name` gives it


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
LA_POSTE_HEAD_OFFICE = "35600000000048"  # follows the Luhn check, as stdnum has it


DOUBLED_DIGITS = str.maketrans("0123456789", "".join(map(str, DOUBLED)))


def luhn_valid(digits: str) -> bool:
    """The Luhn check of a string of ASCII digits (what stdnum does, at the speed of a stock file):
    digits summed from their bytes, the doubled ones through a translation table."""
    total = sum(digits[-1::-2].encode()) + sum(digits[-2::-2].translate(DOUBLED_DIGITS).encode())
    return (total - 48 * len(digits)) % 10 == 0


def siret_valid(siret: str) -> bool:
    """14 ASCII digits, a valid SIREN, and the Luhn check, or for La Poste's establishments (but its
    head office) a digit sum multiple of 5."""
    if len(siret) != 14 or not (siret.isascii() and siret.isdigit()) or not luhn_valid(siret[:9]):
        return False
    if siret.startswith(LA_POSTE) and siret != LA_POSTE_HEAD_OFFICE:
        return sum(map(int, siret)) % 5 == 0
    return luhn_valid(siret)


DOUBLED_ARRAY = np.array(DOUBLED)
LA_POSTE_DIGITS = np.array([int(digit) for digit in LA_POSTE])
HEAD_OFFICE_DIGITS = np.array([int(digit) for digit in LA_POSTE_HEAD_OFFICE])


def sirets_valid(sirets: list[str]) -> list[bool]:
    """`siret_valid` of many SIRETs at once, checked together on an array of their digits."""
    plain = [len(siret) == 14 and siret.isascii() and siret.isdigit() for siret in sirets]
    text = "".join(siret for siret, usual in zip(sirets, plain, strict=True) if usual)
    digits = (np.frombuffer(text.encode(), dtype=np.uint8).reshape(-1, 14) - 48).astype(np.int64)
    siren = digits[:, :9]  # Luhn from the right: the 2nd, 4th… digits doubled
    siren_valid = (siren[:, 0::2].sum(axis=1) + DOUBLED_ARRAY[siren[:, 1::2]].sum(axis=1)) % 10 == 0
    luhn = (digits[:, 1::2].sum(axis=1) + DOUBLED_ARRAY[digits[:, 0::2]].sum(axis=1)) % 10 == 0
    la_poste = (siren == LA_POSTE_DIGITS).all(axis=1) & (digits != HEAD_OFFICE_DIGITS).any(axis=1)
    checked = iter((siren_valid & np.where(la_poste, digits.sum(axis=1) % 5 == 0, luhn)).tolist())
    return [usual and next(checked) for usual in plain]


Record = str | list[str] | None  # a line without quotes, a row's fields, or a skipped row


def records(lines: Iterator[str], skipped: Callable[[str], bool]) -> Iterator[Record]:
    """A CSV file's records, split only when `fields` reads them: a line without quotes as it is
    (it splits on commas exactly, as the CSV reader would split it), None for such a line that
    `skipped` tells of; lines with quotes, and the lines of a quoted field spanning several, go
    through the CSV reader. A reader that keeps one batch in two never splits the others."""
    quoted: list[str] = []
    quotes = 0
    for line in lines:
        if quoted or '"' in line:
            quoted.append(line)
            quotes += line.count('"')
            if quotes % 2 == 0:
                yield from csv.reader(quoted)
                quoted, quotes = [], 0
        elif skipped(line):
            yield None
        else:
            yield line
    yield from csv.reader(quoted)  # a quoted field the file leaves open


def fields(record: str | list[str]) -> list[str]:
    """A record's fields (see `records`)."""
    if isinstance(record, list):
        return record
    line = record.rstrip("\r\n")
    return line.split(",") if line else []


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
        if reason := self.place_rejection(row, communes):
            return reason
        return None if siret_valid(self.siret(row)) else "invalid_siret"

    def place_rejection(self, row: list[str], communes: dict[str, Place]) -> str | None:
        """`rejection` but for the SIRET's check (made for a whole batch by `sirets_valid`)."""
        if len(row) < self.width:
            return "malformed"
        code = row[self.commune_at].strip()
        if code not in communes:
            if not code or code == MASKED:
                return "missing_commune"
            return "unknown_commune" if code[:2] in BFC_DEPARTMENTS else OTHER_REGION
        return None

    def siret(self, row: list[str]) -> str:
        return row[self.siret_at].strip()

    def rows(self, lines: Iterator[str]) -> Iterator[list[str] | None]:
        """The rows after the header; None for a row of another region, told from its raw line
        without CSV parsing (most of a national file)."""
        return (None if record is None else fields(record) for record in self.records(lines))

    def records(self, lines: Iterator[str]) -> Iterator[Record]:
        """`rows`, each split only when `fields` reads it (see `records`)."""
        return records(lines, self.other_region)

    def other_region(self, line: str) -> bool:
        """Whether a line without quotes is a whole row whose commune is outside the region (what
        `rejection` would say of it: neither malformed nor missing its commune)."""
        if line.count(",") < self.width - 1:
            return False
        code = line.split(",", self.commune_at + 1)[self.commune_at].strip()
        return bool(code) and code != MASKED and code[:2] not in BFC_DEPARTMENTS

    def fields(self, row: list[str]) -> tuple[str, ...]:
        """The wanted columns of a row in the order of the layout's columns (absent ones empty),
        masked values emptied."""
        row.append("")  # what the columns missing from the file read (position -1)
        values = self.values(row)
        if row[self.diffusion_at] == "P":
            return tuple("" if value == MASKED else value for value in values)
        return values


def lambert(x: str, y: str) -> tuple[float, float] | None:
    """A row's Lambert-93 point when present and plausible."""
    if not (x and y):
        return None
    try:
        point = float(x), float(y)
    except ValueError:
        return None
    if LAMBERT_X[0] < point[0] < LAMBERT_X[1] and LAMBERT_Y[0] < point[1] < LAMBERT_Y[1]:
        return point
    return None


def search_form(name: str) -> str:
    """`normalise_name`, with a shortcut for plain ASCII names (most of them): same result."""
    return " ".join(name.lower().split()) if name.isascii() else normalise_name(name)


def row_search_text(search_name: str | None, sign: str, place: Place, postal_code: str) -> str:
    """`records.search_text` of a row from the forms already normalised (its name's, its commune's):
    `normalise_name` works character by character and the words are what lies between the
    non-word characters, so normalising the parts one by one gives the words of the whole (plain
    ASCII parts only need lower case)."""
    tail = f"{sign} {place.search_form} {postal_code}"
    tail = tail.lower() if tail.isascii() else normalise_name(tail)
    return " ".join(WORD.findall(f"{search_name or ''} {tail}"))


EMPLOYER = {"O": True, "N": False}
# the columns of a company row, in the order of `company_fields`'s list: a batch crosses from the
# reading process, and is written, as tuples in this order (about half the time of pickling and
# unpickling dicts, docs/performance.md)
COMPANY_FIELDS = ("siret", "siren", "name", "search_name", "search_text", "sign", "naf_code",
                  "naf2025_code", "headcount_band", "address", "postal_code", "commune_code",
                  "basin_code", "latitude", "longitude", "active", "diffusible", "employer",
                  "verified", "created_on")
# where a company row holds what `locate` and the settling of a name (`sirene.settled`) read or set
(SIRET, NAME, SEARCH_TEXT, SIGN, POSTAL_CODE, COMMUNE_CODE, LATITUDE, LONGITUDE, ACTIVE,
 DIFFUSIBLE) = map(COMPANY_FIELDS.index, ("siret", "name", "search_text", "sign", "postal_code",
                                         "commune_code", "latitude", "longitude", "active", "diffusible"))


def company_fields(values: tuple[str, ...], context: Context) -> tuple[list, tuple[str, ...],
                                                                       tuple[float, float] | None]:
    """From a usable row's values (in `ESTABLISHMENT_COLUMNS` order): its company columns in
    `COMPANY_FIELDS` order (latitude and longitude are filled by `locate`; its search text is
    `records.search_text`'s), what it lost (codes the reference tables do not know), and its
    Lambert-93 point. One function, no intermediate record: it runs for every kept row."""
    (siret, _, diffusion, created, band, number, repetition, street_type, street, postal_code, commune,
     x, y, state, sign, usual_name, naf, employer, naf2025) = values
    found = context.names.get(int(siret[:9])) or sign or usual_name
    name = found[:255] if found else None
    search_name = search_form(name) if name else None
    place = context.communes[commune]
    postal_code = postal_code if len(postal_code) == 5 else place.postal_code
    sign = sign[:255]
    naf_code = naf if naf in context.naf_codes else None
    headcount_band = band if band in context.bands else None
    created_on = None
    if created:
        try:
            created_on = date.fromisoformat(created)
        except ValueError:
            pass
    street_type = STREET_TYPES.get(street_type, street_type)
    number += repetition
    address = " ".join(filter(None, (number, street_type, street)))[:255] or None
    lost = (("naf_unknown",) if naf and naf_code is None else ()) + (
        ("band_unknown",) if band and headcount_band is None else ())
    return [  # in COMPANY_FIELDS order
        siret, siret[:9], name, search_name, row_search_text(search_name, sign, place, postal_code),
        sign or None, naf_code, naf2025 if 0 < len(naf2025) <= 7 else None, headcount_band, address,
        postal_code, commune, place.basin_code, None, None, state != "F", diffusion != "P",
        EMPLOYER.get(employer), True, created_on,
    ], lost, lambert(x, y)


def locate(rows: list[list], points: list[tuple[float, float] | None], context: Context,
           transformer) -> list[bool]:
    """Coordinates from the Lambert-93 points (converted together), else the géolocalisation file,
    else the commune's point, set in each row (`company_fields`'s lists); whether each row took its
    commune's point."""
    projected = [(row, point) for row, point in zip(rows, points, strict=True) if point is not None]
    if projected:
        longitudes, latitudes = transformer.transform(*zip(*(point for _, point in projected),
                                                          strict=True))
        for (row, _), lat, lon in zip(projected, latitudes, longitudes, strict=True):
            row[LATITUDE], row[LONGITUDE] = round(lat, 6), round(lon, 6)
    at_commune = []
    for row, point in zip(rows, points, strict=True):
        fallback = False
        if point is None:
            point = context.points.get(row[SIRET])
            if point is None:
                fallback = True
                place = context.communes[row[COMMUNE_CODE]]
                point = place.latitude, place.longitude
            row[LATITUDE], row[LONGITUDE] = point
        at_commune.append(fallback)
    return at_commune
