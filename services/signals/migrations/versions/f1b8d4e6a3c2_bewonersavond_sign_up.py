"""bewonersavond sign-up: the events opened for residents, their places and waiting list, addresses apart

Revision ID: f1b8d4e6a3c2
Revises: e5a9c3f1d2b7
Create Date: 2026-12-02 11:55:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'f1b8d4e6a3c2'
down_revision = 'e5a9c3f1d2b7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signals_signup_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('event_number', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('starts', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('opened_by', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('council', 'event_number', name='uq_signals_signup_events_event')
    )
    with op.batch_alter_table('signals_signup_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signals_signup_events_council'), ['council'], unique=False)
        batch_op.create_index(batch_op.f('ix_signals_signup_events_starts'), ['starts'], unique=False)
    op.create_table('signals_signups',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email_key', sa.String(length=64), nullable=False),
    sa.Column('intake_key', sa.String(length=255), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('signed_up', sa.DateTime(timezone=True), nullable=False),
    sa.Column('moved_up', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['signals_signup_events.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('intake_key'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('signals_signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signals_signups_event_id'), ['event_id'], unique=False)
    op.create_table('signals_signup_contacts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['signup_id'], ['signals_signups.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('signup_id')
    )


def downgrade() -> None:
    op.drop_table('signals_signup_contacts')
    with op.batch_alter_table('signals_signups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signals_signups_event_id'))
    op.drop_table('signals_signups')
    with op.batch_alter_table('signals_signup_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signals_signup_events_starts'))
        batch_op.drop_index(batch_op.f('ix_signals_signup_events_council'))
    op.drop_table('signals_signup_events')
