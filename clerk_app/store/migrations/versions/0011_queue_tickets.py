"""queue_tickets: the built-in hall queue (clerk_app/queue.py) — tickets per day, called / started /
no-show, the window that called (or may call) each

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 05:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'queue_tickets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.String(length=8), nullable=False),
        sa.Column('number', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('window_no', sa.String(length=16), nullable=True),
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('day', 'number', name='uq_queue_tickets_day_number'),
    )
    op.create_index('ix_queue_tickets_status_issued', 'queue_tickets', ['status', 'issued_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_queue_tickets_status_issued', table_name='queue_tickets')
    op.drop_table('queue_tickets')
