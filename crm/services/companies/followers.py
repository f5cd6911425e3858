"""Who follows a firm: the organisations and advisers involved with it (contacts in the ledger,
visits, needs, the referent), each with their last contact, in four queries."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Company,
    HiringNeed,
    Interaction,
    Organisation,
    User,
    Visit,
    VisitParticipant,
    VisitStatus,
)

Key = tuple[str | None, str | None]  # (organisation name, adviser name)


@dataclass
class Adviser:
    name: str
    last_contact_at: datetime | None = None
    roles: list[str] = field(default_factory=list)  # in ROLE_ORDER


@dataclass
class Follower:
    """An organisation involved with the firm and its advisers, newest contact first."""

    organisation: str
    last_contact_at: datetime | None = None
    advisers: list[Adviser] = field(default_factory=list)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((d for d in (a, b) if d is not None), default=None)


def _newest_first(at: datetime | None) -> tuple[bool, datetime]:
    return (at is not None, at or datetime.min)


def ledger_rows(company_id: int) -> sa.Select[str, str, datetime | None]:
    return (sa.select(Organisation.name, User.name, sa.func.max(Interaction.occurred_at))
            .select_from(Interaction)
            .outerjoin(Organisation, Organisation.id == Interaction.organisation_id)
            .outerjoin(User, User.id == Interaction.user_id)
            .where(Interaction.company_id == company_id, Interaction.organisation_id.is_not(None))
            .group_by(Organisation.name, User.name))


def visit_rows(company_id: int) -> sa.Select[str, str, datetime | None]:
    """Participants of the firm's visits; only done visits count as a contact."""
    done = sa.case((Visit.status == VisitStatus.DONE, Visit.scheduled_at))
    return (sa.select(Organisation.name, User.name, sa.func.max(done))
            .select_from(VisitParticipant).join(Visit)
            .join(Organisation, Organisation.id == VisitParticipant.organisation_id)
            .join(User, User.id == VisitParticipant.user_id)
            .where(Visit.company_id == company_id, Visit.status != VisitStatus.CANCELLED)
            .group_by(Organisation.name, User.name))


def need_rows(company_id: int) -> sa.Select[str, str, datetime | None]:
    """Pilot organisations and advisers of the firm's needs, with their first contact."""
    return (sa.select(Organisation.name, User.name, sa.func.max(HiringNeed.first_contact_at))
            .select_from(HiringNeed)
            .outerjoin(Organisation, Organisation.id == HiringNeed.organisation_id)
            .outerjoin(User, User.id == HiringNeed.adviser_id)
            .where(HiringNeed.company_id == company_id,
                   sa.or_(HiringNeed.organisation_id.is_not(None), HiringNeed.adviser_id.is_not(None)))
            .group_by(Organisation.name, User.name))


ROLES = (("Échanges", ledger_rows), ("Visites", visit_rows), ("Demandes", need_rows))
ROLE_ORDER = ("Référent", "Échanges", "Visites", "Demandes")


def involvement(company: Company) -> dict[Key, tuple[datetime | None, set[str]]]:
    """(organisation, adviser) → last contact and the ways they are involved."""
    found: dict[Key, tuple[datetime | None, set[str]]] = {}

    def add(key: Key, at: datetime | None, role: str) -> None:
        last, roles = found.get(key, (None, set()))
        found[key] = (_later(last, at), roles | {role})

    for role, rows in ROLES:
        for organisation, adviser, at in db.session.execute(rows(company.id)):
            add((organisation, adviser), at, role)
    if company.referent is not None:
        add((company.referent.organisation.name, company.referent.name), None, "Référent")
    return found


def followers_of(company: Company) -> list[Follower]:
    """Organisations involved with the firm, the most recently in contact first."""
    by_organisation: dict[str, Follower] = {}
    for (organisation, adviser), (at, roles) in involvement(company).items():
        follower = by_organisation.setdefault(organisation or "Organisation inconnue",
                                              Follower(organisation or "Organisation inconnue"))
        follower.last_contact_at = _later(follower.last_contact_at, at)
        if adviser:
            follower.advisers.append(Adviser(adviser, at, sorted(roles, key=ROLE_ORDER.index)))
    for follower in by_organisation.values():
        follower.advisers.sort(key=lambda a: a.name)
        follower.advisers.sort(key=lambda a: _newest_first(a.last_contact_at), reverse=True)
    return sorted(by_organisation.values(),
                  key=lambda f: _newest_first(f.last_contact_at), reverse=True)
