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
