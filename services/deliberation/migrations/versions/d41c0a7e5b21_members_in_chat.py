"""members appointed but not yet in the council's room; the selection committee's reasons

Revision ID: d41c0a7e5b21
Revises: ca9b8dfc1747
Create Date: 2026-12-02 07:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd41c0a7e5b21'
down_revision = 'ca9b8dfc1747'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Everyone on the roster before this revision is treated as in the chat, as they were.
    with op.batch_alter_table('deliberation_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_chat', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('deliberation_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deliberation_applications', schema=None) as batch_op:
        batch_op.drop_column('note')
    with op.batch_alter_table('deliberation_members', schema=None) as batch_op:
        batch_op.drop_column('in_chat')
