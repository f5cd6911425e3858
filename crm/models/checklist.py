"""Check-lists sent to offer spotters: firms a partner is asked to check for hiring needs."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, enum_type, utcnow
from crm.models.company import Company
from crm.models.need import HiringNeed
from crm.models.organisation import Organisation
from crm.models.plan import ProspectionPlan
from crm.models.user import User


class ChecklistAnswer(LabelledEnum):
    NEED_FLAGGED = "need_flagged", "Besoin signalé"
    NOTHING_FOR_NOW = "nothing_for_now", "Rien pour l'instant"


class SpotterChecklist(Model):
    """A list of firms a manager asks a partner organisation to check, until it expires."""

    __tablename__ = "spotter_checklists"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("prospection_plans.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(160))
    message: Mapped[str | None] = mapped_column(sa.Text)
    expires_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    plan: Mapped[ProspectionPlan | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    items: Mapped[list["ChecklistItem"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ChecklistItem.id"
    )


class ChecklistItem(Model):
    """One firm of a check-list and the partner's answer for it."""

    __tablename__ = "checklist_items"
    __table_args__ = (
        sa.UniqueConstraint("checklist_id", "company_id", name="uq_checklist_items_list_company"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(
        sa.ForeignKey("spotter_checklists.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[ChecklistAnswer | None] = mapped_column(
        enum_type(ChecklistAnswer, "checklist_answer")
    )
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # the e-mail address of a partner's contact who answered through the signed link
    answered_by_email: Mapped[str | None] = mapped_column(sa.String(254))
    need_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="SET NULL")
    )

    company: Mapped[Company] = relationship()
    answered_by: Mapped[User | None] = relationship()
    need: Mapped[HiringNeed | None] = relationship()
