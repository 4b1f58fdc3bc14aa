"""selection advice

Revision ID: c2e8a4f1b905
Revises: fb16c758f284
Create Date: 2026-12-02 12:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'c2e8a4f1b905'
down_revision = 'fb16c758f284'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('werkplek_selection_advice',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=255), nullable=False),
    sa.Column('author_label', sa.String(length=120), nullable=False),
    sa.Column('advice', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('council', 'application_id', 'author', name='uq_werkplek_selection_advice')
    )
    with op.batch_alter_table('werkplek_selection_advice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_werkplek_selection_advice_council'), ['council'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('werkplek_selection_advice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_werkplek_selection_advice_council'))

    op.drop_table('werkplek_selection_advice')
