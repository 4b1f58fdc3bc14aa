"""Element's own SDK in the test suite: a member's client as Element runs it.

``ElementClient`` starts ``tests/element/client.mjs`` (matrix-js-sdk with its Rust crypto, the
engine of Element Web) as a child process and drives it over JSON lines. It installs the npm
packages on first use (``npm ci`` from the committed lock file). Without Node.js or npm it fails
with a message saying what to install: these tests are never skipped.

    with ElementClient("anna", log_dir=tmp_path) as anna:
        anna.first_login(homeserver_url, "anna", password)   # as Element: cross-signing, key backup,
                                                              # "exclude insecure devices"
        sent = anna.send(room_id, "!hulp")
        reply = anna.wait_for(lambda e: e["sender"] == bot and replies_to(e, sent), timeout=30)
        assert reply["decrypted"] and reply["shield"] == "NONE"

Every timeline event the SDK sees is kept as a dict (latest state per event id: a late key turns a
decryption failure into a decrypted event): ``event_id``, ``room_id``, ``sender``, ``type``,
``content``, ``encrypted``, ``decrypted``, ``decryption_failure`` (the SDK's DecryptionFailureCode,
e.g. ``UNSIGNED_SENDER_DEVICE``), ``shield`` (``NONE``/``GREY``/``RED``) and ``shield_reason``
(the SDK's EventShieldReason name, e.g. ``UNSIGNED_DEVICE``).
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, IO

CLIENT_DIR = Path(__file__).resolve().parent / "element"
MIN_NODE_MAJOR = 20

Event = dict[str, Any]


class ElementClientError(RuntimeError):
    """The Node client answered a command with an error, or died."""


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise ElementClientError(
            f"'{tool}' was not found on PATH. The Element client tests need Node.js {MIN_NODE_MAJOR}+ "
            f"(22 LTS recommended) and npm, e.g. `apt-get install nodejs npm` or the NodeSource packages; "
            f"the npm packages are installed from {CLIENT_DIR / 'package-lock.json'} on first use."
        )
    return path


def ensure_installed() -> str:
    """Node's path, after checking its version and running ``npm ci`` when the packages are missing
    or older than the lock file. A file lock keeps parallel test processes from installing twice."""
    node = _need("node")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    major = int(version.lstrip("v").split(".")[0])
    if major < MIN_NODE_MAJOR:
        raise ElementClientError(f"Node.js {version} is too old for matrix-js-sdk; need {MIN_NODE_MAJOR}+")
    marker = CLIENT_DIR / "node_modules" / ".package-lock.json"
    lock = CLIENT_DIR / "package-lock.json"

    def fresh() -> bool:
        return marker.is_file() and marker.stat().st_mtime >= lock.stat().st_mtime

    if fresh():
        return node
    npm = _need("npm")
    with open(CLIENT_DIR / ".npm-install.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not fresh():
            res = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CLIENT_DIR,
                                 capture_output=True, text=True, timeout=600)
            if res.returncode != 0:
                raise ElementClientError(f"`npm ci` in {CLIENT_DIR} failed ({res.returncode}):\n"
                                         f"{res.stdout[-2000:]}\n{res.stderr[-4000:]}")
    return node


class ElementClient:
    """One member's Element (one device), as a child process."""

    def __init__(self, name: str = "element", *, log_dir: Path | None = None, command_timeout: float = 60.0) -> None:
        self.name = name
        self.command_timeout = command_timeout
        self.log_path = Path(log_dir or "/tmp") / f"element-{name}-{os.getpid()}-{id(self):x}.log"
        self.user_id: str | None = None
        self.device_id: str | None = None
        self.access_token: str | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None
        self._reader: threading.Thread | None = None
        self._cond = threading.Condition()
        self._answers: dict[int, dict[str, Any]] = {}
        self._next_id = 0
        self._order: list[str] = []  # event ids in the order first seen
        self._events: dict[str, Event] = {}  # latest state per event id
        self.notices: list[dict[str, Any]] = []  # invites, to-device in/out, dropped key shares
        self._dead: str | None = None
        self._ready = False

    # ----------------------------------------------------------------------------- process
    def start(self, timeout: float = 60.0) -> "ElementClient":
        node = ensure_installed()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "a", encoding="utf-8")
        env = {**os.environ, "NODE_NO_WARNINGS": "1"}
        self._proc = subprocess.Popen([node, str(CLIENT_DIR / "client.mjs")], cwd=CLIENT_DIR, env=env,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
                                      text=True, encoding="utf-8", bufsize=1)
        self._reader = threading.Thread(target=self._read, name=f"element-{self.name}", daemon=True)
        self._reader.start()
        with self._cond:
            if not self._cond.wait_for(lambda: self._ready or self._dead is not None, timeout):
                raise ElementClientError(f"{self.name}: the Node client did not start in {timeout}s; "
                                         f"log {self.log_path}")
            if self._dead:
                raise ElementClientError(self._dead)
        return self

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                self._write_log(f"(non-JSON on stdout) {line}")
                continue
            with self._cond:
                if "id" in msg and "event" not in msg:
                    self._answers[msg["id"]] = msg
                elif msg.get("event") == "timeline":
                    eid = msg["event_id"]
                    if eid not in self._events:
                        self._order.append(eid)
                    self._events[eid] = msg
                elif msg.get("event") == "ready":
                    self._ready = True
                else:
                    self.notices.append({**msg, "at": time.monotonic()})
                self._cond.notify_all()
        code = self._proc.wait()
        with self._cond:
            self._dead = f"{self.name}: the Node client exited with code {code}; log {self.log_path}:\n{self.log_tail()}"
            self._cond.notify_all()

    def _write_log(self, text: str) -> None:
        if self._log is not None:
            self._log.write(f"[python] {text}\n")
            self._log.flush()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def request(self, cmd: str, *, timeout: float | None = None, **args: Any) -> dict[str, Any]:
        """Send one command and wait for its answer; raises ElementClientError on an error answer."""
        if self._proc is None or self._proc.stdin is None:
            raise ElementClientError(f"{self.name}: not started")
        with self._cond:
            if self._dead:
                raise ElementClientError(self._dead)
            self._next_id += 1
            rid = self._next_id
        line = json.dumps({"id": rid, "cmd": cmd, **args})
        try:
            self._proc.stdin.write(line + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise ElementClientError(f"{self.name}: cannot talk to the Node client ({exc}); log {self.log_path}")
        limit = timeout or self.command_timeout
        with self._cond:
            if not self._cond.wait_for(lambda: rid in self._answers or self._dead is not None, limit):
                raise ElementClientError(f"{self.name}: no answer to {cmd} in {limit}s; log tail:\n{self.log_tail()}")
            if rid not in self._answers:
                raise ElementClientError(self._dead or "dead")
            answer = self._answers.pop(rid)
        if not answer.get("ok"):
            raise ElementClientError(f"{self.name}: {cmd} failed: {answer.get('error')}")
        return answer.get("result") or {}

    def close(self) -> None:
        if self._proc is None:
            return
        try:
            if self._proc.poll() is None and self._dead is None:
                self.request("stop", timeout=15)
        except ElementClientError:
            pass
        finally:
            try:
                if self._proc.stdin:
                    self._proc.stdin.close()
            except OSError:
                pass
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
            if self._reader is not None:
                self._reader.join(timeout=5)
            if self._log is not None:
                self._log.close()
            self._proc = None

    def __enter__(self) -> "ElementClient":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------- Element's steps
    def login(self, homeserver_url: str, user: str, password: str) -> dict[str, Any]:
        result = self.request("login", base_url=homeserver_url, user=user, password=password)
        self.user_id, self.device_id = result["user_id"], result["device_id"]
        self.access_token = result["access_token"]
        return result

    def bootstrap_cross_signing(self, *, key_backup: bool = True) -> dict[str, Any]:
        """Create, upload and sign with the account's cross-signing keys (password UIA when the
        homeserver asks for it), and a key backup, as Element does after the first login."""
        return self.request("bootstrap_cross_signing", key_backup=key_backup, timeout=90)

    def set_isolation(self, mode: str = "only_signed") -> dict[str, Any]:
        """``only_signed``: Element's "exclude insecure devices" (MSC4153) default; ``all``: legacy."""
        return self.request("set_isolation", mode=mode)

    def start_sync(self, *, auto_join: bool = True) -> dict[str, Any]:
        return self.request("start", auto_join=auto_join, timeout_ms=60_000, timeout=90)

    def first_login(self, homeserver_url: str, user: str, password: str, *,
                    isolation: str = "only_signed", key_backup: bool = True) -> dict[str, Any]:
        """Log in as Element on a new device does, then sync."""
        self.login(homeserver_url, user, password)
        status = self.bootstrap_cross_signing(key_backup=key_backup)
        self.set_isolation(isolation)
        self.start_sync()
        return status

    def crypto_status(self) -> dict[str, Any]:
        return self.request("crypto_status")

    def device_status(self, user_id: str, device_id: str | None = None) -> dict[str, Any]:
        """How this client sees another user's devices: ``signed_by_owner`` (cross-signed by their
        owner), ``cross_signing_verified``, ``locally_verified``, ``verified``."""
        return self.request("device_status", user_id=user_id, device_id=device_id)

    def join(self, room_id: str) -> dict[str, Any]:
        return self.request("join", room_id=room_id)

    def send(self, room_id: str, body: str, *, thread_root: str | None = None, reply_to: str | None = None,
             html: str | None = None) -> str:
        """Send a text message (in a thread, as Element does, with ``thread_root``); its event id."""
        return self.request("send", room_id=room_id, body=body, thread_root=thread_root, reply_to=reply_to,
                            html=html)["event_id"]

    def drop_next_room_key_share(self, room_id: str, user_id: str) -> dict[str, Any]:
        """Start a new Megolm session in ``room_id`` and drop its key share to ``user_id``'s devices
        on the way out (once): the recipient must ask for the key (m.room_key_request)."""
        return self.request("drop_next_room_key_share", room_id=room_id, user_id=user_id)

    def drop_incoming(self, sender: str, count: int | None = None) -> dict[str, Any]:
        """Discard encrypted to-device messages from ``sender`` (``count`` of them, or all until
        ``stop_dropping``): keys the sender shares never arrive, so this client must request them.
        It drops the Olm message, not only the room key inside it."""
        return self.request("drop_incoming", sender=sender, count=count)

    def stop_dropping(self) -> dict[str, Any]:
        return self.request("stop_dropping")

    def set_blocked(self, user_id: str, device_id: str | None = None, *, blocked: bool = True,
                    room_id: str | None = None) -> dict[str, Any]:
        """Block (blacklist) a user's device(s): room keys are withheld from them
        (m.room_key.withheld) even when they are cross-signed; ``room_id`` starts a new session there."""
        return self.request("set_blocked", user_id=user_id, device_id=device_id, blocked=blocked, room_id=room_id)

    def set_blacklist_unverified(self, enabled: bool = True) -> dict[str, Any]:
        return self.request("set_blacklist_unverified", enabled=enabled)

    def discard_session(self, room_id: str) -> dict[str, Any]:
        return self.request("discard_session", room_id=room_id)

    @contextmanager
    def withholding_from(self, user_id: str, room_id: str, how: str = "blocked") -> Iterator[None]:
        """Messages sent inside the block go out on a new Megolm session whose key is withheld
        from ``user_id``'s devices (``m.room_key.withheld``), even when they are cross-signed:
        ``blocked`` marks the devices blocked (code ``m.blacklisted``); ``unverified`` shares only
        with devices this member verified herself (code ``m.unverified``; legacy mode with
        "never send to unverified sessions"). Afterwards the earlier mode is back and the room gets
        a fresh session again."""
        mode = self.crypto_status()["isolation_mode"]
        if how == "blocked":
            self.set_blocked(user_id, room_id=room_id)
        elif how == "unverified":
            self.set_isolation("all")
            self.set_blacklist_unverified(True)
            self.discard_session(room_id)
        else:
            raise ValueError(f"unknown way to withhold: {how}")
        try:
            yield
        finally:
            if how == "blocked":
                self.set_blocked(user_id, blocked=False, room_id=room_id)
            else:
                self.set_blacklist_unverified(False)
                self.set_isolation("only_signed" if mode.startswith("OnlySigned") else "all")
                self.discard_session(room_id)

    # ----------------------------------------------------------------------------- what it saw
    def events(self, room_id: str | None = None, *, after: str | None = None) -> list[Event]:
        """Timeline events seen so far (latest state of each), in the order first seen."""
        with self._cond:
            ordered = [self._events[eid] for eid in self._order]
        if after is not None:
            ids = [e["event_id"] for e in ordered]
            ordered = ordered[ids.index(after) + 1:] if after in ids else []
        return [e for e in ordered if room_id is None or e["room_id"] == room_id]

    def event(self, event_id: str) -> Event | None:
        with self._cond:
            return self._events.get(event_id)

    def wait_for(self, predicate: Callable[[Event], bool], *, timeout: float = 30.0,
                 room_id: str | None = None, describe: str = "") -> Event:
        return self.wait_for_all(predicate, count=1, timeout=timeout, room_id=room_id, describe=describe)[0]

    def wait_for_all(self, predicate: Callable[[Event], bool], *, count: int, timeout: float = 30.0,
                     room_id: str | None = None, describe: str = "") -> list[Event]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matches = [e for e in (self._events[eid] for eid in self._order)
                           if (room_id is None or e["room_id"] == room_id) and predicate(e)]
                if len(matches) >= count:
                    return matches
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._dead:
                    raise TimeoutError(f"{self.name}: {len(matches)}/{count} matching events "
                                       f"{describe and '(' + describe + ') '}after {timeout}s"
                                       f"{'; ' + self._dead if self._dead else ''}; last events seen:\n"
                                       f"{self.describe_events(room_id)}")
                self._cond.wait(remaining)

    def wait_for_notice(self, predicate: Callable[[dict[str, Any]], bool], *, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for notice in self.notices:
                    if predicate(notice):
                        return notice
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._dead:
                    kinds = [n.get("event") + ":" + str(n.get("type", "")) for n in self.notices[-15:]]
                    raise TimeoutError(f"{self.name}: no matching notice after {timeout}s; last: {kinds}")
                self._cond.wait(remaining)

    def describe_events(self, room_id: str | None = None, last: int = 12) -> str:
        lines = []
        for e in [self._events[eid] for eid in self._order][-200:]:
            if (room_id is not None and e["room_id"] != room_id) or e.get("state_key") is not None:
                continue
            content = e.get("content") or {}
            lines.append(f"  {e['event_id']} {e['type']} from {e['sender']}: {str(content.get('body', ''))[:70]!r} "
                         f"decrypted={e['decrypted']} failure={e['decryption_failure']} "
                         f"shield={e['shield']}/{e['shield_reason']} rel={content.get('m.relates_to')}")
        return "\n".join(lines[-last:]) or "  (none)"
