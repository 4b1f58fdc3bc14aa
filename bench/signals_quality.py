"""Quality of the signals domain on a labelled JSONL file.

    .venv/bin/python bench/signals_quality.py [path.jsonl]     (default tests/data/signals-dev.jsonl)

Prints, and with --json emits, these measures:

scrub      recall     = labelled pii substrings that no longer appear in the scrubbed text
                        / all labelled pii substrings (each record's unique items)
           precision  = scrubbed spans that overlap an occurrence of a labelled pii item
                        / all scrubbed spans
           exact      = records whose scrubbed text equals the labelled `scrubbed` (both with
                        bidi/invisible control characters neutralised, as scrub() returns text)
themes     exact set match, mean per-record Jaccard, micro precision/recall/F1, on the scrubbed
           text with the default taxonomy and threshold
wijk       accuracy of detect() on the scrubbed text against `wijk` (null included)
clusters   pairwise precision/recall/F1: signals go through ClusterIndex in ts order; a pair
           counts as predicted together when both got the same cluster. Run twice: with the
           predicted themes and neighbourhood (what the service does) and with the labelled
           ones (clustering alone). Also: hard negatives kept out of their cluster, and the
           largest number of candidates one insert examined.
scale      (--scale N) N inserts into a ClusterIndex, the file's records repeated one every five
           minutes: candidates per insert against the bound MAX_KEYS * per-key limit.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.signals.domain.clustering import (  # noqa: E402
    DEFAULT_PER_KEY_LIMIT, MAX_KEYS, ClusterIndex, features_from_scrub,
)
from services.signals.domain.scrub import ScrubResult, scrub  # noqa: E402
from services.signals.domain.textutil import neutralise_controls  # noqa: E402
from services.signals.domain.themes import classify, load_default_taxonomy  # noqa: E402
from services.signals.domain.wijken import Neighbourhoods, load_rotterdam  # noqa: E402

DEFAULT_PATH = ROOT / "tests" / "data" / "signals-dev.jsonl"


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def known_places(nb: Neighbourhoods) -> list[str]:
    return [*nb.names, *nb.aliases, *{n.area for n in nb.items if n.area}]


@dataclass
class ScrubScores:
    items: int
    removed: int
    spans: int
    spans_ok: int
    exact: int
    records: int
    misses: list[tuple[str, str]]
    false_spans: list[tuple[str, str, str]]

    @property
    def recall(self) -> float:
        return self.removed / self.items if self.items else 1.0

    @property
    def precision(self) -> float:
        return self.spans_ok / self.spans if self.spans else 1.0

    @property
    def exact_rate(self) -> float:
        return self.exact / self.records if self.records else 1.0


def _occurrences(text: str, value: str) -> list[tuple[int, int]]:
    out, i = [], text.find(value)
    while i >= 0:
        out.append((i, i + len(value)))
        i = text.find(value, i + 1)
    return out


def scrub_scores(records: list[dict[str, Any]], results: dict[str, ScrubResult]) -> ScrubScores:
    s = ScrubScores(0, 0, 0, 0, 0, len(records), [], [])
    for r in records:
        res = results[r["id"]]
        labelled = [occ for value in r.get("pii", []) for occ in _occurrences(r["text"], value)]
        for value in r.get("pii", []):
            s.items += 1
            if value in res.text:
                s.misses.append((r["id"], value))
            else:
                s.removed += 1
        for span in res.found:
            s.spans += 1
            if any(span.start < b and a < span.end for a, b in labelled):
                s.spans_ok += 1
            else:
                s.false_spans.append((r["id"], span.kind, span.value))
        if res.text == neutralise_controls(r.get("scrubbed", r["text"])):
            s.exact += 1
    return s


def theme_scores(records: list[dict[str, Any]], predicted: dict[str, set[str]]) -> dict[str, float]:
    exact = tp = fp = fn = 0
    jaccard = 0.0
    for r in records:
        gold, pred = set(r["themes"]), predicted[r["id"]]
        exact += gold == pred
        jaccard += len(gold & pred) / len(gold | pred) if gold | pred else 1.0
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    return {"exact": exact / len(records), "jaccard": jaccard / len(records), "precision": p,
            "recall": rc, "f1": 2 * p * rc / (p + rc) if p + rc else 0.0}


def cluster_scores(records: list[dict[str, Any]], results: dict[str, ScrubResult],
                   wijk: dict[str, str | None], themes: dict[str, set[str]]) -> dict[str, float]:
    ordered = sorted(records, key=lambda r: r["ts"])
    index = ClusterIndex()
    predicted: dict[str, str] = {}
    for r in ordered:
        f = features_from_scrub(results[r["id"]], wijk[r["id"]], themes[r["id"]],
                                datetime.fromisoformat(r["ts"]))
        predicted[r["id"]] = index.add(f)
    tp = fp = fn = 0
    for a, b in itertools.combinations(ordered, 2):
        gold = a["cluster"] == b["cluster"]
        pred = predicted[a["id"]] == predicted[b["id"]]
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
    p = tp / (tp + fp) if tp + fp else 1.0
    rc = tp / (tp + fn) if tp + fn else 1.0
    members: dict[str, set[str]] = {}
    for r in ordered:
        members.setdefault(r["cluster"], set()).add(predicted[r["id"]])
    negatives = [r for r in ordered if r.get("hard_negative_of") in members]
    kept_apart = sum(predicted[r["id"]] not in members[r["hard_negative_of"]] for r in negatives)
    return {"precision": p, "recall": rc, "f1": 2 * p * rc / (p + rc) if p + rc else 0.0,
            "pairs_gold": tp + fn, "pairs_predicted": tp + fp,
            "clusters_gold": len(members), "clusters_predicted": len(set(predicted.values())),
            "hard_negatives": len(negatives), "hard_negatives_kept_apart": kept_apart,
            "max_candidates_per_insert": index.max_candidates}


def measure(path: Path) -> dict[str, Any]:
    records = load(path)
    taxonomy = load_default_taxonomy()
    nb = load_rotterdam()
    places = known_places(nb)
    results = {r["id"]: scrub(r["text"], known_places=places) for r in records}
    pred_themes = {rid: {t.theme_id for t in classify(res.text, taxonomy)} for rid, res in results.items()}
    pred_wijk = {rid: nb.detect(res.text) for rid, res in results.items()}
    s = scrub_scores(records, results)
    wijk_ok = sum(pred_wijk[r["id"]] == r["wijk"] for r in records)
    named = [r for r in records if r["wijk"]]
    return {
        "file": str(path), "records": len(records),
        "scrub": {"recall": s.recall, "precision": s.precision, "exact": s.exact_rate,
                  "items": s.items, "spans": s.spans, "misses": s.misses,
                  "false_spans": s.false_spans},
        "themes": theme_scores(records, pred_themes),
        "wijk": {"accuracy": wijk_ok / len(records),
                 "accuracy_named": sum(pred_wijk[r["id"]] == r["wijk"] for r in named) / max(1, len(named)),
                 "accuracy_null": sum(pred_wijk[r["id"]] is None for r in records if not r["wijk"])
                 / max(1, len(records) - len(named))},
        "clusters": cluster_scores(records, results, pred_wijk, pred_themes),
        "clusters_labelled_inputs": cluster_scores(
            records, results, {r["id"]: r["wijk"] for r in records},
            {r["id"]: set(r["themes"]) for r in records}),
    }


def scale(records: list[dict[str, Any]], n: int, per_key_limit: int) -> dict[str, Any]:
    """Insert ``n`` signals (the file's records over and over, one every five minutes: about
    100,000 a year) and count the candidates each insert examines."""
    taxonomy = load_default_taxonomy()
    nb = load_rotterdam()
    base = []
    for r in records:
        res = scrub(r["text"], known_places=known_places(nb))
        base.append(features_from_scrub(res, nb.detect(res.text),
                                        {t.theme_id for t in classify(res.text, taxonomy)},
                                        datetime.fromisoformat(r["ts"])))
    index = ClusterIndex(per_key_limit=per_key_limit)
    start = base[0].ts
    checkpoints: dict[int, float] = {}
    window_sum = 0
    began = time.perf_counter()
    for k in range(n):
        f = replace(base[k % len(base)], ts=start + timedelta(minutes=5 * k))
        index.add(f)
        window_sum += index.last_candidates
        if (k + 1) % max(1, n // 5) == 0:
            checkpoints[k + 1] = window_sum / max(1, n // 5)
            window_sum = 0
    elapsed = time.perf_counter() - began
    return {"signals": n, "per_key_limit": per_key_limit, "bound": MAX_KEYS * per_key_limit,
            "max_candidates": index.max_candidates, "mean_candidates_by_size": checkpoints,
            "ms_per_insert": 1000 * elapsed / n}


def report(m: dict[str, Any]) -> str:
    s, t, w, c, cl = m["scrub"], m["themes"], m["wijk"], m["clusters"], m["clusters_labelled_inputs"]
    lines = [
        f"signals quality on {m['file']} ({m['records']} records)",
        f"scrub     recall {s['recall']:.3f} ({s['items'] - len(s['misses'])}/{s['items']} items)  "
        f"precision {s['precision']:.3f} ({s['spans'] - len(s['false_spans'])}/{s['spans']} spans)  "
        f"exact scrubbed text {s['exact']:.3f}",
        f"themes    exact set {t['exact']:.3f}  mean Jaccard {t['jaccard']:.3f}  "
        f"micro P {t['precision']:.3f} R {t['recall']:.3f} F1 {t['f1']:.3f}",
        f"wijk      accuracy {w['accuracy']:.3f}  (named {w['accuracy_named']:.3f}, null {w['accuracy_null']:.3f})",
        f"clusters  pairwise P {c['precision']:.3f} R {c['recall']:.3f} F1 {c['f1']:.3f}  "
        f"({c['clusters_predicted']} clusters for {c['clusters_gold']}; hard negatives kept apart "
        f"{c['hard_negatives_kept_apart']}/{c['hard_negatives']}; max candidates/insert "
        f"{c['max_candidates_per_insert']})",
        f"  with labelled themes+wijk: P {cl['precision']:.3f} R {cl['recall']:.3f} F1 {cl['f1']:.3f}",
    ]
    if "scale" in m:
        sc = m["scale"]
        means = ", ".join(f"{size}: {mean:.0f}" for size, mean in sc["mean_candidates_by_size"].items())
        lines.append(f"scale     {sc['signals']} inserts, per-key limit {sc['per_key_limit']}: max "
                     f"{sc['max_candidates']} candidates/insert (bound {sc['bound']}), mean by index size "
                     f"{{{means}}}, {sc['ms_per_insert']:.2f} ms/insert")
    for rid, value in s["misses"]:
        lines.append(f"  missed pii   {rid}: {value!r}")
    for rid, kind, value in s["false_spans"]:
        lines.append(f"  extra span   {rid}: {kind} {value!r}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
    parser.add_argument("--json", action="store_true", help="print the measures as JSON")
    parser.add_argument("--scale", type=int, default=0, metavar="N",
                        help="also insert N signals into a ClusterIndex and count candidates per insert")
    parser.add_argument("--per-key-limit", type=int, default=DEFAULT_PER_KEY_LIMIT)
    args = parser.parse_args(argv)
    m = measure(Path(args.path))
    if args.scale:
        m["scale"] = scale(load(Path(args.path)), args.scale, args.per_key_limit)
    print(json.dumps(m, indent=2, ensure_ascii=False) if args.json else report(m))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
