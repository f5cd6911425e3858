"""indicators: committees and their generated reports

A committee (level + code of an area, a name, its members' e-mail addresses) and the reports
generated for it over a period: the row is written first (pending), a job stores the HTML and PDF
files and their names.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'committees',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('level', sa.Enum('region', 'departement', 'basin', name='committee_level',
                                   native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column('code', sa.String(length=5), nullable=False),
        sa.Column('name', sa.String(length=160), nullable=False),
        sa.Column('members', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_committees_created_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_committees')),
        sa.UniqueConstraint('level', 'code', name='uq_committees_level_code'),
    )
    op.create_table(
        'committee_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('committee_id', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'running', 'ready', 'failed', name='report_status',
                                    native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column('mail_members', sa.Boolean(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('html_file', sa.String(length=80), nullable=True),
        sa.Column('pdf_file', sa.String(length=80), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('mailed_to', sa.Integer(), nullable=False),
        sa.CheckConstraint('period_end >= period_start',
                           name=op.f('ck_committee_reports_period_order')),
        sa.ForeignKeyConstraint(['committee_id'], ['committees.id'],
                                name=op.f('fk_committee_reports_committee_id_committees'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                                name=op.f('fk_committee_reports_requested_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_reports')),
    )
    with op.batch_alter_table('committee_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_reports_committee_id'), ['committee_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_committee_reports_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_reports_created_at'), ['created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('committee_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_reports_created_at'))
        batch_op.drop_index(batch_op.f('ix_committee_reports_status'))
        batch_op.drop_index(batch_op.f('ix_committee_reports_committee_id'))
    op.drop_table('committee_reports')
    op.drop_table('committees')
