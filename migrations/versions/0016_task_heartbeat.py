"""background task heartbeat

When a running task last reported progress: a task silent for long, its worker killed, is marked
failed by the sweep.

Revision ID: 0016
Revises: 0011
Create Date: 2026-12-06 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('background_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('background_tasks', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
