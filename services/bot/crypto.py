"""Trust decisions for the bot's end-to-end encryption.

matrix-nio knows devices but not cross-signing: it neither parses the master and self-signing
keys of a ``/keys/query`` answer nor checks their signatures. This module does that part, so the
gateway can tell which devices their owner has verified. It uses nio's canonical JSON and
vodozemac's Ed25519, the same primitives nio uses to check device keys.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio.api import Api

log = logging.getLogger("overleg.bot.crypto")

TRUST_POLICIES = ("tofu", "cross_signing")


class CryptoStoreError(RuntimeError):
    """The crypto store is missing, unreadable or belongs to other keys: starting anyway would
    silently create a new identity that members' clients do not know (or clash with one)."""


class EncryptionUnavailable(RuntimeError):
    """Encryption is switched on, but matrix-nio's encryption support (vodozemac) is missing."""


def verify_signature(obj: dict[str, Any], signer: str, public_key: str) -> bool:
    """Whether ``obj`` carries a valid signature by ``signer``'s Ed25519 key ``public_key``
    (key id ``ed25519:<public_key>``, as cross-signing keys are named)."""
    signature = ((obj.get("signatures") or {}).get(signer) or {}).get(f"ed25519:{public_key}")
    if not isinstance(signature, str):
        return False
    import vodozemac  # only with matrix-nio[e2e]; the bot without encryption runs without it

    signed = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    try:
        vodozemac.Ed25519PublicKey.from_base64(public_key).verify_signature(
            Api.to_canonical_json(signed).encode(), vodozemac.Ed25519Signature.from_base64(signature))
    except (vodozemac.SignatureException, vodozemac.KeyException, ValueError):
        return False
    return True


def _single_key(key_obj: dict[str, Any] | None, user_id: str, usage: str) -> str | None:
    """The public key of a cross-signing key object, if it is well formed and for ``user_id``."""
    if not isinstance(key_obj, dict) or key_obj.get("user_id") != user_id or usage not in (key_obj.get("usage") or []):
        return None
    keys = [v for k, v in (key_obj.get("keys") or {}).items() if k.startswith("ed25519:") and isinstance(v, str)]
    return keys[0] if len(keys) == 1 else None


@dataclass(frozen=True)
class CrossSigningStatus:
    """What one ``/keys/query`` answer says about one user's cross-signing."""

    master_key: str | None  # None: the user has not set up cross-signing
    signed_devices: frozenset[str] = frozenset()  # devices signed by a valid self-signing key


def cross_signing_status(body: dict[str, Any], user_id: str) -> CrossSigningStatus:
    """Which of ``user_id``'s devices their owner has cross-signed, according to ``body``."""
    master = _single_key((body.get("master_keys") or {}).get(user_id), user_id, "master")
    if master is None:
        return CrossSigningStatus(None)
    ssk_obj = (body.get("self_signing_keys") or {}).get(user_id)
    ssk = _single_key(ssk_obj, user_id, "self_signing")
    if ssk is None or not verify_signature(ssk_obj, user_id, master):
        return CrossSigningStatus(master)
    signed = set()
    for device_id, device in ((body.get("device_keys") or {}).get(user_id) or {}).items():
        if isinstance(device, dict) and device.get("device_id") == device_id and verify_signature(device, user_id, ssk):
            signed.add(device_id)
    return CrossSigningStatus(master, frozenset(signed))


@dataclass
class MasterKeyPins:
    """The members' cross-signing identities (master keys), pinned the first time they are seen.

    A member whose master key later changes gets no room keys until the operator removes the
    member's line from this file: a new identity may be a reset by the member, or an attacker.
    """

    path: Path
    pins: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "MasterKeyPins":
        pins: dict[str, str] = {}
        if path.exists():
            pins = json.loads(path.read_text() or "{}")
        return cls(path, pins)

    def check(self, user_id: str, master_key: str) -> bool:
        """True when ``master_key`` is the pinned one (pinning it if ``user_id`` is new)."""
        known = self.pins.get(user_id)
        if known is None:
            self.pins[user_id] = master_key
            self._save()
            log.info("pinned the cross-signing identity of %s", user_id)
            return True
        return known == master_key

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.pins, indent=1, sort_keys=True))
        os.replace(tmp, self.path)  # atomic: a crash never leaves half a pin file


@dataclass(frozen=True)
class DeviceDecision:
    trusted: bool
    reason: str


def decide(policy: str, device_id: str, status: CrossSigningStatus | None, pinned_ok: bool) -> DeviceDecision:
    """Whether one member device may receive room keys under ``policy``."""
    if policy == "tofu":
        return DeviceDecision(True, "trusted on first use")
    if status is None or status.master_key is None:
        return DeviceDecision(False, "its owner has not set up cross-signing")
    if not pinned_ok:
        return DeviceDecision(False, "its owner's cross-signing identity changed since it was pinned")
    if device_id not in status.signed_devices:
        return DeviceDecision(False, "its owner has not verified this session")
    return DeviceDecision(True, "cross-signed by its owner")


# --- the bot's own cross-signing identity ----------------------------------------------------------
# Element's current default (MSC4153) shares room keys only with devices their owner has
# cross-signed, and hides messages from devices that are not. So the bot needs what a person gets
# on first login: a master key, a self-signing key that signs its device, a user-signing key.
# nio has none of this; the keys are Ed25519 seeds (PyNaCl) signed over canonical JSON.

CROSS_SIGNING_FILE = "cross_signing_keys.json"
_USAGES = ("master", "self_signing", "user_signing")


def _unpadded_b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    import base64

    return base64.b64decode(text + "=" * (-len(text) % 4))


def public_key(seed: bytes) -> str:
    from nacl.signing import SigningKey

    return _unpadded_b64(bytes(SigningKey(seed).verify_key))


def sign_json(obj: dict[str, Any], user_id: str, seed: bytes) -> dict[str, Any]:
    """``obj`` with a signature by the key with ``seed`` added (as ``ed25519:<public key>``)."""
    from nacl.signing import SigningKey

    signed = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    signature = SigningKey(seed).sign(Api.to_canonical_json(signed).encode()).signature
    signatures = {u: dict(s) for u, s in (obj.get("signatures") or {}).items()}
    signatures.setdefault(user_id, {})[f"ed25519:{public_key(seed)}"] = _unpadded_b64(signature)
    return {**obj, "signatures": signatures}


class CrossSigningKeysUnreadable(CryptoStoreError):
    """The file with the bot's cross-signing keys cannot be read (damaged, or another passphrase)."""


@dataclass(frozen=True)
class CrossSigningKeys:
    """The private halves (32-byte seeds) of the bot's three cross-signing keys."""

    master: bytes
    self_signing: bytes
    user_signing: bytes

    @classmethod
    def generate(cls) -> "CrossSigningKeys":
        return cls(os.urandom(32), os.urandom(32), os.urandom(32))

    @property
    def master_public(self) -> str:
        return public_key(self.master)

    @property
    def self_signing_public(self) -> str:
        return public_key(self.self_signing)

    def upload_body(self, user_id: str) -> dict[str, Any]:
        """The body of ``/keys/device_signing/upload``: the master key signs the other two."""
        def key_object(usage: str, seed: bytes) -> dict[str, Any]:
            pub = public_key(seed)
            return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{pub}": pub}}

        return {
            "master_key": key_object("master", self.master),
            "self_signing_key": sign_json(key_object("self_signing", self.self_signing), user_id, self.master),
            "user_signing_key": sign_json(key_object("user_signing", self.user_signing), user_id, self.master),
        }

    def sign_device(self, device_keys: dict[str, Any], user_id: str) -> dict[str, Any]:
        """The device's published key object with (only) the self-signing signature, for
        ``/keys/signatures/upload``."""
        bare = {k: v for k, v in device_keys.items() if k not in ("signatures", "unsigned")}
        return sign_json(bare, user_id, self.self_signing)

    # The seeds are kept next to the Olm store, readable by the bot's user only, and encrypted
    # with ``matrix.store_passphrase`` when one is set (Argon2id, then XSalsa20-Poly1305).
    def save(self, path: Path, passphrase: str | None) -> None:
        seeds = {u: _unpadded_b64(getattr(self, u)) for u in _USAGES}
        data: dict[str, Any] = {"version": 1, "master_public": self.master_public}
        if passphrase:
            from nacl import pwhash, secret, utils

            salt = utils.random(pwhash.argon2id.SALTBYTES)
            box = secret.SecretBox(_derive(passphrase, salt))
            data.update(salt=_unpadded_b64(salt),
                        sealed=_unpadded_b64(bytes(box.encrypt(json.dumps(seeds).encode()))))
        else:
            data["seeds"] = seeds
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(data, indent=1, sort_keys=True))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # atomic: a crash never leaves half a key file

    @classmethod
    def load(cls, path: Path, passphrase: str | None) -> "CrossSigningKeys":
        try:
            data = json.loads(path.read_text())
            if "sealed" in data:
                if not passphrase:
                    raise CrossSigningKeysUnreadable(f"{path} is encrypted but no matrix.store_passphrase is set")
                from nacl import secret

                box = secret.SecretBox(_derive(passphrase, _b64decode(data["salt"])))
                seeds = json.loads(box.decrypt(_b64decode(data["sealed"])))
            else:
                seeds = data["seeds"]
            keys = cls(*(_b64decode(seeds[u]) for u in _USAGES))
        except CrossSigningKeysUnreadable:
            raise
        except Exception as exc:  # damaged JSON, wrong passphrase (CryptoError), missing field
            raise CrossSigningKeysUnreadable(f"cannot read the bot's cross-signing keys in {path}: {exc!r} "
                                             "(wrong matrix.store_passphrase?)") from exc
        if data.get("master_public") and data["master_public"] != keys.master_public:
            raise CrossSigningKeysUnreadable(f"{path} is inconsistent: its master key does not match its seed")
        return keys


def _derive(passphrase: str, salt: bytes) -> bytes:
    from nacl import pwhash, secret

    return pwhash.argon2id.kdf(secret.SecretBox.KEY_SIZE, passphrase.encode(), salt,
                               opslimit=pwhash.argon2id.OPSLIMIT_INTERACTIVE,
                               memlimit=pwhash.argon2id.MEMLIMIT_INTERACTIVE)


def own_master_key(body: dict[str, Any], user_id: str) -> str | None:
    """The master key the homeserver holds for ``user_id`` (a ``/keys/query`` answer)."""
    return _single_key((body.get("master_keys") or {}).get(user_id), user_id, "master")


@dataclass(frozen=True)
class CrossSigningPlan:
    """What the bot must do about its identity, given its local keys and the homeserver's."""

    action: str  # "keep" | "create" | "upload" | "lost"
    reason: str


def plan_cross_signing(local_master: str | None, server_master: str | None, *, replace: bool = False) -> CrossSigningPlan:
    if replace:
        return CrossSigningPlan("create", "the operator asked for a new identity")
    if server_master is None:
        if local_master is None:
            return CrossSigningPlan("create", "the bot has no cross-signing identity yet")
        return CrossSigningPlan("upload", "the homeserver does not hold the bot's identity (yet)")
    if local_master == server_master:
        return CrossSigningPlan("keep", "the bot's identity is in place")
    if local_master is None:
        return CrossSigningPlan("lost", "the homeserver holds a cross-signing identity for the bot whose private "
                                        "keys are not in the crypto store")
    return CrossSigningPlan("lost", "the crypto store holds another cross-signing identity than the homeserver")
