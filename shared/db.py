"""Database helpers shared by every service and the bot.

SQLite is the default (one file per service, WAL, a busy timeout). Write transactions start
with ``BEGIN IMMEDIATE`` so that two gunicorn workers never both hold a read snapshot and then
race to upgrade it: that race is what produces "database is locked" even with a busy timeout.
Read-only work can ask for a deferred transaction with :meth:`Database.read`.
PostgreSQL is used when ``DATABASE_URL`` says so; each service prefixes its own tables.
"""
from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from datetime import datetime, timezone

from sqlalchemy import DateTime, TypeDecorator, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from shared.private_files import private_sqlite_file

SQLITE_BUSY_TIMEOUT_MS = 30_000


class UtcDateTime(TypeDecorator):
    """A timezone-aware timestamp stored as UTC on every database.

    SQLite keeps no offset: a plain ``DateTime(timezone=True)`` stores the wall time and drops the
    offset, so a non-UTC value would come back shifted. This converts on the way in and marks
    the value as UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give every stored time a time zone")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    """Declarative base; each service defines its own subclass so its metadata stays its own."""


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""  # "sqlite://" alone: in memory
        if path and path != ":memory:":
            private_sqlite_file(Path(path))
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,  # error texts are logged: never with residents' data in them
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _tune_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    # No server-side prepared statements (psycopg prepares a query once it ran 5 times): each
    # connection kept up to 100 of them and their texts on both sides, ~0.8 MB more per signals worker
    # after the intake benchmark, for no measurable gain in speed (bench/profile_intake.py); it also
    # lets an operator put PgBouncer in transaction mode in front of the database.
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5, hide_parameters=True,
                         connect_args={"prepare_threshold": None})


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Take transaction control away from the sqlite3 module so we can say BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        if conn.get_execution_options().get("overleg_readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine plus a session factory. Create one per app/process, pass it down."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(overleg_readonly=True), expire_on_commit=False
        )
        # SQLite has one writer at a time, and a connection that finds it busy sleeps in SQLite's busy
        # handler (1, 2, 5, 10 … ms, not woken when the lock is free). This process's write
        # transactions (request threads, jobs) therefore take turns here, each woken as soon as the
        # one before has committed; only one at a time waits on the database, against other processes.
        # Re-entrant: a write transaction opened inside another in the same thread fails in SQLite's
        # busy handler as before, instead of hanging here.
        self._write_turn = threading.RLock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def after_commit(self, listener: Callable[[Session], None]) -> None:
        """Call ``listener(session)`` after each write transaction commits (in the committing
        thread: it must be quick, e.g. hand work to a thread of its own)."""
        event.listen(self._sessions, "after_commit", listener)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        if self._write_turn is None:
            with self._sessions() as session, session.begin():
                yield session
            return
        if not self._write_turn.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise OperationalError("BEGIN IMMEDIATE", None,
                                   RuntimeError("database is locked: another thread's write transaction"))
        try:
            with self._sessions() as session, session.begin():
                yield session
        finally:
            self._write_turn.release()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.execution_options(overleg_readonly=True).connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except OperationalError:
            return False
        except Exception:  # any driver error means "not ready", never a crash of /readyz
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def wait_for_database(db: Database, timeout: float = 30.0) -> None:
    """Used at start-up: PostgreSQL may come up after the service does."""
    deadline = time.monotonic() + timeout
    while not db.ping():
        if time.monotonic() > deadline:
            raise RuntimeError(f"database not reachable: {db.engine.url.render_as_string(hide_password=True)}")
        time.sleep(0.5)
