"""How the sender turns stored messages into Matrix events (no homeserver needed)."""
import asyncio

import pytest

from services.bot import store
from services.bot.app import migrate
from services.bot.sender import OutboxSender
from shared.db import Database
from shared.outbox import OutboundMessage, QueueStore, txn_id_for, utcnow


@pytest.fixture
def sender(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/bot.db")
    migrate(db)
    return OutboxSender(db, gateway=None)  # _build never touches the gateway for text


def build(sender, msg):
    return asyncio.run(sender._build(msg))


def test_txn_id_is_stable_per_key():
    assert txn_id_for("reply:$a:0") == txn_id_for("reply:$a:0")
    assert txn_id_for("reply:$a:0") != txn_id_for("reply:$a:1")


def test_threaded_reply_with_html_and_no_mentions(sender):
    event_type, content = build(sender, OutboundMessage(key="k1", room="!r:x", body="hoi", html="<b>hoi</b>",
                                                        thread_event_id="$root", reply_to_event_id="$cmd"))
    assert event_type == "m.room.message"
    assert content["format"] == "org.matrix.custom.html"
    assert content["m.mentions"] == {}
    rel = content["m.relates_to"]
    assert rel["rel_type"] == "m.thread" and rel["event_id"] == "$root"
    assert rel["m.in_reply_to"] == {"event_id": "$cmd"} and rel["is_falling_back"] is False


def test_a_reply_to_the_thread_root_itself_is_the_fallback(sender):
    """A command sent as the thread's first message is answered with the root as the reply target:
    that is the thread fallback (Element would otherwise quote the root under itself)."""
    _, content = build(sender, OutboundMessage(key="k2", room="!r:x", body="hoi", thread_event_id="$root",
                                               reply_to_event_id="$root"))
    rel = content["m.relates_to"]
    assert rel["is_falling_back"] is True and rel["m.in_reply_to"] == {"event_id": "$root"}
    _, content = build(sender, OutboundMessage(key="k3", room="!r:x", body="hoi", thread_event_id="$root"))
    assert content["m.relates_to"]["is_falling_back"] is True


def test_thread_key_waits_for_its_root_then_resolves(sender):
    with sender.db.session() as s:
        store.OUTBOX.enqueue(s, OutboundMessage(key="root", room="!r:x", body="voorstel"), room_id="!r:x")
    msg = OutboundMessage(key="child", room="!r:x", body="in de draad", thread_key="root")
    assert build(sender, msg) is None  # root not sent yet: wait
    with sender.db.session() as s:
        row = s.query(store.BotOutbox).filter_by(key="root").one()
        store.OUTBOX.mark_sent(s, row.id, "$rootevent", utcnow())
    _, content = build(sender, msg)
    assert content["m.relates_to"]["event_id"] == "$rootevent"


def test_edit_in_place(sender):
    with sender.db.session() as s:
        store.OUTBOX.enqueue(s, OutboundMessage(key="card", room="!r:x", body="kaart v1"), room_id="!r:x")
        row = s.query(store.BotOutbox).filter_by(key="card").one()
        store.OUTBOX.mark_sent(s, row.id, "$card", utcnow())
    _, content = build(sender, OutboundMessage(key="card:v2", room="!r:x", body="kaart v2", edit_key="card"))
    assert content["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$card"}
    assert content["m.new_content"]["body"] == "kaart v2"
    assert content["body"] == "* kaart v2"


def test_explicit_mentions_only(sender):
    _, content = build(sender, OutboundMessage(key="rem", room="!r:x", body="@room let op", mentions=["@anna:x"]))
    assert content["m.mentions"] == {"user_ids": ["@anna:x"]}


def test_a_reply_too_long_for_one_event_is_shortened_not_lost(sender):
    """`!stand` with many long objections once exceeded Matrix's 64 KiB and failed silently."""
    import json

    from services.bot.sender import MAX_CONTENT_BYTES

    lines = [f"Bezwaar {i}: " + "het voorstel houdt geen rekening met de bewoners van de flat. " * 20 for i in range(40)]
    body = "\n".join(lines)
    html = "<br>".join(f"<b>{line}</b>" for line in lines)
    _, content = build(sender, OutboundMessage(key="stand", room="!r:x", body=body, html=html,
                                               thread_event_id="$root", reply_to_event_id="$cmd"))
    assert len(json.dumps(content, ensure_ascii=False).encode()) <= MAX_CONTENT_BYTES + 500
    assert "formatted_body" not in content and content["body"].startswith("Bezwaar 0:")
    assert "Ingekort" in content["body"] and content["m.relates_to"]["event_id"] == "$root"
    # A reply that fits keeps its HTML and is untouched.
    _, small = build(sender, OutboundMessage(key="ok", room="!r:x", body="kort", html="<b>kort</b>"))
    assert small["formatted_body"] == "<b>kort</b>" and small["body"] == "kort"


def test_a_message_refused_for_good_is_told_in_its_thread(sender):
    """Nothing fails silently: the thread hears that a reply could not be sent, once."""
    from services.bot.matrix import SendOutcome

    class RefusingGateway:
        async def send(self, room_id, event_type, content, txn_id):
            return SendOutcome(permanent_error="M_TOO_LARGE: event too large")

    sender.gateway = RefusingGateway()
    with sender.db.session() as s:
        store.OUTBOX.enqueue(s, OutboundMessage(key="reply:$cmd:0", room="!r:x", body="lang antwoord",
                                                thread_event_id="$root", reply_to_event_id="$cmd"), room_id="!r:x")
    asyncio.run(sender.send_once())
    with sender.db.read() as s:
        rows = {r.key: r for r in s.query(store.BotOutbox).all()}
    assert rows["reply:$cmd:0"].state == "failed"
    notice = QueueStore.message(rows["reply:$cmd:0:niet-verstuurd"])
    assert "kon niet worden verstuurd: het was te lang" in notice.body and notice.thread_event_id == "$root"
    assert "M_TOO_LARGE" not in notice.body  # the code is for the log, not for the member
    # The notice failing too does not start a chain of notices.
    asyncio.run(sender.send_once())
    with sender.db.read() as s:
        assert {r.key for r in s.query(store.BotOutbox).all()} == {"reply:$cmd:0", "reply:$cmd:0:niet-verstuurd"}
