"""Fault drills for the bot: repeated SIGKILLs, and Synapse's own default rate limits."""
from __future__ import annotations

import collections
import re
import time

import httpx
import pytest

from devstack.synapse import EmbeddedSynapse, MatrixTestClient
from devstack.procs import free_port
from tests.support import body, bot_process, replies_to

pytestmark = pytest.mark.timeout(600)


def test_bot_killed_three_times_during_100_commands_answers_each_exactly_once(stack):
    bot = stack.user_id("overleg")
    room = stack.state.room_id
    members = ["anna", "bram", "chantal", "dirk"]
    clients = {m: MatrixTestClient(stack.synapse.base_url, stack.member(m)) for m in members}
    try:
        sent: list[tuple[str, str]] = []
        words = ["!hulp", "!taal nl", "!help en", "!hlup"]
        for i in range(100):
            who = members[i % len(members)]
            sent.append((who, clients[who].send_text(room, words[i % len(words)])))
            if i in (20, 50, 80):
                stack.stop_process("bot", kill=True)
            if i in (30, 60, 90):
                stack.start_bot()
        stack.start_bot()
        reader = clients["anna"]
        for _, event_id in sent:
            reader.wait_for(room, replies_to(bot, event_id), timeout=120)
        marker = reader.send_text(room, "!hulp")  # everything before it has been handled once this is answered
        reader.wait_for(room, replies_to(bot, marker), timeout=60)
        counts = collections.Counter()
        ids = {event_id for _, event_id in sent}
        for event in reader.events(room):
            rel = (event.get("content") or {}).get("m.relates_to") or {}
            target = (rel.get("m.in_reply_to") or {}).get("event_id")
            if event.get("sender") == bot and target in ids:
                counts[target] += 1
        assert len(counts) == 100 and set(counts.values()) == {1}
    finally:
        for client in clients.values():
            client.close()


@pytest.fixture(scope="module")
def strict_synapse(tmp_path_factory):
    """A homeserver with Synapse's default rate limits (rc_message 0.2/s, burst 10)."""
    hs = EmbeddedSynapse(tmp_path_factory.mktemp("strict-synapse"), free_port(), relaxed_rate_limits=False)
    hs.start(timeout=90)
    yield hs
    hs.stop()
    hs.close()


def test_default_rate_limits_30_replies_all_delivered_in_order_waiting_as_told(strict_synapse, tmp_path):
    bot_user = strict_synapse.register_user("ratebot", "ratebot-password")
    member_user = strict_synapse.register_user("lid", "lid-password")
    with MatrixTestClient(strict_synapse.base_url, member_user) as member:
        room = member.create_room(name="Strenge raad", invite=[bot_user.user_id])
        proc, log, port = bot_process(tmp_path, strict_synapse.base_url,
                                      matrix={"user_id": bot_user.user_id, "password": bot_user.password},
                                      rooms={"main": room})
        try:
            deadline = time.time() + 60
            while bot_user.user_id not in member.joined_members(room):
                assert time.time() < deadline, log.read_text()
                time.sleep(0.2)
            started = time.monotonic()
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10,
                              headers={"Authorization": "Bearer t-signals"}) as intake:
                resp = intake.post("/api/v1/outbox", json={"messages": [
                    {"key": f"burst-{i}", "council": "testraad", "room": "main", "body": f"antwoord {i:02d}"}
                    for i in range(30)]})
                assert resp.status_code == 202
            ours = lambda e: body(e).startswith("antwoord ")  # noqa: E731
            member.wait_for_all(room, ours, count=30, timeout=300)
            took = time.monotonic() - started
            bodies = [body(e) for e in member.events(room) if ours(e)]
            assert bodies == [f"antwoord {i:02d}" for i in range(30)]
            # 20 messages beyond the burst at 0.2/s cannot go faster than ~100 s.
            assert took > 80
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as intake:
                metrics = intake.get("/metrics").text
            limited = float(re.search(r"^overleg_bot_rate_limited_total (\S+)$", metrics, re.M).group(1))
            sent = float(re.search(r"^overleg_bot_messages_sent_total (\S+)$", metrics, re.M).group(1))
            assert sent == 30
            # Waiting as told means about one 429 per message beyond the burst; retrying early
            # would collect several per message.
            assert 1 <= limited <= 30, limited
        finally:
            proc.terminate()
            proc.wait(timeout=30)
