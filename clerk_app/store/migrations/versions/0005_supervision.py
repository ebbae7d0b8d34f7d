"""supervision: statistics indexes (covering ix_cases_stats, overdue supplements, updated_at) and
the case_corrections table (supervisor corrections keep the original value)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 06:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

STATS_COLUMNS = ['decided_at', 'status', 'station_code', 'item_code', 'item_name', 'window_no',
                 'decided_by', 'first_visit', 'prereviewed_by', 'started_at', 'ticket_at', 'called_at',
                 'deficiency_due', 'rating']


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_stats', STATS_COLUMNS, unique=False)
        batch_op.create_index('ix_cases_status_due', ['status', 'deficiency_due'], unique=False)
        batch_op.create_index('ix_cases_updated', ['updated_at'], unique=False)
    op.create_table('case_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_corrections_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_corrections_case_id'))
    op.drop_table('case_corrections')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_updated')
        batch_op.drop_index('ix_cases_status_due')
        batch_op.drop_index('ix_cases_stats')
