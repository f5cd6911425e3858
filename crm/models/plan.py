"""Prospection plans per basin, with objectives, actors and a target list of firms."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model, db
from crm.models.base import LabelledEnum, Timestamped, enum_type
from crm.models.company import Company
from crm.models.geography import Basin
from crm.models.organisation import Organisation
from crm.models.user import User


class PlanStatus(LabelledEnum):
    DRAFT = "draft", "Brouillon"
    ACTIVE = "active", "En cours"
    CLOSED = "closed", "Clos"


class Indicator(LabelledEnum):
    COMPANIES_CONTACTED = "companies_contacted", "Entreprises contactées"
    COMPANIES_VISITED = "companies_visited", "Entreprises visitées"
    NEEDS_COLLECTED = "needs_collected", "Besoins recueillis"
    HIRES = "hires", "Recrutements"
    EVENTS = "events", "Événements organisés"
    TRAINING_REQUESTS = "training_requests", "Formations avant embauche"


class TargetStatus(LabelledEnum):
    TO_CONTACT = "to_contact", "À contacter"
    CONTACTED = "contacted", "Contactée"
    VISITED = "visited", "Visitée"
    NEED_COLLECTED = "need_collected", "Besoin recueilli"
    DECLINED = "declined", "Pas de besoin"


plan_actors = sa.Table(
    "plan_actors",
    db.metadata,
    sa.Column(
        "plan_id", sa.ForeignKey("prospection_plans.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class ProspectionPlan(Timestamped, Model):
    __tablename__ = "prospection_plans"
    __table_args__ = (sa.CheckConstraint("period_end >= period_start", name="period_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    basin_code: Mapped[str] = mapped_column(
        sa.ForeignKey("basins.code", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(160))
    period_start: Mapped[date]
    period_end: Mapped[date]
    status: Mapped[PlanStatus] = mapped_column(
        enum_type(PlanStatus, "plan_status"), default=PlanStatus.DRAFT, index=True
    )
    priority_segments: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    priority_sectors: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    methods: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    basin: Mapped[Basin] = relationship()
    actors: Mapped[list[Organisation]] = relationship(secondary=plan_actors)
    objectives: Mapped[list["PlanObjective"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class PlanObjective(Model):
    __tablename__ = "plan_objectives"
    __table_args__ = (
        sa.CheckConstraint("target > 0", name="target_positive"),
        sa.UniqueConstraint("plan_id", "indicator", name="uq_plan_objectives_plan_indicator"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("prospection_plans.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[Indicator] = mapped_column(enum_type(Indicator, "indicator"))
    target: Mapped[int]


class PlanTarget(Model):
    """A firm on a plan's target list, with its priority and the adviser who works it."""

    __tablename__ = "plan_targets"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "company_id", name="uq_plan_targets_plan_company"),
        sa.CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("prospection_plans.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    priority: Mapped[int] = mapped_column(default=2)
    assignee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[TargetStatus] = mapped_column(
        enum_type(TargetStatus, "target_status"), default=TargetStatus.TO_CONTACT, index=True
    )

    company: Mapped[Company] = relationship()
    assignee: Mapped[User | None] = relationship()
