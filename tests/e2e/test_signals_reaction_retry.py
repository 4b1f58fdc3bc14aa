"""A 👍 on a signal card given while the signals service is down still counts once it is back."""
from __future__ import annotations

import time

import httpx
import pytest

from devstack.matrix_client import MatrixTestClient
from tests.support import replies_to

pytestmark = pytest.mark.timeout(300)
COUNCIL = "klantenraad"


def test_a_thumbs_up_during_an_outage_is_counted_afterwards(stack):
    bot = stack.user_id("overleg")
    room = stack.state.signals_room_id
    admin = {"Authorization": f"Bearer {stack.state.tokens['admin']}"}
    resp = httpx.post(f"{stack.url('signals')}/api/v1/councils/{COUNCIL}/signals",
                      json={"text": "Op de Dordtselaan in Tarwewijk is de lift van het seniorencomplex al twee weken "
                                    "kapot; ouderen komen hun woning niet meer uit."},
                      headers={"Authorization": f"Bearer {stack.state.tokens['partner']}"}, timeout=15)
    assert resp.status_code == 201, resp.text
    cluster_id = resp.json()["signal"]["cluster_id"]
    with MatrixTestClient(stack.synapse.base_url, stack.member("chantal")) as chantal:
        card = chantal.wait_for(room, lambda e: e.get("sender") == bot
                                and (e.get("content") or {}).get("body", "").startswith(f"Signaalgroep #{cluster_id} ")
                                and "m.relates_to" not in (e.get("content") or {}), timeout=60)
        stack.stop_process("signals")
        try:
            chantal.send_event(room, "m.reaction", {"m.relates_to": {
                "rel_type": "m.annotation", "event_id": card["event_id"], "key": "👍"}})
            # Once the bot answered a later command, it has seen (and kept) the reaction.
            marker = chantal.send_text(stack.state.room_id, "!hulp")
            chantal.wait_for(stack.state.room_id, replies_to(bot, marker), timeout=60)
        finally:
            stack.start_service("signals")
            stack.wait_ready(60)
        url = f"{stack.url('signals')}/api/v1/councils/{COUNCIL}/clusters/{cluster_id}"
        deadline = time.monotonic() + 90
        while True:
            # The bot retries kept reactions after each sync; a message makes it sync now.
            marker = chantal.send_text(stack.state.room_id, "!hulp")
            chantal.wait_for(stack.state.room_id, replies_to(bot, marker), timeout=60)
            cluster = httpx.get(url, headers=admin, timeout=10).json()
            if cluster["heard_count"] == 1:
                break
            assert time.monotonic() < deadline, cluster
            time.sleep(2)
        assert stack.user_id("chantal") in cluster["heard_by"]
