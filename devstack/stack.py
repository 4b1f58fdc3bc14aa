"""The local stack: homeserver, calendar server, the three services under gunicorn and the bot,
with a demo council. ``overleg up`` runs it; the end-to-end tests and drills use the same class.

Everything lives under one folder (``var/stack`` for ``overleg up``): the generated secrets and
facts in ``stack.json``, the config every process reads in ``overleg.yaml``, one folder per
server, logs and pidfiles. A second ``up`` reuses all of it.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import yaml

from deploy.cli import LONG_RUNNING_PYTHON
from devstack.matrix_client import MatrixTestClient, RegisteredUser
from devstack.procs import (
    child_pids, free_port, live_pid_from_pidfile, settings_free_env, spawn, terminate, wait_http_ready, wait_until,
)
from devstack.radicale import EmbeddedRadicale
from devstack.synapse import EmbeddedSynapse

ROOT = Path(__file__).resolve().parent.parent  # the checkout: services run from its code
SERVICES = ("deliberation", "calendar", "signals", "werkplek")
COUNCIL_SLUG = "klantenraad"
BOT_LOCALPART = "overleg"
SECRETARY = "secretaris"
DEMO_MEMBERS = [  # (localpart, display name, type, customer group)
    ("anna", "Anna de Vries", "huurder", "Zuid, 65+"),
    ("bram", "Bram Jansen", "huurder", "Noord, jongeren"),
    ("chantal", "Chantal Pinas", "koper", "Centrum"),
    ("dirk", "Dirk Bakker", "ondernemer", "Bedrijfsruimte"),
]


@dataclass
class Ports:
    synapse: int = 8008
    radicale: int = 5232
    bot: int = 8790
    deliberation: int = 8791
    calendar: int = 8792
    signals: int = 8793
    werkplek: int = 8794

    @classmethod
    def free(cls) -> "Ports":
        return cls(*(free_port() for _ in range(7)))


@dataclass
class StackState:
    """Facts and secrets that must survive restarts (so a second start reuses the data)."""

    tokens: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    secret_key: str = ""
    room_id: str | None = None
    signals_room_id: str | None = None
    caldav_url: str | None = None
    ports: dict[str, int] = field(default_factory=dict)
    seeded: bool = False


def _redis_reachable() -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


class Stack:
    def __init__(self, root: Path, ports: Ports | None = None, *, python: str = sys.executable,
                 database_url: str | None = None, workers: int = 2, relaxed_rate_limits: bool = True,
                 synapse_config: dict[str, Any] | None = None, synapse: EmbeddedSynapse | None = None,
                 radicale: EmbeddedRadicale | None = None, encrypted: bool = False,
                 settings: dict[str, Any] | None = None) -> None:
        self.root = Path(root).resolve()
        self.extra_settings = dict(settings or {})  # top-level settings on top of the stack's own (tests)
        self.encrypted = encrypted  # create the demo rooms end-to-end encrypted, as Element does
        self.python = python
        self.database_url = database_url
        self.workers = workers
        self.state_path = self.root / "stack.json"
        self.state = self._load_state()
        if ports is None:
            ports = Ports(**self.state.ports) if self.state.ports else Ports()
        self.ports = ports
        self.state.ports = asdict(ports)
        # Tests share one homeserver and calendar server across the session; the stack then
        # neither starts nor stops them.
        self.owns_servers = synapse is None
        self.synapse = synapse or EmbeddedSynapse(self.root / "synapse", ports.synapse,
                                                  relaxed_rate_limits=relaxed_rate_limits, python=python,
                                                  extra_config=synapse_config)
        self.radicale = radicale or EmbeddedRadicale(self.root / "radicale", ports.radicale, python=python)
        self.config_path = self.root / "overleg.yaml"
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    # --- state ---------------------------------------------------------------------------
    def _load_state(self) -> StackState:
        if self.state_path.is_file():
            return StackState(**json.loads(self.state_path.read_text()))
        return StackState()

    def _save_state(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)  # secrets (registration secret, passwords, keys) live in here
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self.state), indent=2))
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.state_path)

    def _secret(self, bucket: dict[str, str], name: str) -> str:
        if name not in bucket:
            bucket[name] = secrets.token_urlsafe(24)
        return bucket[name]

    @property
    def server_name(self) -> str:
        return self.synapse.server_name

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{self.server_name}"

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{getattr(self.ports, name)}"

    # --- start ---------------------------------------------------------------------------
    def up(self, *, demo: bool = True, timeout: float = 60.0) -> dict[str, Any]:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)  # secrets (registration secret, passwords, keys) live in here
        for caller in ("bot", *SERVICES, "partner", "admin"):
            self._secret(self.state.tokens, caller)
        if not self.state.secret_key:
            self.state.secret_key = secrets.token_urlsafe(32)
        if not self.synapse.is_running():
            self.synapse.start(timeout=timeout)
        if self.owns_servers:
            if not self.radicale.is_running():
                self.radicale.ensure_config()
                self.radicale.ensure_user("overleg", self._secret(self.state.passwords, "radicale"))
                self.radicale.start(timeout=timeout)
            self.radicale.user, self.radicale.password = "overleg", self.state.passwords["radicale"]
        else:
            self.state.passwords["radicale"] = self.radicale.password or ""
        if not self.state.caldav_url:
            self.state.caldav_url = self.radicale.ensure_calendar(self.radicale.user or "overleg",
                                                                  self.state.passwords["radicale"], "Klantenraad")
        self._ensure_accounts_and_rooms()
        self._save_state()
        self.write_config()
        try:
            for name in SERVICES:
                self.start_service(name)
            self.start_bot()
            self.wait_ready(timeout)
        except BaseException:
            # One part that does not come up must not leave the others running without an owner.
            self.down()
            raise
        if demo and not self.state.seeded:
            self._seed_demo()
            self.state.seeded = True
            self._save_state()
        return self.status()

    def _ensure_accounts_and_rooms(self) -> None:
        bot = self.synapse.register_user(BOT_LOCALPART, self._secret(self.state.passwords, BOT_LOCALPART),
                                         displayname="Overleg")
        secretary = self.synapse.register_user(SECRETARY, self._secret(self.state.passwords, SECRETARY),
                                               displayname="Secretaris (demo)")
        members = [self.synapse.register_user(lp, self._secret(self.state.passwords, lp), displayname=name)
                   for lp, name, _, _ in DEMO_MEMBERS]
        if self.state.room_id and self.state.signals_room_id:
            return
        everyone = [bot.user_id, *(m.user_id for m in members)]
        with MatrixTestClient(self.synapse.base_url, secretary) as sec:
            self.state.room_id = sec.create_room(name="Klantenraad (demo)", invite=everyone,
                                                 topic="Overleg van de klantenraad. Typ !hulp voor de opdrachten.",
                                                 encrypted=self.encrypted)
            self.state.signals_room_id = sec.create_room(name="Klantenraad – signalen (demo)", invite=everyone,
                                                         topic="Signalen van bewoners, per onderwerp een draad.",
                                                         encrypted=self.encrypted)
            for room in (self.state.room_id, self.state.signals_room_id):
                # The bot redacts (a resident's erasure, a member's message with personal data): level 50.
                path = f"/_matrix/client/v3/rooms/{quote(room, safe='')}/state/m.room.power_levels/"
                levels = sec.call("GET", path)
                levels.setdefault("users", {})[bot.user_id] = 50
                sec.call("PUT", path, json_body=levels)
            # The werkplek as a widget in the council's room: Element opens it and hands it an OpenID token.
            widget = f"{self.url('werkplek')}/werkplek/widget?raad={COUNCIL_SLUG}"
            sec.call("PUT", f"/_matrix/client/v3/rooms/{quote(self.state.room_id, safe='')}/state/"
                            "im.vector.modular.widgets/werkplek",
                     json_body={"type": "m.custom", "url": widget, "name": "Werkplek", "id": "werkplek",
                                "data": {"title": "Werkplek van de raad"}})
        for member in members:
            with MatrixTestClient(self.synapse.base_url, member) as client:
                client.join(self.state.room_id)
                client.join(self.state.signals_room_id)
        del bot

    def settings_dict(self) -> dict[str, Any]:
        data_dir = self.root / "data"
        return {
            "data_dir": str(data_dir),
            **({"database_url": self.database_url} if self.database_url else {}),
            "public_base_url": self.url("signals"),
            "service_urls": {name: self.url(name) for name in (*SERVICES, "bot")},
            "api_tokens": dict(self.state.tokens),
            "secret_key": self.state.secret_key,
            # Rate limits shared by the gunicorn workers, where Redis runs (it does on dev machines).
            **({"redis_url": "redis://127.0.0.1:6379/0"} if _redis_reachable() else {}),
            "matrix": {
                "homeserver_url": self.synapse.base_url,
                "user_id": self.user_id(BOT_LOCALPART),
                "password": self.state.passwords[BOT_LOCALPART],
                "listen_port": self.ports.bot,
            },
            "councils": [{
                "slug": COUNCIL_SLUG,
                "name": "Klantenraad (demo)",
                "rooms": {"main": self.state.room_id, "signals": self.state.signals_room_id},
                "secretaries": [self.user_id(SECRETARY)],
                "caldav_url": self.state.caldav_url,
                "caldav_username": self.radicale.user or "overleg",
                "caldav_password": self.state.passwords.get("radicale"),
            }],
            **self.extra_settings,
        }

    def write_config(self) -> None:
        self.config_path.write_text(yaml.safe_dump(self.settings_dict(), sort_keys=False, allow_unicode=True))
        os.chmod(self.config_path, 0o600)

    def env(self, **extra: str) -> dict[str, str]:
        env = settings_free_env()
        env.update(OVERLEG_CONFIG=str(self.config_path), PYTHONUNBUFFERED="1", **extra)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def _pidfile(self, name: str) -> Path:
        return self.root / "run" / f"{name}.pid"

    def _log(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"

    def start_service(self, name: str, *, workers: int | None = None) -> None:
        if live_pid_from_pidfile(self._pidfile(name), cmdline_contains=("gunicorn",)):
            return
        self._pidfile(name).parent.mkdir(parents=True, exist_ok=True)
        metrics_dir = self.root / "run" / f"metrics-{name}"
        if metrics_dir.exists():
            for f in metrics_dir.iterdir():
                f.unlink()
        metrics_dir.mkdir(parents=True, exist_ok=True)
        argv = [self.python, *LONG_RUNNING_PYTHON, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                f"services.{name}.wsgi:app"]
        self.procs[name] = spawn(argv, log_path=self._log(name), pidfile=self._pidfile(name),
                                 cwd=ROOT,
                                 env=self.env(OVERLEG_SERVICE=name, OVERLEG_BIND=f"127.0.0.1:{getattr(self.ports, name)}",
                                              # The werkplek serves a few people at a time: one worker.
                                              OVERLEG_WORKERS=str(workers or (1 if name == "werkplek" else self.workers)),
                                              PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)))

    def start_bot(self) -> None:
        if live_pid_from_pidfile(self._pidfile("bot"), cmdline_contains=("services.bot",)):
            return
        self._pidfile("bot").parent.mkdir(parents=True, exist_ok=True)
        self.procs["bot"] = spawn([self.python, *LONG_RUNNING_PYTHON, "-m", "services.bot"], log_path=self._log("bot"),
                                  pidfile=self._pidfile("bot"), cwd=ROOT, env=self.env())

    def reload_service(self, name: str, timeout: float = 60.0) -> None:
        """Let a running service take on the configuration file anew, as ``systemctl reload`` does:
        gunicorn's SIGHUP starts new workers (each builds the app from the file again) and lets the
        old ones finish their requests. Returns once only new workers answer. Seconds, where a stop
        and start of the master takes a dozen (migrations, the jobs' shutdown)."""
        import signal as _signal

        master = live_pid_from_pidfile(self._pidfile(name), cmdline_contains=("gunicorn",))
        if master is None:
            raise RuntimeError(f"{name} is not running")
        old = child_pids(master)
        os.kill(master, _signal.SIGHUP)
        if not wait_until(lambda: not (old & child_pids(master)) and len(child_pids(master)) >= 1, timeout,
                          interval=0.1):
            raise RuntimeError(f"{name}: the old workers did not end within {timeout:.0f} s after SIGHUP")
        wait_http_ready(f"{self.url(name)}/readyz", timeout=timeout, log_path=self._log(name), name=name,
                        is_alive=lambda: live_pid_from_pidfile(self._pidfile(name)) is not None)

    def stop_process(self, name: str, *, kill: bool = False, timeout: float = 15.0) -> None:
        pid = live_pid_from_pidfile(self._pidfile(name))
        if pid is None:
            return
        proc = self.procs.pop(name, None)
        if kill:
            import signal as _signal

            try:
                os.killpg(pid, _signal.SIGKILL)
            except ProcessLookupError:
                pass
            if proc is not None:
                proc.wait(timeout=10)
        else:
            terminate(pid, timeout=timeout, proc=proc)
        self._pidfile(name).unlink(missing_ok=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        for name in (*SERVICES, "bot"):
            pidfile = self._pidfile(name)
            wait_http_ready(f"{self.url(name)}/readyz", timeout=timeout, log_path=self._log(name), name=name,
                            is_alive=lambda p=pidfile: live_pid_from_pidfile(p) is not None)

    def _seed_demo(self) -> None:
        """The demo roster: the secretary and the demo members hold seats."""
        headers = {"Authorization": f"Bearer {self.state.tokens['admin']}"}
        url = f"{self.url('deliberation')}/api/v1/councils/{COUNCIL_SLUG}/members"
        people = [(SECRETARY, "Secretaris (demo)", "huurder", "Algemeen", True)]
        people += [(lp, name, kind, group, False) for lp, name, kind, group in DEMO_MEMBERS]
        with httpx.Client(timeout=10) as client:
            for lp, name, kind, group, is_secretary in people:
                resp = client.post(url, headers=headers, json={
                    "matrix_id": self.user_id(lp), "display_name": name, "member_type": kind,
                    "customer_group": group, "secretary": is_secretary})
                if resp.status_code == 404:
                    return  # this build has no roster yet
                if resp.status_code >= 400 and resp.status_code != 409:
                    raise RuntimeError(f"seeding the demo roster failed: {resp.status_code} {resp.text[:200]}")

    # --- stop ----------------------------------------------------------------------------
    def down(self) -> None:
        self.stop_process("bot")
        for name in SERVICES:
            self.stop_process(name)
        if not self.owns_servers:
            return
        if self.radicale.is_running():
            self.radicale.stop()
        else:
            EmbeddedRadicale.stop_from_pidfile(self.radicale.data_dir)
        if self.synapse.is_running():
            self.synapse.stop()
        else:
            EmbeddedSynapse.stop_from_pidfile(self.synapse.data_dir)

    # --- facts ---------------------------------------------------------------------------
    def running(self) -> dict[str, bool]:
        out = {"synapse": self.synapse.is_running(), "radicale": self.radicale.is_running()}
        for name in (*SERVICES, "bot"):
            out[name] = live_pid_from_pidfile(self._pidfile(name)) is not None
        return out

    def status(self) -> dict[str, Any]:
        base = self.url("signals")
        accounts = [{"role": "secretaris", "user_id": self.user_id(SECRETARY), "localpart": SECRETARY,
                     "password": self.state.passwords.get(SECRETARY)}]
        accounts += [{"role": "lid", "user_id": self.user_id(lp), "localpart": lp, "display_name": name,
                      "password": self.state.passwords.get(lp)} for lp, name, _, _ in DEMO_MEMBERS]
        return {
            "homeserver": self.synapse.base_url,
            "server_name": self.server_name,
            "caldav": self.state.caldav_url,
            "services": {name: self.url(name) for name in (*SERVICES, "bot")},
            "signal_form": f"{base}/signaal",
            "application_form": f"{self.url('deliberation')}/aanmelden",
            "werkplek": f"{self.url('werkplek')}/werkplek",
            "feeds": f"{self.url('calendar')}/feeds/",
            "council": COUNCIL_SLUG,
            "room_id": self.state.room_id,
            "signals_room_id": self.state.signals_room_id,
            "bot": self.user_id(BOT_LOCALPART),
            "accounts": accounts,
            "signals_api_token": self.state.tokens.get("partner"),
            "admin_api_token": self.state.tokens.get("admin"),
            "config": str(self.config_path),
            "running": self.running(),
        }

    def member(self, localpart: str) -> RegisteredUser:
        password = self.state.passwords.get(localpart)
        if password is None:
            raise KeyError(f"no demo account {localpart!r}")
        return self.synapse.login(localpart, password)

    def say(self, localpart: str, message: str, *, timeout: float = 30.0, room_id: str | None = None) -> list[str]:
        """Send ``message`` as a demo user and return the bot's replies to it (their plain text)."""
        user = self.member(localpart)
        room = room_id or self.state.room_id
        with MatrixTestClient(self.synapse.base_url, user) as client:
            client.sync(0)
            event_id = client.send_text(room, message)
            bot_id = self.user_id(BOT_LOCALPART)

            def is_reply(event: dict[str, Any]) -> bool:
                rel = (event.get("content") or {}).get("m.relates_to") or {}
                return event.get("sender") == bot_id and (
                    rel.get("event_id") == event_id or (rel.get("m.in_reply_to") or {}).get("event_id") == event_id)

            first = client.wait_for(room, is_reply, timeout=timeout)
            replies = [first]
            # Some commands answer with more than one message (e.g. a new thread plus a note).
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                client.sync(200)
            replies = [e for e in client.events(room) if is_reply(e)] or replies
            return [(e.get("content") or {}).get("body", "") for e in replies]
