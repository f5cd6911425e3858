"""Geography of Bourgogne-Franche-Comté: départements, basins (zones d'emploi 2020) and communes."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, enum_type


class RolloutStage(LabelledEnum):
    NONE = "none", "Non engagé"
    PILOT = "pilot", "Bassin pilote"
    ROLLOUT = "rollout", "En déploiement"
    GENERALISED = "generalised", "Généralisé"


class Department(Model):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    outline: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Basin(Model):
    """An employment basin: an INSEE zone d'emploi 2020 wholly or partly in the region."""

    __tablename__ = "basins"

    code: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    rollout_stage: Mapped[RolloutStage] = mapped_column(
        enum_type(RolloutStage, "rollout_stage"), default=RolloutStage.NONE
    )
    rsa_pilot: Mapped[bool] = mapped_column(default=False)
    outline: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)

    def __str__(self) -> str:
        return self.name


class Commune(Model):
    __tablename__ = "communes"

    code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), index=True)
    department_code: Mapped[str] = mapped_column(
        sa.ForeignKey("departments.code", ondelete="RESTRICT"), index=True
    )
    basin_code: Mapped[str] = mapped_column(
        sa.ForeignKey("basins.code", ondelete="RESTRICT"), index=True
    )
    postal_codes: Mapped[str] = mapped_column(sa.String(60))
    population: Mapped[int] = mapped_column(default=0)
    latitude: Mapped[float]
    longitude: Mapped[float]
    epci_siren: Mapped[str | None] = mapped_column(sa.String(9))
    epci_name: Mapped[str | None] = mapped_column(sa.String(160))

    department: Mapped[Department] = relationship(lazy="joined")
    basin: Mapped[Basin] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.name} ({self.department_code})"


class CommunePostalCode(Model):
    """One postal code of a commune; a postal code may serve several communes."""

    __tablename__ = "commune_postal_codes"

    postal_code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    commune_code: Mapped[str] = mapped_column(
        sa.ForeignKey("communes.code", ondelete="CASCADE"), primary_key=True, index=True
    )


class TerritoryScope(LabelledEnum):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "Intercommunalité (EPCI)"
    BASIN = "basin", "Bassin d'emploi"
    DEPARTMENT = "department", "Département"


class RsaPilotTerritory(Model):
    """A territory where the RSA reform is piloted (communes, an EPCI, a basin or a département),
    from a date and possibly until another: data an administrator keeps, not code."""

    __tablename__ = "rsa_pilot_territories"
    __table_args__ = (
        sa.CheckConstraint("valid_until IS NULL OR valid_until >= valid_from",
                           name="rsa_pilot_dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[TerritoryScope] = mapped_column(enum_type(TerritoryScope, "territory_scope"))
    code: Mapped[str] = mapped_column(sa.String(9))
    label: Mapped[str] = mapped_column(sa.String(160))
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]


class AreaCount(Model):
    """Active firms per commune and per basin, and open needs per basin, as the map's refresh job
    last counted them (the regional map reads these rows; `crm/services/territory/area_counts.py`)."""

    __tablename__ = "area_counts"

    level: Mapped[str] = mapped_column(sa.String(8), primary_key=True)  # "commune" or "basin"
    code: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    establishments: Mapped[int] = mapped_column(default=0)
    open_needs: Mapped[int] = mapped_column(default=0)
