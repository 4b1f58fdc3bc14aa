"""Migrations and the outbox queue, on SQLite and (second pass) PostgreSQL."""
from __future__ import annotations

import importlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from shared.db import Database
from shared.outbox import OutboundMessage, QueueStore, utcnow

pytestmark = pytest.mark.postgres

SERVICES = ["deliberation", "calendar", "signals", "werkplek", "bot"]


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_create_the_tables_of_the_models_and_run_twice(database_url, service):
    module = importlib.import_module(f"services.{service}.app")
    db = Database(database_url)
    module.migrate(db)
    module.migrate(db)  # a second start finds nothing to do
    tables = set(inspect(db.engine).get_table_names())
    base = {"bot": "services.bot.store:BotBase"}.get(service, f"services.{service}.models:{service.title()}Base")
    mod, _, name = base.partition(":")
    metadata = getattr(importlib.import_module(mod), name).metadata
    assert set(metadata.tables) <= tables
    assert f"{service}_alembic_version" in tables
    db.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_models_and_migrations_agree(database_url, service):
    """No model change without a migration: autogenerate finds nothing to add."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    module = importlib.import_module(f"services.{service}.app")
    db = Database(database_url)
    module.migrate(db)
    base = {"bot": "services.bot.store:BotBase"}.get(service, f"services.{service}.models:{service.title()}Base")
    mod, _, name = base.partition(":")
    metadata = getattr(importlib.import_module(mod), name).metadata
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = [d for d in compare_metadata(ctx, metadata) if f"{service}_alembic_version" not in repr(d)]
    assert diff == [], f"{service}: models differ from migrations: {diff}"
    db.dispose()


@pytest.fixture
def queue(database_url):
    from services.bot.app import migrate
    from services.bot.store import BotOutbox

    db = Database(database_url)
    migrate(db)
    yield db, QueueStore(BotOutbox, lease=timedelta(seconds=30))
    db.dispose()


def msg(key: str, room: str = "!a:x") -> OutboundMessage:
    return OutboundMessage(key=key, room=room, body=key)


def test_enqueue_is_idempotent_by_key(queue):
    db, q = queue
    with db.session() as s:
        assert q.enqueue(s, msg("m1"), room_id="!a:x") is True
        assert q.enqueue(s, msg("m1"), room_id="!a:x") is False
    with db.read() as s:
        assert q.counts(s) == {"pending": 1}


def test_only_the_head_of_each_room_is_claimed_and_a_waiting_head_holds_its_room(queue):
    db, q = queue
    with db.session() as s:
        for key, room in [("a1", "!a:x"), ("a2", "!a:x"), ("b1", "!b:x")]:
            q.enqueue(s, msg(key, room), room_id=room)
    now = utcnow()
    with db.session() as s:
        claimed = {row.key for row in q.claim_heads(s, "w1", now)}
    assert claimed == {"a1", "b1"}
    with db.session() as s:
        a1 = next(r for r in q.pending(s) if r.key == "a1")
        q.mark_retry(s, a1.id, "rate limited", 10, now)
        b1 = next(r for r in q.pending(s) if r.key == "b1")
        q.mark_sent(s, b1.id, "$b1", now)
    with db.session() as s:
        # a1 waits for its retry; a2 must not overtake it.
        assert [row.key for row in q.claim_heads(s, "w1", now)] == []
    with db.session() as s:
        assert [row.key for row in q.claim_heads(s, "w1", now + timedelta(seconds=11))] == ["a1"]


def test_a_claim_is_a_lease_another_worker_cannot_take_until_it_expires(queue):
    db, q = queue
    with db.session() as s:
        q.enqueue(s, msg("m1"), room_id="!a:x")
    now = utcnow()
    with db.session() as s:
        assert [r.key for r in q.claim_heads(s, "w1", now)] == ["m1"]
    with db.session() as s:
        assert q.claim_heads(s, "w2", now) == []
    with db.session() as s:
        assert [r.key for r in q.claim_heads(s, "w2", now + timedelta(seconds=31))] == ["m1"]


def test_concurrent_claimers_never_take_the_same_message(queue):
    db, q = queue
    with db.session() as s:
        for i in range(40):
            q.enqueue(s, msg(f"m{i}", f"!room{i}:x"), room_id=f"!room{i}:x")
    taken: dict[str, list[str]] = {}
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        barrier.wait()
        got = []
        for _ in range(5):
            with db.session() as s:
                got += [r.key for r in q.claim_heads(s, name, utcnow(), limit=5)]
        taken[name] = got

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    all_keys = [k for keys in taken.values() for k in keys]
    assert len(all_keys) == len(set(all_keys)) == 40


def test_key_and_event_lookups(queue):
    db, q = queue
    with db.session() as s:
        q.enqueue(s, msg("root"), room_id="!a:x")
        row = q.pending(s)[0]
        q.mark_sent(s, row.id, "$ev", utcnow())
    with db.read() as s:
        assert q.event_id_for_key(s, "root") == "$ev"
        assert q.key_for_event_id(s, "$ev") == "root"
        assert q.event_id_for_key(s, "missing") is None


def test_sent_text_is_forgotten_after_retention_but_the_key_still_finds_its_event(queue):
    """Residents' words must not outlive their use in a queue table (erasure reaches everywhere)."""
    db, q = queue
    now = utcnow()
    with db.session() as s:
        for key in ("old", "recent", "waiting"):
            q.enqueue(s, OutboundMessage(key=key, room="!r:x", body=f"Piet de Vries meldt lekkage ({key})"), "!r:x")
        rows = {r.key: r for r in q.pending(s)}
        q.mark_sent(s, rows["old"].id, "$old", now - timedelta(days=8))
        q.mark_sent(s, rows["recent"].id, "$recent", now - timedelta(hours=1))
    with db.session() as s:
        assert q.forget_sent_text(s, now - timedelta(days=7), keep_rows=True) == 1
    with db.read() as s:
        payloads = {r.key: r.payload for r in s.scalars(select(q.model))}
        assert "Piet" not in payloads["old"] and "Piet" in payloads["recent"] and "Piet" in payloads["waiting"]
        assert q.event_id_for_key(s, "old") == "$old" and q.key_for_event_id(s, "$old") == "old"
        assert QueueStore.message(s.scalars(select(q.model).where(q.model.key == "old")).one()).body == ""
    with db.session() as s:  # a second run has nothing left to forget
        assert q.forget_sent_text(s, now - timedelta(days=7), keep_rows=True) == 0
    with db.session() as s:  # a service's handoff queue drops the rows the bot has stored
        assert q.forget_sent_text(s, now - timedelta(hours=0), keep_rows=False) == 2
    with db.read() as s:
        assert [r.key for r in s.scalars(select(q.model))] == ["waiting"]
