"""Residents' signals through the whole stack, as members see them in Element: a signal from the public web
form and one a member heard (``!signaal``) about the same leak become one thread in the signals room whose
card is edited to count 2; no personal data reaches any message of the bot; a 👍 on the card counts;
``!agenderen`` in the thread puts the cluster on the agenda of the deliberation service and marks the card.
Also: ``@room`` in a signal pings nobody and HTML shows as text; ``!thema`` and ``!signalen`` work."""
from __future__ import annotations

import re
from typing import Any, Callable, Iterator

import httpx
import pytest

from devstack.matrix_client import MatrixTestClient
from tests.support import replies_to

pytestmark = pytest.mark.timeout(300)

COUNCIL = "klantenraad"
PII = ["Jan de Boer", "06-12345678", "jan.deboer@example.nl", "Fatima Yilmaz", "fatima.yilmaz@example.com",
       "010-7654321", "0612345678", "06 12 34 56 78"]
FORM_TEXT = ("Beste mensen, in de portiek van de Tarwehof in de Tarwewijk lekt het dak al drie weken. Het water "
             "loopt langs de trap. Bel mij op 06-12345678 of mail jan.deboer@example.nl. Groet, Jan de Boer")
CHAT_TEXT = ("Bewoonster Fatima Yilmaz (fatima.yilmaz@example.com, 010-7654321) vertelde dat het dak van de "
             "Tarwehof lekt; het water staat in de portiek.")


def content(event: dict[str, Any]) -> dict[str, Any]:
    return event.get("content") or {}


def text_of(event: dict[str, Any]) -> str:
    c = content(event)
    new = c.get("m.new_content") or {}
    return "\n".join(str(x) for x in (c.get("body", ""), c.get("formatted_body", ""), new.get("body", ""),
                                      new.get("formatted_body", "")))


def card_root(bot: str, cluster_id: int) -> Callable[[dict[str, Any]], bool]:
    def match(event: dict[str, Any]) -> bool:
        c = content(event)
        return (event.get("sender") == bot and event.get("type") == "m.room.message" and "m.relates_to" not in c
                and c.get("body", "").startswith(f"Signaalgroep #{cluster_id} "))
    return match


def card_edit(bot: str, root: str, needle: str) -> Callable[[dict[str, Any]], bool]:
    def match(event: dict[str, Any]) -> bool:
        rel = content(event).get("m.relates_to") or {}
        return (event.get("sender") == bot and rel.get("rel_type") == "m.replace" and rel.get("event_id") == root
                and needle in (content(event).get("m.new_content") or {}).get("body", ""))
    return match


def in_thread(bot: str, root: str, needle: str = "") -> Callable[[dict[str, Any]], bool]:
    def match(event: dict[str, Any]) -> bool:
        rel = content(event).get("m.relates_to") or {}
        return (event.get("sender") == bot and rel.get("rel_type") == "m.thread" and rel.get("event_id") == root
                and needle in content(event).get("body", ""))
    return match


@pytest.fixture
def anna(stack) -> Iterator[MatrixTestClient]:
    with MatrixTestClient(stack.synapse.base_url, stack.member("anna")) as client:
        client.sync(0)
        yield client


@pytest.fixture
def bram(stack) -> Iterator[MatrixTestClient]:
    with MatrixTestClient(stack.synapse.base_url, stack.member("bram")) as client:
        client.sync(0)
        yield client


def submit_form(stack, text: str, **fields: str) -> str:
    """Fill in the public form as a resident's browser would; returns the reference number."""
    form_url = stack.status()["signal_form"]
    with httpx.Client(timeout=15) as browser:
        page = browser.get(form_url)
        assert page.status_code == 200
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
        resp = browser.post(form_url, data={"csrf_token": token, "nonce": nonce, "text": text, "website": "",
                                            **fields})
        assert resp.status_code == 303, resp.text[:500]
        return resp.headers["Location"].split("/signaal/")[1].split("?")[0]


def test_form_and_chat_signals_become_one_thread_that_goes_on_the_agenda(stack, anna, bram):
    room = stack.state.signals_room_id
    bot = stack.user_id("overleg")
    reference = submit_form(stack, FORM_TEXT, name="Jan de Boer", email="jan.deboer@example.nl",
                            phone="06-12345678", consent="y")

    cmd = anna.send_text(room, f"!signaal wijk=Tarwewijk {CHAT_TEXT}")
    reply = anna.wait_for(room, replies_to(bot, cmd), timeout=60)
    match = re.search(r"signaalgroep #(\d+), met nu 2 signalen", content(reply)["body"])
    assert match, content(reply)["body"]
    cluster_id = int(match.group(1))
    assert "persoonsgegevens" in content(reply)["body"]

    # A member reads the signals room: one card, edited in place to count 2, and both signals in its thread.
    root = bram.wait_for(room, card_root(bot, cluster_id), timeout=60)
    assert "1 signaal" in content(root)["body"] and "Tarwewijk" in content(root)["body"]
    bram.wait_for(room, card_edit(bot, root["event_id"], "2 signalen"), timeout=60)
    posts = bram.wait_for_all(room, in_thread(bot, root["event_id"], "Signaal #"), count=2, timeout=60)
    assert "webformulier" in content(posts[0])["body"] and "via een raadslid" in content(posts[1])["body"]
    roots = [e for e in bram.events(room) if card_root(bot, cluster_id)(e)]
    assert len(roots) == 1

    # 👍 on the card: "we heard this too".
    anna.send_event(room, "m.reaction", {"m.relates_to": {"rel_type": "m.annotation", "event_id": root["event_id"],
                                                          "key": "👍"}})
    bram.wait_for(room, card_edit(bot, root["event_id"], "1 lid hoorde dit ook"), timeout=60)

    # !agenderen in the thread: a topic in deliberation, and the card says so.
    cmd = anna.send_text(room, "!agenderen", thread_root=root["event_id"])
    answer = anna.wait_for(room, replies_to(bot, cmd), timeout=60)
    topic = re.search(r"op de agenda als onderwerp #(\d+)", content(answer)["body"])
    assert topic, content(answer)["body"]
    headers = {"Authorization": f"Bearer {stack.state.tokens['admin']}"}
    stored = httpx.get(f"{stack.url('deliberation')}/api/v1/councils/{COUNCIL}/topics/{topic.group(1)}",
                       headers=headers, timeout=10).json()
    assert stored["source"] == "signaal_cluster" and stored["source_ref"] == f"signals:cluster:{COUNCIL}:{cluster_id}"
    assert "Aantal signalen: 2; 1 raadsleden" in stored["evidence"] and "Tarwewijk" in stored["evidence"]
    assert "https://matrix.to/#/" in stored["evidence"]  # the link back to the thread
    bram.wait_for(room, card_edit(bot, root["event_id"], f"onderwerp #{topic.group(1)}"), timeout=60)

    # No personal data in anything the bot posted, in either room.
    bram.sync(0)
    for event in bram.events(room) + bram.events(stack.state.room_id):
        if event.get("sender") != bot:
            continue
        for item in PII + [reference]:
            assert item not in text_of(event), (item, text_of(event))
    # Signal messages notify nobody. (The main room is shared with other tests, where the bot
    # rightly mentions members, e.g. when a proposal changes.)
    for event in bram.events(room):
        if event.get("sender") == bot:
            assert content(event).get("m.mentions", {}) == {}
    for item in PII:
        assert item not in stored["evidence"] and item not in stored["title"]

    # The resident's status page shows that the council took it up.
    page = httpx.get(f"{stack.url('signals')}/signaal/{reference}", timeout=10)
    assert page.status_code == 200 and "Op de agenda" in page.text
    # Nor in the logs of any process of the stack.
    for log in (stack.root / "logs").glob("*.log"):
        written = log.read_text(errors="replace")
        for item in PII:
            assert item not in written, (log.name, item)


def test_signals_sent_while_the_homeserver_is_down_arrive_afterwards(stack, bram):
    room = stack.state.signals_room_id
    bot = stack.user_id("overleg")
    stack.synapse.stop()
    try:
        resp = httpx.post(f"{stack.url('signals')}/api/v1/councils/{COUNCIL}/signals",
                          json={"text": "De voordeur van de Mijnsherenlaan-flat in Tarwewijk sluit niet meer, al "
                                        "een week staat hij open."},
                          headers={"Authorization": f"Bearer {stack.state.tokens['partner']}"}, timeout=15)
        assert resp.status_code == 201, resp.text
    finally:
        stack.synapse.start()
    cluster_id = resp.json()["signal"]["cluster_id"]
    root = bram.wait_for(room, card_root(bot, cluster_id), timeout=120)
    bram.wait_for(room, in_thread(bot, root["event_id"], f"Signaal #{resp.json()['signal']['id']} "), timeout=120)


def test_at_room_pings_nobody_and_html_shows_as_text(stack, anna, bram):
    room = stack.state.signals_room_id
    bot = stack.user_id("overleg")
    nasty = ("@room <b>LET OP</b> <script>alert(1)</script> [klik hier](https://evil.example/x) "
             "Herrie van hangjongeren bij de Slaghekstraat in Tarwewijk, elke nacht tot 4 uur.")
    resp = httpx.post(f"{stack.url('signals')}/api/v1/councils/{COUNCIL}/signals", json={"text": nasty},
                      headers={"Authorization": f"Bearer {stack.state.tokens['partner']}"}, timeout=15)
    assert resp.status_code == 201, resp.text
    signal_id = resp.json()["signal"]["id"]
    cluster_id = resp.json()["signal"]["cluster_id"]
    post = bram.wait_for(room, lambda e: e.get("sender") == bot
                         and content(e).get("body", "").startswith(f"Signaal #{signal_id} "), timeout=60)
    c = content(post)
    assert c["m.mentions"] == {}
    assert "@room" not in c["body"] and "@\u2060room" in c["body"]
    assert "<script>" not in c["formatted_body"] and "&lt;script&gt;alert(1)&lt;/script&gt;" in c["formatted_body"]
    assert "<b>" not in c["formatted_body"] and "&lt;b&gt;LET OP&lt;/b&gt;" in c["formatted_body"]
    assert "https://evil" not in c["body"] and "<a " not in c["formatted_body"]
    root = bram.wait_for(room, card_root(bot, cluster_id), timeout=60)
    assert content(root)["m.mentions"] == {} and "@room" not in content(root)["body"]

    # !thema in the thread corrects the theme; the card follows.
    cmd = anna.send_text(room, "!thema leefbaarheid", thread_root=root["event_id"])
    answer = anna.wait_for(room, replies_to(bot, cmd), timeout=60)
    assert "Leefbaarheid" in content(answer)["body"]
    bram.wait_for(room, card_edit(bot, root["event_id"], "Thema gecorrigeerd"), timeout=60)

    # !signalen: the overview, and the chart as an image in the command's thread.
    cmd = anna.send_text(room, "!signalen")
    overview = anna.wait_for(room, lambda e: replies_to(bot, cmd)(e) and content(e).get("msgtype") != "m.image",
                             timeout=60)  # the chart is in the same thread and may arrive first
    assert "Per thema" in content(overview)["body"]
    image = anna.wait_for(room, lambda e: e.get("sender") == bot and content(e).get("msgtype") == "m.image"
                          and (content(e).get("m.relates_to") or {}).get("event_id") == cmd, timeout=60)
    assert content(image)["info"]["mimetype"] == "image/png" and content(image)["url"].startswith("mxc://")
