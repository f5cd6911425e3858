"""The fields of a partner's list of firms, the column titles they go by, and one row read through
a column mapping into checked company data.

A row is rejected (with its reasons) when its SIRET is missing, invalid or already seen in the file,
or when its commune is outside Bourgogne-Franche-Comté or cannot be told apart. A value that cannot be
read in an optional column (NAF code, headcount, postal code, contact) is left out with a note and the
row is still imported.
"""

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Commune, HeadcountBand, NafCode
from crm.services.imports.spreadsheets import Sheet
from crm.services.platform.contact_details import normalise_email, normalise_phone
from crm.services.platform.identifiers import clean_siret, siret_problem
from crm.services.platform.wording import normalise_name
from crm.services.territory.communes import POSTAL_CODE, communes_for_postal_code

INSEE_CODE = re.compile(r"\d[\dAB]\d{3}")
OUTSIDE_REGION = "commune hors Bourgogne-Franche-Comté"
MAX_TEXT = 255
MAX_CONTACT_NAME = 120


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str = ""


FIELDS = (
    Field("siret", "SIRET", "Obligatoire : 14 chiffres, espaces et points acceptés."),
    Field("name", "Raison sociale", "Obligatoire pour une entreprise encore inconnue du CRM."),
    Field("address", "Adresse"),
    Field("postal_code", "Code postal"),
    Field("commune", "Commune", "Nom de la commune ou code INSEE."),
    Field("naf", "Code NAF / APE", "Par exemple 43.21A ou 4321A."),
    Field("headcount", "Effectif",
          "Code de tranche INSEE (ex. 11), intervalle (10 à 19) ou nombre de salariés."),
    Field("contact_name", "Nom du contact"),
    Field("contact_email", "Courriel du contact"),
    Field("contact_phone", "Téléphone du contact"),
    Field("tags", "Étiquettes / segment", "Plusieurs valeurs séparées par des virgules."),
)


# Column titles seen in partners' files, compared by `header_key`.
SYNONYMS = {
    "siret": ("siret", "n siret", "no siret", "num siret", "numero siret", "code siret",
              "siret etablissement", "siret de l etablissement"),
    "name": ("raison sociale", "nom", "denomination", "denomination sociale", "entreprise",
             "nom entreprise", "nom de l entreprise", "societe", "etablissement", "enseigne"),
    "address": ("adresse", "adresse postale", "adresse 1", "adresse etablissement", "rue", "voie"),
    "postal_code": ("code postal", "cp", "code postal etablissement"),
    "commune": ("ville", "commune", "localite", "libelle commune", "code commune", "code insee",
                "insee", "commune etablissement"),
    "naf": ("naf", "ape", "code naf", "code ape", "code naf ape", "naf ape", "code ape naf",
            "activite principale", "code naf 2008"),
    "headcount": ("effectif", "effectifs", "tranche effectif", "tranche d effectif",
                  "tranche effectifs", "tranche d effectifs", "nombre de salaries", "salaries"),
    "contact_name": ("contact", "nom du contact", "nom contact", "contact nom", "interlocuteur",
                     "nom prenom", "nom et prenom"),
    "contact_email": ("email", "e mail", "mail", "courriel", "adresse email", "adresse e mail",
                      "adresse mail", "email contact", "courriel contact", "adresse electronique"),
    "contact_phone": ("telephone", "tel", "phone", "portable", "telephone contact", "tel contact",
                      "numero de telephone"),
    "tags": ("tags", "etiquettes", "segment", "segments", "filiere", "secteur", "categorie"),
}


def header_key(header: str) -> str:
    """A column title without accents, case or punctuation ("N° SIRET" gives "n siret")."""
    plain = unicodedata.normalize("NFKD", header.lower())
    letters = "".join(char if char.isalnum() else " " for char in plain if not unicodedata.combining(char))
    return " ".join(letters.split())


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """For each field, the first column whose title is one of its usual names."""
    keys = {header: header_key(header) for header in headers}
    mapping: dict[str, str] = {}
    for key, names in SYNONYMS.items():
        found = next((header for header, title in keys.items() if title in names), None)
        if found is not None and found not in mapping.values():
            mapping[key] = found
    return mapping


@dataclass
class Place:
    """A commune of the region as rows are compared with it."""

    code: str
    name: str
    key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = place_key(self.name)


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None
    phone: str | None


@dataclass
class Entry:
    """What a valid row says about a firm."""

    siret: str
    name: str | None
    address: str | None
    postal_code: str | None
    commune: Place | None
    naf_code: str | None
    headcount_band: str | None
    tags: list[str]
    contact: Person | None


@dataclass
class Row:
    line: int
    values: list[str]
    entry: Entry | None = None
    reasons: list[str] = field(default_factory=list)  # why the row is rejected
    notes: list[str] = field(default_factory=list)  # values left out of an imported row


def place_key(name: str) -> str:
    """A commune name compared without accents, case, punctuation, St/Ste or CEDEX."""
    words = re.sub(r"[^a-z0-9]+", " ", normalise_name(name)).split()
    words = [{"st": "saint", "ste": "sainte"}.get(word, word) for word in words]
    return " ".join(words[:words.index("cedex")] if "cedex" in words else words)


def split_tags(value: str) -> list[str]:
    return list(dict.fromkeys(tag.strip() for tag in re.split(r"[,;|]", value) if tag.strip()))


Distinct = dict[str, list[str] | None]  # a file's distinct values per column, None when many


class RowReader:
    """Reads the rows of one file in order: reference lists loaded once, SIRETs remembered."""

    def __init__(self, sheet: Sheet, mapping: dict[str, str], distinct: Distinct | None = None):
        """`distinct`: the whole file's distinct values per column (None past a few of them), when
        `sheet` holds its first rows only."""
        self.columns = {key: sheet.headers.index(header) for key, header in mapping.items()
                        if header in sheet.headers}
        self.seen: set[str] = set()
        self.naf_codes = set(db.session.scalars(sa.select(NafCode.code)))
        self.bands = list(db.session.scalars(sa.select(HeadcountBand)))
        self.band_codes = {band.code for band in self.bands}
        self.headcount_codes = self.codes_only(sheet, mapping.get("headcount"), distinct)
        self.by_code: dict[str, Place | None] = {}
        self.by_postal_code: dict[str, list[Place]] = {}
        self.by_name: dict[str, list[Place]] | None = None

    def codes_only(self, sheet: Sheet, header: str | None, distinct: Distinct | None) -> bool:
        """Whether the headcount column holds INSEE band codes only (then "12" is a band, not 12)."""
        if distinct is not None:
            known = distinct.get(header or "", []) if header in sheet.headers else []
            if known is None:  # more distinct values than there are band codes
                return False
            headcounts = set(known)
        else:
            headcounts = {self.cell(row.values, "headcount").upper() for row in sheet.rows}
        headcounts -= {""}
        return bool(headcounts) and headcounts <= self.band_codes

    def cell(self, values: list[str], key: str) -> str:
        return values[self.columns[key]].strip() if key in self.columns else ""

    def read(self, line: int, values: list[str]) -> Row:
        row = Row(line, values)
        siret = self.siret(row)
        postal_code = self.postal_code(row)
        commune = self.commune(row, postal_code)
        if row.reasons:
            return row
        tags = split_tags(self.cell(values, "tags"))
        row.entry = Entry(
            siret=siret, name=self.cell(values, "name")[:MAX_TEXT] or None,
            address=self.cell(values, "address")[:MAX_TEXT] or None, postal_code=postal_code,
            commune=commune, naf_code=self.naf(row), headcount_band=self.band(row), tags=tags,
            contact=self.contact(row),
        )
        return row

    def siret(self, row: Row) -> str:
        siret = clean_siret(self.cell(row.values, "siret"))
        if not siret:
            row.reasons.append("SIRET manquant")
        elif siret_problem(siret):
            row.reasons.append("SIRET invalide")
        elif siret in self.seen:
            row.reasons.append("SIRET en double dans le fichier")
        self.seen.add(siret)
        return siret

    def postal_code(self, row: Row) -> str | None:
        raw = self.cell(row.values, "postal_code")
        digits = raw.replace(" ", "")
        code = digits.zfill(5) if digits.isdigit() and len(digits) == 4 else digits
        if raw and not POSTAL_CODE.fullmatch(code):
            row.notes.append(f"code postal « {raw} » invalide : non repris")
            return None
        return code or None

    def commune(self, row: Row, postal_code: str | None) -> Place | None:
        """The row's commune from its INSEE code, or its postal code and name; None if not given."""
        value = self.cell(row.values, "commune")
        if INSEE_CODE.fullmatch(value.upper()):
            return self._known(row, self._by_code(value.upper()))
        if postal_code:
            return self._in_postal_code(row, postal_code, value)
        if value:
            return self._by_name(row, value)
        return None

    def _known(self, row: Row, place: Place | None) -> Place | None:
        if place is None:
            row.reasons.append(OUTSIDE_REGION)
        return place

    def _by_code(self, code: str) -> Place | None:
        if code not in self.by_code:
            commune = db.session.get(Commune, code)
            self.by_code[code] = Place(commune.code, commune.name) if commune else None
        return self.by_code[code]

    def _in_postal_code(self, row: Row, postal_code: str, name: str) -> Place | None:
        if postal_code not in self.by_postal_code:
            self.by_postal_code[postal_code] = [
                Place(commune.code, commune.name) for commune in communes_for_postal_code(postal_code)]
        candidates, key = self.by_postal_code[postal_code], place_key(name)
        named = [place for place in candidates if name and place.key == key]
        if len(named) == 1 or len(candidates) == 1:
            return (named or candidates)[0]
        if not candidates:
            row.reasons.append(OUTSIDE_REGION)
        elif name:
            row.reasons.append(f"commune « {name} » introuvable parmi celles du code postal {postal_code}")
        else:
            row.reasons.append(f"le code postal {postal_code} dessert plusieurs communes : "
                               "indiquez le nom de la commune")
        return None

    def _by_name(self, row: Row, name: str) -> Place | None:
        if self.by_name is None:
            self.by_name = {}
            for code, commune_name in db.session.execute(sa.select(Commune.code, Commune.name)):
                place = Place(code, commune_name)
                self.by_name.setdefault(place.key, []).append(place)
        places = self.by_name.get(place_key(name), [])
        if len(places) > 1:
            row.reasons.append(f"plusieurs communes de la région s'appellent « {name} » : "
                               "indiquez le code postal")
            return None
        return self._known(row, places[0] if places else None)

    def naf(self, row: Row) -> str | None:
        raw = self.cell(row.values, "naf")
        compact = re.sub(r"[^0-9A-Za-z]", "", raw).upper()
        code = f"{compact[:2]}.{compact[2:]}" if len(compact) == 5 else compact
        if raw and code not in self.naf_codes:
            row.notes.append(f"code NAF « {raw} » inconnu : non repris")
        return code if code in self.naf_codes else None

    def band(self, row: Row) -> str | None:
        """The headcount band: from its code when the whole column holds INSEE band codes, else from
        the first number of a range ("10 à 19") or a count of employees ("12" is then 10 to 19)."""
        raw = self.cell(row.values, "headcount")
        if not raw or self.headcount_codes or raw.upper() == "NN":
            return raw.upper() or None
        numbers = re.findall(r"\d+", re.sub(r"\s", "", raw))
        count = int(numbers[0]) if numbers else -1
        for band in self.bands:
            if band.min_employees is not None and band.min_employees <= count and (
                    band.max_employees is None or count <= band.max_employees):
                return band.code
        row.notes.append(f"effectif « {raw} » non reconnu : non repris")
        return None

    def contact(self, row: Row) -> Person | None:
        """The contact person when given with a valid e-mail (or a name and no e-mail)."""
        email: str | None  # None once normalised if invalid
        name, email, phone = (self.cell(row.values, key)
                              for key in ("contact_name", "contact_email", "contact_phone"))
        if email and (email := normalise_email(email)) is None:
            row.notes.append("courriel du contact invalide : contact non ajouté")
            return None
        checked = normalise_phone(phone) if phone else None
        if phone and checked is None:
            row.notes.append(f"téléphone du contact « {phone} » invalide : non repris")
        if not (name or email):
            if checked:
                row.notes.append("contact sans nom ni courriel : non ajouté")
            return None
        return Person((name or email)[:MAX_CONTACT_NAME], email, checked)
