"""An embedded Synapse homeserver for the local stack and the test suite.

Synapse (from PyPI) runs as a child process with SQLite and all its data in one folder. The
config is made once (server name, fresh secrets and signing key) and then completed on every
start, so a second start reuses users, rooms and keys. Users are registered through the shared-secret admin API, which
works while public registration stays off.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import yaml

from devstack.embedded import EmbeddedServer
from devstack.matrix_client import MatrixError, MatrixTestClient, RegisteredUser, matrix_call
from devstack.procs import ProcessStartError

__all__ = ["EmbeddedSynapse", "ProcessStartError", "RELAXED_RATE_LIMITS"]


def _q(value: str) -> str:
    return quote(value, safe="")


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


class EmbeddedSynapse(EmbeddedServer):
    """A Synapse homeserver on 127.0.0.1 with its config, database and logs in ``data_dir``.

    ``port=None`` reuses the port of an existing config, or picks a free one.
    ``extra_config`` is merged over the generated config (top-level keys) on every
    ``ensure_config()``, for drills that need something special.
    """

    NAME = "synapse"
    MODULE = "synapse.app.homeserver"
    PIDFILE = "synapse.pid"
    CONFIG = "homeserver.yaml"
    LOG = "homeserver.log"  # Synapse's own log (warnings and errors by default)
    READY_PATH = "/health"
    START_TIMEOUT = 60.0
    STOP_TIMEOUT = 15.0

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
        super().__init__(data_dir, port, python=python)
        self._server_name = server_name
        self.relaxed_rate_limits = relaxed_rate_limits
        self.log_level = log_level
        self.extra_config = dict(extra_config or {})
        self._http: httpx.Client | None = None
        self._admin: RegisteredUser | None = None

    # ----- paths and facts -------------------------------------------------

    @property
    def console_log_path(self) -> Path:
        """stdout/stderr of the process: start-up crashes end up here."""
        return self.data_dir / "synapse.console.log"

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
                # "openid": the werkplek confirms a widget's OpenID token at /_matrix/federation/v1/openid/userinfo.
                "resources": [{"names": ["client", "openid"], "compress": False}],
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
        # A development homeserver: password hashing at bcrypt's lowest useful cost. Synapse's default
        # (12 rounds, ~0.25 s of CPU per registration and per password login) made the test users'
        # accounts a noticeable part of the whole suite's CPU. Hashes stored at another cost still verify.
        cfg["bcrypt_rounds"] = 4
        for key in RELAXED_RATE_LIMITS:
            cfg.pop(key, None)
        if self.relaxed_rate_limits:
            cfg.update(RELAXED_RATE_LIMITS)
        cfg.update(self.extra_config)
        tmp = self.config_path.with_suffix(".yaml.tmp")
        tmp.write_text(
            "# Generated by Synapse, then rewritten by devstack/synapse.py on every start.\n"
            + yaml.safe_dump(cfg, sort_keys=False),
            encoding="utf-8",
        )
        os.replace(tmp, self.config_path)
        return self.config_path

    def _generate_config(self) -> None:
        """What ``synapse --generate-config`` makes that :meth:`ensure_config` does not set on every
        start: the server name, fresh secrets and a fresh signing key (every other key it writes is
        replaced there). Made here, not by Synapse's generator: that is a Python process of ~1.4 s
        of CPU for each new homeserver, and the test suite starts several."""
        from signedjson.key import generate_signing_key, write_signing_keys

        key_path = self.data_dir / f"{self.server_name}.signing.key"
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            write_signing_keys(out, [generate_signing_key("a_" + secrets.token_hex(2))])
        cfg = {
            "server_name": self.server_name,
            "report_stats": False,
            "registration_shared_secret": secrets.token_urlsafe(36),
            "macaroon_secret_key": secrets.token_urlsafe(36),
            "form_secret": secrets.token_urlsafe(36),
            "signing_key_path": str(key_path),
        }
        fd = os.open(self.config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            yaml.safe_dump(cfg, out, sort_keys=False)

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

    def _argv(self) -> list[str]:
        return [self.python, "-m", self.MODULE, "-c", str(self.config_path)]

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
        nonce = matrix_call(self.http, "GET", path, retry_transport=True)["nonce"]
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
            res = matrix_call(self.http, "POST", path, json_body=body)
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
        res = matrix_call(self.http, "POST", "/_matrix/client/v3/login", json_body=body)
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
        matrix_call(
            self.http,
            "POST",
            f"/_synapse/admin/v1/users/{_q(user_id)}/override_ratelimit",
            token=self.admin_user().access_token,
            json_body={"messages_per_second": messages_per_second, "burst_count": burst_count},
        )

    def clear_ratelimit_override(self, user_id: str) -> None:
        matrix_call(
            self.http,
            "DELETE",
            f"/_synapse/admin/v1/users/{_q(user_id)}/override_ratelimit",
            token=self.admin_user().access_token,
        )


