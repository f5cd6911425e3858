"""After the hire: the follow-up checkpoints of a need closed with hires (still in post at one
month and at the end of the trial period), the employer's satisfaction answers, and the alerts
sent when a team's share of "yes" falls under the threshold (docs/aftercare.md)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, enum_type, utcnow
from crm.models.need import HiringNeed
from crm.models.user import User
from crm.models.visit import FollowUp

COMMENT_LENGTH = 1000  # the employer's optional comment on the survey


class Checkpoint(LabelledEnum):
    ONE_MONTH = "one_month", "Un mois après l'embauche"
    TRIAL_END = "trial_end", "Fin de la période d'essai"


class LeavingReason(LabelledEnum):
    TRIAL_ENDED_BY_EMPLOYER = "trial_employer", "Période d'essai rompue par l'employeur"
    TRIAL_ENDED_BY_EMPLOYEE = "trial_employee", "Période d'essai rompue par le salarié"
    RESIGNATION = "resignation", "Démission"
    DISMISSAL = "dismissal", "Licenciement ou rupture du contrat"
    CONTRACT_ENDED = "contract_ended", "Fin du contrat"
    NEVER_STARTED = "never_started", "Ne s'est pas présenté"
    OTHER = "other", "Autre raison"


class HireFollowUp(Model):
    """One checkpoint of a need's hires: the adviser's task (`tasks`) to check them, and its
    outcome, per need: of `hires` people hired, `in_post` still in post (the others left, the
    main reason given). One row per need and checkpoint: closing twice never doubles it."""

    __tablename__ = "hire_follow_ups"
    __table_args__ = (
        sa.UniqueConstraint("need_id", "checkpoint", name="uq_hire_follow_ups_need_checkpoint"),
        sa.CheckConstraint("hires >= 1", name="hires_positive"),
        sa.CheckConstraint("in_post IS NULL OR (in_post >= 0 AND in_post <= hires)",
                           name="in_post_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"))
    checkpoint: Mapped[Checkpoint] = mapped_column(enum_type(Checkpoint, "checkpoint"))
    task_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tasks.id", ondelete="SET NULL"), unique=True
    )
    due_on: Mapped[date] = mapped_column(index=True)
    hires: Mapped[int]
    rule: Mapped[str] = mapped_column(sa.String(200))  # how the due date was computed, in French
    in_post: Mapped[int | None]
    leaving_reason: Mapped[LeavingReason | None] = mapped_column(
        enum_type(LeavingReason, "leaving_reason")
    )
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    need: Mapped[HiringNeed] = relationship()
    task: Mapped[FollowUp | None] = relationship()
    answered_by: Mapped[User | None] = relationship()

    @property
    def left(self) -> int | None:
        return None if self.in_post is None else self.hires - self.in_post


class NeedSurvey(Model):
    """The employer's two answers about a closed need ("contacted quickly?", "useful?"), given
    once through the tracking link; `sent_at` is when the e-mail asking them was written."""

    __tablename__ = "need_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"), unique=True
    )
    sent_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None] = mapped_column(index=True)
    contacted_quickly: Mapped[bool | None]
    useful: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(sa.String(COMMENT_LENGTH))

    need: Mapped[HiringNeed] = relationship()


class AlertScope(LabelledEnum):
    ORGANISATION = "organisation", "Structure"
    BASIN = "basin", "Bassin d'emploi"


class SatisfactionAlert(Model):
    """An alert e-mailed to the managers of an organisation or a basin whose share of "yes" fell
    under the threshold: at most one per scope and month (`period`, e.g. "2026-06")."""

    __tablename__ = "satisfaction_alerts"
    __table_args__ = (
        sa.UniqueConstraint("scope", "scope_code", "period",
                            name="uq_satisfaction_alerts_scope_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[AlertScope] = mapped_column(enum_type(AlertScope, "alert_scope"))
    scope_code: Mapped[str] = mapped_column(sa.String(20))  # organisation id or basin code
    period: Mapped[str] = mapped_column(sa.String(7))
    answers: Mapped[int]
    contacted_yes: Mapped[int]
    useful_yes: Mapped[int]
    recipients: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
