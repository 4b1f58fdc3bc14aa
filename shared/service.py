"""The runtime every Flask service carries: its database, its handoff queue to the bot, its
background jobs, and the record of idempotent requests.

Routes reach it with :func:`runtime`. Models come from the service; the tables are
``<service>_handoff``, ``<service>_leases`` and ``<service>_idempotency``.

The idempotency table holds hashes, not secrets: the key is stored as its SHA-256, and routes whose
answers carry secrets (feed links, reference numbers) store those fields hashed (see
``secret_fields`` in :meth:`shared.api.Api.route`).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from flask import Flask, current_app
from sqlalchemy import Integer, String, Text, delete, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import mapped_column

from shared.db import Database, UtcDateTime
from shared.doorbell import Doorbell
from shared.handoff import Handoff, make_handoff_model
from shared.jobs import Job, JobRunner, make_lease_model
from shared.outbox import OutboundMessage, utcnow
from shared.settings import Settings


def idempotency_digest(key: str) -> str:
    """What the idempotency table keeps of an Idempotency-Key: its SHA-256 (64 hex digits)."""
    return hashlib.sha256(key.encode()).hexdigest()


def make_idempotency_model(base: type, service: str) -> type:
    return type(f"{service.title()}Idempotency", (base,), {
        "__tablename__": f"{service}_idempotency",
        "key": mapped_column(String(255), primary_key=True),
        "status": mapped_column(Integer, nullable=False),
        "body": mapped_column(Text, nullable=False),
        "created_at": mapped_column(UtcDateTime, nullable=False, default=utcnow),
    })


def make_runtime_models(base: type, service: str) -> tuple[type, type, type]:
    """(handoff, lease, idempotency) tables for a service's declarative base."""
    return make_handoff_model(base, service), make_lease_model(base, service), make_idempotency_model(base, service)


@dataclass
class Runtime:
    name: str
    settings: Settings
    db: Database
    handoff: Handoff
    jobs: JobRunner
    idempotency_model: type
    extras: dict[str, Any] = field(default_factory=dict)
    # The service's other background threads, stopped after the jobs (the calendar's feed prerenderer).
    background_stops: list[Callable[[], None]] = field(default_factory=list)

    def stop(self) -> None:
        """A worker's graceful stop (gunicorn's worker_exit; tests before they drop the database):
        the jobs end and hand their leases back, then the other background threads end."""
        self.jobs.stop()
        for stop in self.background_stops:
            stop()

    def post(self, session: Any, message: OutboundMessage) -> None:
        """Queue a Matrix message in the caller's transaction; it is handed to the bot after commit."""
        self.handoff.enqueue(session, message)

    def remembered(self, key: str) -> tuple[int, Any] | None:
        with self.db.read() as s:
            row = s.get(self.idempotency_model, idempotency_digest(key))
            return (row.status, json.loads(row.body)) if row else None

    def forget_old_answers(self, older_than: timedelta = timedelta(days=30)) -> int:
        """Stored answers only guard against retries; after a month they are just data kept too long.
        Rows stored before keys were hashed (a ``:`` in the key; a digest has none) can never be
        asked for again and may hold secrets in clear: they go at once."""
        with self.db.session() as s:
            m = self.idempotency_model
            result = s.execute(delete(m).where(or_(m.created_at < utcnow() - older_than, m.key.contains(":"))))
            return result.rowcount or 0

    def remember(self, key: str, status: int, body: Any) -> None:
        """Store an answer under the hash of ``key``; ``body`` must already have its secrets hashed."""
        digest = idempotency_digest(key)
        try:
            with self.db.session() as s:
                if s.get(self.idempotency_model, digest) is None:
                    s.add(self.idempotency_model(key=digest, status=status, body=json.dumps(body), created_at=utcnow()))
        except IntegrityError:
            pass  # a concurrent duplicate stored it first; both answers are the same


def attach_runtime(app: Flask, name: str, settings: Settings, db: Database, models: tuple[type, type, type],
                   jobs: list[Job] | None = None) -> Runtime:
    handoff_model, lease_model, idem_model = models
    handoff = Handoff(db, handoff_model, settings, name)
    runner = JobRunner(db, lease_model, [handoff.job(), handoff.cleanup_job(), *(jobs or [])],
                       doorbell=Doorbell.for_service(settings.data_dir, name))
    rt = Runtime(name, settings, db, handoff, runner, idem_model)
    # Returns 0 so the runner treats it as idle and waits its (long) interval.
    runner.jobs.append(Job("forget-old-answers", lambda: rt.forget_old_answers() and 0, interval=3600))
    app.extensions["overleg_runtime"] = rt
    return rt


def runtime() -> Runtime:
    return current_app.extensions["overleg_runtime"]


# --- the clock -------------------------------------------------------------------------------------
# One hook for every service: routes and jobs ask :func:`clock_of` (or :func:`now` inside a request)
# instead of reading the wall clock, and a test freezes a service's time with :func:`set_clock`.
CLOCK_EXTENSION = "overleg_clock"


def set_clock(app: Flask, clock: Callable[[], datetime] | None) -> None:
    """Make ``clock`` the service's notion of now (``None``: the real clock again)."""
    if clock is None:
        app.extensions.pop(CLOCK_EXTENSION, None)
    else:
        app.extensions[CLOCK_EXTENSION] = clock


def clock_of(app: Flask) -> Callable[[], datetime]:
    """The service's clock, read at each call (so a test may set it after the jobs were built)."""
    def read() -> datetime:
        fn = app.extensions.get(CLOCK_EXTENSION)
        return fn() if fn is not None else utcnow()
    return read


def now() -> datetime:
    """Now, for the service handling the current request (aware; UTC unless a test clock says otherwise)."""
    return clock_of(current_app)()
