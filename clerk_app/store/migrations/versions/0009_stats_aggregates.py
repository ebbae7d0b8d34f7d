"""stats aggregates: per-day and per-month statistics (stats_day_*, stats_month_*) and the days to recompute
(stats_dirty_days); every day that has decided cases is marked, so the first report rebuilds them
(clerk_app/stats_aggregates.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 04:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stats_dirty_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('stats_day_counts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('station_code', sa.String(length=16), nullable=False),
    sa.Column('dim', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Integer(), nullable=False),
    sa.Column('label', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('day', 'station_code', 'dim', 'key')
    )
    op.create_table('stats_day_hist',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('station_code', sa.String(length=16), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'station_code', 'measure')
    )
    op.create_table('stats_month_counts',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('station_code', sa.String(length=16), nullable=False),
    sa.Column('dim', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Integer(), nullable=False),
    sa.Column('label', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('month', 'station_code', 'dim', 'key')
    )
    op.create_table('stats_month_hist',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('station_code', sa.String(length=16), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'station_code', 'measure')
    )
    # Local (China time, no daylight saving) decision days of the existing cases.
    if op.get_bind().dialect.name == 'sqlite':
        day = "date(decided_at, '+8 hours')"
    else:
        day = "date(timezone('Asia/Shanghai', decided_at))"
    op.execute(f"INSERT INTO stats_dirty_days (day) SELECT DISTINCT {day} FROM cases WHERE decided_at IS NOT NULL")


def downgrade() -> None:
    op.drop_table('stats_month_hist')
    op.drop_table('stats_month_counts')
    op.drop_table('stats_day_hist')
    op.drop_table('stats_day_counts')
    op.drop_table('stats_dirty_days')
