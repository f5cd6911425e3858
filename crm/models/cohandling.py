"""Working a need together: the organisations that co-handle it beside its pilot, the candidates
the handling organisations put forward (pseudonymised: a reference or initials, never free text
about the person), and the journal of both, shown in the need's history."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, Timestamped, enum_type, utcnow
from crm.models.need import HiringNeed
from crm.models.organisation import Organisation
from crm.models.user import User


class CoHandlerStatus(LabelledEnum):
    INVITED = "invited", "Invitée"
    TAKING_CARE = "taking_care", "Prend en charge"
    DONE = "done", "Terminé"
    NOT_FOR_ME = "not_for_me", "Pas pour nous"


class NeedCoHandler(Timestamped, Model):
    """An organisation working a need beside its pilot, with its own status and adviser. The
    employer's one named contact stays the pilot's adviser."""

    __tablename__ = "need_co_handlers"
    __table_args__ = (
        sa.UniqueConstraint("need_id", "organisation_id", name="uq_need_co_handlers_need_org"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[CoHandlerStatus] = mapped_column(
        enum_type(CoHandlerStatus, "co_handler_status"), default=CoHandlerStatus.INVITED
    )
    reason: Mapped[str | None] = mapped_column(sa.Text)
    adviser_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    need: Mapped[HiringNeed] = relationship()
    organisation: Mapped[Organisation] = relationship()
    adviser: Mapped[User | None] = relationship(foreign_keys=[adviser_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])


class CandidateStatus(LabelledEnum):
    PROPOSED = "proposed", "Proposé"
    INTERVIEW = "interview", "En entretien"
    HIRED = "hired", "Recruté"
    NOT_RETAINED = "not_retained", "Non retenu"
    WITHDRAWN = "withdrawn", "Désisté"


class NotRetainedReason(LabelledEnum):
    PROFILE = "profile", "Profil ne correspondant pas au poste"
    EXPERIENCE = "experience", "Expérience insuffisante"
    SKILLS = "skills", "Compétences ou qualification manquantes"
    AVAILABILITY = "availability", "Disponibilité"
    MOBILITY = "mobility", "Mobilité ou transport"
    OTHER_CANDIDATE = "other_candidate", "Autre candidat retenu"
    POSITION_CLOSED = "position_closed", "Poste pourvu ou supprimé"


class NeedCandidate(Timestamped, Model):
    """A candidate put forward on a need by a handling organisation: a reference or initials, the
    consent date and the stage, nothing else about the person; purged months after the need
    closes."""

    __tablename__ = "need_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    reference: Mapped[str] = mapped_column(sa.String(20))
    consent_on: Mapped[date]
    status: Mapped[CandidateStatus] = mapped_column(
        enum_type(CandidateStatus, "candidate_status"), default=CandidateStatus.PROPOSED
    )
    reason: Mapped[NotRetainedReason | None] = mapped_column(
        enum_type(NotRetainedReason, "not_retained_reason")
    )
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    need: Mapped[HiringNeed] = relationship()
    organisation: Mapped[Organisation] = relationship()
    proposed_by: Mapped[User | None] = relationship()


class JournalSubject(LabelledEnum):
    CO_HANDLING = "co_handling", "Co-traitance"
    CANDIDATE = "candidate", "Candidat proposé"


class NeedJournalEntry(Model):
    """One step of co-handling or of a candidate on a need, for its staff history (never shown to
    the employer). A candidate's steps go with it when it is purged."""

    __tablename__ = "need_journal"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[JournalSubject] = mapped_column(enum_type(JournalSubject, "journal_subject"))
    candidate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("need_candidates.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(sa.Text)

    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
