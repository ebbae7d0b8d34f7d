"""search indexes: keyset paging of case search (created_at, id) per status and per item; agent_id

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 06:00:00
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cases_created_id', 'cases', ['created_at', 'id'], unique=False)
    op.create_index('ix_cases_status_created', 'cases', ['status', 'created_at', 'id'], unique=False)
    op.create_index('ix_cases_item_created', 'cases', ['item_code', 'created_at', 'id'], unique=False)
    op.create_index('ix_cases_agent', 'cases', ['agent_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cases_agent', table_name='cases')
    op.drop_index('ix_cases_item_created', table_name='cases')
    op.drop_index('ix_cases_status_created', table_name='cases')
    op.drop_index('ix_cases_created_id', table_name='cases')
