"""Invitations and password resets: single-use, expiring links to choose a password, sent by
e-mail through the outbox. The link holds a random token (256 bits); only its SHA-256 digest is
stored, with the time it was used, so a stolen database gives no working link."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm

from crm.extensions import db
from crm.models import AuditEvent, PasswordLink, PasswordLinkPurpose, User, utcnow
from crm.services.accounts import users
from crm.services.accounts.users import AccountError
from crm.services.platform import audit, links, outbox

VALIDITY = {PasswordLinkPurpose.INVITATION: timedelta(days=7),
            PasswordLinkPurpose.RESET: timedelta(hours=1)}
PATHS = {PasswordLinkPurpose.INVITATION: "/invitation/", PasswordLinkPurpose.RESET: "/mot-de-passe/"}


class LinkUnusable(AccountError):
    """A link that is unknown (404), already used, replaced or past its time (410): a French page
    says so."""

    status = 410


class LinkUnknown(LinkUnusable):
    status = 404


def link_url(purpose: PasswordLinkPurpose, token: str) -> str:
    return links.public_url(PATHS[purpose] + token)


def issue_link(user: User, purpose: PasswordLinkPurpose) -> str:
    """A new link for the user; the earlier unused links of the same purpose stop working."""
    now = utcnow()
    db.session.execute(
        sa.update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.purpose == purpose,
               PasswordLink.used_at.is_(None), PasswordLink.expires_at > now)
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordLink(user_id=user.id, purpose=purpose, created_at=now,
                                token_hash=users.token_digest(token),
                                expires_at=now + VALIDITY[purpose]))
    return token


def invite(user: User, actor: User | None = None) -> str:
    """Send (or send again) the invitation to choose a password; returns the link."""
    if not user.active:
        raise AccountError("Ce compte est désactivé : réactivez-le avant de l'inviter.")
    db.session.flush()
    url = link_url(PasswordLinkPurpose.INVITATION, issue_link(user, PasswordLinkPurpose.INVITATION))
    validity = VALIDITY[PasswordLinkPurpose.INVITATION]
    outbox.add_mail("account_invitation", user.email, user=user, url=url,
                    inviter=actor.name if actor is not None else None,
                    expires_at=utcnow() + validity)
    audit.record(actor, "invitation_sent", user, {"email": user.email})
    return url


def invitation_pending(user: User) -> bool:
    """Whether the user was invited and has not yet chosen a password."""
    return user.id in pending_invitations([user.id])


def pending_invitations(user_ids: list[int]) -> set[int]:
    """Which of these users were invited and have not yet chosen a password (one query)."""
    if not user_ids:
        return set()
    query = (sa.select(PasswordLink.user_id)
             .where(PasswordLink.user_id.in_(user_ids),
                    PasswordLink.purpose == PasswordLinkPurpose.INVITATION)
             .group_by(PasswordLink.user_id)
             .having(sa.func.count(PasswordLink.used_at) == 0))
    return set(db.session.scalars(query))


def request_reset(email: str) -> None:
    """Send a reset link to an active account with this address. Says nothing either way: the
    page answers the same whether the account exists or not."""
    user = db.session.scalar(sa.select(User).where(User.email == users.normalise_email(email)))
    if user is None or not user.is_active:
        token = secrets.token_urlsafe(32)  # the same work as for a known account
        users.token_digest(token)
        return
    url = link_url(PasswordLinkPurpose.RESET, issue_link(user, PasswordLinkPurpose.RESET))
    outbox.add_mail("password_reset", user.email, user=user, url=url,
                    expires_at=utcnow() + VALIDITY[PasswordLinkPurpose.RESET])
    audit.record(None, "password_reset_requested", user, {})


def usable_link(token: str, purpose: PasswordLinkPurpose) -> PasswordLink:
    """The link behind the token, if it may still be used; else LinkUnusable with why."""
    link = db.session.scalar(sa.select(PasswordLink).where(
        PasswordLink.token_hash == users.token_digest(token), PasswordLink.purpose == purpose))
    if link is None:
        raise LinkUnknown("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier.")
    if link.used_at is not None:
        raise LinkUnusable("Ce lien a déjà servi : il ne peut être utilisé qu'une fois.")
    if link.expires_at <= utcnow():
        raise LinkUnusable("Ce lien a expiré ou a été remplacé par un lien plus récent.")
    if not link.user.is_active:
        raise LinkUnusable("Ce compte est désactivé. Adressez-vous à l'administrateur du CRM.")
    return link


def choose_password(token: str, purpose: PasswordLinkPurpose, password: str) -> User:
    """Set the password through a link and spend it. Every other session of the account ends,
    a lockout is lifted, and the event is audited."""
    link = usable_link(token, purpose)
    user = link.user
    problem = users.password_problem(password, user.email, user.name)
    if problem:
        raise AccountError(problem, "password")
    password_hash = users.hash_password(password)  # before the write lock: it takes a while
    now = utcnow()
    spent = db.session.execute(  # single use, even for two submissions at the same moment
        sa.update(PasswordLink).where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
        .values(used_at=now))
    if spent.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        raise LinkUnusable("Ce lien a déjà servi : il ne peut être utilisé qu'une fois.")
    db.session.execute(
        sa.update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None),
               PasswordLink.expires_at > now)
        .values(expires_at=now))
    user.password_hash = password_hash
    user.failed_logins, user.first_failed_login_at, user.locked_until = 0, None, None
    users.end_sessions(user, "password_" + purpose.value, user)
    action = "invitation_accepted" if purpose == PasswordLinkPurpose.INVITATION else "password_changed"
    audit.record(user, action, user, {"through": purpose.value})
    return user


SECURITY_ACTIONS = {
    "login": "Connexion réussie",
    "login_failed": "Échec de connexion",
    "account_locked": "Compte verrouillé",
    "logout": "Déconnexion",
    "end_sessions": "Sessions fermées",
    "password_reset_requested": "Nouveau mot de passe demandé",
    "password_changed": "Mot de passe changé",
    "invitation_sent": "Invitation envoyée",
    "invitation_accepted": "Invitation acceptée",
}
FAILURE_REASONS = {"password": "mot de passe incorrect", "locked": "compte verrouillé",
                   "inactive": "compte désactivé"}


def security_events_query(account: str | None = None) -> sa.Select:
    """Sign-ins and other security events on accounts, newest first, as (event, account, actor)
    rows; optionally of the accounts whose name or address contains `account`."""
    subject, actor = sa.orm.aliased(User), sa.orm.aliased(User)
    query = (sa.select(AuditEvent, subject, actor)
             .join(subject, AuditEvent.object_id == sa.cast(subject.id, sa.String))
             .outerjoin(actor, AuditEvent.actor_id == actor.id)
             .where(AuditEvent.object_type == "User", AuditEvent.action.in_(SECURITY_ACTIONS))
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    if account:
        term = account.strip()
        query = query.where(sa.or_(subject.name.icontains(term, autoescape=True),
                                   subject.email.icontains(term, autoescape=True)))
    return query


def event_detail(action: str, changes: dict) -> str:
    """What the event's recorded details mean, in French."""
    if action == "login_failed":
        return FAILURE_REASONS.get(changes.get("reason", ""), "")
    if action in ("end_sessions",):
        return {"logout": "déconnexion", "password": "mot de passe changé", "role": "rôle changé",
                "deactivation": "compte désactivé", "password_invitation": "invitation acceptée",
                "password_reset": "nouveau mot de passe"}.get(changes.get("reason", ""), "")
    if action in ("password_changed", "invitation_accepted"):
        return {"admin": "par un administrateur", "reset": "par lien envoyé par courriel",
                "invitation": "par l'invitation"}.get(changes.get("through", ""), "")
    return ""
