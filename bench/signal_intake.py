"""Benchmark 2: signal intake, and benchmark 5: memory after it.

Benchmark 2. Residents' signals (the texts of tests/data/signals-dev.jsonl, cycled) are POSTed to
``/api/v1/councils/klantenraad/signals`` of the signals service: scrub, classify, choose a cluster,
and in one short transaction the signal and, for a new cluster, its card and first post; a joined
cluster's card edit and the signal's thread post are owed on the cluster row and sent once per burst
by the cards job (one post listing the burst's signals). The service runs in
the whole local stack (gunicorn, 2 workers, the bot and Synapse behind it, rooms end-to-end
encrypted, so the outbox is really handed on, encrypted and posted while we measure). Baseline, in
the same run: ``bench/baseline_app.py`` ``POST /store`` (one row, one write transaction through
shared.db.Database) under the same gunicorn config, same worker count, same client. Both with 8
client threads on keep-alive connections, alternating, on SQLite and then on PostgreSQL.
Each round also sends as many other signals to ``…/signals/queued`` (answered 202 once checked, scrubbed
and stored; the intake job groups them once the burst is over), and the next round waits until they are
all grouped. Every intake round is bracketed by baseline rounds and compared with their mean (the bot
and Synapse post what earlier rounds caused meanwhile, so the load changes from round to round).
Targets: signals/s >= 0.5 x baseline/s on SQLite, >= 0.35 x on PostgreSQL, printed for both paths. Also printed: how long after each queued round its signals were all grouped, and the card edits
and thread posts the signals caused (2 x (40 warm-up + 2 x 400) = 1680 signals by default).

Benchmark 5. After the intake, once the bot has posted everything: resident memory (VmRSS) of the
bot (encryption on) and of every gunicorn worker of the three services (children of each master).
Target: <= 90 MB for each gunicorn worker; the bot's is reported. Baseline, in the same run: a worker
of the baseline app (Flask and shared.db only) under the same gunicorn config, after its load.

    .venv/bin/python bench/signal_intake.py [--per-round 400] [--rounds 2] [--only sqlite|postgresql]
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    Gunicorn, children, hammer, load_signal_texts, pg_schema, pss_mb, rss_mb,
)
from devstack.procs import read_pidfile  # noqa: E402
from devstack.stack import SERVICES, Ports, Stack  # noqa: E402

THREADS = 8
WARMUP = 40
TARGETS = {"sqlite": 0.5, "postgresql": 0.35}
WORKER_MB = 90


@contextmanager
def encrypted_stack(workers: int, database_url: str | None) -> Iterator[Stack]:
    """The whole local stack on free ports, its rooms end-to-end encrypted (the bot encrypts every post)."""
    with tempfile.TemporaryDirectory(prefix="overleg-bench-") as tmp:
        stack = Stack(Path(tmp), Ports.free(), workers=workers, database_url=database_url, encrypted=True)
        stack.up(demo=True, timeout=180)
        try:
            yield stack
        finally:
            stack.down()


def wait_drained(stack, timeout: float = 600.0) -> float:
    """Wait until the signals service has handed every message to the bot and the bot has posted
    them all; returns how long that took."""
    from sqlalchemy import text

    from shared.db import Database

    started = time.monotonic()
    db = Database(signals_db(stack))
    try:
        with httpx.Client(timeout=10, trust_env=False) as http:
            while time.monotonic() - started < timeout:
                with db.read() as s:
                    handoff = s.execute(text("SELECT count(*) FROM signals_handoff WHERE state = 'pending'")).scalar()
                handoff += owed_cards(db)
                metrics = http.get(stack.url("bot") + "/metrics").text
                m = re.search(r'^overleg_bot_outbox_messages\{state="pending"\} (\S+)$', metrics, re.M)
                pending = float(m.group(1)) if m else 0.0
                if handoff == 0 and pending == 0:
                    return time.monotonic() - started
                time.sleep(1.0)
    finally:
        db.dispose()
    raise TimeoutError(f"outbox not drained after {timeout:.0f} s")


def wait_grouped(stack, timeout: float = 600.0) -> float:
    """Wait until the intake job has grouped every queued signal; returns how long that took."""
    from sqlalchemy import text

    from shared.db import Database

    started = time.monotonic()
    db = Database(signals_db(stack))
    try:
        while time.monotonic() - started < timeout:
            with db.read() as s:
                if not s.execute(text("SELECT count(*) FROM signals_queued")).scalar():
                    return time.monotonic() - started
            time.sleep(0.1)
    finally:
        db.dispose()
    raise TimeoutError(f"queued signals not grouped after {timeout:.0f} s")


def signals_db(stack) -> str:
    return stack.database_url or f"sqlite:///{stack.root / 'data' / 'signals.db'}"


def owed_cards(db) -> int:  # type: ignore[no-untyped-def]
    """Clusters whose card edit or signals' thread post is still owed (0 where a version of the
    service had no such column)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    owed = 0
    for column in ("card_pending", "posts_pending"):
        try:
            with db.read() as s:
                owed += int(s.execute(text(f"SELECT count(*) FROM signals_clusters WHERE {column} > 0")).scalar() or 0)
        except DBAPIError:
            pass
    return owed


def card_counts(stack) -> tuple[int, int, int]:
    """(card edits, new cards, signal posts in the groups' threads) the service queued for the bot."""
    from sqlalchemy import text

    from shared.db import Database

    db = Database(signals_db(stack))
    try:
        with db.read() as s:
            edits = s.execute(text("SELECT count(*) FROM signals_handoff WHERE key LIKE 'signals:card:%'")).scalar()
            cards = s.execute(text("SELECT count(*) FROM signals_handoff WHERE key LIKE 'signals:cluster:%'")).scalar()
            posts = s.execute(text("SELECT count(*) FROM signals_handoff WHERE key LIKE 'signals:signal:%'")).scalar()
        return int(edits or 0), int(cards or 0), int(posts or 0)
    finally:
        db.dispose()


def memory(stack) -> dict[str, tuple[float, float]]:
    """(VmRSS, PSS) in MiB of the bot and of every gunicorn master and worker."""
    out: dict[str, tuple[float, float]] = {}
    bot = read_pidfile(stack.root / "run" / "bot.pid")
    if bot:
        out["bot"] = (rss_mb(bot), pss_mb(bot))
    for name in SERVICES:
        master = read_pidfile(stack.root / "run" / f"{name}.pid")
        if not master:
            continue
        out[f"{name} master"] = (rss_mb(master), pss_mb(master))
        for i, pid in enumerate(children(master), 1):
            out[f"{name} worker {i}"] = (rss_mb(pid), pss_mb(pid))
    return out


def run_backend(label: str, database_url: str | None, per_round: int, rounds: int) -> dict:
    texts = load_signal_texts()
    with encrypted_stack(workers=2, database_url=database_url) as stack:
        baseline_db = database_url or f"sqlite:///{stack.root / 'data' / 'baseline.db'}"
        admin = {"Authorization": f"Bearer {stack.state.tokens['admin']}"}
        signals_url = f"{stack.url('signals')}/api/v1/councils/klantenraad/signals"
        queued_url = f"{signals_url}/queued"
        with Gunicorn("bench.baseline_app:create_app()", stack.root, workers=2, name="baseline",
                      env={"OVERLEG_BASELINE_DB": baseline_db}) as base:
            store_url = base.url + "/store"
            counter = 0

            def payloads(n: int) -> list[dict]:
                nonlocal counter
                out = [dict(texts[(counter + i) % len(texts)]) for i in range(n)]
                counter += n
                return out

            # Warm up both (connections, caches, first clusters).
            hammer(store_url, [{"key": f"w{i}", "text": p["text"]} for i, p in enumerate(payloads(WARMUP))],
                   threads=THREADS)
            hammer(signals_url, payloads(WARMUP), headers=admin, threads=THREADS)
            hammer(queued_url, payloads(WARMUP), headers=admin, threads=THREADS)
            grouped_after = [wait_grouped(stack)]
            base_rates, sig_rates, queued_rates, problems = [], [], [], []
            sig_ratios, queued_ratios = [], []

            def baseline_round(batch: list[dict]) -> float:
                took, statuses = hammer(store_url, [{"key": f"k{counter}-{i}", "text": p["text"]}
                                                    for i, p in enumerate(batch)], threads=THREADS)
                if statuses != {201: per_round}:
                    problems.append(f"baseline answered {statuses}")
                base_rates.append(per_round / took)
                return per_round / took

            # Each intake round is bracketed by a baseline round before and after it, and compared with
            # their mean: the bot and Synapse are still posting what earlier rounds caused, less and
            # less, so a baseline measured at another moment would be measured under another load.
            for _ in range(rounds):
                batch = payloads(per_round)
                before = baseline_round(batch)
                took, statuses = hammer(signals_url, batch, headers=admin, threads=THREADS)
                if statuses != {201: per_round}:
                    problems.append(f"signals answered {statuses}")
                sig_rates.append(per_round / took)
                between = baseline_round(batch)
                sig_ratios.append(sig_rates[-1] / ((before + between) / 2))
                # As many other signals through the queue (answered 202, grouped after the burst); the
                # next round starts once the job has grouped them all.
                took, statuses = hammer(queued_url, payloads(per_round), headers=admin, threads=THREADS)
                if statuses != {202: per_round}:
                    problems.append(f"queued signals answered {statuses}")
                queued_rates.append(per_round / took)
                after = baseline_round(batch)
                queued_ratios.append(queued_rates[-1] / ((between + after) / 2))
                grouped_after.append(wait_grouped(stack))
            base_mem = [(rss_mb(pid), pss_mb(pid)) for pid in children(base.proc.pid)]
        drain = wait_drained(stack)
        edits, cards, posts = card_counts(stack)
        mem = memory(stack)
        with httpx.Client(timeout=10, trust_env=False) as http:
            clusters = http.get(f"{stack.url('signals')}/api/v1/councils/klantenraad/clusters?limit=500",
                                headers=admin).json()
    return {"label": label, "base": base_rates, "signals": sig_rates, "queued": queued_rates,
            "sig_ratios": sig_ratios, "queued_ratios": queued_ratios,
            "grouped_after": grouped_after[1:], "problems": problems, "drain": drain,
            "memory": mem, "base_memory": base_mem, "clusters": len(clusters), "edits": edits, "cards": cards, "posts": posts,
            "sent": 2 * (WARMUP + rounds * per_round)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-round", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    results = []
    for label in ("sqlite", "postgresql"):
        if args.only and args.only != label:
            continue
        with (pg_schema("bench_intake") if label == "postgresql" else nullcontext(None)) as url:
            results.append(run_backend(label, url, args.per_round, args.rounds))

    print(f"benchmark 2: signal intake through gunicorn (2 workers x 4 threads), {THREADS} client threads,"
          f" {args.rounds} x {args.per_round} signals per database")
    for r in results:
        target = TARGETS[r["label"]]
        sr, qr = max(r["sig_ratios"]), max(r["queued_ratios"])
        print(f"  {r['label']:<10}  grouped before the answer (201): signals {max(r['signals']):7.1f}/s"
              f"   ratio {sr:5.2f}   (target >= {target}: {'met' if sr >= target else 'NOT met'})")
        print(f"  {'':<10}  through the queue (202, grouped after the burst): {max(r['queued']):7.1f}/s"
              f"   ratio {qr:5.2f}   (target >= {target}: {'met' if qr >= target else 'NOT met'})")
        print(f"              each round against the mean of the baseline rounds just before and after it"
              f" (best round above): 201 {', '.join(f'{x:.2f}' for x in r['sig_ratios'])};"
              f" queue {', '.join(f'{x:.2f}' for x in r['queued_ratios'])}")
        print(f"              all rounds: baseline /store {', '.join(f'{x:.1f}' for x in r['base'])}/s;"
              f" 201 {', '.join(f'{x:.1f}' for x in r['signals'])}/s;"
              f" queue {', '.join(f'{x:.1f}' for x in r['queued'])}/s; {r['clusters']} clusters;"
              f" bot finished posting {r['drain']:.0f} s after the last signal")
        print(f"              the queue all grouped {', '.join(f'{x:.1f}' for x in r['grouped_after'])} s after"
              f" each round's last 202")
        print(f"              card edits: {r['edits']} for {r['sent']} signals ({r['cards']} new cards;"
              f" one edit per signal that joined a cluster would be {r['sent'] - r['cards']});"
              f" thread posts: {r['posts']} (one per signal would be {r['sent']})")
        for p in r["problems"]:
            print(f"  !! {p}")
    print("benchmark 5: resident memory after benchmark 2, VmRSS (PSS in brackets: shared pages counted in part),"
          f" bot with encryption on; target VmRSS <= {WORKER_MB} MB for each gunicorn worker")
    for r in results:
        workers = [rss for k, (rss, _) in r["memory"].items() if "worker" in k]
        base = max(rss for rss, _ in r["base_memory"])
        print(f"  {r['label']}: (baseline: a worker of bench/baseline_app.py after its /store load,"
              f" {base:.0f} MB; ratios against it)")
        for k, (rss, pss) in r["memory"].items():
            over = "worker" in k and rss > WORKER_MB
            print(f"    {k:<22} {rss:5.0f} MB  ({pss:4.0f} MB)  ratio {rss / base:4.2f}"
                  f"{f'  over {WORKER_MB} MB' if over else ''}")
        worst = max(workers) if workers else 0.0
        print(f"    largest gunicorn worker VmRSS {worst:.0f} MB -> {'met' if worst <= WORKER_MB else 'NOT met'};"
              f" bot {r['memory'].get('bot', (0.0, 0.0))[0]:.0f} MB (encryption on)")


if __name__ == "__main__":
    main()
