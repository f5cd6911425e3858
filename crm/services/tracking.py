"""What the employer sees and does on the tracking page of a need: never internal notes."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import HiringNeed, NeedMessage, RomeCode
from crm.services import need_workflow


def public_messages(need: HiringNeed) -> list[NeedMessage]:
    """The employer's messages and the staff messages that are not internal notes, oldest first."""
    query = (
        sa.select(NeedMessage)
        .options(selectinload(NeedMessage.user))
        .where(NeedMessage.need_id == need.id, NeedMessage.internal.is_(False))
        .order_by(NeedMessage.created_at, NeedMessage.id)
    )
    return list(db.session.scalars(query))


def job_label(need: HiringNeed) -> str:
    """The job in words: the employer's title and/or the ROME label with its code."""
    rome = db.session.get(RomeCode, need.rome_code) if need.rome_code else None
    rome_text = f"{rome.label} ({rome.code})" if rome else None
    return " – ".join(part for part in (need.job_title, rome_text) if part) or "Poste non précisé"


def same_contact(need: HiringNeed, email: str) -> bool:
    """Whether an e-mail address is the need's contact: only that person gets its tracking link."""
    return need.contact_email.casefold() == email.casefold()


def write(need: HiringNeed, body: str) -> NeedMessage:
    """A message from the employer to whoever handles the need, while it is open."""
    need_workflow.ensure_open(need)
    return need_workflow.add_employer_message(need, body)
