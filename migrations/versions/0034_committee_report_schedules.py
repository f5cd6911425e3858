"""committee reports: schedules, and one scheduled report per period

A committee's schedule (none, monthly, every two months, quarterly), its day of the month and
whether scheduled reports are e-mailed to the members; a report keeps the schedule that produced
it (NULL when asked for), unique per committee and period, so a scheduled report is generated once.

Revision ID: 0034
Revises: 0028
Create Date: 2026-12-06 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0028'
branch_labels = None
depends_on = None

SCHEDULES = ('none', 'monthly', 'every_two_months', 'quarterly')


def on_sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def schedule_type() -> sa.Enum:
    return sa.Enum(*SCHEDULES, name='report_schedule', native_enum=False, create_constraint=True,
                   length=32)


def upgrade():
    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule', schedule_type(), nullable=False,
                                      server_default='none'))
        batch_op.add_column(sa.Column('schedule_day', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('schedule_mail', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('committee_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule', schedule_type(), nullable=True))
        batch_op.create_unique_constraint(
            'uq_committee_reports_scheduled',
            ['committee_id', 'period_start', 'period_end', 'schedule'])


def downgrade():
    with op.batch_alter_table('committee_reports', schema=None) as batch_op:
        batch_op.drop_constraint('uq_committee_reports_scheduled', type_='unique')
        if on_sqlite():  # the table is copied: its CHECK on the column must go first
            batch_op.drop_constraint('report_schedule', type_='check')
        batch_op.drop_column('schedule')
    with op.batch_alter_table('committees', schema=None) as batch_op:
        if on_sqlite():
            batch_op.drop_constraint('report_schedule', type_='check')
        batch_op.drop_column('schedule_mail')
        batch_op.drop_column('schedule_day')
        batch_op.drop_column('schedule')
