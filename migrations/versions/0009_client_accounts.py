"""client accounts: the staff account log of a client company and its follow-ups

Revision ID: 0009_client_accounts
Revises: 0008_sla
Create Date: 2026-11-23

Reviewed by hand: two staff-only tables; names follow the naming convention; timestamps are
timezone-aware. A double submit adds one row: UNIQUE (client_org_id, create_key) on both (NULL
keys, from the CLI or the demo, never collide). Known kinds only (check constraint). The
indexes serve the account page (a client's log by date, its open follow-ups) and the
dashboard (a person's open follow-ups by due date).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_client_accounts'
down_revision = '0008_sla'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('create_key', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.String(length=2000), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('note', 'call', 'email', 'meeting')", name=op.f('ck_account_entry_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_account_entry_author_id_user_account')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_account_entry_client_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_entry')),
    sa.UniqueConstraint('client_org_id', 'create_key', name=op.f('uq_account_entry_client_org_id_create_key'))
    )
    with op.batch_alter_table('account_entry', schema=None) as batch_op:
        batch_op.create_index('ix_account_entry_client_occurred', ['client_org_id', 'occurred_on'], unique=False)

    op.create_table('account_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_org_id', sa.Integer(), nullable=False),
    sa.Column('create_key', sa.String(length=64), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_account_follow_up_assignee_id_user_account')),
    sa.ForeignKeyConstraint(['client_org_id'], ['organisation.id'], name=op.f('fk_account_follow_up_client_org_id_organisation')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_account_follow_up_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['done_by_id'], ['user_account.id'], name=op.f('fk_account_follow_up_done_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_follow_up')),
    sa.UniqueConstraint('client_org_id', 'create_key', name=op.f('uq_account_follow_up_client_org_id_create_key'))
    )
    with op.batch_alter_table('account_follow_up', schema=None) as batch_op:
        batch_op.create_index('ix_account_follow_up_assignee_open', ['assignee_id', 'done_at', 'due_on'], unique=False)
        batch_op.create_index('ix_account_follow_up_client_open', ['client_org_id', 'done_at', 'due_on'], unique=False)


def downgrade():
    with op.batch_alter_table('account_follow_up', schema=None) as batch_op:
        batch_op.drop_index('ix_account_follow_up_client_open')
        batch_op.drop_index('ix_account_follow_up_assignee_open')

    op.drop_table('account_follow_up')
    with op.batch_alter_table('account_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_account_entry_client_occurred')

    op.drop_table('account_entry')
