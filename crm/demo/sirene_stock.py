"""A realistic SIRENE stock for demonstrations and benchmarks: establishments in real communes of
the region (drawn by population, trades and headcount bands as in the demo data), their legal units,
and the rows an import must refuse (other regions, invalid SIRETs)."""

import csv
import random
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from pyproj import Transformer

from crm.demo.network import load_words
from crm.demo.seed import BANDS, Catalogue, company_name
from crm.models import Commune
from crm.services.imports.sirene_rows import MASKED, STREET_TYPES
from crm.services.platform.identifiers import build_siren, build_siret
from crm.services.platform.wording import normalise_name
from crm.services.territory.reference import commune_rows, read_csv

ESTABLISHMENT_HEADER = (
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement", "dateDernierTraitementEtablissement",
    "etablissementSiege", "nombrePeriodesEtablissement", "complementAdresseEtablissement",
    "numeroVoieEtablissement", "indiceRepetitionEtablissement", "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement",
    "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement",
    "codeCommuneEtablissement", "codeCedexEtablissement", "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement", "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "complementAdresse2Etablissement",
    "numeroVoie2Etablissement", "indiceRepetition2Etablissement", "typeVoie2Etablissement",
    "libelleVoie2Etablissement", "codePostal2Etablissement", "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement", "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement", "codeCedex2Etablissement", "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement", "libellePaysEtranger2Etablissement", "dateDebut",
    "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement",
    "enseigne3Etablissement", "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
)
LEGAL_UNIT_HEADER = (
    "siren", "statutDiffusionUniteLegale", "unitePurgeeUniteLegale", "dateCreationUniteLegale",
    "sigleUniteLegale", "sexeUniteLegale", "prenom1UniteLegale", "prenom2UniteLegale",
    "prenom3UniteLegale", "prenom4UniteLegale", "prenomUsuelUniteLegale", "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale", "trancheEffectifsUniteLegale", "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale", "nombrePeriodesUniteLegale", "categorieEntreprise",
    "anneeCategorieEntreprise", "dateDebut", "etatAdministratifUniteLegale", "nomUniteLegale",
    "nomUsageUniteLegale", "denominationUniteLegale", "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale", "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale", "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale", "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale", "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale", "activitePrincipaleNAF25UniteLegale",
)
# (code, postal code, name) of communes outside the region, for the rows an import must skip
OTHER_REGION = (("75056", "75011", "PARIS"), ("69123", "69003", "LYON"),
                ("67482", "67000", "STRASBOURG"), ("10387", "10000", "TROYES"),
                ("01053", "01000", "BOURG-EN-BRESSE"), ("03190", "03000", "MOULINS"),
                ("52448", "52000", "CHAUMONT"), ("13055", "13001", "MARSEILLE"))
HEAD_NIC = "0011"  # first four digits of the NIC of a unit's head office
FIRST_SIREN = 10_000_000  # below the demo companies' SIRENs (40 M and up) and the benchmark's (30 M)
SHARES = {"closed": 0.08, "non_diffusible": 0.03, "other_region": 0.02, "invalid_siret": 0.002,
          "sole_trader": 0.3, "sign": 0.3}
LEGAL_FORMS = ("5499", "5710", "5720", "5498", "6540")
STREET_CODES = {label: code for code, label in STREET_TYPES.items()}
MASKED_FIELDS = ("numeroVoieEtablissement", "typeVoieEtablissement", "libelleVoieEtablissement",
                 "coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement",
                 "enseigne1Etablissement")


@dataclass
class Counts:
    """What was written, by kind of row: `bfc` the valid rows of the region, `closed` and
    `non_diffusible` (open ones) among them; `kept_on_empty_database` is what an import must keep."""

    rows: int = 0
    legal_units: int = 0
    bfc: int = 0
    closed: int = 0
    non_diffusible: int = 0
    other_region: int = 0
    invalid_siret: int = 0

    def as_dict(self) -> dict:
        return {"rows": self.rows, "legal_units": self.legal_units, "bfc": self.bfc,
                "closed": self.closed, "non_diffusible": self.non_diffusible,
                "other_region": self.other_region, "invalid_siret": self.invalid_siret,
                "kept_on_empty_database": self.bfc - self.closed}


def catalogue() -> tuple[Catalogue, dict[str, tuple[float, float]]]:
    """Communes weighted by population and trades by weight (the demo's spreads), with each
    commune's Lambert-93 point."""
    communes = [Commune(**row) for row in commune_rows()]
    trades = list(read_csv("demo_trades.csv"))
    to_lambert = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    xs, ys = to_lambert.transform([c.longitude for c in communes], [c.latitude for c in communes])
    points = {c.code: (x, y) for c, x, y in zip(communes, xs, ys, strict=True)}
    return Catalogue(communes, list(accumulate(c.population for c in communes)), trades,
                     list(accumulate(int(t["weight"]) for t in trades)), load_words(), {}, {}), points


def legal_unit(rng: random.Random, siren: str, catalogue_: Catalogue, unit: dict) -> dict[str, str]:
    """A legal unit: a company with a denomination, or a sole trader with a first name and a name."""
    row = dict.fromkeys(LEGAL_UNIT_HEADER, "")
    diffusion = "P" if unit["masked"] else "O"
    row.update({"siren": siren, "statutDiffusionUniteLegale": diffusion, "etatAdministratifUniteLegale": "A",
                "dateCreationUniteLegale": unit["created"], "dateDebut": unit["created"],
                "activitePrincipaleUniteLegale": unit["trade"]["naf"],
                "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
                "nicSiegeUniteLegale": build_siret(siren, HEAD_NIC)[9:]})
    if unit["sole_trader"]:
        given, gender = rng.choice(catalogue_.words["given_name"])
        surname = catalogue_.word(rng, "surname").upper()
        row.update({"categorieJuridiqueUniteLegale": "1000", "sexeUniteLegale": "F" if gender == "f" else "M",
                    "prenom1UniteLegale": given.upper(), "prenomUsuelUniteLegale": given.upper(),
                    "nomUniteLegale": surname})
        if unit["masked"]:
            for key in ("prenom1UniteLegale", "prenomUsuelUniteLegale", "nomUniteLegale", "sexeUniteLegale"):
                row[key] = MASKED
    else:
        row.update({"categorieJuridiqueUniteLegale": rng.choice(LEGAL_FORMS), "denominationUniteLegale":
                    company_name(rng, unit["trade"], unit["commune"], catalogue_).upper()})
    return row


def street_parts(street: str) -> tuple[str, str]:
    """SIRENE's street type code and street name, e.g. ("AV", "DU MARECHAL FOCH")."""
    first, _, rest = normalise_name(street).upper().partition(" ")
    code = STREET_CODES.get(first)
    return (code, rest) if code and rest else ("", normalise_name(street).upper())


def establishment(rng: random.Random, siret: str, head: bool, catalogue_: Catalogue,
                  points: dict[str, tuple[float, float]], unit: dict) -> dict[str, str]:
    """An establishment of the unit in a commune drawn by population, near the commune's point."""
    commune = rng.choices(catalogue_.communes, cum_weights=catalogue_.commune_weights)[0]
    trade = unit["trade"]
    band = rng.choices(list(BANDS[trade["size"]]), weights=list(BANDS[trade["size"]].values()))[0]
    closed = rng.random() < SHARES["closed"]
    x, y = points[commune.code]
    street_type, street = street_parts(catalogue_.word(rng, "street/town"))
    row = dict.fromkeys(ESTABLISHMENT_HEADER, "")
    row.update({
        "siren": siret[:9], "nic": siret[9:], "siret": siret,
        "statutDiffusionEtablissement": "P" if unit["masked"] else "O",
        "dateCreationEtablissement": unit["created"], "dateDebut": unit["created"],
        "trancheEffectifsEtablissement": band, "anneeEffectifsEtablissement": "" if band == "NN" else "2023",
        "etablissementSiege": "true" if head else "false", "nombrePeriodesEtablissement": "1",
        "numeroVoieEtablissement": str(rng.randint(1, 120)), "typeVoieEtablissement": street_type,
        "libelleVoieEtablissement": street,
        "codePostalEtablissement": commune.postal_codes.split()[0],
        "libelleCommuneEtablissement": commune.name.upper(), "codeCommuneEtablissement": commune.code,
        "coordonneeLambertAbscisseEtablissement": f"{x + rng.uniform(-600, 600):.1f}",
        "coordonneeLambertOrdonneeEtablissement": f"{y + rng.uniform(-600, 600):.1f}",
        "etatAdministratifEtablissement": "F" if closed else "A",
        "enseigne1Etablissement": unit["sign"], "activitePrincipaleEtablissement": trade["naf"],
        "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
        "caractereEmployeurEtablissement": "N" if closed or band in ("NN", "00") else "O",
        "dateDernierTraitementEtablissement": "2025-01-15T03:12:45",
    })
    if unit["masked"]:
        row.update(dict.fromkeys(MASKED_FIELDS, MASKED))
    return row


def unit_plan(rng: random.Random, catalogue_: Catalogue, today: date) -> dict:
    trade = rng.choices(catalogue_.trades, cum_weights=catalogue_.trade_weights)[0]
    commune = rng.choices(catalogue_.communes, cum_weights=catalogue_.commune_weights)[0]
    created = today - timedelta(days=int(rng.expovariate(1 / 4000)) + 30)
    sole_trader = rng.random() < SHARES["sole_trader"]
    signed = sole_trader or rng.random() < SHARES["sign"]
    sign = company_name(rng, trade, commune, catalogue_).upper() if signed else ""
    return {"trade": trade, "commune": commune, "created": created.isoformat(), "sole_trader": sole_trader,
            "masked": rng.random() < SHARES["non_diffusible"], "sign": sign}


def refused(rng: random.Random, row: dict[str, str], counts: Counts) -> None:
    """Turn a few rows into ones an import must refuse: another region, or an invalid SIRET."""
    draw = rng.random()
    if draw < SHARES["other_region"]:
        code, postal_code, name = rng.choice(OTHER_REGION)
        row.update({"codeCommuneEtablissement": code, "codePostalEtablissement": postal_code,
                    "libelleCommuneEtablissement": name})
        counts.other_region += 1
    elif draw < SHARES["other_region"] + SHARES["invalid_siret"]:
        row["siret"] = row["siret"][:-1] + str((int(row["siret"][-1]) + 1) % 10)
        counts.invalid_siret += 1
    else:
        counts.bfc += 1
        closed = row["etatAdministratifEtablissement"] == "F"
        counts.closed += closed
        counts.non_diffusible += not closed and row["statutDiffusionEtablissement"] == "P"


def generate(out: Path, rows: int, unites: Path | None = None, seed: int = 2026) -> dict:
    """Write `rows` establishments (and their legal units when `unites` is given); returns counts."""
    rng, today, counts = random.Random(seed), date(2025, 1, 1), Counts()
    catalogue_, points = catalogue()
    with ExitStack() as files:
        writer = csv.DictWriter(files.enter_context(open(out, "w", encoding="utf-8", newline="")),
                                ESTABLISHMENT_HEADER, lineterminator="\n")
        writer.writeheader()
        unit_writer = None
        if unites is not None:
            unit_writer = csv.DictWriter(files.enter_context(open(unites, "w", encoding="utf-8", newline="")),
                                         LEGAL_UNIT_HEADER, lineterminator="\n")
            unit_writer.writeheader()
        while counts.rows < rows:
            siren = build_siren(f"{FIRST_SIREN + counts.legal_units:08d}")
            unit = unit_plan(rng, catalogue_, today)
            unit_row = legal_unit(rng, siren, catalogue_, unit)  # drawn either way: same file for a seed
            if unit_writer is not None:
                unit_writer.writerow(unit_row)
            counts.legal_units += 1
            for number in range(min(rows - counts.rows, rng.choices((1, 2, 3), (88, 9, 3))[0])):
                nic = HEAD_NIC if number == 0 else f"{number + 1:03d}2"
                row = establishment(rng, build_siret(siren, nic), number == 0, catalogue_, points, unit)
                refused(rng, row, counts)
                writer.writerow(row)
                counts.rows += 1
    return counts.as_dict()
