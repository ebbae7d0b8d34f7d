"""print queue: the print_jobs table holds the dispatcher's jobs (printing/db_store.py) — job id,
case number, layout, media, pages, the clerk's message, technical detail, spooler job id

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 06:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_uid', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('case_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('layout', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('media', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('pages', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('message', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('detail', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('spooler_job_id', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_print_jobs_job_uid', ['job_uid'], unique=True)
        batch_op.create_index('ix_print_jobs_case_number', ['case_number'], unique=False)
        batch_op.create_index('ix_print_jobs_status_created', ['status', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_print_jobs_status_created')
        batch_op.drop_index('ix_print_jobs_case_number')
        batch_op.drop_index('ix_print_jobs_job_uid')
        for column in ('spooler_job_id', 'detail', 'message', 'pages', 'media', 'layout', 'case_number',
                       'job_uid'):
            batch_op.drop_column(column)
