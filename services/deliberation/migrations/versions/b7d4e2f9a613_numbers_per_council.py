"""numbers per council: topics, rounds, advice trajectories and applications get a ``number`` counted from 1
within their council, and the domain's JSON holds numbers instead of global ids

Existing rows are numbered in id order per council. What holds ids as the domain wrote them is rewritten to
numbers: the round events (``round_id``, ``data.topic_id``, ``data.agreement``), the register's agreement, and
absence notices for a round (``round:<id>``). Relational columns (``*_id``) stay global keys. Trajectories get a
stored ``thread_key``: the old ones keep ``delib:advice:<id>``, the key the bot's outbox knows their thread by.

Columns and unique indexes only, no table rebuild: SQLite's batch mode would copy and drop tables that other rows
refer to (with foreign keys on, inside the migration's transaction, that fails). The service always sets them.

Revision ID: b7d4e2f9a613
Revises: e5a1f0c3d2b4
Create Date: 2026-12-02 08:00:00
"""
from __future__ import annotations

from typing import Any, Callable

from alembic import op
import sqlalchemy as sa


revision = 'b7d4e2f9a613'
down_revision = 'e5a1f0c3d2b4'
branch_labels = None
depends_on = None

NUMBERED = ('deliberation_topics', 'deliberation_rounds', 'deliberation_advice', 'deliberation_applications')
INDEX = {'deliberation_topics': 'uq_deliberation_topics_council_number',
         'deliberation_rounds': 'uq_deliberation_rounds_council_number',
         'deliberation_advice': 'uq_deliberation_advice_council_number',
         'deliberation_applications': 'uq_deliberation_applications_council_number'}

Ids = dict[int, int]


def _numbered(name: str) -> sa.TableClause:
    return sa.table(name, sa.column('id', sa.Integer), sa.column('council', sa.String),
                    sa.column('number', sa.Integer))


def _backfill(conn: sa.Connection, name: str) -> Ids:
    """Number the rows in id order per council; returns number by id."""
    table = _numbered(name)
    counters: dict[str, int] = {}
    numbers: Ids = {}
    for row_id, council in conn.execute(sa.select(table.c.id, table.c.council).order_by(table.c.id)).all():
        counters[council] = counters.get(council, 0) + 1
        numbers[row_id] = counters[council]
        conn.execute(table.update().where(table.c.id == row_id).values(number=numbers[row_id]))
    return numbers


def _numbers_of(conn: sa.Connection, name: str) -> Ids:
    """Number by id, as stored (the downgrade inverts it per council: a number alone is ambiguous)."""
    table = _numbered(name)
    return {row_id: number for row_id, number in conn.execute(sa.select(table.c.id, table.c.number))}


def _agreement(raw: Any, rounds: Callable[[int], int], topics: Callable[[int], int]) -> Any:
    if isinstance(raw, dict):
        raw = dict(raw)
        if raw.get('round_id') is not None:
            raw['round_id'] = rounds(int(raw['round_id']))
        if raw.get('topic_id') is not None:
            raw['topic_id'] = topics(int(raw['topic_id']))
    return raw


def _event(payload: dict[str, Any], rounds: Callable[[int], int], topics: Callable[[int], int]) -> dict[str, Any]:
    payload = dict(payload)
    if payload.get('round_id') is not None:
        payload['round_id'] = rounds(int(payload['round_id']))
    data = payload.get('data')
    if isinstance(data, dict):
        data = dict(data)
        if data.get('topic_id') is not None:
            data['topic_id'] = topics(int(data['topic_id']))
        if 'agreement' in data:
            data['agreement'] = _agreement(data['agreement'], rounds, topics)
        payload['data'] = data
    return payload


def _rewrite(conn: sa.Connection, rounds: Callable[[int], int], topics: Callable[[int], int],
             occasion: Callable[[str, str], str]) -> None:
    """Rewrite the domain's JSON and the round occasions with ``rounds``/``topics`` (id → number or back)."""
    events = sa.table('deliberation_round_events', sa.column('id', sa.Integer), sa.column('payload', sa.JSON))
    for row_id, payload in conn.execute(sa.select(events.c.id, events.c.payload)).all():
        new = _event(payload, rounds, topics)
        if new != payload:
            conn.execute(events.update().where(events.c.id == row_id).values(payload=new))
    register = sa.table('deliberation_register', sa.column('id', sa.Integer), sa.column('agreement', sa.JSON))
    for row_id, agreement in conn.execute(sa.select(register.c.id, register.c.agreement)).all():
        new = _agreement(agreement, rounds, topics)
        if new != agreement:
            conn.execute(register.update().where(register.c.id == row_id).values(agreement=new))
    absences = sa.table('deliberation_absences', sa.column('id', sa.Integer), sa.column('council', sa.String),
                        sa.column('occasion', sa.String))
    for row_id, council, old in conn.execute(sa.select(absences.c.id, absences.c.council, absences.c.occasion)
                                             .where(absences.c.occasion.like('round:%'))).all():
        new = occasion(council, old)
        if new != old:
            conn.execute(absences.update().where(absences.c.id == row_id).values(occasion=new))


def _round_councils(conn: sa.Connection) -> dict[int, str]:
    rounds = sa.table('deliberation_rounds', sa.column('id', sa.Integer), sa.column('council', sa.String))
    return {row_id: council for row_id, council in conn.execute(sa.select(rounds.c.id, rounds.c.council))}


def upgrade() -> None:
    for name in NUMBERED:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
    with op.batch_alter_table('deliberation_advice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_key', sa.String(length=200), nullable=True))
    conn = op.get_bind()
    numbers = {name: _backfill(conn, name) for name in NUMBERED}
    advice = sa.table('deliberation_advice', sa.column('id', sa.Integer), sa.column('thread_key', sa.String))
    for row_id in numbers['deliberation_advice']:
        conn.execute(advice.update().where(advice.c.id == row_id).values(thread_key=f'delib:advice:{row_id}'))
    round_numbers, topic_numbers = numbers['deliberation_rounds'], numbers['deliberation_topics']
    round_councils = _round_councils(conn)

    def occasion(council: str, old: str) -> str:
        tail = old.partition(':')[2]
        if not tail.isdigit() or round_councils.get(int(tail)) != council:
            return old  # not a round of this council: left as it was
        return f'round:{round_numbers[int(tail)]}'

    # An id without a row would be a corrupt log: the lookups fail loudly and the migration rolls back.
    _rewrite(conn, round_numbers.__getitem__, topic_numbers.__getitem__, occasion)
    for name in NUMBERED:
        op.create_index(INDEX[name], name, ['council', 'number'], unique=True)
    op.create_index('uq_deliberation_advice_thread_key', 'deliberation_advice', ['thread_key'], unique=True)


def downgrade() -> None:
    conn = op.get_bind()
    round_councils = _round_councils(conn)
    topics = sa.table('deliberation_topics', sa.column('id', sa.Integer), sa.column('council', sa.String))
    topic_councils = {row_id: council for row_id, council in conn.execute(sa.select(topics.c.id, topics.c.council))}
    round_ids = {(round_councils[i], n): i for i, n in _numbers_of(conn, 'deliberation_rounds').items()}
    topic_ids = {(topic_councils[i], n): i for i, n in _numbers_of(conn, 'deliberation_topics').items()}
    # Events and agreements name their council: rewrite each with that council's numbers.
    events = sa.table('deliberation_round_events', sa.column('id', sa.Integer), sa.column('round_id', sa.Integer),
                      sa.column('payload', sa.JSON))
    for row_id, round_pk, payload in conn.execute(sa.select(events.c.id, events.c.round_id, events.c.payload)).all():
        council = round_councils[round_pk]
        new = _event(payload, lambda n: round_ids[(council, n)], lambda n: topic_ids[(council, n)])
        conn.execute(events.update().where(events.c.id == row_id).values(payload=new))
    register = sa.table('deliberation_register', sa.column('id', sa.Integer), sa.column('council', sa.String),
                        sa.column('agreement', sa.JSON))
    for row_id, council, agreement in conn.execute(
            sa.select(register.c.id, register.c.council, register.c.agreement)).all():
        new = _agreement(agreement, lambda n, c=council: round_ids[(c, n)], lambda n, c=council: topic_ids[(c, n)])
        conn.execute(register.update().where(register.c.id == row_id).values(agreement=new))
    absences = sa.table('deliberation_absences', sa.column('id', sa.Integer), sa.column('council', sa.String),
                        sa.column('occasion', sa.String))
    for row_id, council, old in conn.execute(sa.select(absences.c.id, absences.c.council, absences.c.occasion)
                                             .where(absences.c.occasion.like('round:%'))).all():
        tail = old.partition(':')[2]
        if tail.isdigit() and (council, int(tail)) in round_ids:
            conn.execute(absences.update().where(absences.c.id == row_id)
                         .values(occasion=f'round:{round_ids[(council, int(tail))]}'))
    op.drop_index('uq_deliberation_advice_thread_key', table_name='deliberation_advice')
    for name in NUMBERED:
        op.drop_index(INDEX[name], table_name=name)
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), not batch mode: no rebuild of referenced tables here either.
    op.drop_column('deliberation_advice', 'thread_key')
    for name in NUMBERED:
        op.drop_column(name, 'number')
