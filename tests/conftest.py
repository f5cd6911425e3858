"""Fixtures: a real database (SQLite by default, PostgreSQL with TEST_DATABASE_URL) and a real Redis
(embedded by default, a server with TEST_REDIS_URL), migrated once per session, emptied after each
test (reference data kept)."""

import os
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from crm import broker, clock, create_app
from crm import models as m
from crm.extensions import db
from crm.services.routing import engine as routing
from crm.services.territory import reference
from tests import factories as f
from tests.factories import TEST_PASSWORD
from tests.helpers import dijon

REFERENCE_TABLES = {model.__tablename__ for model, _ in reference.LOADERS}
# Every test starts on an ordinary working morning, whatever the real date: a Wednesday, 10:00 in
# Paris. Tests that need another moment set the clock themselves (`clock.travel_to`, `clock.freeze`).
WORKING_MORNING = datetime(2026, 6, 10, 8, 0)


def _fresh_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    _fresh_postgres(url)
    return url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    folder = tmp_path_factory.mktemp("redis")
    broker.start_embedded_redis(str(folder))
    yield f"unix://{broker.embedded_socket(str(folder))}"
    broker.stop_embedded_redis(str(folder))


@pytest.fixture(scope="session")
def app(database_url, redis_url, tmp_path_factory):
    os.environ.setdefault("CRM_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "WTF_CSRF_ENABLED": False,
            "CRM_MAIL_URL": None,
            "CRM_MAP_TILES": "none",
            "CRM_LOGIN_RATE_LIMIT": "1000 per minute",
            "CRM_RESET_RATE_LIMIT": "1000 per minute",
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        upgrade()
        reference.load_reference_data()
        routing.install_default_rules()
        db.session.commit()
    return app


def empty_tables() -> None:
    """Delete every row but the reference data, children first; restore default routing rules and
    the basins' rollout stage (set by admins and the demo)."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            db.session.execute(table.delete())
    db.session.execute(sa.update(m.Basin).values(rollout_stage=m.RolloutStage.NONE))
    routing.install_default_rules()
    db.session.commit()


@pytest.fixture(autouse=True)
def project_clock():
    """The project's clock, set to an ordinary working morning for the test, then put back."""
    clock.travel_to(WORKING_MORNING)
    yield clock
    clock.reset()


@pytest.fixture(autouse=True)
def app_context(app, project_clock):
    """Each test runs in an application context, on an empty database and an empty Redis."""
    with app.app_context():
        broker.get_redis(app).flushdb()
        yield
        db.session.rollback()
        empty_tables()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = TEST_PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post("/connexion", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/deconnexion")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def run_jobs(app):
    """Work every queued job with a real RQ worker in burst mode; returns the worker."""
    from jobs.worker import make_worker

    def run():
        worker = make_worker(app)
        # No command channel: with redis 8.2, stopping its listener thread at the end of a burst
        # waits out the listener's 60-second poll now and then (rq 3.0 polls that long).
        worker.subscribe = lambda: None
        worker.work(burst=True)
        return worker

    return run


# People and organisations most tests need: France Travail Dijon, its adviser Paul Girard, its
# manager, an administrator, a mission locale of the same basin.


@pytest.fixture
def agency():
    return f.OrganisationFactory(name="France Travail Dijon", basins=[dijon()])


@pytest.fixture
def adviser(agency):
    return f.UserFactory(organisation=agency, name="Paul Girard", basins=[dijon()])


@pytest.fixture
def agency_and_adviser(agency, adviser):
    return agency, adviser


@pytest.fixture
def signed_in(auth, adviser):
    """The agency's adviser, signed in."""
    auth.login(adviser)
    return adviser


@pytest.fixture
def manager(auth, agency):
    """The agency's manager, signed in."""
    user = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                         basins=[dijon()])
    auth.login(user)
    return user


@pytest.fixture
def admin(auth):
    """An administrator, signed in."""
    user = f.UserFactory(role=m.Role.ADMIN, name="Alice Admin")
    auth.login(user)
    return user


@pytest.fixture
def mission_locale():
    return f.OrganisationFactory(name="Mission locale Dijon", kind=m.OrganisationKind.MISSION_LOCALE,
                                 basins=[dijon()])


@pytest.fixture
def roomy_rate_limit(app, monkeypatch):
    """Opt-in: tests that post the public form several times a minute (the limits have their own
    tests: test_public_form_limits.py)."""
    monkeypatch.setitem(app.config, "CRM_PUBLIC_FORM_RATE_LIMIT", "1000 per minute")
