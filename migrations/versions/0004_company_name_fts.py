"""company name substring search on SQLite: an FTS5 trigram index kept by triggers

PostgreSQL has its pg_trgm GIN index (0003); SQLite gets the same service from an external-content
FTS5 table whose trigram tokenizer also serves LIKE '%text%'.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

STATEMENTS = (
    "CREATE VIRTUAL TABLE companies_name_fts USING fts5(search_name, content='companies', "
    "content_rowid='id', tokenize='trigram')",
    "INSERT INTO companies_name_fts(rowid, search_name) SELECT id, search_name FROM companies",
    "CREATE TRIGGER companies_name_fts_insert AFTER INSERT ON companies BEGIN "
    "INSERT INTO companies_name_fts(rowid, search_name) VALUES (new.id, new.search_name); END",
    "CREATE TRIGGER companies_name_fts_delete AFTER DELETE ON companies BEGIN "
    "INSERT INTO companies_name_fts(companies_name_fts, rowid, search_name) "
    "VALUES ('delete', old.id, old.search_name); END",
    "CREATE TRIGGER companies_name_fts_update AFTER UPDATE OF search_name ON companies BEGIN "
    "INSERT INTO companies_name_fts(companies_name_fts, rowid, search_name) "
    "VALUES ('delete', old.id, old.search_name); "
    "INSERT INTO companies_name_fts(rowid, search_name) VALUES (new.id, new.search_name); END",
)


def is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if is_sqlite():
        for statement in STATEMENTS:
            op.execute(statement)


def downgrade():
    if is_sqlite():
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER companies_name_fts_{trigger}")
        op.execute("DROP TABLE companies_name_fts")
