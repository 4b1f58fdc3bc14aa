"""signal posts coalesced per cluster: a signal that joins a cluster waits for one thread post per burst

``signals_signals.posted_key`` is the outbox key of the thread post that shows the signal (NULL: not
posted yet); existing signals were each posted under their own key, which is back-filled.
``signals_clusters.posts_pending`` (how many of its signals wait for their post) and
``posts_pending_since`` (when the first of them came) let the cards job post them once the cluster is
quiet, also after a restart. Nothing is owed for existing clusters.

Revision ID: 9c3e5b7d1f04
Revises: d7e2a4c8f1b9
Create Date: 2026-12-03 08:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '9c3e5b7d1f04'
down_revision = 'd7e2a4c8f1b9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('signals_signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('posted_key', sa.String(length=200), nullable=True))
    with op.batch_alter_table('signals_clusters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('posts_pending', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('posts_pending_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_signals_clusters_posts_pending', ['posts_pending'], unique=False)
    signals = sa.table('signals_signals', sa.column('id', sa.Integer), sa.column('posted_key', sa.String))
    # every signal so far was posted on its own, under signals:signal:<id> (actions.signal_key)
    op.get_bind().execute(signals.update().values(
        posted_key=sa.literal('signals:signal:') + sa.cast(signals.c.id, sa.String)))


def downgrade() -> None:
    with op.batch_alter_table('signals_clusters', schema=None) as batch_op:
        batch_op.drop_index('ix_signals_clusters_posts_pending')
        batch_op.drop_column('posts_pending_since')
        batch_op.drop_column('posts_pending')
    with op.batch_alter_table('signals_signals', schema=None) as batch_op:
        batch_op.drop_column('posted_key')
