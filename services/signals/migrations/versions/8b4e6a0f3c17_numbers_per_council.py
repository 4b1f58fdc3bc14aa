"""numbers per council: signal groups (clusters) get a ``number`` counted from 1 within their council

Existing clusters are numbered in id order per council, so with one council every number equals
its old id (what members already saw). Their cards were posted under ``signals:cluster:<id>``;
``card_base`` keeps that key for them, new clusters get ``signals:cluster:<council>:<number>``.

Revision ID: 8b4e6a0f3c17
Revises: 5d2f8c1a9e40
Create Date: 2026-12-02 07:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '8b4e6a0f3c17'
down_revision = '5d2f8c1a9e40'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Columns added and a unique index, no table rebuild: SQLite's batch mode would copy and drop
    # signals_clusters, which the signals and 👍 rows refer to. The service always sets the number.
    with op.batch_alter_table('signals_clusters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('card_base', sa.String(length=200), nullable=False, server_default=''))
    conn = op.get_bind()
    table = sa.table('signals_clusters', sa.column('id', sa.Integer), sa.column('council', sa.String),
                     sa.column('number', sa.Integer), sa.column('card_base', sa.String))
    counters: dict[str, int] = {}
    for row_id, council in conn.execute(sa.select(table.c.id, table.c.council).order_by(table.c.id)).all():
        counters[council] = counters.get(council, 0) + 1
        conn.execute(table.update().where(table.c.id == row_id)
                     .values(number=counters[council], card_base=f"signals:cluster:{row_id}"))
    op.create_index('uq_signals_clusters_number', 'signals_clusters', ['council', 'number'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_signals_clusters_number', table_name='signals_clusters')
    with op.batch_alter_table('signals_clusters', schema=None) as batch_op:
        batch_op.drop_column('card_base')
        batch_op.drop_column('number')
