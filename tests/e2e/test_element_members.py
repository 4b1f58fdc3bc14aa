"""A council member on Element's current defaults, with Element's own SDK (matrix-js-sdk and its Rust
crypto, through ``tests/element_client.py``), against the whole stack with encrypted rooms.

The member logs in on a new device as Element does: cross-signing keys created and uploaded (password
UIA when asked), the device signed, a key backup, and "exclude insecure devices" on
(``OnlySignedDevicesIsolationMode``, MSC4153): room keys go only to devices their owner cross-signed,
and messages from devices that are not are not shown. Judged by what that client shows:
- a whole consensus round in the encrypted council room, every answer of the bot decrypted;
- ``!feed``: the link arrives in the bot's (encrypted) direct chat, readable;
- every message of the bot carries no shield (``NONE``: no red "unverified device" warning);
- a room key whose share to the bot is lost is recovered through the bot's key request within 30 s,
  and the command is answered exactly once;
- a member whose client withholds the key from the bot (``m.room_key.withheld``) gets exactly one
  answer in the thread, in plain Dutch, saying what happened.
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any, Callable, Iterator

import httpx
import pytest

from devstack.stack import Ports, Stack
from tests.element_client import ElementClient, Event

pytestmark = pytest.mark.timeout(240)
log = logging.getLogger(__name__)
COUNCIL = "klantenraad"
REPLY_TIMEOUT = 30.0
KEY_RECOVERY_SECONDS = 30.0
QUIET_AFTER_REPLY = 6.0  # how long a second answer to the same command is waited for
JARGON = re.compile(r"(?i)m\.room|withheld|megolm|\bolm\b|to-device|session[_ ]id|m\.unverified|m\.blacklisted"
                    r"|room[_ ]key|undecryptable|decrypt")
DUTCH = {"je", "jouw", "jij", "niet", "het", "de", "een", "bericht", "kan", "kon", "ik", "dit", "dat", "en",
         "van", "om", "op", "met", "sleutel", "versleuteld", "lezen", "opnieuw", "stuur", "verstuur", "apparaat",
         "sessie", "geverifieerd", "instellingen", "wat", "doen"}


# ------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def encrypted_stack(tmp_path_factory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("element-stack"), Ports.free(), encrypted=True, workers=1)
    stack.up(demo=True, timeout=120)
    try:
        yield stack
    finally:
        stack.down()


@pytest.fixture(scope="module")
def anna(encrypted_stack: Stack, tmp_path_factory) -> Iterator[ElementClient]:
    """Anna (on the roster) on a new Element device, as Element sets it up on first login."""
    stack = encrypted_stack
    client = ElementClient("anna", log_dir=tmp_path_factory.mktemp("element-logs"))
    client.start()
    try:
        status = client.first_login(stack.synapse.base_url, "anna", stack.state.passwords["anna"])
        assert status["cross_signing_ready"], status
        assert client.crypto_status()["isolation_mode"] == "OnlySignedDevicesIsolationMode"
        for room in (stack.state.room_id, stack.state.signals_room_id):
            assert client.join(room)["encrypted"], f"{room} should be end-to-end encrypted"
        yield client
    finally:
        client.close()


# ------------------------------------------------------------------------------------------ helpers
def body(event: Event) -> str:
    return (event.get("content") or {}).get("body", "")


def relation(event: Event) -> dict[str, Any]:
    return (event.get("content") or {}).get("m.relates_to") or {}


def replies_to(bot: str, command: str) -> Callable[[Event], bool]:
    """A message of the bot that answers ``command``: threaded on it, or a reply to it."""
    def match(event: Event) -> bool:
        rel = relation(event)
        return event["sender"] == bot and event["type"] in ("m.room.message", "m.room.encrypted") and (
            (rel.get("m.in_reply_to") or {}).get("event_id") == command
            or (rel.get("rel_type") == "m.thread" and rel.get("event_id") == command))
    return match


def readable(event: Event) -> bool:
    """The SDK has settled on this event: decrypted, or failed with a reason."""
    return not event["encrypted"] or event["decrypted"] or bool(event["decryption_failure"])


def bot_device_note(client: ElementClient, bot: str) -> str:
    """How the member's client sees the bot's devices: the first thing to read when a test fails."""
    try:
        status = client.device_status(bot)
    except Exception as exc:  # diagnostics only
        return f"(device status of {bot} unavailable: {exc})"
    devices = ", ".join(f"{d['device_id']}: signed_by_owner={d['signed_by_owner']}" for d in status["devices"])
    return f"{bot}: has cross-signing keys={status['has_cross_signing_keys']}; devices: {devices or 'none'}"


def withheld_to(client: ElementClient, bot: str, since: float) -> list[dict[str, Any]]:
    return [r for n in client.notices if n.get("event") == "to_device_out" and n.get("type") == "m.room_key.withheld"
            and n["at"] >= since for r in n["recipients"] if r["user_id"] == bot]


class Council:
    """The encrypted council room as Anna on Element sees it, and the bot's answers to her."""

    def __init__(self, stack: Stack, client: ElementClient) -> None:
        self.stack = stack
        self.client = client
        self.room_id = stack.state.room_id or ""
        self.bot = stack.user_id("overleg")

    def ask(self, text: str, thread: str | None = None, *, room_id: str | None = None,
            timeout: float = REPLY_TIMEOUT) -> tuple[str, Event]:
        """Send a command; return its event id and the bot's answer, which must be readable here."""
        room = room_id or self.room_id
        sent = self.client.send(room, text, thread_root=thread)
        started = time.monotonic()
        try:
            reply = self.client.wait_for(lambda e: replies_to(self.bot, sent)(e) and readable(e), room_id=room,
                                         timeout=timeout, describe=f"the bot's answer to {text!r}")
        except TimeoutError as exc:
            raise AssertionError(f"no answer to {text!r} within {timeout:.0f} s on Element "
                                 f"({bot_device_note(self.client, self.bot)})\n{exc}") from None
        self.assert_member_can_read(reply, f"the answer to {text!r}")
        rel = relation(reply)
        if rel.get("rel_type") == "m.thread" and (rel.get("m.in_reply_to") or {}).get("event_id") == rel.get("event_id"):
            # Replying to the thread root itself: only a fallback, or Element quotes the root under itself.
            assert rel.get("is_falling_back") is True, f"the answer to {text!r}: {rel}"
        if thread is not None:
            rel = relation(reply)
            assert rel.get("rel_type") == "m.thread" and rel.get("event_id") == thread, (
                f"the answer to {text!r} is not in its thread: {rel}")
        return sent, {**reply, "_seconds": round(time.monotonic() - started, 2)}

    def assert_member_can_read(self, event: Event, what: str) -> None:
        assert event["encrypted"], f"{what} went out unencrypted in an encrypted room: {body(event)[:80]!r}"
        assert event["decrypted"], (
            f"{what} cannot be read on Element: {event['decryption_failure']} "
            f"({bot_device_note(self.client, self.bot)})")
        assert event["shield"] == "NONE", (
            f"{what} carries a {event['shield']} shield ({event['shield_reason']}) on Element "
            f"({bot_device_note(self.client, self.bot)})")

    def bot_message(self, predicate: Callable[[Event], bool], *, room_id: str | None = None,
                    timeout: float = REPLY_TIMEOUT, describe: str = "") -> Event:
        event = self.client.wait_for(lambda e: e["sender"] == self.bot and e["type"] == "m.room.message"
                                     and readable(e) and predicate(e),
                                     room_id=room_id or self.room_id, timeout=timeout, describe=describe)
        self.assert_member_can_read(event, describe or "a message of the bot")
        return event

    def answers_to(self, command: str, room_id: str | None = None) -> list[Event]:
        return [e for e in self.client.events(room_id or self.room_id) if replies_to(self.bot, command)(e)]


@pytest.fixture(scope="module")
def council(encrypted_stack: Stack, anna: ElementClient) -> Council:
    return Council(encrypted_stack, anna)


def run_id() -> str:
    return uuid.uuid4().hex[:6]


# ------------------------------------------------------------------------------------------ a.
def test_a_whole_consensus_round_in_the_encrypted_room(council: Council, encrypted_stack: Stack) -> None:
    stack, run = encrypted_stack, run_id()
    _, reply = council.ask(f"!onderwerp Groen in de binnentuinen {run}")
    found = re.search(r"Onderwerp #(\d+) staat op de wachtlijst", body(reply))
    assert found, body(reply)
    topic = int(found.group(1))

    _, reply = council.ask(f"!activeer {topic}")
    assert f"#{topic}" in body(reply), body(reply)

    _, reply = council.ask(f"!ronde {topic} We vragen om meer groen in de binnentuinen ({run}).")
    found = re.search(r"Ronde (\d+) over onderwerp #(\d+) is geopend", body(reply))
    assert found and int(found.group(2)) == topic, body(reply)
    round_id = int(found.group(1))
    root = council.bot_message(lambda e: body(e).startswith(f"Overlegronde {round_id}:") and not relation(e),
                               describe=f"the proposal of round {round_id} (thread root)")

    _, reply = council.ask("!eens", root["event_id"])
    assert "versie 1" in body(reply), body(reply)

    # The others on the roster agree through the API (the chat of other members is not what is tested).
    headers = {"Authorization": f"Bearer {stack.state.tokens['admin']}"}
    base = f"{stack.url('deliberation')}/api/v1/councils/{COUNCIL}"
    roster = httpx.get(f"{base}/members", headers=headers, timeout=10).json()["members"]
    for member in roster:
        # A secretary without a seat guides the round and gives no position.
        if member["matrix_id"] != stack.user_id("anna") and member["serving"] and not (
                member["secretary"] and member["seat_id"] is None):
            resp = httpx.post(f"{base}/rounds/{round_id}/positions", timeout=10,
                              headers={**headers, "Idempotency-Key": f"element-{run}-{member['matrix_id']}"},
                              json={"actor": member["matrix_id"], "position": "eens"})
            assert resp.status_code == 200, resp.text

    _, reply = council.ask("!stand", root["event_id"])
    assert f"Ronde {round_id}" in body(reply), body(reply)
    _, reply = council.ask("!verder", root["event_id"])
    assert "oordeelsvorming" in body(reply), body(reply)
    _, reply = council.ask("!verder", root["event_id"])
    assert "besluitvorming" in body(reply), body(reply)
    _, reply = council.ask("!besluit", root["event_id"])
    assert f"ronde {round_id} is vastgelegd (versie 1)" in body(reply), body(reply)
    council.bot_message(lambda e: body(e).startswith(f"Overeenstemming in ronde {round_id}")
                        and relation(e).get("event_id") == root["event_id"],
                        describe=f"the agreement of round {round_id} in its thread")
    assert httpx.get(f"{base}/rounds/{round_id}", headers=headers, timeout=10).json()["state"] != "open"


# ------------------------------------------------------------------------------------------ b.
def test_b_feed_link_arrives_readable_in_the_encrypted_direct_chat(council: Council, encrypted_stack: Stack) -> None:
    _, reply = council.ask("!feed")
    assert "privébericht" in body(reply), body(reply)
    council_rooms = {encrypted_stack.state.room_id, encrypted_stack.state.signals_room_id}
    invite = council.client.wait_for_notice(
        lambda n: n.get("event") == "invite" and n.get("sender") == council.bot and n["room_id"] not in council_rooms,
        timeout=REPLY_TIMEOUT)
    assert invite["is_direct"], invite
    dm = invite["room_id"]
    try:
        feed = council.client.wait_for(lambda e: e["sender"] == council.bot and e["type"] in
                                       ("m.room.message", "m.room.encrypted") and readable(e),
                                       room_id=dm, timeout=REPLY_TIMEOUT, describe="the feed link in the DM")
    except TimeoutError as exc:
        raise AssertionError(f"no readable message of the bot in the direct chat "
                             f"({bot_device_note(council.client, council.bot)})\n{exc}") from None
    council.assert_member_can_read(feed, "the feed link in the direct chat")
    text = body(feed)
    assert "Je persoonlijke kalender" in text, text
    assert re.search(r"https?://\S+/feeds/\S+", text), text
    # Element keeps a link only when its scheme is one the spec allows in HTML (webcal:// is not).
    hrefs = re.findall(r'href="([^"]*)"', (feed["content"] or {}).get("formatted_body", ""))
    assert hrefs and all(h.startswith("https://") or h.startswith("http://") for h in hrefs), hrefs


# ------------------------------------------------------------------------------------------ c.
def test_c_every_message_of_the_bot_has_no_shield(council: Council) -> None:
    _, reply = council.ask("!hulp")
    assert "!eens" in body(reply)
    mine = [e for e in council.client.events() if e["sender"] == council.bot
            and e["type"] in ("m.room.message", "m.room.encrypted")]
    assert mine, "Element saw no message of the bot at all"
    problems = [f"{e['event_id']} in {e['room_id']}: encrypted={e['encrypted']} decrypted={e['decrypted']} "
                f"failure={e['decryption_failure']} shield={e['shield']}/{e['shield_reason']} {body(e)[:50]!r}"
                for e in mine if not (e["encrypted"] and e["decrypted"] and e["shield"] == "NONE")]
    assert not problems, (f"{len(problems)} of {len(mine)} messages of the bot are not shown cleanly on Element "
                          f"({bot_device_note(council.client, council.bot)}):\n" + "\n".join(problems[:15]))


# ------------------------------------------------------------------------------------------ d.
def test_d_a_lost_key_share_is_recovered_through_the_key_request(council: Council) -> None:
    client = council.client
    # Warm up: the bot and Anna's device know each other and an Olm session exists.
    council.ask("!agenda")
    since = time.monotonic()
    client.drop_next_room_key_share(council.room_id, council.bot)
    sent, reply = council.ask("!hulp", timeout=KEY_RECOVERY_SECONDS)
    dropped = [n for n in client.notices if n.get("event") == "key_share_dropped" and n["at"] >= since]
    assert dropped and dropped[0]["user_id"] == council.bot, (
        f"the key share to the bot was not dropped; nothing was tested: {dropped}")
    requests = [n for n in client.notices if n.get("event") == "to_device_in" and n.get("type") == "m.room_key_request"
                and n.get("sender") == council.bot and n["at"] >= since]
    assert requests, "the bot answered without asking for the key: was the share really lost?"
    assert "!eens" in body(reply), body(reply)
    assert reply["_seconds"] <= KEY_RECOVERY_SECONDS
    log.info("key share dropped: answered after %.2f s", reply["_seconds"])
    time.sleep(QUIET_AFTER_REPLY)
    answers = council.answers_to(sent)
    assert len(answers) == 1, [body(a)[:60] for a in answers]


# ------------------------------------------------------------------------------------------ e.
@pytest.mark.parametrize("how, code", [("blocked", "m.blacklisted"), ("unverified", "m.unverified")])
def test_e_a_withheld_key_is_answered_once_in_plain_dutch(council: Council, how: str, code: str) -> None:
    client = council.client
    # A thread of Anna's, readable by the bot, to send the unreadable command in.
    root = client.send(council.room_id, f"Vraag over de agenda ({run_id()})")
    since = time.monotonic()
    with client.withholding_from(council.bot, council.room_id, how):
        client.send(council.room_id, "!agenda", thread_root=root)
    withheld = withheld_to(client, council.bot, since)
    assert withheld and {w["code"] for w in withheld} == {code}, (
        f"Element did not withhold the key from the bot with {code}; nothing was tested: {withheld}")
    try:
        reply = client.wait_for(lambda e: e["sender"] == council.bot and e["type"] == "m.room.message"
                                and readable(e) and relation(e).get("event_id") == root,
                                room_id=council.room_id, timeout=REPLY_TIMEOUT,
                                describe="the bot's explanation in the thread")
    except TimeoutError as exc:
        raise AssertionError(f"the bot never told Anna that it could not read her message (withheld: {code}; "
                             f"{bot_device_note(client, council.bot)})\n{exc}") from None
    council.assert_member_can_read(reply, "the explanation of the withheld key")
    text = body(reply)
    log.info("withheld (%s): %s", code, text)
    words = set(re.findall(r"[a-zà-ÿ]+", text.lower()))
    assert len(words & DUTCH) >= 4, f"not plain Dutch: {text!r}"
    assert not JARGON.search(text), f"technical words in the explanation: {text!r}"
    time.sleep(QUIET_AFTER_REPLY)
    in_thread = [e for e in client.events(council.room_id)
                 if e["sender"] == council.bot and relation(e).get("event_id") == root]
    assert len(in_thread) == 1, [body(e)[:80] for e in in_thread]
