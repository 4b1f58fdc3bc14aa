"""Membership is the boundary (issue 12, points 1 and 2), on the real stack: Synapse, the bot, the
services under gunicorn, the roster seeded in deliberation.

A guest the secretary invited into the council's rooms (not on the roster) tries the calendar and the
signals commands: ``!datumprikker``, ``!kan``, ``!vastleggen``, ``!aanwezig``, ``!feed``, 👍 on a signal
card and ``!thema``. Each is refused in the thread with deliberation's own sentence, and nothing changes.
A member whose term ends loses their personal feed link and open poll answers; the secretaries are told
in the main room."""
from __future__ import annotations

import time
import uuid
from datetime import date, timedelta
from typing import Any, Callable

import httpx
import pytest

from devstack.matrix_client import MatrixTestClient
from shared import membership
from shared.settings import load_settings
from tests.support import replies_to

pytestmark = pytest.mark.timeout(420)

SLUG = "klantenraad"
REFUSAL = "Je staat niet (meer) op de ledenlijst van deze raad, dus je kunt hier niet meedoen."


def body(event: dict[str, Any]) -> str:
    return (event.get("content") or {}).get("body", "")


def api(stack, service: str) -> httpx.Client:
    return httpx.Client(base_url=f"{stack.url(service)}/api/v1/councils/{SLUG}", timeout=15,
                        headers={"Authorization": f"Bearer {stack.state.tokens['admin']}"})


def say(stack, client: MatrixTestClient, room: str, text: str, thread_root: str | None = None) -> str:
    sent = client.send_text(room, text, thread_root=thread_root)
    return body(client.wait_for(room, replies_to(stack.user_id("overleg"), sent), timeout=45, after=sent))


def card_root(bot: str, cluster_id: int) -> Callable[[dict[str, Any]], bool]:
    def match(event: dict[str, Any]) -> bool:
        c = event.get("content") or {}
        return (event.get("sender") == bot and event.get("type") == "m.room.message" and "m.relates_to" not in c
                and c.get("body", "").startswith(f"Signaalgroep #{cluster_id} "))
    return match


def card_edit(bot: str, root: str, needle: str) -> Callable[[dict[str, Any]], bool]:
    def match(event: dict[str, Any]) -> bool:
        c = event.get("content") or {}
        rel = c.get("m.relates_to") or {}
        return (event.get("sender") == bot and rel.get("rel_type") == "m.replace" and rel.get("event_id") == root
                and needle in (c.get("m.new_content") or {}).get("body", ""))
    return match


def own_events(cal: Any) -> list[dict[str, Any]]:
    return [e for e in cal.get("/events", params={"days": 400}).json() if e.get("source") != "deliberation"]


def join(stack, secretary: MatrixTestClient, client: MatrixTestClient, user_id: str) -> None:
    for room in (stack.state.room_id, stack.state.signals_room_id):
        secretary.invite(room, user_id)
        client.join(room)
    client.sync(0)


def _setup(stack, matrix_client) -> tuple[MatrixTestClient, MatrixTestClient, httpx.Client, httpx.Client,
                                          httpx.Client]:
    secretary = matrix_client(stack.member("secretaris"))
    anna = matrix_client(stack.member("anna"))
    for client in (secretary, anna):
        client.sync(0)
    return secretary, anna, api(stack, "deliberation"), api(stack, "calendar"), api(stack, "signals")


def _new_poll(stack, anna: MatrixTestClient, cal: httpx.Client, title: str) -> tuple[dict[str, Any], str]:
    main, bot = stack.state.room_id, stack.user_id("overleg")
    command = anna.send_text(main, f"!datumprikker {title} 12-3-2030 19-3-2030")
    root = anna.wait_for(main, lambda e: e.get("sender") == bot and title in body(e)
                         and "m.relates_to" not in (e.get("content") or {}), timeout=45, after=command)
    return next(p for p in cal.get("/polls").json() if p["title"] == title), root["event_id"]


def test_a_guest_in_the_room_is_refused_politely_and_nothing_changes(stack, matrix_user, matrix_client):
    run = uuid.uuid4().hex[:6]
    main, signals_room, bot = stack.state.room_id, stack.state.signals_room_id, stack.user_id("overleg")
    secretary, anna, delib, cal, sig = _setup(stack, matrix_client)
    poll, poll_root = _new_poll(stack, anna, cal, f"Overleg {run}")
    guest_user = matrix_user("gast", displayname="Gast")
    guest = matrix_client(guest_user)
    join(stack, secretary, guest, guest_user.user_id)
    training = cal.post("/events", json={"type": "training", "title": f"Training {run}", "start": "2030-04-02T19:30",
                                         "capacity": 1})
    assert training.status_code == 201, training.text
    number = training.json()["number"]
    # The council's own events: deadlines copied from deliberation (another test's advice) and polls of earlier
    # tests that a job closes at their deadline may arrive any time; what this run's guest did is named by `run`.
    events_before = own_events(cal)

    for text, thread in ((f"!datumprikker Gastprikker {run} 12-3-2030 19-3-2030", None),
                         ("!kan 1 2", poll_root),
                         ("!vastleggen 1", poll_root),
                         (f"!aanwezig {number}", None),
                         ("!feed", None)):
        reply = say(stack, guest, main, text, thread)
        assert reply.startswith(REFUSAL) and "Er is niets vastgelegd" in reply, (text, reply)
    assert cal.get(f"/events/{number}/attendance").json()["rsvps"] == {}
    after_poll = cal.get(f"/polls/{poll['number']}").json()
    assert after_poll["answered"] == [] and not after_poll["closed"]
    assert not any(p["title"] == f"Gastprikker {run}" for p in cal.get("/polls", params={"state": "all"}).json())
    appeared = [e for e in own_events(cal) if e not in events_before]
    assert not any(run in e["title"] for e in appeared), appeared

    # 👍 on a signal card and !thema in its thread
    sent = sig.post("/signals", json={"text": f"Kapotte lantaarnpaal bij de speeltuin in Tarwewijk ({run})."},
                    headers={"Authorization": f"Bearer {stack.state.tokens['partner']}"})
    assert sent.status_code == 201, sent.text
    cluster_id = sent.json()["signal"]["cluster_id"]
    root = anna.wait_for(signals_room, card_root(bot, cluster_id), timeout=60)["event_id"]
    before = sig.get(f"/clusters/{cluster_id}").json()
    guest.send_event(signals_room, "m.reaction",
                     {"m.relates_to": {"rel_type": "m.annotation", "event_id": root, "key": "👍"}})
    reply = say(stack, guest, signals_room, "!thema overlast", thread_root=root)
    assert reply.startswith(REFUSAL), reply
    # a member's 👍 after the guest's: the card counts exactly one
    anna.send_event(signals_room, "m.reaction",
                    {"m.relates_to": {"rel_type": "m.annotation", "event_id": root, "key": "👍"}})
    anna.wait_for(signals_room, card_edit(bot, root, "1 lid hoorde dit ook"), timeout=60)
    after = sig.get(f"/clusters/{cluster_id}").json()
    assert after["heard_by"] == [stack.user_id("anna")] and after["heard_count"] == before["heard_count"] + 1
    assert after["theme"] == before["theme"] and after["corrections"] == before["corrections"]
    for client in (delib, cal, sig):
        client.close()


def test_a_member_whose_term_ends_loses_feed_and_poll_answers_and_the_secretary_is_told(
        stack, matrix_user, matrix_client, monkeypatch):
    run = uuid.uuid4().hex[:6]
    main, bot = stack.state.room_id, stack.user_id("overleg")
    secretary, anna, delib, cal, sig = _setup(stack, matrix_client)
    former_user = matrix_user("oudlid", displayname="Oud Lid")
    former = matrix_client(former_user)
    added = delib.post("/members", json={"matrix_id": former_user.user_id, "display_name": f"Oud Lid {run}",
                                         "member_type": "huurder",
                                         "term_start": (date.today() - timedelta(days=300)).isoformat()})
    assert added.status_code == 201, added.text
    join(stack, secretary, former, former_user.user_id)
    time.sleep(membership.MISS_REFRESH_SECONDS)  # a roster copy read just before the member was added is asked again
    link = cal.post("/feeds", json={"kind": "member", "member": former_user.user_id})
    assert link.status_code == 200, link.text
    feed_url = link.json()["url"]
    assert httpx.get(feed_url, timeout=15).status_code == 200
    poll, poll_root = _new_poll(stack, anna, cal, f"Overleg {run}")
    answered = say(stack, former, main, "!kan 1", thread_root=poll_root)  # while still serving
    assert answered.startswith(f"Stand van datumprikker {poll['number']}"), answered
    assert former_user.user_id in cal.get(f"/polls/{poll['number']}").json()["answered"]

    ended = delib.patch(f"/members/{former_user.user_id}",
                        json={"term_end": (date.today() - timedelta(days=1)).isoformat()})
    assert ended.status_code == 200 and ended.json()["serving"] is False, ended.text
    ended_at = time.monotonic()
    assert cal.post("/membership/sync").status_code == 200  # what the job does every few minutes
    assert httpx.get(feed_url, timeout=15).status_code == 404
    assert former_user.user_id not in cal.get(f"/polls/{poll['number']}").json()["answered"]
    notice = secretary.wait_for(main, lambda e: e.get("sender") == bot and former_user.user_id in body(e)
                                and "Toegang beëindigd" in body(e), timeout=60)
    assert stack.user_id("secretaris") in notice["content"]["m.mentions"]["user_ids"]
    assert cal.post("/membership/sync").json()["ended"] == []  # once

    # the former member is refused too, once every worker's copy of the roster is fresh
    monkeypatch.setenv("OVERLEG_CONFIG", str(stack.config_path))
    trusted = load_settings().roster_cache_seconds  # as the stack's services read it
    time.sleep(max(0.0, trusted - (time.monotonic() - ended_at)))
    for text, thread in (("!feed", None), ("!kan 1", poll_root)):
        reply = say(stack, former, main, text, thread)
        assert reply.startswith(REFUSAL), (text, reply)
    assert former_user.user_id not in cal.get(f"/polls/{poll['number']}").json()["answered"]
    for client in (delib, cal, sig):
        client.close()
