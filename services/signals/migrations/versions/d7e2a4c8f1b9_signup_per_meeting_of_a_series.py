"""sign-ups per meeting: a series' bewonersavond opens one meeting at a time, each with its own list

Revision ID: d7e2a4c8f1b9
Revises: a6c8e0f2b4d6
Create Date: 2026-12-02 14:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'd7e2a4c8f1b9'
down_revision = 'a6c8e0f2b4d6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "" for a single event (its only meeting); the day (YYYY-MM-DD) of a series' meeting.
    with op.batch_alter_table('signals_signup_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting', sa.String(length=10), nullable=False, server_default=''))
        batch_op.drop_constraint('uq_signals_signup_events_event', type_='unique')
        batch_op.create_unique_constraint('uq_signals_signup_events_meeting', ['council', 'event_number', 'meeting'])


def downgrade() -> None:
    with op.batch_alter_table('signals_signup_events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_signals_signup_events_meeting', type_='unique')
        batch_op.create_unique_constraint('uq_signals_signup_events_event', ['council', 'event_number'])
        batch_op.drop_column('meeting')
