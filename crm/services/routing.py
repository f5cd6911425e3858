"""Routing of hiring needs to the most relevant organisation (DOMAIN.md §3)."""

import sqlalchemy as sa

from crm.extensions import db
from crm.models import OrganisationKind, Public, RoutingRule

DEFAULT_RULES = (
    ("Handicap", [Public.DISABILITY], OrganisationKind.CAP_EMPLOI,
     "Le besoin vise des personnes en situation de handicap : Cap emploi en est le pilote."),
    ("Jeunes", [Public.YOUTH], OrganisationKind.MISSION_LOCALE,
     "Le besoin vise des jeunes de 16 à 25 ans : la Mission locale en est le pilote."),
    ("Cadres", [Public.EXECUTIVE], OrganisationKind.APEC,
     "Le besoin vise des cadres ou des jeunes diplômés : l'APEC en est le pilote."),
    ("Insertion", [Public.INCLUSION], OrganisationKind.IAE,
     "Le besoin relève du recrutement inclusif : une structure d'insertion en est le pilote."),
    ("Par défaut", [], OrganisationKind.FRANCE_TRAVAIL,
     "Aucun public particulier : l'agence France Travail du bassin en est le pilote."),
)


def install_default_rules() -> int:
    """Create the default rules when none exist; an administrator's rules are never touched."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(RoutingRule)):
        return 0
    for position, (name, publics, kind, reason) in enumerate(DEFAULT_RULES, start=1):
        db.session.add(
            RoutingRule(position=position, name=name, publics=[str(p) for p in publics],
                        services=[], target_kind=kind, reason=reason)
        )
    db.session.commit()
    return len(DEFAULT_RULES)
