"""Accounts: organisations, users, passwords and API tokens."""

import gzip
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from crm.extensions import db
from crm.models import (
    SPOTTER_KINDS,
    ApiScope,
    ApiToken,
    Basin,
    Department,
    Organisation,
    OrganisationKind,
    Role,
    User,
    utcnow,
)
from crm.services.accounts import access
from crm.services.platform import audit
from crm.services.platform.refusals import Refused
from crm.services.platform.wording import alphabetical

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).resolve().parents[2] / "data" / "common_passwords.txt.gz"
TOKEN_PREFIX = "crm_"
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


class AccountError(Refused):
    """A request on accounts that cannot be honoured; the message is French and user-facing."""


class AccountLocked(AccountError):
    """Too many failed sign-ins: the account refuses every password until the lock ends."""

    status = 429


@dataclass(frozen=True)
class Lockout:
    """`attempts` failed sign-ins within `minutes` lock the account for `minutes`."""

    attempts: int = 10
    minutes: int = 15

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.minutes)


def locked_message(minutes: int) -> str:
    return (f"Ce compte est temporairement verrouillé après de trop nombreuses tentatives de "
            f"connexion. Réessayez dans {minutes} minutes, ou demandez à un administrateur de "
            f"changer votre mot de passe.")


def is_self(actor: User | None, user: User) -> bool:
    """Whether the person acting is the account being changed."""
    return actor is not None and user.id is not None and actor.id == user.id


def load_user(session_id: str) -> User | None:
    """The signed-in user of a session or "remember me" cookie (`id:version`), or None when the
    account is unknown, inactive, or its sessions were ended since (older version)."""
    key, _, version = session_id.partition(":")
    if not (key.isascii() and key.isdigit() and version.isascii() and version.isdigit()) \
            or len(key) > 18 or len(version) > 18:
        return None
    user = db.session.get(User, int(key))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def end_sessions(user: User, reason: str, actor: User | None = None) -> None:
    """Sign the account out everywhere: every session and "remember me" cookie issued so far stops
    working (logout, password, role or activation change)."""
    user.session_version = (user.session_version or 1) + 1
    audit.record(actor, "end_sessions", user, {"reason": reason})


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def password_problem(password: str, email: str | None = None, name: str | None = None) -> str | None:
    """The French reason a password may not be chosen, or None. Length and a list of common
    passwords, and not the person's own address or name: no composition rules (NIST SP 800-63B)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Le mot de passe doit compter au plus {MAX_PASSWORD_LENGTH} caractères."
    if is_common_password(password):
        return ("Ce mot de passe est trop courant : il figure dans les listes de mots de passe "
                "essayés en premier par les attaquants. Choisissez-en un autre, par exemple "
                "une phrase de plusieurs mots.")
    own = {squeezed(value) for value in (email, name, (email or "").partition("@")[0]) if value}
    if squeezed(password) in own:
        return "Le mot de passe ne doit pas être votre adresse électronique ni votre nom."
    return None


def squeezed(value: str) -> str:
    """Lower case without spaces, to compare a password with a name or an address."""
    return "".join(value.lower().split())


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords shipped in crm/data (lower case; see crm/data/SOURCES.md)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common_password(password: str) -> bool:
    """Whether the password is a common one, or a common one (6 characters or more) with digits
    or symbols around it ("azertyuiop123!", "2024motdepasse")."""
    lowered = password.lower()
    stem = lowered.strip("0123456789!?.,;:-_+*#@&$%/ ")
    return lowered in common_passwords() or (len(stem) >= 6 and stem in common_passwords())


@cache
def dummy_hash() -> str:
    """A hash to check unknown accounts' passwords against, so that they take as long to refuse
    as known ones (the answer time does not tell whether an account exists)."""
    return hash_password(secrets.token_urlsafe(16))


def authenticate(email: str, password: str, lockout: Lockout = Lockout()) -> User | None:
    """The active user with these credentials, or None; records the login time, or the failure.
    Raises AccountLocked while the account is locked, and when this failure locks it."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(dummy_hash(), password)
        return None
    now = utcnow()
    right = check_password(user, password)
    if user.locked_until is not None and user.locked_until > now:
        audit.record(None, "login_failed", user, {"reason": "locked"})
        raise AccountLocked(locked_message(lockout.minutes))
    if not right:
        audit.record(None, "login_failed", user, {"reason": "password"})
        failed_login(user, now, lockout)
        return None
    user.failed_logins, user.first_failed_login_at, user.locked_until = 0, None, None
    if not user.is_active:
        audit.record(None, "login_failed", user, {"reason": "inactive"})
        return None
    user.last_login_at = now
    audit.record(user, "login", user, {})
    return user


def failed_login(user: User, now: datetime, lockout: Lockout) -> None:
    """Count a wrong password; the last one allowed locks the account (audited)."""
    if user.first_failed_login_at is None or now - user.first_failed_login_at > lockout.window:
        user.failed_logins, user.first_failed_login_at = 0, now
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= lockout.attempts:
        user.locked_until = now + lockout.window
        user.failed_logins, user.first_failed_login_at = 0, None
        audit.record(None, "account_locked", user, {"attempts": lockout.attempts,
                                                     "until": user.locked_until.isoformat()})
        raise AccountLocked(locked_message(lockout.minutes))


def find_organisation(name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name.strip()))


def basins_by_code(codes: list[str]) -> list[Basin]:
    found = db.session.scalars(sa.select(Basin).where(Basin.code.in_(codes))).all()
    missing = sorted(set(codes) - {b.code for b in found})
    if missing:
        raise AccountError(f"Bassin inconnu : {', '.join(missing)}.", "basins")
    return sorted(found, key=lambda b: b.code)


def departments_by_code(codes: list[str]) -> list[Department]:
    found = db.session.scalars(sa.select(Department).where(Department.code.in_(codes))).all()
    missing = sorted(set(codes) - {d.code for d in found})
    if missing:
        raise AccountError(f"Département inconnu : {', '.join(missing)}.", "departments")
    return sorted(found, key=lambda d: d.code)


def save_organisation(
    organisation: Organisation,
    *,
    name: str,
    kind: OrganisationKind,
    basin_codes: list[str],
    department_codes: list[str],
    is_spotter: bool | None = None,
    spotter_digest: bool | None = None,
    actor: User | None = None,
) -> Organisation:
    """Create or update an organisation with its coverage; spotter defaults from its kind."""
    other = find_organisation(name)
    if other is not None and other is not organisation:
        raise AccountError(f"Une organisation nommée « {name.strip()} » existe déjà.", "name")
    organisation.name = name.strip()
    organisation.kind = OrganisationKind(kind)
    organisation.is_spotter = kind in SPOTTER_KINDS if is_spotter is None else is_spotter
    organisation.basins = basins_by_code(basin_codes)
    organisation.departments = departments_by_code(department_codes)
    if spotter_digest is not None:  # None keeps the organisation's preference
        organisation.spotter_digest = spotter_digest
    db.session.add(organisation)
    db.session.flush()
    audit.record(actor, "save", organisation, {"name": organisation.name, "kind": kind,
                                               "spotter_digest": organisation.spotter_digest})
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
    """Create or update a user. A new user without a password cannot sign in until they choose
    one through an invitation (`recovery.invite`); a password given must pass the policy."""
    email = normalise_email(email)
    other = db.session.scalar(sa.select(User).where(User.email == email))
    if other is not None and other is not user:
        raise AccountError(f"Un compte existe déjà pour {email}.", "email")
    if is_self(actor, user) and user.role == Role.ADMIN and Role(role) != Role.ADMIN:
        raise AccountError("Vous ne pouvez pas retirer votre propre rôle d'administrateur.", "role")
    if password is not None:
        problem = password_problem(password, email, name)
        if problem:
            raise AccountError(problem, "password")
        if user.id is not None:
            end_sessions(user, "password", actor)
            audit.record(actor, "password_changed", user, {"through": "admin"})
        user.password_hash = hash_password(password)
    elif user.id is None:  # invited: no password works until the person chooses one
        user.password_hash = hash_password(secrets.token_urlsafe(32))
    if user.id is not None and user.role != Role(role):
        end_sessions(user, "role", actor)
    user.email, user.name, user.role = email, name.strip(), Role(role)
    user.organisation = organisation
    user.basins = basins_by_code(basin_codes)
    db.session.add(user)
    db.session.flush()
    changes = {"email": email, "role": role, "organisation": organisation.name}
    audit.record(actor, "save", user, changes)
    return user


def set_user_active(user: User, active: bool, actor: User | None = None) -> None:
    """Deactivate or reactivate an account; nobody deactivates their own."""
    if not active and is_self(actor, user):
        raise AccountError("Vous ne pouvez pas désactiver votre propre compte.")
    if not active and user.active:
        end_sessions(user, "deactivation", actor)
    user.active = active
    audit.record(actor, "activate" if active else "deactivate", user, {"active": active})


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_scopes(user: User, scopes: Iterable[str]) -> list[str]:
    """The scopes as stored (known values, in the list's order), or a French refusal: at least
    one, and the indicators only for the accounts that may read them."""
    chosen = set(scopes)
    unknown = sorted(chosen - {scope.value for scope in ApiScope})
    if unknown:
        allowed = ", ".join(scope.value for scope in ApiScope)
        raise AccountError(f"Portée inconnue : {', '.join(unknown)} (possibles : {allowed}).",
                           "scopes")
    if not chosen:
        raise AccountError("Choisissez au moins une portée pour le jeton.", "scopes")
    if ApiScope.INDICATORS in chosen and not access.reads_indicators_with_token(user):
        raise AccountError("Seuls les comptes responsables, administrateurs et partenaires "
                           "peuvent recevoir la portée « Indicateurs ».", "scopes")
    return [scope.value for scope in ApiScope if scope.value in chosen]


def issue_api_token(user: User, name: str = "API", actor: User | None = None,
                    scopes: Iterable[str] = (ApiScope.NEEDS,)) -> str:
    """Create a token with these scopes for the user and return it; only its digest is stored."""
    stored = check_scopes(user, scopes)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name, prefix=token[:12], token_hash=token_digest(token),
                            scopes=stored))
    audit.record(actor or user, "issue_token", user, {"name": name, "scopes": stored})
    return token


def valid_token(token: str) -> ApiToken | None:
    """The valid, unrevoked token of an active user, or None; records the last use (at most once
    a minute, so that API reads rarely write)."""
    api_token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == token_digest(token))
    )
    if api_token is None or api_token.revoked or not api_token.user.is_active:
        return None
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > TOKEN_USE_RESOLUTION:
        api_token.last_used_at = now
    return api_token


def user_for_token(token: str) -> User | None:
    """The active user behind a valid, unrevoked token, or None (see `valid_token`)."""
    api_token = valid_token(token)
    return api_token.user if api_token else None


def revoke_api_token(api_token: ApiToken, actor: User | None = None) -> None:
    api_token.revoked_at = utcnow()
    audit.record(actor, "revoke_token", api_token.user, {"token": api_token.prefix})


def set_organisation_active(
    organisation: Organisation, active: bool, actor: User | None = None
) -> None:
    """Deactivate or reactivate an organisation (its users can no longer sign in meanwhile)."""
    if not active and actor is not None and actor.organisation_id == organisation.id:
        raise AccountError("Vous ne pouvez pas désactiver votre propre organisation.")
    organisation.active = active
    audit.record(actor, "activate" if active else "deactivate", organisation, {"active": active})


def organisations_query(kind: str | None = None, search: str | None = None) -> sa.Select:
    """Organisations by name, optionally of one kind or whose name contains the search."""
    query = sa.select(Organisation).order_by(Organisation.name)
    if kind:
        query = query.where(Organisation.kind == OrganisationKind(kind))
    if search:
        query = query.where(Organisation.name.icontains(search.strip(), autoescape=True))
    return query


def user_counts(organisations: list[Organisation]) -> dict[int, int]:
    """Number of accounts of each organisation, in one query."""
    ids = [organisation.id for organisation in organisations]
    query = (
        sa.select(User.organisation_id, sa.func.count(User.id))
        .where(User.organisation_id.in_(ids))
        .group_by(User.organisation_id)
    )
    return {organisation_id: count for organisation_id, count in db.session.execute(query)}


def users_query(
    role: str | None = None,
    organisation_id: int | None = None,
    active: bool | None = None,
    search: str | None = None,
) -> sa.Select:
    """Users by name, filtered by role, organisation, state and a name or e-mail search."""
    query = sa.select(User).order_by(User.name, User.id)
    if role:
        query = query.where(User.role == Role(role))
    if organisation_id:
        query = query.where(User.organisation_id == organisation_id)
    if active is not None:
        query = query.where(User.active.is_(active))
    if search:
        term = search.strip()
        query = query.where(
            sa.or_(User.name.icontains(term, autoescape=True),
                   User.email.icontains(term, autoescape=True))
        )
    return query


def api_tokens(user: User) -> list[ApiToken]:
    """The user's API tokens, newest first."""
    query = sa.select(ApiToken).where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def organisation_choices() -> list[tuple[int, str]]:
    """(id, name) of every organisation by name, the deactivated ones said so (one query)."""
    rows = db.session.execute(sa.select(Organisation.id, Organisation.name, Organisation.active)
                              .order_by(Organisation.name))
    return [(key, name if active else f"{name} (désactivée)") for key, name, active in rows]


def staff_choices(user: User, everyone: bool = False,
                  keep: Iterable[int | None] = ()) -> list[tuple[int, str]]:
    """Active staff one may pick as a firm's referent or a task's assignee, as "Name — Organisation",
    alphabetically: the user's organisation's people (everyone's when asked) and those in `keep`
    (the current choice, whatever their organisation)."""
    query = (sa.select(User.id, User.name, Organisation.name).join(User.organisation)
             .where(User.active, Organisation.active, User.role.in_(access.STAFF_ROLES)))
    if not everyone:
        kept = [key for key in keep if key]
        query = query.where(sa.or_(User.organisation_id == user.organisation_id, User.id.in_(kept)))
    rows = sorted(db.session.execute(query), key=lambda row: (alphabetical(row[1]), alphabetical(row[2])))
    return [(key, f"{name} — {organisation}") for key, name, organisation in rows]


def basin_choices() -> list[tuple[str, str]]:
    basins = sorted(db.session.scalars(sa.select(Basin)), key=lambda basin: alphabetical(basin.name))
    return [(basin.code, f"{basin.name} ({basin.code})") for basin in basins]


def department_choices() -> list[tuple[str, str]]:
    departments = db.session.scalars(sa.select(Department).order_by(Department.code))
    return [(department.code, str(department)) for department in departments]


def staff_users() -> sa.Select:
    """Active staff users of active organisations, by organisation then name."""
    return (sa.select(User).join(User.organisation)
            .where(User.active, Organisation.active, User.role.in_(access.STAFF_ROLES))
            .order_by(Organisation.name, User.name, User.id))
