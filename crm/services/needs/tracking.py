"""What the employer sees and does on the tracking page of a need: never internal notes."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import HiringNeed, NeedMessage
from crm.services.needs import workflow


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
