"""after the hire: follow-up checkpoints, employer satisfaction survey, satisfaction alerts

A need closed with hires gets two checkpoints (one month, end of the trial period), each with the
adviser's task and its outcome; the employer answers two questions once through the tracking
link; the managers of a team whose share of "yes" falls under the threshold get one alert a month.

Revision ID: 0021
Revises: 0015
Create Date: 2026-12-06 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0015'
branch_labels = None
depends_on = None


def enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table(
        'hire_follow_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('checkpoint', enum('checkpoint', 'one_month', 'trial_end'), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('hires', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=200), nullable=False),
        sa.Column('in_post', sa.Integer(), nullable=True),
        sa.Column('leaving_reason', enum('leaving_reason', 'trial_employer', 'trial_employee',
                                         'resignation', 'dismissal', 'contract_ended',
                                         'never_started', 'other'), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('hires >= 1', name=op.f('ck_hire_follow_ups_hires_positive')),
        sa.CheckConstraint('in_post IS NULL OR (in_post >= 0 AND in_post <= hires)',
                           name=op.f('ck_hire_follow_ups_in_post_range')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'],
                                name=op.f('fk_hire_follow_ups_answered_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['need_id'], ['hiring_needs.id'],
                                name=op.f('fk_hire_follow_ups_need_id_hiring_needs'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'],
                                name=op.f('fk_hire_follow_ups_task_id_tasks'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hire_follow_ups')),
        sa.UniqueConstraint('need_id', 'checkpoint', name='uq_hire_follow_ups_need_checkpoint'),
        sa.UniqueConstraint('task_id', name=op.f('uq_hire_follow_ups_task_id')),
    )
    with op.batch_alter_table('hire_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hire_follow_ups_due_on'), ['due_on'], unique=False)

    op.create_table(
        'need_surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('contacted_quickly', sa.Boolean(), nullable=True),
        sa.Column('useful', sa.Boolean(), nullable=True),
        sa.Column('comment', sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(['need_id'], ['hiring_needs.id'],
                                name=op.f('fk_need_surveys_need_id_hiring_needs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_need_surveys')),
        sa.UniqueConstraint('need_id', name=op.f('uq_need_surveys_need_id')),
    )
    with op.batch_alter_table('need_surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_surveys_answered_at'), ['answered_at'],
                              unique=False)

    op.create_table(
        'satisfaction_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', enum('alert_scope', 'organisation', 'basin'), nullable=False),
        sa.Column('scope_code', sa.String(length=20), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('answers', sa.Integer(), nullable=False),
        sa.Column('contacted_yes', sa.Integer(), nullable=False),
        sa.Column('useful_yes', sa.Integer(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_alerts')),
        sa.UniqueConstraint('scope', 'scope_code', 'period',
                            name='uq_satisfaction_alerts_scope_period'),
    )


def downgrade():
    op.drop_table('satisfaction_alerts')
    with op.batch_alter_table('need_surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_surveys_answered_at'))
    op.drop_table('need_surveys')
    with op.batch_alter_table('hire_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hire_follow_ups_due_on'))
    op.drop_table('hire_follow_ups')
