"""Prospection plans per basin ("fiche action"), with objectives, actors, a target list of firms
and the saved segments target lists are built from."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, Timestamped, enum_type, utcnow
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
    NEEDS_FILLED = "needs_filled", "Besoins pourvus"
    HIRES = "hires", "Recrutements"
    TPE_PME_SHARE = "tpe_pme_share", "Part de TPE-PME parmi les entreprises contactées (%)"
    POE_ENTRIES = "poe_entries", "Entrées en POE"
    EVENT_COMPANIES = "event_companies", "Entreprises présentes aux événements"


class TargetStatus(LabelledEnum):
    """Where a target stands, derived from the ledger, visits and needs since it was added."""

    TO_CONTACT = "to_contact", "À contacter"
    CONTACTED = "contacted", "Contactée"
    VISITED = "visited", "Visitée"
    NEED_FOUND = "need_found", "Besoin recueilli"
    NOT_INTERESTED = "not_interested", "Pas intéressée"
    NOT_REACHABLE = "not_reachable", "Injoignable"


class TargetOutcome(LabelledEnum):
    """The two statuses an adviser sets by hand; every other one follows from what happened."""

    NOT_INTERESTED = "not_interested", "Pas intéressée"
    NOT_REACHABLE = "not_reachable", "Injoignable"


class PlanActor(Model):
    """An organisation taking part in a plan, with its role in it."""

    __tablename__ = "plan_actors"

    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("prospection_plans.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str | None] = mapped_column(sa.Text)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


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
    resources: Mapped[str | None] = mapped_column(sa.Text)
    # the calendar: [{"date": "YYYY-MM-DD", "label": "..."}] in date order
    milestones: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    basin: Mapped[Basin] = relationship()
    created_by: Mapped[User | None] = relationship()
    actors: Mapped[list[PlanActor]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
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
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    outcome: Mapped[TargetOutcome | None] = mapped_column(
        enum_type(TargetOutcome, "target_outcome")
    )
    outcome_at: Mapped[datetime | None]

    company: Mapped[Company] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


class Segment(Model):
    """A saved set of criteria picking firms, reused to build target lists."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    criteria: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()
