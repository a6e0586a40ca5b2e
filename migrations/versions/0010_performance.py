"""performance: indexes found by the scale-100 benchmark (`make bench`, docs/performance.md)

Revision ID: 0010_performance
Revises: 0009_client_accounts
Create Date: 2026-11-23

Reviewed by hand. Only indexes, no data change:

- submission (stage_changed_at, id): the staff submission list ("newest change first") reads its
  25 rows in index order instead of sorting every submission of the viewer's clients (~2 s at
  500,000 submissions).
- submission (stage, client_visible_at, id) and offer (status, extended_at, id): the coverage board's
  "waiting on the client" and "offers without an answer" and the SLA tick read the longest waiting
  rows in index order and stop at the page's limit (docs/sla.md), instead of sorting every live
  submission of the viewer's clients.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_performance'
down_revision = '0009_client_accounts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_stage_changed_at_id', ['stage_changed_at', 'id'], unique=False)
        batch_op.create_index('ix_submission_stage_visible', ['stage', 'client_visible_at', 'id'], unique=False)
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.create_index('ix_offer_status_extended', ['status', 'extended_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_index('ix_offer_status_extended')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_stage_visible')
        batch_op.drop_index('ix_submission_stage_changed_at_id')
