"""Doelen: goals follow their topics, unless the secretary said otherwise."""
from __future__ import annotations

import dataclasses

import pytest

from services.werkplek.domain.doelen import GoalStatus, link_topic, new_goal, overview, status_of
from shared.errors import InvalidInput, NotFound

TOPICS = {1: ("Servicekosten", "akkoord"), 2: ("Groen in de wijk", "actief"), 3: ("Lift Tarwehof", "wachtlijst"),
          4: ("Huurverhoging", "gesloten")}


def test_a_goal_follows_its_topics():
    goal = new_goal(1, "raad", 2026, "Betaalbaar wonen")
    statuses = {n: s for n, (_, s) in TOPICS.items()}
    assert status_of(goal, statuses) is GoalStatus.GEEN_ONDERWERPEN
    goal = link_topic(goal, 3, TOPICS)
    assert status_of(goal, statuses) is GoalStatus.NIET_GESTART
    goal = link_topic(link_topic(goal, 2, TOPICS), 2, TOPICS)
    assert goal.topic_ids == (3, 2) and status_of(goal, statuses) is GoalStatus.LOOPT
    done = link_topic(link_topic(new_goal(2, "raad", 2026, "Kosten helder"), 1, TOPICS), 4, TOPICS)
    assert status_of(done, statuses) is GoalStatus.BEREIKT
    let_go = dataclasses.replace(goal, set_status=GoalStatus.LOSGELATEN, note="Geen budget bij de corporatie")
    assert status_of(let_go, statuses) is GoalStatus.LOSGELATEN


def test_the_year_overview_lists_goals_with_their_topics():
    goals = [link_topic(new_goal(2, "raad", 2026, "Kosten helder"), 1, TOPICS),
             link_topic(new_goal(1, "raad", 2026, "Betaalbaar wonen"), 2, TOPICS),
             new_goal(3, "raad", 2025, "Oud doel")]
    views = overview(goals, TOPICS, 2026)
    assert [(v.goal.title, v.status, v.topics_done) for v in views] == [
        ("Betaalbaar wonen", GoalStatus.LOOPT, 0), ("Kosten helder", GoalStatus.BEREIKT, 1)]
    assert views[1].topics == ((1, "Servicekosten", "akkoord"),)


def test_bad_goals_are_refused():
    with pytest.raises(InvalidInput):
        new_goal(1, "raad", 2026, "   ")
    first = new_goal(1, "raad", 2026, "Groen")
    with pytest.raises(InvalidInput) as same:
        new_goal(2, "raad", 2026, "groen", [first])
    assert same.value.code == "werkplek.goal.exists"
    many = [new_goal(i, "raad", 2026, f"Doel {i}") for i in range(20)]
    with pytest.raises(InvalidInput):
        new_goal(21, "raad", 2026, "Nog een", many)
    assert new_goal(21, "raad", 2027, "Nog een", many).year == 2027
    with pytest.raises(NotFound):
        link_topic(first, 99, TOPICS)
