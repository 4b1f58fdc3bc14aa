"""Doelen: the council's goals for the year, the topics that serve each, and how far each has come.

A goal's status follows its topics unless the secretary set it: ``bereikt`` when every topic serving it is
decided (agreement, or advice followed), ``loopt`` while any is on the agenda or in a round, ``niet_gestart``
when none has started, ``geen_onderwerpen`` when no topic is linked yet. ``!doelen`` and the werkplek show
the same list.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable, Mapping

from shared.errors import InvalidInput, NotFound

MAX_GOALS = 20
MAX_TITLE = 200

# Topic statuses of the deliberation service, as far as goals are concerned.
DONE_TOPIC_STATUSES = frozenset({"akkoord", "gesloten"})
STARTED_TOPIC_STATUSES = frozenset({"actief", "in_ronde", "akkoord", "gesloten"})


class GoalStatus(str, Enum):
    GEEN_ONDERWERPEN = "geen_onderwerpen"
    NIET_GESTART = "niet_gestart"
    LOOPT = "loopt"
    BEREIKT = "bereikt"
    LOSGELATEN = "losgelaten"  # the council let it go (set by the secretary, with a reason)


@dataclass(frozen=True)
class Goal:
    id: int
    council: str
    year: int
    title: str
    topic_ids: tuple[int, ...] = ()
    set_status: GoalStatus | None = None  # the secretary's own word overrides what the topics say
    note: str | None = None


@dataclass(frozen=True)
class GoalView:
    goal: Goal
    status: GoalStatus
    topics_done: int
    topics: tuple[tuple[int, str, str], ...] = field(default_factory=tuple)  # (number, title, status)


def new_goal(goal_id: int, council: str, year: int, title: str, existing: Iterable[Goal] = ()) -> Goal:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("werkplek.goal.title_required", "goal without title")
    if len(title) > MAX_TITLE:
        raise InvalidInput("werkplek.text.too_long", "goal title too long", max=MAX_TITLE)
    same_year = [g for g in existing if g.year == year and g.council == council]
    if len(same_year) >= MAX_GOALS:
        raise InvalidInput("werkplek.goal.too_many", "too many goals", max=MAX_GOALS, year=year)
    if any(g.title.lower() == title.lower() for g in same_year):
        raise InvalidInput("werkplek.goal.exists", "goal exists", title=title)
    return Goal(goal_id, council, year, title)


def link_topic(goal: Goal, topic_id: int, known_topics: Mapping[int, str]) -> Goal:
    if topic_id not in known_topics:
        raise NotFound("werkplek.goal.topic_unknown", f"no topic {topic_id}", topic_id=topic_id)
    if topic_id in goal.topic_ids:
        return goal
    return Goal(goal.id, goal.council, goal.year, goal.title, (*goal.topic_ids, topic_id), goal.set_status, goal.note)


def status_of(goal: Goal, topic_statuses: Mapping[int, str]) -> GoalStatus:
    if goal.set_status is not None:
        return goal.set_status
    statuses = [topic_statuses.get(t) for t in goal.topic_ids if t in topic_statuses]
    if not statuses:
        return GoalStatus.GEEN_ONDERWERPEN
    if all(s in DONE_TOPIC_STATUSES for s in statuses):
        return GoalStatus.BEREIKT
    if any(s in STARTED_TOPIC_STATUSES for s in statuses):
        return GoalStatus.LOOPT
    return GoalStatus.NIET_GESTART


def overview(goals: Iterable[Goal], topics: Mapping[int, tuple[str, str]], year: int) -> list[GoalView]:
    """The year's goals in the order they were set, each with its status and its topics ((title, status) by
    number)."""
    statuses = {n: status for n, (_, status) in topics.items()}
    views = []
    for goal in sorted((g for g in goals if g.year == year), key=lambda g: g.id):
        linked = tuple((n, topics[n][0], topics[n][1]) for n in goal.topic_ids if n in topics)
        views.append(GoalView(goal, status_of(goal, statuses),
                              sum(1 for _, _, s in linked if s in DONE_TOPIC_STATUSES), linked))
    return views


CATALOG = {
    "nl": {
        "werkplek.goal.title_required": "Geef het doel een titel.",
        "werkplek.goal.too_many": "De raad heeft al {max} doelen voor {year}. Laat er een los voor je een nieuw doel "
                                  "stelt.",
        "werkplek.goal.exists": "Er is al een doel \"{title}\".",
        "werkplek.goal.topic_unknown": "Ik ken geen onderwerp #{topic_id}.",
        "werkplek.goal_status.geen_onderwerpen": "nog geen onderwerpen",
        "werkplek.goal_status.niet_gestart": "niet gestart",
        "werkplek.goal_status.loopt": "loopt",
        "werkplek.goal_status.bereikt": "bereikt",
        "werkplek.goal_status.losgelaten": "losgelaten",
    },
    "en": {
        "werkplek.goal.title_required": "Give the goal a title.",
        "werkplek.goal.too_many": "The council has {max} goals for {year} already. Let one go before setting a new "
                                  "one.",
        "werkplek.goal.exists": "There is a goal \"{title}\" already.",
        "werkplek.goal.topic_unknown": "I don't know a topic #{topic_id}.",
        "werkplek.goal_status.geen_onderwerpen": "no topics yet",
        "werkplek.goal_status.niet_gestart": "not started",
        "werkplek.goal_status.loopt": "under way",
        "werkplek.goal_status.bereikt": "achieved",
        "werkplek.goal_status.losgelaten": "let go",
    },
}
