"""sla: per-client SLA policies, the clock crossings already announced, and coverage-board nudges

Revision ID: 0008_sla
Revises: 0007_notifications
Create Date: 2026-11-23

Reviewed by hand: three new tables, names from the naming convention. The invariants races could
break live here: one announcement per clock crossing (UNIQUE clock, subject_id, party_org_id, level
— two tick runners insert, one wins) and one nudge row per board item (UNIQUE target, subject_id —
the quiet period is then held by a guarded UPDATE). Targets are positive (check constraints).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_sla'
down_revision = '0007_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sla_policy',
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('coverage_count', sa.Integer(), nullable=True),
    sa.Column('coverage_hours', sa.Integer(), nullable=True),
    sa.Column('review_hours', sa.Integer(), nullable=True),
    sa.Column('feedback_hours', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('coverage_count IS NULL OR coverage_count >= 1', name=op.f('ck_sla_policy_coverage_count')),
    sa.CheckConstraint('coverage_hours IS NULL OR coverage_hours >= 1', name=op.f('ck_sla_policy_coverage_hours')),
    sa.CheckConstraint('review_hours IS NULL OR review_hours >= 1', name=op.f('ck_sla_policy_review_hours')),
    sa.CheckConstraint('feedback_hours IS NULL OR feedback_hours >= 1', name=op.f('ck_sla_policy_feedback_hours')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_sla_policy_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_sla_policy_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('client_org_id', name=op.f('pk_sla_policy'))
    )

    op.create_table('sla_crossing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clock', sa.String(length=24), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('party_org_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('crossed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("level IN ('at_risk', 'breached')", name=op.f('ck_sla_crossing_level')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_sla_crossing_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_sla_crossing_event_id_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_crossing')),
    sa.UniqueConstraint('clock', 'subject_id', 'party_org_id', 'level',
                        name=op.f('uq_sla_crossing_clock_subject_id_party_org_id_level'))
    )
    with op.batch_alter_table('sla_crossing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_crossing_client_org_id'), ['client_org_id'], unique=False)

    op.create_table('nudge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=24), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sent_by_id', sa.Integer(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_nudge_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['last_sent_by_id'], ['user_account.id'], name=op.f('fk_nudge_last_sent_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nudge')),
    sa.UniqueConstraint('target', 'subject_id', name=op.f('uq_nudge_target_subject_id'))
    )
    with op.batch_alter_table('nudge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nudge_client_org_id'), ['client_org_id'], unique=False)


def downgrade():
    with op.batch_alter_table('nudge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nudge_client_org_id'))
    op.drop_table('nudge')
    with op.batch_alter_table('sla_crossing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_crossing_client_org_id'))
    op.drop_table('sla_crossing')
    op.drop_table('sla_policy')
