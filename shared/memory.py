"""Bounds on memory that native code keeps per process (target: <= 90 MB resident for each
gunicorn worker and the bot; bench/signal_intake.py measures it).

Neither changes what a process does; both trade a little speed for memory that would otherwise
grow with the number of threads and database connections.
"""
from __future__ import annotations

import ctypes
import os
import sys
from typing import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine

M_ARENA_MAX = -8          # glibc's mallopt() parameter number (malloc.h)
MALLOC_ARENAS = 2
SQLITE_PAGE_CACHE_KIB = 512
SQLITE_STATEMENTS = 32


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """At most ``arenas`` glibc malloc arenas in this process, as ``MALLOC_ARENA_MAX`` would.

    glibc gives threads that allocate at the same time arenas of their own (up to 8 per core) and
    memory freed in one arena is not reused by another: a gunicorn worker (4 request threads plus
    the job threads) kept several MB more resident than with two arenas. The extra locking is
    nothing next to the GIL. Call before the process starts its threads (gunicorn loads the app
    before its gthread pool and before post_worker_init starts the jobs). An operator's
    ``MALLOC_ARENA_MAX`` wins; does nothing where the C library is not glibc."""
    if not sys.platform.startswith("linux") or os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - glibc only (musl's mallopt() does nothing anyway)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(M_ARENA_MAX, arenas)


def limit_sqlite_memory(engine: Engine, *, page_cache_kib: int = SQLITE_PAGE_CACHE_KIB,
                        statements: int = SQLITE_STATEMENTS) -> None:
    """Bound what each SQLite connection keeps in memory: its prepared statements (Python's
    sqlite3 keeps the last 128 per connection by default) and its page cache (2000 KiB by
    default). A worker's pool holds a connection per busy thread; after the intake benchmark a
    signals worker's SQLite used 7.8 MB, 3.6 MB with these bounds (2.3 MB of it without any
    statement cache), at no measurable cost in speed: the statements a request runs are far
    fewer than 32, pages read again come from the OS page cache (shared by all processes) and
    the WAL needs no large private cache. Only new connections are affected: call right after
    creating the engine. Not SQLite: nothing."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "do_connect")
    def _statement_cache(_dialect, _record, _cargs, cparams):  # type: ignore[no-untyped-def]
        cparams.setdefault("cached_statements", statements)

    @event.listens_for(engine, "connect")
    def _page_cache(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA cache_size=-{int(page_cache_kib)}")  # negative: a size in KiB, not in pages
        cur.close()


def release_free_memory() -> None:
    """Give the pages that glibc malloc holds free back to the system (``malloc_trim(0)``).

    After a burst of work (the intake benchmark's 840 signals, a batch of cards for the bot) the
    freed memory stays resident in the heap's holes: glibc returns only the top of the heap on
    its own. Trimming gave back 2 to 6 MB in a signals worker after the burst; it costs a
    millisecond or less, and is called once when a busy spell ends (:class:`HeapTrimmer`), not
    per request.
    Does nothing where the C library is not glibc."""
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - glibc only
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim.argtypes = [ctypes.c_size_t]
    trim(0)


RESIDENT_NOISE = 256 * 1024  # bytes: a resident size that moved less than this is holding still


def resident_bytes() -> int:
    """This process's resident memory (VmRSS) in bytes, or 0 where /proc cannot tell."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class HeapTrimmer:
    """Calls :func:`release_free_memory` once each time a spell of work ends.

    A loop that polls for work calls :meth:`worked` when it did some and :meth:`idle` when it found
    none; the first :meth:`idle` after work trims, later ones cost nothing (so a quiet process never
    trims, a busy one trims once per lull, not per request). It starts owed: starting the process is
    the first spell (importing, compiling modules that have no bytecode cache, loading settings and
    stores leaves 1 to 4 MB of freed heap that glibc keeps otherwise).

    Work the loop does not see (a gunicorn worker's request threads, beside its job loop) is
    noticed with ``resident`` (e.g. :func:`resident_bytes`): a resident size that moved since the
    last idle round is a spell under way, and the trim comes at the first idle round at which it
    holds still. One loop, or coroutines of one event loop, per trimmer: it takes no lock."""

    def __init__(self, *, owed: bool = True, resident: Callable[[], int] | None = None) -> None:
        self._owed = owed
        self._resident = resident
        self._last_resident = 0
        self.trims = 0

    def worked(self) -> None:
        self._owed = True

    def idle(self) -> bool:
        """Trim if work was done since the last trim; returns whether it trimmed."""
        if self._resident is not None:
            now = self._resident()
            moved = abs(now - self._last_resident) >= RESIDENT_NOISE
            self._last_resident = now
            if moved:
                self._owed = True
                return False  # still moving: wait until it holds still
        if not self._owed:
            return False
        self._owed = False
        release_free_memory()
        self.trims += 1
        if self._resident is not None:
            self._last_resident = self._resident()
        return True
