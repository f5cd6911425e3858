"""the dashboards' needs per basin of their firm read from two indexes

The needs filed over a period with their firm (created_at, company_id) and each firm's basin
(id, basin_code): the basins' map of a regional dashboard counts the needs per basin of their firm
without reading either table (docs/indicators.md, Performance). Both tables are analysed so that
SQLite's planner knows the new indexes at once (it otherwise reads the firm's row by its id).

Revision ID: 0036
Revises: 0031
Create Date: 2026-12-07 00:45:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_hiring_needs_created_company', 'hiring_needs', ['created_at', 'company_id'])
    op.create_index('ix_companies_id_basin', 'companies', ['id', 'basin_code'])
    op.execute('ANALYZE hiring_needs')
    op.execute('ANALYZE companies')


def downgrade():
    op.drop_index('ix_companies_id_basin', table_name='companies')
    op.drop_index('ix_hiring_needs_created_company', table_name='hiring_needs')
