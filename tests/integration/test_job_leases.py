"""Job leases across workers: one holder at a time, and a graceful stop hands the leases back so a
reload's new workers take the jobs at once (not after the lease's time to live)."""
from __future__ import annotations

import threading

from sqlalchemy.orm import DeclarativeBase

from shared.db import Database
from shared.jobs import Job, JobRunner, make_lease_model


class Base(DeclarativeBase):
    pass


Lease = make_lease_model(Base, "testjobs")


def runner(db: Database, ran: list[str], name: str) -> JobRunner:
    def work() -> int:
        ran.append(name)
        return 0
    return JobRunner(db, Lease, [Job("handoff", work, interval=0.05)], lease_ttl=300.0)


def test_a_stopped_worker_hands_its_lease_to_the_next_at_once(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    Base.metadata.create_all(db.engine)
    ran: list[str] = []
    old, new = runner(db, ran, "old"), runner(db, ran, "new")
    assert old.run_once("handoff") == 0 and ran == ["old"]
    assert new.run_once("handoff") == 0 and ran == ["old"]  # the old worker holds it for 300 s
    old.start()
    old.stop()  # a graceful stop (gunicorn's worker_exit on a reload)
    with db.read() as s:
        lease = s.get(Lease, "handoff")
        assert lease is not None and lease.holder is None and lease.until is None
    new.run_once("handoff")
    assert ran[-1] == "new"
    db.dispose()


def test_a_worker_whose_job_is_still_running_keeps_its_lease(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    Base.metadata.create_all(db.engine)
    started, release = threading.Event(), threading.Event()

    def slow() -> int:
        started.set()
        release.wait(30)
        return 0

    busy = JobRunner(db, Lease, [Job("handoff", slow, interval=0.05)], lease_ttl=300.0)
    busy.start()
    assert started.wait(10)
    stopper = threading.Thread(target=busy.stop)
    stopper.start()
    stopper.join(timeout=0.5)  # stop waits for the job (up to 10 s)
    with db.read() as s:
        assert s.get(Lease, "handoff").holder == busy.holder  # not released under a running job
    release.set()
    stopper.join(timeout=15)
    with db.read() as s:
        assert s.get(Lease, "handoff").holder is None  # the job ended within the stop's wait: released
    db.dispose()


def test_work_committed_in_another_worker_wakes_the_lease_holder_at_once(tmp_path):
    """The worker that commits work rings the service's doorbell; the worker holding the job's
    lease runs it at once instead of after its interval (a minute here)."""
    import time

    from shared.doorbell import Doorbell

    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    holder_db, other_db = Database(url), Database(url)  # two gunicorn workers: two pools, one database
    Base.metadata.create_all(holder_db.engine)
    bell = tmp_path / "run" / "testjobs-jobs.bell"
    turns: list[float] = []
    ran = threading.Event()

    def work() -> int:
        turns.append(time.monotonic())
        ran.set()
        return 0

    holder = JobRunner(holder_db, Lease, [Job("handoff", work, interval=60.0)], lease_ttl=300.0,
                       doorbell=Doorbell(bell))
    other = JobRunner(other_db, Lease, [Job("handoff", lambda: 0, interval=60.0)], lease_ttl=300.0,
                      doorbell=Doorbell(bell))
    holder.start()
    try:
        assert ran.wait(10)  # its first turn: it holds the lease now, for 300 s
        other.start()
        time.sleep(0.3)
        assert len(turns) == 1  # idle: the next turn would be in a minute
        ran.clear()
        kicked = time.monotonic()
        other.kick("handoff")  # a request in the other worker queued a message
        assert ran.wait(5), "the lease holder was not woken"
        assert turns[-1] - kicked < 1.0
        with other_db.read() as s:
            assert s.get(Lease, "handoff").holder == holder.holder  # the holder did it, not the other
    finally:
        other.stop()
        holder.stop()
        holder_db.dispose()
        other_db.dispose()
