"""outcomes of a case after the window's decision (return, rejection, delivery, void, correction)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 04:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('case_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_outcomes_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_outcomes_case_id'))
    op.drop_table('case_outcomes')
