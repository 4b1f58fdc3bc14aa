"""Short summaries for a cluster card and the evidence sent along with ``!agenderen``.

Everything returned here is scrubbed again, whatever the caller passes: a summary or a sample
ends up in Matrix and in the deliberation service, where personal data must never go.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from shared.errors import InvalidInput

from . import lexicon
from .scrub import scrub
from .textutil import fold

SUMMARY_LIMIT = 160
ELLIPSIS = "…"

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
# Openings and form headers that say nothing about the issue.
_EMPTY_OPENING_RE = re.compile(
    r"^(?:(?:goede(?:n)?(?:dag|morgen|middag|avond)|hallo|hoi|beste\s+\w+|geachte\s+[\w\s/]+|"
    r"dear\s+\w+|hi|hello|hey)[\s,!.]*|(?:onderwerp|subject|bcc|cc|to|aan|van|from|x-[\w-]+)\s*:.*)$",
    re.IGNORECASE)
_CLOSING_RE = re.compile(
    r"^(?:met\s+)?(?:vriendelijke\s+|hartelijke\s+)?groet(?:en|jes)?\b|^(?:thanks|regards|kind regards)\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class EvidenceSignal:
    """One signal of a cluster as the evidence needs it."""

    text: str
    ts: datetime
    wijk: str | None = None
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClusterEvidence:
    count: int
    neighbourhoods: list[str]
    first: datetime
    last: datetime
    samples: list[str]
    themes: list[str] = field(default_factory=list)
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "neighbourhoods": self.neighbourhoods,
                "first": self.first.isoformat(), "last": self.last.isoformat(),
                "samples": self.samples, "themes": self.themes, "summary": self.summary}


def _clean(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text).strip()


def _meaningful(sentence: str) -> bool:
    s = sentence.strip()
    if not s or _EMPTY_OPENING_RE.match(s) or _CLOSING_RE.match(s):
        return False
    # Only placeholders, punctuation and emoji: a signature or a contact line.
    rest = re.sub(r"\[[a-z-]+\]", " ", s)
    return len(re.findall(r"[^\W\d_]{2,}", rest)) >= 2


def truncate(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """Cut at a word boundary so that the result, ellipsis included, has at most ``limit``
    characters."""
    text = _clean(text.replace("\n", " "))
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > limit // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–([") + ELLIPSIS


def summarise(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """The first meaningful sentence(s) of ``text``, scrubbed, at most ``limit`` characters."""
    if limit < 20:
        raise InvalidInput("signals.summary_limit_invalid", "summary limit too small")
    clean = scrub(text).text
    sentences = [_clean(s) for s in _SENTENCE_RE.split(clean) if s and s.strip()]
    useful = [s for s in sentences if _meaningful(s)] or sentences
    if not useful:
        return ""
    out = useful[0]
    for nxt in useful[1:]:
        # A very short opening ("Lift kapot!") reads better with the next sentence.
        if len(out) >= 60 or len(out) + 1 + len(nxt) > limit:
            break
        out = f"{out} {nxt}"
    return truncate(out, limit)


def cluster_summary(texts: Iterable[str], limit: int = SUMMARY_LIMIT) -> str:
    """The card's summary: from the earliest signal that has something to say."""
    fallback = ""
    for text in texts:
        summary = summarise(text, limit)
        content = [w for w in re.findall(r"[^\W\d_]{2,}", summary) if fold(w) not in lexicon.STOPWORDS]
        if len(content) >= 2:
            return summary
        fallback = fallback or summary
    return fallback


def evidence(signals: Iterable[EvidenceSignal], *, samples: int = 3,
             sample_limit: int = SUMMARY_LIMIT) -> ClusterEvidence:
    """Count, neighbourhoods (most named first), first and last date, up to ``samples``
    distinct scrubbed sample texts (the first, the fullest, the latest), themes."""
    items = sorted(signals, key=lambda s: s.ts)
    if not items:
        raise InvalidInput("signals.cluster_empty", "a cluster without signals has no evidence")
    if any(s.ts.tzinfo is None for s in items):
        raise InvalidInput("signals.timestamp_naive", "timestamps must carry a time zone")
    wijken = Counter(s.wijk for s in items if s.wijk)
    order = {w: i for i, w in reversed(list(enumerate(s.wijk for s in items)))}
    neighbourhoods = sorted(wijken, key=lambda w: (-wijken[w], order[w]))
    themes = Counter(t for s in items for t in s.themes)
    theme_order = sorted(themes, key=lambda t: (-themes[t], t))

    summaries = [summarise(s.text, sample_limit) for s in items]
    picks: list[int] = [0]
    if len(items) > 2:
        picks.append(max(range(1, len(items) - 1), key=lambda i: len(summaries[i])))
    if len(items) > 1:
        picks.append(len(items) - 1)
    chosen: list[str] = []
    seen: set[str] = set()
    for i in picks + list(range(len(items))):
        key = fold(summaries[i])
        if summaries[i] and key not in seen:
            seen.add(key)
            chosen.append(summaries[i])
        if len(chosen) == samples:
            break
    return ClusterEvidence(count=len(items), neighbourhoods=neighbourhoods, first=items[0].ts,
                           last=items[-1].ts, samples=chosen, themes=theme_order,
                           summary=cluster_summary(s.text for s in items))
