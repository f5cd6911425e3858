"""API token scopes; a structured closing reason for needs

API tokens get `scopes` (a JSON list of `needs`, `indicators`): what a token may call. Existing
tokens keep their rights: every token gets `needs` (the whole API it could call), and the tokens of
managers and admins also `indicators` (they could read GET /api/v1/indicators).

Needs get `closing_reason` (lack_of_candidates, cancelled_by_company, other_channel, other),
chosen when a need closes unfilled, cancelled or partly filled; needs closed before stay null
("non renseigné").

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 21:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

tokens = sa.table('api_tokens', sa.column('user_id', sa.Integer), sa.column('scopes', sa.JSON))
users = sa.table('users', sa.column('id', sa.Integer), sa.column('role', sa.String))
SUPERVISORS = ('admin', 'manager')


def on_sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.JSON(), nullable=True))

    connection = op.get_bind()
    supervisor = tokens.c.user_id.in_(sa.select(users.c.id).where(users.c.role.in_(SUPERVISORS)))
    connection.execute(tokens.update().where(supervisor).values(scopes=['needs', 'indicators']))
    connection.execute(tokens.update().where(tokens.c.scopes.is_(None)).values(scopes=['needs']))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('scopes', existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table('hiring_needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'closing_reason', sa.Enum('lack_of_candidates', 'cancelled_by_company', 'other_channel',
                                      'other', name='closing_reason', native_enum=False,
                                      create_constraint=True, length=32),
            nullable=True))


def downgrade():
    with op.batch_alter_table('hiring_needs', schema=None) as batch_op:
        if on_sqlite():  # the table is copied: its CHECK on the column must go first
            batch_op.drop_constraint('closing_reason', type_='check')
        batch_op.drop_column('closing_reason')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('scopes')
