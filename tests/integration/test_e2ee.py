"""The bot in end-to-end encrypted rooms, on the real Synapse, against encrypting nio clients.

One bot process (a real ``python -m services.bot``) serves a council whose main room is
encrypted and whose signals room is not. The tests run in order on it: replies members can
decrypt, the services' outbox, a restart that keeps the device and its sessions, a message
whose room key arrives late, and a lost crypto store.
"""
from __future__ import annotations

import collections
import secrets
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from devstack.e2ee_client import E2EEClient, cross_sign_device, set_up_cross_signing
from devstack.synapse import EmbeddedSynapse, MatrixTestClient, RegisteredUser
from deploy.cli import LONG_RUNNING_PYTHON
from devstack.procs import free_port, spawn, settings_free_env
from tests.conftest import unique_localpart
from tests.support import replies_to

pytestmark = pytest.mark.timeout(300)

REPO = Path(__file__).parents[2]


class BotRunner:
    """The bot as a child process with its own config, data folder and log."""

    def __init__(self, root: Path, synapse: EmbeddedSynapse, bot: RegisteredUser, rooms: dict[str, str],
                 *, config: dict[str, Any] | None = None, council: dict[str, Any] | None = None,
                 **matrix: Any) -> None:
        self.root = root
        self.extra = config or {}
        self.council = council or {}
        self.synapse = synapse
        self.bot = bot
        self.rooms = rooms
        self.matrix = matrix
        self.port = free_port()
        self.proc: Any = None
        self.log = root / "bot.log"
        self.token = secrets.token_urlsafe(16)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def crypto_dir(self) -> Path:
        return self.data_dir / "bot-crypto"

    def start(self, **matrix: Any) -> None:
        config = {
            "data_dir": str(self.data_dir),
            "api_tokens": {"signals": self.token},
            "service_urls": {"bot": f"http://127.0.0.1:{self.port}"},
            "matrix": {"homeserver_url": self.synapse.base_url, "listen_port": self.port,
                       "user_id": self.bot.user_id, "password": self.bot.password, **self.matrix, **matrix},
            "councils": [{"slug": "versleuteld", "name": "Versleutelde raad", "rooms": self.rooms, **self.council}],
        }
        for key, value in self.extra.items():
            config[key] = {**config[key], **value} if isinstance(value, dict) and key in config else value
        cfg = self.root / "overleg.yaml"
        cfg.write_text(yaml.safe_dump(config))
        env = settings_free_env()
        env["OVERLEG_CONFIG"] = str(cfg)
        self._ready_marks = self.log_text().count("end-to-end encryption ready")
        self.proc = spawn([sys.executable, *LONG_RUNNING_PYTHON, "-m", "services.bot"], log_path=self.log, cwd=REPO, env=env)

    def wait_ready(self, timeout: float = 60) -> None:
        """Until this run has opened its crypto store (and so can read and answer)."""
        deadline = time.monotonic() + timeout
        while self.log_text().count("end-to-end encryption ready") <= self._ready_marks:
            assert self.proc.poll() is None, f"bot exited with {self.proc.returncode}:\n{self.log_text()[-4000:]}"
            assert time.monotonic() < deadline, self.log_text()[-4000:]
            time.sleep(0.2)

    def stop(self) -> int:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        return self.proc.returncode if self.proc is not None else 0

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def db_rows(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.data_dir / "bot.db") as conn:
            return conn.execute(sql).fetchall()

    def state(self, name: str) -> str | None:
        rows = self.db_rows(f"SELECT value FROM bot_state WHERE name = '{name}'")
        return rows[0][0] if rows else None


class Council:
    def __init__(self, runner: BotRunner, member: E2EEClient, main: str, plain: str) -> None:
        self.runner = runner
        self.member = member
        self.main = main
        self.plain = plain
        self.bot_id = runner.bot.user_id

    def ask(self, room: str, text: str = "!hulp", timeout: float = 45) -> tuple[str, dict[str, Any]]:
        cmd = self.member.send_text(room, text)
        return cmd, self.member.wait_for(room, replies_to(self.bot_id, cmd), timeout=timeout)


@pytest.fixture(scope="module")
def council(synapse: EmbeddedSynapse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Council]:
    root = tmp_path_factory.mktemp("e2ee")
    bot = synapse.register_user(unique_localpart("versleutelbot"), secrets.token_urlsafe(16), displayname="Overleg")
    anna = synapse.register_user(unique_localpart("anna"), secrets.token_urlsafe(16), displayname="Anna")
    member = E2EEClient(synapse.base_url, anna, root / "anna-crypto")
    main = member.create_room(name="Raad (versleuteld)", invite=[bot.user_id], encrypted=True)
    plain = member.create_room(name="Signalen (open)", invite=[bot.user_id], encrypted=False)
    runner = BotRunner(root, synapse, bot, {"main": main, "signals": plain})
    runner.start()
    try:
        runner.wait_ready()
        deadline = time.monotonic() + 60
        while not {main, plain} <= {r for r in (main, plain) if bot.user_id in member.joined_members(r)}:
            assert time.monotonic() < deadline, runner.log_text()[-4000:]
            time.sleep(0.3)
        yield Council(runner, member, main, plain)
    finally:
        runner.stop()
        member.close()


def wire_event(synapse: EmbeddedSynapse, user: RegisteredUser, room: str, event_id: str) -> dict[str, Any]:
    """The event as the homeserver stores it (what anyone without keys would see)."""
    with MatrixTestClient(synapse.base_url, user) as plain:
        return plain.get_event(room, event_id)


def test_help_in_an_encrypted_room_gets_an_encrypted_threaded_reply(council: Council, synapse: EmbeddedSynapse) -> None:
    cmd, reply = council.ask(council.main)
    assert reply["decrypted"], reply
    content = reply["content"]
    assert content["m.relates_to"]["rel_type"] == "m.thread" and content["m.relates_to"]["event_id"] == cmd
    assert content["format"] == "org.matrix.custom.html" and "!hulp" in content["body"]
    on_the_wire = wire_event(synapse, council.member.user, council.main, reply["event_id"])
    assert on_the_wire["type"] == "m.room.encrypted"
    assert "!hulp" not in str(on_the_wire["content"])
    # The thread relation stays readable for the homeserver, so threads work in every client.
    assert on_the_wire["content"]["m.relates_to"]["rel_type"] == "m.thread"


def test_an_unencrypted_room_still_gets_replies_in_the_clear(council: Council, synapse: EmbeddedSynapse) -> None:
    _, reply = council.ask(council.plain)
    assert not reply["decrypted"]
    assert wire_event(synapse, council.member.user, council.plain, reply["event_id"])["type"] == "m.room.message"


def test_the_services_outbox_encrypts_per_room(council: Council, synapse: EmbeddedSynapse) -> None:
    run = secrets.token_hex(3)
    with httpx.Client(base_url=f"http://127.0.0.1:{council.runner.port}", timeout=10,
                      headers={"Authorization": f"Bearer {council.runner.token}"}) as intake:
        resp = intake.post("/api/v1/outbox", json={"messages": [
            {"key": f"e2ee-{run}-main", "council": "versleuteld", "room": "main", "body": f"vergadering {run}"},
            {"key": f"e2ee-{run}-signals", "council": "versleuteld", "room": "signals", "body": f"signaal {run}"}]})
        assert resp.status_code == 202, resp.text
    body_is = lambda text: lambda e: (e.get("content") or {}).get("body") == text  # noqa: E731
    secret = council.member.wait_for(council.main, body_is(f"vergadering {run}"), timeout=45)
    public = council.member.wait_for(council.plain, body_is(f"signaal {run}"), timeout=45)
    assert secret["decrypted"] and not public["decrypted"]
    assert wire_event(synapse, council.member.user, council.main, secret["event_id"])["type"] == "m.room.encrypted"
    assert wire_event(synapse, council.member.user, council.plain, public["event_id"])["type"] == "m.room.message"


def test_a_direct_message_from_the_services_is_an_encrypted_chat(council: Council, synapse: EmbeddedSynapse) -> None:
    run = secrets.token_hex(3)
    member = council.member
    with httpx.Client(base_url=f"http://127.0.0.1:{council.runner.port}", timeout=10,
                      headers={"Authorization": f"Bearer {council.runner.token}"}) as intake:
        resp = intake.post("/api/v1/outbox", json={"messages": [
            {"key": f"e2ee-{run}-dm", "council": "versleuteld", "dm_to": member.user_id, "body": f"herinnering {run}"}]})
        assert resp.status_code == 202, resp.text
        dm = member.wait_for_invite(timeout=45)
        deadline = time.monotonic() + 45
        while intake.get(f"/api/v1/outbox/e2ee-{run}-dm").json()["state"] != "sent":
            assert time.monotonic() < deadline, council.runner.log_text()[-4000:]
            time.sleep(0.2)
    # Sent while Anna was only invited: she still gets the key, as in Element.
    member.join(dm)
    message = member.wait_for(dm, lambda e: (e.get("content") or {}).get("body") == f"herinnering {run}", timeout=45)
    assert message["decrypted"]
    assert wire_event(synapse, member.user, dm, message["event_id"])["type"] == "m.room.encrypted"


def test_a_restart_keeps_the_device_and_its_sessions(council: Council) -> None:
    member, runner = council.member, council.runner
    council.ask(council.main)  # a session with the bot exists
    devices_before = member.devices_of(council.bot_id)
    bot_curve = member.client.device_store[council.bot_id][runner.state("device_id")].curve25519
    olm_sessions_before = len(member.client.olm.session_store[bot_curve])
    assert runner.stop() == 0
    runner.start()
    runner.wait_ready()
    _, reply = council.ask(council.main)
    assert reply["decrypted"]
    assert member.devices_of(council.bot_id) == devices_before and len(devices_before) == 1
    # The bot shared its new room key over the Olm session it already had: no new key exchange.
    assert len(member.client.olm.session_store[bot_curve]) == olm_sessions_before
    device = runner.state("device_id")
    assert runner.log_text().count(f"(device {device})") == 2


def test_a_message_whose_key_arrives_late_is_answered_exactly_once(council: Council) -> None:
    member, runner = council.member, council.runner
    late, key = member.send_withheld(council.main, "!hulp")
    deadline = time.monotonic() + 30
    while not runner.db_rows(f"SELECT 1 FROM bot_pending_encrypted WHERE event_id = '{late}'"):
        assert time.monotonic() < deadline, runner.log_text()[-4000:]
        time.sleep(0.3)
    # Kept across a restart, still unanswered.
    assert runner.stop() == 0
    runner.start()
    runner.wait_ready()
    member.sync(2000)
    assert not [e for e in member.events(council.main) if replies_to(council.bot_id, late)(e)]
    assert member.share_withheld(key, council.bot_id) == [runner.state("device_id")]
    reply = member.wait_for(council.main, replies_to(council.bot_id, late), timeout=45)
    assert reply["decrypted"] and reply["content"]["m.relates_to"]["event_id"] == late
    # Give a second answer every chance to appear, then count.
    council.ask(council.main)
    member.sync(2000)
    counts = collections.Counter(e["event_id"] for e in member.events(council.main) if replies_to(council.bot_id, late)(e))
    assert len(counts) == 1, counts
    assert runner.db_rows("SELECT count(*) FROM bot_pending_encrypted") == [(0,)]
    assert "after its room key arrived" in runner.log_text()


def test_a_lost_crypto_store_stops_the_bot_loudly(council: Council) -> None:
    runner = council.runner
    device = runner.state("device_id")
    assert runner.stop() == 0
    moved = runner.root / "crypto-backup"
    shutil.move(runner.crypto_dir, moved)
    try:
        runner.start()
        assert runner.proc.wait(timeout=60) == 3
        log = runner.log_text()
        assert "CRITICAL" in log and f"crypto store of device {device} is missing" in log
        assert not runner.crypto_dir.exists() or not any(runner.crypto_dir.glob("*.db"))
    finally:
        if runner.crypto_dir.exists():
            shutil.rmtree(runner.crypto_dir)
        shutil.move(moved, runner.crypto_dir)
    # Restored from the backup: the same device carries on.
    runner.start()
    runner.wait_ready()
    _, reply = council.ask(council.main)
    assert reply["decrypted"] and runner.state("device_id") == device


def test_the_operator_can_deliberately_start_over_on_a_new_device(council: Council) -> None:
    runner, member = council.runner, council.member
    old = runner.state("device_id")
    assert runner.stop() == 0
    shutil.rmtree(runner.crypto_dir)
    runner.start(abandon_device=old)
    runner.wait_ready()
    new = runner.state("device_id")
    assert new and new != old
    _, reply = council.ask(council.main)
    assert reply["decrypted"]
    assert set(member.devices_of(council.bot_id)) == {new}


def test_cross_signing_trust_shares_keys_only_with_sessions_their_owner_verified(
        synapse: EmbeddedSynapse, tmp_path: Path) -> None:
    bot = synapse.register_user(unique_localpart("kruisbot"), secrets.token_urlsafe(16), displayname="Overleg")
    bram = synapse.register_user(unique_localpart("bram"), secrets.token_urlsafe(16), displayname="Bram")
    phone = E2EEClient(synapse.base_url, bram, tmp_path / "phone")
    laptop = E2EEClient(synapse.base_url, synapse.login(bram.localpart, bram.password), tmp_path / "laptop")
    runner = BotRunner(tmp_path, synapse, bot, {}, trust="cross_signing")
    try:
        keys = set_up_cross_signing(synapse.base_url, bram)
        cross_sign_device(synapse.base_url, bram, keys, phone.device_id)
        room = phone.create_room(name="Raad (kruiselings)", invite=[bot.user_id], encrypted=True)
        runner.rooms = {"main": room}
        runner.start()
        runner.wait_ready()
        deadline = time.monotonic() + 60
        while bot.user_id not in phone.joined_members(room):
            assert time.monotonic() < deadline, runner.log_text()[-4000:]
            time.sleep(0.3)
        laptop.sync()

        cmd = phone.send_text(room, "!hulp")
        reply = phone.wait_for(room, replies_to(bot.user_id, cmd), timeout=45)
        assert reply["decrypted"]
        # The unverified session of the same member never got the room key.
        on_laptop = laptop.wait_for(room, lambda e: e["event_id"] == reply["event_id"], timeout=30)
        assert on_laptop["undecryptable"]
        assert f"not sharing room keys with device {laptop.device_id} of {bram.user_id}" in runner.log_text()

        # Bram verifies the laptop from his phone: from then on it can read the bot too.
        cross_sign_device(synapse.base_url, bram, keys, laptop.device_id)
        deadline = time.monotonic() + 45
        while True:
            cmd = phone.send_text(room, "!hulp")
            reply = phone.wait_for(room, replies_to(bot.user_id, cmd), timeout=45)
            seen = laptop.wait_for(room, lambda e: e["event_id"] == reply["event_id"], timeout=30)
            if not seen["undecryptable"]:
                break
            assert time.monotonic() < deadline, runner.log_text()[-4000:]
        assert f"sharing room keys with device {laptop.device_id} of {bram.user_id}: cross-signed" in runner.log_text()

        # A new cross-signing identity (a reset, or someone who took over the account) is not
        # taken on trust: the pinned one stays until the operator removes it.
        new_keys = set_up_cross_signing(synapse.base_url, bram)
        cross_sign_device(synapse.base_url, bram, new_keys, phone.device_id)
        deadline = time.monotonic() + 45
        while "identity changed since it was pinned" not in runner.log_text():
            assert time.monotonic() < deadline, runner.log_text()[-4000:]
            phone.sync(1000)
        cmd = phone.send_text(room, "!hulp")
        sealed = phone.wait_for(room, lambda e: e.get("sender") == bot.user_id and (
            (e.get("content") or {}).get("m.relates_to") or {}).get("event_id") == cmd, timeout=45)
        assert sealed["undecryptable"]
    finally:
        runner.stop()
        phone.close()
        laptop.close()


def _start_deliberation(root: Path, config: dict[str, Any], port: int) -> Any:
    """The deliberation service under gunicorn, as the stack runs it, on our own config."""
    cfg = root / "deliberation.yaml"
    cfg.write_text(yaml.safe_dump(config))
    metrics = root / "metrics-deliberation"
    metrics.mkdir(exist_ok=True)
    env = settings_free_env()
    env.update(OVERLEG_CONFIG=str(cfg), OVERLEG_SERVICE="deliberation", OVERLEG_BIND=f"127.0.0.1:{port}",
               OVERLEG_WORKERS="1", PROMETHEUS_MULTIPROC_DIR=str(metrics))
    proc = spawn([sys.executable, *LONG_RUNNING_PYTHON, "-m", "gunicorn", "-c", str(REPO / "deploy" / "gunicorn.conf.py"),
                  "services.deliberation.wsgi:app"], log_path=root / "deliberation.log", cwd=REPO, env=env)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, (root / "deliberation.log").read_text()[-4000:]
        time.sleep(0.3)


def test_a_consensus_round_runs_in_an_encrypted_room(synapse: EmbeddedSynapse, tmp_path: Path) -> None:
    import re

    bot = synapse.register_user(unique_localpart("rondebot"), secrets.token_urlsafe(16), displayname="Overleg")
    carla = synapse.register_user(unique_localpart("carla"), secrets.token_urlsafe(16), displayname="Carla")
    member = E2EEClient(synapse.base_url, carla, tmp_path / "carla")
    room = member.create_room(name="Raad (ronde, versleuteld)", invite=[bot.user_id], encrypted=True)
    tokens = {"bot": secrets.token_urlsafe(16), "deliberation": secrets.token_urlsafe(16),
              "admin": secrets.token_urlsafe(16)}
    delib_port = free_port()
    runner = BotRunner(tmp_path, synapse, bot, {"main": room}, council={"secretaries": [carla.user_id]})
    shared_config = {
        "api_tokens": tokens,
        "service_urls": {"deliberation": f"http://127.0.0.1:{delib_port}", "bot": f"http://127.0.0.1:{runner.port}"},
    }
    runner.extra = shared_config
    runner.token = tokens["deliberation"]
    service = None
    try:
        runner.start()
        config = yaml.safe_load((tmp_path / "overleg.yaml").read_text())
        service = _start_deliberation(tmp_path, config, delib_port)
        resp = httpx.post(f"http://127.0.0.1:{delib_port}/api/v1/councils/versleuteld/members", timeout=10,
                          headers={"Authorization": f"Bearer {tokens['admin']}"},
                          json={"matrix_id": carla.user_id, "display_name": "Carla", "member_type": "huurder",
                                "customer_group": "Zuid", "secretary": True})
        assert resp.status_code in (200, 201), resp.text
        runner.wait_ready()
        deadline = time.monotonic() + 60
        while bot.user_id not in member.joined_members(room):
            assert time.monotonic() < deadline, runner.log_text()[-4000:]
            time.sleep(0.3)

        def ask(text: str, thread_root: str | None = None) -> dict[str, Any]:
            cmd = member.send_text(room, text, thread_root)
            reply = member.wait_for(room, replies_to(bot.user_id, cmd), timeout=45)
            assert reply["decrypted"], reply
            return reply

        topic = ask("!onderwerp Servicekosten 2027")
        topic_nr = re.search(r"\d+", topic["content"]["body"]).group(0)
        ask(f"!activeer {topic_nr}")
        opened = ask(f"!ronde {topic_nr} We adviseren de verdeelsleutel per portiek")
        assert "ronde" in opened["content"]["body"].lower()
        # The service announces the round through the outbox: an encrypted thread root.
        root = member.wait_for(room, lambda e: e.get("sender") == bot.user_id and e["decrypted"]
                               and "verdeelsleutel" in (e.get("content") or {}).get("body", "")
                               and not (e.get("content") or {}).get("m.relates_to"), timeout=45)
        agreed = ask("!eens", thread_root=root["event_id"])
        assert agreed["content"]["m.relates_to"]["event_id"] == root["event_id"]
        status = ask("!stand", thread_root=root["event_id"])
        body = status["content"]["body"]
        assert "Servicekosten 2027" in body and "gereageerd" in body
        assert status["content"]["m.relates_to"]["event_id"] == root["event_id"]
    finally:
        runner.stop()
        if service is not None and service.poll() is None:
            service.terminate()
            service.wait(timeout=30)
        member.close()


def test_with_encryption_switched_off_the_bot_behaves_as_before(synapse: EmbeddedSynapse, tmp_path: Path) -> None:
    bot = synapse.register_user(unique_localpart("klaarbot"), secrets.token_urlsafe(16), displayname="Overleg")
    dina = synapse.register_user(unique_localpart("dina"), secrets.token_urlsafe(16), displayname="Dina")
    with MatrixTestClient(synapse.base_url, dina) as member:
        room = member.create_room(name="Open raad", invite=[bot.user_id])
        runner = BotRunner(tmp_path, synapse, bot, {"main": room}, encryption=False)
        runner.start()
        try:
            deadline = time.monotonic() + 60
            while bot.user_id not in member.joined_members(room):
                assert runner.proc.poll() is None and time.monotonic() < deadline, runner.log_text()[-4000:]
                time.sleep(0.3)
            cmd = member.send_text(room, "!hulp")
            reply = member.wait_for(room, replies_to(bot.user_id, cmd), timeout=45)
            assert reply["type"] == "m.room.message" and "!hulp" in reply["content"]["body"]
            assert not runner.crypto_dir.exists() and "end-to-end encryption ready" not in runner.log_text()
        finally:
            runner.stop()


def test_an_access_token_of_a_device_with_other_keys_is_refused(synapse: EmbeddedSynapse, tmp_path: Path) -> None:
    # The operator copied the token of a session that already encrypts (e.g. from Element).
    bot = synapse.register_user(unique_localpart("tokenbot"), secrets.token_urlsafe(16), displayname="Overleg")
    E2EEClient(synapse.base_url, bot, tmp_path / "element").close()  # publishes that device's keys
    runner = BotRunner(tmp_path, synapse, bot, {"main": "!nergens:localhost"}, access_token=bot.access_token,
                       password=None)
    runner.start()
    try:
        assert runner.proc.wait(timeout=60) == 3
    finally:
        runner.stop()
    log = runner.log_text()
    assert "CRITICAL" in log and f"other encryption keys for device {bot.device_id}" in log
