"""A resident's erasure reaches every copy, through the whole stack: a signal with contact data sent through
the public form is carded in the signals room and put on the council's agenda; the resident erases it by
reference on the status page; afterwards no Matrix event (the card, every version of it, the thread post)
holds its text any more (redacted on the homeserver, as read through ``/rooms/{room}/event/{id}``), the
group's other signal has a new card without it, and deliberation's topic keeps neither text nor title."""
from __future__ import annotations

import random
import re
import time
from typing import Any

import httpx
import pytest

from devstack.matrix_client import MatrixTestClient

pytestmark = pytest.mark.timeout(300)

COUNCIL = "klantenraad"


def outbox(stack, key: str, timeout: float = 90) -> dict[str, Any]:
    """The bot's record of a message, once it is sent."""
    headers = {"Authorization": f"Bearer {stack.state.tokens['signals']}"}
    deadline = time.monotonic() + timeout
    while True:
        resp = httpx.get(f"{stack.url('bot')}/api/v1/outbox/{key}", headers=headers, timeout=10)
        if resp.status_code == 200 and resp.json()["state"] == "sent":
            return resp.json()
        assert time.monotonic() < deadline, (key, resp.status_code, resp.text)
        time.sleep(0.5)


def test_an_erased_signal_leaves_no_copy_in_matrix_or_deliberation(stack):
    room = stack.state.signals_room_id
    word = "".join(random.choice("bcdfghklmnprstvz") + random.choice("aeiou") for _ in range(4))  # unique per run
    text = (f"In de fietsenstalling aan de Pretorialaan in Afrikaanderwijk zijn de {word}rekken al maanden kapot "
            f"en de deur sluit niet. Bel me gerust op 06-11223344 of mail karel.visser@example.nl.")
    other = "De fietsenstalling aan de Pretorialaan in Afrikaanderwijk: de fietsenrekken zijn kapot, deur sluit niet."
    form_url = stack.status()["signal_form"]
    with httpx.Client(timeout=15) as browser:
        page = browser.get(form_url)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
        resp = browser.post(form_url, data={"csrf_token": token, "nonce": nonce, "text": text, "website": "",
                                            "name": "Karel Visser", "email": "karel.visser@example.nl",
                                            "phone": "06-11223344", "consent": "y"})
        assert resp.status_code == 303, resp.text[:500]
        reference = resp.headers["Location"].split("/signaal/")[1].split("?")[0]
        base = stack.url("signals")
        exported = browser.get(f"{base}/signaal/{reference}/export").json()
    stored = exported["text_as_stored"]
    assert word in stored and "06-11223344" not in stored and exported["contact"]["name"] == "Karel Visser"
    cluster_id = exported["cluster"]
    partner = {"Authorization": f"Bearer {stack.state.tokens['partner']}"}
    second = httpx.post(f"{base}/api/v1/councils/{COUNCIL}/signals", json={"text": other, "wijk": "Afrikaanderwijk"},
                        headers=partner, timeout=15).json()
    assert second["signal"]["cluster_id"] == cluster_id, second

    # Carded in the signals room, and put on the council's agenda.
    card_key = f"signals:cluster:{COUNCIL}:{cluster_id}"
    outbox(stack, card_key)
    bot = {"Authorization": f"Bearer {stack.state.tokens['bot']}"}
    agenda = httpx.post(f"{base}/api/v1/councils/{COUNCIL}/clusters/{cluster_id}/agenda",
                        json={"actor": stack.user_id("anna")}, headers={**bot, "Idempotency-Key": f"$e2e-{word}"},
                        timeout=30)
    assert agenda.status_code == 200, agenda.text
    topic_id = agenda.json()["cluster"]["topic_id"]
    admin = {"Authorization": f"Bearer {stack.state.tokens['admin']}"}
    topic_url = f"{stack.url('deliberation')}/api/v1/councils/{COUNCIL}/topics/{topic_id}"
    topic = httpx.get(topic_url, headers=admin, timeout=10).json()
    assert word in topic["evidence"] and word in topic["title"]

    with MatrixTestClient(stack.synapse.base_url, stack.member("bram")) as bram:
        # Everything the bot posted that holds the resident's words (the card, its versions, the thread post).
        deadline = time.monotonic() + 60
        while True:
            bram.sync(500)
            holding = [e for e in bram.events(room) if word in str(e.get("content"))]
            versions = [e for e in holding if (e["content"].get("m.relates_to") or {}).get("rel_type") == "m.replace"]
            if len(holding) >= 3 and versions:
                break
            assert time.monotonic() < deadline, [e.get("content") for e in holding]
            time.sleep(0.5)
        ids = [e["event_id"] for e in holding]

        # The resident erases the signal on the status page.
        with httpx.Client(timeout=30) as browser:
            status = browser.get(f"{base}/signaal/{reference}")
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', status.text).group(1)
            erased = browser.post(f"{base}/signaal/{reference}/wissen", data={"csrf_token": token, "bevestigd": "1"})
            assert erased.status_code == 303, erased.text[:500]
            after = browser.get(f"{base}/signaal/{reference}/export").json()
        assert after["text_as_stored"] == "" and after["contact"] is None

        # Deliberation's topic keeps neither the text nor a title made from it.
        topic = httpx.get(topic_url, headers=admin, timeout=10).json()
        assert word not in topic["evidence"] and word not in topic["title"]
        assert "06-11223344" not in topic["evidence"] and "gewist op verzoek van de bewoner" in topic["evidence"]

        # Matrix: every event that held the text is redacted on the homeserver.
        new_card = outbox(stack, f"{card_key}:r1")
        deadline = time.monotonic() + 60
        for event_id in ids:
            while True:
                event = bram.get_event(room, event_id)
                if "redacted_because" in (event.get("unsigned") or {}):
                    break
                assert time.monotonic() < deadline, event
                time.sleep(0.5)
            assert event["content"] == {} and word not in str(event)
    # A member who opens the room now (a fresh client reads its history from the server) finds none.
    with MatrixTestClient(stack.synapse.base_url, stack.member("anna")) as anna:
        anna.sync(0)
        assert not [e for e in anna.events(room) if word in str(e.get("content"))]
        assert [e for e in anna.events(room) if e["event_id"] in ids and e.get("content") == {}]
        # The group's other signal has a card again, without the erased text.
        card = anna.get_event(room, new_card["event_id"])
        assert word not in str(card["content"]) and "Afrikaanderwijk" in card["content"]["body"]
