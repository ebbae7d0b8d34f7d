"""provisional promised dates: cases.promised_date_provisional marks a promised date computed with a
provisional holiday schedule (a year not yet published), recomputed once the schedule arrives; cases.promised_days keeps the working days promised

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 04:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promised_date_provisional', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('promised_days', sa.Integer(), nullable=True))
        batch_op.create_index('ix_cases_promised_provisional', ['promised_date_provisional'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_promised_provisional')
        batch_op.drop_column('promised_days')
        batch_op.drop_column('promised_date_provisional')
