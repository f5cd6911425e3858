"""indexes of the dashboards' firms contacted over a period

The committee dashboards count the firms contacted over a period from `companies.last_contact_at`
(`crm/services/indicators/figures.py`): the regional figures read the companies' index (last
contact, active, size band) alone; an organisation's or an adviser's from the ledger's indexes
(organisation or user, date, firm), which replace the single-column ones.

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
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_organisation_id')
        batch_op.drop_index('ix_interactions_user_id')
        batch_op.create_index('ix_interactions_organisation_occurred',
                              ['organisation_id', 'occurred_at', 'company_id'], unique=False)
        batch_op.create_index('ix_interactions_user_occurred',
                              ['user_id', 'occurred_at', 'company_id'], unique=False)


def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_user_occurred')
        batch_op.drop_index('ix_interactions_organisation_occurred')
        batch_op.create_index('ix_interactions_user_id', ['user_id'], unique=False)
        batch_op.create_index('ix_interactions_organisation_id', ['organisation_id'], unique=False)
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_last_contact_band')
