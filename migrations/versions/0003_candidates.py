"""candidates: a supplier's candidate pool, their skill tags and résumés

Revision ID: 0003_candidates
Revises: 0002_job_orders
Create Date: 2026-11-23

Reviewed by hand. Partial unique indexes (SQLite and PostgreSQL) hold the invariants:
one candidate per normalised e-mail and per normalised phone within a supplier, one
candidate per "add candidate" form submission (request_key), one current résumé per
candidate. email_normalised and phone_normalised are also indexed alone for matching
duplicates across suppliers.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_candidates'
down_revision = '0002_job_orders'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_normalised', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('phone_normalised', sa.String(length=20), nullable=True),
    sa.Column('location', sa.String(length=120), nullable=True),
    sa.Column('current_title', sa.String(length=120), nullable=True),
    sa.Column('years_experience', sa.Integer(), nullable=True),
    sa.Column('work_authorisation', sa.String(length=32), nullable=True),
    sa.Column('work_authorisation_other', sa.String(length=120), nullable=True),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('resume_text', sa.Text(), nullable=True),
    sa.Column('request_key', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_candidate_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], name=op.f('fk_candidate_supplier_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate'))
    )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_email_normalised'), ['email_normalised'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_phone_normalised'), ['phone_normalised'], unique=False)
        batch_op.create_index('ix_candidate_supplier_org_id_updated_at', ['supplier_org_id', 'updated_at'], unique=False)
        batch_op.create_index('uq_candidate_supplier_email', ['supplier_org_id', 'email_normalised'], unique=True, sqlite_where=sa.text('email_normalised IS NOT NULL'), postgresql_where=sa.text('email_normalised IS NOT NULL'))
        batch_op.create_index('uq_candidate_supplier_phone', ['supplier_org_id', 'phone_normalised'], unique=True, sqlite_where=sa.text('phone_normalised IS NOT NULL'), postgresql_where=sa.text('phone_normalised IS NOT NULL'))
        batch_op.create_index('uq_candidate_supplier_request_key', ['supplier_org_id', 'request_key'], unique=True, sqlite_where=sa.text('request_key IS NOT NULL'), postgresql_where=sa.text('request_key IS NOT NULL'))

    op.create_table('candidate_skill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_candidate_skill_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], name=op.f('fk_candidate_skill_supplier_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate_skill'))
    )
    with op.batch_alter_table('candidate_skill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_skill_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_skill_supplier_org_id'), ['supplier_org_id'], unique=False)
        batch_op.create_index('uq_candidate_skill_candidate_id_key', ['candidate_id', 'key'], unique=True)

    op.create_table('resume',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_resume_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], name=op.f('fk_resume_supplier_org_id_organisation')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_resume_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resume')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_resume_storage_key'))
    )
    with op.batch_alter_table('resume', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resume_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resume_supplier_org_id'), ['supplier_org_id'], unique=False)
        batch_op.create_index('uq_resume_current_candidate_id', ['candidate_id'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))



def downgrade():
    with op.batch_alter_table('resume', schema=None) as batch_op:
        batch_op.drop_index('uq_resume_current_candidate_id', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_resume_supplier_org_id'))
        batch_op.drop_index(batch_op.f('ix_resume_candidate_id'))

    op.drop_table('resume')
    with op.batch_alter_table('candidate_skill', schema=None) as batch_op:
        batch_op.drop_index('uq_candidate_skill_candidate_id_key')
        batch_op.drop_index(batch_op.f('ix_candidate_skill_supplier_org_id'))
        batch_op.drop_index(batch_op.f('ix_candidate_skill_key'))

    op.drop_table('candidate_skill')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index('uq_candidate_supplier_request_key', sqlite_where=sa.text('request_key IS NOT NULL'), postgresql_where=sa.text('request_key IS NOT NULL'))
        batch_op.drop_index('uq_candidate_supplier_phone', sqlite_where=sa.text('phone_normalised IS NOT NULL'), postgresql_where=sa.text('phone_normalised IS NOT NULL'))
        batch_op.drop_index('uq_candidate_supplier_email', sqlite_where=sa.text('email_normalised IS NOT NULL'), postgresql_where=sa.text('email_normalised IS NOT NULL'))
        batch_op.drop_index('ix_candidate_supplier_org_id_updated_at')
        batch_op.drop_index(batch_op.f('ix_candidate_phone_normalised'))
        batch_op.drop_index(batch_op.f('ix_candidate_email_normalised'))

    op.drop_table('candidate')
