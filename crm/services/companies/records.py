"""Companies: lookup by SIRET, creation from what an employer typed, name normalisation, and the
search text every write keeps current (`docs/workspace.md`)."""

import re

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Commune, Company
from crm.services.platform.identifiers import clean_siret, siren_of
from crm.services.platform.wording import normalise_name

WORD = re.compile(r"\w+")
SEARCHED = ("name", "sign", "commune_code", "postal_code")  # what a company is found by


def search_words(text: str) -> list[str]:
    """The words of a text as searched: lower case, no accents, punctuation read as spaces."""
    return WORD.findall(normalise_name(text))


def search_text(name: str | None, sign: str | None, commune_name: str | None,
                postal_code: str | None) -> str:
    """What a company is found by (`companies.search_text`): its name, sign, commune and postal
    code as search words."""
    return " ".join(search_words(" ".join(filter(None, (name, sign, commune_name, postal_code)))))


SEARCH_NAME_LENGTH: int = Company.__table__.c.search_name.type.length  # type: ignore[attr-defined]
SEARCH_TEXT_LENGTH: int = Company.__table__.c.search_text.type.length  # type: ignore[attr-defined]


def commune_name(connection: sa.Connection, session, code: str | None) -> str | None:
    """A commune's name, from the session's identity map when loaded, else from the database."""
    if code is None:
        return None
    loaded = session.identity_map.get(session.identity_key(Commune, code)) if session else None
    if loaded is not None:
        return loaded.name
    return connection.scalar(sa.select(Commune.name).where(Commune.code == code))


@sa.event.listens_for(Company, "before_insert")
@sa.event.listens_for(Company, "before_update")
def keep_search_text(mapper, connection: sa.Connection, company: Company) -> None:
    """Recompute the search text of a company saved through the ORM when what it is found by
    changed (rows written in bulk call search_text themselves: SIRENE, demo, bench)."""
    state = sa.inspect(company)
    if company.search_name:  # a name may grow under NFKD (one character into up to 18)
        company.search_name = company.search_name[:SEARCH_NAME_LENGTH].rstrip()
    if state.persistent and not any(state.attrs[key].history.has_changes() for key in SEARCHED):
        return
    commune = commune_name(connection, state.session, company.commune_code)
    text = search_text(company.name, company.sign, commune, company.postal_code)
    company.search_text = text[:SEARCH_TEXT_LENGTH].rstrip()


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
        place(company, db.session.get_one(Commune, commune_code))
    db.session.add(company)
    return company
