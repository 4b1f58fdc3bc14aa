"""Quality of the signals domain on a labelled JSONL file.

    .venv/bin/python bench/signals_quality.py [--data path.jsonl] [--folds 5] [--repeats 2]
    .venv/bin/python bench/signals_quality.py --write-model     (re-fit the shipped model)

``--data`` takes any labelled file in the format of tests/data/signals-dev.jsonl (the default).
Two kinds of figures are printed:

whole set        the service as shipped (the learned model in services/signals/domain/
                 signals_model.py) on the whole file. On the file the model was fitted on, this
                 is an in-sample figure.
grouped CV       k folds by cluster (a cluster and the records marked as its hard negatives are
                 never split; ``--repeats`` reshuffles the groups with another seed). In each fold
                 the theme model and the pair model are fitted on the training folds only
                 (``learning.fit_theme_model``, ``clustering.fit_pair_model``: IDF, weights,
                 centroids, thresholds) and measured on the test fold. Printed as the mean ± the
                 standard deviation over the folds, with the lowest fold. Clusters are measured
                 twice: the test fold's signals clustered alone, and clustered among all the
                 file's signals (the training ones as unlabelled distractors) with only pairs of
                 test signals counted. Scrub and wijk learn nothing: their CV figures are the
                 whole-set method measured per fold.
``--method rules``  the hand-tuned method (keyword themes, rule_similarity), for comparison.
``--no-synonyms``   keyword evidence without ``lexicon.SYNONYMS`` (a list written while reading
                 the dev set, which no fold can hold out): how much of a theme figure it carries.
``--theme-study``   themes only, with scikit-learn (dev extra): one-vs-rest logistic regression
                 over TF-IDF of Snowball-stemmed words and character 4-grams, alone and stacked
                 with the taxonomy keyword evidence; decision rules (cut, relative margin,
                 per-theme cuts) and label co-occurrence fitted on the training folds, with
                 the text model's training probabilities from inner grouped folds; same outer
                 folds as above. The service does not ship this model (see
                 docs/benchmarks.md, "Signals quality").

Measures:

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
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.signals.domain import learning  # noqa: E402
from services.signals.domain.clustering import (  # noqa: E402
    DEFAULT_MODEL, DEFAULT_PER_KEY_LIMIT, MAX_KEYS, ClusterIndex, features_from_scrub, fit_pair_model,
)
from services.signals.domain.scrub import ScrubResult, scrub  # noqa: E402
from services.signals.domain.textutil import neutralise_controls  # noqa: E402
from services.signals.domain.themes import (  # noqa: E402
    FALLBACK_THEME, Taxonomy, classify, keyword_scores, load_default_taxonomy,
)
from services.signals.domain.wijken import Neighbourhoods, load_rotterdam  # noqa: E402

DEFAULT_PATH = ROOT / "tests" / "data" / "signals-dev.jsonl"
MODEL_PATH = ROOT / "services" / "signals" / "domain" / "signals_model.py"


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
                   wijk: dict[str, str | None], themes: dict[str, set[str]], *,
                   model: object = DEFAULT_MODEL, scored: set[str] | None = None) -> dict[str, float]:
    """Cluster ``records`` in time order; count pairs (and hard negatives) among ``scored`` ids
    only, when given (the others are then unlabelled company)."""
    ordered = sorted(records, key=lambda r: r["ts"])
    index = ClusterIndex(model=model)
    predicted: dict[str, str] = {}
    for r in ordered:
        f = features_from_scrub(results[r["id"]], wijk[r["id"]], themes[r["id"]],
                                datetime.fromisoformat(r["ts"]))
        predicted[r["id"]] = index.add(f)
    counted = [r for r in ordered if scored is None or r["id"] in scored]
    tp = fp = fn = 0
    for a, b in itertools.combinations(counted, 2):
        gold = a["cluster"] == b["cluster"]
        pred = predicted[a["id"]] == predicted[b["id"]]
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
    p = tp / (tp + fp) if tp + fp else 1.0
    rc = tp / (tp + fn) if tp + fn else 1.0
    members: dict[str, set[str]] = {}
    for r in counted:
        members.setdefault(r["cluster"], set()).add(predicted[r["id"]])
    negatives = [r for r in counted if r.get("hard_negative_of") in members]
    kept_apart = sum(predicted[r["id"]] not in members[r["hard_negative_of"]] for r in negatives)
    return {"precision": p, "recall": rc, "f1": 2 * p * rc / (p + rc) if p + rc else 0.0,
            "pairs_gold": tp + fn, "pairs_predicted": tp + fp,
            "clusters_gold": len(members), "clusters_predicted": len({predicted[r["id"]] for r in counted}),
            "hard_negatives": len(negatives), "hard_negatives_kept_apart": kept_apart,
            "max_candidates_per_insert": index.max_candidates}


# --------------------------------------------------------------------------- shared preparation
class Prepared:
    """What does not depend on any training: scrub results, keyword scores, neighbourhoods."""

    def __init__(self, records: list[dict[str, Any]], taxonomy: Taxonomy, nb: Neighbourhoods) -> None:
        self.records = records
        self.taxonomy = taxonomy
        self.nb = nb
        places = known_places(nb)
        self.results = {r["id"]: scrub(r["text"], known_places=places) for r in records}
        self.keywords = {rid: {tid: sc for sc, tid, _ in keyword_scores(res.text, taxonomy)}
                         for rid, res in self.results.items()}
        self.wijk = {rid: nb.detect(res.text) for rid, res in self.results.items()}

    def themes_with(self, model: object, ids: list[str] | None = None) -> dict[str, set[str]]:
        ids = ids if ids is not None else [r["id"] for r in self.records]
        return {rid: {t.theme_id for t in classify(self.results[rid].text, self.taxonomy, model=model)}
                for rid in ids}

    def features(self, rid: str, themes: set[str]):
        r = self.by_id[rid]
        return features_from_scrub(self.results[rid], self.wijk[rid], themes - {FALLBACK_THEME},
                                   datetime.fromisoformat(r["ts"]))

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.records}


def fit_model(prep: Prepared, train: list[dict[str, Any]]) -> learning.Model:
    """Fit the theme model and the pair model on ``train`` records only."""
    ids = [r["id"] for r in train]
    theme_model = learning.fit_theme_model(
        [prep.results[i].text for i in ids], [set(r["themes"]) for r in train],
        [prep.keywords[i] for i in ids], prep.taxonomy.ids, fallback=FALLBACK_THEME)
    themes = prep.themes_with(theme_model, ids)
    feats = [prep.features(i, themes[i]) for i in ids]
    pair_model = fit_pair_model(feats, [r["cluster"] for r in train])
    return learning.Model(theme_model, pair_model, {"records": len(train)})


def groups(records: list[dict[str, Any]]) -> dict[str, str]:
    """Record id → group: its cluster, joined with the clusters it is a hard negative of."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in records:
        find(r["cluster"])
        if r.get("hard_negative_of"):
            parent[find(r["cluster"])] = find(r["hard_negative_of"])
    return {r["id"]: find(r["cluster"]) for r in records}


def folds(records: list[dict[str, Any]], k: int, seed: int) -> list[list[dict[str, Any]]]:
    """k folds of about equal size; every group whole in one fold."""
    group_of = groups(records)
    members: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        members.setdefault(group_of[r["id"]], []).append(r)
    names = sorted(members)
    random.Random(seed).shuffle(names)
    names.sort(key=lambda g: -len(members[g]))          # stable: shuffled within a size
    out: list[list[dict[str, Any]]] = [[] for _ in range(k)]
    for g in names:
        smallest = min(range(k), key=lambda i: (len(out[i]), i))
        out[smallest].extend(members[g])
    return out


def evaluate(prep: Prepared, test: list[dict[str, Any]], model: object, *,
             everyone: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Figures on ``test`` with ``model`` (a learning.Model, DEFAULT_MODEL or None = rules)."""
    theme_model = model.themes if isinstance(model, learning.Model) else model
    pair_model = model.pairs if isinstance(model, learning.Model) else model
    results = prep.results
    ids = [r["id"] for r in test]
    themes = prep.themes_with(theme_model, ids)
    s = scrub_scores(test, results)
    named = [r for r in test if r["wijk"]]
    out: dict[str, Any] = {
        "records": len(test),
        "scrub": {"recall": s.recall, "precision": s.precision, "exact": s.exact_rate,
                  "items": s.items, "spans": s.spans, "misses": s.misses, "false_spans": s.false_spans},
        "themes": theme_scores(test, themes),
        "wijk": {"accuracy": sum(prep.wijk[r["id"]] == r["wijk"] for r in test) / len(test),
                 "accuracy_named": sum(prep.wijk[r["id"]] == r["wijk"] for r in named) / max(1, len(named)),
                 "accuracy_null": sum(prep.wijk[r["id"]] is None for r in test if not r["wijk"])
                 / max(1, len(test) - len(named))},
        "clusters": cluster_scores(test, results, prep.wijk, themes, model=pair_model),
        "clusters_labelled_inputs": cluster_scores(
            test, results, {r["id"]: r["wijk"] for r in test},
            {r["id"]: set(r["themes"]) for r in test}, model=pair_model),
    }
    if everyone is not None:
        all_themes = prep.themes_with(theme_model, [r["id"] for r in everyone])
        out["clusters_among_all"] = cluster_scores(everyone, results, prep.wijk, all_themes,
                                                   model=pair_model, scored=set(ids))
    return out


CV_MEASURES = [("scrub", "recall"), ("scrub", "precision"), ("themes", "precision"), ("themes", "recall"),
               ("themes", "f1"), ("themes", "jaccard"), ("wijk", "accuracy"), ("clusters", "precision"),
               ("clusters", "recall"), ("clusters", "f1"), ("clusters_among_all", "precision"),
               ("clusters_among_all", "recall"), ("clusters_among_all", "f1"),
               ("clusters_labelled_inputs", "f1")]


def cross_validate(prep: Prepared, k: int, repeats: int, seed: int, method: str) -> dict[str, Any]:
    per_fold: list[dict[str, Any]] = []
    for rep in range(repeats):
        parts = folds(prep.records, k, seed + rep)
        for i, test in enumerate(parts):
            train = [r for j, part in enumerate(parts) if j != i for r in part]
            model = fit_model(prep, train) if method == "learned" else None
            m = evaluate(prep, test, model, everyone=prep.records)
            m["fold"] = f"{rep}.{i}"
            if isinstance(model, learning.Model):
                m["pair_threshold"] = model.pairs.threshold if model.pairs else None
                m["theme_cut"] = model.themes.cut if model.themes else None
            per_fold.append(m)
    summary: dict[str, Any] = {}
    for group, name in CV_MEASURES:
        values = [m[group][name] for m in per_fold]
        summary[f"{group}.{name}"] = {"mean": statistics.fmean(values),
                                      "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
                                      "min": min(values), "max": max(values)}
    hn = sum(m["clusters_among_all"]["hard_negatives"] for m in per_fold)
    kept = sum(m["clusters_among_all"]["hard_negatives_kept_apart"] for m in per_fold)
    hn_alone = sum(m["clusters"]["hard_negatives"] for m in per_fold)
    kept_alone = sum(m["clusters"]["hard_negatives_kept_apart"] for m in per_fold)
    return {"folds": k, "repeats": repeats, "seed": seed, "method": method, "summary": summary,
            "hard_negatives": {"alone": [kept_alone, hn_alone], "among_all": [kept, hn]},
            "per_fold": [{"fold": m["fold"], "records": m["records"], "themes_f1": m["themes"]["f1"],
                          "clusters_f1": m["clusters"]["f1"], "clusters_among_all_f1": m["clusters_among_all"]["f1"],
                          "pair_threshold": m.get("pair_threshold"), "theme_cut": m.get("theme_cut")}
                         for m in per_fold]}


def measure(path: Path, *, folds_k: int = 5, repeats: int = 2, seed: int = 15,
            method: str = "learned", cv: bool = True, synonyms: bool = True) -> dict[str, Any]:
    records = load(path)
    taxonomy = load_default_taxonomy() if synonyms else taxonomy_without_synonyms()
    prep = Prepared(records, taxonomy, load_rotterdam())
    whole = evaluate(prep, records, DEFAULT_MODEL if method == "learned" else None)
    shipped = learning.default_model()
    out = {"file": str(path), "records": len(records), "method": method + ("" if synonyms else ", no synonyms"),
           "model_trained_on": shipped.trained_on if shipped and method == "learned" else None, **whole}
    if cv:
        out["cv"] = cross_validate(prep, folds_k, repeats, seed, method)
    return out


def taxonomy_without_synonyms() -> Taxonomy:
    """The default taxonomy with keyword matching that ignores ``lexicon.SYNONYMS``."""
    from services.signals.domain import lexicon
    saved = dict(lexicon.SYNONYMS)
    lexicon.SYNONYMS.clear()
    try:
        return load_default_taxonomy()      # patterns are compiled here, synonyms read here only
    finally:
        lexicon.SYNONYMS.update(saved)


# --------------------------------------------------------------------------- theme study (sklearn)
STUDY_VARIANTS = {
    # name: keyword evidence or not, per-theme cuts, co-occurrence features, synonyms left out
    "text only: OvR LR, words + 4-grams": {"keywords": False},
    "stacked: text LR + keywords": {"keywords": True},
    "stacked + per-theme cuts + co-occurrence": {"keywords": True, "per_theme": True, "cooc": True},
    "stacked, keywords without synonyms": {"keywords": True, "no_synonyms": True},
}


def theme_study(prep: Prepared, k: int, repeats: int, seed: int) -> dict[str, Any]:
    """Grouped-CV theme micro-F1 of learned alternatives (see the module docstring). Everything
    fitted (vocabulary, IDF, weights, cuts, margins, co-occurrence) comes from the training folds;
    the text model's probabilities for training signals from inner grouped folds of those."""
    try:
        import numpy as np
        import snowballstemmer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:     # dev extra only: the service never imports these
        raise SystemExit(f"--theme-study needs scikit-learn and snowballstemmer ({exc})") from None
    from services.signals.domain import lexicon
    from services.signals.domain.textutil import fold, words

    themes = [t for t in prep.taxonomy.ids if t != FALLBACK_THEME]
    dutch = snowballstemmer.stemmer("dutch")

    def terms(text: str) -> list[str]:
        out = []
        for w in words(text.replace("[", " ").replace("]", " ")):
            f = fold(w.text)
            if f in lexicon.STOPWORDS or len(f) < 2 or not any(c.isalpha() for c in f):
                continue
            out.append("w:" + dutch.stemWord(f))
            padded = f"<{f}>"
            out += ["g:" + padded[i:i + 4] for i in range(len(padded) - 3)]
        return out

    docs = {rid: terms(res.text) for rid, res in prep.results.items()}
    no_syn = taxonomy_without_synonyms()
    kw_sets = {False: prep.keywords,
               True: {rid: {tid: sc for sc, tid, _ in keyword_scores(res.text, no_syn)}
                      for rid, res in prep.results.items()}}

    def gold(rs: list[dict[str, Any]]) -> Any:
        return np.array([[1 if t in r["themes"] else 0 for t in themes] for r in rs])

    def text_probs(train: list[dict[str, Any]], test: list[dict[str, Any]]) -> Any:
        vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True)
        x = vec.fit_transform([docs[r["id"]] for r in train])
        xt = vec.transform([docs[r["id"]] for r in test])
        y = gold(train)
        cols = []
        for j in range(len(themes)):
            if y[:, j].min() == y[:, j].max():
                cols.append(np.full(len(test), float(y[0, j])))
                continue
            m = LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear")
            cols.append(m.fit(x, y[:, j]).predict_proba(xt)[:, 1])
        return np.column_stack(cols)

    def inner_text_probs(train: list[dict[str, Any]]) -> Any:
        out = np.zeros((len(train), len(themes)))
        at = {r["id"]: i for i, r in enumerate(train)}
        parts = folds(train, 4, seed)
        for i, part in enumerate(parts):
            rest = [r for j, p in enumerate(parts) if j != i for r in p]
            out[[at[r["id"]] for r in part]] = text_probs(rest, part)
        return out

    def rows(kw: Any, tp: Any, cooc: Any | None) -> Any:
        n, m = kw.shape
        kmax, tmax = kw.max(1, keepdims=True), tp.max(1, keepdims=True)
        t2 = np.sort(tp, 1)[:, -2:-1]
        top = (kw + tp).argmax(1)
        out = []
        for j in range(m):
            kj, tj = kw[:, j:j + 1], tp[:, j:j + 1]
            own = np.zeros((n, m))
            own[:, j] = 1.0
            f = [kj, kj - kmax, ((kj >= kmax) & (kj > 0)).astype(float), tj, tj - tmax,
                 (tj >= tmax).astype(float), np.where(tj >= tmax, tj - t2, 0.0), tj * kj, own]
            if cooc is not None:
                c = (cooc[top, j] * (top != j))[:, None]
                f += [c, c * tj, c * kj]
            out.append(np.hstack(f))
        return np.stack(out, 1)

    def micro_f1(p: Any, g: Any, cuts: Any, rel: float) -> float:
        order = np.argsort(-p, axis=1)[:, :2]
        at = np.arange(len(p))
        first, second = order[:, 0], order[:, 1]
        pick = np.zeros_like(p, dtype=bool)
        pick[at, first] = p[at, first] >= cuts[first]
        pick[at, second] = (p[at, second] >= cuts[second]) & (p[at, second] >= rel * p[at, first])
        empty, other = ~pick.any(1), g.sum(1) == 0          # nothing picked: "overig"
        tp = (pick & (g == 1)).sum() + (empty & other).sum()
        fp = (pick & (g == 0)).sum() + (empty & ~other).sum()
        fn = (~pick & (g == 1)).sum() + (~empty & other).sum()
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def tune(p: Any, g: Any, per_theme: bool) -> tuple[Any, float]:
        grid = [c / 100 for c in range(5, 91, 5)]
        _, cut, rel = max((micro_f1(p, g, np.full(len(themes), c), r), c, r)
                          for c in grid for r in (0.0, 0.3, 0.5))
        cuts = np.full(len(themes), cut)
        if per_theme:                  # few positives per theme: halfway to the shared cut
            for j in range(len(themes)):
                best = max(grid, key=lambda c: micro_f1(p, g, np.where(np.arange(len(themes)) == j, c, cuts), rel))
                cuts[j] = (best + cut) / 2
        return cuts, rel

    results: dict[str, Any] = {}
    for name, v in STUDY_VARIANTS.items():
        kws = kw_sets[bool(v.get("no_synonyms"))]
        scores = []
        for rep in range(repeats):
            parts = folds(prep.records, k, seed + rep)
            for i, test in enumerate(parts):
                train = [r for j, p in enumerate(parts) if j != i for r in p]
                g_train, g_test = gold(train), gold(test)
                if not v["keywords"]:
                    p_train, p_test = inner_text_probs(train), text_probs(train, test)
                else:
                    def kwm(rs: list[dict[str, Any]]) -> Any:
                        return np.array([[1 - math.exp(-kws[r["id"]].get(t, 0.0)) for t in themes] for r in rs])
                    cooc = None
                    if v.get("cooc"):
                        counts = g_train.T @ g_train
                        cooc = counts / (np.diag(counts)[:, None] + 2.0)
                        np.fill_diagonal(cooc, 0.0)
                    r_train = rows(kwm(train), inner_text_probs(train), cooc)
                    r_test = rows(kwm(test), text_probs(train, test), cooc)
                    d = r_train.shape[2]
                    shared = LogisticRegression(C=1.0, max_iter=2000).fit(r_train.reshape(-1, d), g_train.reshape(-1))
                    p_train = shared.predict_proba(r_train.reshape(-1, d))[:, 1].reshape(g_train.shape)
                    p_test = shared.predict_proba(r_test.reshape(-1, d))[:, 1].reshape(g_test.shape)
                cuts, rel = tune(p_train, g_train, bool(v.get("per_theme")))
                scores.append(float(micro_f1(p_test, g_test, cuts, rel)))
        results[name] = {"mean": statistics.fmean(scores), "sd": statistics.stdev(scores) if len(scores) > 1 else 0.0,
                         "min": min(scores), "folds": scores}
    return {"folds": k, "repeats": repeats, "seed": seed, "variants": results}


def write_model(path: Path, out: Path = MODEL_PATH) -> learning.Model:
    """Fit on the whole labelled file and write the module the service imports."""
    records = load(path)
    prep = Prepared(records, load_default_taxonomy(), load_rotterdam())
    model = fit_model(prep, records)
    try:
        shown = str(path.resolve().relative_to(ROOT))
    except ValueError:
        shown = path.name
    model = replace(model, trained_on={"file": shown, "records": len(records)})
    text = json.dumps(model.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    out.write_text(
        '"""Learned theme and pair models of the signals domain. GENERATED, do not edit:\n'
        f"    .venv/bin/python bench/signals_quality.py --write-model --data {shown}\n"
        '(see services/signals/domain/learning.py)."""\n'
        "import json\n\n"
        f"MODEL = json.loads({text!r})\n", encoding="utf-8")
    return model


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


def _cv_line(summary: dict[str, Any], key: str) -> str:
    v = summary[key]
    return f"{v['mean']:.3f} ± {v['sd']:.3f} (min {v['min']:.3f})"


def report(m: dict[str, Any]) -> str:
    s, t, w, c, cl = m["scrub"], m["themes"], m["wijk"], m["clusters"], m["clusters_labelled_inputs"]
    trained = m.get("model_trained_on")
    lines = [
        f"signals quality on {m['file']} ({m['records']} records), method: {m['method']}"
        + (f" (shipped model fitted on {trained.get('file')}, {trained.get('records')} records)" if trained else ""),
        "whole set:",
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
    if "cv" in m:
        cv = m["cv"]
        sm = cv["summary"]
        kept, hn = cv["hard_negatives"]["among_all"]
        kept1, hn1 = cv["hard_negatives"]["alone"]
        lines += [
            f"grouped CV: {cv['folds']} folds by cluster x {cv['repeats']} repeat(s) (seed {cv['seed']}), "
            f"fitted on the training folds only; mean ± sd over {len(cv['per_fold'])} folds (lowest fold):",
            f"scrub     recall {_cv_line(sm, 'scrub.recall')}  precision {_cv_line(sm, 'scrub.precision')}",
            f"themes    micro F1 {_cv_line(sm, 'themes.f1')}  P {sm['themes.precision']['mean']:.3f} "
            f"R {sm['themes.recall']['mean']:.3f}  mean Jaccard {sm['themes.jaccard']['mean']:.3f}",
            f"wijk      accuracy {_cv_line(sm, 'wijk.accuracy')}",
            f"clusters  test fold alone:   pairwise F1 {_cv_line(sm, 'clusters.f1')}  "
            f"P {sm['clusters.precision']['mean']:.3f} R {sm['clusters.recall']['mean']:.3f}; "
            f"hard negatives kept apart {kept1}/{hn1}",
            f"          among all signals: pairwise F1 {_cv_line(sm, 'clusters_among_all.f1')}  "
            f"P {sm['clusters_among_all.precision']['mean']:.3f} R {sm['clusters_among_all.recall']['mean']:.3f}; "
            f"hard negatives kept apart {kept}/{hn}",
            f"          with labelled themes+wijk (alone): F1 {_cv_line(sm, 'clusters_labelled_inputs.f1')}",
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
    parser.add_argument("path", nargs="?", default=None, help="same as --data")
    parser.add_argument("--data", default=None, help="labelled JSONL file (default: the dev set)")
    parser.add_argument("--json", action="store_true", help="print the measures as JSON")
    parser.add_argument("--folds", type=int, default=5, help="grouped-CV folds (0: no CV)")
    parser.add_argument("--repeats", type=int, default=2, help="grouped-CV repeats with other shuffles")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--method", choices=("learned", "rules"), default="learned")
    parser.add_argument("--write-model", action="store_true",
                        help=f"fit on the whole --data file and write {MODEL_PATH.relative_to(ROOT)}")
    parser.add_argument("--scale", type=int, default=0, metavar="N",
                        help="also insert N signals into a ClusterIndex and count candidates per insert")
    parser.add_argument("--per-key-limit", type=int, default=DEFAULT_PER_KEY_LIMIT)
    parser.add_argument("--no-synonyms", action="store_true",
                        help="keyword evidence without lexicon.SYNONYMS (written on the dev set)")
    parser.add_argument("--theme-study", action="store_true",
                        help="grouped-CV theme F1 of scikit-learn alternatives (needs the dev extra)")
    args = parser.parse_args(argv)
    path = Path(args.data or args.path or DEFAULT_PATH)
    if args.theme_study:
        prep = Prepared(load(path), load_default_taxonomy(), load_rotterdam())
        study = theme_study(prep, max(2, args.folds), args.repeats, args.seed)
        if args.json:
            print(json.dumps(study, indent=2, ensure_ascii=False))
        else:
            print(f"theme study on {path}: grouped CV, {study['folds']} folds x {study['repeats']} "
                  f"repeat(s) (seed {study['seed']}), theme micro-F1 mean ± sd (lowest fold):")
            for name, v in study["variants"].items():
                print(f"  {name:45s} {v['mean']:.3f} ± {v['sd']:.3f} (min {v['min']:.3f})")
        return 0
    if args.write_model:
        model = write_model(path)
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}: theme cut {model.themes.cut}, "
              f"pair threshold {model.pairs.threshold}, pair weights {model.pairs.weights}")
        return 0
    m = measure(path, folds_k=args.folds, repeats=args.repeats, seed=args.seed, method=args.method,
                cv=args.folds > 1, synonyms=not args.no_synonyms)
    if args.scale:
        m["scale"] = scale(load(path), args.scale, args.per_key_limit)
    print(json.dumps(m, indent=2, ensure_ascii=False) if args.json else report(m))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
