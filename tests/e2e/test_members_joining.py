"""A new member joins, end to end on the real stack, without an API call by the secretary: an application on the
public page, ``!aanmeldingen``, the selection committee's decisions recorded with ``!selectie``, the bot inviting
the appointed member, a round that does not wait for someone who is not in the chat yet, the welcome in the room
and the direct message on how the council works once they join. And in a round: a new version asks the objector,
``!opgelost`` from the objector, and the decision list as a file."""
from __future__ import annotations

import re
import uuid
from typing import Any, Iterator

import httpx
import pytest

from devstack.e2ee_client import E2EEClient
from test_deliberation_flow import Room, body

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def room(stack: Any) -> Iterator[Room]:
    council = Room(stack)
    try:
        yield council
    finally:
        council.close()


def apply_on_the_page(stack: Any, name: str, matrix_id: str) -> None:
    with httpx.Client(base_url=stack.url("deliberation"), timeout=10) as web:
        page = web.get("/aanmelden").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
        sent = web.post("/aanmelden", data={"csrf_token": token, "nonce": nonce, "name": name,
                                             "member_type": "huurder", "contact": "nieuw@example.org",
                                             "matrix_id": matrix_id, "motivation": "Ik wil meedenken.",
                                             "consent": "y"})
        assert sent.status_code == 303, sent.text[:500]


def test_an_applicant_is_appointed_invited_and_welcomed_from_the_chat(room: Room, stack: Any, matrix_user,
                                                                      matrix_client, tmp_path):
    run = uuid.uuid4().hex[:6]
    name = f"Fatima {run}"
    newcomer = matrix_user("fatima", displayname=name)
    fatima = matrix_client(newcomer)
    # Her phone: the bot's direct chats are end-to-end encrypted, as Element makes them.
    phone = E2EEClient(stack.synapse.base_url, newcomer, tmp_path / "fatima-phone")
    phone.sync(0)
    room.api.post("/seats", json={"area": f"Charlois {run}"})  # a vacant seat for her
    apply_on_the_page(stack, name, newcomer.user_id)
    try:
        _appoint_and_welcome(room, stack, run, name, newcomer, fatima, phone)
    finally:
        # The stack is shared by the other end-to-end tests, whose rounds must not wait for her: she stays as a
        # facilitator without a seat (a term cannot end before the day it began).
        room.api.patch(f"/members/{newcomer.user_id}", json={"seat_id": None, "secretary": True})


def _appoint_and_welcome(room: Room, stack: Any, run: str, name: str, newcomer: Any, fatima: Any, phone: Any) -> None:
    listed = room.say("secretaris", "!aanmeldingen")
    found = re.search(rf"(\d+)\. {re.escape(name)} \(huurder\), [^:]+: ontvangen", listed)
    assert found, listed
    number = int(found.group(1))
    assert "secretaris" in room.say("anna", "!aanmeldingen")  # members do not see applicants' details
    assert "uitgenodigd voor een gesprek" in room.say("secretaris", f"!selectie {number} gesprek Sterke motivatie")
    topic = room.new_topic("anna", f"Bankjes in het park {run}")
    round_id, root = room.open_round("anna", topic, f"We vragen om meer bankjes ({run}).")

    appointed = room.say("secretaris", f"!selectie {number} benoemd")
    assert f"{name} is benoemd in zetel" in appointed, appointed
    room.bot_message("anna", lambda e: body(e).startswith(f"{name} is benoemd in de raad")
                     and "nog niet in de chat" in body(e))
    assert fatima.wait_for_invite(stack.state.room_id, timeout=30) == stack.state.room_id

    # Not in the chat yet: listed apart, not waited for.
    stand = room.say("bram", "!stand", root)
    assert "Nog niet in de chat" in stand and name in stand.split("Nog niet in de chat")[1]
    waiting = stand.split("Nog niet gereageerd:")[1].split("Nog niet in de chat")[0] if "Nog niet gereageerd:" in stand \
        else ""
    assert name not in waiting

    fatima.join(stack.state.room_id)
    welcome = room.bot_message("anna", lambda e: body(e).startswith(f"Welkom in de raad, {name}!"))
    assert welcome["content"]["m.mentions"]["user_ids"] == [newcomer.user_id]
    try:
        dm = phone.wait_for_invite(timeout=45)
        phone.join(dm)
        howto = phone.wait_for(dm, lambda e: "zo werkt de raad in deze chat" in body(e), timeout=45)
    finally:
        phone.close()
    assert howto["decrypted"] and "minstens" in body(howto) and "!hulp" in body(howto)
    # Now she is waited for like everyone else.
    later = room.say("bram", "!stand", root)
    assert "Nog niet in de chat" not in later and name in later.split("Nog niet gereageerd:")[1]
    assert round_id > 0


def test_a_new_version_asks_the_objector_who_resolves_it_and_the_list_comes_as_a_file(room: Room):
    run = uuid.uuid4().hex[:6]
    topic = room.new_topic("anna", f"Verlichting portiek {run}")
    round_id, root = room.open_round("anna", topic, f"Meer licht in de portieken ({run}).")
    assert "bezwaar 1" in room.say("bram", "!bezwaar Te fel licht in de slaapkamers.", root)
    room.say("anna", f"!voorstel Meer licht in de portieken, met bewegingsmelders ({run}).", root)
    asked = room.bot_message("bram", lambda e: body(e).startswith(f"Nieuw voorstel in ronde {round_id}: versie 2"))
    assert "Bezwaar 1 (op versie 1) blijft staan" in body(asked)
    assert room.stack.user_id("bram") in asked["content"]["m.mentions"]["user_ids"]
    stand = room.say("chantal", "!stand", root)
    assert "lost versie 2 het op? Dan !opgelost" in stand

    resolved = room.say("bram", "!opgelost De melders lossen het op.", root)
    assert resolved.startswith("Genoteerd: je bezwaar 1 is opgelost"), resolved
    for who in ("anna", "bram", "chantal", "dirk"):
        room.say(who, "!eens", root)
    room.say("secretaris", "!verder", root)
    room.say("secretaris", "!verder", root)
    assert f"ronde {round_id} is vastgelegd (versie 2)" in room.say("anna", "!besluit", root)

    listed = room.say("dirk", f"!besluiten {run}")
    assert "opgelost door een nieuw voorstel – De melders lossen het op." in listed, listed
    sent = room.clients["dirk"].send_text(room.room_id, "!besluiten bestand")
    file_event = room.clients["dirk"].wait_for(
        room.room_id, lambda e: e.get("sender") == room.bot and (e.get("content") or {}).get("msgtype") == "m.file",
        timeout=30, after=sent)
    content = file_event["content"]
    assert content["body"].startswith("besluitenlijst-klantenraad-") and content["info"]["mimetype"] == "text/markdown"
    url = (content.get("file") or {}).get("url") or content.get("url")
    assert url and url.startswith("mxc://")
    dirk = room.clients["dirk"]
    media = dirk.http.get(f"/_matrix/client/v1/media/download/{url[len('mxc://'):]}",
                          headers={"Authorization": f"Bearer {dirk.access_token}"})
    assert media.status_code == 200
    text = media.content.decode()  # the demo room is not encrypted: the file is stored as sent
    assert "Bezwaren en hoe ze zijn opgelost" in text and "opgelost door versie 2" in text
