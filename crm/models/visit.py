"""Visits to firms (alone or as a multi-organisation task force) and follow-up tasks."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, Timestamped, enum_type
from crm.models.company import Company
from crm.models.organisation import Organisation
from crm.models.user import User

if TYPE_CHECKING:
    from crm.models.aftercare import HireFollowUp
    from crm.models.need import HiringNeed


class VisitMode(LabelledEnum):
    ON_SITE = "on_site", "Sur place"
    PHONE = "phone", "Par téléphone"
    VIDEO = "video", "En visioconférence"


class VisitStatus(LabelledEnum):
    PLANNED = "planned", "Prévue"
    DONE = "done", "Réalisée"
    CANCELLED = "cancelled", "Annulée"


class Visit(Timestamped, Model):
    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    scheduled_at: Mapped[datetime] = mapped_column(index=True)
    mode: Mapped[VisitMode] = mapped_column(enum_type(VisitMode, "visit_mode"))
    status: Mapped[VisitStatus] = mapped_column(
        enum_type(VisitStatus, "visit_status"), default=VisitStatus.PLANNED, index=True
    )
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    findings: Mapped[str | None] = mapped_column(sa.Text)
    services_proposed: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    next_step: Mapped[str | None] = mapped_column(sa.Text)
    plan_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("prospection_plans.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    company: Mapped[Company] = relationship()
    created_by: Mapped[User | None] = relationship()
    participants: Mapped[list["VisitParticipant"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class VisitParticipant(Model):
    """A person taking part in a visit, with the organisation they represented."""

    __tablename__ = "visit_participants"

    visit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class FollowUp(Timestamped, Model):
    """A follow-up to do by a due date, linked to a firm, a need or a visit."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    due_on: Mapped[date] = mapped_column(index=True)
    assignee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    need_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"), index=True
    )
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visits.id", ondelete="SET NULL"))
    done_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    company: Mapped[Company | None] = relationship()
    need: Mapped["HiringNeed | None"] = relationship()
    visit: Mapped[Visit | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    # the after-hire checkpoint this task checks, if any (crm/models/aftercare.py)
    hire_follow_up: Mapped["HireFollowUp | None"] = relationship(
        primaryjoin="FollowUp.id == foreign(HireFollowUp.task_id)", viewonly=True, uselist=False)
