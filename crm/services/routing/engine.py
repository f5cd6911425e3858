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
from crm.services.territory import rsa_pilots

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


RSA_RULE = ("RSA – territoires pilotes", [Public.RSA], OrganisationKind.FRANCE_TRAVAIL,
            OrganisationKind.DEPARTEMENT,
            "Le besoin vise des allocataires du RSA dans un territoire pilote : France Travail en "
            "est le pilote, avec le Conseil départemental.")

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
    co_handler: Organisation | None = None  # invited to co-handle by the rule


def install_rsa_rule() -> int:
    """The RSA pilot rule, just before the first rule matching every need, when no rule reads
    the pilot territories (an administrator may then move, edit or disable it); with the default
    pilot territories when none are recorded."""
    rsa_pilots.install_default_territories()
    if db.session.scalar(sa.select(RoutingRule.id).where(RoutingRule.rsa_pilot_only).limit(1)):
        return 0
    name, publics, kind, co_kind, reason = RSA_RULE
    rules = list(db.session.scalars(sa.select(RoutingRule).order_by(RoutingRule.position,
                                                                     RoutingRule.id)))
    catch_all = next((r for r in rules if rule_matches(r, {})), None)
    position = catch_all.position if catch_all else len(rules) + 1
    for rule in rules:
        if rule.position >= position:
            rule.position += 1
    db.session.add(RoutingRule(position=position, name=name, publics=[str(p) for p in publics],
                               services=[], target_kind=kind, co_handler_kind=co_kind,
                               rsa_pilot_only=True, reason=reason))
    return 1


def install_default_rules() -> int:
    """Create the default rules when none exist; an administrator's rules are never touched
    (but the RSA pilot rule is added once when missing)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(RoutingRule)):
        return install_rsa_rule()
    for position, (name, publics, kind, reason) in enumerate(DEFAULT_RULES, start=1):
        db.session.add(
            RoutingRule(position=position, name=name, publics=[str(p) for p in publics],
                        services=[], target_kind=kind, reason=reason)
        )
    db.session.flush()
    return len(DEFAULT_RULES) + install_rsa_rule()


def active_rules() -> list[RoutingRule]:
    query = sa.select(RoutingRule).where(RoutingRule.active).order_by(RoutingRule.position)
    return list(db.session.scalars(query))


def first_matching_rule(facts: Facts, rsa_pilot: bool = False) -> RoutingRule | None:
    """The first active rule matching the facts; rules for RSA pilot territories only when the
    workplace is in one."""
    return next((r for r in active_rules()
                 if rule_matches(r, facts) and (rsa_pilot or not r.rsa_pilot_only)), None)


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
          facts: Facts, collectors: Sequence[User] = (), commune_code: str | None = None) -> Routing:
    """Decide the pilot organisation and adviser of a need from its `facts` (its values for each
    routing criterion) and its workplace commune (in an RSA pilot territory or not); `collectors`
    are the people who collected it during a visit, in order of preference."""
    rule = first_matching_rule(facts, rsa_pilots.is_pilot_commune(commune_code))
    if rule is None:
        return Routing(None, None, None, "Aucune règle d'orientation active : "
                       "la demande attend dans la file du bassin.")
    organisation, coverage = covering_organisation(rule.target_kind, basin_code, department_code)
    adviser, how = (choose_adviser(organisation, company, basin_code, collectors) if organisation
                    else (None, ""))
    basin = db.session.get(Basin, basin_code) if basin_code else None
    reason = explain(rule, organisation, coverage, adviser, how, basin)
    co_handler = None
    if rule.co_handler_kind is not None and organisation is not None:
        co_handler, _ = covering_organisation(rule.co_handler_kind, basin_code, department_code)
        if co_handler is not None and co_handler.id != organisation.id:
            reason += f" {co_handler.name} co-traite la demande."
        else:
            co_handler = None
    return Routing(rule, organisation, adviser, reason, coverage, how, co_handler)
