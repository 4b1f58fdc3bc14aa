"""What the embedded Synapse and Radicale share: a server as a child process on 127.0.0.1.

Each has its config, data, log and pidfile in one folder. ``start`` adopts a server an earlier
process left running on that folder (``overleg up`` then ``overleg say``), or writes the config,
spawns it and waits until it answers HTTP; ``stop`` ends its whole process group.
Subclasses say how: their module, config, port lookup and readiness URL.
"""

from __future__ import annotations

import subprocess
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar, TypeVar

from devstack.procs import (
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

__all__ = ["EmbeddedServer", "ProcessStartError"]

_S = TypeVar("_S", bound="EmbeddedServer")


class EmbeddedServer(ABC):
    """One local server: ``data_dir`` holds everything; ``port=None`` reuses the configured port or
    picks a free one."""

    NAME: ClassVar[str]  # in messages: "synapse", "radicale"
    MODULE: ClassVar[str]  # the ``python -m`` module; also how a pidfile's process is recognised
    PIDFILE: ClassVar[str]
    CONFIG: ClassVar[str]
    LOG: ClassVar[str]  # the server's own log
    READY_PATH: ClassVar[str]  # polled until it answers with one of READY_STATUSES
    READY_STATUSES: ClassVar[Sequence[int]] = (200,)
    START_TIMEOUT: ClassVar[float] = 60.0
    STOP_TIMEOUT: ClassVar[float] = 15.0

    def __init__(self, data_dir: Path, port: int | None = None, *, python: str = sys.executable) -> None:
        self.data_dir = Path(data_dir).resolve()
        self._port = port
        self.python = python
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None

    # ----- paths and facts -------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.data_dir / self.CONFIG

    @property
    def pidfile(self) -> Path:
        return self.data_dir / self.PIDFILE

    @property
    def log_path(self) -> Path:
        return self.data_dir / self.LOG

    @property
    def console_log_path(self) -> Path:
        """stdout/stderr of the process; the server's own log unless a subclass separates them."""
        return self.log_path

    @property
    def port(self) -> int:
        if self._port is None:
            self._port = self._configured_port() or free_port()
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ----- what subclasses provide -----------------------------------------

    @abstractmethod
    def _configured_port(self) -> int | None:
        """The port in an existing config, if any."""

    @abstractmethod
    def ensure_config(self) -> Path:
        """Write (or adjust) the config for ``self.port``; returns its path."""

    @abstractmethod
    def _argv(self) -> list[str]:
        """The command line that runs the server."""

    # ----- process ---------------------------------------------------------

    @classmethod
    def _live_pid(cls, data_dir: Path) -> int | None:
        # The cmdline check guards against a recycled pid belonging to another program.
        return live_pid_from_pidfile(
            data_dir / cls.PIDFILE, cmdline_contains=(cls.MODULE, str(data_dir / cls.CONFIG))
        )

    def _pidfile_pid(self) -> int | None:
        return self._live_pid(self.data_dir)

    @property
    def pid(self) -> int | None:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        return self._pidfile_pid()

    def is_running(self) -> bool:
        if self._proc is not None and self._proc.poll() is None:
            return True
        if self._pid is not None and pid_alive(self._pid):
            return True
        return self._pidfile_pid() is not None

    def wait_ready(self, timeout: float, is_alive: Callable[[], bool] | None = None) -> None:
        """Poll READY_PATH until it answers; ProcessStartError with the log tails otherwise."""
        if is_alive is None:
            is_alive = self.is_running
        try:
            wait_http_ready(
                f"{self.base_url}{self.READY_PATH}",
                timeout=timeout,
                is_alive=is_alive,
                log_path=self.console_log_path,
                name=self.NAME,
                ok_statuses=self.READY_STATUSES,
            )
        except ProcessStartError as exc:
            if self.console_log_path == self.log_path:
                raise
            raise ProcessStartError(
                f"{exc}\n--- {self.log_path.name} ---\n{log_tail(self.log_path, 30)}"
            ) from None

    def start(self, timeout: float | None = None) -> None:
        """Start the server (or adopt one already running on this data dir) and wait until ready."""
        timeout = self.START_TIMEOUT if timeout is None else timeout
        if self._proc is not None and self._proc.poll() is None:
            return
        adopted = self._pidfile_pid()
        if adopted is not None:
            # Started by an earlier process: adopt it, config untouched.
            running_port = self._configured_port()
            if self._port is not None and running_port is not None and self._port != running_port:
                raise ProcessStartError(
                    f"{self.NAME} already runs on this data dir on port {running_port}, "
                    f"not {self._port}; stop it first"
                )
            self._port = running_port or self._port
            self._pid = adopted
            self.wait_ready(timeout, lambda: pid_alive(adopted))
            return
        self.ensure_config()
        if port_in_use(self.port):
            raise ProcessStartError(f"port {self.port} on 127.0.0.1 is already in use")
        self._proc = spawn(self._argv(), log_path=self.console_log_path, pidfile=self.pidfile, cwd=self.data_dir)
        self._pid = self._proc.pid
        proc = self._proc
        try:
            self.wait_ready(timeout, lambda: proc.poll() is None)
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float | None = None) -> bool:
        """SIGTERM the process group, SIGKILL after ``timeout``. True if anything was running."""
        timeout = self.STOP_TIMEOUT if timeout is None else timeout
        was_running = self.is_running()
        pid = self.pid or self._pid
        if pid is not None:
            terminate(pid, timeout=timeout, proc=self._proc)
        self._proc = None
        self._pid = None
        self.pidfile.unlink(missing_ok=True)
        return was_running

    def restart(self, timeout: float | None = None) -> None:
        self.stop()
        self.start(timeout=timeout)

    @classmethod
    def stop_from_pidfile(cls, data_dir: Path, timeout: float | None = None) -> bool:
        """Stop a server that an earlier process started on ``data_dir``."""
        data_dir = Path(data_dir).resolve()
        pid = cls._live_pid(data_dir)
        if pid is not None:
            terminate(pid, timeout=cls.STOP_TIMEOUT if timeout is None else timeout)
        (data_dir / cls.PIDFILE).unlink(missing_ok=True)
        return pid is not None

    def close(self) -> None:
        """Release client resources (nothing here; the homeserver keeps an HTTP client)."""

    def __enter__(self: _S) -> _S:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.close()
