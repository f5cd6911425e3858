"""Demo hiring needs, filed through the real entry point so that routing, history, ledger and
outbox are what production would hold (idempotent: nothing is added once the demo has needs)."""

import random
from datetime import timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Company, HiringNeed, InteractionKind, NeedSource, NeedStatus, utcnow
from crm.services import need_workflow, needs
from crm.services.need_input import parse_need
from crm.services.working_days import first_contact_deadline

JOBS = ("D1102", "F1703", "J1501", "K1302", "N1101", "G1602", "H2913", "A1414", "D1507", "K2204")
PUBLICS = ((), (), (), ("youth",), ("disability",), ("executive",), ("inclusion",))
CONTRACTS = (("cdi", None), ("cdi", None), ("cdd", 6), ("interim", 3), ("apprentissage", None))


def demo_payload(rng: random.Random, company: Company) -> dict:
    contract, months = rng.choice(CONTRACTS)
    return {
        "siret": company.siret, "rome_code": rng.choice(JOBS), "positions": rng.randint(1, 4),
        "contract_type": contract, "contract_months": months,
        "publics": list(rng.choice(PUBLICS)),
        "contact": {"name": "Responsable du recrutement",
                    "email": f"recrutement@{company.siren}.example"},
    }


def backdate(need: HiringNeed, days: int) -> None:
    """Move a demo need into the past, with its history and deadline."""
    need.created_at -= timedelta(days=days)
    need.first_contact_due_at = first_contact_deadline(need.created_at)
    for step in need.history:
        step.at -= timedelta(days=days)


def follow_up(rng: random.Random, need: HiringNeed) -> None:
    """Give some demo needs a first contact, and close a few of them."""
    if need.adviser is None or rng.random() < 0.4:
        return
    contacted = min(need.created_at + timedelta(days=rng.randint(0, 2)), utcnow())
    need_workflow.record_first_contact(need, need.adviser, InteractionKind.CALL,
                                       "Besoin confirmé par téléphone.", contacted)
    if rng.random() < 0.3:
        need_workflow.close(need, need.adviser, NeedStatus.FILLED, 1, None)


def seed_needs(count: int = 60) -> None:
    """File `count` needs from active demo companies, spread over the last 30 days."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(HiringNeed)):
        return
    rng = random.Random(2026)
    companies = db.session.scalars(
        sa.select(Company).where(Company.active, Company.source == "demo").order_by(Company.id)
        .limit(count * 4)).all()
    for company in rng.sample(list(companies), min(count, len(companies))):
        need = needs.file_need(parse_need(demo_payload(rng, company)),
                               source=NeedSource.PUBLIC_FORM).need
        backdate(need, rng.randint(0, 30))
        db.session.commit()
        follow_up(rng, need)
