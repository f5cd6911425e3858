"""events: post-event satisfaction survey

The day after an event, present candidates and confirmed firms get a short survey once
(`events.surveyed_at`); each answers once through a signed link (`event_surveys`).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 16:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('surveyed_at', sa.DateTime(), nullable=True))

    op.create_table(
        'event_surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('respondent', sa.Enum('candidate', 'firm', name='survey_respondent',
                                        native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('event_company_id', sa.Integer(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('useful', sa.Boolean(), nullable=True),
        sa.Column('recommend', sa.Boolean(), nullable=True),
        sa.Column('comment', sa.String(length=500), nullable=True),
        sa.CheckConstraint('registration_id IS NOT NULL OR event_company_id IS NOT NULL',
                           name=op.f('ck_event_surveys_respondent_known')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_event_surveys_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['event_registrations.id'],
                                name=op.f('fk_event_surveys_registration_id_event_registrations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_company_id'], ['event_companies.id'],
                                name=op.f('fk_event_surveys_event_company_id_event_companies'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_surveys')),
        sa.UniqueConstraint('registration_id', name=op.f('uq_event_surveys_registration_id')),
        sa.UniqueConstraint('event_company_id', name=op.f('uq_event_surveys_event_company_id')),
    )
    with op.batch_alter_table('event_surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_surveys_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('event_surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_surveys_event_id'))
    op.drop_table('event_surveys')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('surveyed_at')
