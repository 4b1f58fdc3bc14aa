"""Influence on the record: what the council expected to change, and what did.

For every topic the council scores the influence it expects at the start (``!score``: the median of the
members' scores, 1-5). Afterwards the secretary records the realised influence with the board's answer or
the realisation check: ``!invloed <onderwerp-nr> <1-5> <wat veranderde>``, and what the board did with the
council's view: overgenomen (took it over), aangepast (changed it) or niet overgenomen (left it).

The yearly overview puts expected against realised per topic and on average, also per kind of topic
(co-creation, formal advice, consent), so the council learns which kind of topic pays off. Pure functions
over plain dataclasses; the store and the pages supply the topics and records.

Which year a topic counts in: the year it started (when its expected influence was scored), so that a
topic answered in the next year still shows against what the council expected when it chose it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from statistics import fmean, median
from typing import Any, Iterable

from shared.errors import InvalidInput

from .agenda import Topic, TopicMode

SCORE_MIN, SCORE_MAX = 1, 5
MAX_TEXT_LENGTH = 4_000


class InfluenceKind(str, Enum):
    """What the board did with the council's view."""

    OVERGENOMEN = "overgenomen"
    AANGEPAST = "aangepast"
    NIET_OVERGENOMEN = "niet_overgenomen"


class InfluenceBasis(str, Enum):
    """What the realised influence was recorded with."""

    BESTUURSREACTIE = "bestuursreactie"
    REALISATIETOETS = "realisatietoets"


KIND_WORDS = {
    "overgenomen": InfluenceKind.OVERGENOMEN,
    "aangepast": InfluenceKind.AANGEPAST,
    "niet-overgenomen": InfluenceKind.NIET_OVERGENOMEN,
    "niet_overgenomen": InfluenceKind.NIET_OVERGENOMEN,
    "taken-over": InfluenceKind.OVERGENOMEN,
    "adopted": InfluenceKind.OVERGENOMEN,
    "changed": InfluenceKind.AANGEPAST,
    "adapted": InfluenceKind.AANGEPAST,
    "rejected": InfluenceKind.NIET_OVERGENOMEN,
    "not-taken-over": InfluenceKind.NIET_OVERGENOMEN,
}


def derive_kind(score: int) -> InfluenceKind:
    """Without a word from the secretary: 4-5 the board took it over, 2-3 changed it, 1 left it."""
    score = check_score(score)
    if score >= 4:
        return InfluenceKind.OVERGENOMEN
    if score >= 2:
        return InfluenceKind.AANGEPAST
    return InfluenceKind.NIET_OVERGENOMEN


def parse_kind(word: str) -> InfluenceKind:
    key = word.strip().lower().replace(" ", "-")
    try:
        return KIND_WORDS[key] if key in KIND_WORDS else InfluenceKind(key)
    except ValueError:
        raise InvalidInput("delib.influence.unknown_kind", f"unknown influence kind {key!r}",
                           given=word.strip()) from None


def check_score(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
        raise InvalidInput("delib.influence.score_range", "influence score out of range",
                           min=SCORE_MIN, max=SCORE_MAX)
    return value


def expected_influence(scores: Iterable[int]) -> float | None:
    """The council's expected influence: the median of the members' scores at the start (None: unscored)."""
    values = [check_score(s) for s in scores]
    return float(median(values)) if values else None


@dataclass(frozen=True)
class RealisedInfluence:
    """One record of realised influence on a topic. A later record (the realisation check after the board's
    answer) takes the place of an earlier one in the overview; all stay in the history."""

    topic_id: int
    score: int
    what_changed: str
    recorded_on: date
    recorded_by: str
    kind: InfluenceKind
    kind_given: bool = False  # said by the secretary, not derived from the score
    basis: InfluenceBasis | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"topic_id": self.topic_id, "score": self.score, "what_changed": self.what_changed,
                "recorded_on": self.recorded_on.isoformat(), "recorded_by": self.recorded_by,
                "kind": self.kind.value, "kind_given": self.kind_given,
                "basis": self.basis.value if self.basis else None}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "RealisedInfluence":
        return cls(topic_id=int(raw["topic_id"]), score=int(raw["score"]), what_changed=str(raw["what_changed"]),
                   recorded_on=date.fromisoformat(raw["recorded_on"]), recorded_by=str(raw["recorded_by"]),
                   kind=InfluenceKind(raw["kind"]), kind_given=bool(raw.get("kind_given")),
                   basis=InfluenceBasis(raw["basis"]) if raw.get("basis") else None)


def record_realised(*, topic_id: int, score: int, what_changed: str | None, recorded_on: date, recorded_by: str,
                    kind: InfluenceKind | str | None = None,
                    basis: InfluenceBasis | str | None = None) -> RealisedInfluence:
    """``!invloed <onderwerp-nr> <1-5> <wat veranderde>``: validated; the kind derived from the score
    unless given."""
    score = check_score(score)
    text = (what_changed or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("delib.influence.what_changed_required", "realised influence without text")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput("delib.text.too_long", f"text of {len(text)} characters", max=MAX_TEXT_LENGTH)
    given = kind is not None
    kind = (kind if isinstance(kind, InfluenceKind) else parse_kind(kind)) if given else derive_kind(score)
    return RealisedInfluence(topic_id=topic_id, score=score, what_changed=text, recorded_on=recorded_on,
                             recorded_by=recorded_by, kind=kind, kind_given=given,
                             basis=InfluenceBasis(basis) if basis is not None else None)


@dataclass(frozen=True)
class InvloedCommand:
    topic_id: int
    score: int
    what_changed: str
    kind: InfluenceKind | None = None


def parse_invloed(args: str) -> InvloedCommand:
    """The words after ``!invloed``: ``<onderwerp-nr> <1-5> [overgenomen|aangepast|niet-overgenomen] <tekst>``."""
    parts = (args or "").strip().split(maxsplit=2)
    if len(parts) < 2 or not parts[0].lstrip("#").isdigit():
        raise InvalidInput("delib.influence.usage", "malformed !invloed")
    if not parts[1].isdigit():
        raise InvalidInput("delib.influence.score_range", "influence score not a number",
                           min=SCORE_MIN, max=SCORE_MAX)
    score = check_score(int(parts[1]))
    rest = parts[2].strip() if len(parts) > 2 else ""
    kind = None
    first, _, tail = rest.partition(" ")
    if first.lower().rstrip(":,") in KIND_WORDS:
        kind, rest = KIND_WORDS[first.lower().rstrip(":,")], tail.strip()
    if not rest:
        raise InvalidInput("delib.influence.what_changed_required", "realised influence without text")
    return InvloedCommand(int(parts[0].lstrip("#")), score, rest, kind)


# --------------------------------------------------------------------------- the overview


@dataclass(frozen=True)
class TopicInfluence:
    """One topic with its expected influence and the realised records."""

    topic_id: int
    title: str
    mode: TopicMode
    started_on: date
    expected: float | None
    records: tuple[RealisedInfluence, ...] = ()

    @property
    def year(self) -> int:
        return self.started_on.year

    @property
    def latest(self) -> RealisedInfluence | None:
        # Stable: for records on one day, the one recorded last counts.
        ordered = sorted(enumerate(self.records), key=lambda pair: (pair[1].recorded_on, pair[0]))
        return ordered[-1][1] if ordered else None

    @property
    def realised(self) -> int | None:
        return self.latest.score if self.latest else None

    @property
    def kind(self) -> InfluenceKind | None:
        return self.latest.kind if self.latest else None

    @property
    def difference(self) -> float | None:
        """Realised minus expected: positive means the council got more done than it thought."""
        if self.expected is None or self.realised is None:
            return None
        return self.realised - self.expected

    def to_dict(self) -> dict[str, Any]:
        latest = self.latest
        return {"topic_id": self.topic_id, "title": self.title, "mode": self.mode.value,
                "started_on": self.started_on.isoformat(), "year": self.year,
                "expected": self.expected, "realised": self.realised, "difference": self.difference,
                "kind": self.kind.value if self.kind else None,
                "what_changed": latest.what_changed if latest else None,
                "records": [r.to_dict() for r in self.records]}


def topic_influence(topic: Topic, records: Iterable[RealisedInfluence] = (), *,
                    expected_at_start: float | None = None, started_on: date | None = None) -> TopicInfluence:
    """From an agenda topic: its council influence score (median of the members' scores) is the expectation,
    unless the store kept the score as it stood when the work started (``expected_at_start``): members may
    re-score later, and the overview compares with what the council expected when it chose the topic."""
    expected = expected_at_start if expected_at_start is not None else topic.council_influence
    return TopicInfluence(topic_id=topic.id, title=topic.title, mode=topic.mode,
                          started_on=started_on or topic.created_at.date(), expected=expected,
                          records=tuple(r for r in records if r.topic_id == topic.id))


@dataclass(frozen=True)
class Averages:
    """Averages over the topics that have the figure; ``difference`` only over topics that have both."""

    expected: float | None
    realised: float | None
    difference: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"expected": _round(self.expected), "realised": _round(self.realised),
                "difference": _round(self.difference)}


@dataclass(frozen=True)
class ModeAverages:
    mode: TopicMode
    averages: Averages
    topic_ids: tuple[int, ...]


@dataclass(frozen=True)
class YearOverview:
    year: int
    topics: tuple[TopicInfluence, ...]
    averages: Averages
    per_mode: tuple[ModeAverages, ...]  # the modes that occur, in TopicMode order

    @property
    def awaiting(self) -> tuple[int, ...]:
        """Topics without realised influence yet (the secretary's to-do)."""
        return tuple(t.topic_id for t in self.topics if t.realised is None)

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "topics": [t.to_dict() for t in self.topics],
                "averages": self.averages.to_dict(),
                "per_mode": [{"mode": m.mode.value, "topic_ids": list(m.topic_ids), **m.averages.to_dict()}
                             for m in self.per_mode],
                "awaiting": list(self.awaiting)}


def averages(topics: Iterable[TopicInfluence]) -> Averages:
    topics = list(topics)
    expected = [t.expected for t in topics if t.expected is not None]
    realised = [float(t.realised) for t in topics if t.realised is not None]
    differences = [t.difference for t in topics if t.difference is not None]
    return Averages(fmean(expected) if expected else None, fmean(realised) if realised else None,
                    fmean(differences) if differences else None)


def year_overview(topics: Iterable[TopicInfluence], year: int) -> YearOverview:
    """Expected against realised influence for the topics that started in ``year``."""
    mine = tuple(sorted((t for t in topics if t.year == year), key=lambda t: (t.started_on, t.topic_id)))
    per_mode = tuple(ModeAverages(mode, averages(t for t in mine if t.mode is mode),
                                  tuple(t.topic_id for t in mine if t.mode is mode))
                     for mode in TopicMode if any(t.mode is mode for t in mine))
    return YearOverview(year=year, topics=mine, averages=averages(mine), per_mode=per_mode)


def overview_by_year(topics: Iterable[TopicInfluence]) -> tuple[YearOverview, ...]:
    """Every year with topics, newest first (the agenda and the werkplek show the current year on top)."""
    topics = list(topics)
    return tuple(year_overview(topics, year) for year in sorted({t.year for t in topics}, reverse=True))


def register_lines(topic: TopicInfluence) -> tuple[RealisedInfluence, ...]:
    """What the decision list shows under a topic: what changed because of the council, oldest first."""
    return tuple(r for _, r in sorted(enumerate(topic.records), key=lambda pair: (pair[1].recorded_on, pair[0])))


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None
