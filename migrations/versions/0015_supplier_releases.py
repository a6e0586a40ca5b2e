"""supplier releases: one index for a supplier's clients and released job orders per client

Revision ID: 0015_supplier_releases
Revises: 0014_supplier_jobs
Create Date: 2026-11-23

Reviewed by hand (docs/performance.md). Only an index, no data change:

- job_order_release (supplier_org_id, client_org_id, released_at): the supplier's job list offers the
  clients whose job orders are released to it and counts its released job orders (of one client when
  chosen). Without it PostgreSQL read every release of the supplier from the table (712 for a
  recruiter at scale 100) for the clients, and joined them to their job orders for the count.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_supplier_releases'
down_revision = '0014_supplier_jobs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_order_release', schema=None) as batch_op:
        batch_op.create_index('ix_job_order_release_supplier_client',
                              ['supplier_org_id', 'client_org_id', 'released_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_order_release', schema=None) as batch_op:
        batch_op.drop_index('ix_job_order_release_supplier_client')
