"""How fast the intake job groups a partner's queued signals (a diagnosis for benchmark 2, not a benchmark).

The signals app in process (Flask test client, its own job thread stopped): ``--signals`` example texts
are POSTed to ``…/signals/queued`` and then grouped by ``actions.group_queue`` as the job would, once
their quiet period is over. Prints signals grouped per second, on SQLite and on PostgreSQL;
``--profile`` adds where the time went.

    .venv/bin/python bench/profile_grouping.py [--signals 400] [--only sqlite|postgresql] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import load_signal_texts, pg_schema, signals_app_in_process  # noqa: E402


def run(database_url: str | None, n: int, profile: bool) -> float:
    from services.signals import actions
    from shared.outbox import utcnow

    with signals_app_in_process("overleg-grouping-", database_url) as (app, _db, tokens):
        rt, cfg = app.extensions["overleg_runtime"], app.extensions["signals_config"]
        settings = rt.settings
        rt.jobs.stop()  # grouped below, not by the job thread
        client, texts = app.test_client(), load_signal_texts()
        headers = {"Authorization": f"Bearer {tokens['admin']}"}
        for i in range(n):
            resp = client.post("/api/v1/councils/klantenraad/signals/queued", json=texts[i % len(texts)],
                               headers=headers)
            assert resp.status_code == 202, resp.get_json()
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        done = 0
        while done < n:
            grouped = actions.group_queue(rt, cfg, settings, utcnow() + timedelta(seconds=10))
            assert grouped, "the queue did not shrink"
            done += grouped
        if profiler:
            profiler.disable()
        rate = n / (time.perf_counter() - started)
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signals", type=int, default=400)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    for label in ("sqlite", "postgresql"):
        if args.only and args.only != label:
            continue
        with (pg_schema("bench_grouping") if label == "postgresql" else nullcontext(None)) as url:
            print(f"{label}: {run(url, args.signals, args.profile):.1f} queued signals grouped per second")


if __name__ == "__main__":
    main()
