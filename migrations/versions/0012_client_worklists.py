"""client worklists: one index for a client's submissions waiting in a stage

Revision ID: 0012_client_worklists
Revises: 0011_tally
Create Date: 2026-11-23

Reviewed by hand (docs/performance.md). Only an index, no data change:

- submission (client_org_id, stage, client_visible_at, id): a hiring manager's "waiting for your
  review" (client dashboard) reads the client's submissions in review in the order it shows them and
  stops at its limit. Without it PostgreSQL intersected the client's submissions with every
  submission in review (~200,000 at scale 100) and checked each for a decision: 15-20 ms a view.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_client_worklists'
down_revision = '0011_tally'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_client_stage_visible',
                              ['client_org_id', 'stage', 'client_visible_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_client_stage_visible')
