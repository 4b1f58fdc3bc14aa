"""The Matrix outbox: outbound messages are stored before anything is sent.

Two tables share one shape of message (:class:`OutboundMessage`):

* every service has a **handoff** queue (``<service>_handoff``). A service writes a message into it
  in the same transaction as the change that caused it, and a forwarder hands it to the bot.
* the bot has the **outbox** (``bot_outbox``). The bot stores a message before it acknowledges a
  handoff, then sends it to the homeserver with a transaction id derived from the message key, so
  a retry after a crash or an outage never posts twice (Synapse answers a repeated transaction id
  with the event it already created).

Messages are addressed by council and room role (``main``, ``signals``, ``theme:<id>``) or by an
explicit room id, so services never need to know room ids; threads and edits refer to earlier
messages by key, which the bot resolves to event ids when it sends. Order is kept per room: only
the oldest unsent message of a room is ever in flight.
"""
from __future__ import annotations

import hashlib
import json

from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Integer, String, Text, select, update
from sqlalchemy.orm import Session, mapped_column

from shared.db import UtcDateTime

MessageKind = Literal["text", "notice", "image", "file", "reaction", "redaction", "invite"]


class OutboundMessage(BaseModel):
    """What a service (or the bot itself) wants posted. No personal data belongs in here."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9:_.\-/@!$+=]+$")
    council: str | None = Field(default=None, max_length=64)
    room: str = Field(default="main", max_length=255)  # a role, or a room id starting with "!"
    dm_to: str | None = Field(default=None, max_length=255)  # a direct message to this user instead
    kind: MessageKind = "text"
    body: str = Field(default="", max_length=60_000)
    html: str | None = Field(default=None, max_length=120_000)
    thread_key: str | None = Field(default=None, max_length=200)
    thread_event_id: str | None = Field(default=None, max_length=255)
    reply_to_event_id: str | None = Field(default=None, max_length=255)
    edit_key: str | None = Field(default=None, max_length=200)
    mentions: list[str] = Field(default_factory=list, max_length=50)
    image_b64: str | None = Field(default=None, max_length=4_000_000)
    image_mimetype: str | None = Field(default=None, max_length=100)
    # kind="file": a document (e.g. the decision list); ``body`` is its file name.
    file_b64: str | None = Field(default=None, max_length=4_000_000)
    file_mimetype: str | None = Field(default=None, max_length=100)
    reaction: str | None = Field(default=None, max_length=32)  # with kind="reaction": reacts to thread_key's event
    # kind="redaction": redacts the message with key ``edit_key`` and every edit of it the bot sent,
    # the messages keyed in ``redact_keys`` and the event ``redact_event_id`` (e.g. a member's own
    # message); ``body`` is the reason (no personal data).
    redact_keys: list[str] = Field(default_factory=list, max_length=500)
    redact_event_id: str | None = Field(default=None, max_length=255)
    # kind="invite": invites this user to the room (a newly appointed member to the council's room).
    invite_user: str | None = Field(default=None, max_length=255)


def txn_id_for(key: str) -> str:
    """Stable transaction id: the same message always gets the same one."""
    return "ovl" + hashlib.sha256(key.encode()).hexdigest()[:32]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def backoff_seconds(attempts: int, base: float = 1.0, cap: float = 300.0) -> float:
    """1, 2, 4, … seconds, capped: a homeserver outage is retried patiently, never given up on."""
    return min(cap, base * (2 ** max(0, attempts - 1)))


def outbox_columns() -> dict[str, Any]:
    """Columns of a queue table; used for the bot's outbox and every service's handoff queue."""
    return {
        "id": mapped_column(Integer, primary_key=True, autoincrement=True),
        "key": mapped_column(String(200), nullable=False, unique=True),
        "room_id": mapped_column(String(255), nullable=True, index=True),
        "payload": mapped_column(Text, nullable=False),
        "state": mapped_column(String(16), nullable=False, default="pending", index=True),
        "attempts": mapped_column(Integer, nullable=False, default=0),
        "next_attempt_at": mapped_column(UtcDateTime, nullable=True),
        "claimed_by": mapped_column(String(100), nullable=True),
        "claimed_until": mapped_column(UtcDateTime, nullable=True),
        "event_id": mapped_column(String(255), nullable=True, index=True),
        "last_error": mapped_column(String(500), nullable=True),
        "created_at": mapped_column(UtcDateTime, nullable=False, default=utcnow),
        "sent_at": mapped_column(UtcDateTime, nullable=True),
    }


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


class QueueStore:
    """Storing, claiming and settling queue rows. ``model`` is a mapped class built with
    :func:`outbox_columns`. Claims are leases: a sender that dies loses its claim after
    ``lease`` and another one takes over; on PostgreSQL the claim query locks the rows it reads
    (``FOR UPDATE``) so two senders never take the same row; on SQLite the write transaction
    (``BEGIN IMMEDIATE``) does the same."""

    def __init__(self, model: type, *, lease: timedelta = timedelta(seconds=60)) -> None:
        self.model = model
        self.lease = lease

    def enqueue(self, session: Session, message: OutboundMessage, room_id: str | None = None) -> bool:
        """Store a message once. Returns False when a message with this key already exists."""
        m = self.model
        if session.scalar(select(m.id).where(m.key == message.key)) is not None:
            return False
        session.add(m(key=message.key, room_id=room_id, payload=message.model_dump_json(exclude_defaults=True),
                      state="pending", attempts=0, created_at=utcnow()))
        session.flush()
        return True

    def claim_heads(self, session: Session, worker: str, now: datetime, limit: int = 20) -> list[Any]:
        """Claim the oldest pending message of each room (at most ``limit`` rooms).

        A room whose head is waiting for a retry is skipped as a whole: later messages of that room
        must not overtake it."""
        m = self.model
        pending = (
            select(m).where(m.state == "pending").order_by(m.id).limit(500)
        )
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            # Row locks serialise claimers. Not SKIP LOCKED: skipping a locked head would make the
            # next message of that room look like the head and overtake it.
            pending = pending.with_for_update()
        heads: dict[str | None, Any] = {}
        for row in session.scalars(pending):
            room = row.room_id or f"dm:{row.key}"
            if room in heads:
                continue
            heads[room] = row
        claimed = []
        for row in heads.values():
            if len(claimed) >= limit:
                break
            if aware(row.next_attempt_at) and aware(row.next_attempt_at) > now:
                continue
            if row.claimed_by and aware(row.claimed_until) and aware(row.claimed_until) > now:
                continue  # in flight with a sender (maybe this one): never twice at once
            row.claimed_by = worker
            row.claimed_until = now + self.lease
            claimed.append(row)
        session.flush()
        return claimed

    def release_claims(self, session: Session, worker: str) -> None:
        """A sender starting again takes back what its previous life had claimed, instead of
        waiting for those leases to run out."""
        m = self.model
        session.execute(update(m).where(m.claimed_by == worker, m.state == "pending").values(
            claimed_by=None, claimed_until=None))

    def mark_sent(self, session: Session, row_id: int, event_id: str | None, now: datetime) -> None:
        m = self.model
        session.execute(update(m).where(m.id == row_id).values(
            state="sent", event_id=event_id, sent_at=now, claimed_by=None, claimed_until=None, last_error=None))

    def mark_retry(self, session: Session, row_id: int, error: str, delay: float, now: datetime) -> None:
        m = self.model
        row = session.get(m, row_id)
        if row is None:
            return
        row.attempts = (row.attempts or 0) + 1
        row.next_attempt_at = now + timedelta(seconds=delay)
        row.last_error = error[:500]
        row.claimed_by = None
        row.claimed_until = None

    def mark_failed(self, session: Session, row_id: int, error: str, now: datetime) -> None:
        m = self.model
        session.execute(update(m).where(m.id == row_id).values(
            state="failed", last_error=error[:500], claimed_by=None, claimed_until=None, sent_at=now))

    def event_id_for_key(self, session: Session, key: str) -> str | None:
        m = self.model
        return session.scalar(select(m.event_id).where(m.key == key, m.state == "sent"))

    def key_for_event_id(self, session: Session, event_id: str) -> str | None:
        m = self.model
        return session.scalar(select(m.key).where(m.event_id == event_id).limit(1))

    def counts(self, session: Session) -> dict[str, int]:
        from sqlalchemy import func

        m = self.model
        return {state: n for state, n in session.execute(select(m.state, func.count()).group_by(m.state))}

    def forget_sent_text(self, session: Session, older_than: datetime, *, keep_rows: bool) -> int:
        """Sent (or given-up) messages keep no text once ``older_than`` has passed: a resident's
        words or a member's name must not outlive their use in a queue table.

        With ``keep_rows`` (the bot's outbox) the row stays with only its key, room and event id:
        threads, edits and reactions still find their event by key. Otherwise (a service's handoff
        queue, which the bot has stored already) the row goes."""
        from sqlalchemy import delete

        m = self.model
        done = (m.state.in_(("sent", "failed"))) & (m.sent_at < older_than)
        if not keep_rows:
            return session.execute(delete(m).where(done)).rowcount or 0
        from sqlalchemy import func

        forgotten = 0
        # A forgotten payload is exactly {"key":"<key>"} (keys need no escaping): 10 characters more.
        still_there = func.length(m.payload) > func.length(m.key) + 10
        for row in session.scalars(select(m).where(done, still_there).limit(5000)):
            row.payload = json.dumps({"key": row.key}, separators=(",", ":"))
            forgotten += 1
        return forgotten

    def pending(self, session: Session, limit: int = 100) -> list[Any]:
        m = self.model
        return list(session.scalars(select(m).where(m.state == "pending").order_by(m.id).limit(limit)))

    @staticmethod
    def message(row: Any) -> OutboundMessage:
        return OutboundMessage.model_validate_json(row.payload)
