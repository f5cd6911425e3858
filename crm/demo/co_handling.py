"""Demo data for working needs together: the Conseils départementaux of the RSA pilot
départements (the RSA rule's co-handlers), and a few open needs co-handled by the Mission locale of
their département, with candidates put forward at several stages (idempotent)."""

from datetime import timedelta

import sqlalchemy as sa

from crm.demo.network import OF_DEPARTMENT
from crm.extensions import db
from crm.models import (
    CandidateStatus,
    CoHandlerStatus,
    Commune,
    HiringNeed,
    NeedCoHandler,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from crm.services.accounts import users as accounts
from crm.services.needs import candidates, cohandling
from crm.services.platform.local_time import local_today

COUNCIL_DEPARTMENTS = ("21", "89", "70", "71", "90")  # the RSA pilots (2023) and extensions (2024)


def seed_councils() -> None:
    existing = set(db.session.scalars(sa.select(Organisation.name)))
    for code in COUNCIL_DEPARTMENTS:
        name = f"Conseil départemental {OF_DEPARTMENT[code]}"
        if name not in existing:
            accounts.save_organisation(Organisation(), name=name,
                                       kind=OrganisationKind.DEPARTEMENT, basin_codes=[],
                                       department_codes=[code])


def mission_locale_adviser(need: HiringNeed) -> User | None:
    """An adviser of the Mission locale of the need's département."""
    commune = db.session.get(Commune, need.commune_code) if need.commune_code else None
    department = commune.department_code if commune else None
    if department not in OF_DEPARTMENT:
        return None
    query = (sa.select(User).join(Organisation, User.organisation_id == Organisation.id)
             .where(Organisation.name == f"Mission locale {OF_DEPARTMENT[department]}",
                    User.role == Role.ADVISER, User.active).order_by(User.id))
    return db.session.scalars(query).first()


def seed_co_handling(count: int = 3) -> None:
    seed_councils()
    if db.session.scalar(sa.select(sa.func.count()).select_from(NeedCoHandler)):
        return
    query = (sa.select(HiringNeed).where(HiringNeed.is_open, HiringNeed.adviser_id.is_not(None))
             .order_by(HiringNeed.id))
    done, consent = 0, local_today() - timedelta(days=2)
    for need in db.session.scalars(query).all():
        partner = mission_locale_adviser(need)
        if done >= count or partner is None or need.adviser is None:
            continue
        if partner.organisation_id == need.organisation_id:
            continue
        co = cohandling.add(need, need.adviser, partner.organisation)
        cohandling.update(need, co, partner, CoHandlerStatus.TAKING_CARE)
        first = candidates.put_forward(need, need.adviser, f"FT-{need.id:04d}", consent)
        candidates.put_forward(need, partner, f"ML-{need.id:04d}", consent)
        candidates.move(need, first, need.adviser, CandidateStatus.INTERVIEW)
        done += 1
    db.session.flush()
