"""Background work in a service process, safe with several gunicorn workers or hosts.

Each job holds a named lease in the service's ``<service>_leases`` table while it runs, so only
one worker does a given job at a time (the others stand by and take over when a lease runs out).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import String, update
from sqlalchemy.orm import Session, mapped_column

from shared.db import Database, UtcDateTime
from shared.doorbell import POLL_SECONDS, Doorbell
from shared.memory import HeapTrimmer, resident_bytes
from shared.outbox import aware, backoff_seconds, utcnow

log = logging.getLogger("overleg.jobs")


def make_lease_model(base: type, service: str) -> type:
    return type(f"{service.title()}Lease", (base,), {
        "__tablename__": f"{service}_leases",
        "name": mapped_column(String(64), primary_key=True),
        "holder": mapped_column(String(120), nullable=True),
        "until": mapped_column(UtcDateTime, nullable=True),
    })


def take_lease(session: Session, model: type, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    lease = session.get(model, name)
    if lease is None:
        session.add(model(name=name, holder=holder, until=now + ttl))
        session.flush()
        return True
    if lease.holder == holder or lease.until is None or aware(lease.until) < now:
        lease.holder = holder
        lease.until = now + ttl
        return True
    return False


@dataclass
class Job:
    name: str
    run: Callable[[], int]  # returns how much work it did; 0 means "nothing to do, sleep"
    interval: float = 1.0


class JobRunner:
    """Runs jobs in one daemon thread. ``kick()`` wakes it early (after a commit that queued work)."""

    def __init__(self, db: Database, lease_model: type, jobs: list[Job], *, lease_ttl: float = 30.0,
                 doorbell: Doorbell | None = None) -> None:
        self.db = db
        self.doorbell = doorbell  # rung by kick(), watched while idle: the other workers' runners (shared.doorbell)
        self.lease_model = lease_model
        self.jobs = jobs
        self.lease_ttl = timedelta(seconds=lease_ttl)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures: dict[str, int] = {}
        self._next_run: dict[str, float] = {}

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="overleg-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():
                return  # a job still runs: its lease stays until it ends or runs out
            self._thread = None
        self._release_leases()

    def _release_leases(self) -> None:
        """Hand this process's leases back at a graceful stop, so that after a reload or a deploy
        the new workers take the jobs (the bot's handoff, the cards) at once instead of after the
        lease's time to live. Best effort: when the database is away the leases simply run out."""
        model = self.lease_model
        try:
            with self.db.session() as s:
                s.execute(update(model).where(model.holder == self.holder).values(holder=None, until=None))
        except Exception:
            log.debug("could not release the job leases of %s", self.holder, exc_info=True)

    def kick(self, *names: str) -> None:
        """New work was committed: run every job (or only the ``names``) at the next turn instead of
        after its interval. Naming the jobs spares a busy intake a lease round of every other job."""
        if names:
            for name in names:
                self._next_run.pop(name, None)
        else:
            self._next_run.clear()
        self._wake.set()
        if self.doorbell is not None:  # the lease may be another worker's: ring for it too
            self.doorbell.ring(names or [job.name for job in self.jobs])

    def _idle(self, seconds: float) -> None:
        """Wait until kicked here, rung by another worker, stopped, or ``seconds`` passed."""
        import time

        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if self.doorbell is None:
                self._wake.wait(left)
                break
            if self._wake.wait(min(POLL_SECONDS, left)):
                break
            rung = self.doorbell.rung([job.name for job in self.jobs])
            if rung:
                for name in rung:
                    self._next_run.pop(name, None)
                break
        self._wake.clear()

    def run_once(self, name: str) -> int:
        """Run one job now if this process can hold its lease (also used by tests)."""
        job = next(j for j in self.jobs if j.name == name)
        with self.db.session() as s:
            if not take_lease(s, self.lease_model, job.name, self.holder, utcnow(), self.lease_ttl):
                return 0
        return job.run()

    def _loop(self) -> None:
        import time

        # Frees the heap once after the worker loaded the app and once after each busy spell, of
        # jobs or of the worker's requests (seen as its resident size moving; see shared.memory):
        # otherwise each worker keeps the peak of its busiest minute.
        trimmer = HeapTrimmer(resident=resident_bytes)
        while not self._stop.is_set():
            busy = False
            for job in self.jobs:
                if self._stop.is_set():
                    break
                if time.monotonic() < self._next_run.get(job.name, 0):
                    continue
                try:
                    done = self.run_once(job.name)
                    self._failures[job.name] = 0
                    busy = busy or done > 0
                    if not done:
                        self._next_run[job.name] = time.monotonic() + job.interval
                except Exception as exc:  # keep the thread alive; the job is retried with backoff
                    failures = self._failures.get(job.name, 0) + 1
                    self._failures[job.name] = failures
                    log.warning("job %s failed (%s); retry in %.0fs", job.name,
                                getattr(exc, "log_message", repr(exc)), backoff_seconds(failures, cap=30))
                    self._next_run[job.name] = time.monotonic() + backoff_seconds(failures, cap=30)
            if busy:
                trimmer.worked()
            else:
                trimmer.idle()
                self._idle(0.5)
