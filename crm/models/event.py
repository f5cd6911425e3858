"""Recruitment events (job datings and others), their firms and candidate registrations."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model, db
from crm.models.base import LabelledEnum, Timestamped, enum_type, utcnow
from crm.models.company import Company
from crm.models.organisation import Organisation

if TYPE_CHECKING:
    from crm.models.need import HiringNeed


class EventKind(LabelledEnum):
    JOB_DATING = "job_dating", "Job dating"
    REVERSE_JOB_DATING = "reverse_job_dating", "Job dating inversé"
    FORUM = "forum", "Forum de l'emploi"
    INFO_SESSION = "info_session", "Information collective"
    COMPANY_VISIT = "company_visit", "Visite d'entreprise"
    THEME_WEEK = "theme_week", "Semaine thématique"
    OPEN_DAY = "open_day", "Portes ouvertes"
    OTHER = "other", "Autre événement"


class EventStatus(LabelledEnum):
    DRAFT = "draft", "En préparation"
    PUBLISHED = "published", "Publié"
    FULL = "full", "Complet"
    CLOSED = "closed", "Inscriptions closes"
    HELD = "held", "Réalisé"
    CANCELLED = "cancelled", "Annulé"


class RegistrationStatus(LabelledEnum):
    CONFIRMED = "confirmed", "Inscrit"
    WAITING = "waiting", "En liste d'attente"
    CANCELLED = "cancelled", "Désinscrit"


class ParticipationStatus(LabelledEnum):
    """A firm's answer to its invitation to an event."""

    INVITED = "invited", "Invitée"
    CONFIRMED = "confirmed", "Présence confirmée"
    DECLINED = "declined", "Ne vient pas"


event_organisers = sa.Table(
    "event_organisers",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

event_company_needs = sa.Table(
    "event_company_needs",
    db.metadata,
    sa.Column(
        "event_company_id",
        sa.ForeignKey("event_companies.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "need_id", sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Event(Timestamped, Model):
    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("ends_at >= starts_at", name="event_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind, "event_kind"))
    status: Mapped[EventStatus] = mapped_column(
        enum_type(EventStatus, "event_status"), default=EventStatus.DRAFT, index=True
    )
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    venue: Mapped[str | None] = mapped_column(sa.String(255))
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    commune_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("communes.code", ondelete="SET NULL"), index=True
    )
    basin_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("basins.code", ondelete="SET NULL"), index=True
    )
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    description: Mapped[str | None] = mapped_column(sa.Text)
    # NAF sections (plans' sectors) and ROME jobs the event recruits for
    sectors: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")
    rome_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    cancelled_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # when the J-2 reminders went out, and when the candidates' personal data was purged
    reminded_at: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]
    # when the satisfaction survey went to the present candidates and the confirmed firms
    surveyed_at: Mapped[datetime | None]

    organisers: Mapped[list[Organisation]] = relationship(
        secondary=event_organisers, order_by=Organisation.name
    )
    companies: Mapped[list["EventCompany"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def double_banner(self) -> bool:
        """A "double bannière" event is co-organised by at least two organisations."""
        return len(self.organisers) >= 2


class EventCompany(Model):
    """A firm recruiting at an event, with its positions and what came of it."""

    __tablename__ = "event_companies"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "company_id", name="uq_event_companies_event_company"),
        sa.CheckConstraint("positions >= 0", name="positions_positive"),
        sa.CheckConstraint("interviews >= 0", name="interviews_positive"),
        sa.CheckConstraint("hires >= 0", name="hires_positive"),
        sa.CheckConstraint("shortlisted >= 0", name="shortlisted_positive"),
        sa.CheckConstraint("poe_entries >= 0", name="poe_entries_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ParticipationStatus] = mapped_column(
        enum_type(ParticipationStatus, "participation_status"),
        default=ParticipationStatus.INVITED, server_default=ParticipationStatus.CONFIRMED.value,
    )
    positions: Mapped[int] = mapped_column(default=0)
    jobs: Mapped[str | None] = mapped_column(sa.String(500))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    invited_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    interviews: Mapped[int] = mapped_column(default=0)
    shortlisted: Mapped[int] = mapped_column(default=0, server_default="0")
    hires: Mapped[int] = mapped_column(default=0)
    poe_entries: Mapped[int] = mapped_column(default=0, server_default="0")
    outcomes_at: Mapped[datetime | None]

    company: Mapped[Company] = relationship()
    needs: Mapped[list["HiringNeed"]] = relationship(secondary=event_company_needs)


class EventRegistration(Model):
    """A candidate's registration to an event, with consent and attendance."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "queue_number", name="uq_event_registrations_queue"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    consent: Mapped[bool] = mapped_column(default=False)
    heard_from: Mapped[str | None] = mapped_column(sa.String(60))
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_type(RegistrationStatus, "registration_status"), default=RegistrationStatus.CONFIRMED
    )
    # order of arrival within the event (1, 2, …), given under the event's lock: the waiting list
    # is promoted in this order
    queue_number: Mapped[int | None]
    registered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    checked_in_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    promoted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


SURVEY_COMMENT_LENGTH = 500  # the optional comment of the satisfaction survey


class SurveyRespondent(LabelledEnum):
    CANDIDATE = "candidate", "Candidat"
    FIRM = "firm", "Entreprise"


class EventSurvey(Model):
    """One person's satisfaction survey after an event: a present candidate (`registration_id`)
    or a confirmed firm (`event_company_id`), asked once (`sent_at`) and answering once
    (`answered_at`) through the signed link of the e-mail."""

    __tablename__ = "event_surveys"
    __table_args__ = (
        sa.CheckConstraint("registration_id IS NOT NULL OR event_company_id IS NOT NULL",
                           name="respondent_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    respondent: Mapped[SurveyRespondent] = mapped_column(
        enum_type(SurveyRespondent, "survey_respondent")
    )
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_registrations.id", ondelete="CASCADE"), unique=True
    )
    event_company_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_companies.id", ondelete="CASCADE"), unique=True
    )
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    useful: Mapped[bool | None]
    recommend: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(sa.String(SURVEY_COMMENT_LENGTH))
