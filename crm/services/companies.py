"""Companies: lookup by SIRET, creation from what an employer typed, name normalisation."""

import unicodedata

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Commune, Company
from crm.services.identifiers import clean_siret, siren_of


def normalise_name(name: str) -> str:
    """Lower case without accents or repeated spaces, the form names are searched in."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.lower().split())


SOURCE_LABELS = {
    "public_form": "Formulaire public des employeurs", "spotter": "Signalement d'un partenaire",
    "api": "API partenaire", "visit": "Visite", "event": "Événement",
    "import": "Import d'une liste partenaire", "sirene": "Répertoire SIRENE (Insee)",
    "demo": "Données de démonstration",
}


def source_label(source: str | None) -> str:
    """Where the firm's record came from, in French."""
    return SOURCE_LABELS.get(source or "", source or "Non renseignée")


def find_by_siret(siret: str) -> Company | None:
    return db.session.scalar(sa.select(Company).where(Company.siret == clean_siret(siret)))


def place(company: Company, commune: Commune) -> None:
    """Put a company in a commune: its basin and default point come from the commune."""
    company.commune_code, company.basin_code = commune.code, commune.basin_code
    company.postal_code = company.postal_code or commune.postal_codes.split()[0]
    if company.latitude is None:
        company.latitude, company.longitude = commune.latitude, commune.longitude


def create_unverified(siret: str, name: str, commune_code: str | None, source: str) -> Company:
    """A company known only from what someone typed, until SIRENE or an adviser confirms it."""
    siret = clean_siret(siret)
    company = Company(siret=siret, siren=siren_of(siret), name=name.strip(),
                      search_name=normalise_name(name), verified=False, source=source, tags=[])
    if commune_code:
        place(company, db.session.get(Commune, commune_code))
    db.session.add(company)
    return company
