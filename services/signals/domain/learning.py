"""Small learned models for the signals domain: themes and the same-issue decision for two signals.

Everything here is pure Python (no numpy, no scikit-learn): a worker only ever evaluates a few dot
products, and the fitted parameters are plain numbers and word tables (``signals_model.py``,
written by ``bench/signals_quality.py --write-model`` from a labelled file; the same fitting code
runs inside every cross-validation fold on the training folds only).

Text is represented as TF-IDF vectors over *terms*: stemmed content words (``w:``) and character
4-grams of those stems (``g:``; they tie compounds and spelling variants together:
"scootmobielstalling"/"scootmobiel", "bergingencomplex"/"berging"). Words that were not seen in
training get the highest IDF: a new street or a new kind of problem is distinctive by nature.

Themes: each theme has a centroid of the TF-IDF vectors of its training signals. A signal's
candidate themes are scored by one logistic model shared by all themes, on a few features per
(signal, theme): the cosine to the theme's centroid, the taxonomy keyword score, and how each
compares with the best theme. Sharing one model across themes keeps the number of fitted
parameters tiny (a dozen), so it does not learn the training issues by heart.

Pairs: one logistic model on features of two signals (text cosines, a shared rare word, place
and neighbourhood relations, theme and concept overlap, time apart); its probability is the
similarity clustering compares with a threshold chosen on the training signals.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Sequence

from . import lexicon
from .textutil import fold, stem, words

GRAM = 4
DEFAULT_MODEL: Any = object()   # "the shipped model": the default of classify(), similarity(), …
MAX_CENTROID_TERMS = 600        # per theme: the heaviest terms of its centroid are kept
THEME_TERMS = "g:"              # theme centroids are over character n-grams


# --- terms and vectors ---------------------------------------------------------------------
def content_stems(text: str) -> list[str]:
    """Stems of the content words of ``text`` (placeholders such as "[naam]" are dropped)."""
    out = []
    for w in words(text):
        f = fold(w.text)
        if f in lexicon.STOPWORDS or f in lexicon.GENERIC_WORDS or len(f) < 3 \
                or not any(c.isalpha() for c in f):
            continue
        out.append(stem(w.text))
    return out


def terms_of_stems(stems: Iterable[str]) -> Counter[str]:
    """Word terms and character n-gram terms (counted) of a list of stems."""
    c: Counter[str] = Counter()
    for s in stems:
        c["w:" + s] += 1
        padded = f"<{s}>"
        for i in range(len(padded) - GRAM + 1):
            c["g:" + padded[i:i + GRAM]] += 1
    return c


@dataclass(frozen=True)
class Idf:
    """Inverse document frequencies learned from ``docs`` signals; unseen terms get the maximum."""

    docs: int
    df: dict[str, int]

    @classmethod
    def fit(cls, term_sets: Sequence[Iterable[str]], *, min_df: int = 2) -> "Idf":
        df: Counter[str] = Counter()
        for ts in term_sets:
            df.update(set(ts))
        return cls(len(term_sets), {t: n for t, n in df.items() if n >= min_df})

    def __call__(self, term: str) -> float:
        return math.log((self.docs + 1) / (self.df.get(term, 0) + 1)) + 1.0

    @property
    def max(self) -> float:
        return math.log(self.docs + 1) + 1.0


def vector(counts: Counter[str] | Iterable[str], idf: Idf, *, prefix: str | None = None) -> dict[str, float]:
    """L2-normalised sublinear TF-IDF vector (only terms starting with ``prefix`` when given)."""
    if not isinstance(counts, Counter):
        counts = Counter(counts)
    v = {t: (1.0 + math.log(n)) * idf(t) for t, n in counts.items()
         if prefix is None or t.startswith(prefix)}
    norm = math.sqrt(sum(x * x for x in v.values()))
    return {t: x / norm for t, x in v.items()} if norm else {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


# --- logistic regression (Newton's method; a handful of dense features) ----------------------
def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def fit_logistic(rows: Sequence[Sequence[float]], labels: Sequence[int], *, l2: float = 1.0,
                 iterations: int = 12, weights: Sequence[float] | None = None,
                 prior: Sequence[float] | None = None) -> list[float]:
    """Weights (last one the bias) of an L2-regularised logistic regression (bias not penalised),
    shrunk towards ``prior`` (zeros by default): a Gaussian prior, so a feature the training
    signals say nothing about keeps its prior weight. Deterministic: Newton steps."""
    d = len(rows[0]) + 1
    w0 = list(prior) + [0.0] if prior is not None else [0.0] * d
    w = list(w0)
    xs = [list(r) + [1.0] for r in rows]
    sw = list(weights) if weights is not None else [1.0] * len(xs)
    for _ in range(iterations):
        grad = [l2 * (w[j] - w0[j]) if j < d - 1 else 0.0 for j in range(d)]
        hess = [[(l2 if (i == j and i < d - 1) else 0.0) for j in range(d)] for i in range(d)]
        for x, y, s in zip(xs, labels, sw):
            p = sigmoid(sum(a * b for a, b in zip(w, x)))
            g = s * (p - y)
            h = s * max(p * (1 - p), 1e-6)
            for i in range(d):
                xi = x[i]
                if xi == 0.0:
                    continue
                grad[i] += g * xi
                hi = hess[i]
                hxi = h * xi
                for j in range(i, d):
                    if x[j] != 0.0:
                        hi[j] += hxi * x[j]
        for i in range(d):
            for j in range(i):
                hess[i][j] = hess[j][i]
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return w


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[piv] = m[piv], m[c]
        if abs(m[c][c]) < 1e-12:
            m[c][c] = 1e-12
        for r in range(n):
            if r != c and m[r][c] != 0.0:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] for i in range(n)]


def predict(w: Sequence[float], x: Sequence[float]) -> float:
    return sigmoid(sum(a * b for a, b in zip(w, x)) + w[-1])


# --- themes --------------------------------------------------------------------------------
def _theme_rows(cos: dict[str, float], kw: dict[str, float], theme_ids: Sequence[str]) -> list[list[float]]:
    """One feature row per theme: centroid cosine and keyword evidence, alone and against the
    best theme; the theme's own prior, and how much its centroid is worth."""
    conf = {t: 1.0 - math.exp(-kw.get(t, 0.0)) for t in theme_ids}
    cmax = max(cos.values(), default=0.0) or 1e-9
    kmax = max(conf.values(), default=0.0)
    ranked = sorted(theme_ids, key=lambda t: -cos.get(t, 0.0))
    second = cos.get(ranked[1], 0.0) if len(ranked) > 1 else 0.0
    rows = []
    for t in theme_ids:
        c, k = cos.get(t, 0.0), conf[t]
        row = [c, c / cmax, 1.0 if c >= cmax else 0.0, max(0.0, c - second) if c >= cmax else 0.0,
               k, k - kmax, 1.0 if k > 0 and k >= kmax else 0.0, c * k]
        # each theme's own prior (how often it is one of a signal's themes at all)
        row += [1.0 if t == other else 0.0 for other in theme_ids]
        row += [c if t == other else 0.0 for other in theme_ids]
        rows.append(row)
    return rows


@dataclass(frozen=True)
class ThemeModel:
    theme_ids: tuple[str, ...]
    idf: Idf
    centroids: dict[str, dict[str, float]]
    weights: tuple[float, ...]
    cut: float                      # probability at which a theme is given (chosen in training)
    max_themes: int = 2

    def probabilities(self, text: str, kw: dict[str, float]) -> dict[str, float]:
        vec = vector(terms_of_stems(content_stems(text)), self.idf, prefix=THEME_TERMS)
        cos = {t: cosine(vec, self.centroids.get(t, {})) for t in self.theme_ids}
        return {t: predict(self.weights, row)
                for t, row in zip(self.theme_ids, _theme_rows(cos, kw, self.theme_ids))}

    def confidence(self, p: float, default_threshold: float) -> float:
        """``p`` rescaled so that the chosen cut lands on ``default_threshold``."""
        p = min(max(p, 1e-9), 1 - 1e-9)
        z = math.log(p / (1 - p)) - math.log(self.cut / (1 - self.cut)) \
            + math.log(default_threshold / (1 - default_threshold))
        return sigmoid(z)

    def to_dict(self) -> dict:
        return {"theme_ids": list(self.theme_ids), "idf_docs": self.idf.docs, "idf_df": self.idf.df,
                "centroids": self.centroids, "weights": list(self.weights), "cut": self.cut,
                "max_themes": self.max_themes}

    @classmethod
    def from_dict(cls, d: dict) -> "ThemeModel":
        return cls(tuple(d["theme_ids"]), Idf(d["idf_docs"], dict(d["idf_df"])),
                   {t: dict(c) for t, c in d["centroids"].items()}, tuple(d["weights"]), d["cut"],
                   d.get("max_themes", 2))


def decide_themes(probs: dict[str, float], cut: float, max_themes: int) -> set[str]:
    ranked = sorted(probs.items(), key=lambda kv: -kv[1])
    return {t for t, p in ranked[:max_themes] if p >= cut}


def fit_theme_model(texts: Sequence[str], labels: Sequence[set[str]], kws: Sequence[dict[str, float]],
                    theme_ids: Sequence[str], *, fallback: str = "overig", l2: float = 1.0) -> ThemeModel:
    """Fit on training signals only: ``texts`` (scrubbed), their labelled themes, and the
    taxonomy keyword scores of each (``themes.keyword_scores``)."""
    theme_ids = tuple(t for t in theme_ids if t != fallback)
    counts = [terms_of_stems(content_stems(t)) for t in texts]
    idf = Idf.fit([c.keys() for c in counts], min_df=1)
    vecs = [vector(c, idf, prefix=THEME_TERMS) for c in counts]
    sums: dict[str, dict[str, float]] = {t: {} for t in theme_ids}
    for v, gold in zip(vecs, labels):
        for t in gold:
            if t in sums:
                acc = sums[t]
                for term, x in v.items():
                    acc[term] = acc.get(term, 0.0) + x
    sq = {t: sum(x * x for x in s.values()) for t, s in sums.items()}
    rows: list[list[float]] = []
    ys: list[int] = []
    per_doc: list[list[list[float]]] = []
    for v, gold, kw in zip(vecs, labels, kws):
        cos = {}
        for t in theme_ids:
            dot = cosine(v, sums[t])
            if t in gold:       # leave the signal out of its own centroid
                norm2 = sq[t] - 2 * dot + 1.0
                dot -= 1.0
            else:
                norm2 = sq[t]
            cos[t] = dot / math.sqrt(norm2) if norm2 > 1e-9 else 0.0
        doc_rows = _theme_rows(cos, kw, theme_ids)
        per_doc.append(doc_rows)
        for t, row in zip(theme_ids, doc_rows):
            rows.append(row)
            ys.append(1 if t in gold else 0)
    weights = fit_logistic(rows, ys, l2=l2)
    # the cut that gives the best micro-F1 on the training signals (left-out centroids)
    found = []
    for k in range(10, 91, 2):
        cut = k / 100
        tp = fp = fn = 0
        for doc_rows, gold in zip(per_doc, labels):
            probs = {t: predict(weights, row) for t, row in zip(theme_ids, doc_rows)}
            pred = decide_themes(probs, cut, 2) or {fallback}
            tp += len(pred & gold)
            fp += len(pred - gold)
            fn += len(gold - pred)
        found.append((2 * tp / (2 * tp + fp + fn) if tp else 0.0, cut))
    top = max(f1 for f1, _ in found)
    cuts = [cut for f1, cut in found if f1 >= top - 1e-9]
    centroids = {}
    for t, s in sums.items():
        norm = math.sqrt(sq[t]) or 1.0
        top = sorted(s.items(), key=lambda kv: -kv[1])[:MAX_CENTROID_TERMS]
        centroids[t] = {term: round(x / norm, 5) for term, x in top}
    shipped_idf = Idf(idf.docs, {t: n for t, n in idf.df.items() if n >= 2 and t.startswith(THEME_TERMS)})
    return ThemeModel(theme_ids, shipped_idf, centroids, tuple(round(w, 6) for w in weights),
                      cuts[len(cuts) // 2])


# --- pairs ---------------------------------------------------------------------------------
PAIR_FEATURES = ("cos_words", "cos_grams", "rare_shared", "shared_terms", "same_place", "same_wijk",
                 "one_sided_place", "no_place", "themes", "days", "recent", "incident")
# Prior weights (the fitted weights are shrunk towards these, not towards 0). Domain knowledge, as
# the labelling guide states it: without a place, signals on one theme within days are one
# incident (an outage, a wrong debit). A training set without such an incident cannot teach it.
PAIR_PRIOR = {"incident": 2.0}


@dataclass(frozen=True)
class PairModel:
    """P(same issue) for two signals that could be together (see clustering.pair_features)."""

    idf: Idf
    weights: tuple[float, ...]
    threshold: float
    features: tuple[str, ...] = PAIR_FEATURES

    def probability(self, row: Sequence[float]) -> float:
        return predict(self.weights, row)

    def to_dict(self) -> dict[str, Any]:
        return {"idf_docs": self.idf.docs, "idf_df": self.idf.df, "weights": list(self.weights),
                "threshold": self.threshold, "features": list(self.features)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PairModel":
        return cls(Idf(d["idf_docs"], dict(d["idf_df"])), tuple(d["weights"]), d["threshold"],
                   tuple(d.get("features", PAIR_FEATURES)))


# --- the shipped model ---------------------------------------------------------------------
@dataclass(frozen=True)
class Model:
    """Everything learned from a labelled file: the theme model and the pair model."""

    themes: ThemeModel | None
    pairs: "PairModel | None"
    trained_on: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"trained_on": self.trained_on,
                "themes": self.themes.to_dict() if self.themes else None,
                "pairs": self.pairs.to_dict() if self.pairs else None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Model":
        return cls(ThemeModel.from_dict(d["themes"]) if d.get("themes") else None,
                   PairModel.from_dict(d["pairs"]) if d.get("pairs") else None,
                   dict(d.get("trained_on", {})))


@lru_cache(maxsize=1)
def default_model() -> Model | None:
    """The model shipped in ``signals_model.py`` (None when there is none)."""
    try:
        from .signals_model import MODEL
    except ImportError:
        return None
    return Model.from_dict(MODEL)
