"""secrets only as hashes: intake keys hashed, stored answers with references dropped

Revision ID: 079764d7dabf
Revises: 145e93f016a2
Create Date: 2026-12-02 04:40:00.000000

``signals_signals.intake_key`` held the form's nonce (``form:<nonce>``) or the caller's
Idempotency-Key in clear; it now holds their SHA-256 (64 hex digits), which is what the service
looks up. ``signals_idempotency`` held whole answers, reference numbers and status URLs included,
under clear keys; keys are hashed now, so those rows can never be asked for again: they are
deleted. No column changes. The downgrade cannot bring the clear keys back (that is the point):
it leaves the hashes, which an older version simply never matches.
"""
import hashlib
import re

from alembic import op
import sqlalchemy as sa


revision = '079764d7dabf'
down_revision = '145e93f016a2'
branch_labels = None
depends_on = None

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def upgrade() -> None:
    bind = op.get_bind()
    signals = sa.table("signals_signals", sa.column("id", sa.Integer), sa.column("intake_key", sa.String))
    rows = bind.execute(sa.select(signals.c.id, signals.c.intake_key).where(signals.c.intake_key.is_not(None))).all()
    for row_id, key in rows:
        if _DIGEST.match(key):
            continue  # hashed already
        digest = hashlib.sha256(key.encode()).hexdigest()
        bind.execute(sa.update(signals).where(signals.c.id == row_id).values(intake_key=digest))
    answers = sa.table("signals_idempotency", sa.column("key", sa.String))
    bind.execute(sa.delete(answers).where(answers.c.key.contains(":")))


def downgrade() -> None:
    pass
