"""Routing of hiring needs to the most relevant organisation and adviser (`docs/domain.md` §3).

Rules are data, evaluated in order; the first active rule whose conditions match the need fires
(conditions are the criteria of `routing.criteria`: publics, services). The target organisation is
the one of the rule's kind covering the workplace basin, else its département, else a regional one.
The adviser is, for a need collected during a visit, the participant who collected it when they
belong to that organisation; else the company's referent when they belong to it; else the
organisation's adviser covering the basin with the fewest open needs. Without an organisation or an
adviser the need waits in the basin's unassigned queue.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Basin,
    Company,
    HiringNeed,
    Organisation,
    OrganisationKind,
    Public,
    Role,
    RoutingRule,
    User,
)
from crm.models.organisation import organisation_basins, organisation_departments
from crm.models.user import user_basins
from crm.services.routing.criteria import Facts, rule_matches

DEFAULT_RULES: tuple[tuple[str, list[Public], OrganisationKind, str], ...] = (
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


BY_COLLECTOR = "a recueilli le besoin lors de la visite"
BY_REFERENT = "référent de l'entreprise"
BY_LOAD = "conseiller du bassin le moins chargé"


@dataclass
class Routing:
    rule: RoutingRule | None
    organisation: Organisation | None
    adviser: User | None
    reason: str
    coverage: str = "none"  # basin, department, region or none
    chosen_by: str = ""  # BY_COLLECTOR, BY_REFERENT or BY_LOAD when an adviser was chosen


def install_default_rules() -> int:
    """Create the default rules when none exist; an administrator's rules are never touched."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(RoutingRule)):
        return 0
    for position, (name, publics, kind, reason) in enumerate(DEFAULT_RULES, start=1):
        db.session.add(
            RoutingRule(position=position, name=name, publics=[str(p) for p in publics],
                        services=[], target_kind=kind, reason=reason)
        )
    return len(DEFAULT_RULES)


def active_rules() -> list[RoutingRule]:
    query = sa.select(RoutingRule).where(RoutingRule.active).order_by(RoutingRule.position)
    return list(db.session.scalars(query))


def first_matching_rule(facts: Facts) -> RoutingRule | None:
    return next((r for r in active_rules() if rule_matches(r, facts)), None)


def _organisations_of_kind(kind: OrganisationKind):
    return (
        sa.select(Organisation)
        .where(Organisation.kind == kind, Organisation.active)
        .order_by(Organisation.id)
    )


def covering_organisation(kind: OrganisationKind, basin_code: str | None,
                          department_code: str | None) -> tuple[Organisation | None, str]:
    """The organisation of `kind` covering the basin, else the département, else the region."""
    base = _organisations_of_kind(kind)
    if basin_code:
        by_basin = base.join(organisation_basins).where(
            organisation_basins.c.basin_code == basin_code)
        if (found := db.session.scalars(by_basin).first()) is not None:
            return found, "basin"
    if department_code:
        by_department = base.join(organisation_departments).where(
            organisation_departments.c.department_code == department_code)
        if (found := db.session.scalars(by_department).first()) is not None:
            return found, "department"
    regional = base.where(~Organisation.basins.any(), ~Organisation.departments.any())
    found = db.session.scalars(regional).first()
    return found, "region" if found else "none"


def least_loaded_adviser(organisation: Organisation, basin_code: str | None) -> User | None:
    """The organisation's active adviser covering the basin with the fewest open needs."""
    open_needs = (
        sa.select(sa.func.count(HiringNeed.id))
        .where(HiringNeed.adviser_id == User.id, HiringNeed.is_open)
        .scalar_subquery()
    )
    query = (
        sa.select(User)
        .join(user_basins)
        .where(User.organisation_id == organisation.id, User.role == Role.ADVISER, User.active,
               user_basins.c.basin_code == basin_code)
        .order_by(open_needs, User.id)
    )
    return db.session.scalars(query).first()


def choose_adviser(organisation: Organisation, company: Company, basin_code: str | None,
                   collectors: Sequence[User] = ()) -> tuple[User | None, str]:
    """The first of `collectors` (the people who met the employer) working for the organisation,
    else the firm's referent there, else its least-loaded adviser of the basin."""
    for collector in collectors:
        if (collector.organisation_id == organisation.id and collector.is_active
                and collector.role in (Role.ADVISER, Role.MANAGER)):
            return collector, BY_COLLECTOR
    referent = company.referent
    if referent is not None and referent.organisation_id == organisation.id and referent.is_active:
        return referent, BY_REFERENT
    adviser = least_loaded_adviser(organisation, basin_code)
    return adviser, BY_LOAD if adviser else ""


COVERAGE_WORDS = {
    "basin": "qui couvre le bassin",
    "department": "qui couvre le département",
    "region": "compétente pour toute la région",
}


def explain(rule: RoutingRule, organisation: Organisation | None, coverage: str,
            adviser: User | None, how: str, basin: Basin | None) -> str:
    """One French sentence saying which rule fired and who was chosen, and why."""
    basin_name = basin.name if basin else "inconnu"
    if organisation is None:
        return (f"Règle « {rule.name} » : aucune structure « {rule.target_kind.label} » ne couvre "
                f"le bassin {basin_name} ; la demande attend dans la file du bassin.")
    where = COVERAGE_WORDS[coverage]
    who = (f"conseiller désigné : {adviser.name} ({how})" if adviser
           else "aucun conseiller disponible, la demande attend dans la file de la structure")
    return f"Règle « {rule.name} » : {organisation.name}, {where}, pilote la demande ; {who}."


def route(company: Company, basin_code: str | None, department_code: str | None,
          facts: Facts, collectors: Sequence[User] = ()) -> Routing:
    """Decide the pilot organisation and adviser of a need from its `facts` (its values for each
    routing criterion); `collectors` are the people who collected it during a visit, in order of
    preference."""
    rule = first_matching_rule(facts)
    if rule is None:
        return Routing(None, None, None, "Aucune règle d'orientation active : "
                       "la demande attend dans la file du bassin.")
    organisation, coverage = covering_organisation(rule.target_kind, basin_code, department_code)
    adviser, how = (choose_adviser(organisation, company, basin_code, collectors) if organisation
                    else (None, ""))
    basin = db.session.get(Basin, basin_code) if basin_code else None
    return Routing(rule, organisation, adviser,
                   explain(rule, organisation, coverage, adviser, how, basin), coverage, how)
