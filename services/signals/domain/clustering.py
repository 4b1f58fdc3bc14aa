"""Grouping signals about the same concrete issue.

A cluster is one issue at one place (a street, a complex, a neighbourhood) or, when no place is
named, one incident (the phone outage of that week, the rent taken twice on 1 May). A new
signal joins the cluster of the most similar earlier signal when that similarity clears a
threshold within a time window; otherwise it starts a new cluster.

Scale: nothing here compares all pairs. Each signal gets a few selective *blocking keys*
(its street or complex, a distinctive word, its neighbourhood and theme, or an incident
concept with its week). A store persists ``(key, signal)`` rows in an indexed table and, for a
new signal, fetches for each of its keys only the most recent ``per_key_limit`` signals. The
number of candidates examined per insert is therefore at most ``MAX_KEYS * per_key_limit``,
however many signals are stored. ``ClusterIndex`` does the same in memory.

Features are computed from the *scrubbed* text: no personal data ever reaches a key.
"""
from __future__ import annotations

import math
import re
import statistics
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from shared.errors import InvalidInput

from . import learning, lexicon
from .scrub import ADDRESS, ScrubResult, scrub
from .textutil import Word, fold, stem, words

DEFAULT_WINDOW = timedelta(days=60)            # same place: gap to the latest related signal
DEFAULT_INCIDENT_WINDOW = timedelta(days=14)   # no place named: one incident is short-lived
DEFAULT_THRESHOLD = 0.65      # for rule_similarity(), when no learned pair model is used
DEFAULT_MODEL = learning.DEFAULT_MODEL   # the shipped learned model (see learning.py)
DEFAULT_PER_KEY_LIMIT = 30
BUCKET_DAYS = 7          # incident keys carry the week …
BUCKET_SPAN = 3          # … and are written for this many weeks, so a match spans ≥ 14 days
MAX_DISTINCT_KEYS = 5
MAX_CONCEPT_KEYS = 3
MAX_KEYS = 3 + MAX_DISTINCT_KEYS + 2 + (MAX_CONCEPT_KEYS + 2) * BUCKET_SPAN
MAX_KEY_LENGTH = 120     # keys fit a VARCHAR(120) column

# Scoring weights (see similarity()).
_W_TOPIC = 0.6
_W_PLACE = 0.4
_PLACE_SHARED = 1.0      # same street/complex, or the same distinctive proper name
_PLACE_SAME_WIJK = 0.4   # same neighbourhood, no street or complex in common
_PLACE_ONE_SIDED = 0.15  # one names a place, the other names none
_PLACE_NONE = 0.7        # neither names a place: one incident, if close in time (see window)

_EPOCH = datetime(1970, 1, 5, tzinfo=timezone.utc)   # a Monday: buckets are ISO-like weeks

_CONCEPT_OF: dict[str, str] = {}
_CONCEPT_PHRASES: list[tuple[tuple[str, ...], str]] = []
for _concept, _surfaces in lexicon.CONCEPTS.items():
    for _surface in _surfaces:
        _stems = tuple(stem(w.text) for w in words(fold(_surface)))
        if len(_stems) == 1:
            _CONCEPT_OF.setdefault(_stems[0], _concept)
        elif _stems:
            _CONCEPT_PHRASES.append((_stems, _concept))

# Street names can be written lowercase in chat; these endings are safe to recognise then.
_STRONG_STREET_SUFFIXES = ("straat", "laan", "weg", "plein", "kade", "dijk", "singel", "gracht",
                           "vliet", "hof", "hoven", "bocht", "steeg", "dreef", "plantsoen")
_NOT_PLACES = frozenset({
    "snelweg", "schoolplein", "binnenplein", "speelplein", "hoofdweg", "binnenhof", "achterhof",
    "toegangsweg", "rijweg", "zijweg", "dijk", "straat", "laan", "weg", "plein", "kade", "hof",
    "onderweg", "halfweg", "doorweg", "uitweg", "vluchtweg", "bovenweg", "binnenweg",
})
_BARE_STREET_WORDS = frozenset({"bocht", "haven", "markt", "plein", "kade", "dijk", "singel", "hof"})
_CONTRAST_RE = re.compile(
    r"(?:\bgaat\s+(?:het\s+)?(?:dus\s+)?niet\s+om|\b(?:niks|niets)\s+(?:te\s+maken\s+)?met"
    r"|(?:\bdus|\bmaar|,)\s+niet(?:\s+(?:in|aan|op|bij|om|van))?|\bnot\s+(?:in\s+|about\s+)?(?=the\b)"
    r"|\bnothing\s+to\s+do\s+with)"
    r"\s+(?:(?:de|het|een|die|dat|the|a|an|onze|ons|mijn|my|our)\s+)?", re.IGNORECASE)
_PLACEHOLDER_RE = re.compile(r"\[[a-z-]+\]")


@dataclass(frozen=True)
class SignalFeatures:
    """What clustering knows about one signal; JSON-serialisable via to_dict()."""

    ts: datetime
    wijk: str | None
    themes: frozenset[str]
    tokens: frozenset[str]          # stemmed content words
    concepts: frozenset[str]        # lexicon concepts ("leak", "phone", …)
    places: frozenset[str]          # streets and complexes named, folded and without spaces
    home: frozenset[str]            # streets of addresses given (often the writer's own)
    names: frozenset[str]           # proper names capitalised mid-sentence ("batavier", "linde")
    distinct: tuple[str, ...]       # words worth a blocking key, most distinctive first
    negated: frozenset[str] = frozenset()   # what the text says it is *not* about

    def to_dict(self) -> dict[str, Any]:
        return {"ts": self.ts.isoformat(), "wijk": self.wijk, "themes": sorted(self.themes),
                "tokens": sorted(self.tokens), "concepts": sorted(self.concepts),
                "places": sorted(self.places), "home": sorted(self.home), "names": sorted(self.names),
                "distinct": list(self.distinct), "negated": sorted(self.negated)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SignalFeatures":
        def group(name: str) -> frozenset[str]:
            # A worker keeps the features of its recent candidates (store.features_of): in sets no
            # larger than their words need (a set built word by word may have four times the slots;
            # one made from a dict is sized to it), and the empty groups (most of them) all one set.
            # Not interned: a new word could make Python double its table of interned names (MBs).
            names = data.get(name)
            return frozenset(dict.fromkeys(names)) if names else _NO_WORDS
        return cls(ts=_aware(datetime.fromisoformat(data["ts"])), wijk=data.get("wijk"),
                   themes=group("themes"), tokens=group("tokens"), concepts=group("concepts"),
                   places=group("places"), home=group("home"), names=group("names"),
                   distinct=tuple(data.get("distinct", ())), negated=group("negated"))


_NO_WORDS: frozenset[str] = frozenset()


def _aware(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        raise InvalidInput("signals.timestamp_naive", "timestamps must carry a time zone")
    return ts


def features(text: str, wijk: str | None, themes: Iterable[str], ts: datetime, *,
             ignore: Iterable[str] = (), known_places: Iterable[str] = ()) -> SignalFeatures:
    """Features of a signal. ``text`` may be raw or already scrubbed: it is scrubbed here, so
    that no personal data ends up in features or keys. ``ignore`` lists words that every
    signal of this council shares (the corporation's name, say); ``known_places`` goes to
    scrub() (the council's neighbourhood names)."""
    return features_from_scrub(scrub(text, known_places=known_places), wijk, themes, ts, ignore=ignore)


def features_from_scrub(scrubbed: ScrubResult, wijk: str | None, themes: Iterable[str],
                        ts: datetime, *, ignore: Iterable[str] = ()) -> SignalFeatures:
    """Features from an existing scrub result (saves scrubbing twice)."""
    return features_of_scrubbed(scrubbed.text, home_streets(scrubbed), wijk, themes, ts, ignore=ignore)


def home_streets(scrubbed: ScrubResult) -> frozenset[str]:
    """The streets of the addresses scrub() took out, folded and without spaces: all that the features
    keep of them (``SignalFeatures.home``). With the scrubbed text, they are all a signal queued for
    grouping needs to get the same features later (:func:`features_of_scrubbed`)."""
    # Streets taken out with a house number are not personal data on their own. They are often
    # the writer's home rather than the place of the issue, so they never rule a match out.
    home: set[str] = set()
    for span in scrubbed.found:
        if span.kind == ADDRESS:
            street = re.sub(r"[\s\d-]+[A-Za-z]?$", "", span.value).strip()
            street_words = words(street)
            if street_words:
                home.add("".join(fold(w.text) for w in street_words).replace("-", ""))
    return frozenset(home)


def features_of_scrubbed(scrubbed_text: str, home: Iterable[str], wijk: str | None, themes: Iterable[str],
                         ts: datetime, *, ignore: Iterable[str] = ()) -> SignalFeatures:
    """Features from a scrubbed text and the streets of the addresses taken out of it (:func:`home_streets`)."""
    ts = _aware(ts)
    text = _PLACEHOLDER_RE.sub(" ", scrubbed_text)
    skip = {fold(w) for w in ignore}
    wijk_parts = {stem(w.text) for w in words(fold(wijk))} if wijk else set()
    ws = words(text)
    negated_idx = _contrasted(text, ws)

    tokens: set[str] = set()
    negated: set[str] = set()
    stems: list[str] = []
    distinct: dict[str, float] = {}
    names: set[str] = set()
    places: set[str] = set()
    for i, w in enumerate(ws):
        f = fold(w.text)
        s = stem(w.text)
        stems.append(s)
        if f in lexicon.STOPWORDS or f in lexicon.GENERIC_WORDS or f in skip or len(f) < 3 \
                or not any(c.isalpha() for c in f):
            continue
        if i in negated_idx:
            # "het heeft niks met het dak te maken": the dak is what this signal is *not* about.
            negated.add(s)
            if s in _CONCEPT_OF:
                negated.add(_CONCEPT_OF[s])
            continue
        tokens.add(s)
        if s in wijk_parts:
            continue
        capital = _is_proper(text, ws, i)
        if _is_place_word(f, capital):
            places.add(f.replace("-", ""))
        if s in _CONCEPT_OF or f in lexicon.NOT_NAME_WORDS:
            continue
        if capital:
            names.add(s)
            distinct[s] = max(distinct.get(s, 0.0), 2.0 + len(s) / 100)
        elif len(s) >= 7:
            distinct[s] = max(distinct.get(s, 0.0), len(s) / 100)
    # "Spaanse Bocht", "spaanse bocht": an adjective and a bare street word make one place.
    for i in range(1, len(ws)):
        f, prev = fold(ws[i].text), fold(ws[i - 1].text)
        if f in _BARE_STREET_WORDS and text[ws[i - 1].end:ws[i].start] == " " \
                and prev not in lexicon.STOPWORDS and i not in negated_idx \
                and ((_is_cap(ws[i].text) and _is_cap(ws[i - 1].text)) or prev.endswith("se")):
            places.add(prev + f)
            names.discard(stem(ws[i].text))
            distinct.pop(stem(ws[i].text), None)
    home = set(home)
    kept = [s if i not in negated_idx else "" for i, s in enumerate(stems)]
    concepts = {_CONCEPT_OF[s] for s in kept if s in _CONCEPT_OF}
    for phrase, concept in _CONCEPT_PHRASES:
        n = len(phrase)
        if any(tuple(kept[i:i + n]) == phrase for i in range(len(kept) - n + 1)):
            concepts.add(concept)
    for p in places:
        distinct.pop(p, None)
        names.discard(p)
    order = tuple(sorted(distinct, key=lambda s: (-distinct[s], s)))
    return SignalFeatures(ts=ts, wijk=wijk or None, themes=frozenset(themes) - {"overig"},
                          tokens=frozenset(tokens), concepts=frozenset(concepts),
                          places=frozenset(places), home=frozenset(home - places),
                          names=frozenset(names), distinct=order,
                          negated=frozenset(negated - tokens - concepts))


def _contrasted(text: str, ws: list[Word]) -> set[int]:
    """Indexes of words in a contrastive negation: "gaat niet om de blokverwarming", "niks met
    het dak te maken", ", niet de collectieve installatie", "dus niet in de portiekflats".
    ("geen warm water" is not one: there the missing thing *is* the issue.)"""
    out: set[int] = set()
    starts = {w.start: i for i, w in enumerate(ws)}
    for m in _CONTRAST_RE.finditer(text):
        i = starts.get(m.end())
        while i is not None and i < len(ws) and len(out) < 40:
            out.add(i)
            if i + 1 >= len(ws) or re.search(r"[.,;:!?()\n]", text[ws[i].end:ws[i + 1].start]) \
                    or i - starts[m.end()] >= 5:
                break
            i += 1
    return out


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word)


def _is_proper(text: str, ws: list[Word], i: int) -> bool:
    """Capitalised in the middle of a sentence: a proper name ("de Tarwehof", "De Batavier")."""
    w = ws[i]
    if not _is_cap(w.text):
        return False
    before = text[:w.start].rstrip(" \t\"'(")
    return bool(before) and before[-1] not in ".!?:\n"


def _is_place_word(f: str, capital: bool) -> bool:
    compact = f.replace("-", "")
    if compact in _NOT_PLACES:
        return False
    if any(compact.endswith(s) and len(compact) >= len(s) + 3 for s in _STRONG_STREET_SUFFIXES):
        return True
    return capital and any(compact.endswith(s) and len(compact) >= len(s) + 3
                           for s in lexicon.STREET_SUFFIXES + lexicon.COMPLEX_SUFFIXES)


# --- keys ---------------------------------------------------------------------------------------
def _bucket(ts: datetime) -> int:
    return (ts - _EPOCH).days // BUCKET_DAYS


def blocking_keys(f: SignalFeatures) -> set[str]:
    """Keys under which a signal is stored and by which its candidates are fetched. Two signals
    that could belong together share at least one key. Place and word keys are timeless (the
    store's per-key limit keeps the most recent ones); incident keys carry the week."""
    keys: set[str] = set()
    for p in sorted(f.places | f.home)[:3]:
        keys.add(f"p:{p}")
    for d in f.distinct[:MAX_DISTINCT_KEYS]:
        keys.add(f"d:{d}")
    if f.wijk:
        for theme in sorted(f.themes)[:2] or ["-"]:
            keys.add(f"w:{fold(f.wijk)}:{theme}")
    b = _bucket(f.ts)
    topics = [f"c:{c}" for c in sorted(f.concepts)[:MAX_CONCEPT_KEYS]]
    topics += [f"t:{t}" for t in sorted(f.themes)[:2]]
    for topic in topics:
        for k in range(BUCKET_SPAN):
            keys.add(f"{topic}:{b + k}")
    return {key[:MAX_KEY_LENGTH] for key in keys}


# --- similarity ---------------------------------------------------------------------------------
def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _dice(a: frozenset[str], b: frozenset[str], heavy: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    def weight(s: Iterable[str]) -> float:
        return sum(2.0 if t in heavy else 1.0 for t in s)
    return 2 * weight(a & b) / (weight(a) + weight(b))


def _mentions(places: frozenset[str], other: SignalFeatures) -> bool:
    """One of ``places`` occurs in ``other``: as a place, a home street, a name, or a plain
    word (a street written in lowercase in chat, "nassaublok")."""
    return bool(places & (other.places | other.home | other.names | other.tokens))


def _excludes(a: SignalFeatures, b: SignalFeatures) -> bool:
    """``a`` says it is not about something ``b`` is about."""
    return bool(a.negated & (b.tokens | b.concepts | b.places | b.names))


def place_relation(a: SignalFeatures, b: SignalFeatures) -> float | None:
    """How much the two signals are at the same place; None when they are at different places
    (or one says it is not about what the other is about)."""
    if a.wijk and b.wijk and a.wijk != b.wijk:
        return None
    if _excludes(a, b) or _excludes(b, a):
        return None
    shared = (_mentions(a.places | a.home | a.names, b) or _mentions(b.places | b.home | b.names, a))
    if shared:
        return _PLACE_SHARED
    if a.places and b.places:
        return None        # both name a street or complex, and not the same one
    if a.wijk and a.wijk == b.wijk:
        return _PLACE_SAME_WIJK
    if a.places or b.places or a.home or b.home or a.wijk or b.wijk:
        return _PLACE_ONE_SIDED
    return _PLACE_NONE


def topic_similarity(a: SignalFeatures, b: SignalFeatures) -> float:
    heavy = a.names | b.names | a.places | b.places | frozenset(a.distinct) | frozenset(b.distinct)
    concepts = _overlap(a.concepts, b.concepts)
    text = _dice(a.tokens, b.tokens, heavy)
    themes = _overlap(a.themes, b.themes)
    return 0.45 * concepts + 0.35 * min(1.0, 2 * text) + 0.2 * themes


def rule_similarity(a: SignalFeatures, b: SignalFeatures) -> float:
    """0..1 by the hand-set weights (the method before the learned pair model; used when no
    model is shipped). Time is not part of it (see within_window)."""
    place = place_relation(a, b)
    if place is None:
        return 0.0
    return round(_W_TOPIC * topic_similarity(a, b) + _W_PLACE * place, 4)


def _pair_model(model: object) -> "learning.PairModel | None":
    if model is DEFAULT_MODEL:
        shipped = learning.default_model()
        return shipped.pairs if shipped else None
    return model  # type: ignore[return-value]


class _Vectors:
    """TF-IDF vectors of signals' stems, computed once per set of stems: a stored signal is a
    candidate of many later ones, and its vectors depend only on its stems and the IDF."""

    LIMIT = 256  # stem sets kept (then it starts over): ~7 kB each, under 2 MB per worker; the recent signals are the candidates

    def __init__(self, idf: learning.Idf) -> None:
        self.idf = idf
        self._memo: dict[frozenset[str], tuple[dict[str, float], dict[str, float]]] = {}

    def __call__(self, f: SignalFeatures) -> tuple[dict[str, float], dict[str, float]]:
        hit = self._memo.get(f.tokens)
        if hit is None:
            if len(self._memo) >= self.LIMIT:
                self._memo.clear()
            counts = learning.terms_of_stems(sorted(f.tokens))
            hit = (learning.vector(counts, self.idf, prefix="w:"), learning.vector(counts, self.idf, prefix="g:"))
            self._memo[f.tokens] = hit
        return hit


_shared_vectors: dict[int, _Vectors] = {}


def _vectors_for(idf: learning.Idf) -> _Vectors:
    """The process's vectors for this IDF (the shipped model's, in the service), so that a
    candidate's vectors are computed once however many later signals it is compared with."""
    found = _shared_vectors.get(id(idf))
    if found is None or found.idf is not idf:
        if len(_shared_vectors) >= 8:  # models fitted in evaluation folds: do not keep them all
            _shared_vectors.clear()
        found = _shared_vectors[id(idf)] = _Vectors(idf)
    return found


def pair_features(a: SignalFeatures, b: SignalFeatures, vectors: _Vectors,
                  place: float) -> list[float]:
    """The learned model's view of two signals (``learning.PAIR_FEATURES``); ``place`` is
    place_relation(a, b), which must not be None (those pairs are kept apart by rule)."""
    aw, ag = vectors(a)
    bw, bg = vectors(b)
    shared = a.tokens & b.tokens
    idf = vectors.idf
    rare = max((idf("w:" + t) for t in shared), default=0.0) / idf.max
    days = min(abs((a.ts - b.ts).total_seconds()) / 86400, 60)
    themes = _overlap(a.themes, b.themes)
    recent = math.exp(-days / 7)
    # An incident with no place named (an outage, a wrong debit) shows as a burst of signals on
    # one theme within days; with a shared place the text and the place say more.
    incident = recent * themes * (1.0 if place in (_PLACE_NONE, _PLACE_ONE_SIDED) else 0.0)
    return [learning.cosine(aw, bw), learning.cosine(ag, bg), rare, min(len(shared), 6) / 6,
            1.0 if place == _PLACE_SHARED else 0.0, 1.0 if place == _PLACE_SAME_WIJK else 0.0,
            1.0 if place == _PLACE_ONE_SIDED else 0.0, 1.0 if place == _PLACE_NONE else 0.0,
            themes, days / 30, recent, incident]


def similarity(a: SignalFeatures, b: SignalFeatures, *, model: object = DEFAULT_MODEL,
               vectors: _Vectors | None = None) -> float:
    """0..1: how likely two signals are about the same issue at the same place: the learned
    pair model's probability (the shipped one by default), or rule_similarity() without one.
    Different neighbourhoods, different streets, or one saying it is not about what the other
    is about: 0, by rule."""
    pm = _pair_model(model)
    if pm is None:
        return rule_similarity(a, b)
    place = place_relation(a, b)
    if place is None:
        return 0.0
    vectors = vectors or _vectors_for(pm.idf)
    return round(pm.probability(pair_features(a, b, vectors, place)), 4)


def within_window(new: SignalFeatures, old: SignalFeatures, window: timedelta = DEFAULT_WINDOW,
                  incident_window: timedelta = DEFAULT_INCIDENT_WINDOW) -> bool:
    gap = abs(new.ts - old.ts)
    place = place_relation(new, old)
    limit = incident_window if place in (None, _PLACE_NONE) else window
    return gap <= limit


def choose_cluster(new: SignalFeatures, candidates: list[tuple[str, SignalFeatures]],
                   window: timedelta = DEFAULT_WINDOW, *,
                   incident_window: timedelta = DEFAULT_INCIDENT_WINDOW,
                   threshold: float | None = None, model: object = DEFAULT_MODEL,
                   vectors: _Vectors | None = None) -> str | None:
    """The cluster the new signal joins (that of its most similar candidate within the
    window), or None: start a new cluster. ``threshold`` None: the pair model's own (chosen on
    its training signals), or DEFAULT_THRESHOLD for rule_similarity()."""
    pm = _pair_model(model)
    if threshold is None:
        threshold = pm.threshold if pm is not None else DEFAULT_THRESHOLD
    if pm is not None and (vectors is None or vectors.idf is not pm.idf):
        vectors = _vectors_for(pm.idf)
    best: tuple[float, datetime, str] | None = None
    # A cluster with a member in another neighbourhood is not joined, however similar another
    # member is: that stops chains from drifting. (Different streets only veto the pair
    # itself: a complex and its streets go by different names.)
    vetoed = {cid for cid, old in candidates
              if abs(new.ts - old.ts) <= window and new.wijk and old.wijk and new.wijk != old.wijk}
    for cluster_id, old in candidates:
        if cluster_id in vetoed:
            continue
        # within_window() and similarity(), with the place relation worked out once
        place = place_relation(new, old)
        if abs(new.ts - old.ts) > (incident_window if place in (None, _PLACE_NONE) else window):
            continue
        if pm is None:
            score = rule_similarity(new, old)
        elif place is None:
            score = 0.0
        else:
            assert vectors is not None
            score = round(pm.probability(pair_features(new, old, vectors, place)), 4)
        if score < threshold:
            continue
        key = (score, old.ts, cluster_id)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


# --- in-memory index ----------------------------------------------------------------------------
class ClusterIndex:
    """The clustering a store does, in memory: for benchmarks, evaluation and tests.

    Each key keeps only its ``per_key_limit`` most recent signals, so one insert examines at
    most ``MAX_KEYS * per_key_limit`` candidates whatever the size of the index.
    """

    def __init__(self, *, window: timedelta = DEFAULT_WINDOW,
                 incident_window: timedelta = DEFAULT_INCIDENT_WINDOW,
                 threshold: float | None = None, per_key_limit: int = DEFAULT_PER_KEY_LIMIT,
                 new_cluster_id: Callable[[int], str] | None = None,
                 model: object = DEFAULT_MODEL) -> None:
        if per_key_limit < 1:
            raise InvalidInput("signals.cluster_config_invalid", "per_key_limit must be positive")
        self.window = window
        self.incident_window = incident_window
        self.threshold = threshold
        self.model = model
        pm = _pair_model(model)
        self._vectors = _Vectors(pm.idf) if pm is not None else None
        self.per_key_limit = per_key_limit
        self._new_id = new_cluster_id or (lambda n: f"k{n:06d}")
        self._signals: list[tuple[str, SignalFeatures]] = []
        self._by_key: dict[str, deque[int]] = {}
        self._clusters = 0
        self.last_candidates = 0          # candidates examined by the latest assign/add
        self.max_candidates = 0

    def __len__(self) -> int:
        return len(self._signals)

    def candidates(self, f: SignalFeatures) -> list[tuple[str, SignalFeatures]]:
        seen: set[int] = set()
        out: list[tuple[str, SignalFeatures]] = []
        for key in sorted(blocking_keys(f)):
            for idx in self._by_key.get(key, ()):
                if idx not in seen:
                    seen.add(idx)
                    out.append(self._signals[idx])
        self.last_candidates = len(out)
        self.max_candidates = max(self.max_candidates, len(out))
        return out

    def assign(self, f: SignalFeatures) -> str | None:
        """The existing cluster this signal would join, or None."""
        return choose_cluster(f, self.candidates(f), self.window, incident_window=self.incident_window,
                              threshold=self.threshold, model=self.model, vectors=self._vectors)

    def add(self, f: SignalFeatures, cluster_id: str | None = None) -> str:
        """Store the signal; in the given cluster (a member's correction) or the one chosen."""
        chosen = cluster_id or self.assign(f)
        if chosen is None:
            self._clusters += 1
            chosen = self._new_id(self._clusters)
        idx = len(self._signals)
        self._signals.append((chosen, f))
        for key in blocking_keys(f):
            bucket = self._by_key.get(key)
            if bucket is None:
                bucket = self._by_key[key] = deque(maxlen=self.per_key_limit)
            bucket.append(idx)
        return chosen


# --- fitting the pair model ---------------------------------------------------------------------
def candidate_pairs(signals: list[SignalFeatures], window: timedelta = DEFAULT_WINDOW,
                    incident_window: timedelta = DEFAULT_INCIDENT_WINDOW
                    ) -> list[tuple[int, int, float]]:
    """``(new, earlier, place)`` index pairs that clustering would compare: the earlier signal is
    a candidate through a blocking key, inside the window, and not kept apart by rule."""
    order = sorted(range(len(signals)), key=lambda i: signals[i].ts)
    by_key: dict[str, list[int]] = {}
    out = []
    for i in order:
        f = signals[i]
        keys = blocking_keys(f)
        seen: set[int] = set()
        for key in keys:
            seen.update(by_key.get(key, ()))
        for j in sorted(seen):
            old = signals[j]
            if not within_window(f, old, window, incident_window):
                continue
            place = place_relation(f, old)
            if place is not None:
                out.append((i, j, place))
        for key in keys:
            by_key.setdefault(key, []).append(i)
    return out


def pairwise_f1(predicted: list[str], gold: list[str]) -> float:
    tp = fp = fn = 0
    for i in range(len(gold)):
        for j in range(i):
            same_gold, same_pred = gold[i] == gold[j], predicted[i] == predicted[j]
            tp += same_gold and same_pred
            fp += same_pred and not same_gold
            fn += same_gold and not same_pred
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def fit_pair_model(signals: list[SignalFeatures], clusters: list[str], *, l2: float = 1.0,
                   per_key_limit: int = DEFAULT_PER_KEY_LIMIT) -> "learning.PairModel":
    """Fit the pair model on labelled training signals (their features and cluster labels):
    IDF from their stems, logistic weights on the pairs clustering would compare, then the
    threshold that gives the best pairwise F1 when the training signals are clustered in time
    order."""
    idf = learning.Idf.fit([learning.terms_of_stems(f.tokens).keys() for f in signals], min_df=2)
    vectors = _Vectors(idf)
    pairs = candidate_pairs(signals)
    rows = [pair_features(signals[i], signals[j], vectors, place) for i, j, place in pairs]
    labels = [1 if clusters[i] == clusters[j] else 0 for i, j, _ in pairs]
    if not rows or not any(labels) or all(labels):
        weights = [0.0] * (len(learning.PAIR_FEATURES) + 1)
    else:
        prior = [learning.PAIR_PRIOR.get(name, 0.0) for name in learning.PAIR_FEATURES]
        weights = learning.fit_logistic(rows, labels, l2=l2, prior=prior)
    weights = [round(w, 6) for w in weights]
    order = sorted(range(len(signals)), key=lambda i: signals[i].ts)
    gold = [clusters[i] for i in order]
    scores = []
    for k in range(10, 91, 2):
        model = learning.PairModel(idf, tuple(weights), k / 100)
        index = ClusterIndex(model=model, per_key_limit=per_key_limit)
        predicted = [index.add(signals[i]) for i in order]
        scores.append((pairwise_f1(predicted, gold), k / 100))
    # small training sets give a ragged curve: choose on F1 averaged with the neighbouring cuts
    smooth = [statistics.fmean(f1 for f1, _ in scores[max(0, i - 2):i + 3]) for i in range(len(scores))]
    best = max(range(len(scores)), key=lambda i: (smooth[i], -i))
    return learning.PairModel(idf, tuple(weights), scores[best][1])
