"""tally: each job order's first submission time and live submission count; trigram search indexes

Revision ID: 0011_tally
Revises: 0010_performance
Create Date: 2026-11-23

Reviewed by hand (docs/performance.md):

- job_order.first_submitted_at and job_order.live_submissions, kept by the submission services
  (`portal/submissions/tally.py`) and filled here from the submissions; indexed with the status and
  release time, so the coverage board's "no submission yet" and "below coverage" are index range
  scans instead of a probe of the submissions of every open job order (~130 ms at scale 100).
- job_order (status, client_org_id): the dashboards' job order counts by status are index-only scans.
- interview (status, ends_at): "interviews without feedback" reads the confirmed interviews that
  have ended instead of every interview.
- PostgreSQL only: statistics on (status, live_submissions), which are correlated (a draft has no
  submissions), so that the planner uses the index above rather than scanning every job order.
- PostgreSQL only: the pg_trgm extension and a trigram GIN index on lower() of each column the job
  order lists search (title, reference, location, skills, category, industry), so that search as you
  type (`lower(column) LIKE '%term%'`) reads an index instead of every job order. Where the extension
  cannot be created (a managed server that does not offer it), the indexes are left out with a warning
  and search keeps working, unindexed.
"""
import logging

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_tally'
down_revision = '0010_performance'
branch_labels = None
depends_on = None

SEARCHED = ("title", "reference", "location", "skills", "category", "industry")
LIVE = ("submitted", "client_review", "shortlisted", "interview", "offer", "placed")
log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    with op.batch_alter_table('job_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('live_submissions', sa.Integer(), server_default='0', nullable=False))
    live = ", ".join(f"'{s}'" for s in LIVE)
    op.execute(
        "UPDATE job_order SET "
        f"live_submissions = (SELECT count(*) FROM submission s WHERE s.job_order_id = job_order.id AND s.stage IN ({live})), "
        "first_submitted_at = (SELECT min(s.submitted_at) FROM submission s WHERE s.job_order_id = job_order.id)")
    with op.batch_alter_table('job_order', schema=None) as batch_op:
        batch_op.create_index('ix_job_order_status_first_submitted', ['status', 'first_submitted_at', 'released_at'],
                              unique=False)
        batch_op.create_index('ix_job_order_status_live', ['status', 'live_submissions', 'released_at'], unique=False)
        batch_op.create_index('ix_job_order_status_client', ['status', 'client_org_id'], unique=False)

    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.create_index('ix_interview_status_ends', ['status', 'ends_at'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Status and tally are correlated (a draft has no submissions): without statistics on the
        # pair the planner expects thousands of open jobs below coverage and scans the table.
        op.execute("CREATE STATISTICS IF NOT EXISTS st_job_order_status_tally (mcv) "
                   "ON status, live_submissions FROM job_order")
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError as exc:
            log.warning("pg_trgm is not available (%s): job order search stays unindexed", exc.orig)
            return
        for column in SEARCHED:
            op.execute(f"CREATE INDEX ix_job_order_{column}_trgm ON job_order USING gin (lower({column}) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for column in SEARCHED:
            op.execute(f"DROP INDEX IF EXISTS ix_job_order_{column}_trgm")
        op.execute("DROP STATISTICS IF EXISTS st_job_order_status_tally")
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_index('ix_interview_status_ends')
    with op.batch_alter_table('job_order', schema=None) as batch_op:
        batch_op.drop_index('ix_job_order_status_client')
        batch_op.drop_index('ix_job_order_status_live')
        batch_op.drop_index('ix_job_order_status_first_submitted')
        batch_op.drop_column('live_submissions')
        batch_op.drop_column('first_submitted_at')
