"""POE / FRAP / AFEST training-before-hire requests."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, Timestamped, enum_type
from crm.models.company import Company
from crm.models.need import ContractType


class TrainingKind(LabelledEnum):
    POEI = "poei", "POE individuelle (POEI)"
    POEC = "poec", "POE collective (POEC)"
    AFEST = "afest", "POEI en situation de travail (AFEST)"


class TrainingStatus(LabelledEnum):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposée"
    ELIGIBLE = "eligible", "Éligible"
    INELIGIBLE = "ineligible", "Non éligible"
    CONVENTION_SIGNED = "convention_signed", "Convention signée"
    IN_TRAINING = "in_training", "En formation"
    HIRED = "hired", "Embauche réalisée"
    ABANDONED = "abandoned", "Abandonnée"


class TrainingRequest(Timestamped, Model):
    __tablename__ = "training_requests"
    __table_args__ = (
        sa.CheckConstraint("hours IS NULL OR hours > 0", name="hours_positive"),
        sa.CheckConstraint(
            "contract_months IS NULL OR contract_months > 0", name="contract_months_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TrainingKind] = mapped_column(enum_type(TrainingKind, "training_kind"))
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    need_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="SET NULL"), index=True
    )
    contract_type: Mapped[ContractType] = mapped_column(
        enum_type(ContractType, "promised_contract")
    )
    contract_months: Mapped[int | None]
    hours: Mapped[int | None]
    tutored_in_firm: Mapped[bool] = mapped_column(default=False)
    training_body: Mapped[str | None] = mapped_column(sa.String(200))
    training_body_qualiopi: Mapped[bool | None]
    frap_top_up: Mapped[bool] = mapped_column(default=False)
    funding: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    eligibility: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    starts_on: Mapped[date | None]
    status: Mapped[TrainingStatus] = mapped_column(
        enum_type(TrainingStatus, "training_status"), default=TrainingStatus.DRAFT, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    company: Mapped[Company] = relationship()
