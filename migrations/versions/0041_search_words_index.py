"""the search text's whole words in a GIN index (PostgreSQL)

A capped companies search (the list counts up to 1,000) first counts the firms having every
searched word whole, from `ix_companies_search_words`; when they pass the cap, the substring count
through the trigram index, which tests each candidate's text, is skipped. Rows and counts are
unchanged: a whole word is a substring (docs/performance.md, National size). SQLite (FTS5) is
unchanged.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 11:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("CREATE INDEX ix_companies_search_words ON companies "
               "USING gin (string_to_array(search_text, ' '::text))")
    op.execute('ANALYZE companies')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_companies_search_words', table_name='companies')
