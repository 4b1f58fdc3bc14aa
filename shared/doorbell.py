"""A doorbell between the worker processes of one service on one host, for their background jobs.

A job runs in whichever worker holds its lease (shared.jobs). Work committed in another worker
(a request that queued a message for the bot, say) used to wait for the lease holder's next turn,
up to the job's interval (a second for the handoff to the bot). The worker that commits now rings
the bell for the jobs it wants run, and every worker's job runner, the lease holder among them,
looks at the bell every ``POLL_SECONDS`` while it is idle.

The bell is a small file under ``data_dir/run`` mapped into memory by every worker: one counter per
slot, a job's slot chosen from its name. Ringing bumps the counter; a runner compares the slots with
what it saw last. Two jobs sharing a slot, or two rings racing, cost at most a needless turn of a
job, never a missed one. Workers on other hosts share no bell: there a job waits for its interval,
as before. A bell that cannot be made (a read-only folder) is said once in the log and left out.
"""
from __future__ import annotations

import logging
import mmap
import os
import struct
import threading
import zlib
from pathlib import Path
from typing import Iterable

log = logging.getLogger("overleg.jobs")

SLOTS = 64
SLOT = struct.Struct("<Q")
POLL_SECONDS = 0.05  # how often an idle runner looks at the bell: a few microseconds each time


def slot_of(name: str) -> int:
    return zlib.crc32(name.encode()) % SLOTS


class Doorbell:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._map: mmap.mmap | None = None
        self._seen: list[int] = [0] * SLOTS
        self._failed = False

    @staticmethod
    def for_service(data_dir: Path, service: str) -> "Doorbell":
        return Doorbell(Path(data_dir).expanduser() / "run" / f"{service}-jobs.bell")

    def _mapped(self) -> mmap.mmap | None:
        if self._map is not None or self._failed:
            return self._map
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if os.fstat(fd).st_size < SLOTS * SLOT.size:
                    os.ftruncate(fd, SLOTS * SLOT.size)  # zeros; a file another worker made is kept
                self._map = mmap.mmap(fd, SLOTS * SLOT.size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            finally:
                os.close(fd)
            self._seen = [SLOT.unpack_from(self._map, i * SLOT.size)[0] for i in range(SLOTS)]
        except (OSError, ValueError) as exc:
            self._failed = True
            log.warning("job doorbell %s not available (%s): jobs in other workers run at their interval",
                        self.path, getattr(exc, "strerror", None) or exc)
        return self._map

    def ring(self, names: Iterable[str]) -> None:
        """Ask every worker's runner to run these jobs at its next look."""
        bell = self._mapped()
        if bell is None:
            return
        with self._lock:
            for slot in {slot_of(name) for name in names}:
                value = (SLOT.unpack_from(bell, slot * SLOT.size)[0] + 1) % 2**64
                SLOT.pack_into(bell, slot * SLOT.size, value)
                self._seen[slot] = value  # this process's own ring: its runner was woken directly

    def rung(self, names: Iterable[str]) -> list[str]:
        """Those of ``names`` whose slot was rung (by another worker) since the last look."""
        bell = self._mapped()
        if bell is None:
            return []
        changed: set[int] = set()
        with self._lock:
            for slot in range(SLOTS):
                value = SLOT.unpack_from(bell, slot * SLOT.size)[0]
                if value != self._seen[slot]:
                    self._seen[slot] = value
                    changed.add(slot)
        return [name for name in names if slot_of(name) in changed] if changed else []

    def close(self) -> None:
        with self._lock:
            if self._map is not None:
                self._map.close()
                self._map = None
