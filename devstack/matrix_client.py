"""A small synchronous Matrix client-server API client (httpx) for tests, the CLI and benchmarks.

``MatrixTestClient`` acts as a council member: create rooms, send messages, and wait for the
bot's replies through /sync. ``RegisteredUser`` is what the homeserver's registration or login
gives back.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

__all__ = [
    "MatrixError",
    "MatrixTestClient",
    "RegisteredUser",
    "in_thread",
    "matrix_call",
    "thread_root",
]


class MatrixError(RuntimeError):
    """A non-2xx answer from the homeserver."""

    def __init__(self, status: int, body: Any, method: str, path: str) -> None:
        self.status = status
        self.body = body
        self.errcode: str | None = body.get("errcode") if isinstance(body, dict) else None
        self.error: str | None = body.get("error") if isinstance(body, dict) else None
        super().__init__(f"{method} {path} -> {status} {self.errcode or ''} {self.error or body!r}")


@dataclass(frozen=True)
class RegisteredUser:
    user_id: str
    access_token: str
    device_id: str
    password: str

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]


def _retry_after_seconds(resp: httpx.Response) -> float:
    try:
        ms = resp.json().get("retry_after_ms")
        if ms is not None:
            return float(ms) / 1000.0
    except (ValueError, AttributeError):
        pass
    header = resp.headers.get("Retry-After")
    if header is not None:
        try:
            return float(header)
        except ValueError:
            pass
    return 1.0


def matrix_call(
    http: httpx.Client,
    method: str,
    path: str,
    *,
    token: str | None = None,
    json_body: Any = None,
    params: Mapping[str, Any] | None = None,
    timeout: float | None = None,
    rate_limit_budget: float = 60.0,
    retry_transport: bool = False,
    transport_budget: float = 30.0,
) -> Any:
    """One client-server API call; waits out 429s, optionally retries connection errors.

    ``retry_transport`` is only safe for idempotent calls (GET, PUT with a txn id).
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.monotonic()
    while True:
        try:
            resp = http.request(
                method,
                path,
                json=json_body,
                params=params,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TransportError:
            if retry_transport and time.monotonic() - started < transport_budget:
                time.sleep(0.25)
                continue
            raise
        if resp.status_code == 429:
            wait = min(_retry_after_seconds(resp), 10.0)
            if time.monotonic() - started + wait <= rate_limit_budget:
                time.sleep(wait)
                continue
        if retry_transport and resp.status_code in (502, 503, 504):
            if time.monotonic() - started < transport_budget:
                time.sleep(0.25)
                continue
        try:
            body = resp.json()
        except ValueError:
            body = resp.text
        if resp.is_success:
            return body
        raise MatrixError(resp.status_code, body, method, path)


def _q(value: str) -> str:
    return quote(value, safe="")


# ----- predicates for wait_for ---------------------------------------------


def thread_root(event: Mapping[str, Any]) -> str | None:
    """The thread root event id if ``event`` is in a thread (m.thread relation)."""
    rel = (event.get("content") or {}).get("m.relates_to") or {}
    if rel.get("rel_type") == "m.thread":
        return rel.get("event_id")
    return None


def in_thread(root_event_id: str, *, sender: str | None = None) -> Callable[[dict], bool]:
    """Predicate: a message in the thread of ``root_event_id`` (optionally from ``sender``)."""

    def match(event: dict) -> bool:
        return (
            event.get("type") == "m.room.message"
            and thread_root(event) == root_event_id
            and (sender is None or event.get("sender") == sender)
        )

    return match


_SYNC_FILTER = json.dumps(
    {
        "presence": {"types": []},
        "account_data": {"types": []},
        "room": {
            "timeline": {"limit": 100},
            "state": {"lazy_load_members": True},
            "ephemeral": {"types": []},
            "account_data": {"types": []},
        },
    },
    separators=(",", ":"),
)


class MatrixTestClient:
    """A synchronous Matrix client for tests and the CLI, one per user.

    Every event seen through /sync is kept per room in order, so ``wait_for`` finds a
    reply whether it arrived before or after the call. Pass ``after=<event_id>`` to
    only look at events that came after a given one (e.g. the command you sent).
    """

    def __init__(
        self,
        base_url: str,
        user: RegisteredUser | str,
        *,
        request_timeout: float = 30.0,
    ) -> None:
        if isinstance(user, RegisteredUser):
            self.user: RegisteredUser | None = user
            self.access_token = user.access_token
        else:
            self.user = None
            self.access_token = user
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=request_timeout, trust_env=False)
        self.since: str | None = None
        self._timelines: dict[str, list[dict[str, Any]]] = {}
        self._seen: dict[str, set[str]] = {}
        self.invited: set[str] = set()
        self._txn = itertools.count()
        self._txn_prefix = uuid.uuid4().hex[:12]
        self._user_id: str | None = user.user_id if isinstance(user, RegisteredUser) else None

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> MatrixTestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return matrix_call(self.http, method, path, token=self.access_token, **kwargs)

    @property
    def user_id(self) -> str:
        if self._user_id is None:
            self._user_id = self.call("GET", "/_matrix/client/v3/account/whoami")["user_id"]
        return self._user_id

    # ----- rooms -----------------------------------------------------------

    def create_room(
        self,
        *,
        invite: Iterable[str] = (),
        name: str | None = None,
        topic: str | None = None,
        preset: str = "private_chat",
        encrypted: bool = False,
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        body: dict[str, Any] = {"preset": preset, "invite": list(invite)}
        if name is not None:
            body["name"] = name
        if topic is not None:
            body["topic"] = topic
        if encrypted:
            body["initial_state"] = [
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            ]
        body.update(extra or {})
        return self.call("POST", "/_matrix/client/v3/createRoom", json_body=body)["room_id"]

    def invite(self, room_id: str, user_id: str) -> None:
        self.call(
            "POST", f"/_matrix/client/v3/rooms/{_q(room_id)}/invite", json_body={"user_id": user_id}
        )

    def join(self, room_id_or_alias: str) -> str:
        res = self.call("POST", f"/_matrix/client/v3/join/{_q(room_id_or_alias)}", json_body={})
        self.invited.discard(res["room_id"])
        return res["room_id"]

    def leave(self, room_id: str) -> None:
        self.call("POST", f"/_matrix/client/v3/rooms/{_q(room_id)}/leave", json_body={})

    def joined_members(self, room_id: str) -> set[str]:
        res = self.call("GET", f"/_matrix/client/v3/rooms/{_q(room_id)}/joined_members")
        return set(res["joined"])

    def joined_rooms(self) -> set[str]:
        return set(self.call("GET", "/_matrix/client/v3/joined_rooms")["joined_rooms"])

    # ----- sending ---------------------------------------------------------

    def send_event(
        self,
        room_id: str,
        event_type: str,
        content: Mapping[str, Any],
        *,
        txn_id: str | None = None,
    ) -> str:
        """Send with a transaction id; connection errors are retried (the txn id makes it safe)."""
        txn = txn_id or f"{self._txn_prefix}-{next(self._txn)}"
        path = f"/_matrix/client/v3/rooms/{_q(room_id)}/send/{_q(event_type)}/{_q(txn)}"
        return self.call("PUT", path, json_body=dict(content), retry_transport=True)["event_id"]

    def send_text(
        self,
        room_id: str,
        body: str,
        thread_root: str | None = None,
        *,
        reply_to: str | None = None,
        html: str | None = None,
        msgtype: str = "m.text",
    ) -> str:
        content: dict[str, Any] = {"msgtype": msgtype, "body": body}
        if html is not None:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = html
        if thread_root is not None:
            # As Element sends it: a thread relation with a reply fallback for old clients.
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread_root,
                "is_falling_back": reply_to is None,
                "m.in_reply_to": {"event_id": reply_to or thread_root},
            }
        elif reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        return self.send_event(room_id, "m.room.message", content)

    def get_event(self, room_id: str, event_id: str) -> dict[str, Any]:
        return self.call("GET", f"/_matrix/client/v3/rooms/{_q(room_id)}/event/{_q(event_id)}")

    # ----- reading ---------------------------------------------------------

    def sync(self, timeout_ms: int = 0, *, retry_transport: bool = True) -> None:
        """One /sync round; new timeline events are appended to the per-room store."""
        params: dict[str, Any] = {"filter": _SYNC_FILTER, "timeout": timeout_ms}
        if self.since is not None:
            params["since"] = self.since
        res = self.call(
            "GET",
            "/_matrix/client/v3/sync",
            params=params,
            timeout=timeout_ms / 1000.0 + 30.0,
            retry_transport=retry_transport,
        )
        rooms = res.get("rooms") or {}
        for room_id, room in (rooms.get("join") or {}).items():
            timeline = room.get("timeline") or {}
            events = list(timeline.get("events") or [])
            if timeline.get("limited") and timeline.get("prev_batch"):
                events = self._backfill(room_id, timeline["prev_batch"]) + events
            self._add(room_id, events)
            self.invited.discard(room_id)
        for room_id in (rooms.get("invite") or {}):
            self.invited.add(room_id)
        for room_id in (rooms.get("leave") or {}):
            self.invited.discard(room_id)
        self.since = res["next_batch"]

    def _backfill(self, room_id: str, token: str, cap: int = 1000) -> list[dict[str, Any]]:
        """Events hidden by a limited sync, oldest first, up to ones we already saw."""
        seen = self._seen.get(room_id, set())
        older: list[dict[str, Any]] = []
        while token and len(older) < cap:
            res = self.call(
                "GET",
                f"/_matrix/client/v3/rooms/{_q(room_id)}/messages",
                params={"from": token, "dir": "b", "limit": 100},
                retry_transport=True,
            )
            chunk = res.get("chunk") or []
            hit_known = False
            for ev in chunk:
                if ev.get("event_id") in seen:
                    hit_known = True
                    break
                older.append(ev)
            if hit_known or not chunk or not res.get("end"):
                break
            token = res["end"]
        older.reverse()
        return older

    def _add(self, room_id: str, events: Iterable[dict[str, Any]]) -> None:
        timeline = self._timelines.setdefault(room_id, [])
        seen = self._seen.setdefault(room_id, set())
        for ev in events:
            eid = ev.get("event_id")
            if eid and eid not in seen:
                seen.add(eid)
                timeline.append(ev)

    def events(self, room_id: str, *, after: str | None = None) -> list[dict[str, Any]]:
        """Events seen so far in ``room_id`` (no network), optionally only those after ``after``."""
        timeline = self._timelines.get(room_id, [])
        if after is None:
            return list(timeline)
        for i, ev in enumerate(timeline):
            if ev.get("event_id") == after:
                return timeline[i + 1 :]
        return []

    def messages(self, room_id: str, *, after: str | None = None) -> list[dict[str, Any]]:
        """Sync once, then return the room's m.room.message events (after ``after``)."""
        self.sync()
        return [e for e in self.events(room_id, after=after) if e.get("type") == "m.room.message"]

    def wait_for(
        self,
        room_id: str,
        predicate: Callable[[dict[str, Any]], bool],
        timeout: float = 15.0,
        *,
        after: str | None = None,
    ) -> dict[str, Any]:
        """The first event in ``room_id`` matching ``predicate``; long-polls /sync until ``timeout``.

        Survives a homeserver restart while waiting (connection errors are retried).
        """
        found = self.wait_for_all(room_id, predicate, count=1, timeout=timeout, after=after)
        return found[0]

    def wait_for_all(
        self,
        room_id: str,
        predicate: Callable[[dict[str, Any]], bool],
        *,
        count: int,
        timeout: float = 15.0,
        after: str | None = None,
    ) -> list[dict[str, Any]]:
        """Wait until at least ``count`` matching events were seen; returns all matches so far."""
        deadline = time.monotonic() + timeout
        while True:
            matches = [e for e in self.events(room_id, after=after) if predicate(e)]
            if len(matches) >= count:
                return matches
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"{self.user_id}: {len(matches)}/{count} matching events in {room_id} "
                    f"after {timeout}s; last events seen:\n{self._describe(room_id)}"
                )
            self._sync_quietly(remaining)

    def wait_for_invite(self, room_id: str | None = None, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            if room_id is None and self.invited:
                return next(iter(self.invited))
            if room_id is not None and room_id in self.invited:
                return room_id
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.user_id}: no invite to {room_id or 'any room'}")
            self._sync_quietly(remaining)

    def _sync_quietly(self, remaining: float) -> None:
        """A long-poll bounded by ``remaining``; a down homeserver just means try again."""
        poll_ms = int(max(0.0, min(remaining, 5.0)) * 1000)
        try:
            self.sync(timeout_ms=poll_ms, retry_transport=False)
        except (httpx.TransportError, MatrixError) as exc:
            if isinstance(exc, MatrixError) and exc.status < 500:
                raise
            time.sleep(min(0.5, max(remaining, 0.0)))

    def _describe(self, room_id: str, last: int = 10) -> str:
        lines = []
        for ev in self._timelines.get(room_id, [])[-last:]:
            content = ev.get("content") or {}
            lines.append(
                f"  {ev.get('event_id')} {ev.get('type')} from {ev.get('sender')}: "
                f"{str(content.get('body', ''))[:80]!r} rel={content.get('m.relates_to')}"
            )
        return "\n".join(lines) or "  (none)"
