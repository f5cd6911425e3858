"""personal data: erased need contacts and the requests handled

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-06 02:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'privacy_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('export', 'erasure', 'purge', name='privacy_request_kind',
                                  native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('person', sa.String(length=16), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.Column('handled_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'],
                                name=op.f('fk_privacy_requests_handled_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_requests')),
    )
    with op.batch_alter_table('privacy_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_requests_handled_at'), ['handled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_requests_person'), ['person'], unique=False)
    with op.batch_alter_table('hiring_needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_erased_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('hiring_needs', schema=None) as batch_op:
        batch_op.drop_column('contact_erased_at')
    with op.batch_alter_table('privacy_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_requests_person'))
        batch_op.drop_index(batch_op.f('ix_privacy_requests_handled_at'))
    op.drop_table('privacy_requests')
