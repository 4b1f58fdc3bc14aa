"""Bounds on memory that native code keeps per process (target: <= 90 MB resident for each
gunicorn worker and the bot; bench/signal_intake.py measures it).

Neither changes what a process does; both trade a little speed for memory that would otherwise
grow with the number of threads and database connections.
"""
from __future__ import annotations

import ctypes
import os
import sys

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
    its own. Trimming gave back 2 to 6 MB in a signals worker after the burst; it costs a few
    milliseconds, so the job runner calls it once when a busy spell ends, not per request.
    Does nothing where the C library is not glibc."""
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - glibc only
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
