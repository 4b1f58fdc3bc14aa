"""Where the time of one signal intake goes (a diagnosis for benchmark 2, not a benchmark).

The signals app in process (Flask test client, no HTTP server, one thread), the example texts
cycled, 40 signals to warm up and then 300 measured, on SQLite and on PostgreSQL. Prints the
median time per request, the time spent inside the write transaction (under SQLite's write lock
or the council's advisory lock on PostgreSQL: the part that cannot run in parallel), and the mean
time per signal of each step of ``services.signals.actions.submit``.

    .venv/bin/python bench/profile_intake.py [--signals 300] [--only sqlite|postgresql]
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import load_signal_texts, pg_schema, signals_app_in_process  # noqa: E402

STEPS = [  # (module, attribute, label); inside the transaction: the re-check .. _post_signal, except the card edit
    ("services.signals.actions", "scrub", "scrub"),
    ("services.signals.actions", "classify", "classify (themes)"),
    ("services.signals.actions", "features_of_scrubbed", "features + keys"),
    ("services.signals.store", "candidates", "candidates (before the tx)"),
    ("services.signals.actions", "choose_cluster", "choose cluster (+ again if new)"),
    ("services.signals.store", "candidates_now", "re-check candidates (in the tx)"),
    ("services.signals.store", "insert_signal", "insert signal + keys"),
    ("services.signals.store", "add_to_cluster", "update cluster"),
    ("services.signals.actions", "_post_first_card", "new card (render + outbox)"),
    ("services.signals.actions", "flush_card", "card edit (after the intake)"),
    ("services.signals.actions", "_post_signal", "first signal post (new cluster)"),
    ("services.signals.actions", "flush_posts", "signal posts (after the intake)"),
]


def run(database_url: str | None, n: int) -> tuple[list[float], list[float], dict[str, float]]:
    import importlib

    with signals_app_in_process("overleg-profile-", database_url) as (app, db, tokens):
        spent: dict[str, float] = defaultdict(float)
        originals = []
        for module_name, attr, label in STEPS:
            module = importlib.import_module(module_name)
            original = getattr(module, attr)
            originals.append((module, attr, original))

            def timed(*args, __f=original, __label=label, **kwargs):  # type: ignore[no-untyped-def]
                started = time.perf_counter()
                try:
                    return __f(*args, **kwargs)
                finally:
                    spent[__label] += time.perf_counter() - started

            setattr(module, attr, timed)
        inside: list[float] = []
        plain_session = db.session

        @contextlib.contextmanager
        def session():  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            with plain_session() as s:
                yield s
            inside.append(time.perf_counter() - started)

        db.session = session  # type: ignore[method-assign]
        try:
            client = app.test_client()
            headers = {"Authorization": f"Bearer {tokens['admin']}"}
            texts = load_signal_texts()
            for payload in texts[:40]:
                client.post("/api/v1/councils/klantenraad/signals", json=payload, headers=headers)
            inside.clear()
            spent.clear()
            totals = []
            for i in range(n):
                payload = texts[(40 + i) % len(texts)]
                started = time.perf_counter()
                resp = client.post("/api/v1/councils/klantenraad/signals", json=payload, headers=headers)
                totals.append(time.perf_counter() - started)
                if resp.status_code != 201:
                    raise RuntimeError(f"{resp.status_code} {resp.get_data(as_text=True)[:200]}")
        finally:
            for module, attr, original in originals:
                setattr(module, attr, original)
        return totals, inside, {k: v / n for k, v in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signals", type=int, default=300)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    for label in ("sqlite", "postgresql"):
        if args.only and args.only != label:
            continue
        with (pg_schema("bench_profile") if label == "postgresql" else nullcontext(None)) as url:
            totals, inside, steps = run(url, args.signals)
        print(f"{label}: request {statistics.median(totals) * 1000:.1f} ms (median),"
              f" write transaction {statistics.median(inside) * 1000:.1f} ms (median, serialised)")
        for _, _, step in STEPS:
            print(f"    {step:<34} {steps.get(step, 0.0) * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
