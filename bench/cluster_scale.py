"""Benchmark 3: cluster scale.

The cost of ingesting one signal (the service's whole intake: scrub, classify, candidates from
the blocking-key index, choose a cluster, store, card and outbox, through the JSON API in
process) when 1,000, 10,000 and 100,000 signals are already stored. The store is filled directly
through the signals store module (services/signals/store.py: new_cluster, insert_signal with its
blocking keys, add_to_cluster), with the labelled example texts cycled, their real features, and
clusters as the labels say (one per labelled issue and month). Then the same 50 example signals
are ingested at each level; the cost is the median time per signal. Baseline: the cost at 1,000,
measured in the same run. Target: at 100,000 no more than 2x the cost at 1,000.

Two spreads of the stored signals are measured: over the last 365 days (a busy year), and all
inside the clustering window of 60 days (the worst case: time limits nothing, only the per-key
limit bounds the candidates).

    .venv/bin/python bench/cluster_scale.py [--database sqlite|postgresql] [--levels 1000,10000,100000]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from contextlib import nullcontext
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import pg_schema, signals_app_in_process  # noqa: E402

SLUG = "klantenraad"
MEASURE = 50


def labelled() -> list[dict]:
    from shared.api import _CONTROL

    with (ROOT / "tests" / "data" / "signals-dev.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if not _CONTROL.search(r["text"])]


class Loader:
    """Fills the store directly: every distinct text is scrubbed and classified once; each copy gets
    its own time, features and keys."""

    def __init__(self, app, rows: list[dict]) -> None:
        from services.signals import store
        from services.signals.domain.clustering import features_from_scrub
        from services.signals.domain.scrub import scrub
        from services.signals.domain.themes import FALLBACK_THEME, classify

        self.app = app
        self.db = app.extensions["overleg_db"]
        cfg = app.extensions["signals_config"]
        data = cfg.council(SLUG)
        self.prepared = []
        for r in rows:
            scrubbed = scrub(r["text"], known_places=data.neighbourhoods.names)
            scores = classify(scrubbed.text, data.taxonomy, cfg.theme_threshold)
            themes = [store.ThemeInfo(t.theme_id, t.confidence, tuple(t.matched)) for t in scores]
            given = data.neighbourhoods.resolve(r["wijk"]) if r.get("wijk") else None
            wijk = given or data.neighbourhoods.detect(scrubbed.text)
            feats = features_from_scrub(scrubbed, wijk, [t.id for t in themes if t.id != FALLBACK_THEME],
                                        datetime.now(timezone.utc))
            kinds = tuple(k for k in ("naam", "telefoon", "e-mail", "adres", "postcode", "iban", "bsn")
                          if k in scrubbed.kinds)
            self.prepared.append((r["cluster"], scrubbed.text.strip(), kinds, wijk, themes, feats))
        self.count = 0
        self.clusters: dict[tuple[str, str], int] = {}

    def load_until(self, total: int, first: datetime, gap: timedelta, batch: int = 2000) -> None:
        """Store signals until ``total`` are stored; signal i is received at ``first + i * gap``."""
        from services.signals import store
        from services.signals.domain.clustering import blocking_keys

        while self.count < total:
            with self.db.session() as s:
                for _ in range(min(batch, total - self.count)):
                    i = self.count
                    label, text, kinds, wijk, themes, feats = self.prepared[i % len(self.prepared)]
                    ts = first + gap * i
                    f = replace(feats, ts=ts)
                    month = ts.strftime("%Y-%m")
                    cid = self.clusters.get((label, month))
                    if cid is None:
                        cid = store.new_cluster(s, SLUG, "signals", themes[0].id, wijk, ts).id
                        self.clusters[(label, month)] = cid
                    new = store.NewSignal(council=SLUG, ref_hash=store.hash_reference(f"bulk-{i}"), intake_key=None,
                                          channel="api", text=text, scrubbed_kinds=kinds, wijk=wijk,
                                          wijk_source="detected" if wijk else None, themes=themes, features=f,
                                          month=month, keys=blocking_keys(f))
                    store.insert_signal(s, new, cid)
                    store.add_to_cluster(s, cid, ts, wijk)
                    self.count += 1


def measure(client, token: str, rows: list[dict], at: datetime) -> list[float]:
    """Ingest ``rows`` through the API, received one second apart from ``at`` on; seconds each."""
    times = []
    for n, r in enumerate(rows):
        body = {"text": r["text"], "received_at": (at + timedelta(seconds=n)).isoformat(),
                **({"wijk": r["wijk"]} if r.get("wijk") else {})}
        started = time.perf_counter()
        resp = client.post(f"/api/v1/councils/{SLUG}/signals", json=body, headers={"Authorization": f"Bearer {token}"})
        times.append(time.perf_counter() - started)
        if resp.status_code != 201:
            raise RuntimeError(f"intake answered {resp.status_code}: {resp.get_data(as_text=True)[:300]}")
    return times


def scenario(database_url: str | None, levels: list[int], spread_days: int) -> list[tuple[int, float, float, float]]:
    rows = labelled()
    probe = rows[::max(1, len(rows) // MEASURE)][:MEASURE]
    out = []
    with signals_app_in_process("overleg-scale-", database_url) as (app, _db, tokens):
        client = app.test_client()
        loader = Loader(app, rows)
        # The same density at every level: a longer history, not a busier day. At the largest level
        # the stored signals fill ``spread_days``; the ingested ones arrive a minute after the newest.
        now = datetime.now(timezone.utc).replace(microsecond=0)
        gap = timedelta(days=spread_days) / max(levels)
        first = now - timedelta(days=spread_days, hours=2)
        measure(client, tokens["admin"], rows[:10], first - timedelta(hours=1))  # warm-up (imports, caches)
        for level in levels:
            started = time.perf_counter()
            loader.load_until(level, first, gap)
            load_took = time.perf_counter() - started
            times = measure(client, tokens["admin"], probe, first + gap * level + timedelta(minutes=1))
            out.append((level, statistics.median(times), statistics.fmean(times), load_took))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--levels", default="1000,10000,100000")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    results = {}
    for spread_days in (365, 60):
        with (pg_schema("bench_scale") if args.database == "postgresql" else nullcontext(None)) as url:
            results[spread_days] = scenario(url, levels, spread_days)
    print(f"benchmark 3: cost of ingesting one signal by number already stored ({args.database},"
          f" median of {MEASURE} signals through the API in process)")
    for spread_days, rows in results.items():
        base = rows[0][1]
        print(f"  stored signals spread over {spread_days} days:")
        for level, median, mean, load_took in rows:
            print(f"    {level:>7,} stored   {median * 1000:6.1f} ms (mean {mean * 1000:5.1f} ms)"
                  f"   ratio to {rows[0][0]:,}: {median / base:4.2f}   (store filled in {load_took:.0f} s)")
        worst = rows[-1][1] / base
        print(f"    target: at {rows[-1][0]:,} no more than 2x the cost at {rows[0][0]:,} ->"
              f" {'met' if worst <= 2 else 'NOT met'} ({worst:.2f}x)")


if __name__ == "__main__":
    main()
