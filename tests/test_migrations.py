"""Migrations from an empty database to head build exactly the models' schema."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from crm import models as m
from crm.extensions import db
from crm.models.base import compared_by_autogenerate
from tests import factories as f


# SQLite cannot reflect the PostgreSQL-only expression index (ix_companies_search_words, 0041)
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_at_head_match_the_models():
    with db.engine.connect() as connection:
        include = lambda obj, name, type_, reflected, compare_to: (  # noqa: E731
            compared_by_autogenerate(obj, name, type_, reflected, connection.dialect.name))
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_the_database_is_at_the_head_revision(app):
    scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    version = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert version == scripts.get_current_head()


def columns(table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(db.engine).get_columns(table)}


def test_token_scopes_and_closing_reasons_migrate_down_and_up_keeping_the_tokens_rights(app):
    """0024: down drops the two columns; up gives every existing token "needs", and the tokens of
    managers and admins also "indicators" (they could read the indicators); needs stay without a
    closing reason ("non renseigné")."""
    scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    below = scripts.get_revision("0024").down_revision
    manager, partner = f.UserFactory(role=m.Role.MANAGER), f.UserFactory(role=m.Role.PARTNER)
    need = f.HiringNeedFactory(status=m.NeedStatus.UNFILLED, closed_at=m.utcnow(),
                               closing_reason=m.ClosingReason.LACK_OF_CANDIDATES)
    ids = (manager.id, partner.id, need.id)
    db.session.commit()
    db.session.remove()
    try:
        downgrade(revision=below)
        assert "scopes" not in columns("api_tokens")
        assert "closing_reason" not in columns("hiring_needs")
        with db.engine.begin() as connection:
            for user_id in ids[:2]:
                connection.execute(sa.text(
                    "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at) "
                    "VALUES (:user_id, 'Ancien', 'crm_ancien', :digest, :now)"),
                    {"user_id": user_id, "digest": f"{user_id:064d}", "now": m.utcnow()})
    finally:
        upgrade()
    scopes = {token.user_id: token.scopes for token in db.session.scalars(sa.select(m.ApiToken))}
    assert scopes == {ids[0]: ["needs", "indicators"], ids[1]: ["needs"]}
    migrated = db.session.get(m.HiringNeed, ids[2])
    assert (migrated.closing_reason, migrated.closing_reason_label) == (None, "Non renseigné")


def name_index_columns() -> list[str]:
    """The key and included columns of the companies' name index."""
    if db.engine.dialect.name != "postgresql":
        return next(index["column_names"] for index in sa.inspect(db.engine).get_indexes("companies")
                    if index["name"] == "ix_companies_search_name_id")
    definition = db.session.scalar(sa.text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_companies_search_name_id'"))
    return definition.split("USING btree ")[1].replace("(", " ").replace(")", " ").replace(",", " ").split()


def test_the_name_index_carries_the_search_text_on_postgresql_only(app):
    """0030: on PostgreSQL the name index includes the search text and state (a word search walking
    names reads the index alone); down takes them out again. SQLite's index is unchanged."""
    scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    below = scripts.get_revision("0030").down_revision
    included = ["search_name", "id", "INCLUDE", "search_text", "active"]
    expected = included if db.engine.dialect.name == "postgresql" else ["search_name", "id"]
    assert name_index_columns() == expected
    db.session.remove()
    try:
        downgrade(revision=below)
        assert name_index_columns() == ["search_name", "id"]
    finally:
        upgrade()
    assert name_index_columns() == expected


def search_words_index() -> str | None:
    return db.session.scalar(sa.text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_companies_search_words'"))


def test_the_search_text_s_words_are_indexed_on_postgresql_only(app):
    """0041: on PostgreSQL a GIN index of the search text's whole words; down drops it. SQLite
    (FTS5) has none."""
    if db.engine.dialect.name != "postgresql":
        assert "ix_companies_search_words" not in {
            index["name"] for index in sa.inspect(db.engine).get_indexes("companies")}
        return
    expected = "USING gin (string_to_array((search_text)::text, ' '::text))"
    assert expected in search_words_index()
    db.session.remove()
    try:
        downgrade(revision="0040")
        assert search_words_index() is None
    finally:
        upgrade()
    assert expected in search_words_index()
