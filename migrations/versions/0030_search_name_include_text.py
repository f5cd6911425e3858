"""the name index carries the search text (PostgreSQL)

`ix_companies_search_name_id` (search name, id) gets `search_text` and `active` as INCLUDE columns
on PostgreSQL: a word search that walks names in order (a page of thousands of matches among
millions of firms) tests its words on the index alone instead of reading a heap page per firm
(`docs/performance.md`, National size). SQLite has no INCLUDE: unchanged.

Revision ID: 0030
Revises: 0034
Create Date: 2026-12-07 00:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0034'
branch_labels = None
depends_on = None


def rebuild(include: list[str]) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_companies_search_name_id', table_name='companies')
    op.create_index('ix_companies_search_name_id', 'companies', ['search_name', 'id'], unique=False,
                    postgresql_include=include)


def upgrade():
    rebuild(['search_text', 'active'])


def downgrade():
    rebuild([])
