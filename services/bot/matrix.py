"""The one module that talks to matrix-nio.

Everything else in the bot sees plain data: :class:`IncomingMessage`, :class:`IncomingReaction`
and :class:`SendOutcome`. That keeps the command logic testable and lets the later work on
encrypted rooms stay inside this file.
"""
from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import nio

log = logging.getLogger("overleg.bot.matrix")


# Enough timeline per sync for a busy council room; gaps beyond it are backfilled.
SYNC_FILTER = {"room": {"timeline": {"limit": 100}, "state": {"lazy_load_members": True}},
               "presence": {"types": []}, "account_data": {"types": []}}


class FatalAuthError(RuntimeError):
    """The homeserver rejected our token (M_UNKNOWN_TOKEN): retrying cannot help."""


class TransientError(RuntimeError):
    """The homeserver is unreachable or unhappy; try again later."""


@dataclass(frozen=True)
class IncomingMessage:
    room_id: str
    event_id: str
    sender: str
    body: str
    ts: int
    thread_root: str | None
    reply_to: str | None


@dataclass(frozen=True)
class IncomingReaction:
    room_id: str
    event_id: str
    sender: str
    target_event_id: str
    key: str
    ts: int


@dataclass
class SyncBatch:
    next_batch: str
    messages: list[IncomingMessage] = field(default_factory=list)
    reactions: list[IncomingReaction] = field(default_factory=list)
    invites: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SendOutcome:
    event_id: str | None = None
    retry_after: float | None = None  # seconds: rate limited or transient failure
    permanent_error: str | None = None  # the homeserver refused; retrying will not help
    forbidden: bool = False


@dataclass(frozen=True)
class Session:
    user_id: str
    access_token: str
    device_id: str


class MatrixGateway:
    def __init__(self, homeserver_url: str, user_id: str, *, device_id: str | None = None,
                 request_timeout: float = 40.0) -> None:
        config = nio.AsyncClientConfig(
            # The outbox and the sync loop decide about retries, so nio must hand errors back.
            max_limit_exceeded=0, max_timeouts=0, request_timeout=request_timeout,
            store_sync_tokens=False, encryption_enabled=False,
        )
        self.client = nio.AsyncClient(homeserver_url, user_id, device_id=device_id or "", config=config)
        self.user_id = user_id

    # --- session ---------------------------------------------------------------------------
    async def use_token(self, access_token: str, device_id: str | None) -> Session:
        self.client.access_token = access_token
        try:
            resp = await self.client.whoami()
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise TransientError(f"whoami failed: {exc}") from exc
        if isinstance(resp, nio.WhoamiError):
            if resp.status_code == "M_UNKNOWN_TOKEN":
                raise FatalAuthError("the homeserver does not know the bot's access token (M_UNKNOWN_TOKEN)")
            raise TransientError(f"whoami: {resp.status_code} {resp.message}")
        self.client.user_id = self.user_id = resp.user_id
        self.client.device_id = resp.device_id or device_id or ""
        return Session(resp.user_id, access_token, self.client.device_id)

    async def login(self, password: str, device_name: str) -> Session:
        try:
            resp = await self.client.login(password=password, device_name=device_name)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise TransientError(f"login failed: {exc}") from exc
        if isinstance(resp, nio.LoginError):
            if resp.status_code in {"M_FORBIDDEN", "M_USER_DEACTIVATED"}:
                raise FatalAuthError(f"login refused: {resp.status_code} {resp.message}")
            raise TransientError(f"login: {resp.status_code} {resp.message}")
        return Session(resp.user_id, resp.access_token, resp.device_id)

    # --- receiving ---------------------------------------------------------------------------
    async def sync(self, since: str | None, timeout_ms: int) -> SyncBatch:
        try:
            resp = await self.client.sync(timeout=timeout_ms, since=since, full_state=since is None,
                                          sync_filter=SYNC_FILTER)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise TransientError(f"sync failed: {exc!r}") from exc
        if isinstance(resp, nio.SyncError):
            if resp.status_code == "M_UNKNOWN_TOKEN":
                raise FatalAuthError("the homeserver does not know the bot's access token (M_UNKNOWN_TOKEN)")
            raise TransientError(f"sync: {resp.status_code} {resp.message}")
        batch = SyncBatch(next_batch=resp.next_batch)
        batch.invites = list(resp.rooms.invite.keys())
        for room_id, room in resp.rooms.join.items():
            batch.joined.append(room_id)
            events = list(room.timeline.events)
            if room.timeline.limited and since is not None:
                # More happened than one sync carries (e.g. while the bot was down): fetch the gap,
                # or commands sent in it would be lost.
                events = await self._backfill(room_id, room.timeline.prev_batch, since) + events
            for event in events:
                self._collect(room_id, event, batch)
        return batch

    async def _backfill(self, room_id: str, start: str, until: str, cap: int = 5000) -> list[Any]:
        older: list[Any] = []
        token = start
        while token and len(older) < cap:
            try:
                resp = await self.client.room_messages(room_id, start=token, end=until,
                                                       direction=nio.MessageDirection.back, limit=100)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                raise TransientError(f"backfill failed: {exc!r}") from exc
            if isinstance(resp, nio.RoomMessagesError):
                raise TransientError(f"backfill: {resp.status_code} {resp.message}")
            if not resp.chunk:
                break
            older.extend(resp.chunk)  # newest first
            if not resp.end or resp.end == token:
                break
            token = resp.end
        older.reverse()
        return older

    def _collect(self, room_id: str, event: Any, batch: SyncBatch) -> None:
        source = getattr(event, "source", None) or {}
        etype = source.get("type")
        content = source.get("content") or {}
        sender = source.get("sender") or getattr(event, "sender", "")
        event_id = source.get("event_id") or getattr(event, "event_id", "")
        ts = int(source.get("origin_server_ts") or getattr(event, "server_timestamp", 0) or 0)
        relates = content.get("m.relates_to") or {}
        if etype == "m.reaction":
            if relates.get("rel_type") == "m.annotation" and relates.get("event_id"):
                batch.reactions.append(IncomingReaction(room_id, event_id, sender, relates["event_id"],
                                                        str(relates.get("key", "")), ts))
            return
        if etype != "m.room.message" or content.get("msgtype") not in {"m.text", "m.notice"}:
            return
        if relates.get("rel_type") == "m.replace":
            return  # an edit: the original was (or will be) handled; commands are not re-run on edits
        body = content.get("body")
        if not isinstance(body, str):
            return
        thread_root = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
        reply_to = (relates.get("m.in_reply_to") or {}).get("event_id")
        batch.messages.append(IncomingMessage(room_id, event_id, sender, body, ts, thread_root, reply_to))

    # --- acting ---------------------------------------------------------------------------
    async def join(self, room_id: str) -> bool:
        try:
            resp = await self.client.join(room_id)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise TransientError(f"join failed: {exc}") from exc
        if isinstance(resp, nio.JoinError):
            log.warning("could not join %s: %s %s", room_id, resp.status_code, resp.message)
            return False
        return True

    async def send(self, room_id: str, event_type: str, content: dict[str, Any], txn_id: str) -> SendOutcome:
        try:
            resp = await self.client.room_send(room_id, event_type, content, tx_id=txn_id,
                                               ignore_unverified_devices=True)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            log.info("send to %s failed, will retry: %r", room_id, exc)
            return SendOutcome(retry_after=-1.0)  # -1: back off by attempt count
        if isinstance(resp, nio.RoomSendResponse):
            return SendOutcome(event_id=resp.event_id)
        return self._error_outcome(resp)

    def _error_outcome(self, resp: Any) -> SendOutcome:
        status = getattr(resp, "status_code", None)
        transport = getattr(resp, "transport_response", None)
        http_status = getattr(transport, "status", None)
        if status in ("M_LIMIT_EXCEEDED", 429) or http_status == 429:
            retry = getattr(resp, "retry_after_ms", None)
            seconds = retry / 1000 if retry else None
            header = transport.headers.get("Retry-After") if transport is not None else None
            if header and header.isdigit():
                seconds = max(seconds or 0.0, float(header))
            return SendOutcome(retry_after=seconds if seconds is not None else 5.0)
        if (http_status is not None and http_status >= 500) or status is None:
            return SendOutcome(retry_after=-1.0)
        if status == "M_UNKNOWN_TOKEN":
            raise FatalAuthError("the homeserver does not know the bot's access token (M_UNKNOWN_TOKEN)")
        if status == "M_FORBIDDEN":
            return SendOutcome(permanent_error=f"{status}: {getattr(resp, 'message', '')}", forbidden=True)
        return SendOutcome(permanent_error=f"{status}: {getattr(resp, 'message', '')}")

    async def create_dm(self, user_id: str) -> str | None:
        try:
            resp = await self.client.room_create(is_direct=True, invite=[user_id],
                                                 preset=nio.RoomPreset.trusted_private_chat)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise TransientError(f"create dm failed: {exc}") from exc
        if isinstance(resp, nio.RoomCreateResponse):
            return resp.room_id
        log.warning("could not create a direct chat: %s", getattr(resp, "status_code", resp))
        return None

    async def upload(self, data: bytes, mimetype: str, filename: str) -> str | None:
        try:
            resp, _ = await self.client.upload(io.BytesIO(data), content_type=mimetype, filename=filename,
                                               filesize=len(data))
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise TransientError(f"upload failed: {exc}") from exc
        if isinstance(resp, nio.UploadResponse):
            return resp.content_uri
        raise TransientError(f"upload refused: {getattr(resp, 'status_code', resp)}")

    async def close(self) -> None:
        await self.client.close()
