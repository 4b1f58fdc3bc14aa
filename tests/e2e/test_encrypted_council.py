"""The council's rooms end-to-end encrypted, as Element creates them: the whole stack, a member
with an encrypting client. A signal becomes an encrypted card thread; `!agenderen` in it works;
a consensus round runs; `!hulp` answers. Nothing readable on the homeserver."""
from __future__ import annotations

import re
from typing import Any, Iterator

import httpx
import pytest

from devstack.e2ee_client import E2EEClient
from devstack.stack import Ports, Stack

pytestmark = pytest.mark.timeout(400)
COUNCIL = "klantenraad"


@pytest.fixture(scope="module")
def encrypted_stack(tmp_path_factory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("encrypted-stack"), Ports.free(), encrypted=True, workers=1)
    stack.up(demo=True, timeout=120)
    try:
        yield stack
    finally:
        stack.down()


def body(event: dict[str, Any]) -> str:
    return (event.get("content") or {}).get("body", "")


def answered(client: E2EEClient, room: str, bot: str, text: str, thread_root: str | None = None) -> dict[str, Any]:
    cmd = client.send_text(room, text, thread_root)

    def reply(event: dict[str, Any]) -> bool:
        rel = (event.get("content") or {}).get("m.relates_to") or {}
        return event.get("sender") == bot and (rel.get("m.in_reply_to") or {}).get("event_id") == cmd

    event = client.wait_for(room, reply, timeout=60)
    assert event["decrypted"], event
    return event


def test_signal_thread_and_round_in_encrypted_rooms(encrypted_stack: Stack, tmp_path) -> None:
    stack = encrypted_stack
    bot = stack.user_id("overleg")
    with E2EEClient(stack.synapse.base_url, stack.member("anna"), tmp_path / "anna") as anna:
        help_reply = answered(anna, stack.state.room_id, bot, "!hulp")
        assert "!eens" in body(help_reply)

        # A resident's signal: an encrypted card in the signals room, readable by the member.
        resp = httpx.post(f"{stack.url('signals')}/api/v1/councils/{COUNCIL}/signals", timeout=15,
                          headers={"Authorization": f"Bearer {stack.state.tokens['partner']}"},
                          json={"text": "In de Tarwewijk, Mijnsherenlaan 12, lekt het dak van de portiek al weken. "
                                        "Bel me op 06-12345678."})
        assert resp.status_code == 201, resp.text
        cluster = resp.json()["signal"]["cluster_id"]
        card = anna.wait_for(stack.state.signals_room_id, lambda e: e.get("sender") == bot and e["decrypted"]
                             and body(e).startswith(f"Signaalgroep #{cluster} "), timeout=60)
        assert "06-12345678" not in body(card)
        promoted = answered(anna, stack.state.signals_room_id, bot, "!agenderen", thread_root=card["event_id"])
        topic = re.search(r"onderwerp #(\d+)", body(promoted))
        assert topic, body(promoted)

        # A consensus round on that topic, in the encrypted main room.
        answered(anna, stack.state.room_id, bot, f"!ronde {topic.group(1)} We vragen om herstel binnen een week.")
        root = anna.wait_for(stack.state.room_id, lambda e: e.get("sender") == bot and e["decrypted"]
                             and "herstel binnen een week" in body(e)
                             and not (e.get("content") or {}).get("m.relates_to"), timeout=60)
        answered(anna, stack.state.room_id, bot, "!eens", thread_root=root["event_id"])
        status = answered(anna, stack.state.room_id, bot, "!stand", thread_root=root["event_id"])
        waiting = body(status).split("Nog niet gereageerd:", 1)[1]
        assert "Bram Jansen" in waiting and "Anna de Vries" not in waiting

    # What the homeserver stores is ciphertext.
    events = httpx.get(f"{stack.synapse.base_url}/_matrix/client/v3/rooms/{stack.state.signals_room_id}/messages",
                       params={"dir": "b", "limit": 50}, timeout=10,
                       headers={"Authorization": f"Bearer {stack.member('bram').access_token}"}).json()["chunk"]
    from_bot = [e for e in events if e["sender"] == bot and e["type"] in ("m.room.message", "m.room.encrypted")]
    assert from_bot and all(e["type"] == "m.room.encrypted" for e in from_bot)
