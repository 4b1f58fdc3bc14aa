"""Small helpers for running local servers as child processes.

Used by the embedded Synapse and Radicale runners and usable for gunicorn and the
bot: every process runs in its own process group (so stopping it also stops its
children), writes its output to a log file, and records its pid in a pidfile so a
later, separate process (``overleg down``) can stop it.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx


class ProcessStartError(RuntimeError):
    """A child process died or never became ready; the message carries its log tail."""


_handed_out: set[int] = set()


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now on ``host``, taken at random below the kernel's ephemeral range.

    A port from the ephemeral range (what binding to port 0 gives) can be handed to any outgoing connection
    (a test's HTTP client, Synapse's own) between this check and the server binding it; with several test
    workers that race was lost now and then. Below the range only another free_port() can take it: random
    choice makes that rare, and one process never hands out the same port twice."""
    low, _ = _ephemeral_range()
    start, stop = (10000, low) if low > 11000 else (1024, 65535)
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(start, stop)
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # a crowded machine: let the kernel choose
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def settings_free_env() -> dict[str, str]:
    """This process's environment without Overleg's settings (``OVERLEG_*``, ``DATABASE_URL``), for
    a child that must read only the configuration it is given. The test suite's migration templates
    (``OVERLEG_MIGRATION_TEMPLATES``, not a setting) pass through, so every service and bot a test
    starts fills a new SQLite database by copying instead of migrating (shared/migrations.py)."""
    return {k: v for k, v in os.environ.items()
            if k == "OVERLEG_MIGRATION_TEMPLATES" or not (k.startswith("OVERLEG_") or k == "DATABASE_URL")}


def spawn(
    argv: Sequence[str],
    *,
    log_path: Path,
    pidfile: Path | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new session (own process group), output appended to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(cwd) if cwd else None,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    if pidfile is not None:
        write_pidfile(pidfile, proc.pid)
    return proc


def write_pidfile(pidfile: Path, pid: int) -> None:
    tmp = pidfile.with_suffix(pidfile.suffix + ".tmp")
    tmp.write_text(f"{pid}\n", encoding="ascii")
    os.replace(tmp, pidfile)


def read_pidfile(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    """True if ``pid`` runs and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); /proc tells us it is done.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError, OSError):
        return True


def pid_cmdline(pid: int) -> str | None:
    """The command line of ``pid`` (Linux /proc), or None when unknown."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode("utf-8", errors="replace")


def live_pid_from_pidfile(pidfile: Path, *, cmdline_contains: Sequence[str] = ()) -> int | None:
    """The pid in ``pidfile`` if that process still runs and looks like ours.

    The cmdline check guards against a recycled pid belonging to some other program.
    """
    pid = read_pidfile(pidfile)
    if pid is None or not pid_alive(pid):
        return None
    cmd = pid_cmdline(pid)
    if cmd is not None and not all(part in cmd for part in cmdline_contains):
        return None
    return pid


def terminate(
    pid: int,
    *,
    timeout: float = 15.0,
    proc: subprocess.Popen[bytes] | None = None,
) -> bool:
    """SIGTERM the process group of ``pid``, then SIGKILL after ``timeout``.

    Returns True if the process had to be killed. ``proc`` (if this process is the
    parent) is reaped so no zombie is left behind.
    """
    killed = False

    def gone() -> bool:
        if proc is not None:
            return proc.poll() is not None
        return not pid_alive(pid)

    def signal_group(sig: signal.Signals) -> None:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            # Not a group leader we own (should not happen for spawn()); signal the pid.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    if gone():
        _reap(proc)
        return False
    signal_group(signal.SIGTERM)
    if not wait_until(gone, timeout):
        signal_group(signal.SIGKILL)
        killed = True
        wait_until(gone, 5.0)
    _reap(proc)
    return killed


def _reap(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def child_pids(pid: int) -> set[int]:
    """The direct children of ``pid`` (a gunicorn master's workers), from /proc."""
    out = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.add(int(entry.name))
    return out


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def wait_http_ready(
    url: str,
    *,
    timeout: float,
    is_alive: Callable[[], bool],
    log_path: Path,
    name: str,
    ok_statuses: Sequence[int] = (200,),
) -> None:
    """Poll ``url`` until it answers with one of ``ok_statuses``.

    Raises ProcessStartError with the log tail if the process dies or time runs out.
    """
    deadline = time.monotonic() + timeout
    last_error = "no answer yet"
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while True:
            if not is_alive():
                raise ProcessStartError(
                    f"{name} exited during start-up; log tail ({log_path}):\n{log_tail(log_path)}"
                )
            try:
                resp = client.get(url)
                if resp.status_code in ok_statuses:
                    return
                last_error = f"HTTP {resp.status_code}"
            except httpx.HTTPError as exc:
                last_error = type(exc).__name__
            if time.monotonic() >= deadline:
                raise ProcessStartError(
                    f"{name} not ready at {url} after {timeout:.0f}s ({last_error}); "
                    f"log tail ({log_path}):\n{log_tail(log_path)}"
                )
            time.sleep(0.1)
