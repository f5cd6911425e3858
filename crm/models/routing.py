"""Routing rules: ordered, editable conditions that name the organisation kind leading a need."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import Model
from crm.models.base import Timestamped, enum_type
from crm.models.organisation import OrganisationKind


class RoutingRule(Timestamped, Model):
    """Fires when a need asks for any of `publics` (or any of `services`); empty lists match all."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    publics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    services: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    target_kind: Mapped[OrganisationKind] = mapped_column(
        enum_type(OrganisationKind, "target_kind")
    )
    reason: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name
