"""Requests about personal data: an export, an erasure, or a retention purge, and what it did."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model
from crm.models.base import LabelledEnum, enum_type, utcnow
from crm.models.user import User


class PrivacyRequestKind(LabelledEnum):
    EXPORT = "export", "Communication des données"
    ERASURE = "erasure", "Effacement"
    PURGE = "purge", "Purge à échéance de conservation"


class PrivacyRequest(Model):
    """One handled request, naming the person by a digest of their address, never the address."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PrivacyRequestKind] = mapped_column(enum_type(PrivacyRequestKind, "privacy_request_kind"))
    person: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    handled_by: Mapped[User | None] = relationship()
