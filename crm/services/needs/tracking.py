"""What the employer sees and does on the tracking page of a need: never internal notes."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import CoHandlerStatus, HiringNeed, NeedCoHandler, NeedMessage, Organisation
from crm.services.needs import candidates, workflow


def public_messages(need: HiringNeed) -> list[NeedMessage]:
    """The employer's messages and the staff messages that are not internal notes, oldest first."""
    query = (
        sa.select(NeedMessage)
        .options(selectinload(NeedMessage.user))
        .where(NeedMessage.need_id == need.id, NeedMessage.internal.is_(False))
        .order_by(NeedMessage.created_at, NeedMessage.id)
    )
    return list(db.session.scalars(query))


def same_contact(need: HiringNeed, email: str) -> bool:
    """Whether an e-mail address is the need's contact: only that person gets its tracking link."""
    return need.contact_email.casefold() == email.casefold()


def write(need: HiringNeed, body: str) -> NeedMessage:
    """A message from the employer to whoever handles the need, while it is open."""
    workflow.ensure_open(need)
    return workflow.add_employer_message(need, body)


def co_handler_names(need: HiringNeed) -> list[str]:
    """The organisations working the need beside the pilot (not those that declined); the employer
    keeps one named contact, the pilot's adviser."""
    query = (sa.select(Organisation.name).join(NeedCoHandler,
                                               NeedCoHandler.organisation_id == Organisation.id)
             .where(NeedCoHandler.need_id == need.id,
                    NeedCoHandler.status != CoHandlerStatus.NOT_FOR_ME)
             .order_by(NeedCoHandler.id))
    return list(db.session.scalars(query))


def candidate_stages(need: HiringNeed) -> dict[str, int]:
    """How many candidates were put forward and how many are at each stage, never who they are."""
    counts = candidates.counts(need)
    return {"total": sum(counts.values()), **counts}
