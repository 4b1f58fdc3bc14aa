"""Patterns across neighbourhoods: one theme in several wijken within a window."""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone

import pytest

from services.signals.domain import patterns as pt
from shared import i18n
from shared.errors import InvalidInput
from shared.formatting import Rich

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module", autouse=True)
def _catalogs() -> None:
    i18n.register(pt.CATALOG)


def _g(gid, wijk, theme="vocht_schimmel", days_ago=10, span=3, count=2):
    last = NOW - timedelta(days=days_ago)
    return pt.PatternGroup(id=gid, theme=theme, wijk=wijk, first_ts=last - timedelta(days=span),
                           last_ts=last, count=count, number=gid + 40)


def test_three_wijken_make_a_pattern_two_do_not():
    groups = [_g(1, "Carnisse"), _g(2, "Pendrecht"), _g(3, "Carnisse", count=1)]
    assert pt.find_patterns(groups, NOW) == []
    found = pt.find_patterns(groups + [_g(4, "Hillesluis", count=1)], NOW)
    assert len(found) == 1
    p = found[0]
    assert p.theme == "vocht_schimmel" and p.wijken == ("Carnisse", "Pendrecht", "Hillesluis")
    assert [g.id for g in p.groups] == [1, 3, 2, 4]      # by wijk (most signals first), then first seen
    assert p.signal_count == 6
    assert p.first_seen == NOW - timedelta(days=13) and p.last_seen == NOW - timedelta(days=10)


def test_window_and_minimum_are_parameters():
    groups = [_g(1, "Carnisse", days_ago=70), _g(2, "Pendrecht", days_ago=5), _g(3, "Hillesluis", days_ago=59)]
    assert pt.find_patterns(groups, NOW) == []                    # Carnisse's group is older than 60 days
    assert len(pt.find_patterns(groups, NOW, window_days=90)) == 1
    assert len(pt.find_patterns(groups, NOW, min_wijken=2)) == 1
    assert pt.find_patterns(groups[1:], NOW, min_wijken=3) == []
    with pytest.raises(InvalidInput):
        pt.find_patterns(groups, NOW, window_days=0)
    with pytest.raises(InvalidInput):
        pt.find_patterns(groups, NOW, min_wijken=1)


def test_an_old_group_with_a_recent_signal_counts():
    groups = [_g(1, "Carnisse", days_ago=2, span=200), _g(2, "Pendrecht"), _g(3, "Hillesluis")]
    assert len(pt.find_patterns(groups, NOW)) == 1


def test_future_groups_groups_without_wijk_and_overig_do_not_count():
    base = [_g(1, "Carnisse"), _g(2, "Pendrecht")]
    assert pt.find_patterns(base + [_g(3, None)], NOW) == []
    assert pt.find_patterns(base + [_g(3, "Hillesluis", days_ago=-3, span=1)], NOW) == []
    overig = [_g(i, w, theme="overig") for i, w in enumerate(["Carnisse", "Pendrecht", "Hillesluis"])]
    assert pt.find_patterns(overig, NOW) == []


def test_wijken_compared_without_case_and_accents():
    groups = [_g(1, "Carnisse"), _g(2, "carnisse"), _g(3, "CARNISSE"), _g(4, "Pendrecht")]
    assert pt.find_patterns(groups, NOW) == []


def test_one_pattern_per_theme_and_ordering():
    damp = [_g(i, w) for i, w in enumerate(["Carnisse", "Pendrecht", "Hillesluis"], start=1)]
    noise = [_g(i, w, theme="overlast", days_ago=1) for i, w in
             enumerate(["Carnisse", "Pendrecht", "Hillesluis", "Lombardijen"], start=10)]
    found = pt.find_patterns(damp + noise, NOW)
    assert [p.theme for p in found] == ["overlast", "vocht_schimmel"]     # most wijken first
    assert len({p.id for p in found}) == 2


def test_result_does_not_depend_on_input_order():
    groups = [_g(i, w, days_ago=i) for i, w in
              enumerate(["Carnisse", "Pendrecht", "Hillesluis", "Carnisse", "Tarwewijk"], start=1)]
    expected = pt.find_patterns(groups, NOW)
    rng = random.Random(42)
    for _ in range(5):
        shuffled = groups[:]
        rng.shuffle(shuffled)
        assert pt.find_patterns(shuffled, NOW) == expected


def test_ids_are_stable_so_a_card_is_posted_once_and_then_updated():
    first = pt.find_patterns([_g(1, "Carnisse"), _g(2, "Pendrecht"), _g(3, "Hillesluis")], NOW)
    assert [u.change for u in pt.updates(first, [])] == [pt.Change.NEW]
    known = [p.known() for p in first]
    # nothing new: nothing to post
    again = pt.find_patterns([_g(1, "Carnisse"), _g(2, "Pendrecht"), _g(3, "Hillesluis")],
                             NOW + timedelta(days=1), known=known)
    assert again[0].id == first[0].id and pt.updates(again, known)[0].change is pt.Change.UNCHANGED
    # a fourth wijk joins: same id, the card is edited
    later = NOW + timedelta(days=2)
    grown = pt.find_patterns([_g(1, "Carnisse"), _g(2, "Pendrecht"), _g(3, "Hillesluis"), _g(0, "Tarwewijk")],
                             later, known=known)
    assert grown[0].id == first[0].id
    upd = pt.updates(grown, known)[0]
    assert upd.change is pt.Change.GROWN and upd.new_wijken == ("Tarwewijk",)
    assert pt.card_key(grown[0]) == pt.card_key(first[0])
    # another group in a wijk already listed
    known = [p.known() for p in grown]
    more = pt.find_patterns([_g(1, "Carnisse"), _g(2, "Pendrecht"), _g(3, "Hillesluis"), _g(0, "Tarwewijk"),
                             _g(9, "Pendrecht")], later, known=known)
    assert more[0].id == first[0].id and pt.updates(more, known)[0].change is pt.Change.GROUPS


def test_id_survives_the_founding_groups_leaving_the_window():
    start = pt.find_patterns([_g(1, "Carnisse", days_ago=50), _g(2, "Pendrecht", days_ago=40),
                              _g(3, "Hillesluis", days_ago=5)], NOW)
    known = [start[0].known()]
    later = NOW + timedelta(days=15)        # group 1 has left the 60-day window; group 3 carries the pattern on
    moved = pt.find_patterns([_g(1, "Carnisse", days_ago=50), _g(2, "Pendrecht", days_ago=40),
                              _g(3, "Hillesluis", days_ago=5), _g(4, "Tarwewijk", days_ago=-10)], later, known=known)
    assert {g.id for g in moved[0].groups} == {2, 3, 4} and moved[0].id == start[0].id


def test_without_known_patterns_the_id_is_derived_from_theme_and_groups():
    groups = [_g(1, "Carnisse"), _g(2, "Pendrecht"), _g(3, "Hillesluis")]
    a = pt.find_patterns(groups, NOW)[0].id
    assert a == pt.find_patterns(list(reversed(groups)), NOW)[0].id
    assert a.startswith("pattern-vocht_schimmel-")
    assert a != pt.find_patterns(groups + [_g(4, "Lombardijen")], NOW)[0].id


def test_a_known_pattern_of_another_theme_is_not_reused():
    groups = [_g(1, "Carnisse"), _g(2, "Pendrecht"), _g(3, "Hillesluis")]
    other = pt.KnownPattern("pattern-overlast-x", "overlast", frozenset({1, 2, 3}), frozenset())
    assert pt.find_patterns(groups, NOW, known=[other])[0].id != other.id


def test_naive_times_are_refused():
    with pytest.raises(InvalidInput):
        pt.find_patterns([], datetime(2026, 12, 1))


def test_card_and_topic(taxonomy):
    p = pt.find_patterns([_g(1, "Carnisse"), _g(2, "Pendrecht"), _g(3, "Hillesluis", count=5)], NOW)[0]
    card = pt.render_card(p, Rich(), "nl", taxonomy=taxonomy)
    assert card.body.splitlines()[0] == "Patroon: Vocht & schimmel in 3 wijken"
    assert "• Hillesluis: groep 43, 5 signalen sinds" in card.body
    assert "!agenderen" in card.body
    en = pt.render_card(p, Rich(), "en", taxonomy=taxonomy)
    assert en.body.startswith("Pattern: Damp & mould in 3 neighbourhoods")
    title, background = pt.topic_proposal(p, "nl", taxonomy=taxonomy)
    assert title == "Vocht & schimmel in 3 wijken"
    assert "9 keer" in background and "Hillesluis, Carnisse, Pendrecht" in background
    assert p.to_dict()["wijken"] == ["Hillesluis", "Carnisse", "Pendrecht"]


def test_catalog_languages_match():
    assert set(pt.CATALOG["nl"]) == set(pt.CATALOG["en"])
    for code, text in pt.CATALOG["nl"].items():
        assert sorted(re.findall(r"{(\w+)}", text)) == sorted(re.findall(r"{(\w+)}", pt.CATALOG["en"][code]))
