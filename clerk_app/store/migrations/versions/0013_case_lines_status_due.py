"""case lines: index for the 容缺 worklists (deferred lines by due date)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 11:10:00
"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_lines', schema=None) as batch_op:
        batch_op.create_index('ix_case_lines_status_due', ['status', 'due_date', 'case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_case_lines_status_due')
