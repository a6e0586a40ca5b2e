"""supplier jobs: one index for a supplier's job orders and clients among its submissions

Revision ID: 0014_supplier_jobs
Revises: 0013_review_queue
Create Date: 2026-11-23

Reviewed by hand (docs/performance.md). Only an index, no data change:

- submission (supplier_org_id, job_order_id, client_org_id): the supplier's submission list offers
  the clients and job orders it has submitted to, and its dashboard tells which open job orders it
  has covered. Without it PostgreSQL read every one of the supplier's submissions from the table
  (2,136 for a recruiter at scale 100, ~4 ms a view for the two filters); with it, the index alone
  answers, in job order, stopping once it has enough.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_supplier_jobs'
down_revision = '0013_review_queue'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_supplier_job_client', ['supplier_org_id', 'job_order_id', 'client_org_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_supplier_job_client')
