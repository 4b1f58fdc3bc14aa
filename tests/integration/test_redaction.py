"""Redaction on the real homeserver: a card redacted through the outbox loses its original body and
the bodies of its edits (as read through ``/rooms/{room}/event/{id}``); a member's own ``!signaal``
message with personal data is redacted by the bot (it has power level 50 in the council's rooms)."""
from __future__ import annotations

import os
import time
from typing import Any

import httpx
import pytest

from devstack.matrix_client import MatrixTestClient
from tests.support import replies_to

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def anna(stack):
    with MatrixTestClient(stack.synapse.base_url, stack.member("anna")) as client:
        client.sync(0)
        yield client


def intake(stack) -> httpx.Client:
    return httpx.Client(base_url=stack.url("bot"), timeout=10,
                        headers={"Authorization": f"Bearer {stack.state.tokens['signals']}"})


def sent(client: httpx.Client, key: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/api/v1/outbox/{key}").json()
        if status.get("state") == "sent":
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.3)


def redacted(anna: MatrixTestClient, room: str, event_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        event = anna.get_event(room, event_id)
        if "redacted_because" in (event.get("unsigned") or {}):
            return event
        assert time.monotonic() < deadline, event
        time.sleep(0.3)


def test_a_redacted_card_and_its_edits_keep_no_body(stack, anna):
    room = stack.state.signals_room_id
    run = os.urandom(4).hex()
    secret = f"Geheime bewonerstekst {run}"
    card = f"redaction-{run}:card"
    with intake(stack) as client:
        resp = client.post("/api/v1/outbox", json={"messages": [
            {"key": card, "council": "klantenraad", "room": "signals", "body": f"Kaart: {secret}"},
            {"key": f"{card}:v1", "council": "klantenraad", "room": "signals", "body": f"Kaart v1: {secret}",
             "edit_key": card},
            {"key": f"{card}:v2", "council": "klantenraad", "room": "signals", "body": f"Kaart v2: {secret}",
             "edit_key": card}]})
        assert resp.status_code == 202, resp.text
        events = [sent(client, k)["event_id"] for k in (card, f"{card}:v1", f"{card}:v2")]
        for event_id in events:  # readable before
            assert secret in str(anna.get_event(room, event_id)["content"])
        resp = client.post("/api/v1/outbox", json={"messages": [
            {"key": f"{card}:wis", "council": "klantenraad", "room": "signals", "kind": "redaction",
             "edit_key": card, "body": "Gewist op verzoek van de bewoner."}]})
        assert resp.status_code == 202, resp.text
        sent(client, f"{card}:wis")
    for event_id in events:
        event = redacted(anna, room, event_id)
        assert secret not in str(event) and event["content"] == {}
    # Another member's view of the room agrees: no version of the card holds the text.
    anna.sync(500)
    assert not [e for e in anna.events(room) if secret in str(e.get("content"))]


def test_a_members_signaal_with_personal_data_is_redacted_by_the_bot(stack, anna):
    room = stack.state.signals_room_id
    bot = stack.user_id("overleg")
    run = os.urandom(3).hex()
    cmd = anna.send_text(room, f"!signaal De galerijverlichting van blok {run} in Tarwewijk is al weken kapot. "
                               f"Bewoner Piet Jansen, bel 06-87654321.")
    reply = anna.wait_for(room, replies_to(bot, cmd), timeout=60)
    assert "persoonsgegevens" in reply["content"]["body"] and "verwijderd" in reply["content"]["body"]
    event = redacted(anna, room, cmd)
    assert event["content"] == {} and event["unsigned"]["redacted_because"]["sender"] == bot
