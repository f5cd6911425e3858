"""The shared contact ledger: every contact any actor had with a firm."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, enum_type, utcnow
from crm.models.company import Company
from crm.models.organisation import Organisation
from crm.models.user import User


class InteractionKind(LabelledEnum):
    VISIT = "visit", "Visite"
    CALL = "call", "Appel"
    EMAIL = "email", "Courriel"
    MEETING = "meeting", "Rendez-vous"
    EVENT = "event", "Événement"
    REQUEST = "request", "Demande de l'employeur"
    FLAG = "flag", "Signalement d'un partenaire"


class Interaction(Model):
    __tablename__ = "interactions"
    __table_args__ = (
        sa.Index("ix_interactions_company_occurred", "company_id", "occurred_at"),
        # an organisation's or an adviser's firms contacted over a period (the dashboards)
        sa.Index("ix_interactions_organisation_occurred", "organisation_id", "occurred_at", "company_id"),
        sa.Index("ix_interactions_user_occurred", "user_id", "occurred_at", "company_id"),
        # the firms not contacted again between a period's start and its end (the dashboards)
        sa.Index("ix_interactions_gap_occurred", "gap_scale", "occurred_at", "previous_contact_at",
                 "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    need_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="SET NULL"), index=True
    )
    visit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("visits.id", ondelete="SET NULL"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("prospection_plans.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[InteractionKind] = mapped_column(enum_type(InteractionKind, "interaction_kind"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    summary: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # kept by `crm/services/companies/counters.py`: the firm's entry just before this one (by
    # instant, then id; None for its first) and the scale of the silence between them
    previous_contact_at: Mapped[datetime | None]
    gap_scale: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")

    company: Mapped[Company] = relationship()
    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
