"""The bot's own cross-signing identity and its key-recovery rules, without a homeserver."""
from __future__ import annotations

import json
import stat
from types import SimpleNamespace

import pytest

from services.bot.crypto import (
    CrossSigningKeys,
    CrossSigningKeysUnreadable,
    cross_signing_status,
    plan_cross_signing,
    verify_signature,
)
from services.bot.matrix import MEGOLM, _accept_forwards_from_the_originating_device, _withheld

BOT = "@overleg:example.org"


def test_the_upload_body_chains_master_to_self_and_user_signing_keys():
    keys = CrossSigningKeys.generate()
    body = keys.upload_body(BOT)
    assert body["master_key"]["usage"] == ["master"]
    assert verify_signature(body["self_signing_key"], BOT, keys.master_public)
    assert verify_signature(body["user_signing_key"], BOT, keys.master_public)
    assert not verify_signature(body["self_signing_key"], BOT, CrossSigningKeys.generate().master_public)


def test_a_device_signed_with_the_self_signing_key_counts_as_cross_signed_by_its_owner():
    keys = CrossSigningKeys.generate()
    body = keys.upload_body(BOT)
    device = {"user_id": BOT, "device_id": "BOTDEV", "algorithms": [MEGOLM],
              "keys": {"ed25519:BOTDEV": "x", "curve25519:BOTDEV": "y"},
              "signatures": {BOT: {"ed25519:BOTDEV": "own-signature"}}, "unsigned": {"device_display_name": "b"}}
    signed = keys.sign_device(device, BOT)
    assert set(signed["signatures"][BOT]) == {f"ed25519:{keys.self_signing_public}"}  # only ours is uploaded
    merged = {**device, "signatures": {BOT: {**device["signatures"][BOT], **signed["signatures"][BOT]}}}
    query = {"master_keys": {BOT: body["master_key"]}, "self_signing_keys": {BOT: body["self_signing_key"]},
             "device_keys": {BOT: {"BOTDEV": merged}}}
    status = cross_signing_status(query, BOT)
    assert status.master_key == keys.master_public and status.signed_devices == {"BOTDEV"}


@pytest.mark.parametrize(("local", "server", "replace", "action"), [
    (None, None, False, "create"),
    ("A", None, False, "upload"),
    ("A", "A", False, "keep"),
    (None, "A", False, "lost"),
    ("B", "A", False, "lost"),
    ("A", "A", True, "create"),
    (None, "A", True, "create"),
])
def test_plan(local, server, replace, action):
    assert plan_cross_signing(local, server, replace=replace).action == action


def test_keys_are_kept_private_and_sealed_with_the_store_passphrase(tmp_path):
    keys = CrossSigningKeys.generate()
    plain, sealed = tmp_path / "plain.json", tmp_path / "sealed.json"
    keys.save(plain, None)
    keys.save(sealed, "een lange geheime zin")
    for path in (plain, sealed):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert CrossSigningKeys.load(plain, None) == keys
    assert CrossSigningKeys.load(sealed, "een lange geheime zin") == keys
    data = json.loads(sealed.read_text())
    assert "seeds" not in data and data["master_public"] == keys.master_public
    with pytest.raises(CrossSigningKeysUnreadable):
        CrossSigningKeys.load(sealed, "een andere zin")
    with pytest.raises(CrossSigningKeysUnreadable):
        CrossSigningKeys.load(sealed, None)
    plain.write_text("{kapot")
    with pytest.raises(CrossSigningKeysUnreadable):
        CrossSigningKeys.load(plain, None)


# --- forwarded room keys: Element answers a key request from the session's own device ----------------
class FakeOlm:
    """The few parts of nio's Olm machine the forwarding rule reads."""

    def __init__(self, devices, requested):
        self.devices = devices  # {(user, curve25519): device}
        self.outgoing_key_requests = requested
        self.device_store = SimpleNamespace(device_from_sender_key=lambda u, k: self.devices.get((u, k)))
        self.blacklisted: set[str] = set()

    def is_device_blacklisted(self, device):
        return device.id in self.blacklisted

    def _should_accept_forward(self, sender, sender_key, event):  # nio: only our own verified devices
        return False


def forwarded(session_sender_key: str, session_id: str = "S1", room_id: str = "!r:x"):
    return SimpleNamespace(algorithm=MEGOLM, session_id=session_id, room_id=room_id,
                           source={"content": {"sender_key": session_sender_key, "session_id": session_id}})


def test_a_forward_from_the_sessions_own_device_is_accepted_others_are_not():
    anna_phone = SimpleNamespace(id="PHONE", user_id="@anna:x")
    olm = FakeOlm({("@anna:x", "curveA"): anna_phone},
                  {"S1": SimpleNamespace(room_id="!r:x", session_id="S1")})
    _accept_forwards_from_the_originating_device(olm)
    accept = olm._should_accept_forward
    assert accept("@anna:x", "curveA", forwarded("curveA"))
    # Another device forwarding Anna's session (not its sender): refused.
    assert not accept("@anna:x", "curveA", forwarded("curveOther"))
    # A device of someone else claiming to be the session's sender: refused.
    assert not accept("@mallory:x", "curveA", forwarded("curveA"))
    # A key we did not ask for, or for another room: refused.
    assert not accept("@anna:x", "curveA", forwarded("curveA", session_id="S2"))
    assert not accept("@anna:x", "curveA", forwarded("curveA", room_id="!other:x"))
    olm.blacklisted.add("PHONE")
    assert not accept("@anna:x", "curveA", forwarded("curveA"))


def test_withheld_notices_are_read_as_plain_data():
    event = SimpleNamespace(source={"type": "m.room_key.withheld", "sender": "@anna:x", "content": {
        "algorithm": MEGOLM, "room_id": "!r:x", "session_id": "S1", "sender_key": "curveA",
        "code": "m.unverified", "reason": "Device not verified"}})
    w = _withheld(event)
    assert (w.sender, w.session_id, w.code) == ("@anna:x", "S1", "m.unverified")
    assert _withheld(SimpleNamespace(source={"type": "m.dummy", "content": {}})) is None
