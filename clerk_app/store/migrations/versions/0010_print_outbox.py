"""print outbox: print_jobs rows are written in the decision / handover transaction and drained by the
print worker — the policy recorded on the job (print | ask | queue), the requester's staff number,
whether the applicant's full name may be printed, and the workstation whose printer owes the job

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 04:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('policy', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('staff_no', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('full_name', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('workstation', sa.String(length=48), nullable=True))
        batch_op.create_index('ix_print_jobs_workstation_status', ['workstation', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_print_jobs_workstation_status')
        for column in ('workstation', 'full_name', 'staff_no', 'policy'):
            batch_op.drop_column(column)
