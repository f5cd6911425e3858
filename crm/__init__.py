"""Employer-prospection CRM of the public employment network of Bourgogne-Franche-Comté."""

import logging
import os
import sqlite3
from datetime import UTC, datetime

from flask import Flask, current_app, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from crm import clock
from crm.config import default_config

MIGRATIONS = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "migrations"))
LARGE_UPLOAD_ENDPOINTS = {"admin.sirene_import"}


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors and CLI."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("CRM_INSTANCE_PATH") or None,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(default_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    start_clock(app.config["CRM_CLOCK_START"])
    if proxies := app.config["CRM_PROXIES"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented middleware setup
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies, x_prefix=proxies)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    register_extensions(app)
    register_blueprints(app)
    register_templates(app)
    register_cli(app)
    return app


def start_clock(moment: str | None) -> None:
    """Set the project's clock to CRM_CLOCK_START (naive UTC, ISO) when given: every process of a
    test or a training session then runs from the same moment (docs/operations.md)."""
    if not moment:
        return
    try:
        start = datetime.fromisoformat(moment)
    except ValueError:
        raise RuntimeError(f"CRM_CLOCK_START n'est pas une date ISO : {moment!r}") from None
    clock.travel_to(start.astimezone(UTC).replace(tzinfo=None) if start.tzinfo else start)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Enforce foreign keys and allow a web process and a worker to share a SQLite file."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def allow_large_uploads() -> None:
    """The SIRENE stock files are the one upload allowed past MAX_CONTENT_LENGTH."""
    if request.endpoint in LARGE_UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["CRM_SIRENE_MAX_UPLOAD"]


def register_extensions(app: Flask) -> None:
    from crm import broker
    from crm.extensions import csrf, db, limiter, login_manager, migrate
    from crm.services.accounts.users import load_user
    from crm.services.companies import counters  # noqa: F401  (its session hooks keep the counters)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    app.before_request(allow_large_uploads)  # before the CSRF check reads the form
    csrf.init_app(app)
    app.before_request(lambda: broker.ensure_redis(app))
    app.config.setdefault("RATELIMIT_STORAGE_URI", broker.limiter_storage_uri(app))
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from crm.blueprints import (
        admin,
        agenda,
        api,
        auth,
        checklists,
        companies,
        errors,
        events,
        forget_base_url,
        health,
        indicators,
        main,
        maps,
        needs,
        plans,
        public,
        record_base_url,
        resilience,
        routing,
        security,
        targets,
        training,
        visits,
    )

    resilience.register_converters(app)  # before any route
    resilience.init_app(app)
    app.before_request(record_base_url)
    app.teardown_request(forget_base_url)
    security.init_app(app)
    for module in (auth, main, admin, health, public, needs, routing, api, companies, visits, agenda, maps,
                   plans, checklists, targets, training, events, indicators, errors):
        module.init_app(app)


def register_templates(app: Flask) -> None:
    from crm import templating

    templating.init_app(app)


def register_cli(app: Flask) -> None:
    from crm import cli

    cli.init_app(app)
