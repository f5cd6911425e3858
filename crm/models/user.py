"""Staff and partner accounts, and the API tokens that act on their behalf."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import Model, db
from crm.models.base import LabelledEnum, Timestamped, enum_type, utcnow
from crm.models.geography import Basin
from crm.models.organisation import Organisation


class Role(LabelledEnum):
    ADMIN = "admin", "Administrateur"
    MANAGER = "manager", "Responsable"
    ADVISER = "adviser", "Conseiller entreprises"
    PARTNER = "partner", "Partenaire"


user_basins = sa.Table(
    "user_basins",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "basin_code", sa.ForeignKey("basins.code", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class User(UserMixin, Timestamped, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    last_login_at: Mapped[datetime | None]
    # Bumped on logout, password, role or activation changes: older sessions and "remember me"
    # cookies carry the previous number and no longer sign anyone in.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Failed sign-ins of the current window, and the end of a lockout after too many of them.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    first_failed_login_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    basins: Mapped[list[Basin]] = relationship(
        secondary=user_basins, order_by=Basin.code, lazy="selectin"
    )

    @property
    def is_active(self) -> bool:
        return self.active and self.organisation.active

    def get_id(self) -> str:
        """What the session and the "remember me" cookie hold: the id and the session version."""
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __str__(self) -> str:
        return self.name


class PasswordLinkPurpose(LabelledEnum):
    INVITATION = "invitation", "Invitation"
    RESET = "reset", "Réinitialisation du mot de passe"


class PasswordLink(Model):
    """A single-use, expiring link to choose a password (invitation of a new account, or reset);
    only the SHA-256 digest of its random token is stored."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[PasswordLinkPurpose] = mapped_column(
        enum_type(PasswordLinkPurpose, "password_link_purpose"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class ApiScope(LabelledEnum):
    """What a partner API token may do (docs/api.md, "Scopes")."""

    NEEDS = "needs", "Besoins et suivi"
    INDICATORS = "indicators", "Indicateurs"

    @property
    def description(self) -> str:
        return SCOPE_DESCRIPTIONS[self]


SCOPE_DESCRIPTIONS = {
    ApiScope.NEEDS: "déposer, lire et travailler les demandes, les plans, les événements et les "
                    "formations, avec les droits du compte",
    ApiScope.INDICATORS: "lire les indicateurs des comités (chiffres agrégés, sans aucun nom)",
}


class ApiToken(Model):
    """A bearer token for the partner API; only its SHA-256 digest is stored. Its scopes (values
    of `ApiScope`) say which parts of the API it may call."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    prefix: Mapped[str] = mapped_column(sa.String(12))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    scopes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    user: Mapped[User] = relationship(lazy="joined")

    def allows(self, scope: ApiScope) -> bool:
        return scope.value in self.scopes

    @property
    def scope_labels(self) -> list[str]:
        """The token's scopes in French, in the list's order."""
        return [scope.label for scope in ApiScope if self.allows(scope)]

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class SavedView(Model):
    """A named set of list filters kept by a user, optionally shared with their organisation."""

    __tablename__ = "saved_views"
    __table_args__ = (sa.UniqueConstraint("user_id", "page", "name", name="uq_saved_views_user_page_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    page: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(80))
    filters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
