"""The one module that talks to matrix-nio (with ``crypto.py`` for trust decisions).

Everything else in the bot sees plain data: :class:`IncomingMessage`, :class:`IncomingReaction`,
:class:`EncryptedEvent` and :class:`SendOutcome`. Encryption stays inside this file: the gateway
decides per room whether a message goes out encrypted or in the clear, keeps the bot's Olm
account in its crypto store, shares room keys with the devices the trust policy allows, and
hands back events it cannot decrypt yet so the bot can keep them until their key arrives.
"""
from __future__ import annotations

import asyncio
import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import aiohttp
import nio
from nio.api import Api
from nio.exceptions import EncryptionError, GroupEncryptionError, LocalProtocolError, OlmUnverifiedDeviceError
from nio.rooms import MatrixRoom

from services.bot.crypto import (
    CROSS_SIGNING_FILE,
    CrossSigningKeys,
    CrossSigningStatus,
    CryptoStoreError,
    EncryptionUnavailable,
    MasterKeyPins,
    cross_signing_status,
    decide,
    own_master_key,
    plan_cross_signing,
    verify_signature,
)

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


@dataclass(frozen=True)
class EncryptedEvent:
    """A room event the bot could not decrypt yet (its room key has not arrived)."""

    room_id: str
    event_id: str
    sender: str
    session_id: str
    sender_key: str
    ts: int
    source: dict[str, Any]


@dataclass
class SyncBatch:
    next_batch: str
    messages: list[IncomingMessage] = field(default_factory=list)
    reactions: list[IncomingReaction] = field(default_factory=list)
    invites: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)
    undecryptable: list[EncryptedEvent] = field(default_factory=list)
    withheld: list[KeyWithheld] = field(default_factory=list)
    member_joins: list[tuple[str, str]] = field(default_factory=list)  # (room id, user id) of someone joining
    events: int = 0  # how many room and to-device events the sync carried (of any kind, ours too)


@dataclass(frozen=True)
class CryptoOptions:
    store_dir: Path
    trust: str = "tofu"  # see services.bot.crypto.TRUST_POLICIES
    passphrase: str = "DEFAULT_KEY"


@dataclass(frozen=True)
class CryptoIdentity:
    device_id: str
    ed25519: str
    curve25519: str
    store_file: Path


@dataclass(frozen=True)
class KeyWithheld:
    """A member's device told us it will not share a room key (``m.room_key.withheld``)."""

    sender: str
    room_id: str
    session_id: str
    sender_key: str
    code: str
    reason: str


class CrossSigningError(RuntimeError):
    """The bot's cross-signing identity could not be published (e.g. the homeserver wants the
    password and the bot has only a token). ``user_message`` says what the operator must do."""


@dataclass(frozen=True)
class CrossSigningResult:
    action: str  # keep | create | upload | lost (see crypto.plan_cross_signing)
    master_key: str | None
    device_signed: bool  # our device carried (or now carries) our self-signing signature
    reason: str


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


class _RawKeysQueryResponse(nio.KeysQueryResponse):
    """nio's keys answer plus the raw body: nio drops the cross-signing keys we need."""

    raw: dict[str, Any]

    @classmethod
    def from_dict(cls, parsed_dict: dict[Any, Any]) -> Any:  # type: ignore[override]
        resp = super().from_dict(parsed_dict)
        if isinstance(resp, nio.KeysQueryResponse):
            resp.raw = parsed_dict
        return resp


_TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)


MEGOLM = "m.megolm.v1.aes-sha2"


def _accept_forwards_from_the_originating_device(olm: Any) -> None:
    """nio accepts an ``m.forwarded_room_key`` only from the bot's own verified devices. Element
    (Rust crypto) answers our key request from the member's device that created the session: accept
    that too, when the forwarding device's curve25519 key is the session's sender key and the device
    belongs to the user who sent it. Only keys we asked for (nio's outgoing request list) count."""
    original = olm._should_accept_forward

    def should_accept(sender: str, sender_key: str, event: Any) -> bool:
        content = (getattr(event, "source", None) or {}).get("content") or {}
        request = olm.outgoing_key_requests.get(getattr(event, "session_id", None))
        if (event.algorithm == MEGOLM and request is not None and request.room_id == event.room_id
                and content.get("sender_key") == sender_key):
            device = olm.device_store.device_from_sender_key(sender, sender_key)
            if device is not None and device.user_id == sender and not olm.is_device_blacklisted(device):
                log.info("accepting the room key for session %s forwarded by its own sending device %s of %s",
                         event.session_id, device.id, sender)
                return True
        return bool(original(sender, sender_key, event))

    olm._should_accept_forward = should_accept


def _withheld(event: Any) -> KeyWithheld | None:
    """An ``m.room_key.withheld`` to-device event (nio does not know the type), as plain data."""
    source = getattr(event, "source", None) or {}
    if source.get("type") != "m.room_key.withheld":
        return None
    content = source.get("content") or {}
    if content.get("algorithm") != MEGOLM or not isinstance(content.get("session_id"), str):
        return None
    return KeyWithheld(sender=str(source.get("sender", "")), room_id=str(content.get("room_id", "")),
                       session_id=content["session_id"], sender_key=str(content.get("sender_key", "")),
                       code=str(content.get("code", "")), reason=str(content.get("reason", ""))[:200])


class MatrixGateway:
    def __init__(self, homeserver_url: str, user_id: str, *, device_id: str | None = None,
                 request_timeout: float = 40.0, crypto: CryptoOptions | None = None) -> None:
        # Without vodozemac (matrix-nio[e2e]) nio cannot encrypt; open_crypto() then says so.
        self._can_encrypt = bool(nio.crypto.ENCRYPTION_ENABLED)
        encrypting = False
        store: dict[str, Any] = {}
        if crypto is not None and self._can_encrypt:
            encrypting = True
            # Trust state in the same SQLite file as the keys: one file to back up.
            store = {"store": nio.store.SqliteStore, "pickle_key": crypto.passphrase}
        config = nio.AsyncClientConfig(
            # The outbox and the sync loop decide about retries, so nio must hand errors back.
            max_limit_exceeded=0, max_timeouts=0, request_timeout=request_timeout,
            store_sync_tokens=False, encryption_enabled=encrypting, **store,
        )
        # No store path yet: nio would open (and create) a store on login, before we checked it.
        self.client = nio.AsyncClient(homeserver_url, user_id, device_id=device_id or "", config=config)
        self.user_id = user_id
        self.crypto = crypto
        self.trusted_rooms: set[str] = set()
        self._crypto_lock = asyncio.Lock()
        self._state_synced = False  # a full-state sync has told nio which rooms are encrypted
        self._cross_signing: dict[str, CrossSigningStatus] = {}
        self._pins: MasterKeyPins | None = None
        self._warned: set[tuple[str, str, str]] = set()
        self._confirmed_plain: set[str] = set()  # rooms the homeserver says are not encrypted

    # --- session ---------------------------------------------------------------------------
    async def use_token(self, access_token: str, device_id: str | None) -> Session:
        self.client.access_token = access_token
        try:
            resp = await self.client.whoami()
        except _TRANSPORT_ERRORS as exc:
            raise TransientError(f"whoami failed: {exc}") from exc
        if isinstance(resp, nio.WhoamiError):
            if resp.status_code == "M_UNKNOWN_TOKEN":
                raise FatalAuthError("the homeserver does not know the bot's access token (M_UNKNOWN_TOKEN)")
            raise TransientError(f"whoami: {resp.status_code} {resp.message}")
        self.client.user_id = self.user_id = resp.user_id
        self.client.device_id = resp.device_id or device_id or ""
        return Session(resp.user_id, access_token, self.client.device_id)

    async def login(self, password: str, device_name: str, device_id: str | None = None) -> Session:
        # Logging in again with the same device id keeps the device (and its encryption keys).
        self.client.device_id = device_id or ""
        try:
            resp = await self.client.login(password=password, device_name=device_name)
        except _TRANSPORT_ERRORS as exc:
            raise TransientError(f"login failed: {exc}") from exc
        if isinstance(resp, nio.LoginError):
            if resp.status_code in {"M_FORBIDDEN", "M_USER_DEACTIVATED"}:
                raise FatalAuthError(f"login refused: {resp.status_code} {resp.message}")
            raise TransientError(f"login: {resp.status_code} {resp.message}")
        return Session(resp.user_id, resp.access_token, resp.device_id)

    # --- the crypto store ------------------------------------------------------------------
    def crypto_store_file(self, device_id: str) -> Path:
        assert self.crypto is not None
        return self.crypto.store_dir / f"{self.user_id}_{device_id}.db"  # nio's SqliteStore naming

    async def open_crypto(self) -> CryptoIdentity:
        """Open (or, for a device that never had keys, create) the crypto store of the logged-in
        device, check it against the keys the homeserver holds for the device, and publish ours.

        Raises CryptoStoreError when the store cannot be opened or the homeserver already holds
        other keys for this device (another client's, or those of a lost store), and
        EncryptionUnavailable when nio cannot encrypt here."""
        assert self.crypto is not None
        if not self._can_encrypt:
            raise EncryptionUnavailable("encryption is switched on but matrix-nio's encryption support is not "
                                        "installed (pip install 'matrix-nio[e2e]'), or set matrix.encryption: false")
        store_dir = self.crypto.store_dir
        store_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(store_dir, 0o700)  # private keys: only the bot's user may read them
        self.client.store_path = str(store_dir)
        try:
            self.client.load_store()
        except Exception as exc:  # a wrong passphrase or a damaged file surfaces as many types
            raise CryptoStoreError(f"cannot open the crypto store {self.crypto_store_file(self.client.device_id)}: "
                                   f"{exc!r} (wrong matrix.store_passphrase?)") from exc
        olm = self.client.olm
        assert olm is not None
        for path in store_dir.glob("*.db*"):  # nio creates its files with the umask's mode
            path.chmod(0o600)
        _accept_forwards_from_the_originating_device(olm)
        ours = olm.account.identity_keys
        self._pins = MasterKeyPins.load(store_dir / "cross_signing_pins.json")
        body = await self._raw_keys_query({self.user_id})
        published = ((body.get("device_keys") or {}).get(self.user_id) or {}).get(self.client.device_id)
        if published:
            keys = published.get("keys") or {}
            if keys.get(f"ed25519:{self.client.device_id}") != ours["ed25519"]:
                raise CryptoStoreError(
                    f"the homeserver holds other encryption keys for device {self.client.device_id} than the crypto "
                    f"store {self.crypto_store_file(self.client.device_id)}: the device was used by another client "
                    "(e.g. an access token taken from Element) or its store was lost")
        elif olm.account.shared:
            # The device was removed on the server and created again: publish our keys afresh.
            log.warning("the homeserver has no keys for device %s any more; publishing them again", self.client.device_id)
            olm.account.shared = False
        if self.client.should_upload_keys:
            await self._checked(self.client.keys_upload(), "keys upload", nio.KeysUploadError)
        return CryptoIdentity(self.client.device_id, ours["ed25519"], ours["curve25519"],
                              self.crypto_store_file(self.client.device_id))

    def set_trusted_rooms(self, rooms: Iterable[str]) -> None:
        """The rooms whose members' devices the trust policy applies to (council rooms, DMs)."""
        self.trusted_rooms = set(rooms)

    async def _checked(self, call: Any, what: str, error_type: type) -> Any:
        try:
            resp = await call
        except _TRANSPORT_ERRORS as exc:
            raise TransientError(f"{what} failed: {exc!r}") from exc
        if isinstance(resp, error_type):
            if getattr(resp, "status_code", None) == "M_UNKNOWN_TOKEN":
                raise FatalAuthError("the homeserver does not know the bot's access token (M_UNKNOWN_TOKEN)")
            raise TransientError(f"{what}: {getattr(resp, 'status_code', '')} {getattr(resp, 'message', resp)}")
        return resp

    async def _raw_keys_query(self, users: set[str]) -> dict[str, Any]:
        """``/keys/query`` through nio (so its device store learns the answer), keeping the body."""
        method, path, data = Api.keys_query(self.client.access_token, users)
        resp = await self._checked(self.client._send(_RawKeysQueryResponse, method, path, data),
                                   "keys query", nio.KeysQueryError)
        body: dict[str, Any] = resp.raw
        if self.crypto is not None and self.crypto.trust == "cross_signing":
            for user in users:
                self._cross_signing[user] = cross_signing_status(body, user)
        return body

    async def _maintain_crypto(self) -> None:
        """What nio's sync_forever would do between syncs: publish one-time keys, learn changed
        devices, open Olm sessions that are needed, and send queued to-device messages
        (key requests, session repairs)."""
        client = self.client
        if client.olm is None:
            return
        if client.should_upload_keys:
            await self._checked(client.keys_upload(), "keys upload", nio.KeysUploadError)
        users = set(client.users_for_key_query)
        if self.crypto is not None and self.crypto.trust == "cross_signing":
            users |= {u for u in self._trusted_users() if u not in self._cross_signing}
        if users:
            await self._raw_keys_query(users)
        if client.should_claim_keys:
            await self._checked(client.keys_claim(client.get_users_for_key_claiming()), "keys claim", nio.KeysClaimError)
        if client.outgoing_to_device_messages:
            try:
                await client.send_to_device_messages()
            except _TRANSPORT_ERRORS as exc:
                raise TransientError(f"to-device messages failed: {exc!r}") from exc
        self._apply_trust()

    def _trusted_users(self) -> set[str]:
        users: set[str] = set()
        for room_id in self.trusted_rooms:
            room = self.client.rooms.get(room_id)
            if room is not None and room.encrypted:
                users.update(room.users)
        return users

    def _apply_trust(self) -> None:
        """Mark each device of the people in the trusted rooms trusted or blacklisted, as the
        policy says, so nio shares room keys with exactly the trusted ones."""
        assert self.crypto is not None
        client = self.client
        policy = self.crypto.trust
        for user_id in sorted(self._trusted_users()):
            status = self._cross_signing.get(user_id)
            pinned_ok = True
            if policy == "cross_signing" and status is not None and status.master_key and self._pins is not None:
                pinned_ok = self._pins.check(user_id, status.master_key)
            for device in client.device_store.active_user_devices(user_id):
                if user_id == self.user_id and device.id == client.device_id:
                    continue
                decision = decide(policy, device.id, status, pinned_ok)
                if decision.trusted:
                    if client.olm.is_device_blacklisted(device):
                        client.unblacklist_device(device)
                    if client.verify_device(device):
                        log.info("sharing room keys with device %s of %s: %s", device.id, user_id, decision.reason)
                else:
                    if client.olm.is_device_verified(device):
                        client.unverify_device(device)
                    client.blacklist_device(device)
                    if (user_id, device.id, decision.reason) not in self._warned:
                        self._warned.add((user_id, device.id, decision.reason))
                        log.warning("not sharing room keys with device %s of %s (trust: %s): %s; that session "
                                    "cannot read the bot's messages until it is verified", device.id, user_id,
                                    policy, decision.reason)

    # --- the bot's cross-signing identity --------------------------------------------------
    def _cross_signing_file(self) -> Path:
        assert self.crypto is not None
        return self.crypto.store_dir / CROSS_SIGNING_FILE

    def _store_passphrase(self) -> str | None:
        assert self.crypto is not None
        return None if self.crypto.passphrase in ("", "DEFAULT_KEY") else self.crypto.passphrase

    async def ensure_cross_signing(self, password: str | None, *, replace: bool = False) -> CrossSigningResult:
        """Give the bot what a person gets on first login in Element: its own cross-signing keys,
        published, with its device signed by them. Idempotent: a restart changes nothing; a new
        or restored device signs itself again; ``replace`` makes and publishes a new identity.

        Returns ``action="lost"`` (and publishes nothing) when the homeserver holds an identity
        whose private keys are not in the crypto store: replacing it is the operator's decision."""
        assert self.crypto is not None and self.client.olm is not None
        path = self._cross_signing_file()
        local = CrossSigningKeys.load(path, self._store_passphrase()) if path.exists() else None
        body = await self._raw_keys_query({self.user_id})
        server_master = own_master_key(body, self.user_id)
        plan = plan_cross_signing(local.master_public if local else None, server_master, replace=replace)
        if plan.action == "lost":
            return CrossSigningResult("lost", server_master, False, plan.reason)
        if plan.action == "create":
            local = CrossSigningKeys.generate()
            # Saved before it is published: a crash in between leaves keys we can publish next time.
            local.save(path, self._store_passphrase())
        assert local is not None
        if plan.action in ("create", "upload"):
            await self._upload_cross_signing(local.upload_body(self.user_id), password)
            log.info("published the bot's cross-signing identity (master key %s)", local.master_public)
        device = ((body.get("device_keys") or {}).get(self.user_id) or {}).get(self.client.device_id)
        if device is None:
            body = await self._raw_keys_query({self.user_id})
            device = ((body.get("device_keys") or {}).get(self.user_id) or {}).get(self.client.device_id)
        if device is None:
            raise TransientError("the homeserver does not list the bot's device keys yet")
        signed = verify_signature(device, self.user_id, local.self_signing_public)
        if not signed:
            await self._post_json(["keys", "signatures", "upload"],
                                  {self.user_id: {self.client.device_id: local.sign_device(device, self.user_id)}},
                                  "signature upload")
            log.info("signed device %s with the bot's self-signing key", self.client.device_id)
        return CrossSigningResult(plan.action, local.master_public, True, plan.reason)

    async def _upload_cross_signing(self, body: dict[str, Any], password: str | None) -> None:
        """``/keys/device_signing/upload``. The first upload needs no login (MSC3967); replacing an
        identity needs user-interactive auth: the bot's password (or, where logins are delegated to
        MAS, a person's approval on the account page)."""
        status, answer = await self._post_json_raw(["keys", "device_signing", "upload"], body)
        if status == 401 and "flows" in answer:
            approve_at = ((answer.get("params") or {}).get("m.oauth") or {}).get("url")
            if approve_at:
                # A homeserver that delegates logins (MAS): a person approves the reset there.
                raise CrossSigningError(f"the homeserver wants the reset of the bot's identity approved first: open "
                                        f"{approve_at} as the bot's account, approve, and run the command again")
            if not password:
                raise CrossSigningError(
                    "the homeserver asks for the bot's password to replace its cross-signing identity, and the bot "
                    "has only an access token: set matrix.password for this one command "
                    "('overleg bot --replace-identity'), then remove it again if you prefer a token")
            auth = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": self.user_id},
                    "password": password, "session": answer.get("session")}
            status, answer = await self._post_json_raw(["keys", "device_signing", "upload"], {**body, "auth": auth})
        if status == 401 and answer.get("errcode") == "M_UNKNOWN_TOKEN":
            raise FatalAuthError("the homeserver does not know the bot's access token (M_UNKNOWN_TOKEN)")
        if status in (401, 403):
            raise CrossSigningError(f"the homeserver refused the bot's cross-signing keys: {status} "
                                    f"{answer.get('errcode')} {answer.get('error')}")
        if status != 200:
            raise TransientError(f"cross-signing upload: {status} {answer.get('errcode')} {answer.get('error')}")

    async def _post_json(self, path: list[str], body: dict[str, Any], what: str) -> dict[str, Any]:
        status, answer = await self._post_json_raw(path, body)
        if status == 401 and answer.get("errcode") == "M_UNKNOWN_TOKEN":
            raise FatalAuthError("the homeserver does not know the bot's access token (M_UNKNOWN_TOKEN)")
        if status != 200 or answer.get("failures"):
            raise TransientError(f"{what}: {status} {answer}")
        return answer

    async def _post_json_raw(self, path: list[str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"}
        try:
            resp = await self.client.send("POST", Api._build_path(path), Api.to_json(body), headers=headers)
            try:
                answer = await resp.json(content_type=None)
            except ValueError:
                answer = {}
            return resp.status, answer if isinstance(answer, dict) else {}
        except _TRANSPORT_ERRORS as exc:
            raise TransientError(f"POST {'/'.join(path)} failed: {exc!r}") from exc

    # --- receiving ---------------------------------------------------------------------------
    async def sync(self, since: str | None, timeout_ms: int) -> SyncBatch:
        # With encryption, the first sync of a process carries the full state, so nio learns which
        # rooms are encrypted before anything is sent (the saved token alone would not tell it).
        full_state = since is None or (self.crypto is not None and not self._state_synced)
        try:
            resp = await self.client.sync(timeout=timeout_ms, since=since, full_state=full_state,
                                          sync_filter=SYNC_FILTER)
        except _TRANSPORT_ERRORS as exc:
            raise TransientError(f"sync failed: {exc!r}") from exc
        if isinstance(resp, nio.SyncError):
            if resp.status_code == "M_UNKNOWN_TOKEN":
                raise FatalAuthError("the homeserver does not know the bot's access token (M_UNKNOWN_TOKEN)")
            raise TransientError(f"sync: {resp.status_code} {resp.message}")
        self._state_synced = True
        batch = SyncBatch(next_batch=resp.next_batch, events=len(resp.to_device_events))
        for event in resp.to_device_events:
            withheld = _withheld(event)
            if withheld is not None:
                batch.withheld.append(withheld)
        batch.invites = list(resp.rooms.invite.keys())
        for room_id, room in resp.rooms.join.items():
            batch.joined.append(room_id)
            events = list(room.timeline.events)
            if room.timeline.limited and since is not None:
                # More happened than one sync carries (e.g. while the bot was down): fetch the gap,
                # or commands sent in it would be lost.
                events = await self._backfill(room_id, room.timeline.prev_batch, since) + events
            batch.events += len(events)
            for event in events:
                self._collect(room_id, event, batch)
        if self.client.olm is not None:
            try:
                async with self._crypto_lock:
                    await self._maintain_crypto()
            except TransientError as exc:
                # The batch is good; key upkeep is tried again after the next sync.
                log.warning("encryption upkeep failed, retrying after the next sync: %s", exc)
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
        if isinstance(event, nio.MegolmEvent):
            # nio could not decrypt it: no room key yet. The bot keeps it until the key arrives.
            if event.sender != self.user_id:
                batch.undecryptable.append(EncryptedEvent(
                    room_id, event.event_id, event.sender, event.session_id, event.sender_key,
                    int(event.server_timestamp or 0), dict(event.source)))
            return
        source = getattr(event, "source", None) or {}
        etype = source.get("type")
        content = source.get("content") or {}
        sender = source.get("sender") or getattr(event, "sender", "")
        event_id = source.get("event_id") or getattr(event, "event_id", "")
        ts = int(source.get("origin_server_ts") or getattr(event, "server_timestamp", 0) or 0)
        relates = content.get("m.relates_to") or {}
        if etype == "m.room.member":
            joined = source.get("state_key")
            if content.get("membership") == "join" and joined and joined != self.user_id:
                batch.member_joins.append((room_id, str(joined)))
            return
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

    # --- events whose key came late ----------------------------------------------------------
    def has_room_key(self, event: EncryptedEvent) -> bool:
        olm = self.client.olm
        return olm is not None and olm.inbound_group_store.get(event.room_id, event.sender_key, event.session_id) is not None

    def decrypt(self, event: EncryptedEvent) -> SyncBatch | None:
        """The event's message or reaction (an empty batch for anything else), or None while
        its room key is still missing."""
        if not self.has_room_key(event):
            return None
        parsed = nio.MegolmEvent.from_dict(event.source)
        batch = SyncBatch(next_batch="")
        if not isinstance(parsed, nio.MegolmEvent):
            log.warning("dropping malformed encrypted event %s in %s", event.event_id, event.room_id)
            return batch
        parsed.room_id = event.room_id
        try:
            decrypted = self.client.decrypt_event(parsed)
        except EncryptionError as exc:
            # The key is there but does not open this event (e.g. a later ratchet index): keep
            # waiting, an earlier copy of the key may still come.
            log.warning("cannot decrypt %s with the key we have: %s", event.event_id, exc)
            return None
        self._collect(event.room_id, decrypted, batch)
        return batch

    async def request_room_key(self, event: EncryptedEvent) -> None:
        """Ask for the missing key: the sender's device (which holds the session) and our own
        other devices (which may have it)."""
        if self.client.olm is None:
            return
        parsed = nio.MegolmEvent.from_dict(event.source)
        if not isinstance(parsed, nio.MegolmEvent):
            return
        parsed.room_id = event.room_id
        try:
            if parsed.session_id not in self.client.outgoing_key_requests:
                await self._checked(self.client.request_room_key(parsed), "room key request", nio.RoomKeyRequestError)
            to_sender = parsed.as_key_request(parsed.sender, self.client.device_id, parsed.session_id, parsed.device_id)
            await self._checked(self.client.to_device(to_sender), "room key request", nio.ToDeviceError)
        except LocalProtocolError as exc:
            log.info("room key for %s not requested: %s", event.event_id, exc)

    # --- acting ---------------------------------------------------------------------------
    async def room_members(self, room_id: str) -> set[str]:
        """Who is joined to ``room_id``, as the homeserver says (not nio's lazily loaded list)."""
        method, path = Api.joined_members(self.client.access_token, room_id)
        resp = await self._checked(self.client._send(nio.JoinedMembersResponse, method, path, response_data=(room_id,)),
                                   "joined members", nio.JoinedMembersError)
        return {member.user_id for member in resp.members}

    async def resolve_alias(self, alias: str) -> str | None:
        """The room id of ``#alias:server``, or None when the homeserver knows no such alias."""
        try:
            resp = await self.client.room_resolve_alias(alias)
        except _TRANSPORT_ERRORS as exc:
            raise TransientError(f"resolving {alias} failed: {exc!r}") from exc
        if isinstance(resp, nio.RoomResolveAliasResponse):
            return resp.room_id
        if getattr(resp, "status_code", None) == "M_NOT_FOUND":
            return None
        raise TransientError(f"resolving {alias}: {getattr(resp, 'status_code', resp)}")

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
        if self.crypto is None:
            return await self._send_unencrypted_client(room_id, event_type, content, txn_id)
        if self.client.olm is None:
            # Before the crypto store is open we cannot tell an encrypted room from a plain one,
            # and a guess could post in the clear where members expect encryption.
            raise TransientError("the crypto store is not open yet")
        try:
            if not await self._room_encrypted(room_id):
                method, path, data = Api.room_send(self.client.access_token, room_id, event_type, content, txn_id)
                resp = await self.client._send(nio.RoomSendResponse, method, path, data, (room_id,))
            else:
                # The trust policy covers the people of every room the bot writes to.
                self.trusted_rooms.add(room_id)
                async with self._crypto_lock:
                    resp = await self._send_encrypted(room_id, event_type, content, txn_id)
        except _TRANSPORT_ERRORS as exc:
            log.info("send to %s failed, will retry: %r", room_id, exc)
            return SendOutcome(retry_after=-1.0)  # -1: back off by attempt count
        except (OlmUnverifiedDeviceError, EncryptionError, GroupEncryptionError, LocalProtocolError) as exc:
            log.warning("could not encrypt for %s yet, will retry: %r", room_id, exc)
            return SendOutcome(retry_after=-1.0)
        if isinstance(resp, nio.RoomSendResponse):
            return SendOutcome(event_id=resp.event_id)
        return self._error_outcome(resp)

    async def invite(self, room_id: str, user_id: str) -> SendOutcome:
        """Invite ``user_id`` to ``room_id`` (a newly appointed member to the council's room). Inviting someone
        who is invited or joined already is a success, so a retry never fails on its own first attempt."""
        try:
            resp = await self.client.room_invite(room_id, user_id)
        except _TRANSPORT_ERRORS as exc:
            log.info("invite in %s failed, will retry: %r", room_id, exc)
            return SendOutcome(retry_after=-1.0)
        if isinstance(resp, nio.RoomInviteResponse):
            return SendOutcome(event_id=f"invite:{user_id}")
        message = str(getattr(resp, "message", "") or "")
        if getattr(resp, "status_code", None) == "M_FORBIDDEN" and ("already in the room" in message
                                                                      or "is already joined" in message):
            return SendOutcome(event_id=f"invite:{user_id}")
        return self._error_outcome(resp)

    async def redact(self, room_id: str, event_id: str, reason: str | None, txn_id: str) -> SendOutcome:
        """Redact ``event_id`` (its content is stripped on the homeserver for everyone). ``txn_id`` is
        stable, so a retry after an outage gets the same redaction back instead of a second one."""
        try:
            resp = await self.client.room_redact(room_id, event_id, reason=reason or None, tx_id=txn_id)
        except _TRANSPORT_ERRORS as exc:
            log.info("redaction in %s failed, will retry: %r", room_id, exc)
            return SendOutcome(retry_after=-1.0)
        if isinstance(resp, nio.RoomRedactResponse):
            return SendOutcome(event_id=resp.event_id)
        return self._error_outcome(resp)

    async def _send_unencrypted_client(self, room_id: str, event_type: str, content: dict[str, Any],
                                       txn_id: str) -> SendOutcome:
        try:
            resp = await self.client.room_send(room_id, event_type, content, tx_id=txn_id)
        except _TRANSPORT_ERRORS as exc:
            log.info("send to %s failed, will retry: %r", room_id, exc)
            return SendOutcome(retry_after=-1.0)  # -1: back off by attempt count
        if isinstance(resp, nio.RoomSendResponse):
            return SendOutcome(event_id=resp.event_id)
        return self._error_outcome(resp)

    async def _room_encrypted(self, room_id: str) -> bool:
        """Whether ``room_id`` is encrypted. What nio has synced may be partial (a room created a
        moment ago can show up before its m.room.encryption event), so a room is taken as plain
        only once the homeserver confirmed it; after that nio sees any later switch to encryption."""
        room = self.client.rooms.get(room_id)
        if room is not None and (room.encrypted or room_id in self.client.encrypted_rooms):
            room.encrypted = True
            return True
        if room_id in self._confirmed_plain:
            return False
        if room_id not in self.client.encrypted_rooms:
            resp = await self.client.room_get_state_event(room_id, "m.room.encryption")
            if isinstance(resp, nio.RoomGetStateEventError):
                if resp.status_code == "M_NOT_FOUND":
                    self._confirmed_plain.add(room_id)
                    return False
                if resp.status_code == "M_FORBIDDEN":
                    # Not joined yet: the plain send fails with M_FORBIDDEN too, the sender joins
                    # and we ask again.
                    return False
                raise TransientError(f"room state: {resp.status_code} {resp.message}")
            self.client.encrypted_rooms.add(room_id)
        if room is None:
            # Known encrypted but not synced yet (a new DM, a fresh join): let nio track it now.
            room = self.client.rooms[room_id] = MatrixRoom(room_id, self.client.user_id, encrypted=True)
        room.encrypted = True
        return True

    async def _send_encrypted(self, room_id: str, event_type: str, content: dict[str, Any], txn_id: str) -> Any:
        room = self.client.rooms[room_id]
        if not room.members_synced:
            # Lazy-loaded sync state lists only some members; keys must reach all of them.
            await self._checked(self.client.joined_members(room_id), "joined members", nio.JoinedMembersError)
        await self._maintain_crypto()
        try:
            return await self.client.room_send(room_id, event_type, content, tx_id=txn_id,
                                               ignore_unverified_devices=False)
        except OlmUnverifiedDeviceError:
            # A device showed up between the trust pass and sharing: decide about it, try once more.
            self._apply_trust()
            return await self.client.room_send(room_id, event_type, content, tx_id=txn_id,
                                               ignore_unverified_devices=False)

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
            # A direct chat is encrypted when the bot can encrypt, as Element would create it.
            initial_state = [{"type": "m.room.encryption", "state_key": "",
                              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}] if self.crypto else []
            resp = await self.client.room_create(is_direct=True, invite=[user_id], initial_state=initial_state,
                                                 preset=nio.RoomPreset.trusted_private_chat)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise TransientError(f"create dm failed: {exc}") from exc
        if isinstance(resp, nio.RoomCreateResponse):
            if self.crypto is not None:
                self.client.encrypted_rooms.add(resp.room_id)
                room = self.client.rooms.setdefault(
                    resp.room_id, MatrixRoom(resp.room_id, self.client.user_id, encrypted=True))
                room.encrypted = True  # a sync may have shown the room before its encryption event
                # The invitee has not joined yet, but must get the keys of what we write now.
                room.add_member(user_id, None, None, invited=True)
                self.trusted_rooms.add(resp.room_id)
            return resp.room_id
        log.warning("could not create a direct chat: %s", getattr(resp, "status_code", resp))
        return None

    async def upload(self, data: bytes, mimetype: str, filename: str, room_id: str | None = None) -> dict[str, Any]:
        """Upload media for a message in ``room_id``; returns the content fields that point at it.

        In an encrypted room the file itself is encrypted too (``file`` with its key), otherwise
        the homeserver would hold a chart of the council's signals in the clear."""
        encrypt = bool(room_id) and self.crypto is not None and await self._room_encrypted(room_id or "")
        try:
            resp, keys = await self.client.upload(io.BytesIO(data), content_type=mimetype, filename=filename,
                                                  filesize=len(data), encrypt=encrypt)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise TransientError(f"upload failed: {exc}") from exc
        if not isinstance(resp, nio.UploadResponse):
            raise TransientError(f"upload refused: {getattr(resp, 'status_code', resp)}")
        if encrypt and keys:
            return {"file": {**keys, "url": resp.content_uri, "mimetype": mimetype}}
        return {"url": resp.content_uri}

    async def delete_device(self, device_id: str, password: str) -> bool:
        """Remove one of the bot's own devices (user-interactive auth with the password)."""
        auth = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": self.user_id},
                "password": password}
        try:
            resp = await self.client.delete_devices([device_id], auth=auth)
        except _TRANSPORT_ERRORS as exc:
            log.info("removing device %s failed: %r", device_id, exc)
            return False
        return isinstance(resp, nio.DeleteDevicesResponse)

    async def close(self) -> None:
        await self.client.close()
