"""Hiring needs, the central object, with their status history."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import Model
from crm.models.base import LabelledEnum, Timestamped, enum_type, utcnow
from crm.models.company import Company
from crm.models.organisation import Organisation
from crm.models.reference import RomeCode
from crm.models.routing import RoutingRule
from crm.models.user import User

if TYPE_CHECKING:
    from crm.models.cohandling import NeedCandidate, NeedCoHandler, NeedJournalEntry


class NeedSource(LabelledEnum):
    PUBLIC_FORM = "public_form", "Formulaire public"
    SPOTTER = "spotter", "Signalement d'un partenaire"
    VISIT = "visit", "Visite"
    API = "api", "API partenaire"
    EVENT = "event", "Événement"


class ContractType(LabelledEnum):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    INTERIM = "interim", "Intérim"
    APPRENTISSAGE = "apprentissage", "Contrat d'apprentissage"
    PROFESSIONNALISATION = "professionnalisation", "Contrat de professionnalisation"
    SAISONNIER = "saisonnier", "Contrat saisonnier"


CONTRACTS_WITH_DURATION = frozenset(
    {ContractType.CDD, ContractType.INTERIM, ContractType.SAISONNIER}
)


class Public(LabelledEnum):
    YOUTH = "youth", "Jeunes de 16 à 25 ans"
    DISABILITY = "disability", "Personnes en situation de handicap"
    EXECUTIVE = "executive", "Cadres et jeunes diplômés"
    INCLUSION = "inclusion", "Personnes éloignées de l'emploi (insertion)"
    RSA = "rsa", "Allocataires du RSA"
    SENIOR = "senior", "Seniors (55 ans et plus)"


class EmployerService(LabelledEnum):
    PRESELECTION = "preselection", "Présélection de candidats"
    IMMERSION = "immersion", "Immersion professionnelle (PMSMP)"
    POE = "poe", "Formation avant embauche (POE)"
    MRS = "mrs", "Recrutement par simulation (MRS)"
    JOB_DATING = "job_dating", "Job dating"
    HR_ADVICE = "hr_advice", "Conseil en ressources humaines"
    DISABILITY_ADVICE = "disability_advice", "Conseil sur l'emploi des personnes handicapées"


class NeedStatus(LabelledEnum):
    NEW = "new", "Nouvelle"
    ASSIGNED = "assigned", "Attribuée"
    IN_PROGRESS = "in_progress", "En cours"
    FILLED = "filled", "Pourvue"
    PARTLY_FILLED = "partly_filled", "Partiellement pourvue"
    UNFILLED = "unfilled", "Non pourvue"
    CANCELLED = "cancelled", "Annulée"


class ClosingReason(LabelledEnum):
    """Why a need closed without all its hires (unfilled, cancelled, partly filled); none on the
    needs closed before the list existed ("non renseigné")."""

    LACK_OF_CANDIDATES = "lack_of_candidates", "Manque de candidats"
    CANCELLED_BY_COMPANY = "cancelled_by_company", "Besoin annulé par l'entreprise"
    OTHER_CHANNEL = "other_channel", "Recrutement par un autre canal"
    OTHER = "other", "Autre"


CLOSING_REASON_UNKNOWN = "Non renseigné"

CLOSED_STATUSES = frozenset(
    {NeedStatus.FILLED, NeedStatus.PARTLY_FILLED, NeedStatus.UNFILLED, NeedStatus.CANCELLED}
)


# the columns of the dashboards' indexes of the needs filed and closed over a period (migration 0040)
FILED_FIGURES = ("created_at", "company_id", "source", "positions", "first_contact_due_at",
                 "first_contact_at", "status", "hires", "rome_code", "source_organisation_id",
                 "organisation_id", "adviser_id", "id")
CLOSED_FIGURES = ("closed_at", "status", "closing_reason", "hires", "positions", "created_at",
                  "rome_code", "company_id", "organisation_id", "adviser_id", "id")


class HiringNeed(Timestamped, Model):
    __tablename__ = "hiring_needs"
    __table_args__ = (
        sa.CheckConstraint("positions BETWEEN 1 AND 999", name="positions_range"),
        sa.CheckConstraint(
            "contract_months IS NULL OR contract_months BETWEEN 1 AND 36", name="contract_months"
        ),
        sa.CheckConstraint("hires IS NULL OR hires >= 0", name="hires_positive"),
        sa.Index("ix_hiring_needs_company_rome", "company_id", "rome_code"),
        # the needs filed, then closed, over a period with what the dashboards count of them (per
        # basin of their firm, per source, delays, jobs, spotters, outcomes), read from the index
        # alone (docs/indicators.md, Performance)
        sa.Index("ix_hiring_needs_created_figures", *FILED_FIGURES),
        sa.Index("ix_hiring_needs_closed_figures", *CLOSED_FIGURES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    source: Mapped[NeedSource] = mapped_column(enum_type(NeedSource, "need_source"), index=True)
    source_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    flagged_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    how_known: Mapped[str | None] = mapped_column(sa.Text)
    employer_agreed_contact: Mapped[bool | None]
    visit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("visits.id", ondelete="SET NULL"), index=True
    )
    rome_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("rome_codes.code", ondelete="SET NULL")
    )
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    positions: Mapped[int] = mapped_column(default=1)
    contract_type: Mapped[ContractType] = mapped_column(enum_type(ContractType, "contract_type"))
    contract_months: Mapped[int | None]
    start_date: Mapped[date | None]
    commune_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("communes.code", ondelete="SET NULL"), index=True
    )
    basin_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("basins.code", ondelete="SET NULL"), index=True
    )
    publics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    services: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    description: Mapped[str | None] = mapped_column(sa.Text)
    contact_name: Mapped[str] = mapped_column(sa.String(120))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(20))
    contact_erased_at: Mapped[datetime | None]  # the contact's details erased (request or retention)
    status: Mapped[NeedStatus] = mapped_column(
        enum_type(NeedStatus, "need_status"), default=NeedStatus.NEW, index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    adviser_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    routing_rule_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("routing_rules.id", ondelete="SET NULL")
    )
    routing_reason: Mapped[str | None] = mapped_column(sa.Text)
    first_contact_due_at: Mapped[datetime | None] = mapped_column(index=True)
    first_contact_at: Mapped[datetime | None]
    hires: Mapped[int | None]
    outcome_reason: Mapped[str | None] = mapped_column(sa.Text)
    closing_reason: Mapped[ClosingReason | None] = mapped_column(
        enum_type(ClosingReason, "closing_reason"))
    closed_at: Mapped[datetime | None]
    tracking_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    company: Mapped[Company] = relationship()
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    source_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[source_organisation_id]
    )
    adviser: Mapped[User | None] = relationship(foreign_keys=[adviser_id])
    rome: Mapped[RomeCode | None] = relationship()
    routing_rule: Mapped[RoutingRule | None] = relationship()
    flagged_by: Mapped[User | None] = relationship(foreign_keys=[flagged_by_id])
    history: Mapped[list["NeedStatusChange"]] = relationship(
        back_populates="need",
        order_by="NeedStatusChange.at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    messages: Mapped[list["NeedMessage"]] = relationship(
        back_populates="need",
        order_by="NeedMessage.created_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    transfer_proposals: Mapped[list["NeedTransferProposal"]] = relationship(
        back_populates="need",
        order_by="NeedTransferProposal.created_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    co_handlers: Mapped[list["NeedCoHandler"]] = relationship(
        order_by="NeedCoHandler.id", viewonly=True,
    )
    candidates: Mapped[list["NeedCandidate"]] = relationship(
        order_by="NeedCandidate.id", viewonly=True,
    )
    journal: Mapped[list["NeedJournalEntry"]] = relationship(
        order_by="NeedJournalEntry.id", viewonly=True,
    )

    @property
    def job_label(self) -> str:
        """The job in words: the employer's title, else the ROME label (load `rome` with lists)."""
        return self.job_title or (self.rome.label if self.rome else None) or "Poste non précisé"

    @property
    def closing_reason_label(self) -> str | None:
        """The closing reason in words for a need closed without all its hires ("Non renseigné"
        when closed before the list existed); None for open or filled needs."""
        if self.is_open or self.status == NeedStatus.FILLED:
            return None
        return self.closing_reason.label if self.closing_reason else CLOSING_REASON_UNKNOWN

    @hybrid_property
    def is_open(self) -> bool:
        """Not closed (filled, partly filled, unfilled, cancelled); the same rule in SQL:
        `sa.select(HiringNeed).where(HiringNeed.is_open)`."""
        return self.status not in CLOSED_STATUSES

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls) -> ColumnElement[bool]:
        return cls.status.not_in(CLOSED_STATUSES)


class StepActor(LabelledEnum):
    """Who took a step of a need's history: a signed-in person (`user`), or no one's account."""

    PERSON = "person", "Un compte supprimé"
    EMPLOYER = "employer", "L'employeur"
    ROUTING = "routing", "L'orientation automatique"


class NeedStatusChange(Model):
    """One step of a need's history: status before and after, who, when, and a public note."""

    __tablename__ = "need_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[NeedStatus | None] = mapped_column(enum_type(NeedStatus, "from_status"))
    to_status: Mapped[NeedStatus] = mapped_column(enum_type(NeedStatus, "to_status"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_kind: Mapped[StepActor] = mapped_column(
        enum_type(StepActor, "actor_kind"), default=StepActor.PERSON, server_default="person")
    note: Mapped[str | None] = mapped_column(sa.Text)

    need: Mapped[HiringNeed] = relationship(back_populates="history")
    user: Mapped[User | None] = relationship()

    @property
    def actor_label(self) -> str:
        """Who took the step, in words: the person's name, the employer, the automatic routing…"""
        if self.actor_kind == StepActor.PERSON and self.user is not None:
            return self.user.name
        return self.actor_kind.label


class MessageAuthor(LabelledEnum):
    EMPLOYER = "employer", "Employeur"
    STAFF = "staff", "Conseiller"
    SYSTEM = "system", "Système"


class NeedMessage(Model):
    """A message on a need: from the employer (tracking page) or staff; internal notes stay hidden."""

    __tablename__ = "need_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[MessageAuthor] = mapped_column(enum_type(MessageAuthor, "message_author"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    need: Mapped[HiringNeed] = relationship(back_populates="messages")
    user: Mapped[User | None] = relationship()


class TransferProposalStatus(LabelledEnum):
    PENDING = "pending", "En attente de réponse"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"
    LAPSED = "lapsed", "Sans suite"


class NeedTransferProposal(Model):
    """Staff of another organisation proposing that it pilots a need, with their reason; the pilot
    organisation (or an admin) accepts or refuses. Never shown to the employer."""

    __tablename__ = "need_transfer_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    from_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[TransferProposalStatus] = mapped_column(
        enum_type(TransferProposalStatus, "transfer_proposal_status"),
        default=TransferProposalStatus.PENDING, index=True,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    need: Mapped[HiringNeed] = relationship(back_populates="transfer_proposals")
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    from_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[from_organisation_id]
    )
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_pending(self) -> bool:
        return self.status == TransferProposalStatus.PENDING


class NeedContribution(Model):
    """A partner's flag attached to a need already open: the partner keeps the credit for it."""

    __tablename__ = "need_contributions"
    __table_args__ = (
        sa.UniqueConstraint("need_id", "organisation_id", name="uq_need_contributions_need_org"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_needs.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    need: Mapped[HiringNeed] = relationship()
    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User | None] = relationship()
