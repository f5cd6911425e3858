"""company name search indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_search_name')
        batch_op.create_index('ix_companies_search_name_id', ['search_name', 'id'], unique=False)
    if is_postgresql():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index('ix_companies_search_name_trgm', 'companies', ['search_name'],
                        unique=False, postgresql_using='gin',
                        postgresql_ops={'search_name': 'gin_trgm_ops'})


def downgrade():
    if is_postgresql():
        op.drop_index('ix_companies_search_name_trgm', table_name='companies',
                      postgresql_using='gin')
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_search_name_id')
        batch_op.create_index('ix_companies_search_name', ['search_name'], unique=False)
