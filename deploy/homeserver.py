"""An embedded Synapse homeserver for the local stack and the test suite.

Synapse (from PyPI) runs as a child process with SQLite and all its data in one
folder. The config is generated once by Synapse itself and then adjusted on every
start, so a second start reuses users, rooms and keys. Users are registered through
the shared-secret admin API, which works while public registration stays off.

``MatrixTestClient`` is a small synchronous client-server API client (httpx) for
acting as a council member: create rooms, send messages, and wait for the bot's
replies through /sync.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import yaml

from deploy.procs import (
    ProcessStartError,
    free_port,
    live_pid_from_pidfile,
    log_tail,
    pid_alive,
    port_in_use,
    spawn,
    terminate,
    wait_http_ready,
)

__all__ = [
    "EmbeddedSynapse",
    "MatrixError",
    "MatrixTestClient",
    "ProcessStartError",
    "RegisteredUser",
    "free_port",
    "in_thread",
    "thread_root",
]

# Rate limiters that would slow a test suite with many users, rooms and messages.
# Keys follow synapse/config/ratelimiting.py (1.163); unknown keys are ignored by
# Synapse, so older or newer versions still start.
_FAST = {"per_second": 10_000, "burst_count": 100_000}
RELAXED_RATE_LIMITS: dict[str, Any] = {
    "rc_message": _FAST,
    "rc_registration": _FAST,
    "rc_registration_token_validity": _FAST,
    "rc_login": {"address": _FAST, "account": _FAST, "failed_attempts": _FAST},
    "rc_admin_redaction": _FAST,
    "rc_joins": {"local": _FAST, "remote": _FAST},
    "rc_joins_per_room": _FAST,
    "rc_3pid_validation": _FAST,
    "rc_invites": {"per_room": _FAST, "per_user": _FAST, "per_issuer": _FAST},
    "rc_third_party_invite": _FAST,
    "rc_media_create": _FAST,
    "rc_key_requests": _FAST,
    "rc_presence": {"per_user": _FAST},
    "rc_delayed_event_mgmt": _FAST,
    "rc_room_creation": _FAST,
    "rc_reports": _FAST,
    "rc_user_directory": _FAST,
    "rc_profile": _FAST,
}

_SYNAPSE_MODULE = "synapse.app.homeserver"


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


def _matrix_call(
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


class EmbeddedSynapse:
    """A Synapse homeserver on 127.0.0.1 with its config, database and logs in ``data_dir``.

    ``port=None`` reuses the port of an existing config, or picks a free one.
    ``extra_config`` is merged over the generated config (top-level keys) on every
    ``ensure_config()``, for drills that need something special.
    """

    PIDFILE = "synapse.pid"
    CONFIG = "homeserver.yaml"

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        server_name: str = "localhost",
        relaxed_rate_limits: bool = True,
        python: str = sys.executable,
        log_level: str = "WARNING",
        extra_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self._port = port
        self._server_name = server_name
        self.relaxed_rate_limits = relaxed_rate_limits
        self.python = python
        self.log_level = log_level
        self.extra_config = dict(extra_config or {})
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None
        self._http: httpx.Client | None = None
        self._admin: RegisteredUser | None = None

    # ----- paths and facts -------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.data_dir / self.CONFIG

    @property
    def pidfile(self) -> Path:
        return self.data_dir / self.PIDFILE

    @property
    def log_path(self) -> Path:
        """Synapse's own log (warnings and errors by default)."""
        return self.data_dir / "homeserver.log"

    @property
    def console_log_path(self) -> Path:
        """stdout/stderr of the process: start-up crashes end up here."""
        return self.data_dir / "synapse.console.log"

    @property
    def port(self) -> int:
        if self._port is None:
            self._port = self._configured_port() or free_port()
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def server_name(self) -> str:
        return self._server_name

    @property
    def registration_secret(self) -> str:
        secret = self._load_config().get("registration_shared_secret")
        if not secret:
            raise RuntimeError(f"no registration_shared_secret in {self.config_path}")
        return str(secret)

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{self.server_name}"

    # ----- config ----------------------------------------------------------

    def _load_config(self) -> dict[str, Any]:
        with open(self.config_path, encoding="utf-8") as fh:
            return yaml.safe_load(fh) or {}

    def _configured_port(self) -> int | None:
        if not self.config_path.exists():
            return None
        for listener in self._load_config().get("listeners") or []:
            if listener.get("port"):
                return int(listener["port"])
        return None

    def ensure_config(self) -> Path:
        """Generate the config once, then (re)apply our settings; returns its path."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)  # secrets (registration secret, passwords, keys) live in here
        # Fix the port before generating, or we would inherit Synapse's default 8008.
        port = self.port
        if not self.config_path.exists():
            self._generate_config()
        cfg = self._load_config()
        if cfg.get("server_name") != self.server_name:
            raise RuntimeError(
                f"{self.config_path} is for server_name {cfg.get('server_name')!r}, "
                f"not {self.server_name!r}; the database cannot change its server name"
            )
        d = self.data_dir
        cfg["pid_file"] = str(d / "homeserver.pid")
        cfg["listeners"] = [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ]
        cfg["database"] = {"name": "sqlite3", "args": {"database": str(d / "homeserver.db")}}
        cfg["media_store_path"] = str(d / "media_store")
        # Absolute paths from generation break if the folder moves; re-anchor them.
        cfg["signing_key_path"] = str(d / f"{self.server_name}.signing.key")
        cfg["log_config"] = str(self._write_log_config())
        cfg["enable_registration"] = False
        if not cfg.get("registration_shared_secret"):
            cfg["registration_shared_secret"] = uuid.uuid4().hex + uuid.uuid4().hex
        cfg["report_stats"] = False
        cfg["trusted_key_servers"] = []
        cfg["suppress_key_server_warning"] = True
        # An empty whitelist disables federation: nothing may leave 127.0.0.1.
        cfg["federation_domain_whitelist"] = []
        cfg["presence"] = {"enabled": False}
        cfg["url_preview_enabled"] = False
        cfg["enable_metrics"] = False
        for key in RELAXED_RATE_LIMITS:
            cfg.pop(key, None)
        if self.relaxed_rate_limits:
            cfg.update(RELAXED_RATE_LIMITS)
        cfg.update(self.extra_config)
        tmp = self.config_path.with_suffix(".yaml.tmp")
        tmp.write_text(
            "# Generated by Synapse, then rewritten by deploy/homeserver.py on every start.\n"
            + yaml.safe_dump(cfg, sort_keys=False),
            encoding="utf-8",
        )
        os.replace(tmp, self.config_path)
        return self.config_path

    def _generate_config(self) -> None:
        cmd = [
            self.python, "-m", _SYNAPSE_MODULE,
            "--server-name", self.server_name,
            "--config-path", str(self.config_path),
            "--data-directory", str(self.data_dir),
            "--generate-config",
            "--report-stats=no",
        ]  # fmt: skip
        # cwd=data_dir: the generated log config points at a relative file we replace anyway.
        res = subprocess.run(
            cmd, cwd=self.data_dir, capture_output=True, text=True, timeout=120, check=False
        )
        if res.returncode != 0 or not self.config_path.exists():
            raise ProcessStartError(
                f"synapse config generation failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
            )
        # We write our own log config; drop the generated one so nobody edits the wrong file.
        (self.data_dir / f"{self.server_name}.log.config").unlink(missing_ok=True)

    def _write_log_config(self) -> Path:
        path = self.data_dir / "log.config"
        cfg = {
            "version": 1,
            "formatters": {
                "precise": {
                    "format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s"
                    " - %(request)s - %(message)s"
                }
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": str(self.log_path),
                    "encoding": "utf8",
                }
            },
            "loggers": {
                "synapse.storage.SQL": {"level": "WARNING"},
                "synapse.access": {"level": "WARNING"},
            },
            "root": {"level": self.log_level, "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
        return path

    # ----- process ---------------------------------------------------------

    def _pidfile_pid(self) -> int | None:
        return live_pid_from_pidfile(
            self.pidfile, cmdline_contains=(_SYNAPSE_MODULE, str(self.config_path))
        )

    def is_running(self) -> bool:
        if self._proc is not None and self._proc.poll() is None:
            return True
        if self._pid is not None and pid_alive(self._pid):
            return True
        return self._pidfile_pid() is not None

    @property
    def pid(self) -> int | None:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        return self._pidfile_pid()

    def start(self, timeout: float = 60.0) -> None:
        """Start Synapse (or adopt one already running on this data dir) and wait for /health."""
        if self._proc is not None and self._proc.poll() is None:
            return
        adopted = self._pidfile_pid()
        if adopted is not None:
            # Already running (started by an earlier process): adopt it, config untouched.
            running_port = self._configured_port()
            if self._port is not None and running_port is not None and self._port != running_port:
                raise ProcessStartError(
                    f"synapse already runs on this data dir on port {running_port}, "
                    f"not {self._port}; stop it first"
                )
            self._port = running_port or self._port
            self._pid = adopted
            self._wait_healthy(timeout, lambda: pid_alive(adopted))
            return
        self.ensure_config()
        if port_in_use(self.port):
            raise ProcessStartError(f"port {self.port} on 127.0.0.1 is already in use")
        self._proc = spawn(
            [self.python, "-m", _SYNAPSE_MODULE, "-c", str(self.config_path)],
            log_path=self.console_log_path,
            pidfile=self.pidfile,
            cwd=self.data_dir,
        )
        self._pid = self._proc.pid
        proc = self._proc
        try:
            self._wait_healthy(timeout, lambda: proc.poll() is None)
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, timeout: float, is_alive: Callable[[], bool]) -> None:
        try:
            wait_http_ready(
                f"{self.base_url}/health",
                timeout=timeout,
                is_alive=is_alive,
                log_path=self.console_log_path,
                name="synapse",
            )
        except ProcessStartError as exc:
            raise ProcessStartError(
                f"{exc}\n--- {self.log_path.name} ---\n{log_tail(self.log_path, 30)}"
            ) from None

    def stop(self, timeout: float = 15.0) -> bool:
        """SIGTERM, then SIGKILL after ``timeout``. Returns True if anything was running."""
        was_running = self.is_running()
        pid = self.pid or self._pid
        if pid is not None:
            terminate(pid, timeout=timeout, proc=self._proc)
        self._proc = None
        self._pid = None
        self.pidfile.unlink(missing_ok=True)
        return was_running

    def restart(self, timeout: float = 60.0) -> None:
        self.stop()
        self.start(timeout=timeout)

    @classmethod
    def stop_from_pidfile(cls, data_dir: Path, timeout: float = 15.0) -> bool:
        """Stop a Synapse that an earlier process started on ``data_dir``."""
        data_dir = Path(data_dir).resolve()
        pidfile = data_dir / cls.PIDFILE
        pid = live_pid_from_pidfile(
            pidfile, cmdline_contains=(_SYNAPSE_MODULE, str(data_dir / cls.CONFIG))
        )
        if pid is not None:
            terminate(pid, timeout=timeout)
        pidfile.unlink(missing_ok=True)
        return pid is not None

    def __enter__(self) -> EmbeddedSynapse:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.close()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # ----- users -----------------------------------------------------------

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(base_url=self.base_url, timeout=30.0, trust_env=False)
        return self._http

    def register_user(
        self,
        localpart: str,
        password: str,
        *,
        admin: bool = False,
        displayname: str | None = None,
    ) -> RegisteredUser:
        """Register through the shared-secret admin API; log in if the user already exists."""
        path = "/_synapse/admin/v1/register"
        nonce = _matrix_call(self.http, "GET", path, retry_transport=True)["nonce"]
        mac = hmac.new(self.registration_secret.encode(), digestmod=hashlib.sha1)
        mac.update(nonce.encode())
        mac.update(b"\x00")
        mac.update(localpart.encode())
        mac.update(b"\x00")
        mac.update(password.encode())
        mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        body: dict[str, Any] = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        if displayname is not None:
            body["displayname"] = displayname
        try:
            res = _matrix_call(self.http, "POST", path, json_body=body)
        except MatrixError as exc:
            if exc.errcode == "M_USER_IN_USE":
                return self.login(localpart, password)
            raise
        return RegisteredUser(
            user_id=res["user_id"],
            access_token=res["access_token"],
            device_id=res["device_id"],
            password=password,
        )

    def login(self, localpart: str, password: str, device_id: str | None = None) -> RegisteredUser:
        body: dict[str, Any] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": localpart},
            "password": password,
        }
        if device_id is not None:
            body["device_id"] = device_id
        res = _matrix_call(self.http, "POST", "/_matrix/client/v3/login", json_body=body)
        return RegisteredUser(
            user_id=res["user_id"],
            access_token=res["access_token"],
            device_id=res["device_id"],
            password=password,
        )

    def client(self, user: RegisteredUser) -> MatrixTestClient:
        return MatrixTestClient(self.base_url, user)

    # ----- admin helpers ---------------------------------------------------

    HARNESS_ADMIN = "overleg-harness-admin"

    def admin_user(self) -> RegisteredUser:
        """A server admin for admin API calls, the same account on every start.

        Its password is derived from the registration secret, so a later process can
        log in again without storing it anywhere.
        """
        if self._admin is None:
            password = hmac.new(
                self.registration_secret.encode(), b"harness-admin", hashlib.sha256
            ).hexdigest()
            self._admin = self.register_user(self.HARNESS_ADMIN, password, admin=True)
        return self._admin

    def override_ratelimit(
        self, user_id: str, messages_per_second: int, burst_count: int
    ) -> None:
        """Per-user message rate limit (admin API); ``0, 0`` exempts the user entirely.

        Lets a 429 drill run on the shared, relaxed homeserver: Synapse applies the
        override instead of rc_message for that user's event sends.
        """
        _matrix_call(
            self.http,
            "POST",
            f"/_synapse/admin/v1/users/{_q(user_id)}/override_ratelimit",
            token=self.admin_user().access_token,
            json_body={"messages_per_second": messages_per_second, "burst_count": burst_count},
        )

    def clear_ratelimit_override(self, user_id: str) -> None:
        _matrix_call(
            self.http,
            "DELETE",
            f"/_synapse/admin/v1/users/{_q(user_id)}/override_ratelimit",
            token=self.admin_user().access_token,
        )


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
        return _matrix_call(self.http, method, path, token=self.access_token, **kwargs)

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
