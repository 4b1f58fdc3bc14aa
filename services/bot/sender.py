"""Drains the bot's outbox to the homeserver: in order per room, each message once.

The transaction id comes from the message key, so when the bot dies between sending and
recording, the retry gets the already-created event back instead of a second post. A room
whose head message waits (rate limit, outage) holds back only that room.
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
from typing import Any

from services.bot import store
from services.bot.html_clean import clean_html
from services.bot.matrix import MatrixGateway, SendOutcome, TransientError
from shared.db import Database
from shared.memory import HeapTrimmer
from shared.outbox import OutboundMessage, QueueStore, backoff_seconds, txn_id_for, utcnow

log = logging.getLogger("overleg.bot.sender")

MAX_FORBIDDEN_ATTEMPTS = 5
# Matrix refuses events over 64 KiB; encryption adds a third (base64) plus its envelope. A text
# whose content would be larger is shortened here, so it arrives instead of failing.
MAX_CONTENT_BYTES = 40_000
SHORTENED_NOTE = ("\n\n[Ingekort: dit antwoord was te lang voor één bericht. "
                  "Shortened: this answer was too long for one message.]")
FAILED_NOTICE = ("Een bericht van mij kon niet worden verstuurd: {reason}. Er is niets veranderd; vraag het "
                 "zo nodig nog eens of meld het aan de secretaris. (A message of mine could not be sent.)")
# The homeserver's error code goes to the log; the member reads what it means.
FAILED_REASONS = {"M_TOO_LARGE": "het was te lang"}
FAILED_REASON_OTHER = "de server weigerde het"
FAILED_INVITE = ("Ik kon {user} niet uitnodigen voor deze chat: {reason}. Nodig het nieuwe lid zelf uit, of vraag de "
                 "beheerder om hulp. (I could not invite {user} to this chat.)")


def _size(content: dict[str, Any]) -> int:
    return len(json.dumps(content, ensure_ascii=False).encode())


def fit(content: dict[str, Any], limit: int = MAX_CONTENT_BYTES) -> dict[str, Any]:
    """``content`` small enough for one event: first without its HTML, then with the text cut at
    a line boundary and a note that it was shortened."""
    if _size(content) <= limit:
        return content
    content = {k: v for k, v in content.items() if k not in ("format", "formatted_body")}
    if _size(content) <= limit:
        return content
    body = str(content.get("body", ""))
    room = limit - _size({**content, "body": SHORTENED_NOTE})
    kept: list[str] = []
    used = 0
    for line in body.split("\n"):
        cost = len((line + "\n").encode())
        if used + cost > room:
            if not kept:  # one enormous line: cut inside it
                kept.append(line.encode()[:max(room, 0)].decode(errors="ignore"))
            break
        kept.append(line)
        used += cost
    return {**content, "body": "\n".join(kept).rstrip() + SHORTENED_NOTE}


class OutboxSender:
    def __init__(self, db: Database, gateway: MatrixGateway, *, metrics: Any = None, device: str | None = None,
                 trimmer: HeapTrimmer | None = None) -> None:
        self.db = db
        self.gateway = gateway
        self.outbox = store.OUTBOX
        # Stable across restarts on this host, so a restarted bot resumes its own claims at once;
        # bots on other hosts still respect them until their lease runs out.
        self.worker = f"{socket.gethostname()}:{device or 'bot'}"
        self.metrics = metrics
        self._wake = asyncio.Event()
        self._stopping = False
        # The outbox drained is the end of a busy spell: the heap it left is given back then.
        self.trimmer = trimmer if trimmer is not None else HeapTrimmer()

    def kick(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        with self.db.session() as s:
            self.outbox.release_claims(s, self.worker)
        while not self._stopping:
            try:
                sent = await self.send_once()
            except Exception:
                log.exception("outbox sender failed; retrying")
                sent = 0
            if sent:
                self.trimmer.worked()
                continue
            self.trimmer.idle()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=0.5)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    async def send_once(self) -> int:
        with self.db.session() as s:
            rows = self.outbox.claim_heads(s, self.worker, utcnow())
            claimed = [(row.id, row.key, row.room_id, row.attempts or 0, QueueStore.message(row)) for row in rows]
        if not claimed:
            return 0
        results = await asyncio.gather(*(self._send_one(*item) for item in claimed))
        return sum(results)

    async def _send_one(self, row_id: int, key: str, room_id: str | None, attempts: int, msg: OutboundMessage) -> int:
        try:
            if room_id is None:
                room_id = await self._dm_room(msg.dm_to or "")
                if room_id is None:
                    return self._retry(row_id, "no direct chat yet", backoff_seconds(attempts + 1))
                with self.db.session() as s:
                    row = s.get(store.BotOutbox, row_id)
                    row.room_id = room_id
            if msg.kind == "redaction":
                return await self._redact(row_id, room_id, attempts, msg)
            if msg.kind == "invite":
                if not msg.invite_user:
                    with self.db.session() as s:
                        self.outbox.mark_failed(s, row_id, "invite without a user", utcnow())
                    return 0
                return await self._settle(row_id, room_id, attempts, await self.gateway.invite(room_id, msg.invite_user))
            built = await self._build(msg, room_id)
            if built is None:
                return self._retry(row_id, "thread root not sent yet", 0.5)
            event_type, content = built
            outcome = await self.gateway.send(room_id, event_type, content, txn_id_for(key))
        except TransientError as exc:
            return self._retry(row_id, str(exc), backoff_seconds(attempts + 1))
        return await self._settle(row_id, room_id, attempts, outcome)

    async def _redact(self, row_id: int, room_id: str, attempts: int, msg: OutboundMessage) -> int:
        """Redact every event the message names (the keyed message, its edits, listed keys, an event id).
        Each redaction's transaction id comes from the event it redacts: a retry, or a second request
        for the same event, never makes a second redaction."""
        with self.db.read() as s:
            targets = self.redaction_targets(s, msg)
        if targets is None:
            return self._retry(row_id, "message to redact not sent yet", 0.5)
        last: str | None = None
        for event_id, target_room in targets:
            outcome = await self.gateway.redact(target_room or room_id, event_id, msg.body or None,
                                                txn_id_for(f"redact:{event_id}"))
            if not outcome.event_id:
                return await self._settle(row_id, room_id, attempts, outcome)
            last = outcome.event_id
        with self.db.session() as s:
            self.outbox.mark_sent(s, row_id, last, utcnow())
            # What was redacted on the homeserver is not kept here either: only key and event id stay.
            redacted = [event_id for event_id, _ in targets]
            for row in s.query(store.BotOutbox).filter(store.BotOutbox.event_id.in_(redacted)):
                row.payload = json.dumps({"key": row.key}, separators=(",", ":"))
        if self.metrics:
            self.metrics.sent.inc()
        return 1

    def redaction_targets(self, session: Any, msg: OutboundMessage) -> list[tuple[str, str | None]] | None:
        """(event id, room id) of everything a redaction names, in the order sent; None while one of them
        is still waiting to be sent (it is redacted once it exists, never missed)."""
        from sqlalchemy import or_, select

        m = store.BotOutbox
        keys = [k for k in (msg.edit_key, *msg.redact_keys) if k]
        wanted = [m.key.in_(keys)] if keys else []
        if msg.edit_key:
            # The edits of that message: the bot's outbox keeps their payload (edit_key) until retention.
            wanted.append(m.payload.contains(f'"edit_key":{json.dumps(msg.edit_key)}', autoescape=True))
        targets: list[tuple[str, str | None]] = []
        seen: set[str] = set()
        if wanted:
            rows = session.execute(select(m.key, m.state, m.event_id, m.room_id, m.payload)
                                   .where(or_(*wanted), m.key != msg.key).order_by(m.id)).all()
            for key, state, event_id, row_room, payload in rows:
                if key not in keys:
                    found = OutboundMessage.model_validate_json(payload)
                    if found.edit_key != msg.edit_key or found.kind == "redaction":
                        continue  # matched the text only, not the field; or another redaction
                if state == "pending":
                    return None
                if event_id and event_id not in seen:
                    seen.add(event_id)
                    targets.append((event_id, row_room))
        if msg.redact_event_id and msg.redact_event_id not in seen:
            targets.append((msg.redact_event_id, None))
        return targets

    async def _settle(self, row_id: int, room_id: str, attempts: int, outcome: SendOutcome) -> int:
        if outcome.event_id:
            with self.db.session() as s:
                self.outbox.mark_sent(s, row_id, outcome.event_id, utcnow())
            if self.metrics:
                self.metrics.sent.inc()
            return 1
        if outcome.retry_after is not None:
            delay = outcome.retry_after if outcome.retry_after >= 0 else backoff_seconds(attempts + 1)
            if self.metrics and outcome.retry_after >= 0:
                self.metrics.rate_limited.inc()
            return self._retry(row_id, "rate limited" if outcome.retry_after >= 0 else "homeserver unavailable", delay)
        if outcome.forbidden and attempts < MAX_FORBIDDEN_ATTEMPTS:
            # Often the bot was not in the room yet (a new DM, a freshly configured room).
            await self.gateway.join(room_id)
            return self._retry(row_id, outcome.permanent_error or "forbidden", backoff_seconds(attempts + 1))
        log.error("message %s refused by the homeserver for good: %s", row_id, outcome.permanent_error)
        with self.db.session() as s:
            self.outbox.mark_failed(s, row_id, outcome.permanent_error or "refused", utcnow())
            self._tell_about_failure(s, row_id, room_id, outcome.permanent_error or "refused")
        if self.metrics:
            self.metrics.failed.inc()
        return 0

    def _tell_about_failure(self, session: Any, row_id: int, room_id: str, reason: str) -> None:
        """Nothing fails silently: the room (in the same thread) hears that a message did not go out.
        Not for a failed notice itself, and not where the bot may not write at all."""
        row = session.get(store.BotOutbox, row_id)
        if row is None or row.key.endswith(":niet-verstuurd"):
            return
        msg = QueueStore.message(row)
        # Forbidden to write: no notice either. An invite may be forbidden where writing is not.
        if msg.kind in ("reaction", "redaction") or ("M_FORBIDDEN" in reason and msg.kind != "invite"):
            return
        reason_text = FAILED_REASONS.get(reason.split(":")[0], FAILED_REASON_OTHER)
        if msg.kind == "invite":  # the secretary must know, or the new member waits for an invite that never comes
            notice = OutboundMessage(key=f"{row.key}:niet-verstuurd"[:255], council=msg.council, room=room_id,
                                     body=FAILED_INVITE.format(user=msg.invite_user, reason=reason_text),
                                     kind="notice", mentions=[])
            self.outbox.enqueue(session, notice, room_id=room_id)
            return
        notice = OutboundMessage(key=f"{row.key}:niet-verstuurd"[:255], council=msg.council, room=room_id,
                                 body=FAILED_NOTICE.format(reason=FAILED_REASONS.get(reason.split(":")[0],
                                                                                      FAILED_REASON_OTHER)),
                                 kind="notice",
                                 thread_event_id=msg.thread_event_id, thread_key=msg.thread_key,
                                 reply_to_event_id=msg.reply_to_event_id, mentions=[])
        self.outbox.enqueue(session, notice, room_id=room_id)

    def _retry(self, row_id: int, error: str, delay: float) -> int:
        with self.db.session() as s:
            self.outbox.mark_retry(s, row_id, error, delay, utcnow())
        return 0

    async def _dm_room(self, user_id: str) -> str | None:
        with self.db.read() as s:
            known = store.dm_room(s, user_id)
        if known:
            return known
        room_id = await self.gateway.create_dm(user_id)
        if room_id:
            with self.db.session() as s:
                store.set_dm_room(s, user_id, room_id)
        return room_id

    async def _build(self, msg: OutboundMessage, room_id: str | None = None) -> tuple[str, dict[str, Any]] | None:
        """The Matrix event for a message, or None while an event it refers to is not sent yet."""
        with self.db.read() as s:
            thread_root = msg.thread_event_id
            if msg.thread_key and not thread_root:
                thread_root = self.outbox.event_id_for_key(s, msg.thread_key)
                if thread_root is None and self._still_pending(s, msg.thread_key):
                    return None
            edit_target = None
            if msg.edit_key:
                edit_target = self.outbox.event_id_for_key(s, msg.edit_key)
                if edit_target is None and self._still_pending(s, msg.edit_key):
                    return None

        if msg.kind == "reaction":
            target = thread_root or msg.reply_to_event_id
            return "m.reaction", {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": msg.reaction}}

        content: dict[str, Any]
        if msg.kind == "image" and msg.image_b64:
            data = base64.b64decode(msg.image_b64)
            media = await self.gateway.upload(data, msg.image_mimetype or "image/png", msg.body or "grafiek.png",
                                              room_id=room_id)
            content = {"msgtype": "m.image", "body": msg.body or "grafiek.png", **media,
                       "info": {"mimetype": msg.image_mimetype or "image/png", "size": len(data)}}
        elif msg.kind == "file" and msg.file_b64:
            data = base64.b64decode(msg.file_b64)
            mimetype = msg.file_mimetype or "application/octet-stream"
            media = await self.gateway.upload(data, mimetype, msg.body or "bestand", room_id=room_id)
            content = {"msgtype": "m.file", "body": msg.body or "bestand", "filename": msg.body or "bestand",
                       **media, "info": {"mimetype": mimetype, "size": len(data)}}
        else:
            content = {"msgtype": "m.notice" if msg.kind == "notice" else "m.text", "body": msg.body}
            if msg.html:
                content["format"] = "org.matrix.custom.html"
                content["formatted_body"] = clean_html(msg.html)
            content = fit(content, MAX_CONTENT_BYTES // 2 if msg.edit_key else MAX_CONTENT_BYTES)  # an edit carries it twice
        # Intentional mentions: only the listed members are notified, whatever the text says.
        content["m.mentions"] = {"user_ids": list(msg.mentions)} if msg.mentions else {}

        if edit_target:
            new_content = dict(content)
            return "m.room.message", {
                **{k: v for k, v in content.items() if k != "m.mentions"},
                "body": "* " + content.get("body", ""),
                **({"formatted_body": "* " + content["formatted_body"]} if "formatted_body" in content else {}),
                "m.new_content": new_content,
                "m.mentions": content["m.mentions"],
                "m.relates_to": {"rel_type": "m.replace", "event_id": edit_target},
            }
        if thread_root:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread_root,
                # Clients without threads show it as a reply to the command (or to the root).
                # A reply whose target is the root itself is the fallback, not a real reply:
                # with false, Element quotes the root under itself inside the thread.
                "is_falling_back": msg.reply_to_event_id in (None, thread_root),
                "m.in_reply_to": {"event_id": msg.reply_to_event_id or thread_root},
            }
        elif msg.reply_to_event_id:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": msg.reply_to_event_id}}
        return "m.room.message", content

    def _still_pending(self, session: Any, key: str) -> bool:
        from sqlalchemy import select

        m = store.BotOutbox
        state = session.scalar(select(m.state).where(m.key == key))
        return state == "pending"
