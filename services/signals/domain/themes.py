"""Theme taxonomy and keyword classification of signals.

A taxonomy is a CSV (``id,naam,name,keywords``, keywords separated by ``;``); the default one
ships with the package and a council may bring its own. Classification is multi-label: each
theme gets a confidence from the keywords found in the text, and the words that matched are
returned so the reason can be shown. Below the threshold a signal is ``overig``.

Matching understands enough Dutch morphology to be useful without a dictionary: plural and
diminutive endings ("ramen", "plekjes"), compounds with the keyword as head ("blokverwarming")
or as first part ("schimmelplekken"), keywords written together, apart or hyphenated
("cv-ketel", "cv ketel"), and a shared list of irregular forms and English equivalents
(``lexicon.SYNONYMS``).
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from importlib import resources

from shared.errors import InvalidInput, NotFound

from . import learning, lexicon
from .textutil import fold, stem, words

FALLBACK_THEME = "overig"
DEFAULT_THRESHOLD = 0.4
_SCALE = 1.0            # score → confidence: 1 - exp(-score / scale)
_RELATIVE = 0.5         # a second theme needs at least half the score of the first

# Weights by kind of match: a phrase is more specific than a word; a keyword found inside a
# compound says a little less than the word itself, and a synonym a little less again.
_W_PHRASE = 1.3
_W_EXACT = 1.0
_W_HEAD = 0.8
_W_MODIFIER = 0.6
_W_SYNONYM = 0.9
_W_WEAK = 0.5

DEFAULT_MODEL = learning.DEFAULT_MODEL   # the shipped learned model (see learning.py)


@dataclass(frozen=True)
class Theme:
    id: str
    name_nl: str
    name_en: str
    keywords: tuple[str, ...]

    def label(self, lang: str | None = None) -> str:
        return self.name_en if (lang or "nl").lower().startswith("en") else self.name_nl


@dataclass(frozen=True)
class ThemeScore:
    theme_id: str
    confidence: float
    matched: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Pattern:
    theme_id: str
    keyword: str            # the taxonomy keyword this pattern stands for
    stems: tuple[str, ...]
    synonym: bool


class Taxonomy:
    """An ordered set of themes; always contains the fallback theme ``overig``."""

    def __init__(self, themes: list[Theme]) -> None:
        ids = [t.id for t in themes]
        if len(set(ids)) != len(ids):
            raise InvalidInput("signals.taxonomy_invalid", "duplicate theme id in taxonomy")
        if FALLBACK_THEME not in ids:
            themes = [*themes, Theme(FALLBACK_THEME, "Overig", "Other", ())]
        self.themes: tuple[Theme, ...] = tuple(themes)
        self._by_id = {t.id: t for t in self.themes}
        self._patterns = self._compile()
        # Precomputed for classify(): each pattern's weight factor, and an index of the one-word
        # patterns by stem, so a text is matched in O(tokens) instead of O(patterns × tokens).
        self._factors = [(_W_SYNONYM if p.synonym else 1.0) * (_W_WEAK if fold(p.keyword) in lexicon.WEAK_KEYWORDS
                                                               else 1.0) for p in self._patterns]
        # Phrases by their first stem and by their stems written together: a phrase can match
        # only a text that has one of the two.
        self._phrase_by_stem: dict[str, list[int]] = {}
        self._by_stem: dict[str, list[int]] = {}
        for i, p in enumerate(self._patterns):
            if len(p.stems) == 1:
                self._by_stem.setdefault(p.stems[0], []).append(i)
            else:
                for key in {p.stems[0], "".join(p.stems)}:
                    self._phrase_by_stem.setdefault(key, []).append(i)
        self._ids = tuple(t.id for t in self.themes)
        self._order = {theme_id: n for n, theme_id in enumerate(self._ids)}

    def _candidates(self, stems: set[str]) -> list[int]:
        """Indexes (in pattern order) of every pattern that can match one of ``stems``: the stem
        itself, a head it ends with, or a modifier it starts with (see ``_match_kind``); a phrase
        whose first stem, or whose stems written together, are among them."""
        found: set[int] = set()
        for s in stems:
            found.update(self._phrase_by_stem.get(s, ()))
            keys = [s]
            keys += [s[k:] for k in range(3, len(s) - 3)]  # heads: ≥ 4 chars, ≥ 3 chars before
            keys += [s[:j] for j in range(5, len(s) - 2)]  # modifiers: ≥ 5 chars, ≥ 3 chars after
            for key in keys:
                found.update(self._by_stem.get(key, ()))
        return sorted(found)

    @classmethod
    def from_csv_text(cls, text: str) -> "Taxonomy":
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        if not reader.fieldnames or not {"id", "naam", "keywords"} <= set(reader.fieldnames):
            raise InvalidInput("signals.taxonomy_invalid", "taxonomy CSV needs id,naam,keywords columns")
        themes: list[Theme] = []
        for row in reader:
            theme_id = (row.get("id") or "").strip()
            if not theme_id or not theme_id.replace("_", "").isalnum():
                raise InvalidInput("signals.taxonomy_invalid", "taxonomy row without a valid id")
            naam = (row.get("naam") or theme_id).strip()
            keywords = tuple(k.strip() for k in (row.get("keywords") or "").split(";") if k.strip())
            themes.append(Theme(theme_id, naam, (row.get("name") or naam).strip(), keywords))
        if not themes:
            raise InvalidInput("signals.taxonomy_invalid", "taxonomy CSV has no themes")
        return cls(themes)

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._by_id

    def get(self, theme_id: str) -> Theme:
        try:
            return self._by_id[theme_id]
        except KeyError:
            raise NotFound("signals.theme_unknown", f"unknown theme {theme_id!r}",
                           theme=theme_id) from None

    def _compile(self) -> list[_Pattern]:
        patterns: list[_Pattern] = []
        for theme in self.themes:
            for keyword in theme.keywords:
                for surface, synonym in [(keyword, False)] + [
                        (s, True) for s in lexicon.SYNONYMS.get(fold(keyword), ())]:
                    stems = tuple(stem(w.text) for w in words(fold(surface).replace("-", " ")))
                    if stems:
                        patterns.append(_Pattern(theme.id, keyword, stems, synonym))
        return patterns

def load_default_taxonomy() -> Taxonomy:
    """Read the taxonomy CSV shipped with the signals service."""
    text = resources.files("services.signals").joinpath("data/themes.csv").read_text("utf-8")
    return Taxonomy.from_csv_text(text)


@dataclass(frozen=True)
class _Token:
    surface: str
    stem: str
    joined: bool = False    # a hyphenated word taken as one ("cv-ketel" → "cvketel")


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for w in words(text):
        parts = [p for p in w.text.split("-") if p]
        if len(parts) > 1:
            out.append(_Token(w.text, stem(w.text), joined=True))
        out.extend(_Token(p, stem(p)) for p in parts)
    return out


def _match_kind(token: str, pattern: str) -> float:
    if token == pattern:
        return _W_EXACT
    if len(pattern) >= 4 and token.endswith(pattern) and len(token) - len(pattern) >= 3:
        return _W_HEAD
    if len(pattern) >= 5 and token.startswith(pattern) and len(token) - len(pattern) >= 3:
        return _W_MODIFIER
    return 0.0


def keyword_scores(text: str, taxonomy: Taxonomy) -> list[tuple[float, str, list[str]]]:
    """``(score, theme id, matched words)`` for every theme with a keyword in ``text``, highest
    score first: the taxonomy's own evidence, used alone or as features of the learned model."""
    tokens = _tokens(text)
    plain = [t for t in tokens if not t.joined]
    # where each stem stands among the plain tokens, and the tokens with each stem (both in text
    # order): a phrase is looked for only where its first stem is, not at every position
    at: dict[str, list[int]] = {}
    for i, t in enumerate(plain):
        at.setdefault(t.stem, []).append(i)
    with_stem: dict[str, list[_Token]] = {}
    for t in tokens:
        with_stem.setdefault(t.stem, []).append(t)
    # per theme: token position → (weight, keyword, surface); one token counts once per theme
    best: dict[str, dict[object, tuple[float, str, str]]] = {}

    def credit(theme_id: str, slot: object, weight: float, keyword: str, surface: str) -> None:
        slots = best.setdefault(theme_id, {})
        if weight > slots.get(slot, (0.0, "", ""))[0]:
            slots[slot] = (weight, keyword, surface)

    # Patterns in their original order, so ties are credited exactly as a full scan would.
    for index in taxonomy._candidates(set(with_stem)):
        p = taxonomy._patterns[index]
        factor = taxonomy._factors[index]
        if len(p.stems) > 1:
            n = len(p.stems)
            for i in at.get(p.stems[0], ()):
                if i + n <= len(plain) and all(plain[i + k].stem == p.stems[k] for k in range(1, n)):
                    surface = " ".join(t.surface for t in plain[i:i + n])
                    credit(p.theme_id, ("pos", i), _W_PHRASE * factor, p.keyword, surface)
            glued = "".join(p.stems)
            for t in with_stem.get(glued, ()):
                credit(p.theme_id, ("tok", glued), _W_PHRASE * factor, p.keyword, t.surface)
            continue
        for t in tokens:
            kind = _match_kind(t.stem, p.stems[0])
            if kind:
                credit(p.theme_id, ("tok", t.stem), kind * factor, p.keyword, t.surface)

    scores: list[tuple[float, str, list[str]]] = []
    for theme_id, slots in best.items():
        # a keyword counts once, however often it is found
        per_keyword: dict[str, float] = {}
        matched: list[str] = []
        for weight, keyword, surface in slots.values():
            per_keyword[keyword] = max(per_keyword.get(keyword, 0.0), weight)
            shown = fold(surface)
            if shown not in matched and shown.replace("-", " ") not in matched:
                matched.append(shown)
        # "cv" and "ketel" add nothing to "cv ketel" as a reason
        matched = [m for m in matched
                   if not any(m != o and m in o.replace("-", " ").split() for o in matched)]
        scores.append((sum(per_keyword.values()), theme_id, matched))
    scores.sort(key=lambda s: (-s[0], taxonomy._order[s[1]]))
    return scores


def classify(text: str, taxonomy: Taxonomy, threshold: float = DEFAULT_THRESHOLD, *,
             max_themes: int = 2, model: object = DEFAULT_MODEL) -> list[ThemeScore]:
    """Themes for ``text``, most confident first. Never empty: ``overig`` when nothing clears
    the threshold (its confidence is then how sure we are that no theme applies).

    With the learned theme model (``learning.ThemeModel``; by default the one shipped, used when
    it was trained on this taxonomy's themes) the confidence is the model's, calibrated so that
    ``DEFAULT_THRESHOLD`` is the operating point chosen on the training signals; the matched
    keywords are still given as the reason. ``model=None``: keywords alone."""
    if not 0.0 <= threshold <= 1.0 or max_themes < 1:
        raise InvalidInput("signals.threshold_invalid", "threshold must be within 0..1")
    scores = keyword_scores(text, taxonomy)
    if model is DEFAULT_MODEL:
        model = default_theme_model(taxonomy)
    if model is not None:
        return _classify_learned(text, taxonomy, threshold, max_themes, scores, model)

    result: list[ThemeScore] = []
    top = scores[0][0] if scores else 0.0
    for score, theme_id, matched in scores:
        confidence = round(1.0 - math.exp(-score / _SCALE), 3)
        if theme_id == FALLBACK_THEME or confidence < threshold or score < _RELATIVE * top:
            continue
        result.append(ThemeScore(theme_id, confidence, matched))
        if len(result) == max_themes:
            break
    if not result:
        best_conf = 1.0 - math.exp(-top / _SCALE) if top else 0.0
        return [ThemeScore(FALLBACK_THEME, round(1.0 - best_conf, 3), [])]
    return result


def default_theme_model(taxonomy: Taxonomy) -> "learning.ThemeModel | None":
    """The shipped theme model when it was trained on exactly this taxonomy's themes."""
    model = learning.default_model()
    if model is None or model.themes is None:
        return None
    if set(model.themes.theme_ids) != set(taxonomy.ids) - {FALLBACK_THEME}:
        return None
    return model.themes


def _classify_learned(text: str, taxonomy: Taxonomy, threshold: float, max_themes: int,
                      scores: list[tuple[float, str, list[str]]],
                      model: "learning.ThemeModel") -> list[ThemeScore]:
    kw = {theme_id: score for score, theme_id, _ in scores}
    matched = {theme_id: m for _, theme_id, m in scores}
    probs = model.probabilities(text, kw)
    conf = {t: model.confidence(p, DEFAULT_THRESHOLD) for t, p in probs.items() if t in taxonomy}
    ranked = sorted(conf.items(), key=lambda kv: (-kv[1], taxonomy._order[kv[0]]))
    result = [ThemeScore(t, round(c, 3), matched.get(t, [])) for t, c in ranked[:max_themes]
              if c >= threshold and t != FALLBACK_THEME]
    if not result:
        top = ranked[0][1] if ranked else 0.0
        return [ThemeScore(FALLBACK_THEME, round(1.0 - top, 3), [])]
    return result
