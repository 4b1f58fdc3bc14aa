"""Consensus in the council's room, end to end: the whole stack as ``overleg up`` starts it, five real
Matrix users (the demo secretary, Anna, Bram, Chantal and Dirk) on the real Synapse, and the bot.

The council's roster is seeded by the stack; everything else happens through chat commands, with the
admin API only to read the register and to prepare topics where the chat is not what is tested."""
from __future__ import annotations

import re
import time
import uuid
from typing import Any, Callable, Iterator
from urllib.parse import quote

import httpx
import pytest

from devstack.matrix_client import MatrixTestClient

pytestmark = pytest.mark.timeout(300)

PEOPLE = ("secretaris", "anna", "bram", "chantal", "dirk")
NO_TALLY = re.compile(r"(?i)\b\d+\s*(van de|van|of|x|keer|stemmen|votes|leden eens|eens)\b|stemmen|votes")


def body(event: dict[str, Any]) -> str:
    return (event.get("content") or {}).get("body", "")


class Room:
    """The council room as the five members see it."""

    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.room_id = stack.state.room_id
        self.bot = stack.user_id("overleg")
        self.clients = {name: MatrixTestClient(stack.synapse.base_url, stack.member(name)) for name in PEOPLE}
        for client in self.clients.values():
            client.sync(0)
        self.api = httpx.Client(base_url=f"{stack.url('deliberation')}/api/v1/councils/klantenraad", timeout=10,
                                headers={"Authorization": f"Bearer {stack.state.tokens['admin']}"})

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        self.api.close()

    def reply_to(self, event_id: str) -> Callable[[dict[str, Any]], bool]:
        def match(event: dict[str, Any]) -> bool:
            rel = (event.get("content") or {}).get("m.relates_to") or {}
            return event.get("sender") == self.bot and (rel.get("m.in_reply_to") or {}).get("event_id") == event_id
        return match

    def say(self, who: str, text: str, thread: str | None = None, *, client: MatrixTestClient | None = None) -> str:
        """Send a command and return the bot's reply (its plain text); the reply stays in the thread."""
        client = client or self.clients[who]
        sent = client.send_text(self.room_id, text, thread_root=thread)
        reply = client.wait_for(self.room_id, self.reply_to(sent), timeout=30, after=sent)
        rel = reply["content"]["m.relates_to"]
        assert rel["rel_type"] == "m.thread" and rel["event_id"] == (thread or sent)
        return body(reply)

    def bot_message(self, who: str, predicate: Callable[[dict[str, Any]], bool], after: str | None = None) -> dict:
        return self.clients[who].wait_for(
            self.room_id, lambda e: e.get("sender") == self.bot and predicate(e), timeout=30, after=after)

    def round_root(self, round_id: int, who: str = "anna") -> str:
        """The proposal the service posted as a new thread root."""
        root = self.bot_message(who, lambda e: body(e).startswith(f"Overlegronde {round_id}:")
                                and "m.relates_to" not in e["content"])
        return root["event_id"]

    def open_round(self, who: str, topic_id: int, proposal: str) -> tuple[int, str]:
        reply = self.say(who, f"!ronde {topic_id} {proposal}")
        found = re.search(r"Ronde (\d+) over onderwerp #(\d+) is geopend", reply)
        assert found and int(found.group(2)) == topic_id, reply
        round_id = int(found.group(1))
        return round_id, self.round_root(round_id, who)

    def new_topic(self, who: str, title: str) -> int:
        reply = self.say(who, f"!onderwerp {title}")
        found = re.search(r"Onderwerp #(\d+) staat op de wachtlijst", reply)
        assert found, reply
        return int(found.group(1))


@pytest.fixture(scope="module")
def room(stack: Any) -> Iterator[Room]:
    council = Room(stack)
    try:
        yield council
    finally:
        council.close()


def run_id() -> str:
    return uuid.uuid4().hex[:6]


def test_topic_round_objection_amendment_concern_and_agreement(room: Room):
    run = run_id()
    topic_id = room.new_topic("anna", f"Servicekosten per wijk {run}")
    round_id, root = room.open_round(
        "anna", topic_id, f"We vragen de corporatie om de servicekosten per wijk te tonen ({run}).")

    objection = room.say("bram", "!bezwaar Dit is te duur voor huurders met een laag inkomen.", root)
    assert "bezwaar 1" in objection

    stand = room.say("chantal", "!stand", root)
    assert f"Ronde {round_id}" in stand and "Fase: beeldvorming" in stand and "versie 1" in stand
    assert "1. Bram Jansen: Dit is te duur voor huurders met een laag inkomen." in stand
    waiting = stand.split("Nog niet gereageerd:")[1].split("Open bezwaren:")[0]
    assert {"Anna de Vries", "Chantal Pinas", "Dirk Bakker"} <= set(re.findall(r"• (.+)", waiting))
    assert "Bram Jansen" not in waiting and "Secretaris" not in waiting
    assert not NO_TALLY.search(stand), stand

    amended = room.say("anna", f"!voorstel We vragen om de servicekosten per wijk, met een tegemoetkoming voor "
                               f"lage inkomens ({run}).", root)
    assert "Versie 2" in amended
    new_version = room.bot_message("anna", lambda e: body(e).startswith(f"Nieuw voorstel in ronde {round_id}: versie 2"))
    assert new_version["content"]["m.relates_to"]["event_id"] == root
    mentioned = set(new_version["content"]["m.mentions"]["user_ids"])
    assert mentioned == {room.stack.user_id(n) for n in ("anna", "bram", "chantal", "dirk")}

    assert "versie 2" in room.say("bram", "!eens", root)
    assert "bedenking" in room.say("chantal", "!bedenking Let op de uitleg aan oudere huurders.", root)
    assert room.say("dirk", "!agree", root).startswith("Noted: you agree with version 2")
    assert "versie 2" in room.say("anna", "!eens", root)

    assert "oordeelsvorming" in room.say("secretaris", "!verder", root)
    assert "besluitvorming" in room.say("secretaris", "!verder", root)
    ready = room.say("anna", "!stand", root)
    assert "Chantal Pinas: Let op de uitleg aan oudere huurders." in ready and "!besluit" in ready
    assert not NO_TALLY.search(ready), ready

    decided = room.say("anna", "!besluit", root)
    assert f"ronde {round_id} is vastgelegd (versie 2)" in decided
    room.bot_message("anna", lambda e: body(e).startswith(f"Overeenstemming in ronde {round_id}")
                     and e["content"]["m.relates_to"]["event_id"] == root)

    export = room.api.get("/register/export", params={"format": "markdown", "topic_id": topic_id})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/markdown")
    text = export.text
    assert f"met een tegemoetkoming voor lage inkomens ({run})" in text and "versie 2" in text
    assert "Chantal Pinas: eens, met een bedenking — Let op de uitleg aan oudere huurders." in text
    assert "Bram Jansen: eens" in text and "Dirk Bakker: eens" in text
    assert quote(root, safe="") in text  # the matrix.to link to the thread
    html = room.api.get("/register/export", params={"format": "html", "topic_id": topic_id})
    assert html.headers["content-type"].startswith("text/html") and "Let op de uitleg" in html.text

    closed = room.say("bram", "!bezwaar Toch niet", root)
    assert f"Ronde {round_id} is al afgesloten" in closed


def _activate_until_full(room: Room, run: str) -> list[int]:
    """Fill the agenda to its cap through the API; returns the topics it activated."""
    agenda = room.api.get("/agenda").json()
    added = []
    for i in range(agenda["cap"] - len(agenda["active"])):
        topic = room.api.post("/topics", json={"title": f"Vulonderwerp {i} {run}"}).json()
        assert room.api.post(f"/topics/{topic['id']}/activate", json={}).status_code == 200
        added.append(topic["id"])
    return added


def test_besluit_refused_while_an_objection_is_open_and_the_cap_holds(room: Room):
    run = run_id()
    topic_id = room.new_topic("chantal", f"Onderhoud portieken {run}")
    round_id, root = room.open_round("chantal", topic_id, f"Portieken twee keer per week schoonmaken ({run}).")
    room.say("bram", "!bezwaar De kosten gaan naar de huurders.", root)
    room.say("secretaris", "!verder", root)
    room.say("secretaris", "!verder", root)
    for who in ("anna", "chantal", "dirk"):
        room.say(who, "!eens", root)

    refused = room.say("anna", f"!besluit {round_id}")  # by number, from the main timeline
    lines = refused.splitlines()
    assert lines[0] == f"Er kan nog geen overeenstemming worden vastgelegd voor ronde {round_id}. Dit ontbreekt nog:"
    assert lines[1:] == ["• bezwaar 1 van Bram Jansen staat nog open."]
    assert room.api.get(f"/rounds/{round_id}").json()["state"] == "open"

    added = _activate_until_full(room, run)
    try:
        extra = room.new_topic("dirk", f"Zesde onderwerp {run}")
        refusal = room.say("dirk", f"!activeer {extra}")
        assert refusal.startswith("Er zijn al 5 onderwerpen actief")
        active = room.api.get("/agenda").json()["active"]
        assert len(active) == 5
        for topic in active:
            assert f"#{topic['id']} {topic['title']}" in refusal
        assert room.api.get(f"/topics/{extra}").json()["status"] == "voorgesteld"
    finally:
        for topic in added:
            room.api.post(f"/topics/{topic}/park", json={})
        room.api.post(f"/rounds/{round_id}/abandon", json={"actor": room.stack.user_id("secretaris")})
        room.api.post(f"/topics/{topic_id}/park", json={})


def test_a_non_member_is_refused_politely_and_nothing_is_recorded(room: Room, matrix_user, matrix_client):
    run = run_id()
    topic = room.api.post("/topics", json={"title": f"Buurtavond {run}"}).json()
    room.api.post(f"/topics/{topic['id']}/activate", json={})
    opened = room.api.post("/rounds", json={"topic_id": topic["id"], "proposal": f"Een buurtavond in mei ({run}).",
                                            "actor": room.stack.user_id("anna")}).json()
    root = room.round_root(opened["id"])
    before = room.api.get(f"/rounds/{opened['id']}/events").json()
    topics_before = room.api.get("/topics").json()

    guest_user = matrix_user("buurman", displayname="Buurman")
    guest = matrix_client(guest_user)
    room.clients["secretaris"].invite(room.room_id, guest_user.user_id)
    guest.join(room.room_id)
    guest.sync(0)

    for text, thread in ((f"!eens {opened['id']}", None), ("!bezwaar Ik wil dit niet.", root),
                         (f"!onderwerp Van buiten {run}", None)):
        reply = room.say("", text, thread, client=guest)
        assert reply.startswith("Je staat niet (meer) op de ledenlijst van deze raad"), reply
        assert "Er is niets vastgelegd" in reply
    assert room.api.get(f"/rounds/{opened['id']}/events").json() == before
    assert room.api.get("/topics").json() == topics_before

    unknown = room.say("anna", "!stand 999999")
    assert unknown == "Ik ken geen ronde 999999. Kijk het nummer nog even na."
    outside = room.say("anna", "!eens")
    assert outside.startswith("Dit werkt in de draad van een ronde")
    room.api.post(f"/rounds/{opened['id']}/abandon", json={"actor": room.stack.user_id("secretaris")})
    room.api.post(f"/topics/{topic['id']}/park", json={})


def test_the_register_links_the_thread_once_the_bot_is_back(room: Room):
    """Agreement recorded while the bot is down: the entry is stored at once, its link to the thread follows."""
    run = run_id()
    topic = room.api.post("/topics", json={"title": f"Tuinen {run}"}).json()
    room.api.post(f"/topics/{topic['id']}/activate", json={})
    anna = room.stack.user_id("anna")
    opened = room.api.post("/rounds", json={"topic_id": topic["id"], "proposal": f"Meer groen ({run}).",
                                            "actor": anna}).json()
    rid = opened["id"]
    root = room.round_root(rid)
    for name in ("anna", "bram", "chantal", "dirk"):
        assert room.api.post(f"/rounds/{rid}/positions",
                             json={"actor": room.stack.user_id(name), "position": "eens"}).status_code == 200
    for _ in range(2):
        room.api.post(f"/rounds/{rid}/phase", json={"actor": anna})
    room.stack.stop_process("bot")
    try:
        decided = room.api.post(f"/rounds/{rid}/decide", json={"actor": anna})
        assert decided.status_code == 200 and decided.json()["state"] == "akkoord"
        entry = room.api.get("/register", params={"topic_id": topic["id"]}).json()[0]
        assert entry["thread_url"] is None
    finally:
        room.stack.start_bot()
        room.stack.wait_ready(60)
    # The decision message waited in the handoff queue and lands in the thread now.
    room.bot_message("anna", lambda e: body(e).startswith(f"Overeenstemming in ronde {rid}")
                     and e["content"]["m.relates_to"]["event_id"] == root)
    deadline = time.monotonic() + 30
    while True:
        entry = room.api.get("/register", params={"topic_id": topic["id"]}).json()[0]
        if entry["thread_url"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert entry["thread_url"] == f"https://matrix.to/#/{quote(room.room_id, safe='')}/{quote(root, safe='')}"
