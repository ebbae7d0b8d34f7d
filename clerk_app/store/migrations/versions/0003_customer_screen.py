"""customer screen: the applicant's confirmation of the material list, rating time and comment

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 05:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_lines_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rating_comment', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('rating_comment')
        batch_op.drop_column('rated_at')
        batch_op.drop_column('confirmed_lines_hash')
        batch_op.drop_column('confirmed_at')
