"""leads: talent requests, the lead queue and its round-robin state, opportunities,
activities and follow-ups

Revision ID: 0004_leads
Revises: 0003_candidates
Create Date: 2026-11-23

Reviewed by hand: only the CRM tables (other branches own theirs); names follow the naming
convention; timestamps are timezone-aware. `opportunity.job_order_id` has no foreign key on
purpose (the job order tables live on another branch). `lead_routing_counter` starts empty:
the routing code inserts its one row on first use (tests truncate every table).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_leads'
down_revision = '0003_candidates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lead_routing_counter',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_lead_routing_counter'))
    )
    op.create_table('lead',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('create_key', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('company_name', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('roles', sa.String(length=200), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('client_org_id', sa.Integer(), nullable=True),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('routed_by', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('respond_by', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_touched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disqualify_reason', sa.String(length=16), nullable=True),
    sa.Column('disqualify_note', sa.String(length=500), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('headcount IS NULL OR headcount >= 1', name=op.f('ck_lead_headcount_positive')),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['user_account.id'], name=op.f('fk_lead_assigned_to_id_user_account')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_lead_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_lead_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead')),
    sa.UniqueConstraint('create_key', name=op.f('uq_lead_create_key'))
    )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_client_org_id'), ['client_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_status'), ['status'], unique=False)
        batch_op.create_index('ix_lead_status_respond_by', ['status', 'respond_by'], unique=False)

    op.create_table('staff_lead_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('takes_new_leads', sa.Boolean(), nullable=False),
    sa.Column('last_assigned_seq', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_staff_lead_settings_user_id_user_account')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_staff_lead_settings'))
    )
    op.create_table('opportunity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('create_key', sa.String(length=64), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('client_org_id', sa.Integer(), nullable=True),
    sa.Column('prospect_name', sa.String(length=200), nullable=True),
    sa.Column('contact_name', sa.String(length=120), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('expected_value', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('close_date', sa.Date(), nullable=True),
    sa.Column('roles', sa.String(length=200), nullable=True),
    sa.Column('headcount', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('lost_reason', sa.String(length=16), nullable=True),
    sa.Column('lost_note', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('won_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('converted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('converted_by_id', sa.Integer(), nullable=True),
    sa.Column('job_order_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('client_org_id IS NOT NULL OR prospect_name IS NOT NULL', name=op.f('ck_opportunity_client_or_prospect')),
    sa.CheckConstraint('expected_value IS NULL OR expected_value >= 0', name=op.f('ck_opportunity_value_not_negative')),
    sa.CheckConstraint('headcount IS NULL OR headcount >= 1', name=op.f('ck_opportunity_headcount_positive')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_opportunity_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['converted_by_id'], ['user_account.id'], name=op.f('fk_opportunity_converted_by_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_opportunity_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_opportunity_lead_id_lead')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_opportunity_owner_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity')),
    sa.UniqueConstraint('create_key', name=op.f('uq_opportunity_create_key')),
    sa.UniqueConstraint('lead_id', name=op.f('uq_opportunity_lead_id'))
    )
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_client_org_id'), ['client_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_opportunity_stage_owner', ['stage', 'owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_won_at'), ['won_at'], unique=False)

    op.create_table('crm_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('create_key', sa.String(length=64), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.String(length=2000), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('lead_id IS NOT NULL OR opportunity_id IS NOT NULL', name=op.f('ck_crm_activity_has_subject')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_crm_activity_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_crm_activity_lead_id_lead')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunity.id'], name=op.f('fk_crm_activity_opportunity_id_opportunity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_activity')),
    sa.UniqueConstraint('create_key', name=op.f('uq_crm_activity_create_key'))
    )
    with op.batch_alter_table('crm_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crm_activity_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crm_activity_opportunity_id'), ['opportunity_id'], unique=False)

    op.create_table('crm_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('create_key', sa.String(length=64), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('lead_id IS NOT NULL OR opportunity_id IS NOT NULL', name=op.f('ck_crm_follow_up_has_subject')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_crm_follow_up_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['done_by_id'], ['user_account.id'], name=op.f('fk_crm_follow_up_done_by_id_user_account')),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_crm_follow_up_lead_id_lead')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunity.id'], name=op.f('fk_crm_follow_up_opportunity_id_opportunity')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_crm_follow_up_owner_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_follow_up')),
    sa.UniqueConstraint('create_key', name=op.f('uq_crm_follow_up_create_key'))
    )
    with op.batch_alter_table('crm_follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crm_follow_up_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crm_follow_up_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index('ix_crm_follow_up_owner_open', ['owner_id', 'done_at', 'due_on'], unique=False)



def downgrade():
    with op.batch_alter_table('crm_follow_up', schema=None) as batch_op:
        batch_op.drop_index('ix_crm_follow_up_owner_open')
        batch_op.drop_index(batch_op.f('ix_crm_follow_up_opportunity_id'))
        batch_op.drop_index(batch_op.f('ix_crm_follow_up_lead_id'))

    op.drop_table('crm_follow_up')
    with op.batch_alter_table('crm_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crm_activity_opportunity_id'))
        batch_op.drop_index(batch_op.f('ix_crm_activity_lead_id'))

    op.drop_table('crm_activity')
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_won_at'))
        batch_op.drop_index('ix_opportunity_stage_owner')
        batch_op.drop_index(batch_op.f('ix_opportunity_owner_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_created_at'))
        batch_op.drop_index(batch_op.f('ix_opportunity_client_org_id'))

    op.drop_table('opportunity')
    op.drop_table('staff_lead_settings')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_status_respond_by')
        batch_op.drop_index(batch_op.f('ix_lead_status'))
        batch_op.drop_index(batch_op.f('ix_lead_created_at'))
        batch_op.drop_index(batch_op.f('ix_lead_client_org_id'))
        batch_op.drop_index(batch_op.f('ix_lead_assigned_to_id'))

    op.drop_table('lead')
    op.drop_table('lead_routing_counter')
