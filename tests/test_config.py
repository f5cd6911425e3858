"""Configuration from the environment, with embedded defaults for one machine."""

from datetime import datetime, timedelta

import pytest

from crm import clock, create_app
from crm.config import database_url, default_config
from crm.extensions import limiter


def test_defaults_are_a_sqlite_file_and_an_embedded_redis(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "CRM_MAIL_URL", "CRM_MAP_TILES"):
        monkeypatch.delenv(name, raising=False)
    config = default_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    assert config["REDIS_URL"] is None
    assert config["CRM_MAIL_URL"] is None
    assert config["CRM_MAP_TILES"].startswith("https://tile.openstreetmap.org/")


def test_the_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = default_config(str(tmp_path))["SECRET_KEY"]
    assert len(first) == 64
    assert default_config(str(tmp_path))["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_win(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/2")
    monkeypatch.setenv("CRM_MAP_TILES", "none")
    monkeypatch.setenv("CRM_SECURE_COOKIES", "1")
    monkeypatch.setenv("CRM_STATE_BRANDING", "1")
    config = default_config(str(tmp_path))
    assert config["SECRET_KEY"] == "from-env"
    assert config["REDIS_URL"] == "redis://cache:6379/2"
    assert config["CRM_MAP_TILES"] == "none"
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["CRM_STATE_BRANDING"]


def test_postgres_urls_use_psycopg_3(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/crm")
    assert database_url(str(tmp_path)) == "postgresql+psycopg://u@db/crm"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/crm")
    assert database_url(str(tmp_path)) == "postgresql+psycopg://u@db/crm"


def test_cookies_are_httponly_and_samesite_by_default(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_test_config_overrides_the_defaults(app, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "PAGE_SIZE": 7})
    limiter.init_app(app)  # the shared limiter follows the last app built: give it back
    assert other.testing and other.config["PAGE_SIZE"] == 7
    assert other.instance_path == str(tmp_path)


def test_a_training_session_starts_the_clock_at_crm_clock_start(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CRM_CLOCK_START", "2026-06-10T07:29:50+02:00")
    create_app({"SECRET_KEY": "x"})
    assert abs(clock.utcnow() - datetime(2026, 6, 10, 5, 29, 50)) < timedelta(minutes=1)


def test_a_clock_start_that_is_not_a_date_stops_the_start_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CRM_CLOCK_START", "mercredi matin")
    with pytest.raises(RuntimeError, match="CRM_CLOCK_START n'est pas une date ISO"):
        create_app({"SECRET_KEY": "x"})
