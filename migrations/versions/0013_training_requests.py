"""training requests

POE / FRAP requests with their eligibility facts, status history, dated parameters (hour caps and
amounts with their source) and FRAP funding lines. The old `training_requests` table, which no
screen or service wrote, is replaced (its rows, if any, are dropped). The shipped parameters are the
service-public values.

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-06 02:25:22.556909

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0014'
branch_labels = None
depends_on = None


SERVICE_PUBLIC = ("service-public.fr, « Préparation opérationnelle à l'emploi individuelle (POEI) » "
                  "(art. L6326-1 et D6326-1 C. trav.)")
SHIPPED = [
    ("poei_max_hours", 450, SERVICE_PUBLIC),
    ("poei_max_hours_priority", 600, SERVICE_PUBLIC + " : publics prioritaires (RSA, seniors…)"),
    ("poei_max_hours_tutored", 300, SERVICE_PUBLIC + " : formation entièrement en tutorat"),
    ("poec_max_hours", 400, "France Travail, POE collective (art. L6326-3 C. trav.)"),
    ("tutoring_hourly_cents", 500, "France Travail, aide au tutorat de la POEI (5 € par heure)"),
]


def upgrade():
    op.drop_table('training_requests')
    op.create_table('frap_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('max_employees', sa.Integer(), nullable=True),
    sa.Column('contracts', sa.JSON(), nullable=False),
    sa.Column('hourly_cents', sa.Integer(), nullable=False),
    sa.Column('ceiling_cents', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ceiling_cents >= 0', name=op.f('ck_frap_lines_ceiling_not_negative')),
    sa.CheckConstraint('hourly_cents >= 0', name=op.f('ck_frap_lines_hourly_not_negative')),
    sa.CheckConstraint('max_employees IS NULL OR max_employees > 0', name=op.f('ck_frap_lines_max_employees_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_frap_lines'))
    )
    with op.batch_alter_table('frap_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_frap_lines_created_at'), ['created_at'], unique=False)

    op.create_table('training_parameters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.Enum('poei_max_hours', 'poei_max_hours_priority', 'poei_max_hours_tutored', 'poec_max_hours', 'tutoring_hourly_cents', name='training_parameter_key', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from', name=op.f('ck_training_parameters_valid_period')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_training_parameters_value_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_parameters'))
    )
    with op.batch_alter_table('training_parameters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_parameters_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_parameters_key'), ['key'], unique=False)

    op.create_table('training_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('poei', 'poec', name='training_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('mode', sa.Enum('organisme', 'tutorat', 'mixte', 'afest', name='training_mode', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('contract_type', sa.Enum('cdi', 'cdi_interimaire', 'cdd', 'professionnalisation', 'apprentissage', 'saisonnier', 'missions', name='promised_contract', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('contract_months', sa.Integer(), nullable=True),
    sa.Column('missions_months_within_9', sa.Integer(), nullable=True),
    sa.Column('hours_body', sa.Integer(), nullable=True),
    sa.Column('hours_tutoring', sa.Integer(), nullable=True),
    sa.Column('priority_public', sa.Boolean(), nullable=True),
    sa.Column('offer_filed', sa.Boolean(), nullable=True),
    sa.Column('contributions_up_to_date', sa.Boolean(), nullable=True),
    sa.Column('economic_layoff_12_months', sa.Boolean(), nullable=True),
    sa.Column('refused_hire_after_poe', sa.Boolean(), nullable=True),
    sa.Column('private_individual_employer', sa.Boolean(), nullable=True),
    sa.Column('training_body', sa.String(length=200), nullable=True),
    sa.Column('qualiopi', sa.Boolean(), nullable=True),
    sa.Column('qualiopi_number', sa.String(length=40), nullable=True),
    sa.Column('tutor_experience_years', sa.Double(), nullable=True),
    sa.Column('tutor_current_trainees', sa.Integer(), nullable=True),
    sa.Column('opco_cofunding', sa.Boolean(), nullable=True),
    sa.Column('opco_name', sa.String(length=120), nullable=True),
    sa.Column('frap_requested', sa.Boolean(), nullable=False),
    sa.Column('frap_line_id', sa.Integer(), nullable=True),
    sa.Column('candidate', sa.String(length=120), nullable=True),
    sa.Column('candidate_pseudonymised_at', sa.DateTime(), nullable=True),
    sa.Column('convention_signed_on', sa.Date(), nullable=True),
    sa.Column('training_starts_on', sa.Date(), nullable=True),
    sa.Column('training_ends_on', sa.Date(), nullable=True),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'under_review', 'approved', 'rejected', 'convention_signed', 'in_training', 'completed', 'hired', 'not_hired', name='training_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('contract_months IS NULL OR contract_months > 0', name=op.f('ck_training_requests_contract_months_positive')),
    sa.CheckConstraint('hours_body IS NULL OR hours_body >= 0', name=op.f('ck_training_requests_hours_body_not_negative')),
    sa.CheckConstraint('hours_tutoring IS NULL OR hours_tutoring >= 0', name=op.f('ck_training_requests_hours_tutoring_not_negative')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_training_requests_company_id_companies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_requests_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['frap_line_id'], ['frap_lines.id'], name=op.f('fk_training_requests_frap_line_id_frap_lines'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['hiring_needs.id'], name=op.f('fk_training_requests_need_id_hiring_needs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_training_requests_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_requests'))
    )
    with op.batch_alter_table('training_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_requests_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_requests_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_requests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_requests_status'), ['status'], unique=False)

    op.create_table('training_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('draft', 'submitted', 'under_review', 'approved', 'rejected', 'convention_signed', 'in_training', 'completed', 'hired', 'not_hired', name='training_from_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('to_status', sa.Enum('draft', 'submitted', 'under_review', 'approved', 'rejected', 'convention_signed', 'in_training', 'completed', 'hired', 'not_hired', name='training_to_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('on_date', sa.Date(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['training_requests.id'], name=op.f('fk_training_status_changes_request_id_training_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_status_changes_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_status_changes'))
    )
    with op.batch_alter_table('training_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_status_changes_request_id'), ['request_id'], unique=False)

    parameters = sa.table('training_parameters', sa.column('key', sa.String), sa.column('value', sa.Integer),
                          sa.column('source', sa.String), sa.column('created_at', sa.DateTime),
                          sa.column('updated_at', sa.DateTime))
    now = sa.func.current_timestamp()
    for key, value, source in SHIPPED:
        op.execute(parameters.insert().values(key=key, value=value, source=source, created_at=now,
                                              updated_at=now))


def downgrade():
    with op.batch_alter_table('training_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_status_changes_request_id'))

    op.drop_table('training_status_changes')
    with op.batch_alter_table('training_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_requests_status'))
        batch_op.drop_index(batch_op.f('ix_training_requests_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_training_requests_need_id'))
        batch_op.drop_index(batch_op.f('ix_training_requests_created_at'))
        batch_op.drop_index(batch_op.f('ix_training_requests_company_id'))

    op.drop_table('training_requests')
    with op.batch_alter_table('training_parameters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_parameters_key'))
        batch_op.drop_index(batch_op.f('ix_training_parameters_created_at'))

    op.drop_table('training_parameters')
    with op.batch_alter_table('frap_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_frap_lines_created_at'))

    op.drop_table('frap_lines')
    op.create_table('training_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('poei', 'poec', 'afest', name='training_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('contract_type', sa.Enum('cdi', 'cdd', 'interim', 'apprentissage', 'professionnalisation', 'saisonnier', name='promised_contract', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('contract_months', sa.Integer(), nullable=True),
    sa.Column('hours', sa.Integer(), nullable=True),
    sa.Column('tutored_in_firm', sa.Boolean(), nullable=False),
    sa.Column('training_body', sa.String(length=200), nullable=True),
    sa.Column('training_body_qualiopi', sa.Boolean(), nullable=True),
    sa.Column('frap_top_up', sa.Boolean(), nullable=False),
    sa.Column('funding', sa.JSON(), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'eligible', 'ineligible', 'convention_signed', 'in_training', 'hired', 'abandoned', name='training_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('contract_months IS NULL OR contract_months > 0', name=op.f('ck_training_requests_contract_months_positive')),
    sa.CheckConstraint('hours IS NULL OR hours > 0', name=op.f('ck_training_requests_hours_positive')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_training_requests_company_id_companies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_requests_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['hiring_needs.id'], name=op.f('fk_training_requests_need_id_hiring_needs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_requests'))
    )
    with op.batch_alter_table('training_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_requests_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_requests_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_requests_status'), ['status'], unique=False)
