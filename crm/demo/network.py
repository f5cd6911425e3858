"""Demo network: organisations of the BFC network and their accounts (idempotent)."""

import random
import re
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Basin,
    Commune,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from crm.services.accounts import recovery
from crm.services.accounts import users as accounts
from crm.services.platform import audit
from crm.services.platform.wording import normalise_name
from crm.services.territory.reference import read_csv

DOMAIN = "demo.crm-emploi-bfc.fr"
PASSWORD = "Demo-BFC-2026!"
SEED = 2026
REGION = "Bourgogne-Franche-Comté"
MAIN_BASINS = {"2711", "2706", "0059", "2705", "2702", "0060", "2707", "2714", "2718", "2713",
               "2717", "2712"}
MANAGER_BASINS = {"21": "2711", "25": "2706", "39": "2713", "58": "0060", "70": "2718",
                  "71": "0059", "89": "2702", "90": "2705"}
OF_DEPARTMENT = {"21": "de la Côte-d'Or", "25": "du Doubs", "39": "du Jura", "58": "de la Nièvre",
                 "70": "de la Haute-Saône", "71": "de Saône-et-Loire", "89": "de l'Yonne",
                 "90": "du Territoire de Belfort"}
OPCOS = ("OPCO EP", "OPCO 2i", "Constructys")
TEMP_AGENCIES = {"Dijon Intérim Services": "2711", "Besançon Travail Temporaire": "2706"}


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: OrganisationKind
    basins: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class UserSpec:
    email: str
    role: Role
    organisation: str
    basins: tuple[str, ...] = ()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise_name(text)).strip("-")


def of_place(name: str) -> str:
    """French "de" before a commune name: "de Dijon", "d'Auxerre", "du Creusot", "des Rousses"."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if name.startswith(article):
            return contracted + name[len(article):]
    return ("d'" if normalise_name(name[0]) in "aeiouyh" else "de ") + name


def network_plan(basins: dict[str, str]) -> list[OrganisationSpec]:
    """The organisations of the demo network, in creation order."""
    kinds = OrganisationKind
    plan = [OrganisationSpec(f"France Travail {name}", kinds.FRANCE_TRAVAIL, (code,))
            for code, name in sorted(basins.items())]
    for prefix, kind in (("Mission locale", kinds.MISSION_LOCALE), ("Cap emploi", kinds.CAP_EMPLOI),
                         ("CCI", kinds.CCI), ("CMA", kinds.CMA), ("Régie d'insertion", kinds.IAE)):
        plan += [OrganisationSpec(f"{prefix} {of}", kind, departments=(code,))
                 for code, of in OF_DEPARTMENT.items()]
    plan += [OrganisationSpec(name, kinds.OPCO) for name in OPCOS]
    plan += [OrganisationSpec(name, kinds.ETT, (code,)) for name, code in TEMP_AGENCIES.items()]
    return plan + [OrganisationSpec(f"APEC {REGION}", kinds.APEC),
                   OrganisationSpec(f"URSSAF {REGION}", kinds.URSSAF),
                   OrganisationSpec(f"Région {REGION}", kinds.REGION)]


def seed_network(plan: list[OrganisationSpec]) -> None:
    """Create the organisations of the plan that do not exist yet."""
    existing = set(db.session.scalars(sa.select(Organisation.name)))
    for spec in plan:
        if spec.name not in existing:
            accounts.save_organisation(Organisation(), name=spec.name, kind=spec.kind,
                                       basin_codes=list(spec.basins),
                                       department_codes=list(spec.departments))


def department_basins() -> dict[str, tuple[str, ...]]:
    """The basins each département has communes in."""
    found: dict[str, set[str]] = defaultdict(set)
    for department, basin in db.session.execute(
            sa.select(Commune.department_code, Commune.basin_code).distinct()):
        found[department].add(basin)
    return {department: tuple(sorted(codes)) for department, codes in found.items()}


def user_plan(basins: dict[str, str], departments: dict[str, str]) -> list[UserSpec]:
    """The demo accounts: admin first, then managers, advisers and partners. Every organisation a
    routing rule can pick has an adviser covering each basin it serves (the regional APEC adviser
    covers them all), so that no demo need waits for want of an adviser."""
    covered, at = department_basins(), f"@{DOMAIN}"
    plan = [UserSpec(f"admin{at}", Role.ADMIN, f"Région {REGION}")]
    plan += [UserSpec(f"responsable.{slug(departments[code])}{at}", Role.MANAGER,
                      f"France Travail {basins[basin]}", covered[code])
             for code, basin in MANAGER_BASINS.items()]
    for code, name in sorted(basins.items()):
        plan += [UserSpec(f"conseiller{rank}.{slug(name)}{at}", Role.ADVISER,
                          f"France Travail {name}", (code,))
                 for rank in range(1, 3 if code in MAIN_BASINS else 2)]
    for prefix, login in (("Mission locale", "mission-locale"), ("Cap emploi", "cap-emploi"),
                          ("Régie d'insertion", "insertion")):
        plan += [UserSpec(f"{login}.{slug(departments[code])}{at}", Role.ADVISER,
                          f"{prefix} {of}", covered[code]) for code, of in OF_DEPARTMENT.items()]
    plan.append(UserSpec(f"apec{at}", Role.ADVISER, f"APEC {REGION}", tuple(sorted(basins))))
    for code in ("21", "25"):
        plan += [UserSpec(f"{prefix.lower()}.{slug(departments[code])}{at}", Role.PARTNER,
                          f"{prefix} {OF_DEPARTMENT[code]}") for prefix in ("CCI", "CMA")]
    return plan + [UserSpec(f"opco-ep{at}", Role.PARTNER, "OPCO EP"),
                   UserSpec(f"ett.dijon{at}", Role.PARTNER, "Dijon Intérim Services"),
                   UserSpec(f"urssaf{at}", Role.PARTNER, f"URSSAF {REGION}")]


def load_words() -> dict[str, list[tuple[str, str]]]:
    """Words of demo_names.csv by kind and by kind/detail, e.g. "place/21", "summary/call"."""
    words: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in read_csv("demo_names.csv"):
        words[row["kind"]].append((row["value"], row["detail"]))
        words[f"{row['kind']}/{row['detail']}"].append((row["value"], row["detail"]))
    return words


def seed_users(plan: list[UserSpec]) -> None:
    """Create the missing accounts of the plan, all with the demo password hashed once."""
    existing = set(db.session.scalars(sa.select(User.email).where(User.email.like(f"%@{DOMAIN}"))))
    if existing >= {spec.email for spec in plan}:
        return
    rng, words = random.Random(SEED), load_words()
    names = {spec.email: f"{rng.choice(words['given_name'])[0]} {rng.choice(words['surname'])[0]}"
             for spec in plan}
    organisations = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    basins = {b.code: b for b in db.session.scalars(sa.select(Basin))}
    password_hash = accounts.hash_password(PASSWORD)
    users = [User(email=spec.email, name=names[spec.email], role=spec.role,
                  organisation=organisations[spec.organisation], password_hash=password_hash,
                  basins=[basins[code] for code in spec.basins])
             for spec in plan if spec.email not in existing]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        audit.record(None, "save", user, {"email": user.email, "role": user.role,
                                          "organisation": user.organisation.name})


INVITED = f"nouvelle.recrue@{DOMAIN}"


def seed_invitation() -> None:
    """One account invited by the administrator and not yet activated: its invitation waits in
    the outbox (Administration → Messages) and the account's page offers to send it again."""
    if db.session.scalar(sa.select(User.id).where(User.email == INVITED)) is not None:
        return
    admin = db.session.scalar(sa.select(User).where(User.email == f"admin@{DOMAIN}"))
    colleague = db.session.scalar(sa.select(User).where(User.email == f"conseiller1.dijon@{DOMAIN}"))
    if admin is None or colleague is None:
        return
    user = accounts.save_user(User(), email=INVITED, name="Camille Nouvelle", role=Role.ADVISER,
                              organisation=colleague.organisation, basin_codes=[], actor=admin)
    recovery.invite(user, admin)
