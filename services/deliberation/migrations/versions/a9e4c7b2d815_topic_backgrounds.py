"""background notes on topics from other services (a residents' consultation's summary): shown in the topic's
rounds and with its decisions in the decision list

Revision ID: a9e4c7b2d815
Revises: f3c8a1d6e2b7
Create Date: 2026-12-02 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9e4c7b2d815'
down_revision = 'f3c8a1d6e2b7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deliberation_topic_backgrounds',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('source_key', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['topic_id'], ['deliberation_topics.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('topic_id', 'source_key', name='uq_deliberation_topic_backgrounds_key')
    )
    with op.batch_alter_table('deliberation_topic_backgrounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliberation_topic_backgrounds_council'), ['council'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_topic_backgrounds_topic_id'), ['topic_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deliberation_topic_backgrounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliberation_topic_backgrounds_topic_id'))
        batch_op.drop_index(batch_op.f('ix_deliberation_topic_backgrounds_council'))
    op.drop_table('deliberation_topic_backgrounds')
