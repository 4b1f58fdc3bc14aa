"""residents' places of a meeting, as the signals service's public sign-up reports them (the feeds show them)

Revision ID: 8d2e4f6a1b3c
Revises: 3c1e9a7d52b4
Create Date: 2026-12-02 12:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '8d2e4f6a1b3c'
down_revision = '3c1e9a7d52b4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'calendar_resident_places',
        sa.Column('event_uid', sa.String(length=120), nullable=False),
        sa.Column('meeting', sa.String(length=10), nullable=False),
        sa.Column('council', sa.String(length=64), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('taken', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('event_uid', 'meeting'),
    )
    with op.batch_alter_table('calendar_resident_places', schema=None) as batch_op:
        batch_op.create_index('ix_calendar_resident_places_council', ['council'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('calendar_resident_places', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_resident_places_council')
    op.drop_table('calendar_resident_places')
