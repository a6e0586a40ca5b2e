"""review queue: one index for the staff review queue's order

Revision ID: 0013_review_queue
Revises: 0012_client_worklists
Create Date: 2026-11-23

Reviewed by hand (docs/performance.md). Only an index, no data change:

- job_order (submitted_at, id) WHERE status = 'pending_review': the staff review queue lists
  pending job orders, the longest waiting first, 25 a page. Without it PostgreSQL read every
  pending job order (~2,900 at scale 100) and sorted them to show 25: ~7 ms a view, with parallel
  workers on a 2-core machine. Partial, on the pending ones only: a full index on (status,
  submitted_at, id) was also chosen by the coverage board's generic plan for open job orders,
  which then took 70 ms instead of 2.
"""
import sqlalchemy as sa
from alembic import op

PENDING = sa.text("status = 'pending_review'")


# revision identifiers, used by Alembic.
revision = '0013_review_queue'
down_revision = '0012_client_worklists'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_order', schema=None) as batch_op:
        batch_op.create_index('ix_job_order_pending_submitted', ['submitted_at', 'id'], unique=False,
                              postgresql_where=PENDING, sqlite_where=PENDING)


def downgrade():
    with op.batch_alter_table('job_order', schema=None) as batch_op:
        batch_op.drop_index('ix_job_order_pending_submitted')
