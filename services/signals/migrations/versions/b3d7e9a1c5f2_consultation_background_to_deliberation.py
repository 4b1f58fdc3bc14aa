"""a closed consultation's summary goes to deliberation as background of its topic: owed until sent

Revision ID: b3d7e9a1c5f2
Revises: f1b8d4e6a3c2
Create Date: 2026-12-02 12:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'b3d7e9a1c5f2'
down_revision = 'f1b8d4e6a3c2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: SQLite adds it without rebuilding the table. Consultations closed before this revision are owed
    # too, so their summaries reach deliberation once.
    with op.batch_alter_table('signals_consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('background_sent_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('signals_consultations', schema=None) as batch_op:
        batch_op.drop_column('background_sent_at')
