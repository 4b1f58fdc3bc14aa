"""cluster cards off the intake: neighbourhoods, erasures and a pending card edit on the cluster row

``wijken`` (JSON {wijk: signals}) and ``erased_count`` are what a card needed a scan of the
cluster's signals for; they are back-filled from the signals. ``card_pending``,
``card_pending_since`` and ``card_touched_at`` record a card edit owed after an intake, so the edit
goes out once per burst and survives a restart. Existing cards are up to date: nothing is owed.

Revision ID: 5d2f8c1a9e40
Revises: 079764d7dabf
Create Date: 2026-12-02 07:40:00.000000
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '5d2f8c1a9e40'
down_revision = '079764d7dabf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('signals_clusters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wijken', sa.Text(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('erased_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('card_pending', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('card_pending_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('card_touched_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_signals_clusters_card_pending', ['card_pending'], unique=False)
    conn = op.get_bind()
    clusters = sa.table('signals_clusters', sa.column('id', sa.Integer), sa.column('wijken', sa.Text),
                        sa.column('erased_count', sa.Integer))
    signals = sa.table('signals_signals', sa.column('cluster_id', sa.Integer), sa.column('wijk', sa.String),
                       sa.column('erased_at', sa.DateTime))
    counts: dict[int, dict[str, int]] = {}
    for cluster_id, wijk, n in conn.execute(
            sa.select(signals.c.cluster_id, signals.c.wijk, sa.func.count())
            .where(signals.c.wijk.is_not(None)).group_by(signals.c.cluster_id, signals.c.wijk)):
        counts.setdefault(cluster_id, {})[wijk] = int(n)
    for cluster_id, wijken in counts.items():
        conn.execute(clusters.update().where(clusters.c.id == cluster_id)
                     .values(wijken=json.dumps(wijken, ensure_ascii=False, sort_keys=True)))
    for cluster_id, n in conn.execute(
            sa.select(signals.c.cluster_id, sa.func.count()).where(signals.c.erased_at.is_not(None))
            .group_by(signals.c.cluster_id)):
        conn.execute(clusters.update().where(clusters.c.id == cluster_id).values(erased_count=int(n)))


def downgrade() -> None:
    with op.batch_alter_table('signals_clusters', schema=None) as batch_op:
        batch_op.drop_index('ix_signals_clusters_card_pending')
        for column in ('card_touched_at', 'card_pending_since', 'card_pending', 'erased_count', 'wijken'):
            batch_op.drop_column(column)
