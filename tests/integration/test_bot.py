"""The bot on the real homeserver: threaded answers, restarts, outages, the intake."""
from __future__ import annotations

import collections
import os
import time
import uuid

import httpx
import pytest

from devstack.matrix_client import MatrixTestClient
from tests.support import bot_process, replies_to

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def anna(stack):
    with MatrixTestClient(stack.synapse.base_url, stack.member("anna")) as client:
        client.sync(0)
        yield client


def bot_id(stack) -> str:
    return stack.user_id("overleg")


def test_help_is_a_threaded_html_reply_in_dutch(stack, anna):
    room = stack.state.room_id
    cmd = anna.send_text(room, "!hulp")
    reply = anna.wait_for(room, replies_to(bot_id(stack), cmd), timeout=30)
    content = reply["content"]
    assert content["m.relates_to"]["rel_type"] == "m.thread"
    assert content["m.relates_to"]["event_id"] == cmd
    assert content["format"] == "org.matrix.custom.html"
    assert "<ul>" in content["formatted_body"]
    assert "!hulp" in content["body"] and "opdrachten" in content["body"]
    assert content["m.mentions"] == {}


def test_help_in_english_when_asked(stack, anna):
    room = stack.state.room_id
    cmd = anna.send_text(room, "!help en")
    reply = anna.wait_for(room, replies_to(bot_id(stack), cmd), timeout=30)
    assert "commands" in reply["content"]["body"]


def test_unknown_command_names_the_closest_and_points_to_help(stack, anna):
    room = stack.state.room_id
    cmd = anna.send_text(room, "!hlup")
    reply = anna.wait_for(room, replies_to(bot_id(stack), cmd), timeout=30)
    body = reply["content"]["body"]
    assert "!hulp" in body and "!hlup" in body


def test_a_reply_inside_a_thread_stays_in_that_thread(stack, anna):
    room = stack.state.room_id
    root = anna.send_text(room, "Even een vraag over de agenda")
    cmd = anna.send_text(room, "!hulp", thread_root=root)
    reply = anna.wait_for(room, replies_to(bot_id(stack), cmd), timeout=30)
    assert reply["content"]["m.relates_to"]["event_id"] == root
    assert reply["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == cmd


def test_invites_to_other_rooms_are_ignored(stack, anna):
    other = anna.create_room(name="Niet geconfigureerd", invite=[bot_id(stack)])
    # The bot handles a sync batch in order: once it answered this, it has seen the invite.
    cmd = anna.send_text(stack.state.room_id, "!hulp")
    anna.wait_for(stack.state.room_id, replies_to(bot_id(stack), cmd), timeout=30)
    assert bot_id(stack) not in anna.joined_members(other)


def test_sigkill_during_a_burst_answers_every_command_exactly_once(stack, anna):
    room = stack.state.room_id
    commands = []
    for i in range(20):
        commands.append(anna.send_text(room, "!hulp" if i % 2 else "!taal nl"))
        if i == 6:
            stack.stop_process("bot", kill=True)
        if i == 13:
            stack.start_bot()
            time.sleep(0.3)
            stack.stop_process("bot", kill=True)
    stack.start_bot()
    stack.wait_ready(60)
    bot = bot_id(stack)
    for cmd in commands:
        anna.wait_for(room, replies_to(bot, cmd), timeout=60)
    # Give a duplicate every chance to show up before counting.
    last = anna.send_text(room, "!hulp")
    anna.wait_for(room, replies_to(bot, last), timeout=30)
    counts = collections.Counter()
    for event in anna.events(room):
        for cmd in commands:
            if replies_to(bot, cmd)(event):
                counts[cmd] += 1
    assert all(counts[cmd] == 1 for cmd in commands), counts


def intake(stack, caller: str = "signals") -> httpx.Client:
    return httpx.Client(base_url=stack.url("bot"), timeout=10,
                        headers={"Authorization": f"Bearer {stack.state.tokens[caller]}"})


def test_messages_queued_while_the_homeserver_is_down_arrive_once_in_order(stack, anna):
    room = stack.state.room_id
    run = os.urandom(4).hex()
    stack.synapse.stop()
    try:
        with intake(stack) as client:
            for i in range(10):
                resp = client.post("/api/v1/outbox", json={"messages": [
                    {"key": f"outage-{run}-{i}", "council": "klantenraad", "room": "main", "body": f"bericht {run} {i}"}]})
                assert resp.status_code == 202, resp.text
            # A service that retries its handoff does not create duplicates.
            again = client.post("/api/v1/outbox", json={"messages": [
                {"key": f"outage-{run}-3", "council": "klantenraad", "room": "main", "body": f"bericht {run} 3"}]})
            assert again.json() == {"stored": 0, "duplicates": 1}
        time.sleep(3)  # the sender meets the outage and backs off
    finally:
        stack.synapse.start()
    ours = lambda e: (e.get("content") or {}).get("body", "").startswith(f"bericht {run} ")  # noqa: E731
    anna.wait_for_all(room, ours, count=10, timeout=90)
    time.sleep(1)
    anna.sync(500)
    bodies = [e["content"]["body"] for e in anna.events(room) if ours(e)]
    assert bodies == [f"bericht {run} {i}" for i in range(10)]
    with intake(stack) as client:
        status = client.get(f"/api/v1/outbox/outage-{run}-0").json()
    assert status["state"] == "sent" and status["link"].startswith("https://matrix.to/#/")


def test_intake_refuses_what_it_should(stack):
    good = {"messages": [{"key": "x-1", "council": "klantenraad", "body": "hoi"}]}
    with httpx.Client(base_url=stack.url("bot"), timeout=10) as anon:
        assert anon.post("/api/v1/outbox", json=good).status_code == 401
        assert anon.post("/api/v1/outbox", json=good, headers={"Authorization": "Bearer wrong"}).status_code == 401
    with intake(stack, "partner") as partner:
        assert partner.post("/api/v1/outbox", json=good).status_code == 403
    with intake(stack) as client:
        bad = client.post("/api/v1/outbox", json={"messages": [{"key": "has space", "body": "x"}]})
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_input"
        assert client.post("/api/v1/outbox", content=b"not json").status_code == 400
        unknown = client.post("/api/v1/outbox", json={"messages": [{"key": "x-2", "council": "nope", "body": "x"}]})
        assert unknown.status_code == 422
        huge = client.post("/api/v1/outbox", content=b"{" + b" " * (9 * 1024 * 1024) + b"}",
                           headers={"Content-Type": "application/json"})
        assert huge.status_code == 413 and huge.json()["error"] == "too_large"
        assert client.get("/api/v1/outbox/never-sent").status_code == 404
        assert client.get("/openapi.json").json()["openapi"].startswith("3.1")


def test_an_unknown_token_stops_the_bot_with_a_clear_log_line(stack, tmp_path):
    proc, log, _ = bot_process(tmp_path, stack.synapse.base_url, matrix={"user_id": "@overleg:localhost", "access_token": "bogus"},
                                rooms={"main": stack.state.room_id})
    try:
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 2
    assert "M_UNKNOWN_TOKEN" in log.read_text()


def test_commands_from_before_the_bot_joined_are_not_answered(stack, tmp_path, matrix_user, matrix_client):
    bot_user = matrix_user("tweedebot")
    member = matrix_client(matrix_user("lid"))
    room = member.create_room(name="Tweede raad", invite=[bot_user.user_id])
    old = member.send_text(room, "!hulp")
    proc, log, port = bot_process(tmp_path, stack.synapse.base_url, matrix={"user_id": bot_user.user_id, "password": bot_user.password},
                                   rooms={"main": room})
    try:
        deadline = time.time() + 60
        while bot_user.user_id not in member.joined_members(room):
            assert time.time() < deadline, log.read_text()
            time.sleep(0.2)
        new = member.send_text(room, "!hulp")
        member.wait_for(room, replies_to(bot_user.user_id, new), timeout=30)
        assert not [e for e in member.events(room) if replies_to(bot_user.user_id, old)(e)]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_service_can_have_the_bot_write_directly_only_to_people_in_the_councils_rooms(stack):
    """A service's token must not let it make the bot DM anyone on the homeserver."""
    run = uuid.uuid4().hex[:6]
    stranger = f"@vreemde-{run}:{stack.synapse.server_name}"
    member = stack.user_id("anna")
    with intake(stack, "calendar") as client:
        resp = client.post("/api/v1/outbox", json={"messages": [
            {"key": f"dm-stranger-{run}", "council": "klantenraad", "room": "dm", "dm_to": stranger, "body": "hoi"},
            {"key": f"dm-member-{run}", "council": "klantenraad", "room": "dm", "dm_to": member, "body": "hoi"},
        ]})
        assert resp.status_code == 202, resp.text
        assert client.get(f"/api/v1/outbox/dm-stranger-{run}").json()["state"] == "failed"
        assert client.get(f"/api/v1/outbox/dm-member-{run}").json()["state"] in ("pending", "sent")
