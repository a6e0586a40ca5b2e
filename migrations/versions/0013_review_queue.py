"""review queue: one index for the staff review queue's order

Revision ID: 0013_review_queue
Revises: 0012_client_worklists
Create Date: 2026-11-23

Reviewed by hand (docs/performance.md). Only an index, no data change:

- job_order (status, submitted_at, id): the staff review queue lists pending job orders, the
  longest waiting first, 25 a page. Without it PostgreSQL read every pending job order (~2,900 at
  scale 100) and sorted them to show 25: ~6 ms a view, with parallel workers on a 2-core machine.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_review_queue'
down_revision = '0012_client_worklists'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_order', schema=None) as batch_op:
        batch_op.create_index('ix_job_order_status_submitted', ['status', 'submitted_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('job_order', schema=None) as batch_op:
        batch_op.drop_index('ix_job_order_status_submitted')
