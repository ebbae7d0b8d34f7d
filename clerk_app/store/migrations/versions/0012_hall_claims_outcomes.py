"""hall: case claims (who works on a case now) and the express delivery address (encrypted + masked)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 04:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_claims',
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('user_name', sa.String(length=100), nullable=False),
    sa.Column('station_code', sa.String(length=16), nullable=False),
    sa.Column('window_no', sa.String(length=16), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_address', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('delivery_address_masked', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('delivery_address_masked')
        batch_op.drop_column('delivery_address')
    op.drop_table('case_claims')
