"""indicator snapshots: the committee dashboards computed ahead by the nightly job

One row per territory and period (the last twelve months), with every figure of the period, the
previous period and a year before, and when they were computed (`indicator_snapshots`).

Revision ID: 0025
Revises: 0026
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'indicator_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_snapshots')),
        sa.UniqueConstraint('level', 'code', 'period_start', 'period_end',
                            name=op.f('uq_indicator_snapshots_level')),
    )


def downgrade():
    op.drop_table('indicator_snapshots')
