"""numbers per council: events and polls get a ``number`` counted from 1 within their council;
rendered feeds are no longer kept in the database

Existing rows are numbered in id order per council, so with one council every number equals
its old id (what members already typed and saw). The feed cache table goes: a feed's ETag comes
from its council's version and each worker keeps the bodies it rendered (``feeds.BodyCache``).

Revision ID: 3c1e9a7d52b4
Revises: 650657b0a8dc
Create Date: 2026-12-02 07:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '3c1e9a7d52b4'
down_revision = '650657b0a8dc'
branch_labels = None
depends_on = None

TABLES = (("calendar_events", "uq_calendar_events_number"), ("calendar_polls", "uq_calendar_polls_number"))


def _backfill(table_name: str) -> None:
    conn = op.get_bind()
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("council", sa.String),
                     sa.column("number", sa.Integer))
    counters: dict[str, int] = {}
    rows = conn.execute(sa.select(table.c.id, table.c.council).order_by(table.c.id)).all()
    for row_id, council in rows:
        counters[council] = counters.get(council, 0) + 1
        conn.execute(table.update().where(table.c.id == row_id).values(number=counters[council]))


def upgrade() -> None:
    for table_name, constraint in TABLES:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        _backfill(table_name)
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.alter_column('number', existing_type=sa.Integer(), nullable=False)
            batch_op.create_unique_constraint(constraint, ['council', 'number'])
    with op.batch_alter_table('calendar_feed_cache', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_feed_cache_council')
    op.drop_table('calendar_feed_cache')


def downgrade() -> None:
    op.create_table(
        'calendar_feed_cache',
        sa.Column('feed', sa.String(length=340), nullable=False),
        sa.Column('council', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('etag', sa.String(length=80), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_modified', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('feed'),
    )
    with op.batch_alter_table('calendar_feed_cache', schema=None) as batch_op:
        batch_op.create_index('ix_calendar_feed_cache_council', ['council'], unique=False)
    for table_name, constraint in TABLES:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_constraint(constraint, type_='unique')
            batch_op.drop_column('number')
