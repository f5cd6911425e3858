"""company list, map and basin indexes

A basin's firms by name (ix_companies_basin_name), counts of active firms per basin and per commune
read from the index alone (also for a NAF code and size band: ix_companies_naf_place), and firms in a
bounding box, and a firm's namesakes in its commune (ix_companies_commune_name, likely duplicates).
The single-column basin, commune and NAF indexes are covered by the new ones. Plain CREATE/DROP INDEX: no table copy on SQLite (a copy
would drop the FTS triggers of 0004).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

NEW = {
    'ix_companies_basin_name': ['basin_code', 'search_name', 'id'],
    'ix_companies_basin_active': ['basin_code', 'active'],
    'ix_companies_commune_active': ['commune_code', 'active'],
    'ix_companies_latitude_longitude': ['latitude', 'longitude'],
    'ix_companies_naf_place': ['naf_code', 'headcount_band', 'commune_code', 'basin_code', 'active'],
    'ix_companies_commune_name': ['commune_code', 'search_name'],
}
OLD = {'ix_companies_basin_code': ['basin_code'], 'ix_companies_commune_code': ['commune_code'],
       'ix_companies_naf_code': ['naf_code']}


def upgrade():
    for name in OLD:
        op.drop_index(name, table_name='companies')
    for name, columns in NEW.items():
        op.create_index(name, 'companies', columns)


def downgrade():
    for name in NEW:
        op.drop_index(name, table_name='companies')
    for name, columns in OLD.items():
        op.create_index(name, 'companies', columns)
