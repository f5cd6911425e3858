"""Demo data: the BFC network, its accounts, companies, contacts and contact ledger (idempotent)."""

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

import sqlalchemy as sa

from crm.demo.co_handling import seed_co_handling
from crm.demo.events import seed_events
from crm.demo.hiring_needs import seed_needs
from crm.demo.network import (
    DOMAIN,
    PASSWORD,
    SEED,
    load_words,
    network_plan,
    of_place,
    seed_invitation,
    seed_network,
    seed_users,
    slug,
    user_plan,
)
from crm.demo.plans import seed_committees, seed_plans
from crm.demo.projects import seed_projects
from crm.demo.training import seed_training
from crm.demo.working_calendar import office_hours_moment, working_day_on_or_before
from crm.demo.workspace import seed_workspace
from crm.extensions import Model, db
from crm.models import (
    Basin,
    Commune,
    Company,
    CompanyProject,
    CompanyScore,
    Contact,
    Department,
    FollowUp,
    HiringNeed,
    Interaction,
    InteractionKind,
    NafCode,
    Organisation,
    OrganisationKind,
    ProspectionPlan,
    Role,
    User,
    Visit,
    utcnow,
)
from crm.services.companies import counters
from crm.services.companies.records import search_text
from crm.services.plans import scoring
from crm.services.platform.identifiers import build_siren, build_siret
from crm.services.platform.local_time import local_today
from crm.services.platform.wording import normalise_name
from crm.services.territory.reference import read_csv

BATCH = 1000
PHONE_PREFIXES = {"21": "03 80", "25": "03 81", "39": "03 84", "58": "03 86", "70": "03 84",
                  "71": "03 85", "89": "03 86", "90": "03 84"}
BANDS = {  # headcount band weights by the usual size of a trade (demo_trades.csv)
    "S": {"NN": 10, "00": 16, "01": 26, "02": 20, "03": 13, "11": 10, "12": 4, "21": 1},
    "M": {"NN": 2, "00": 4, "01": 8, "02": 12, "03": 14, "11": 24, "12": 22, "21": 9, "22": 4,
          "31": 1},
    "L": {"02": 2, "03": 4, "11": 12, "12": 26, "21": 24, "22": 18, "31": 6, "32": 5, "41": 2,
          "42": 1},
}
SMALL_BANDS = {"NN", "00", "01", "02", "03"}
SHORTAGE_DIVISIONS = {f"{d:02d}" for d in [*range(10, 34), 41, 42, 43, 49, 52, 55, 56, 86, 87, 88]}
SITE_DIVISIONS = {f"{d:02d}" for d in [*range(10, 34), 41, 42, 43, 46, 49, 52]}
KIND_WEIGHTS = {InteractionKind.CALL: 45, InteractionKind.EMAIL: 25, InteractionKind.VISIT: 18,
                InteractionKind.MEETING: 12}
ACTOR_WEIGHTS = {"france_travail": 6, "mission_locale": 2, "cap_emploi": 1.5, "apec": 0.5,
                 "iae": 1, "cci": 2, "cma": 2, "opco": 1, "ett": 2, "urssaf": 1}


@dataclass
class Catalogue:
    """What company plans draw from: communes, trades, words, referents and contact actors."""


    communes: Sequence[Commune]
    commune_weights: list[int]
    trades: list[dict[str, str]]
    trade_weights: list[int]
    words: dict[str, list[tuple[str, str]]]
    referents: dict[str, list[int]]
    actors: dict[int, dict]
    pools: dict[tuple[str, str], dict[int, list[int]]] = field(default_factory=dict)


    def word(self, rng: random.Random, kind: str) -> str:
        return rng.choice(self.words[kind])[0]


def load_actors() -> dict[int, dict]:
    """Demo advisers and partners by id, with their organisation's kind and coverage."""
    users = db.session.scalars(sa.select(User).where(
        User.email.like(f"%@{DOMAIN}"), User.role.in_([Role.ADVISER, Role.PARTNER]))
        .order_by(User.email))
    return {user.id: {"organisation": user.organisation.id, "kind": user.organisation.kind.value,
                      "basins": {b.code for b in user.organisation.basins},
                      "departments": {d.code for d in user.organisation.departments}}
            for user in users}


def load_catalogue() -> Catalogue:
    communes = db.session.scalars(sa.select(Commune).order_by(Commune.code)).all()
    known = set(db.session.scalars(sa.select(NafCode.code)))
    trades = [row for row in read_csv("demo_trades.csv") if row["naf"] in known]
    actors = load_actors()
    referents: dict[str, list[int]] = defaultdict(list)
    for user, actor in actors.items():
        if actor["kind"] == OrganisationKind.FRANCE_TRAVAIL:
            for basin in actor["basins"]:
                referents[basin].append(user)
    return Catalogue(communes, list(accumulate(c.population for c in communes)), trades,
                     list(accumulate(int(t["weight"]) for t in trades)), load_words(),
                     referents, actors)


def actor_pool(catalogue: Catalogue, basin: str, department: str) -> dict[int, list[int]]:
    """Users by organisation among the actors covering a basin and département (cached)."""
    if (basin, department) not in catalogue.pools:
        pool: dict[int, list[int]] = defaultdict(list)
        for user, actor in catalogue.actors.items():
            regional = not actor["basins"] and not actor["departments"]
            if regional or basin in actor["basins"] or department in actor["departments"]:
                pool[actor["organisation"]].append(user)
        catalogue.pools[basin, department] = dict(pool)
    return catalogue.pools[basin, department]


def demo_siret(index: int) -> tuple[str, str]:
    """The SIREN and SIRET of the demo company of this index (distinct for distinct indices)."""
    siren = build_siren(f"{40_000_000 + (index * 7_919 + 1_234_567) % 50_000_000:08d}")
    return siren, build_siret(siren, f"{index % 4 + 1:04d}")


def company_name(rng: random.Random, trade: dict[str, str], commune: Commune,
                 catalogue: Catalogue) -> str:
    return rng.choice(trade["names"].split("|")).format(
        nom=catalogue.word(rng, "surname"), de_ville=of_place(commune.name),
        lieu=catalogue.word(rng, f"place/{commune.department_code}"),
        residence=catalogue.word(rng, "residence"))


def company_tags(rng: random.Random, band: str, division: str) -> list[str]:
    candidates = (("TPE", band in SMALL_BANDS - {"NN"}, 0.15),
                  ("Secteur en tension", division in SHORTAGE_DIVISIONS, 0.25),
                  ("Les entreprises s'engagent", True, 0.04),
                  ("Recrute en alternance", band != "NN", 0.05))
    return [tag for tag, eligible, rate in candidates if eligible and rng.random() < rate]


def company_row(rng: random.Random, identity: tuple[str, str], catalogue: Catalogue,
                today: date) -> dict:
    """One demo establishment in a commune drawn by population, with a trade drawn by weight."""
    commune = rng.choices(catalogue.communes, cum_weights=catalogue.commune_weights)[0]
    trade = rng.choices(catalogue.trades, cum_weights=catalogue.trade_weights)[0]
    band = rng.choices(list(BANDS[trade["size"]]), weights=list(BANDS[trade["size"]].values()))[0]
    division = trade["naf"][:2]
    site = division in SITE_DIVISIONS and rng.random() < 0.7
    street = catalogue.word(rng, "street/business" if site else "street/town")
    siren, siret = identity
    name = company_name(rng, trade, commune, catalogue)
    founded = date(today.year - min(int(rng.expovariate(1 / 12)), 60), 1, 1)
    active = rng.random() >= 0.03
    referents = catalogue.referents.get(commune.basin_code)
    return {
        "siret": siret, "siren": siren, "name": name, "search_name": normalise_name(name),
        "search_text": search_text(name, None, commune.name, commune.postal_codes.split()[0]),
        "naf_code": trade["naf"], "headcount_band": band,
        "address": f"{rng.randint(1, 120)} {street}",
        "postal_code": commune.postal_codes.split()[0], "commune_code": commune.code,
        "basin_code": commune.basin_code,
        "latitude": round(commune.latitude + rng.uniform(-0.008, 0.008), 6),
        "longitude": round(commune.longitude + rng.uniform(-0.011, 0.011), 6),
        "active": active, "employer": band != "NN", "verified": True, "source": "demo",
        "created_on": min(founded + timedelta(days=rng.randrange(365)),
                          today - timedelta(days=150)),
        "tags": company_tags(rng, band, division),
        "referent_id": rng.choice(referents)
        if referents and active and rng.random() < 0.2 else None,
    }


def phone_number(rng: random.Random, department: str) -> str:
    """A French number: the département's landline prefix mostly, sometimes a mobile."""
    prefix = (PHONE_PREFIXES[department] if rng.random() < 0.7
              else f"0{rng.choice('67')} {rng.randrange(10, 100)}")
    return " ".join([prefix, *(f"{rng.randrange(100):02d}" for _ in range(3))])


def contact_rows(rng: random.Random, company: dict, catalogue: Catalogue) -> list[dict]:
    """About one contact per three companies, who consented to be contacted."""
    titles = "job_title/small" if company["headcount_band"] in SMALL_BANDS else "job_title/larger"
    rows = []
    for _ in range((rng.random() < 0.30) + (rng.random() < 0.05)):
        given, gender = rng.choice(catalogue.words["given_name"])
        surname = catalogue.word(rng, "surname")
        male, female = catalogue.word(rng, titles).split("|")
        rows.append({
            "name": f"{given} {surname}", "job_title": female if gender == "f" else male,
            "email": f"{slug(given)}.{slug(surname)}@{slug(company['name'])}.example",
            "phone": phone_number(rng, company["commune_code"][:2]), "consent": True,
            "consent_at": utcnow(),
        })
    return rows


def contact_time(rng: random.Random, today: date, max_days: int) -> datetime:
    """A moment of a working day within the last `max_days` days, during office hours in France."""
    day = working_day_on_or_before(today - timedelta(days=rng.randint(1, max_days - 2)))
    return office_hours_moment(rng, day)


def weighted_sample(rng: random.Random, items: list[int], weights: list[float],
                    k: int) -> list[int]:
    """Up to k distinct items, each draw proportional to the weights of those left."""
    items, weights, chosen = list(items), list(weights), []
    for _ in range(min(k, len(items))):
        index = rng.choices(range(len(items)), weights)[0]
        chosen.append(items.pop(index))
        weights.pop(index)
    return chosen


def contact_users(rng: random.Random, company: dict, catalogue: Catalogue) -> tuple[list[int], int]:
    """Who contacted the firm and within how many days: mostly nobody, 7 % several organisations."""
    pool = actor_pool(catalogue, company["basin_code"], company["commune_code"][:2])
    organisations, draw = sorted(pool), rng.random()
    weights = [ACTOR_WEIGHTS[catalogue.actors[pool[o][0]]["kind"]] for o in organisations]
    if draw < 0.07:
        chosen = weighted_sample(rng, organisations, weights, rng.randint(2, 3))
        picks, days = chosen + rng.choices(chosen, k=rng.randint(1, 2)), 30
    elif draw < 0.42:
        picks, days = rng.choices(organisations, weights, k=1 + (rng.random() < 0.3)), 120
    else:
        return [], 0
    users = [rng.choice(pool[organisation]) for organisation in picks]
    if company["referent_id"] is not None:
        users[0] = company["referent_id"]
    return users, days


def interaction_rows(rng: random.Random, company: dict, catalogue: Catalogue,
                     today: date) -> list[dict]:
    """The firm's contacts in the shared ledger over the last 120 days (none if it closed)."""
    users, days = contact_users(rng, company, catalogue) if company["active"] else ([], 0)
    rows = []
    for user in users:
        kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        occurred = contact_time(rng, today, days)
        rows.append({"user_id": user, "organisation_id": catalogue.actors[user]["organisation"],
                     "kind": kind, "occurred_at": occurred, "created_at": occurred,
                     "summary": catalogue.word(rng, f"summary/{kind.value}"),
                     "outcome": catalogue.word(rng, "outcome")})
    return rows


def insert_batch(plans: list[tuple[dict, list[dict], list[dict]]]) -> None:
    """Insert companies in bulk, then their contacts and interactions with the new ids."""
    bulk = {"render_nulls": True}  # NULLs rendered, so rows with and without a value batch together
    db.session.execute(sa.insert(Company), [company for company, _, _ in plans],
                       execution_options=bulk)
    ids = dict(db.session.execute(sa.select(Company.siret, Company.id).where(
        Company.siret.in_([company["siret"] for company, _, _ in plans]))).all())
    for model, position in ((Contact, 1), (Interaction, 2)):
        rows = [{**row, "company_id": ids[plan[0]["siret"]]}
                for plan in plans for row in plan[position]]
        if rows:
            db.session.execute(sa.insert(model), rows, execution_options=bulk)
    counters.refresh(ids.values())  # the interactions went in without the session's hook


def seed_companies(count: int) -> None:
    """Create the missing demo companies 0..count-1 with their contacts and ledger entries."""
    catalogue, today = load_catalogue(), local_today()
    for start in range(0, count, BATCH):
        identities = {index: demo_siret(index) for index in range(start, min(start + BATCH, count))}
        existing = set(db.session.scalars(sa.select(Company.siret).where(
            Company.siret.in_([siret for _, siret in identities.values()]))))
        plans = []
        for index, identity in identities.items():
            if identity[1] in existing:
                continue
            rng = random.Random(SEED * 1_000_000 + index)
            company = company_row(rng, identity, catalogue, today)
            plans.append((company, contact_rows(rng, company, catalogue),
                          interaction_rows(rng, company, catalogue, today)))
        if plans:
            insert_batch(plans)


def row_count(model: type[Model]) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def seed_demo(companies: int = 2000) -> dict:
    """Create the demo network, accounts, companies, contacts and ledger; counts are totals."""
    basins = dict(db.session.execute(sa.select(Basin.code, Basin.name)).all())
    departments = dict(db.session.execute(sa.select(Department.code, Department.name)).all())
    seed_network(network_plan(basins))
    users = user_plan(basins, departments)
    seed_users(users)
    seed_companies(companies)
    db.session.flush()
    seed_needs()
    seed_co_handling()
    seed_workspace()
    seed_plans()
    seed_committees()
    seed_projects()
    seed_training()
    seed_events()
    sum(scoring.refresh_scores())  # the likely-to-hire scores the pages show, in one unit
    seed_invitation()  # last: no other demo data picks this account
    return {
        "accounts": [{"role": spec.role.value, "email": spec.email, "password": PASSWORD,
                      "organisation": spec.organisation} for spec in users],
        "organisations": row_count(Organisation), "users": row_count(User),
        "companies": row_count(Company), "contacts": row_count(Contact),
        "interactions": row_count(Interaction), "hiring_needs": row_count(HiringNeed),
        "visits": row_count(Visit), "tasks": row_count(FollowUp),
        "plans": row_count(ProspectionPlan), "projects": row_count(CompanyProject),
        "scores": row_count(CompanyScore),
    }
