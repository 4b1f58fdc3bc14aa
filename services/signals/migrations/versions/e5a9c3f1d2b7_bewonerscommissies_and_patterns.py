"""bewonerscommissies and patterns: groups handed to a commissie, patterns across neighbourhoods

Revision ID: e5a9c3f1d2b7
Revises: c4d1e7a2b9f3
Create Date: 2026-12-02 11:35:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'e5a9c3f1d2b7'
down_revision = 'c4d1e7a2b9f3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('signals_clusters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forwarded_to', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('forwarded_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('forwarded_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('signals_patterns',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('theme', sa.String(length=64), nullable=False),
    sa.Column('group_ids', sa.Text(), nullable=False),
    sa.Column('wijken', sa.Text(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('card_version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signals_patterns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signals_patterns_council'), ['council'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signals_patterns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signals_patterns_council'))
    op.drop_table('signals_patterns')
    with op.batch_alter_table('signals_clusters', schema=None) as batch_op:
        batch_op.drop_column('forwarded_at')
        batch_op.drop_column('forwarded_name')
        batch_op.drop_column('forwarded_to')
