"""company counters, map counts and duplicate pairs

Denormalised counters on companies (`open_needs_count`, `last_contact_at`, kept by
crm/services/companies/counters.py) backfilled here, with the indexes of the list's filters that
read them; `area_counts` (firms per commune and basin, open needs per basin, read by the regional
map), `duplicate_pairs` (read by the duplicates page), both filled by jobs, and
`table_refreshes` (when each was last computed).

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0024'
branch_labels = None
depends_on = None

OPEN_STATUSES_SQL = ("SELECT count(*) FROM hiring_needs WHERE hiring_needs.company_id = companies.id "
                     "AND hiring_needs.status NOT IN ('filled', 'partly_filled', 'unfilled', 'cancelled')")
LAST_CONTACT_SQL = ("SELECT max(occurred_at) FROM interactions "
                    "WHERE interactions.company_id = companies.id")


def upgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_needs_count', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('last_contact_at', sa.DateTime(), nullable=True))
    op.execute(f"UPDATE companies SET open_needs_count = ({OPEN_STATUSES_SQL}), "
               f"last_contact_at = ({LAST_CONTACT_SQL})")
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index('ix_companies_open_needs', ['search_name', 'id', 'commune_code', 'active'],
                              unique=False, postgresql_where=sa.text('open_needs_count > 0'),
                              sqlite_where=sa.text('open_needs_count > 0'))
        batch_op.create_index('ix_companies_commune_last_contact',
                              ['commune_code', 'last_contact_at', 'active'], unique=False)
        batch_op.create_index('ix_companies_basin_last_contact',
                              ['basin_code', 'last_contact_at', 'active'], unique=False)

    op.create_table(
        'area_counts',
        sa.Column('level', sa.String(length=8), nullable=False),
        sa.Column('code', sa.String(length=10), nullable=False),
        sa.Column('establishments', sa.Integer(), nullable=False),
        sa.Column('open_needs', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('level', 'code', name=op.f('pk_area_counts')),
    )
    op.create_table(
        'duplicate_pairs',
        sa.Column('keep_id', sa.Integer(), nullable=False),
        sa.Column('absorb_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=80), nullable=False),
        sa.Column('newest_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['keep_id'], ['companies.id'],
                                name=op.f('fk_duplicate_pairs_keep_id_companies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['absorb_id'], ['companies.id'],
                                name=op.f('fk_duplicate_pairs_absorb_id_companies'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('keep_id', 'absorb_id', name=op.f('pk_duplicate_pairs')),
    )
    with op.batch_alter_table('duplicate_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_pairs_absorb_id'), ['absorb_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_pairs_newest_id'), ['newest_id'], unique=False)
    op.create_table(
        'table_refreshes',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('refreshed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_table_refreshes')),
    )


def downgrade():
    op.drop_table('table_refreshes')
    with op.batch_alter_table('duplicate_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_pairs_newest_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_pairs_absorb_id'))
    op.drop_table('duplicate_pairs')
    op.drop_table('area_counts')
    # "never": SQLite drops the columns in place (3.35+) rather than copying the table, which other
    # tables' rows reference
    with op.batch_alter_table('companies', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_companies_basin_last_contact')
        batch_op.drop_index('ix_companies_commune_last_contact')
        batch_op.drop_index('ix_companies_open_needs')
        batch_op.drop_column('last_contact_at')
        batch_op.drop_column('open_needs_count')
