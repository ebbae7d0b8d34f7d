"""hall keys: data_key_versions (key-check value per hall data key version, never the key),
hall_stations (enrolled stations and their X25519 wrapping public keys), hall_key_wraps (the hall key
wrapped per station), attachment_blobs (page images in the hall database) and attachment_quarantine
(attachments that failed to decrypt, moved aside)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 03:32:24
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attachment_blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('key_version', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('attachment_quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('quarantined_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachment_quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_quarantine_sha256'), ['sha256'], unique=False)

    op.create_table('data_key_versions',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('check_value', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('version')
    )
    op.create_table('hall_stations',
    sa.Column('station_code', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=True),
    sa.Column('pending_public_key', sa.LargeBinary(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('enrolled_by', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('station_code')
    )
    op.create_table('hall_key_wraps',
    sa.Column('station_code', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['station_code'], ['hall_stations.station_code'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version'], ['data_key_versions.version'], ),
    sa.PrimaryKeyConstraint('station_code', 'version')
    )


def downgrade() -> None:
    op.drop_table('hall_key_wraps')
    op.drop_table('hall_stations')
    op.drop_table('data_key_versions')
    with op.batch_alter_table('attachment_quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_quarantine_sha256'))

    op.drop_table('attachment_quarantine')
    op.drop_table('attachment_blobs')
