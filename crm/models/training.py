"""POE / FRAP / AFEST training-before-hire requests, their dated parameters (hour caps, amounts),
the Région's FRAP funding lines and each request's status history."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, Timestamped, enum_type, utcnow
from crm.models.company import Company


class TrainingKind(LabelledEnum):
    POEI = "poei", "POE individuelle (POEI)"
    POEC = "poec", "POE collective (POEC)"


class TrainingMode(LabelledEnum):
    ORGANISME = "organisme", "Organisme de formation"
    TUTORAT = "tutorat", "Tutorat en entreprise"
    MIXTE = "mixte", "Mixte (organisme et tutorat)"
    AFEST = "afest", "Action de formation en situation de travail (AFEST)"


class PromisedContract(LabelledEnum):
    CDI = "cdi", "CDI"
    CDI_INTERIMAIRE = "cdi_interimaire", "CDI intérimaire"
    CDD = "cdd", "CDD"
    PROFESSIONNALISATION = "professionnalisation", "Contrat de professionnalisation"
    APPRENTISSAGE = "apprentissage", "Contrat d'apprentissage"
    SAISONNIER = "saisonnier", "CDD ou mission d'intérim saisonnier"
    MISSIONS = "missions", "Missions d'intérim (une ou plusieurs)"


class TrainingStatus(LabelledEnum):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposée"
    UNDER_REVIEW = "under_review", "En instruction"
    APPROVED = "approved", "Accordée"
    REJECTED = "rejected", "Refusée"
    CONVENTION_SIGNED = "convention_signed", "Convention signée"
    IN_TRAINING = "in_training", "En formation"
    COMPLETED = "completed", "Formation terminée"
    HIRED = "hired", "Embauche réalisée"
    NOT_HIRED = "not_hired", "Pas d'embauche"


CLOSED_TRAINING_STATUSES = frozenset({TrainingStatus.REJECTED, TrainingStatus.HIRED,
                                      TrainingStatus.NOT_HIRED})


class ParameterKey(LabelledEnum):
    POEI_MAX_HOURS = "poei_max_hours", "POEI : durée maximale (heures)"
    POEI_MAX_HOURS_PRIORITY = "poei_max_hours_priority", \
        "POEI : durée maximale pour les publics prioritaires (heures)"
    POEI_MAX_HOURS_TUTORED = "poei_max_hours_tutored", \
        "POEI entièrement en tutorat : durée maximale (heures)"
    POEC_MAX_HOURS = "poec_max_hours", "POEC : durée maximale (heures)"
    TUTORING_HOURLY_CENTS = "tutoring_hourly_cents", \
        "Aide au tutorat : montant par heure (centimes d'euro)"


class TrainingParameter(Timestamped, Model):
    """A cap or an amount in force from `valid_from` to `valid_to` (inclusive), with its source."""

    __tablename__ = "training_parameters"
    __table_args__ = (
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
        sa.CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from",
                           name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[ParameterKey] = mapped_column(enum_type(ParameterKey, "training_parameter_key"),
                                              index=True)
    value: Mapped[int]
    source: Mapped[str] = mapped_column(sa.String(300))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]


class FrapLine(Timestamped, Model):
    """A FRAP funding line of the Région: which firms and contracts, how much, when."""

    __tablename__ = "frap_lines"
    __table_args__ = (
        sa.CheckConstraint("hourly_cents >= 0", name="hourly_not_negative"),
        sa.CheckConstraint("ceiling_cents >= 0", name="ceiling_not_negative"),
        sa.CheckConstraint("max_employees IS NULL OR max_employees > 0", name="max_employees_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    max_employees: Mapped[int | None]  # eligible firm sizes: fewer than this many employees
    contracts: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # PromisedContract values
    hourly_cents: Mapped[int]
    ceiling_cents: Mapped[int]
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    source: Mapped[str | None] = mapped_column(sa.String(300))


class TrainingRequest(Timestamped, Model):
    __tablename__ = "training_requests"
    __table_args__ = (
        sa.CheckConstraint("hours_body IS NULL OR hours_body >= 0", name="hours_body_not_negative"),
        sa.CheckConstraint("hours_tutoring IS NULL OR hours_tutoring >= 0",
                           name="hours_tutoring_not_negative"),
        sa.CheckConstraint("contract_months IS NULL OR contract_months > 0",
                           name="contract_months_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TrainingKind] = mapped_column(enum_type(TrainingKind, "training_kind"))
    mode: Mapped[TrainingMode | None] = mapped_column(enum_type(TrainingMode, "training_mode"))
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    need_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    requested_on: Mapped[date]
    contract_type: Mapped[PromisedContract | None] = mapped_column(
        enum_type(PromisedContract, "promised_contract")
    )
    contract_months: Mapped[int | None]
    missions_months_within_9: Mapped[int | None]
    hours_body: Mapped[int | None]
    hours_tutoring: Mapped[int | None]
    priority_public: Mapped[bool | None]
    offer_filed: Mapped[bool | None]
    contributions_up_to_date: Mapped[bool | None]
    economic_layoff_12_months: Mapped[bool | None]
    refused_hire_after_poe: Mapped[bool | None]
    private_individual_employer: Mapped[bool | None]
    training_body: Mapped[str | None] = mapped_column(sa.String(200))
    qualiopi: Mapped[bool | None]
    qualiopi_number: Mapped[str | None] = mapped_column(sa.String(40))
    tutor_experience_years: Mapped[float | None]
    tutor_current_trainees: Mapped[int | None]
    opco_cofunding: Mapped[bool | None]
    opco_name: Mapped[str | None] = mapped_column(sa.String(120))
    frap_requested: Mapped[bool] = mapped_column(default=False)
    frap_line_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("frap_lines.id", ondelete="SET NULL")
    )
    candidate: Mapped[str | None] = mapped_column(sa.String(120))  # minimal: initials, or a label
    candidate_pseudonymised_at: Mapped[datetime | None]
    convention_signed_on: Mapped[date | None]
    training_starts_on: Mapped[date | None]
    training_ends_on: Mapped[date | None]
    outcome_on: Mapped[date | None]
    status: Mapped[TrainingStatus] = mapped_column(
        enum_type(TrainingStatus, "training_status"), default=TrainingStatus.DRAFT, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    company: Mapped[Company] = relationship()
    frap_line: Mapped[FrapLine | None] = relationship()
    changes: Mapped[list["TrainingStatusChange"]] = relationship(
        back_populates="request", cascade="all, delete-orphan",
        order_by="TrainingStatusChange.id")

    @property
    def training_body_qualiopi(self) -> bool | None:
        return self.qualiopi


class TrainingStatusChange(Model):
    """One move of a request's workflow: who, when, to what, with its reason or date."""

    __tablename__ = "training_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_requests.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[TrainingStatus | None] = mapped_column(
        enum_type(TrainingStatus, "training_from_status")
    )
    to_status: Mapped[TrainingStatus] = mapped_column(enum_type(TrainingStatus, "training_to_status"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    on_date: Mapped[date | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    request: Mapped[TrainingRequest] = relationship(back_populates="changes")
