"""Patterns across neighbourhoods: the same theme in several wijken at once.

When groups (clusters) with the same theme are active in ``min_wijken`` (3) or more wijken
within ``window_days`` (60), the signals room gets one pattern card listing them, with
``!agenderen`` to make the pattern a council topic; ``!signalen`` shows patterns first.

"Active within the window": a group counts when its latest signal falls within the
``window_days`` before ``now`` (and its first is not after ``now``). Groups without a wijk and
the fallback theme ``overig`` never make a pattern. Groups handed to a bewonerscommissie count
too: three commissies with the same local problem is exactly a pattern the council should see.

Ids are stable, so a card is posted once and then edited: pass the patterns found before
(``known``) and a pattern that shares a group with a known one of the same theme keeps its id;
a pattern with no such predecessor gets an id derived from its theme and its founding groups.
``updates()`` says per pattern whether to post it (new), edit it (a wijk joined, or groups
changed) or leave it alone.

Pure: ``now`` is a parameter; texts are codes (``CATALOG`` at the bottom).
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Iterable

from shared import i18n
from shared.errors import InvalidInput

from .consultation import RichLike, theme_label
from .textutil import fold
from .themes import FALLBACK_THEME, Taxonomy

DEFAULT_WINDOW_DAYS = 60
DEFAULT_MIN_WIJKEN = 3


@dataclass(frozen=True)
class PatternGroup:
    """A signal group as patterns see it."""

    id: int
    theme: str
    wijk: str | None
    first_ts: datetime
    last_ts: datetime
    count: int = 1                  # signals in the group
    number: int | None = None       # the group's number in the chat


@dataclass(frozen=True)
class KnownPattern:
    """A pattern as stored after its card was posted (enough to keep its id)."""

    id: str
    theme: str
    group_ids: frozenset[int]
    wijken: frozenset[str]          # folded


@dataclass(frozen=True)
class Pattern:
    id: str
    theme: str
    groups: tuple[PatternGroup, ...]    # by wijk, then first seen
    wijken: tuple[str, ...]             # as written, most signals first
    first_seen: datetime
    last_seen: datetime

    @property
    def signal_count(self) -> int:
        return sum(g.count for g in self.groups)

    def known(self) -> KnownPattern:
        return KnownPattern(self.id, self.theme, frozenset(g.id for g in self.groups),
                            frozenset(fold(w) for w in self.wijken))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "theme": self.theme, "wijken": list(self.wijken),
                "groups": [{"id": g.id, "number": g.number, "wijk": g.wijk, "count": g.count,
                            "first": g.first_ts.isoformat(), "last": g.last_ts.isoformat()} for g in self.groups],
                "first_seen": self.first_seen.isoformat(), "last_seen": self.last_seen.isoformat()}


class Change(StrEnum):
    NEW = "new"                     # post a card
    GROWN = "grown"                 # a wijk joined: edit the card
    GROUPS = "groups"               # same wijken, other groups: edit the card
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PatternUpdate:
    pattern: Pattern
    change: Change
    new_wijken: tuple[str, ...] = ()


def find_patterns(groups: Iterable[PatternGroup], now: datetime, window_days: int = DEFAULT_WINDOW_DAYS,
                  min_wijken: int = DEFAULT_MIN_WIJKEN, *, known: Iterable[KnownPattern] = ()) -> list[Pattern]:
    """Patterns among ``groups`` at ``now``: per theme, the groups active in the window, when
    they lie in at least ``min_wijken`` distinct wijken. Most wijken first, then most recent."""
    if now.tzinfo is None:
        raise InvalidInput("signals.timestamp_naive", "timestamps must carry a time zone")
    if window_days < 1 or min_wijken < 2:
        raise InvalidInput("signals.pattern.config_invalid", "pattern window or minimum invalid")
    since = now - timedelta(days=window_days)
    by_theme: dict[str, list[PatternGroup]] = defaultdict(list)
    for g in groups:
        if g.first_ts.tzinfo is None or g.last_ts.tzinfo is None:
            raise InvalidInput("signals.timestamp_naive", "timestamps must carry a time zone")
        if not g.wijk or g.theme == FALLBACK_THEME or g.last_ts < since or g.first_ts > now:
            continue
        by_theme[g.theme].append(g)
    previous = list(known)
    out: list[Pattern] = []
    for theme, members in by_theme.items():
        signals_per_wijk: dict[str, int] = defaultdict(int)
        written: dict[str, str] = {}
        for g in sorted(members, key=lambda g: (g.first_ts, g.id)):
            key = fold(g.wijk or "")
            written.setdefault(key, (g.wijk or "").strip())
            signals_per_wijk[key] += g.count
        if len(signals_per_wijk) < min_wijken:
            continue
        wijk_order = sorted(signals_per_wijk, key=lambda k: (-signals_per_wijk[k], k))
        rank = {k: i for i, k in enumerate(wijk_order)}
        ordered = tuple(sorted(members, key=lambda g: (rank[fold(g.wijk or "")], g.first_ts, g.id)))
        ids = frozenset(g.id for g in ordered)
        out.append(Pattern(id=_id_for(theme, ids, previous), theme=theme, groups=ordered,
                           wijken=tuple(written[k] for k in wijk_order),
                           first_seen=min(g.first_ts for g in ordered),
                           last_seen=max(g.last_ts for g in ordered)))
    out.sort(key=lambda p: (-len(p.wijken), -p.last_seen.timestamp(), p.theme))
    return out


def _id_for(theme: str, ids: frozenset[int], previous: list[KnownPattern]) -> str:
    overlapping = [k for k in previous if k.theme == theme and k.group_ids & ids]
    if overlapping:
        return max(overlapping, key=lambda k: (len(k.group_ids & ids), k.id)).id
    digest = hashlib.sha256(f"{theme}:{','.join(map(str, sorted(ids)))}".encode()).hexdigest()
    return f"pattern-{theme}-{digest[:10]}"


def updates(patterns: Iterable[Pattern], known: Iterable[KnownPattern]) -> list[PatternUpdate]:
    """What to do with each pattern's card, given the patterns whose cards exist."""
    by_id = {k.id: k for k in known}
    out: list[PatternUpdate] = []
    for p in patterns:
        before = by_id.get(p.id)
        if before is None:
            out.append(PatternUpdate(p, Change.NEW, p.wijken))
            continue
        added = tuple(w for w in p.wijken if fold(w) not in before.wijken)
        if added:
            out.append(PatternUpdate(p, Change.GROWN, added))
        elif p.known().group_ids != before.group_ids:
            out.append(PatternUpdate(p, Change.GROUPS))
        else:
            out.append(PatternUpdate(p, Change.UNCHANGED))
    return out


def card_key(pattern: Pattern) -> str:
    """The outbox key of the pattern's card: the same for every edit of it."""
    return f"signals:pattern:{pattern.id}"


def render_card(pattern: Pattern, rich: RichLike, lang: str | None = None, *,
                taxonomy: Taxonomy | None = None) -> RichLike:
    """The pattern card for the signals room (fill a ``shared.formatting.Rich``)."""
    t = i18n.t
    theme = theme_label(pattern.theme, taxonomy, lang)
    rich.heading(t("signals.pattern.title", lang, theme=theme, wijken=len(pattern.wijken)))
    rich.line(t("signals.pattern.intro", lang, count=pattern.signal_count, groups=len(pattern.groups),
                first=i18n.fmt_date(pattern.first_seen.date(), lang),
                last=i18n.fmt_date(pattern.last_seen.date(), lang)))
    rich.items([_group_line(g, lang) for g in pattern.groups])
    rich.line(t("signals.pattern.hint", lang))
    return rich


def _group_line(g: PatternGroup, lang: str | None) -> str:
    code = "signals.pattern.group_line" if g.number is not None else "signals.pattern.group_line_no_number"
    return i18n.t(code, lang, wijk=g.wijk or "", number=g.number if g.number is not None else "",
                  count=g.count, first=i18n.fmt_date(g.first_ts.date(), lang))


def topic_proposal(pattern: Pattern, lang: str | None = None, *,
                   taxonomy: Taxonomy | None = None) -> tuple[str, str]:
    """(title, background) for the topic ``!agenderen`` makes of a pattern."""
    theme = theme_label(pattern.theme, taxonomy, lang)
    title = i18n.t("signals.pattern.topic_title", lang, theme=theme, wijken=len(pattern.wijken))
    background = i18n.t("signals.pattern.topic_background", lang, theme=theme, count=pattern.signal_count,
                        wijken=", ".join(pattern.wijken),
                        first=i18n.fmt_date(pattern.first_seen.date(), lang),
                        last=i18n.fmt_date(pattern.last_seen.date(), lang))
    return title, background


CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        "signals.pattern.config_invalid": "De instellingen voor patronen zijn ongeldig: een venster van minstens 1 dag en minstens 2 wijken.",
        "signals.pattern.title": "Patroon: {theme} in {wijken} wijken",
        "signals.pattern.intro": "{count} signalen in {groups} groepen, van {first} tot {last}:",
        "signals.pattern.group_line": "{wijk}: groep {number}, {count} signalen sinds {first}",
        "signals.pattern.group_line_no_number": "{wijk}: {count} signalen sinds {first}",
        "signals.pattern.hint": "Is dit iets voor de raad? Antwoord in deze thread met !agenderen.",
        "signals.pattern.topic_title": "{theme} in {wijken} wijken",
        "signals.pattern.topic_background": "Bewoners meldden {count} keer iets over {theme}, in {wijken}, van {first} tot {last}.",
        "signals.pattern.overview_heading": "Patronen over wijken heen",
    },
    "en": {
        "signals.pattern.config_invalid": "The pattern settings are invalid: a window of at least 1 day and at least 2 neighbourhoods.",
        "signals.pattern.title": "Pattern: {theme} in {wijken} neighbourhoods",
        "signals.pattern.intro": "{count} signals in {groups} groups, from {first} to {last}:",
        "signals.pattern.group_line": "{wijk}: group {number}, {count} signals since {first}",
        "signals.pattern.group_line_no_number": "{wijk}: {count} signals since {first}",
        "signals.pattern.hint": "Is this one for the council? Reply in this thread with !agenderen.",
        "signals.pattern.topic_title": "{theme} in {wijken} neighbourhoods",
        "signals.pattern.topic_background": "Residents reported something about {theme} {count} times, in {wijken}, from {first} to {last}.",
        "signals.pattern.overview_heading": "Patterns across neighbourhoods",
    },
}
