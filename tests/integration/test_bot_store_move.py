"""The bot keeps its own state in SQLite beside its crypto store; a deployment that kept it in the
services' shared PostgreSQL database before has it moved over once, with nothing lost and nothing
sent twice. On SQLite and (second pass) PostgreSQL as the previous database."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.bot import store as bot_store
from shared.db import Database
from shared.migrations import migrate_service
from shared.outbox import OutboundMessage, utcnow

pytestmark = pytest.mark.postgres


def seed(db: Database) -> None:
    """A bot's state as the running bot writes it."""
    with db.session() as s:
        bot_store.set_state(s, "sync_token", "s72594_4483_1934")
        bot_store.set_state(s, "device_id", "OVERLEGBOT")
        for i in range(3):
            bot_store.mark_handled(s, f"$handled{i}:test.local", "!raad:test.local")
        bot_store.record_join(s, "!raad:test.local", 1_700_000_000_000)
        bot_store.set_dm_room(s, "@anna:test.local", "!dm-anna:test.local")
        bot_store.set_member_language(s, "@anna:test.local", "en")
        bot_store.keep_reaction(s, event_id="$react:test.local", room_id="!raad:test.local", sender="@anna:test.local",
                                target_event_id="$card:test.local", reaction_key="👍", ts=1, retry_in=30)
        assert bot_store.OUTBOX.enqueue(s, OutboundMessage(key="signals:card:7", room="main", body="Groep 7"),
                                        room_id="!raad:test.local")
        sent = OutboundMessage(key="deliberation:round:3", room="main", body="Ronde 3")
        assert bot_store.OUTBOX.enqueue(s, sent, room_id="!raad:test.local")
    with db.session() as s:
        row_id = s.scalar(select(bot_store.BotOutbox.id).where(bot_store.BotOutbox.key == "deliberation:round:3"))
        bot_store.OUTBOX.mark_sent(s, row_id, "$sent:test.local", utcnow())


def row_counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {t.name: s.execute(select(func.count()).select_from(t)).scalar()
                for t in bot_store.BotBase.metadata.sorted_tables}


@pytest.fixture
def previous(database_url):
    db = Database(database_url)
    migrate_service(db, "bot")
    yield db
    db.dispose()


@pytest.fixture
def own_store(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'bot.db'}")
    migrate_service(db, "bot")
    yield db
    db.dispose()


def test_the_state_moves_once_with_its_outbox_and_handled_events(previous, own_store):
    seed(previous)
    before = row_counts(previous)
    moved = bot_store.take_over_state(previous, own_store)

    assert moved == sum(before.values()) == 11
    assert row_counts(own_store) == before
    assert sum(row_counts(previous).values()) == 0  # a later fresh store cannot pick up stale rows
    with own_store.read() as s:
        assert bot_store.get_state(s, "sync_token") == "s72594_4483_1934"
        assert bot_store.is_handled(s, "$handled2:test.local")  # never answered again after the move
        assert bot_store.member_language(s, "@anna:test.local") == "en"
        assert bot_store.dm_room(s, "@anna:test.local") == "!dm-anna:test.local"
        # What was sent stays sent (same key, same event); what was waiting is still waiting.
        assert bot_store.OUTBOX.event_id_for_key(s, "deliberation:round:3") == "$sent:test.local"
        assert bot_store.OUTBOX.counts(s) == {"pending": 1, "sent": 1}
        due = bot_store.due_reactions(s, utcnow() + timedelta(minutes=1))
        assert [r.event_id for r in due] == ["$react:test.local"]
        assert due[0].next_attempt_at > utcnow()  # its retry time came over as an aware moment

    assert bot_store.take_over_state(previous, own_store) == 0  # once


def test_a_store_that_holds_state_already_takes_nothing_over(previous, own_store):
    seed(previous)
    with own_store.session() as s:
        bot_store.set_state(s, "sync_token", "newer")
    assert bot_store.take_over_state(previous, own_store) == 0
    with own_store.read() as s:
        assert bot_store.get_state(s, "sync_token") == "newer"
    assert row_counts(previous)["bot_state"] == 2  # left where it was


def test_the_bots_migration_child_moves_a_state_kept_in_postgresql_and_nothing_else(database_url, previous,
                                                                                    tmp_path):
    """What the bot runs at start (``python -m services.bot.migrate``), on the configuration an operator
    upgrading a PostgreSQL deployment has: DATABASE_URL set, the bot's state still in there."""
    seed(previous)
    data = tmp_path / "data"
    config = tmp_path / "overleg.yaml"
    config.write_text(f"data_dir: {data}\n")
    env = {**os.environ, "OVERLEG_CONFIG": str(config), "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "services.bot.migrate", "bot"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    own_store = Database(f"sqlite:///{data / 'bot.db'}")
    try:
        if database_url.startswith("sqlite"):
            # An SQLite deployment kept the bot's state in its own file all along: nothing to move.
            assert sum(row_counts(own_store).values()) == 0
            assert bot_store.take_over_previous_store(database_url, own_store) == 0
        else:
            assert "11 rows of its state moved" in done.stderr
            assert row_counts(own_store)["bot_handled_events"] == 3
            with own_store.read() as s:
                assert bot_store.get_state(s, "device_id") == "OVERLEGBOT"
            assert sum(row_counts(previous).values()) == 0
        assert bot_store.take_over_previous_store(None, own_store) == 0
    finally:
        own_store.dispose()


def test_check_config_finds_the_bots_saved_token_before_and_after_the_move(database_url, previous, tmp_path):
    """``overleg check-config`` reads the token a password login saved: from the bot's own store, or,
    before the bot's first start after the upgrade, where it was kept before."""
    from deploy.check import _bot_token
    from shared.settings import Settings

    with previous.session() as s:
        bot_store.set_state(s, "access_token", "syt_before_the_move")
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    assert _bot_token(settings) == "syt_before_the_move"

    own_store = Database(settings.database_url_for("bot"))
    try:
        migrate_service(own_store, "bot")
        with own_store.session() as s:
            bot_store.set_state(s, "access_token", "syt_in_its_own_store")
    finally:
        own_store.dispose()
    assert _bot_token(settings) == "syt_in_its_own_store"
