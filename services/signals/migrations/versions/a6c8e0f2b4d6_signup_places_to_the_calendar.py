"""a bewonersavond's sign-up numbers go to the calendar (its feeds show the places left): owed until it answered

Revision ID: a6c8e0f2b4d6
Revises: b3d7e9a1c5f2
Create Date: 2026-12-02 12:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'a6c8e0f2b4d6'
down_revision = 'b3d7e9a1c5f2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Server defaults: sign-ups opened before this revision are owed once (version 1, sent 0), so the calendar
    # learns their numbers too.
    with op.batch_alter_table('signals_signup_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('calendar_sent', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('calendar_failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('calendar_retry_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('signals_signup_events', schema=None) as batch_op:
        batch_op.drop_column('calendar_retry_at')
        batch_op.drop_column('calendar_failures')
        batch_op.drop_column('calendar_sent')
        batch_op.drop_column('calendar_version')
