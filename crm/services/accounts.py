"""Accounts: organisations, users, passwords and API tokens."""

import hashlib
import secrets

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from crm.extensions import db
from crm.models import (
    ApiToken,
    Basin,
    Department,
    Organisation,
    OrganisationKind,
    Role,
    SPOTTER_KINDS,
    User,
    utcnow,
)
from crm.services import audit

MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "crm_"


class AccountError(ValueError):
    """A request on accounts that cannot be honoured; the message is French and user-facing."""


def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def password_problem(password: str) -> str | None:
    """The French reason a password is too weak, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
    if password.isalpha() or password.isdigit():
        return "Le mot de passe doit mêler lettres et chiffres ou symboles."
    return None


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; records the login time."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not check_password(user, password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def find_organisation(name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name.strip()))


def basins_by_code(codes: list[str]) -> list[Basin]:
    found = db.session.scalars(sa.select(Basin).where(Basin.code.in_(codes))).all()
    missing = sorted(set(codes) - {b.code for b in found})
    if missing:
        raise AccountError(f"Bassin inconnu : {', '.join(missing)}.")
    return sorted(found, key=lambda b: b.code)


def departments_by_code(codes: list[str]) -> list[Department]:
    found = db.session.scalars(sa.select(Department).where(Department.code.in_(codes))).all()
    missing = sorted(set(codes) - {d.code for d in found})
    if missing:
        raise AccountError(f"Département inconnu : {', '.join(missing)}.")
    return sorted(found, key=lambda d: d.code)


def save_organisation(
    organisation: Organisation,
    *,
    name: str,
    kind: OrganisationKind,
    basin_codes: list[str],
    department_codes: list[str],
    is_spotter: bool | None = None,
    actor: User | None = None,
) -> Organisation:
    """Create or update an organisation with its coverage; spotter defaults from its kind."""
    other = find_organisation(name)
    if other is not None and other is not organisation:
        raise AccountError(f"Une organisation nommée « {name.strip()} » existe déjà.")
    organisation.name = name.strip()
    organisation.kind = OrganisationKind(kind)
    organisation.is_spotter = kind in SPOTTER_KINDS if is_spotter is None else is_spotter
    organisation.basins = basins_by_code(basin_codes)
    organisation.departments = departments_by_code(department_codes)
    db.session.add(organisation)
    db.session.flush()
    audit.record(actor, "save", organisation, {"name": organisation.name, "kind": kind})
    return organisation


def save_user(
    user: User,
    *,
    email: str,
    name: str,
    role: Role,
    organisation: Organisation,
    basin_codes: list[str],
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """Create or update a user; a new user needs a password strong enough."""
    email = normalise_email(email)
    other = db.session.scalar(sa.select(User).where(User.email == email))
    if other is not None and other is not user:
        raise AccountError(f"Un compte existe déjà pour {email}.")
    if password is not None:
        problem = password_problem(password)
        if problem:
            raise AccountError(problem)
        user.password_hash = hash_password(password)
    elif user.id is None:
        raise AccountError("Un mot de passe est nécessaire pour créer un compte.")
    user.email, user.name, user.role = email, name.strip(), Role(role)
    user.organisation = organisation
    user.basins = basins_by_code(basin_codes)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "save", user, {"email": email, "role": role, "organisation": organisation.name})
    return user


def set_user_active(user: User, active: bool, actor: User | None = None) -> None:
    user.active = active
    audit.record(actor, "activate" if active else "deactivate", user, {"active": active})


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User, name: str = "API") -> str:
    """Create a token for the user and return it; only its digest is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user=user, name=name, prefix=token[:12], token_hash=token_digest(token))
    )
    audit.record(user, "issue_token", user, {"name": name})
    return token


def user_for_token(token: str) -> User | None:
    """The active user behind a valid, unrevoked token, or None; records the last use."""
    api_token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == token_digest(token))
    )
    if api_token is None or api_token.revoked or not api_token.user.is_active:
        return None
    api_token.last_used_at = utcnow()
    return api_token.user


def revoke_api_token(api_token: ApiToken, actor: User | None = None) -> None:
    api_token.revoked_at = utcnow()
    audit.record(actor, "revoke_token", api_token.user, {"token": api_token.prefix})
