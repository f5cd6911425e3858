"""Demo hiring needs, filed through the real entry point so that routing, history, ledger and
outbox are what production would hold (idempotent: nothing is added once the demo has needs).

Each need first draws the public it seeks, then a job fitting both that public and the firm's
trade, so that the routing rule that fires matches the job: an executive need (the "Cadres" rule,
APEC) asks for an engineer, a director or a manager, never a horticulturist."""

import random
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa

from crm.demo.working_calendar import office_hours_moment, shift_working_days
from crm.extensions import db
from crm.models import (
    ClosingReason,
    Company,
    HeadcountBand,
    HiringNeed,
    Interaction,
    InteractionKind,
    NafDivisionRome,
    NeedSource,
    NeedStatus,
    utcnow,
)
from crm.services.needs import filing as needs
from crm.services.needs import workflow
from crm.services.needs.schema import parse_need
from crm.services.platform.local_time import local_from_utc
from crm.services.platform.working_days import first_contact_deadline

SEED = 2026
# ROME 4.0 codes held by executives (cadres): engineers, directors and managers. Executive needs
# draw from the ones typical of the firm's NAF division, else from the functions every firm has.
EXECUTIVE_JOBS = (
    "F1106", "F1111", "F1205", "F1210",  # construction: cost and civil engineers, works managers
    "H1206", "H1402", "H1405", "H1502", "H1520", "H2502", "H2509", "H2510", "I1102",  # industry:
    # R&D, methods, supply chain, quality, production, foundry and maintenance engineers and managers
    "N1301",  # logistics manager
    "G1402", "G1411", "G1413",  # hotel and restaurant directors
    "D1406", "D1504", "M1707", "M1715",  # sales directors and managers, store director
    "E1109",  # communication director
    "J1502", "K1403", "K1407",  # head of care unit, directors of health and social establishments
    "M1204", "M1206", "M1211",  # management controller, head of accounting, chartered accountant
)
EXECUTIVE_FUNCTIONS = ("M1204", "M1206", "M1503", "M1102")  # controller, accounting, HR, purchasing
JOBS = {  # public sought -> (jobs drawn when typical of the firm's trade, jobs for any firm)
    "youth": (("D1101", "D1102", "D1103", "D1104", "D1106", "D1202", "D1505", "D1507",
               "G1602", "G1603", "G1803", "F1503", "F1602", "F1603", "F1606", "F1703", "H2903",
               "H2913", "I1604", "N1103", "A1208", "A1419", "K1303"), ("M1601", "M1602")),
    "disability": (("M1203", "M1602", "M1607", "D1415", "D1505", "N1103", "H2909", "H3302",
                    "K2204", "I1604", "G1607"), ("M1601", "M1602")),
    "executive": (EXECUTIVE_JOBS, EXECUTIVE_FUNCTIONS),
    "inclusion": (("K2204", "J1301", "G1501", "G1605", "G1607", "N1103", "N1105", "A1203",
                   "A1401", "A1419", "H2105", "H3302", "F1704", "D1507", "K1304", "K2308"),
                  ("K2204", "A1203")),
    "": (("F1703", "F1602", "F1603", "F1202", "J1501", "J1506", "J1301", "K1302", "K1304",
          "K2204", "N4101", "N4105", "N1101", "N1103", "H2913", "H2902", "H2903", "H2909",
          "I1304", "H2102", "G1602", "G1803", "G1501", "D1505", "D1507", "A1405", "A1401",
          "D1101", "D1102", "G1609", "I1604", "F1606", "M1203"), ("M1602", "K2204")),
}
PUBLICS = ("", "", "", "youth", "disability", "executive", "inclusion")
CONTRACTS = {  # public sought -> (contract, months) drawn with equal chances
    "youth": (("apprentissage", None), ("cdi", None), ("cdd", 6), ("professionnalisation", None)),
    "executive": (("cdi", None), ("cdi", None), ("cdi", None), ("cdd", 12)),
    "inclusion": (("cdd", 6), ("cdd", 12), ("interim", 3), ("cdi", None)),
    "disability": (("cdi", None), ("cdi", None), ("cdd", 6)),
    "": (("cdi", None), ("cdi", None), ("cdd", 6), ("interim", 3), ("apprentissage", None)),
}


def typical_jobs() -> dict[str, set[str]]:
    """The ROME codes typical of each NAF division (reference data)."""
    typical: dict[str, set[str]] = defaultdict(set)
    for division, rome_code in db.session.execute(
            sa.select(NafDivisionRome.naf_division, NafDivisionRome.rome_code)):
        typical[division].add(rome_code)
    return typical


def demo_job(rng: random.Random, public: str, company: Company, typical: dict[str, set[str]]) -> str:
    """A job for the public sought, typical of the firm's trade when one is."""
    jobs, any_firm = JOBS[public]
    fitting = [job for job in jobs if job in typical.get((company.naf_code or "")[:2], set())]
    return rng.choice(fitting or any_firm)


def demo_payload(rng: random.Random, company: Company, public: str, typical: dict[str, set[str]]) -> dict:
    contract, months = rng.choice(CONTRACTS[public])
    return {
        "siret": company.siret, "rome_code": demo_job(rng, public, company, typical),
        "positions": 1 if public == "executive" else rng.randint(1, 4),
        "contract_type": contract, "contract_months": months,
        "publics": [public] if public else [],
        "contact": {"name": "Responsable du recrutement",
                    "email": f"recrutement@{company.siren}.example"},
    }


def backdate(need: HiringNeed, days: int) -> None:
    """Move a demo need into the past, with its history, deadline and ledger entry."""
    shift = timedelta(days=days)
    need.created_at -= shift
    need.first_contact_due_at = first_contact_deadline(need.created_at)
    for step in need.history:
        step.at -= shift
    for entry in db.session.scalars(sa.select(Interaction).where(Interaction.need_id == need.id)):
        entry.occurred_at -= shift
        entry.created_at -= shift


def follow_up(rng: random.Random, need: HiringNeed) -> None:
    """Give some demo needs a first contact, during office hours of one of the two working days
    after filing (none when that moment is still to come), and close a few of them."""
    if need.adviser is None or rng.random() < 0.4:
        return
    day = shift_working_days(local_from_utc(need.created_at).date(), rng.randint(0, 1))
    contacted = office_hours_moment(rng, day)
    if contacted < need.created_at:  # filed later that day: called the next working day
        contacted = office_hours_moment(rng, shift_working_days(day, 1))
    if contacted > utcnow():
        return
    workflow.record_first_contact(need, need.adviser, InteractionKind.CALL,
                                       "Besoin confirmé par téléphone.", contacted)
    closing = rng.random()
    if closing < 0.3:
        workflow.close(need, need.adviser, NeedStatus.FILLED, 1, None)
    elif closing < 0.4:  # unfilled, for the closing reasons' indicator
        reason = list(ClosingReason)[int((closing - 0.3) * 40)]
        note = "Le poste a été supprimé." if reason == ClosingReason.OTHER else None
        workflow.close(need, need.adviser, NeedStatus.UNFILLED, None, note, reason)


def demo_companies(rng: random.Random, count: int) -> list[tuple[Company, str]]:
    """`count` distinct active demo firms, each with the public its need seeks; executives are
    sought by firms of 10 employees or more."""
    pool = list(db.session.scalars(
        sa.select(Company).where(Company.active, Company.source == "demo").order_by(Company.id)
        .limit(count * 4)))
    rng.shuffle(pool)
    ten_or_more = set(db.session.scalars(
        sa.select(HeadcountBand.code).where(HeadcountBand.min_employees >= 10)))
    chosen: list[tuple[Company, str]] = []
    for _ in range(min(count, len(pool))):
        public = rng.choice(PUBLICS)
        larger = [c for c in pool if c.headcount_band in ten_or_more]
        if public == "executive" and not larger:
            public = ""
        company = larger[0] if public == "executive" else pool[0]
        pool.remove(company)
        chosen.append((company, public))
    return chosen


def seed_needs(count: int = 60) -> None:
    """File `count` needs from active demo companies, spread over the last 30 days."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(HiringNeed)):
        return
    rng, typical = random.Random(SEED), typical_jobs()
    for company, public in demo_companies(rng, count):
        need = needs.file_need(parse_need(demo_payload(rng, company, public, typical)),
                               source=NeedSource.PUBLIC_FORM).need
        backdate(need, rng.randint(0, 30))
        follow_up(rng, need)
