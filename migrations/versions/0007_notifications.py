"""notifications: in-app notifications, per-kind delivery preferences, digests

Revision ID: 0007_notifications
Revises: 0006_review
Create Date: 2026-11-23

Reviewed by hand: two tables, and the outbox's back-off column (next_attempt_at). A person is told once per key (UNIQUE user_id, key: "event:<id>",
"sla:…"); the badge and the centre read by (user_id, read_at, id); digests find pending rows by
(delivery, emailed_at) and claim them with a batch id. One preference row per person and kind.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0007_notifications'
down_revision = '0006_review'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.String(length=500), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivery', sa.String(length=16), nullable=False),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('digest_batch', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_notification_event_id_event')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_notification_org_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_notification_user_id_key'))
    )
    op.create_index('ix_notification_user_id_read_at_id', 'notification', ['user_id', 'read_at', 'id'], unique=False)
    op.create_index('ix_notification_pending_digest', 'notification', ['delivery', 'emailed_at'], unique=False)
    op.create_index(op.f('ix_notification_digest_batch'), 'notification', ['digest_batch'], unique=False)
    op.add_column('outbox_message', sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('notification_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('delivery', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_notification_preference_org_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_preference_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preference')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_preference_user_id_kind'))
    )


def downgrade():
    op.drop_table('notification_preference')
    with op.batch_alter_table('outbox_message') as batch_op:
        batch_op.drop_column('next_attempt_at')
    op.drop_index(op.f('ix_notification_digest_batch'), table_name='notification')
    op.drop_index('ix_notification_pending_digest', table_name='notification')
    op.drop_index('ix_notification_user_id_read_at_id', table_name='notification')
    op.drop_table('notification')
