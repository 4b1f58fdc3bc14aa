"""co-creation over several scenarios (scenario rounds and their events) and influence on the record
(realised influence per topic; the expected influence kept when work on a topic started)

Revision ID: f3c8a1d6e2b7
Revises: b7d4e2f9a613
Create Date: 2026-12-02 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f3c8a1d6e2b7'
down_revision = 'b7d4e2f9a613'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns only: SQLite adds them without rebuilding the table other rows refer to.
    with op.batch_alter_table('deliberation_topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_influence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))

    op.create_table('deliberation_scenario_rounds',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('thread_key', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('open_key', sa.String(length=255), nullable=True),
    sa.Column('thread_room_id', sa.String(length=255), nullable=True),
    sa.Column('thread_event_id', sa.String(length=255), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('names', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['topic_id'], ['deliberation_topics.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('council', 'open_key', name='uq_deliberation_scenario_rounds_open_key'),
    sa.UniqueConstraint('council', 'number', name='uq_deliberation_scenario_rounds_council_number'),
    sa.UniqueConstraint('thread_key')
    )
    with op.batch_alter_table('deliberation_scenario_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliberation_scenario_rounds_council'), ['council'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_scenario_rounds_topic_id'), ['topic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_scenario_rounds_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_scenario_rounds_decided_on'), ['decided_on'],
                              unique=False)

    op.create_table('deliberation_scenario_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['deliberation_scenario_rounds.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'seq', name='uq_deliberation_scenario_events_round_seq')
    )
    with op.batch_alter_table('deliberation_scenario_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliberation_scenario_events_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_scenario_events_idempotency_key'), ['idempotency_key'],
                              unique=False)

    op.create_table('deliberation_influence',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('what_changed', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('kind_given', sa.Boolean(), nullable=False),
    sa.Column('basis', sa.String(length=24), nullable=True),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=255), nullable=False),
    sa.Column('created_key', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['topic_id'], ['deliberation_topics.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('topic_id', 'created_key', name='uq_deliberation_influence_created_key')
    )
    with op.batch_alter_table('deliberation_influence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliberation_influence_council'), ['council'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_influence_topic_id'), ['topic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_influence_recorded_on'), ['recorded_on'], unique=False)


def downgrade() -> None:
    op.drop_table('deliberation_influence')
    op.drop_table('deliberation_scenario_events')
    op.drop_table('deliberation_scenario_rounds')
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch would rebuild the topics table,
    # which other tables' foreign keys refer to.
    op.drop_column('deliberation_topics', 'started_on')
    op.drop_column('deliberation_topics', 'expected_influence')
