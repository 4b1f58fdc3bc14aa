"""How much a signals worker's resident memory grows under the intake load, in one process (a diagnosis
for benchmark 5, not a benchmark).

The signals app in this process (its jobs running, as in a gunicorn worker), on SQLite or PostgreSQL; one
signal to warm up, then ``--threads`` threads each send ``--signals`` signals through the 201 endpoint and
as many through the queue, and the job groups the queue. Prints VmRSS (MiB) after the warm-up and at the
end, after a garbage collection and a heap trim, as a worker's job thread does when it goes idle. Faster
to repeat than ``bench/memory_probe.py`` (no homeserver, no bot, no HTTP) and steadier, so it is the one to
compare two versions of the code with. On SQLite its connections lack a worker's bounds on SQLite's caches
(``shared.memory.limit_sqlite_memory``: the app is given a database already open), so it grows more than a
worker does; compare SQLite figures only with each other. Run it under the flags the workers run with:

    .venv/bin/python -OO -X no_debug_ranges bench/memory_in_process.py [--database postgresql|sqlite]
"""
from __future__ import annotations

import argparse
import gc
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import load_signal_texts, pg_schema, signals_app_in_process  # noqa: E402
from shared.memory import release_free_memory, resident_bytes  # noqa: E402


def resident_mib() -> float:
    gc.collect()
    release_free_memory()
    return resident_bytes() / 2**20


def queued(db) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from services.signals.models import QueuedSignalRow

    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(QueuedSignalRow)) or 0)


def load(app, tokens: dict[str, str], threads: int, signals: int) -> None:  # type: ignore[no-untyped-def]
    texts = load_signal_texts()
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    url = "/api/v1/councils/klantenraad/signals"
    failures: list[str] = []

    def send(k: int) -> None:
        client = app.test_client()
        for i in range(signals):
            for path, offset, expected in ((url, 0, 201), (f"{url}/queued", 7, 202)):
                resp = client.post(path, json=texts[(k * signals + i + offset) % len(texts)], headers=headers)
                if resp.status_code != expected:
                    failures.append(f"{path}: {resp.status_code}")

    pool = [threading.Thread(target=send, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, first: {failures[0]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--signals", type=int, default=200, help="per thread, through each endpoint")
    args = parser.parse_args()
    with (pg_schema("bench_inproc") if args.database == "postgresql" else nullcontext(None)) as url:
        with signals_app_in_process("overleg-inproc-", url) as (app, db, tokens):
            client = app.test_client()
            client.post("/api/v1/councils/klantenraad/signals", json=load_signal_texts()[0],
                        headers={"Authorization": f"Bearer {tokens['admin']}"})
            start = resident_mib()
            runner = app.extensions["overleg_runtime"].jobs
            runner.start()
            load(app, tokens, args.threads, args.signals)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and queued(db):  # until the job has grouped the queue
                time.sleep(0.5)
            time.sleep(3)  # the cards job's edits of the last groups
            end = resident_mib()
    print(f"{args.database}: VmRSS {start:.1f} MiB after the warm-up, {end:.1f} MiB at the end"
          f" (+{end - start:.1f}); {args.threads} threads x {args.signals} signals through each endpoint")


if __name__ == "__main__":
    main()
