"""back-office accounts, sessions, audit, result documents, feed detail

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 03:32:22.326992
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bo_departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('bo_form_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('bo_form_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bo_form_tokens_session_hash'), ['session_hash'], unique=False)

    op.create_table('bo_department_items',
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['bo_departments.id'], ),
    sa.PrimaryKeyConstraint('item_code')
    )
    with op.batch_alter_table('bo_department_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bo_department_items_department_id'), ['department_id'], unique=False)

    op.create_table('bo_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['bo_departments.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('bo_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['bo_users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bo_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bo_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bo_audit_case_id'), ['case_id'], unique=False)

    op.create_table('bo_result_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['received_cases.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by'], ['bo_users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bo_result_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bo_result_documents_case_id'), ['case_id'], unique=False)

    op.create_table('bo_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['bo_users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('bo_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bo_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bo_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_status_events_actor_id', 'bo_users', ['actor_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.drop_constraint('fk_status_events_actor_id', type_='foreignkey')
        batch_op.drop_column('actor_id')
        batch_op.drop_column('detail')

    with op.batch_alter_table('bo_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bo_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_bo_sessions_expires_at'))

    op.drop_table('bo_sessions')
    with op.batch_alter_table('bo_result_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bo_result_documents_case_id'))

    op.drop_table('bo_result_documents')
    with op.batch_alter_table('bo_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bo_audit_case_id'))
        batch_op.drop_index(batch_op.f('ix_bo_audit_at'))

    op.drop_table('bo_audit')
    op.drop_table('bo_users')
    with op.batch_alter_table('bo_department_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bo_department_items_department_id'))

    op.drop_table('bo_department_items')
    with op.batch_alter_table('bo_form_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bo_form_tokens_session_hash'))

    op.drop_table('bo_form_tokens')
    op.drop_table('bo_departments')
