"""the ledger entries' previous contact, for the dashboards' firms contacted over a past period

Each interaction gets the instant of its firm's entry just before it (by instant, then id; null for
the first) and the scale of the silence between them (n with 2**n <= whole days + 1 < 2**(n + 1),
20 for a first entry), kept by `crm/services/companies/counters.py`; the dashboards find the firms
not contacted again between a period's start and end through the index (scale, instant, previous
contact, firm) instead of probing the ledger once per firm (docs/indicators.md, Performance).
Backfilled here, a firm's entries at a time (the computation is `counters.gap_scale`'s, frozen).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 23:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

FIRST_SCALE = 20
FIRMS_AT_ONCE = 500


def scale(previous, moment) -> int:
    if previous is None:
        return FIRST_SCALE
    return min(((moment - previous).days + 1).bit_length() - 1, FIRST_SCALE - 1)


def backfill(connection) -> None:
    entries = sa.table('interactions', sa.column('id', sa.Integer), sa.column('company_id', sa.Integer),
                       sa.column('occurred_at', sa.DateTime),
                       sa.column('previous_contact_at', sa.DateTime),
                       sa.column('gap_scale', sa.SmallInteger))
    firms = [row[0] for row in connection.execute(
        sa.select(entries.c.company_id).distinct().order_by(entries.c.company_id))]
    update = (sa.update(entries).where(entries.c.id == sa.bindparam('entry_id'))
              .values(previous_contact_at=sa.bindparam('previous'), gap_scale=sa.bindparam('scale')))
    for start in range(0, len(firms), FIRMS_AT_ONCE):
        rows = connection.execute(
            sa.select(entries.c.id, entries.c.company_id, entries.c.occurred_at)
            .where(entries.c.company_id.in_(firms[start:start + FIRMS_AT_ONCE]))
            .order_by(entries.c.company_id, entries.c.occurred_at, entries.c.id))
        values, firm, previous = [], None, None
        for key, company_id, moment in rows:
            if company_id != firm:
                firm, previous = company_id, None
            values.append({'entry_id': key, 'previous': previous, 'scale': scale(previous, moment)})
            previous = moment
        if values:
            connection.execute(update, values)


def upgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_contact_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('gap_scale', sa.SmallInteger(), server_default='0', nullable=False))
    backfill(op.get_bind())
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_gap_occurred',
                              ['gap_scale', 'occurred_at', 'previous_contact_at', 'company_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_gap_occurred')
        batch_op.drop_column('gap_scale')
        batch_op.drop_column('previous_contact_at')
