"""A formal advice trajectory from the chat, end to end on the real stack: the secretary registers the board's
request, the council agrees a draft in a consensus round, the advice is sent, no reply comes within 14 days (the
bot says so on day 15 in the thread and the room, mentioning the secretary), a late deviating reply is recorded
and told in the room, a realisation check falls due and its outcome is kept. Then the lists members read:
``!adviezen``, ``!beloften`` and ``!besluiten``.

The legal dates are checked against the dates given in the chat (the service's own clock is frozen in the
integration tests); the follow-up jobs run on the real clock here, with dates chosen so they fall due now."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

import pytest

from devstack.matrix_client import MatrixTestClient
from shared import i18n

pytestmark = pytest.mark.timeout(300)

AMS = ZoneInfo("Europe/Amsterdam")
PEOPLE = ("secretaris", "anna", "bram", "chantal", "dirk")


def body(event: dict[str, Any]) -> str:
    return (event.get("content") or {}).get("body", "")


def chat(day: date) -> str:
    return f"{day.day}-{day.month}-{day.year}"


def nl(day: date) -> str:
    return i18n.fmt_date(day, "nl")


class Council:
    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.room_id = stack.state.room_id
        self.bot = stack.user_id("overleg")
        self.clients = {name: MatrixTestClient(stack.synapse.base_url, stack.member(name)) for name in PEOPLE}
        for client in self.clients.values():
            client.sync(0)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()

    def say(self, who: str, text: str, thread: str | None = None) -> str:
        """Send a command as ``who``; return the bot's threaded reply to it."""
        client = self.clients[who]
        sent = client.send_text(self.room_id, text, thread_root=thread)

        def reply(event: dict[str, Any]) -> bool:
            rel = (event.get("content") or {}).get("m.relates_to") or {}
            return event.get("sender") == self.bot and (rel.get("m.in_reply_to") or {}).get("event_id") == sent

        answer = client.wait_for(self.room_id, reply, timeout=30, after=sent)
        assert answer["content"]["m.relates_to"]["event_id"] == (thread or sent)
        return body(answer)

    def bot_message(self, predicate: Callable[[dict[str, Any]], bool], who: str = "anna",
                    timeout: float = 45) -> dict[str, Any]:
        return self.clients[who].wait_for(self.room_id, lambda e: e.get("sender") == self.bot and predicate(e),
                                          timeout=timeout)


def in_thread(root: str) -> Callable[[dict[str, Any]], bool]:
    def match(event: dict[str, Any]) -> bool:
        rel = (event.get("content") or {}).get("m.relates_to") or {}
        return rel.get("rel_type") == "m.thread" and rel.get("event_id") == root
    return match


def in_room(event: dict[str, Any]) -> bool:
    return "m.relates_to" not in (event.get("content") or {})


@pytest.fixture(scope="module")
def council(stack: Any) -> Iterator[Council]:
    c = Council(stack)
    try:
        yield c
    finally:
        c.close()


def test_a_whole_advice_trajectory_runs_from_the_chat(council: Council):
    c, run = council, uuid.uuid4().hex[:6]
    secretary = c.stack.user_id("secretaris")
    today = datetime.now(AMS).date()
    received, sent = today - timedelta(days=20), today - timedelta(days=16)

    topic_reply = c.say("secretaris", f"!onderwerp Servicekosten {run}")
    topic_id = int(re.search(r"Onderwerp #(\d+)", topic_reply).group(1))  # type: ignore[union-attr]

    refused = c.say("anna", f"!advies {topic_id} Beleid servicekosten {run}")
    assert refused.startswith("Dit doet de secretaris: een adviesaanvraag vastleggen"), refused

    registered = c.say("secretaris", f"!advies {topic_id} Beleid servicekosten {run} ontvangen {chat(received)}")
    found = re.search(r"Advies (\d+) is vastgelegd", registered)
    assert found, registered
    aid = int(found.group(1))
    deadline = received + timedelta(weeks=6)
    assert f"uiterlijk {nl(deadline)} nodig" in registered

    root_event = c.bot_message(lambda e: in_room(e) and body(e).startswith(f"Adviesaanvraag {aid}: "))
    root, text = root_event["event_id"], body(root_event)
    assert f"Ontvangen op {nl(received)}" in text and f"uiterlijk {nl(deadline)} nodig (6 weken" in text
    assert "werkwijze: formeel advies" in text and "binnen 14 dagen schriftelijk" in text

    early = c.say("secretaris", "!verstuurd", root)
    assert early.startswith(f"Advies {aid} kan pas als verstuurd worden vastgelegd"), early

    # The draft, in the existing round machinery.
    opened = c.say("anna", f"!concept We adviseren de kosten per wijk te tonen ({run}).", root)
    round_id = int(re.search(r"ronde (\d+)", opened).group(1))  # type: ignore[union-attr]
    c.bot_message(lambda e: in_thread(root)(e) and f"overlegronde {round_id}" in body(e))
    round_root = c.bot_message(lambda e: in_room(e) and body(e).startswith(f"Overlegronde {round_id}:"))
    assert f"conceptadvies voor advies {aid}" in body(round_root) and "!verder" in body(round_root)
    rr = round_root["event_id"]
    for who in ("anna", "bram", "chantal", "dirk"):
        c.say(who, "!eens", rr)
    refused_phase = c.say("anna", "!besluit", rr)
    assert "!verder" in refused_phase, refused_phase
    c.say("secretaris", "!verder", rr)
    c.say("secretaris", "!verder", rr)
    assert f"ronde {round_id} is vastgelegd" in c.say("anna", "!besluit", rr)
    c.bot_message(lambda e: in_thread(root)(e) and body(e).startswith("De raad is het eens over het conceptadvies"))

    # Sent 16 days ago: the reply was due 2 days ago. The bot says so in the thread and the room.
    noted = c.say("secretaris", f"!verstuurd {chat(sent)}", root)
    reply_due = sent + timedelta(days=14)
    assert f"verstuurd op {nl(sent)}" in noted and f"uiterlijk {nl(reply_due)}" in noted
    for where in (in_thread(root), in_room):
        late = c.bot_message(lambda e, w=where: w(e) and body(e).startswith(
            f"Het bestuur heeft nog niet gereageerd op advies {aid}"), who="bram")
        assert f"uiterlijk {nl(reply_due)}" in body(late)
        assert secretary in late["content"]["m.mentions"]["user_ids"]

    bare = c.say("secretaris", "!reactie wijktaf", root)
    assert bare.startswith("Een bestuur dat afwijkt van het advies moet zijn redenen geven"), bare
    reply = c.say("secretaris", "!reactie wijktaf De kosten per wijk zijn te duur om uit te rekenen. vandaag", root)
    assert "het bestuur wijkt af van het advies" in reply and f"ontvangen {nl(today)}" in reply
    assert "na de termijn van 14 dagen" in reply
    told = c.bot_message(lambda e: in_room(e) and body(e).startswith(f"Het bestuur wijkt af van advies {aid}"))
    assert "te laat" in body(told)

    planned = c.say("secretaris", f"!toets {aid} {chat(today)}")
    assert f"Toets 1 van advies {aid} staat gepland op {nl(today)}" in planned
    asked = c.bot_message(lambda e: in_thread(root)(e) and body(e).startswith(
        f"Vandaag toetsen we de realisatie van advies {aid}"))
    assert f"!uitkomst {aid} uitgevoerd|deels|niet" in body(asked)
    outcome = c.say("bram", f"!uitkomst {aid} deels Per wijk nog niet zichtbaar.")
    assert "deels uitgevoerd" in outcome
    kept = c.bot_message(lambda e: in_thread(root)(e) and body(e).startswith(f"Uitkomst van de toets van advies {aid}"))
    assert "Per wijk nog niet zichtbaar." in body(kept)

    running = c.say("chantal", "!adviezen")
    assert f"{aid}. Beleid servicekosten {run}" not in running  # completed
    promises = c.say("chantal", "!beloften")
    assert f"Advies {aid} (Beleid servicekosten {run}): het bestuur wijkt af van het advies" in promises
    assert "De kosten per wijk zijn te duur" in promises and "deels uitgevoerd – Per wijk nog niet zichtbaar." in promises
    decisions = c.say("dirk", f"!besluiten {run}")
    assert decisions.startswith(f"Besluiten met ‘{run}’") and f"We adviseren de kosten per wijk te tonen ({run})." in decisions
    assert "geen bezwaren" in decisions
    help_text = c.say("dirk", "!hulp")
    for word in ("!advies", "!concept", "!verstuurd", "!reactie", "!toets", "!uitkomst", "!adviezen", "!beloften",
                 "!besluiten", "!termijn"):
        assert word in help_text


def test_adviezen_lists_an_open_trajectory_with_its_next_date(council: Council):
    c, run = council, uuid.uuid4().hex[:6]
    today = datetime.now(AMS).date()
    topic_id = int(re.search(r"Onderwerp #(\d+)", c.say("secretaris", f"!onderwerp Huurbeleid {run}"))  # type: ignore[union-attr]
                   .group(1))
    registered = c.say("secretaris", f"!advice {topic_id} Huurbeleid {run} consent")
    assert registered.startswith("Advice ") and "consent request" in registered
    aid = int(re.search(r"Advice (\d+)", registered).group(1))  # type: ignore[union-attr]
    listed = c.say("anna", "!adviezen")
    line = next(ln for ln in listed.splitlines() if f"{aid}. Huurbeleid {run}" in ln)
    assert "instemmingsverzoek" in line and f"advies uiterlijk {nl(today + timedelta(weeks=6))}" in line
    assert "!besluit" not in c.say("anna", "!besluiten zzz-niet-gevonden")  # its own command, no suggestion
