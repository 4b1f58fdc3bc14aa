"""signals queued for grouping: a partner's signal answered 202 at once and grouped by the intake job

``signals_queued`` holds a received, scrubbed signal until the job groups it; the job inserts the
signal and deletes the queued row in one transaction.

Revision ID: a8d2f6c4e1b3
Revises: 9c3e5b7d1f04
Create Date: 2026-12-03 17:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'a8d2f6c4e1b3'
down_revision = '9c3e5b7d1f04'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'signals_queued',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('council', sa.String(length=64), nullable=False),
        sa.Column('ref_hash', sa.String(length=64), nullable=False),
        sa.Column('intake_key', sa.String(length=255), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('scrubbed_kinds', sa.String(length=120), nullable=False),
        sa.Column('wijk', sa.String(length=120), nullable=True),
        sa.Column('wijk_source', sa.String(length=16), nullable=True),
        sa.Column('home', sa.Text(), nullable=False),
        sa.Column('ts', sa.DateTime(timezone=True), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('contact_name', sa.String(length=200), nullable=True),
        sa.Column('contact_email', sa.String(length=254), nullable=True),
        sa.Column('contact_phone', sa.String(length=40), nullable=True),
        sa.Column('contact_language', sa.String(length=8), nullable=True),
        sa.Column('status_url', sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ref_hash'),
        sa.UniqueConstraint('intake_key'),
    )
    op.create_index('ix_signals_queued_queued_at', 'signals_queued', ['queued_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_signals_queued_queued_at', table_name='signals_queued')
    op.drop_table('signals_queued')
