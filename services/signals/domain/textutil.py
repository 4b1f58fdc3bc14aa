"""Text helpers shared by the scrubber, the theme classifier and the clustering.

Everything here is pure: no I/O, no clock. Matching happens on a normalised *view* of the
text (NFKC, dashes unified, invisible characters dropped) that keeps a map back to the
original offsets, so replacements are always made in the text the resident wrote.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Bidi overrides/isolates, zero-width characters and marks, BOM, and the line/paragraph
# separators: they can reorder or hide text in a chat client, so they never leave the domain.
_INVISIBLE = (
    {chr(c) for c in range(0x202A, 0x202F)}      # LRE RLE PDF LRO RLO
    | {chr(c) for c in range(0x2066, 0x206A)}    # LRI RLI FSI PDI
    | {chr(c) for c in range(0x200B, 0x2010)}    # ZWSP ZWNJ ZWJ LRM RLM
    | {chr(c) for c in range(0x2060, 0x2065)}    # word joiner, invisible operators
    | {"\ufeff", "\u061c", "\u180e", "\u00ad"}   # BOM, Arabic letter mark, MVS, soft hyphen
)
_LINE_SEPARATORS = {"\u2028", "\u2029"}
CONTROL_CHARS = frozenset(_INVISIBLE | _LINE_SEPARATORS)

# Dash-like characters residents (or their phones) put inside numbers.
_DASHES = {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63", "\uff0d"}


def neutralise_controls(text: str) -> str:
    """Drop bidi/invisible characters; line and paragraph separators become a newline."""
    if not any(ch in CONTROL_CHARS for ch in text):
        return text
    return "".join("\n" if ch in _LINE_SEPARATORS else ch
                   for ch in text if ch not in _INVISIBLE)


@dataclass(frozen=True)
class NormalisedView:
    """``text`` normalised for matching, with ``start[i]``/``end[i]`` the original span of
    normalised character ``i``."""

    original: str
    text: str
    start: tuple[int, ...]
    end: tuple[int, ...]

    def to_original(self, a: int, b: int) -> tuple[int, int]:
        """Map the normalised half-open span [a, b) back to the original text."""
        if a >= b:
            pos = self.start[a] if a < len(self.start) else len(self.original)
            return pos, pos
        return self.start[a], self.end[b - 1]


def normalised_view(original: str) -> NormalisedView:
    """NFKC per grapheme-ish cluster (base + combining marks) so offsets stay mappable."""
    if original.isascii():
        # Most texts (88 % of the labelled ones): NFKC leaves ASCII as it is, and no control character,
        # dash or combining mark handled below is ASCII, so each character maps to itself.
        n = len(original)
        return NormalisedView(original, original, tuple(range(n)), tuple(range(1, n + 1)))
    return _normalised_by_cluster(original)


def _normalised_by_cluster(original: str) -> NormalisedView:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(original)
    while i < n:
        ch = original[i]
        if ch in CONTROL_CHARS:
            if ch in _LINE_SEPARATORS:
                out.append("\n")
                starts.append(i)
                ends.append(i + 1)
            i += 1
            continue
        j = i + 1
        while j < n and unicodedata.combining(original[j]):
            j += 1
        cluster = original[i:j]
        norm = unicodedata.normalize("NFKC", cluster)
        norm = "".join("-" if c in _DASHES else c for c in norm)
        for c in norm:
            out.append(c)
            starts.append(i)
            ends.append(j)
        i = j
    return NormalisedView(original, "".join(out), tuple(starts), tuple(ends))


# fold() and stem() are pure and called for the same few thousand words over and over (every
# word of every signal by the scrubber, the classifier and the clustering, every neighbourhood
# name per scrub): memoised per process for words and names. Longer strings (whole texts) are
# computed each time, so the bounded cache stays small.
_WORD_CACHE = 4096  # words per cache: a few thousand are in use, ~200 bytes each (under 1 MB)
_WORD_MAX = 48


def fold(text: str) -> str:
    """Lowercase, NFKC and without diacritics: the form used for dictionary look-ups."""
    if text.isascii():
        # NFKC and NFKD leave ASCII as it is and it carries no diacritics: faster than the cache's
        # look-up, and the cache keeps only the other words (most words are ASCII).
        return text.lower()
    return _fold_word(text) if len(text) <= _WORD_MAX else _fold(text)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("ı", "i").replace("ß", "ss").replace("’", "'")


_fold_word = lru_cache(maxsize=_WORD_CACHE)(_fold)


_WORD_RE = re.compile(r"[^\W_](?:[^\W_]|['’-](?=[^\W_]))*")


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """Words with inner hyphens/apostrophes kept ("cv-ketel", "Kramer-de", "m'n")."""
    return [Word(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


_VOWELS = set("aeiou")
# Endings after which a final -s is the Dutch plural (and not part of the stem).
_S_PLURAL_BASES = ("el", "er", "em", "en", "ie", "ee", "ier", "um")


def stem(word: str) -> str:
    """A light Dutch stemmer: plural and diminutive endings only, so "ramen" → "raam",
    "bussen" → "bus", "schimmelplekjes" → "schimmelplek", "muizen" → "muis".

    Deliberately conservative: derivational endings (-ing, -heid) carry meaning here.
    """
    return _stem_word(word) if len(word) <= _WORD_MAX else _stem(word)


def _stem(word: str) -> str:
    w = fold(word).replace("-", "")
    if w.endswith("'s") and len(w) > 4:
        return w[:-2]                       # "auto's", "foto's"
    w = w.replace("'", "")
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("jes"):
        w = w[:-1]
    if w.endswith("je") and len(w) >= 6:
        return _diminutive_base(w)
    if w.endswith("s") and w[:-1].endswith(_S_PLURAL_BASES) and len(w) >= 5:
        return w[:-1]                       # "bewoners", "ketels"; not "glas", "huis"
    for suffix in ("en", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return _repair(w[: -len(suffix)], plural=True)
    return w


_stem_word = lru_cache(maxsize=_WORD_CACHE)(_stem)


def _diminutive_base(w: str) -> str:
    # -etje after a short vowel ("balletje"), -pje after m ("boompje"), -tje after a vowel
    # or l/n/r/w ("stoeltje"), otherwise -je ("plekje", "lampje").
    if w.endswith("etje") and len(w) >= 7 and w[-5] == w[-6] and w[-5] not in _VOWELS:
        return w[:-5]
    if w.endswith("pje") and w[-4] == "m" and w[-5] in _VOWELS and w[-6] in _VOWELS:
        return w[:-3]
    if w.endswith("tje") and (w[-4] in _VOWELS or w[-4] in "lnrw"):
        return w[:-3]
    return w[:-2]


def _repair(base: str, *, plural: bool) -> str:
    # Undo consonant doubling ("bussen" → "bus") and the spelling shifts z→s, v→f.
    if len(base) >= 3 and base[-1] == base[-2] and base[-1] not in _VOWELS:
        return base[:-1]
    if base.endswith("z"):
        base = base[:-1] + "s"
    elif base.endswith("v"):
        base = base[:-1] + "f"
    # Open syllable lost its double vowel in the plural: "ramen" → "raam", "buren" → "buur".
    if (plural and len(base) >= 3 and base[-1] not in _VOWELS and base[-2] in _VOWELS
            and base[-3] not in _VOWELS and not base.endswith(("ij", "ig", "er", "el"))):
        return base[:-1] + base[-2] + base[-1]
    return base
