"""the dashboards' needs filed and closed over a period read from two covering indexes

The live dashboard reads, for thousands of needs per regional year, the needs filed over a period
(per source, first-contact delays, jobs, spotters, per basin of their firm) and those closed over
it (outcomes, time to fill, jobs): each index holds, after the instant, every column those
queries read, so neither SQLite nor PostgreSQL (index-only scans) reads the needs' table rows
(docs/indicators.md, Performance). The filed one replaces (created_at, company_id), its prefix.

Revision ID: 0040
Revises: 0036
Create Date: 2026-12-07 03:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0040'
down_revision = '0036'
branch_labels = None
depends_on = None

FILED = ['created_at', 'company_id', 'source', 'positions', 'first_contact_due_at', 'first_contact_at',
         'status', 'hires', 'rome_code', 'source_organisation_id', 'organisation_id', 'adviser_id', 'id']
CLOSED = ['closed_at', 'status', 'closing_reason', 'hires', 'positions', 'created_at', 'rome_code',
          'company_id', 'organisation_id', 'adviser_id', 'id']


def upgrade():
    op.create_index('ix_hiring_needs_created_figures', 'hiring_needs', FILED)
    op.create_index('ix_hiring_needs_closed_figures', 'hiring_needs', CLOSED)
    op.drop_index('ix_hiring_needs_created_company', table_name='hiring_needs')
    op.execute('ANALYZE hiring_needs')


def downgrade():
    op.create_index('ix_hiring_needs_created_company', 'hiring_needs', ['created_at', 'company_id'])
    op.drop_index('ix_hiring_needs_closed_figures', table_name='hiring_needs')
    op.drop_index('ix_hiring_needs_created_figures', table_name='hiring_needs')
