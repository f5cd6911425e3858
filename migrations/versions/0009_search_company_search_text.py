"""company search text: name, sign, commune and postal code as search words

`companies.search_text` is filled here and kept by the services that write companies
(services.companies.search_text). PostgreSQL serves "every word in it" with a pg_trgm GIN index;
SQLite with an external-content FTS5 trigram table kept by triggers, which replaces the name-only
table of 0004. Postal codes get a btree index (a five-digit search). Plain ALTER/CREATE statements:
no table copy on SQLite (a copy would drop the FTS triggers).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op


def search_text(name, sign, commune_name, postal_code) -> str:
    """Frozen copy of crm.services.companies.records.search_text as of this revision."""
    text = " ".join(filter(None, (name, sign, commune_name, postal_code)))
    plain = "".join(char for char in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(char))
    return " ".join(re.findall(r"\w+", plain.lower()))


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 5_000
FTS = (
    "CREATE VIRTUAL TABLE companies_search_fts USING fts5(search_text, content='companies', "
    "content_rowid='id', tokenize='trigram')",
    "INSERT INTO companies_search_fts(companies_search_fts) VALUES ('rebuild')",
    "CREATE TRIGGER companies_search_fts_insert AFTER INSERT ON companies BEGIN "
    "INSERT INTO companies_search_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER companies_search_fts_delete AFTER DELETE ON companies BEGIN "
    "INSERT INTO companies_search_fts(companies_search_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER companies_search_fts_update AFTER UPDATE OF search_text ON companies BEGIN "
    "INSERT INTO companies_search_fts(companies_search_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO companies_search_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
NAME_FTS = (  # migration 0004's table, restored by the downgrade
    "CREATE VIRTUAL TABLE companies_name_fts USING fts5(search_name, content='companies', "
    "content_rowid='id', tokenize='trigram')",
    "INSERT INTO companies_name_fts(companies_name_fts) VALUES ('rebuild')",
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


def is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def drop_fts(table: str) -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER {table}_{trigger}")
    op.execute(f"DROP TABLE {table}")


def fill_search_text() -> None:
    """Compute every company's search text, by batches of ids."""
    connection = op.get_bind()
    companies = sa.table("companies", sa.column("id"), sa.column("name"), sa.column("sign"),
                         sa.column("commune_code"), sa.column("postal_code"),
                         sa.column("search_text"))
    communes = sa.table("communes", sa.column("code"), sa.column("name"))
    query = (sa.select(companies.c.id, companies.c.name, companies.c.sign, communes.c.name,
                       companies.c.postal_code)
             .outerjoin(communes, communes.c.code == companies.c.commune_code)
             .order_by(companies.c.id))
    update = (companies.update().where(companies.c.id == sa.bindparam("row_id"))
              .values(search_text=sa.bindparam("text")))
    rows = connection.execute(query).all()
    for start in range(0, len(rows), BATCH):
        connection.execute(update, [{"row_id": row[0], "text": search_text(*row[1:])}
                                    for row in rows[start:start + BATCH]])


def upgrade():
    op.add_column('companies', sa.Column('search_text', sa.String(length=600), server_default='',
                                         nullable=False))
    fill_search_text()
    op.create_index('ix_companies_postal_code', 'companies', ['postal_code'])
    if is_postgresql():
        op.create_index('ix_companies_search_text_trgm', 'companies', ['search_text'],
                        postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
        return
    drop_fts("companies_name_fts")
    for statement in FTS:
        op.execute(statement)


def downgrade():
    if is_postgresql():
        op.drop_index('ix_companies_search_text_trgm', table_name='companies',
                      postgresql_using='gin')
    else:
        drop_fts("companies_search_fts")
        for statement in NAME_FTS:
            op.execute(statement)
    op.drop_index('ix_companies_postal_code', table_name='companies')
    op.drop_column('companies', 'search_text')
