"""companies' last contact, activity and size band index

The committee dashboards count the firms contacted over a period from `companies.last_contact_at`
(`crm/services/indicators/figures.py`): the regional figures read this index alone.

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-06 22:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index('ix_companies_last_contact_band',
                              ['last_contact_at', 'active', 'headcount_band'], unique=False)


def downgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_last_contact_band')
