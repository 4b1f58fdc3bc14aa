"""An embedded Radicale CalDAV server for the local stack and the test suite.

Radicale runs as a child process on 127.0.0.1 with its config, htpasswd file,
collections and log in one folder. It stands in for the council's shared Nextcloud
calendar: one service account (e.g. ``overleg``) owns the calendars and writes them;
with ``owner_write`` rights any other authenticated user may read them.
"""

from __future__ import annotations

import configparser
import os
import re
import sys
from pathlib import Path
from urllib.parse import quote

from devstack.embedded import EmbeddedServer
from devstack.procs import ProcessStartError

__all__ = ["EmbeddedRadicale", "ProcessStartError", "calendar_slug"]


def calendar_slug(name: str) -> str:
    """A stable path segment for a calendar display name ("Klantenraad 2025" -> "klantenraad-2025")."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "calendar"


class EmbeddedRadicale(EmbeddedServer):
    """Radicale on 127.0.0.1 with htpasswd (plain) auth and its data in ``data_dir``.

    ``port=None`` reuses the port of an existing config, or picks a free one.
    """

    NAME = "radicale"
    MODULE = "radicale"
    PIDFILE = "radicale.pid"
    CONFIG = "radicale.conf"
    LOG = "radicale.log"
    # Any HTTP answer means it serves; "/" redirects to the web UI (or 401s).
    READY_PATH = "/.well-known/caldav"
    READY_STATUSES = (200, 301, 302, 401, 403, 404)
    START_TIMEOUT = 30.0
    STOP_TIMEOUT = 10.0

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        python: str = sys.executable,
        rights: str = "owner_write",
        log_level: str = "warning",
    ) -> None:
        super().__init__(data_dir, port, python=python)
        self.rights = rights
        self.log_level = log_level
        # Set by callers (the test fixture, the stack) for the account they use.
        self.user: str | None = None
        self.password: str | None = None

    # ----- paths and facts -------------------------------------------------

    @property
    def htpasswd_path(self) -> Path:
        return self.data_dir / "users"

    @property
    def collections_path(self) -> Path:
        return self.data_dir / "collections"

    def calendar_url(self, user: str, calendar_name: str) -> str:
        return f"{self.base_url}/{quote(user)}/{calendar_slug(calendar_name)}/"

    # ----- config and users ------------------------------------------------

    def _configured_port(self) -> int | None:
        if not self.config_path.exists():
            return None
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(self.config_path, encoding="utf-8")
        hosts = parser.get("server", "hosts", fallback="")
        try:
            return int(hosts.rsplit(":", 1)[1])
        except (IndexError, ValueError):
            return None

    def ensure_config(self) -> Path:
        """Write the config (every time, so a changed port takes effect); returns its path."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)  # secrets (registration secret, passwords, keys) live in here
        self.collections_path.mkdir(exist_ok=True)
        if not self.htpasswd_path.exists():
            self.htpasswd_path.write_text("", encoding="utf-8")
            os.chmod(self.htpasswd_path, 0o600)
        parser = configparser.ConfigParser(interpolation=None)
        parser["server"] = {
            "hosts": f"127.0.0.1:{self.port}",
            "max_connections": "20",
        }
        parser["auth"] = {
            "type": "htpasswd",
            "htpasswd_filename": str(self.htpasswd_path),
            # Plain: the file is local test/demo data; no bcrypt dependency needed.
            "htpasswd_encryption": "plain",
            # Read the file on each login so ensure_user() works while running.
            "htpasswd_cache": "False",
            "delay": "0",
        }
        parser["rights"] = {"type": self.rights}
        parser["storage"] = {"filesystem_folder": str(self.collections_path)}
        parser["logging"] = {"level": self.log_level}
        tmp = self.config_path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("# Written by devstack/radicale.py on every start.\n")
            parser.write(fh)
        os.replace(tmp, self.config_path)
        return self.config_path

    def ensure_user(self, user: str, password: str) -> None:
        """Add or update ``user`` in the htpasswd file (takes effect without a restart)."""
        if not user or any(c in user for c in ":\n\r/") or any(c in password for c in "\n\r"):
            raise ValueError("user may not contain ':', '/' or newlines; password no newlines")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)  # secrets (registration secret, passwords, keys) live in here
        lines: list[str] = []
        if self.htpasswd_path.exists():
            lines = [
                line
                for line in self.htpasswd_path.read_text(encoding="utf-8").splitlines()
                if line.strip() and line.split(":", 1)[0] != user
            ]
        lines.append(f"{user}:{password}")
        tmp = self.htpasswd_path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.htpasswd_path)

    # ----- process ---------------------------------------------------------

    def _argv(self) -> list[str]:
        return [self.python, "-m", self.MODULE, "--config", str(self.config_path)]

    # ----- calendars -------------------------------------------------------

    def client(self, user: str | None = None, password: str | None = None):  # -> caldav.DAVClient
        import caldav  # only needed by callers that talk CalDAV

        user = user or self.user
        password = password if password is not None else self.password
        return caldav.DAVClient(
            url=f"{self.base_url}/{quote(user or '')}/",
            username=user,
            password=password,
            auth_type="basic",
            timeout=30,
        )

    def ensure_calendar(self, user: str, password: str, calendar_name: str) -> str:
        """Create ``calendar_name`` for ``user`` (MKCALENDAR) unless it exists; return its URL.

        The URL is derived from the name (``/<user>/<slug>/``), so the same name always
        gives the same calendar.
        """
        from caldav.lib import error as caldav_error

        url = self.calendar_url(user, calendar_name)
        with self.client(user, password) as client:
            principal = client.principal()
            existing = {str(cal.url).rstrip("/") for cal in principal.calendars()}
            if url.rstrip("/") not in existing:
                try:
                    principal.make_calendar(name=calendar_name, cal_id=calendar_slug(calendar_name))
                except caldav_error.MkcalendarError:
                    # Lost a race with another creator: fine if it exists now.
                    if url.rstrip("/") not in {
                        str(cal.url).rstrip("/") for cal in principal.calendars()
                    }:
                        raise
        return url
