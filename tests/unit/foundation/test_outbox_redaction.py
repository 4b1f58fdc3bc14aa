"""How the sender redacts: a keyed message, every edit of it, listed keys and a member's own event,
each once, with a transaction id that makes a retry harmless (no homeserver needed)."""
import asyncio

import pytest

from services.bot import store
from services.bot.app import migrate
from services.bot.matrix import SendOutcome
from services.bot.sender import OutboxSender
from shared.db import Database
from shared.outbox import OutboundMessage, txn_id_for, utcnow


class FakeGateway:
    def __init__(self, outcomes=None):
        self.redacted: list[tuple[str, str, str | None, str]] = []
        self.outcomes = list(outcomes or [])

    async def redact(self, room_id, event_id, reason, txn_id):
        self.redacted.append((room_id, event_id, reason, txn_id))
        if self.outcomes:
            return self.outcomes.pop(0)
        return SendOutcome(event_id=f"$redaction-of-{event_id.lstrip('$')}")

    async def join(self, room_id):
        return None


@pytest.fixture
def sender(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/bot.db")
    migrate(db)
    return OutboxSender(db, gateway=FakeGateway())


def sent(sender, msg, event_id, room_id="!r:x"):
    with sender.db.session() as s:
        store.OUTBOX.enqueue(s, msg, room_id=room_id)
        row = s.query(store.BotOutbox).filter_by(key=msg.key).one()
        store.OUTBOX.mark_sent(s, row.id, event_id, utcnow())


def queue(sender, msg, room_id="!r:x"):
    with sender.db.session() as s:
        store.OUTBOX.enqueue(s, msg, room_id=room_id)


def row(sender, key):
    with sender.db.read() as s:
        r = s.query(store.BotOutbox).filter_by(key=key).one()
        return r.state, r.event_id


def test_redaction_is_a_message_kind():
    msg = OutboundMessage(key="signals:cluster:1:wis:2", room="signals", kind="redaction", edit_key="signals:cluster:1",
                          redact_keys=["signals:card:1:v1"], body="gewist")
    assert OutboundMessage.model_validate_json(msg.model_dump_json(exclude_defaults=True)) == msg


def test_the_card_and_every_edit_of_it_are_redacted_once(sender):
    sent(sender, OutboundMessage(key="card:7", room="!r:x", body="kaart met tekst"), "$card")
    sent(sender, OutboundMessage(key="card:7:v1", room="!r:x", body="v1", edit_key="card:7"), "$v1")
    sent(sender, OutboundMessage(key="card:7:v2", room="!r:x", body="v2", edit_key="card:7"), "$v2")
    sent(sender, OutboundMessage(key="card:70", room="!r:x", body="andere kaart"), "$other")
    sent(sender, OutboundMessage(key="card:70:v1", room="!r:x", body="v1", edit_key="card:70"), "$otherv1")
    # a payload that merely mentions the key in its text is no edit of it, nor is an earlier redaction
    sent(sender, OutboundMessage(key="card:7:wis:0", room="!r:x", kind="redaction", edit_key="card:7"), "$red0")
    sent(sender, OutboundMessage(key="talk", room="!r:x", body='"edit_key":"card:7"'), "$talk")
    queue(sender, OutboundMessage(key="card:7:wis", room="!r:x", kind="redaction", edit_key="card:7",
                                  redact_keys=["card:7:v2"], body="Gewist op verzoek van de bewoner."))
    assert asyncio.run(sender.send_once()) == 1
    redacted = sender.gateway.redacted
    assert [r[1] for r in redacted] == ["$card", "$v1", "$v2"]
    assert all(r[0] == "!r:x" and r[2] == "Gewist op verzoek van de bewoner." for r in redacted)
    assert [r[3] for r in redacted] == [txn_id_for(f"redact:{e}") for e in ("$card", "$v1", "$v2")]
    assert row(sender, "card:7:wis") == ("sent", "$redaction-of-v2")
    # What was redacted on the homeserver is gone from the outbox too; the key still finds its event.
    with sender.db.read() as s:
        payloads = {r.key: r.payload for r in s.query(store.BotOutbox)}
        assert "kaart met tekst" not in payloads["card:7"] and "andere kaart" in payloads["card:70"]
        assert store.OUTBOX.event_id_for_key(s, "card:7") == "$card"


def test_edits_whose_text_was_forgotten_are_found_by_their_listed_keys(sender):
    sent(sender, OutboundMessage(key="card:8", room="!r:x", body="kaart"), "$card8")
    sent(sender, OutboundMessage(key="card:8:v1", room="!r:x", body="v1", edit_key="card:8"), "$v81")
    with sender.db.session() as s:  # retention forgot the edit's payload (and so its edit_key)
        store.OUTBOX.forget_sent_text(s, utcnow().replace(year=2100), keep_rows=True)
    msg = OutboundMessage(key="card:8:wis", room="!r:x", kind="redaction", edit_key="card:8", redact_keys=["card:8:v1"])
    with sender.db.read() as s:
        assert [t[0] for t in sender.redaction_targets(s, msg)] == ["$card8", "$v81"]


def test_a_redaction_waits_for_a_message_still_to_be_sent(sender):
    queue(sender, OutboundMessage(key="card:9", room="!r:x", body="kaart"), room_id="!other:x")
    msg = OutboundMessage(key="card:9:wis", room="!r:x", kind="redaction", edit_key="card:9")
    with sender.db.read() as s:
        assert sender.redaction_targets(s, msg) is None


def test_a_members_own_event_is_redacted_by_id(sender):
    queue(sender, OutboundMessage(key="bot:redact:$cmd", room="!r:x", kind="redaction", redact_event_id="$cmd",
                                  body="persoonsgegevens"))
    assert asyncio.run(sender.send_once()) == 1
    assert sender.gateway.redacted == [("!r:x", "$cmd", "persoonsgegevens", txn_id_for("redact:$cmd"))]


def test_an_outage_is_retried_with_the_same_transaction_ids(sender):
    sent(sender, OutboundMessage(key="card:10", room="!r:x", body="kaart"), "$c10")
    sent(sender, OutboundMessage(key="card:10:v1", room="!r:x", body="v1", edit_key="card:10"), "$c10v1")
    sender.gateway.outcomes = [SendOutcome(event_id="$r1"), SendOutcome(retry_after=-1.0)]
    queue(sender, OutboundMessage(key="card:10:wis", room="!r:x", kind="redaction", edit_key="card:10"))
    assert asyncio.run(sender.send_once()) == 0
    assert row(sender, "card:10:wis")[0] == "pending"  # nothing lost
    with sender.db.session() as s:
        s.query(store.BotOutbox).filter_by(key="card:10:wis").update({"next_attempt_at": None})
    assert asyncio.run(sender.send_once()) == 1
    txns = [r[3] for r in sender.gateway.redacted]
    assert txns == [txn_id_for("redact:$c10"), txn_id_for("redact:$c10v1"),
                    txn_id_for("redact:$c10"), txn_id_for("redact:$c10v1")]
    assert row(sender, "card:10:wis")[0] == "sent"
