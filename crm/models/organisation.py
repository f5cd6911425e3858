"""Organisations of the network and their coverage of basins and départements."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model, db
from crm.models.base import LabelledEnum, Timestamped, enum_type, utcnow
from crm.models.geography import Basin, Department


class OrganisationKind(LabelledEnum):
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    CAP_EMPLOI = "cap_emploi", "Cap emploi"
    APEC = "apec", "APEC"
    IAE = "iae", "Structure d'insertion (IAE, GEIQ)"
    REGION = "region", "Région"
    DEPARTEMENT = "departement", "Conseil départemental"
    CCI = "cci", "Chambre de commerce et d'industrie"
    CMA = "cma", "Chambre de métiers et de l'artisanat"
    CHAMBRE_AGRICULTURE = "chambre_agriculture", "Chambre d'agriculture"
    OPCO = "opco", "OPCO"
    ETT = "ett", "Entreprise de travail temporaire"
    URSSAF = "urssaf", "URSSAF"
    FEDERATION = "federation", "Fédération professionnelle"
    OTHER = "other", "Autre"


SPOTTER_KINDS = frozenset(
    {
        OrganisationKind.CCI,
        OrganisationKind.CMA,
        OrganisationKind.CHAMBRE_AGRICULTURE,
        OrganisationKind.OPCO,
        OrganisationKind.ETT,
        OrganisationKind.URSSAF,
        OrganisationKind.FEDERATION,
    }
)

organisation_basins = sa.Table(
    "organisation_basins",
    db.metadata,
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "basin_code", sa.ForeignKey("basins.code", ondelete="CASCADE"), primary_key=True, index=True
    ),
)

organisation_departments = sa.Table(
    "organisation_departments",
    db.metadata,
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "department_code",
        sa.ForeignKey("departments.code", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Organisation(Timestamped, Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_type(OrganisationKind, "organisation_kind"), index=True
    )
    is_spotter: Mapped[bool] = mapped_column(default=False)
    # a spotter hears of its flags at each change, or once a day in a digest when this is set
    spotter_digest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(default=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))

    basins: Mapped[list[Basin]] = relationship(
        secondary=organisation_basins, order_by=Basin.code, lazy="selectin"
    )
    departments: Mapped[list[Department]] = relationship(
        secondary=organisation_departments, order_by=Department.code, lazy="selectin"
    )

    @property
    def is_regional(self) -> bool:
        """An organisation with no declared coverage covers the whole region."""
        return not self.basins and not self.departments

    def __str__(self) -> str:
        return self.name


class ImportMapping(Model):
    """The spreadsheet column mapping an organisation used last for a kind of import."""

    __tablename__ = "import_mappings"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    mapping: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
