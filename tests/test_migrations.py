"""Migrations from an empty database to head build exactly the models' schema."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from crm.extensions import db
from crm.models.base import compared_by_autogenerate


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
