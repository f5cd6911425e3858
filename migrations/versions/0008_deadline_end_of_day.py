"""first-contact deadline at the end of the promised day; who took each step of a need's history

Deadlines were stored as "the same time of day two working days later" (in UTC), so a need turned
late during the promised day. They become the last second of the second working day after the
French filing day (23:59:59 Europe/Paris, stored as naive UTC), as
crm.services.platform.working_days.first_contact_deadline computes for new needs.

History steps get `actor_kind` (person, employer, routing): steps without a user were shown as
"Employeur ou système"; the automatic routing step ("Demande confiée à …") was credited to the
partner who flagged the need. Existing steps: a routing step becomes the routing's (no user), any
other step without a user the employer's.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

"""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PARIS = ZoneInfo("Europe/Paris")
WORKING_DAYS = 2

needs = sa.table('hiring_needs', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime),
                 sa.column('first_contact_due_at', sa.DateTime))
steps = sa.table('need_status_changes', sa.column('from_status', sa.String),
                 sa.column('to_status', sa.String), sa.column('user_id', sa.Integer),
                 sa.column('note', sa.Text), sa.column('actor_kind', sa.String))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays.France(years=day.year)


def deadline(filed_at: datetime) -> datetime:
    """The end of the second working day after the French filing day, as naive UTC."""
    day = filed_at.replace(tzinfo=UTC).astimezone(PARIS).date()
    for _ in range(WORKING_DAYS):
        day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    end = datetime.combine(day, time(23, 59, 59), tzinfo=PARIS)
    return end.astimezone(UTC).replace(tzinfo=None)


def upgrade():
    with op.batch_alter_table('need_status_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'actor_kind', sa.Enum('person', 'employer', 'routing', name='actor_kind', native_enum=False,
                                  create_constraint=True, length=32),
            server_default='person', nullable=False))

    connection = op.get_bind()
    routing_step = sa.and_(steps.c.from_status == 'new', steps.c.to_status == 'assigned',
                           steps.c.note.like('Demande confiée à %'))
    connection.execute(steps.update().where(routing_step)
                       .values(actor_kind='routing', user_id=None))
    connection.execute(steps.update().where(steps.c.user_id.is_(None), sa.not_(routing_step))
                       .values(actor_kind='employer'))
    filed = connection.execute(sa.select(needs.c.id, needs.c.created_at)
                               .where(needs.c.first_contact_due_at.is_not(None))).all()
    for need_id, created_at in filed:
        connection.execute(needs.update().where(needs.c.id == need_id)
                           .values(first_contact_due_at=deadline(created_at)))


def downgrade():
    with op.batch_alter_table('need_status_changes', schema=None) as batch_op:
        batch_op.drop_column('actor_kind')

