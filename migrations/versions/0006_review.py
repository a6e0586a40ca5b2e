"""review: the client's "seen" marks, interviews and their proposed times, offers, placements, comments

Revision ID: 0006_review
Revises: 0005_submissions
Create Date: 2026-11-23

Reviewed by hand: only the review's tables; names follow the naming convention; money is
NUMERIC(12, 2); timestamps are timezone-aware. The invariants races could break live here: one
offer and one placement per submission, one placement per offer (UNIQUE), one interview per round
of a submission (UNIQUE submission_id, round), one interview request / placement / comment per
form sent (partial unique indexes on the forms' idempotency keys), one "seen" row per person and
submission; ratings 1–5, positive rates, an end after the start, known statuses and visibilities
(check constraints). Placements never exceeding a job's openings is held under a lock on the job
order row (offers.services), not by a constraint.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_review'
down_revision = '0005_submissions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_org_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=2000), nullable=False),
    sa.Column('create_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("visibility IN ('staff', 'staff_client', 'staff_supplier', 'everyone')", name=op.f('ck_comment_visibility')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_comment_author_id_user_account')),
    sa.ForeignKeyConstraint(['author_org_id'], ['organisation.id'], name=op.f('fk_comment_author_org_id_organisation')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_comment_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_order.id'], name=op.f('fk_comment_job_order_id_job_order')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_comment_submission_id_submission')),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], name=op.f('fk_comment_supplier_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_job_order_id_submission_id', ['job_order_id', 'submission_id'], unique=False)
        batch_op.create_index('ix_comment_submission_id', ['submission_id'], unique=False)
        batch_op.create_index('uq_comment_author_id_create_key', ['author_id', 'create_key'], unique=True, sqlite_where=sa.text('create_key IS NOT NULL'), postgresql_where=sa.text('create_key IS NOT NULL'))

    op.create_table('interview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=False),
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('interviewers', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('supplier_message', sa.String(length=1000), nullable=True),
    sa.Column('proposal', sa.Integer(), nullable=False),
    sa.Column('create_key', sa.String(length=64), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('feedback', sa.String(length=2000), nullable=True),
    sa.Column('feedback_by_id', sa.Integer(), nullable=True),
    sa.Column('feedback_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint("kind IN ('phone', 'video', 'onsite')", name=op.f('ck_interview_kind')),
    sa.CheckConstraint("status IN ('requested', 'times_proposed', 'confirmed', 'completed', 'cancelled')", name=op.f('ck_interview_status')),
    sa.CheckConstraint('ends_at IS NULL OR ends_at > starts_at', name=op.f('ck_interview_time_order')),
    sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name=op.f('ck_interview_rating_range')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_interview_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_interview_confirmed_by_id_user_account')),
    sa.ForeignKeyConstraint(['feedback_by_id'], ['user_account.id'], name=op.f('fk_interview_feedback_by_id_user_account')),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_order.id'], name=op.f('fk_interview_job_order_id_job_order')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_interview_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_interview_submission_id_submission')),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], name=op.f('fk_interview_supplier_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview')),
    sa.UniqueConstraint('submission_id', 'round', name=op.f('uq_interview_submission_id_round'))
    )
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.create_index('ix_interview_client_status', ['client_org_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_job_order_id'), ['job_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_supplier_org_id'), ['supplier_org_id'], unique=False)
        batch_op.create_index('uq_interview_submission_id_create_key', ['submission_id', 'create_key'], unique=True, sqlite_where=sa.text('create_key IS NOT NULL'), postgresql_where=sa.text('create_key IS NOT NULL'))

    op.create_table('offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=False),
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('rate', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('rate_type', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate_unit', sa.String(length=8), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('extended_by_id', sa.Integer(), nullable=True),
    sa.Column('extended_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.String(length=500), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('extended', 'accepted', 'declined', 'withdrawn')", name=op.f('ck_offer_status')),
    sa.CheckConstraint('end_date IS NULL OR end_date > start_date', name=op.f('ck_offer_date_order')),
    sa.CheckConstraint('rate > 0', name=op.f('ck_offer_rate_positive')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_offer_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_offer_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['extended_by_id'], ['user_account.id'], name=op.f('fk_offer_extended_by_id_user_account')),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_order.id'], name=op.f('fk_offer_job_order_id_job_order')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_offer_submission_id_submission')),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], name=op.f('fk_offer_supplier_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_offer_submission_id'))
    )
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.create_index('ix_offer_client_status', ['client_org_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_job_order_id'), ['job_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_supplier_org_id'), ['supplier_org_id'], unique=False)

    op.create_table('submission_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_submission_view_org_id_organisation')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_view_submission_id_submission')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_submission_view_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_view')),
    sa.UniqueConstraint('user_id', 'submission_id', name=op.f('uq_submission_view_user_id_submission_id'))
    )
    with op.batch_alter_table('submission_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_view_submission_id'), ['submission_id'], unique=False)

    op.create_table('interview_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('proposal', sa.Integer(), nullable=False),
    sa.Column('proposed_by', sa.String(length=8), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("proposed_by IN ('client', 'supplier')", name=op.f('ck_interview_slot_proposed_by')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_interview_slot_time_order')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_interview_slot_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], name=op.f('fk_interview_slot_interview_id_interview')),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], name=op.f('fk_interview_slot_supplier_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_slot'))
    )
    with op.batch_alter_table('interview_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_slot_interview_id'), ['interview_id'], unique=False)

    op.create_table('placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=False),
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('rate', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('rate_type', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate_unit', sa.String(length=8), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('create_key', sa.String(length=64), nullable=True),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rate > 0', name=op.f('ck_placement_rate_positive')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_placement_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_order.id'], name=op.f('fk_placement_job_order_id_job_order')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_placement_offer_id_offer')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['user_account.id'], name=op.f('fk_placement_placed_by_id_user_account')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_placement_submission_id_submission')),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], name=op.f('fk_placement_supplier_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement')),
    sa.UniqueConstraint('offer_id', name=op.f('uq_placement_offer_id')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_placement_submission_id'))
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_job_order_id'), ['job_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_supplier_org_id'), ['supplier_org_id'], unique=False)
        batch_op.create_index('uq_placement_job_order_id_create_key', ['job_order_id', 'create_key'], unique=True, sqlite_where=sa.text('create_key IS NOT NULL'), postgresql_where=sa.text('create_key IS NOT NULL'))



def downgrade():
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index('uq_placement_job_order_id_create_key', sqlite_where=sa.text('create_key IS NOT NULL'), postgresql_where=sa.text('create_key IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_placement_supplier_org_id'))
        batch_op.drop_index(batch_op.f('ix_placement_job_order_id'))

    op.drop_table('placement')
    with op.batch_alter_table('interview_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_slot_interview_id'))

    op.drop_table('interview_slot')
    with op.batch_alter_table('submission_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_view_submission_id'))

    op.drop_table('submission_view')
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_supplier_org_id'))
        batch_op.drop_index(batch_op.f('ix_offer_job_order_id'))
        batch_op.drop_index('ix_offer_client_status')

    op.drop_table('offer')
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_index('uq_interview_submission_id_create_key', sqlite_where=sa.text('create_key IS NOT NULL'), postgresql_where=sa.text('create_key IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_interview_supplier_org_id'))
        batch_op.drop_index(batch_op.f('ix_interview_submission_id'))
        batch_op.drop_index(batch_op.f('ix_interview_job_order_id'))
        batch_op.drop_index('ix_interview_client_status')

    op.drop_table('interview')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('uq_comment_author_id_create_key', sqlite_where=sa.text('create_key IS NOT NULL'), postgresql_where=sa.text('create_key IS NOT NULL'))
        batch_op.drop_index('ix_comment_submission_id')
        batch_op.drop_index('ix_comment_job_order_id_submission_id')

    op.drop_table('comment')
