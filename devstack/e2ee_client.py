"""An encrypting Matrix client for tests: a council member on Element, as far as crypto goes.

``E2EEClient`` wraps matrix-nio's AsyncClient with encryption switched on (its own crypto store
per device) behind a synchronous API like ``MatrixTestClient``: create encrypted rooms, send
encrypted messages, and wait for (decrypted) replies. It trusts every device it meets, as a
member who never verifies would.

For the late-key drill it can also do what a lagging client does: encrypt a message with a
room key it has not shared with the bot (``send_withheld``) and hand that key over later
(``share_withheld``).
"""
from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nio
from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from nio.api import Api
from unpaddedbase64 import encode_base64
from nio.crypto import OutboundGroupSession
from nio.store import SqliteStore

from devstack.matrix_client import RegisteredUser

MEGOLM = "m.megolm.v1.aes-sha2"
_FILTER = {"room": {"timeline": {"limit": 100}}, "presence": {"types": []}}


@dataclass(frozen=True)
class WithheldKey:
    """A room key that encrypted one message but was given to nobody yet."""

    room_id: str
    content: dict[str, Any]  # the m.room_key content, at the message's ratchet index


class E2EEClient:
    def __init__(self, base_url: str, user: RegisteredUser, store_dir: Path) -> None:
        self.user = user
        self.user_id = user.user_id
        store_dir.mkdir(parents=True, exist_ok=True)
        self._loop = asyncio.new_event_loop()
        config = nio.AsyncClientConfig(encryption_enabled=True, store=SqliteStore, store_sync_tokens=False,
                                       max_limit_exceeded=None, max_timeouts=3, request_timeout=30)
        self.client = nio.AsyncClient(base_url, user.user_id, device_id=user.device_id,
                                      store_path=str(store_dir), config=config)
        self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self._timelines: dict[str, list[dict[str, Any]]] = {}
        self._index: dict[str, dict[str, dict[str, Any]]] = {}
        self._txn = itertools.count()
        self._synced_once = False
        self._run(self._upkeep())

    # --- plumbing ------------------------------------------------------------------------
    def _run(self, coro: Any) -> Any:
        return self._loop.run_until_complete(coro)

    def close(self) -> None:
        self._run(self.client.close())
        self._loop.close()

    def __enter__(self) -> "E2EEClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def device_id(self) -> str:
        return self.client.device_id

    @property
    def ed25519(self) -> str:
        return self.client.olm.account.identity_keys["ed25519"]

    async def _upkeep(self) -> None:
        """What sync_forever does between syncs; and trust every device we know (TOFU)."""
        c = self.client
        if c.should_upload_keys:
            _ok(await c.keys_upload())
        if c.should_query_keys:
            _ok(await c.keys_query())
        if c.should_claim_keys:
            _ok(await c.keys_claim(c.get_users_for_key_claiming()))
        await c.send_to_device_messages()

    async def _sync(self, timeout_ms: int) -> None:
        c = self.client
        resp = await c.sync(timeout=timeout_ms, full_state=not self._synced_once, sync_filter=_FILTER)
        _ok(resp)
        self._synced_once = True
        for room_id, room in resp.rooms.join.items():
            for event in room.timeline.events:
                self._record(room_id, event)
        self._retry_undecrypted()
        await self._upkeep()

    def _record(self, room_id: str, event: Any) -> None:
        source = dict(getattr(event, "source", None) or {})
        event_id = source.get("event_id") or getattr(event, "event_id", None)
        if not event_id:
            return
        entry = dict(source)
        entry["event_id"] = event_id
        entry["decrypted"] = bool(getattr(event, "decrypted", False))
        entry["undecryptable"] = isinstance(event, nio.MegolmEvent)
        index = self._index.setdefault(room_id, {})
        if event_id in index:
            index[event_id].clear()
            index[event_id].update(entry)
            return
        index[event_id] = entry
        self._timelines.setdefault(room_id, []).append(entry)

    def _retry_undecrypted(self) -> None:
        """Keys can arrive after their messages: decrypt what we could not before."""
        for room_id, events in self._timelines.items():
            for entry in events:
                if not entry["undecryptable"]:
                    continue
                megolm = nio.MegolmEvent.from_dict({k: v for k, v in entry.items()
                                                    if k not in ("decrypted", "undecryptable")})
                if not isinstance(megolm, nio.MegolmEvent):
                    continue
                megolm.room_id = room_id
                try:
                    self._record(room_id, self.client.decrypt_event(megolm))
                except nio.EncryptionError:
                    pass

    # --- rooms ---------------------------------------------------------------------------
    def sync(self, timeout_ms: int = 0) -> None:
        self._run(self._sync(timeout_ms))

    def create_room(self, *, name: str, invite: Iterable[str] = (), encrypted: bool = True) -> str:
        state = [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}] if encrypted else []
        resp = self._run(self.client.room_create(name=name, invite=list(invite), initial_state=state,
                                                 preset=nio.RoomPreset.private_chat))
        _ok(resp)
        self.sync()
        return resp.room_id

    def join(self, room_id: str) -> None:
        _ok(self._run(self.client.join(room_id)))
        self.sync()

    def wait_for_invite(self, timeout: float = 30.0) -> str:
        """The id of a room we are invited to (and have not joined)."""
        deadline = time.monotonic() + timeout
        while not self.client.invited_rooms:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.user_id}: no invite after {timeout}s")
            self.sync(1000)
        return next(iter(self.client.invited_rooms))

    def joined_members(self, room_id: str) -> set[str]:
        resp = self._run(self.client.joined_members(room_id))
        _ok(resp)
        return {m.user_id for m in resp.members}

    def devices_of(self, user_id: str) -> dict[str, str]:
        """The devices we know for ``user_id``: {device id: ed25519 key}."""
        self.client.olm.users_for_key_query.add(user_id)
        self._run(self._upkeep())
        return {d.id: d.ed25519 for d in self.client.device_store.active_user_devices(user_id)}

    # --- sending -------------------------------------------------------------------------
    @staticmethod
    def _content(body: str, thread_root: str | None, reply_to: str | None) -> dict[str, Any]:
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if thread_root is not None:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread_root,
                                       "is_falling_back": reply_to is None,
                                       "m.in_reply_to": {"event_id": reply_to or thread_root}}
        elif reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        return content

    def send_text(self, room_id: str, body: str, thread_root: str | None = None, *,
                  reply_to: str | None = None) -> str:
        """Send (encrypted in an encrypted room) after learning the room's current devices."""
        self.sync()
        resp = self._run(self.client.room_send(room_id, "m.room.message", self._content(body, thread_root, reply_to),
                                               tx_id=self._next_txn(), ignore_unverified_devices=True))
        _ok(resp)
        return resp.event_id

    def send_withheld(self, room_id: str, body: str) -> tuple[str, WithheldKey]:
        """Encrypt ``body`` with a fresh room key that nobody else gets (yet) and send it."""
        olm = self.client.olm
        session = OutboundGroupSession()
        key = WithheldKey(room_id, {"algorithm": MEGOLM, "room_id": room_id, "session_id": session.id,
                                    "session_key": session.session_key})
        # Keep our own copy, as any client does for what it sent.
        olm.create_group_session(olm.account.identity_keys["curve25519"], olm.account.identity_keys["ed25519"],
                                 room_id, session.id, session.session_key)
        session.shared = True  # nio's guard; here "shared" deliberately means with nobody
        plaintext = {"type": "m.room.message", "content": self._content(body, None, None), "room_id": room_id}
        content = {"algorithm": MEGOLM, "sender_key": olm.account.identity_keys["curve25519"],
                   "ciphertext": session.encrypt(Api.to_json(plaintext)), "session_id": session.id,
                   "device_id": self.client.device_id}
        body_json = self._raw("PUT", Api.room_send(self.client.access_token, room_id, "m.room.encrypted", content,
                                                   self._next_txn()))
        return body_json["event_id"], key

    def share_withheld(self, key: WithheldKey, user_id: str) -> list[str]:
        """Send the withheld room key to every device of ``user_id`` (Olm-encrypted to-device
        ``m.room_key``, as a client that catches up does). Returns the device ids."""
        olm = self.client.olm
        self.devices_of(user_id)
        missing = olm.get_missing_sessions([user_id])
        if missing:
            _ok(self._run(self.client.keys_claim(missing)))
        messages: dict[str, dict[str, Any]] = {user_id: {}}
        for device in olm.device_store.active_user_devices(user_id):
            session = olm.session_store.get(device.curve25519)
            assert session is not None, f"no Olm session with {user_id} {device.id}"
            messages[user_id][device.id] = olm._olm_encrypt(session, device, "m.room_key", key.content)
        self._raw("PUT", Api.to_device(self.client.access_token, "m.room.encrypted", {"messages": messages},
                                       uuid.uuid4().hex))
        return list(messages[user_id])

    def _raw(self, method: str, call: tuple[Any, ...]) -> dict[str, Any]:
        _, path, data = call
        async def go() -> dict[str, Any]:
            # nio's Api puts the access token in the query string already.
            resp = await self.client.send(method, path, data, {"Content-Type": "application/json"})
            body = await resp.json()
            if resp.status >= 300:
                raise RuntimeError(f"{method} {path}: {resp.status} {body}")
            return body
        return self._run(go())

    def _next_txn(self) -> str:
        return f"e2ee-{uuid.uuid4().hex[:8]}-{next(self._txn)}"

    # --- reading -------------------------------------------------------------------------
    def events(self, room_id: str) -> list[dict[str, Any]]:
        return list(self._timelines.get(room_id, []))

    def wait_for(self, room_id: str, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self._timelines.get(room_id, []):
                if predicate(event):
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.user_id}: nothing matching in {room_id} after {timeout}s; last events:\n"
                                   + self._describe(room_id))
            self.sync(int(min(remaining, 3.0) * 1000))

    def _describe(self, room_id: str, last: int = 10) -> str:
        lines = []
        for ev in self._timelines.get(room_id, [])[-last:]:
            content = ev.get("content") or {}
            lines.append(f"  {ev['event_id']} {ev.get('type')} from {ev.get('sender')} decrypted={ev['decrypted']} "
                         f"undecryptable={ev['undecryptable']}: {str(content.get('body', ''))[:60]!r}")
        return "\n".join(lines) or "  (none)"


class SigningKey:
    """An Ed25519 cross-signing key (pycryptodome: nio cannot make these)."""

    def __init__(self) -> None:
        self._key = ECC.generate(curve="ed25519")
        self.public = encode_base64(self._key.public_key().export_key(format="raw"))

    def sign(self, obj: dict[str, Any], user_id: str) -> dict[str, Any]:
        """``obj`` with this key's signature added, as the Matrix spec signs JSON."""
        signed = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
        signature = encode_base64(eddsa.new(self._key, "rfc8032").sign(Api.to_canonical_json(signed).encode()))
        out = dict(obj)
        out["signatures"] = {**(obj.get("signatures") or {})}
        out["signatures"][user_id] = {**out["signatures"].get(user_id, {}), f"ed25519:{self.public}": signature}
        return out


@dataclass
class CrossSigning:
    master: SigningKey
    self_signing: SigningKey


def set_up_cross_signing(base_url: str, user: RegisteredUser) -> CrossSigning:
    """Give ``user`` a master and a self-signing key, as Element does when a member sets up
    secure backup / verification for the first time."""
    import httpx

    keys = CrossSigning(SigningKey(), SigningKey())
    master = {"user_id": user.user_id, "usage": ["master"], "keys": {f"ed25519:{keys.master.public}": keys.master.public}}
    ssk = keys.master.sign({"user_id": user.user_id, "usage": ["self_signing"],
                            "keys": {f"ed25519:{keys.self_signing.public}": keys.self_signing.public}}, user.user_id)
    body: dict[str, Any] = {"master_key": master, "self_signing_key": ssk}
    headers = {"Authorization": f"Bearer {user.access_token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30, trust_env=False) as http:
        url = "/_matrix/client/v3/keys/device_signing/upload"
        resp = http.post(url, json=body)
        if resp.status_code == 401:  # user-interactive auth: confirm with the password
            body["auth"] = {"type": "m.login.password", "session": resp.json().get("session"), "password": user.password,
                            "identifier": {"type": "m.id.user", "user": user.user_id}}
            resp = http.post(url, json=body)
        resp.raise_for_status()
    return keys


def cross_sign_device(base_url: str, user: RegisteredUser, keys: CrossSigning, device_id: str) -> None:
    """Sign one of ``user``'s devices with their self-signing key ("verify this session")."""
    import httpx

    headers = {"Authorization": f"Bearer {user.access_token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30, trust_env=False) as http:
        resp = http.post("/_matrix/client/v3/keys/query", json={"device_keys": {user.user_id: [device_id]}})
        resp.raise_for_status()
        device = resp.json()["device_keys"][user.user_id][device_id]
        signed = keys.self_signing.sign(device, user.user_id)
        # Only the new signature is uploaded; the homeserver checks it against the stored keys.
        signed["signatures"] = {user.user_id: {f"ed25519:{keys.self_signing.public}":
                                               signed["signatures"][user.user_id][f"ed25519:{keys.self_signing.public}"]}}
        signed.pop("unsigned", None)
        resp = http.post("/_matrix/client/v3/keys/signatures/upload", json={user.user_id: {device_id: signed}})
        resp.raise_for_status()
        failures = resp.json().get("failures") or {}
        assert not failures, failures


def _ok(resp: Any) -> Any:
    if isinstance(resp, nio.ErrorResponse):
        raise RuntimeError(f"{type(resp).__name__}: {resp}")
    return resp
