"""Configuration: embedded defaults for one machine, environment variables for production."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def secret_key(instance_path: str) -> str:
    """Return SECRET_KEY from the environment, else one generated once into the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(instance_path: str) -> str:
    """Return DATABASE_URL, defaulting to a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'crm.sqlite3'}"
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def base_url() -> str:
    """CRM_BASE_URL, else the address `make run` serves: http://$HOST:$PORT (127.0.0.1:5000)."""
    url = os.environ.get("CRM_BASE_URL", "").strip()
    if not url:
        host = os.environ.get("HOST", "").strip() or "127.0.0.1"
        port = os.environ.get("PORT", "").strip() or "5000"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        url = f"http://{host}:{port}"
    return url.rstrip("/")


def host_list(name: str) -> list[str] | None:
    """A comma-separated list of host names from the environment; None when unset (any host)."""
    hosts = [host.strip() for host in os.environ.get(name, "").split(",") if host.strip()]
    return hosts or None


def flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def default_config(instance_path: str) -> dict:
    """Build the configuration mapping from the environment."""
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "CRM_MAIL_URL": os.environ.get("CRM_MAIL_URL") or None,
        "CRM_MAIL_FROM": os.environ.get("CRM_MAIL_FROM", "ne-pas-repondre@crm-emploi-bfc.fr"),
        "CRM_MAP_TILES": os.environ.get("CRM_MAP_TILES", OSM_TILES),
        "CRM_STATE_BRANDING": flag("CRM_STATE_BRANDING"),
        "CRM_LOGIN_RATE_LIMIT": os.environ.get("CRM_LOGIN_RATE_LIMIT", "10 per minute"),
        # requests for a password-reset link, per address
        "CRM_RESET_RATE_LIMIT": os.environ.get("CRM_RESET_RATE_LIMIT", "5 per minute;20 per hour"),
        # an account whose password was mistyped that many times within the minutes below is
        # locked for as many minutes
        "CRM_LOGIN_LOCKOUT_ATTEMPTS": int(os.environ.get("CRM_LOGIN_LOCKOUT_ATTEMPTS", "10")),
        "CRM_LOGIN_LOCKOUT_MINUTES": int(os.environ.get("CRM_LOGIN_LOCKOUT_MINUTES", "15")),
        "CRM_PUBLIC_FORM_RATE_LIMIT": os.environ.get(
            "CRM_PUBLIC_FORM_RATE_LIMIT", "5 per minute;30 per day"
        ),
        "CRM_PUBLIC_FORM_INVALID_RATE_LIMIT": os.environ.get(
            "CRM_PUBLIC_FORM_INVALID_RATE_LIMIT", "30 per minute;300 per day"
        ),
        "CRM_JOB_SEARCH_RATE_LIMIT": os.environ.get("CRM_JOB_SEARCH_RATE_LIMIT", "120 per minute"),
        "CRM_API_RATE_LIMIT": os.environ.get("CRM_API_RATE_LIMIT", "120 per minute"),
        "CRM_BASE_URL": base_url(),
        "CRM_PROXIES": int(os.environ.get("CRM_PROXIES", "0")),
        "TRUSTED_HOSTS": host_list("CRM_TRUSTED_HOSTS"),
        "CRM_OPERATOR_NAME": os.environ.get(
            "CRM_OPERATOR_NAME", "Réseau pour l'emploi de Bourgogne-Franche-Comté"),
        "CRM_OPERATOR_ADDRESS": os.environ.get("CRM_OPERATOR_ADDRESS", "Bourgogne-Franche-Comté, France"),
        "CRM_OPERATOR_EMAIL": os.environ.get("CRM_OPERATOR_EMAIL", "contact@crm-emploi-bfc.fr"),
        "CRM_PUBLICATION_DIRECTOR": os.environ.get(
            "CRM_PUBLICATION_DIRECTOR", "le représentant légal de l'opérateur"),
        "CRM_DPO_EMAIL": os.environ.get("CRM_DPO_EMAIL", "dpo@crm-emploi-bfc.fr"),
        "CRM_HOST_NAME": os.environ.get("CRM_HOST_NAME", "").strip() or None,
        "CRM_HOST_ADDRESS": os.environ.get("CRM_HOST_ADDRESS", "").strip() or None,
        "CRM_RETENTION_MONTHS": int(os.environ.get("CRM_RETENTION_MONTHS", "24")),
        "CRM_MAIL_RETENTION_DAYS": int(os.environ.get("CRM_MAIL_RETENTION_DAYS", "365")),
        "CRM_UPLOAD_RETENTION_DAYS": int(os.environ.get("CRM_UPLOAD_RETENTION_DAYS", "30")),
        "CRM_CANDIDATE_RETENTION_MONTHS": int(os.environ.get("CRM_CANDIDATE_RETENTION_MONTHS", "6")),
        "CRM_WORKER_HEARTBEAT_SECONDS": 60,
        # Tests and training sessions only: the moment (ISO, UTC) the project's clock reads at start.
        "CRM_CLOCK_START": os.environ.get("CRM_CLOCK_START", "").strip() or None,
        "CRM_OUTBOX_LATE_SECONDS": int(os.environ.get("CRM_OUTBOX_LATE_SECONDS", "600")),
        # SIRENE files uploaded by admins wait here for a worker: a shared mount with several machines
        "CRM_IMPORT_FOLDER": os.environ.get("CRM_IMPORT_FOLDER") or str(Path(instance_path) / "imports"),
        # committee reports' HTML and PDF files, written by a worker and served by the web
        # processes: a shared mount with several machines
        "CRM_REPORT_FOLDER": os.environ.get("CRM_REPORT_FOLDER") or str(Path(instance_path) / "reports"),
        # days a committee report (files and row) is kept after it was generated
        "CRM_REPORT_RETENTION_DAYS": int(os.environ.get("CRM_REPORT_RETENTION_DAYS", "730")),
        "CRM_EXPORT_SYNC_LIMIT": int(os.environ.get("CRM_EXPORT_SYNC_LIMIT", "5000")),
        # every request body, uploads included (a partner list is at most 10 MB) ...
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # ... but the SIRENE stock files an admin uploads
        "CRM_SIRENE_MAX_UPLOAD": int(os.environ.get("CRM_SIRENE_MAX_UPLOAD", str(8 * 1024 ** 3))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": flag("CRM_SECURE_COOKIES"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": flag("CRM_SECURE_COOKIES"),
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Redis down: limits counted per process (see docs/security.md)
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": flag("CRM_RATELIMIT_MEMORY_FALLBACK", "1"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "PAGE_SIZE": 25,
    }
