"""Routing rules: ordered, editable conditions that name the organisation kind leading a need."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import Model
from crm.models.base import Timestamped, enum_type
from crm.models.organisation import OrganisationKind


class RoutingRule(Timestamped, Model):
    """Fires when a need asks for any of `publics` (or any of `services`); empty lists match all.
    `rsa_pilot_only`: only for a need whose workplace is in an RSA pilot territory that day.
    `co_handler_kind`: the organisation of that kind covering the need co-handles it."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    publics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    services: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    target_kind: Mapped[OrganisationKind] = mapped_column(
        enum_type(OrganisationKind, "target_kind")
    )
    co_handler_kind: Mapped[OrganisationKind | None] = mapped_column(
        enum_type(OrganisationKind, "co_handler_kind")
    )
    rsa_pilot_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    reason: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name
