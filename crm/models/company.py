"""Companies (one row per establishment, keyed by SIRET) and the people met there."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, Timestamped, enum_type, utcnow
from crm.models.geography import Basin, Commune
from crm.models.reference import HeadcountBand, NafCode
from crm.models.user import User


class Channel(LabelledEnum):
    PHONE = "phone", "Téléphone"
    EMAIL = "email", "Courriel"
    VISIT = "visit", "Visite"
    VIDEO = "video", "Visioconférence"


class Company(Timestamped, Model):
    __tablename__ = "companies"
    __table_args__ = (
        sa.CheckConstraint("length(siret) = 14", name="siret_length"),
        sa.CheckConstraint("length(siren) = 9", name="siren_length"),
        # name search: prefix range with its first page read in order from the index; on
        # PostgreSQL the search text and state ride along, so that a search walking names in order
        # tests its words on the index alone (not on a heap page per firm read) ...
        sa.Index("ix_companies_search_name_id", "search_name", "id",
                 postgresql_include=["search_text", "active"]),
        # ... and substring search through trigrams, on PostgreSQL only (needs by company name)
        sa.Index(
            "ix_companies_search_name_trgm", "search_name", postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        # the companies search: every word in the search text (SQLite: FTS5 table, migration 0009)
        sa.Index(
            "ix_companies_search_text_trgm", "search_text", postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        # ... and its whole words (PostgreSQL): a search with thousands of matches passes the
        # list's count cap from these alone, without testing each candidate's text (migration 0041)
        sa.Index("ix_companies_search_words", sa.text("string_to_array(search_text, ' '::text)"),
                 postgresql_using="gin").ddl_if(dialect="postgresql"),
        sa.Index("ix_companies_postal_code", "postal_code"),
        # a basin's firms by name (the list's most common filter), and counts per basin and per
        # commune of active firms (map, basin pages) read from the index alone
        sa.Index("ix_companies_basin_name", "basin_code", "search_name", "id"),
        sa.Index("ix_companies_basin_active", "basin_code", "active"),
        sa.Index("ix_companies_commune_active", "commune_code", "active"),
        # an unverified firm's namesakes in its commune (likely duplicates)
        sa.Index("ix_companies_commune_name", "commune_code", "search_name"),
        # the same counts for a NAF section or division (and a size band), from this index alone
        sa.Index("ix_companies_naf_place", "naf_code", "headcount_band", "commune_code", "basin_code",
                 "active"),
        # firms in a map's bounding box
        sa.Index("ix_companies_latitude_longitude", "latitude", "longitude"),
        # the list's "besoin ouvert" filter: the few firms with an open need in name order, their
        # place and state in the index (counted and paged without reading the table)
        sa.Index("ix_companies_open_needs", "search_name", "id", "commune_code", "active",
                 postgresql_where=sa.text("open_needs_count > 0"),
                 sqlite_where=sa.text("open_needs_count > 0")),
        # the list's "contacté / pas contacté" filters within a place, counted from the index
        sa.Index("ix_companies_commune_last_contact", "commune_code", "last_contact_at", "active"),
        sa.Index("ix_companies_basin_last_contact", "basin_code", "last_contact_at", "active"),
        # the dashboards' firms contacted over a period (`indicators/figures.py`), from the index
        sa.Index("ix_companies_last_contact_band", "last_contact_at", "active", "headcount_band"),
        # a firm's basin from the index alone (the dashboards' needs per basin of their firm)
        sa.Index("ix_companies_id_basin", "id", "basin_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    siret: Mapped[str] = mapped_column(sa.String(14), unique=True)
    siren: Mapped[str] = mapped_column(sa.String(9), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    search_name: Mapped[str] = mapped_column(sa.String(255))
    sign: Mapped[str | None] = mapped_column(sa.String(255))
    # name, sign, commune name and postal code as search words (services.companies.search_text)
    search_text: Mapped[str] = mapped_column(sa.String(600), default="", server_default="")
    naf_code: Mapped[str | None] = mapped_column(sa.ForeignKey("naf_codes.code", ondelete="SET NULL"))
    naf2025_code: Mapped[str | None] = mapped_column(sa.String(7))
    headcount_band: Mapped[str | None] = mapped_column(
        sa.ForeignKey("headcount_bands.code", ondelete="SET NULL"), index=True
    )
    address: Mapped[str | None] = mapped_column(sa.String(255))
    postal_code: Mapped[str | None] = mapped_column(sa.String(5))
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code", ondelete="SET NULL"))
    basin_code: Mapped[str | None] = mapped_column(sa.ForeignKey("basins.code", ondelete="SET NULL"))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    active: Mapped[bool] = mapped_column(default=True)
    # False for SIRENE rows whose owner refused diffusion (statutDiffusion P): masked fields
    diffusible: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    employer: Mapped[bool | None]
    verified: Mapped[bool] = mapped_column(default=False)
    created_on: Mapped[date | None]
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    referent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    do_not_contact_before: Mapped[date | None]
    preferred_channel: Mapped[Channel | None] = mapped_column(enum_type(Channel, "channel"))
    source: Mapped[str | None] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(default=1)
    # denormalised from hiring_needs and interactions (crm/services/companies/counters.py keeps
    # them in the transaction of each change): open needs, and the last ledger entry's time
    open_needs_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_contact_at: Mapped[datetime | None] = mapped_column()

    __mapper_args__ = {"version_id_col": version}

    naf: Mapped[NafCode | None] = relationship(lazy="joined")
    band: Mapped[HeadcountBand | None] = relationship(lazy="joined")
    commune: Mapped[Commune | None] = relationship()
    basin: Mapped[Basin | None] = relationship()
    referent: Mapped[User | None] = relationship()
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="company", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return self.name


class Contact(Timestamped, Model):
    """A person at a company, with their consent to be contacted."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    job_title: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    consent: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None]

    company: Mapped[Company] = relationship(back_populates="contacts")

    def __str__(self) -> str:
        return self.name


class DuplicateDismissal(Model):
    """A pair of companies a person judged not to be duplicates (lower id first)."""

    __tablename__ = "duplicate_dismissals"
    __table_args__ = (sa.CheckConstraint("company_id < other_id", name="pair_order"),)

    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    other_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    dismissed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    dismissed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DuplicateCandidate(Model):
    """A likely duplicate pair as the duplicates job last found it (the duplicates page reads
    these rows); `keep_id` is the firm to keep by default."""

    __tablename__ = "duplicate_pairs"

    keep_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"),
                                         primary_key=True)
    absorb_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    reason: Mapped[str] = mapped_column(sa.String(80))
    # the newest firm of the pair: the page lists the newest first
    newest_id: Mapped[int] = mapped_column(index=True)


class ProjectKind(LabelledEnum):
    NEW_SITE = "new_site", "Implantation d'un nouveau site"
    EXPANSION = "expansion", "Agrandissement"
    DIFFICULTY = "difficulty", "Difficultés"
    RESTRUCTURING = "restructuring", "Restructuration"
    TAKEOVER = "takeover", "Reprise"
    CREATION = "creation", "Création"


class CompanyProject(Model):
    """A project of the firm heard of (reviews of "implantation, agrandissement, difficultés")."""

    __tablename__ = "company_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ProjectKind] = mapped_column(enum_type(ProjectKind, "project_kind"), index=True)
    source: Mapped[str | None] = mapped_column(sa.String(160))
    occurred_on: Mapped[date] = mapped_column(index=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship()
    created_by: Mapped[User | None] = relationship()


class CompanyScore(Model):
    """The likely-to-hire score of an establishment (0-100), with the factors that make it."""

    __tablename__ = "company_scores"

    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[int] = mapped_column(index=True)
    # [{"factor": "shortage_sector", "label": "secteur en tension", "points": 20}, ...]
    factors: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship()
