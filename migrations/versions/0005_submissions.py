"""submissions: candidates put forward to job orders, and the per-client screening setting

Revision ID: 0005_submissions
Revises: 0004_leads
Create Date: 2026-11-23

Reviewed by hand: names follow the naming convention; money is NUMERIC(12, 2); timestamps
are timezone-aware. The invariants that races could break live here: one person per job
order (partial unique indexes on the normalised e-mail and phone keys, and a unique
(job_order_id, candidate_id)), one submission per submit form (supplier_org_id, create_key),
a known stage and a positive rate (check constraints). `client_job_settings.screen_submissions`
defaults to false: existing clients see submissions at once, as before screening existed.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_submissions'
down_revision = '0004_leads'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('resume_id', sa.Integer(), nullable=False),
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('rate', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('rate_type', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate_unit', sa.String(length=8), nullable=False),
    sa.Column('available_from', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('right_to_represent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=True),
    sa.Column('phone_key', sa.String(length=20), nullable=True),
    sa.Column('create_key', sa.String(length=64), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stage_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client_visible_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('forwarded_by_id', sa.Integer(), nullable=True),
    sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejected_by_id', sa.Integer(), nullable=True),
    sa.Column('reject_reason', sa.String(length=16), nullable=True),
    sa.Column('reject_note', sa.String(length=1000), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdraw_reason', sa.String(length=500), nullable=True),
    sa.CheckConstraint("rate_type IN ('bill_rate', 'salary')", name=op.f('ck_submission_rate_type')),
    sa.CheckConstraint("stage IN ('submitted', 'client_review', 'shortlisted', 'interview', 'offer', 'placed', 'rejected', 'withdrawn', 'offer_declined', 'closed')", name=op.f('ck_submission_stage')),
    sa.CheckConstraint('email_key IS NOT NULL OR phone_key IS NOT NULL', name=op.f('ck_submission_person_key')),
    sa.CheckConstraint('rate > 0', name=op.f('ck_submission_rate_positive')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_submission_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_submission_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['forwarded_by_id'], ['user_account.id'], name=op.f('fk_submission_forwarded_by_id_user_account')),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_order.id'], name=op.f('fk_submission_job_order_id_job_order')),
    sa.ForeignKeyConstraint(['rejected_by_id'], ['user_account.id'], name=op.f('fk_submission_rejected_by_id_user_account')),
    sa.ForeignKeyConstraint(['resume_id'], ['resume.id'], name=op.f('fk_submission_resume_id_resume')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_submission_submitted_by_id_user_account')),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], name=op.f('fk_submission_supplier_org_id_organisation')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'], name=op.f('fk_submission_withdrawn_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
    sa.UniqueConstraint('job_order_id', 'candidate_id', name=op.f('uq_submission_job_order_id_candidate_id'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index('ix_submission_client_visible', ['client_org_id', 'client_visible_at'], unique=False)
        batch_op.create_index('ix_submission_email_key', ['email_key'], unique=False)
        batch_op.create_index('ix_submission_job_supplier_stage', ['job_order_id', 'supplier_org_id', 'stage'], unique=False)
        batch_op.create_index('ix_submission_phone_key', ['phone_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_stage'), ['stage'], unique=False)
        batch_op.create_index('ix_submission_supplier_changed', ['supplier_org_id', 'stage_changed_at'], unique=False)
        batch_op.create_index('uq_submission_job_order_id_email_key', ['job_order_id', 'email_key'], unique=True, sqlite_where=sa.text('email_key IS NOT NULL'), postgresql_where=sa.text('email_key IS NOT NULL'))
        batch_op.create_index('uq_submission_job_order_id_phone_key', ['job_order_id', 'phone_key'], unique=True, sqlite_where=sa.text('phone_key IS NOT NULL'), postgresql_where=sa.text('phone_key IS NOT NULL'))
        batch_op.create_index('uq_submission_supplier_org_id_create_key', ['supplier_org_id', 'create_key'], unique=True, sqlite_where=sa.text('create_key IS NOT NULL'), postgresql_where=sa.text('create_key IS NOT NULL'))

    with op.batch_alter_table('client_job_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screen_submissions', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('client_job_settings', schema=None) as batch_op:
        batch_op.drop_column('screen_submissions')

    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('uq_submission_supplier_org_id_create_key', sqlite_where=sa.text('create_key IS NOT NULL'), postgresql_where=sa.text('create_key IS NOT NULL'))
        batch_op.drop_index('uq_submission_job_order_id_phone_key', sqlite_where=sa.text('phone_key IS NOT NULL'), postgresql_where=sa.text('phone_key IS NOT NULL'))
        batch_op.drop_index('uq_submission_job_order_id_email_key', sqlite_where=sa.text('email_key IS NOT NULL'), postgresql_where=sa.text('email_key IS NOT NULL'))
        batch_op.drop_index('ix_submission_supplier_changed')
        batch_op.drop_index(batch_op.f('ix_submission_stage'))
        batch_op.drop_index('ix_submission_phone_key')
        batch_op.drop_index('ix_submission_job_supplier_stage')
        batch_op.drop_index('ix_submission_email_key')
        batch_op.drop_index('ix_submission_client_visible')
        batch_op.drop_index(batch_op.f('ix_submission_candidate_id'))

    op.drop_table('submission')
