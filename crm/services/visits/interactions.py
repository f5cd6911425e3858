"""Quick logging of a call, an e-mail or a meeting with a firm in the shared contact ledger."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Company, HiringNeed, Interaction, InteractionKind, User
from crm.services.accounts import access
from crm.services.needs.workflow import stop_first_contact_clock
from crm.services.platform.refusals import Refused
from crm.services.visits.plan_choice import checked_plan_id

QUICK_KINDS = (InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.MEETING)
MAX_SUMMARY = 2000
MAX_OUTCOME = 255


class InvalidContact(Refused):
    """A contact that cannot be logged; the message is French."""


@dataclass
class ContactInput:
    kind: InteractionKind
    occurred_at: datetime  # naive UTC, as stored
    summary: str
    outcome: str | None = None
    need_id: int | None = None
    plan_id: int | None = None  # the prospection plan the contact counts for


def open_needs_of(company: Company, user: User | None = None) -> list[HiringNeed]:
    """The firm's open needs, newest first, to link a contact to: those the user may work (a
    contact stops the need's first-contact clock, which only its pilot organisation does)."""
    scope = access.need_work_scope(user) if user is not None else sa.true()
    query = (sa.select(HiringNeed)
             .where(HiringNeed.company_id == company.id, HiringNeed.is_open,
                    scope)
             .options(joinedload(HiringNeed.rome))
             .order_by(HiringNeed.created_at.desc(), HiringNeed.id.desc()))
    return list(db.session.scalars(query))


def linked_need(company: Company, need_id: int | None, user: User) -> HiringNeed | None:
    """The open need of this firm the contact is about, refused when it is another's, closed, or
    one the user may not work."""
    if need_id is None:
        return None
    need = db.session.get(HiringNeed, need_id)
    if need is None or need.company_id != company.id or not need.is_open:
        raise InvalidContact("Choisissez une demande ouverte de cette entreprise, ou aucune.")
    if not access.may_work_need(user, need):
        raise InvalidContact(access.refusal(user, need, access.NeedAction.CONTACT))
    return need


def log_contact(company: Company, user: User, data: ContactInput) -> Interaction:
    """Write the contact in the ledger for the user's organisation; commits."""
    if data.kind not in QUICK_KINDS:
        raise InvalidContact("Choisissez le type d'échange : appel, courriel ou rendez-vous.")
    need = linked_need(company, data.need_id, user)
    interaction = Interaction(
        company_id=company.id, user_id=user.id, organisation_id=user.organisation_id,
        need_id=need.id if need else None, kind=data.kind, occurred_at=data.occurred_at,
        summary=data.summary.strip(), outcome=(data.outcome or "").strip() or None,
        plan_id=checked_plan_id(company, data.plan_id))
    db.session.add(interaction)
    if need is not None:
        stop_first_contact_clock(need, user, data.occurred_at)
    db.session.flush()
    return interaction
