"""resident consultations: the question, the scrubbed answers, and contact details apart

Revision ID: c4d1e7a2b9f3
Revises: 0a7c0daedc8f
Create Date: 2026-12-02 11:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4d1e7a2b9f3'
down_revision = '0a7c0daedc8f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signals_consultations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('topic_title', sa.String(length=200), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('opens', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_by', sa.String(length=255), nullable=True),
    sa.Column('action_key', sa.String(length=255), nullable=True),
    sa.Column('thread_key', sa.String(length=200), nullable=True),
    sa.Column('answer_count', sa.Integer(), nullable=False),
    sa.Column('shown_count', sa.Integer(), nullable=False),
    sa.Column('announce_version', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('outcome_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('action_key'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('signals_consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signals_consultations_council'), ['council'], unique=False)
        batch_op.create_index(batch_op.f('ix_signals_consultations_closes'), ['closes'], unique=False)

    op.create_table('signals_consultation_answers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('ref_hash', sa.String(length=64), nullable=False),
    sa.Column('intake_key', sa.String(length=255), nullable=True),
    sa.Column('option', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('scrubbed_kinds', sa.String(length=120), nullable=False),
    sa.Column('wijk', sa.String(length=120), nullable=True),
    sa.Column('ts', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['signals_consultations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('intake_key'),
    sa.UniqueConstraint('ref_hash')
    )
    with op.batch_alter_table('signals_consultation_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signals_consultation_answers_consultation_id'), ['consultation_id'],
                              unique=False)

    op.create_table('signals_consultation_contacts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['signals_consultation_answers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id')
    )


def downgrade() -> None:
    op.drop_table('signals_consultation_contacts')
    with op.batch_alter_table('signals_consultation_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signals_consultation_answers_consultation_id'))
    op.drop_table('signals_consultation_answers')
    with op.batch_alter_table('signals_consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signals_consultations_closes'))
        batch_op.drop_index(batch_op.f('ix_signals_consultations_council'))
    op.drop_table('signals_consultations')
