"""Date polls: !datumprikker, !kan, the summary with quorum, !vastleggen."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from shared.errors import Conflict, InvalidInput
from services.calendar.domain.events import AMSTERDAM, EventType, Invitee, create_event
from services.calendar.domain.polls import (
    Poll,
    answer,
    close,
    default_quorum,
    fix,
    new_poll,
    parse_option_numbers,
    poll_from_chat,
    summary,
)

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)  # a Monday, as in conftest

ANNE = Invitee("@anne:woonstad.example", "Anne")
BRAM = Invitee("@bram:woonstad.example", "Bram")
CEES = Invitee("@cees:woonstad.example", "Cees")
DEWI = Invitee("@dewi:woonstad.example", "Dewi")
MEMBERS = [ANNE, BRAM, CEES, DEWI]


def _poll() -> Poll:
    return poll_from_chat("Heidag voorjaar 19 maart 12-3 di 23 maart 10:00", poll_id="p1",
                          council="krw", now=NOW, created_by=ANNE.member_id)


def test_poll_from_chat_numbers_options_in_date_order():
    poll = _poll()
    assert poll.title == "Heidag voorjaar"
    assert [(o.number, o.start) for o in poll.options] == [
        (1, date(2027, 3, 12)), (2, date(2027, 3, 19)),
        (3, datetime(2027, 3, 23, 10, 0, tzinfo=AMSTERDAM))]


@pytest.mark.parametrize("text, expected", [
    ("1 3", {1, 3}), ("1,3", {1, 3}), ("1, 3", {1, 3}), ("1 en 3", {1, 3}), ("1 and 3", {1, 3}),
    ("1-2", {1, 2}), ("3", {3}), ("alle", {1, 2, 3}), ("geen", set()), ("none", set()),
    ("Geen", set()), ("#2", {2}), ("1 1 2", {1, 2}),
])
def test_answer_formats(text, expected):
    assert parse_option_numbers(text, _poll()) == frozenset(expected)


def test_unknown_option_names_the_valid_ones():
    with pytest.raises(InvalidInput) as exc:
        parse_option_numbers("1 4 7", _poll())
    assert exc.value.code == "cal.poll.unknown_option"
    assert exc.value.params["numbers"] == "4, 7"
    assert exc.value.user_message("nl") == "Optie 4, 7 bestaat niet. Kies uit: 1, 2, 3."


@pytest.mark.parametrize("text, code", [
    ("", "cal.poll.answer_missing"), ("misschien", "cal.poll.answer_unparseable"),
    ("1 of misschien 2", "cal.poll.answer_unparseable"), ("en", "cal.poll.answer_missing"),
])
def test_bad_answers(text, code):
    with pytest.raises(InvalidInput) as exc:
        parse_option_numbers(text, _poll())
    assert exc.value.code == code
    assert "1, 2, 3" in exc.value.user_message("nl")


def test_summary_with_quorum_and_best_options():
    poll = _poll()
    poll = answer(poll, ANNE.member_id, "1 3")
    poll = answer(poll, BRAM.member_id, "1,2")
    poll = answer(poll, CEES.member_id, "3 en 1")
    poll = answer(poll, "@gast:elders.example", "2")  # not a member: not counted
    result = summary(poll, MEMBERS, quorum=3)
    rows = {r.option.number: r for r in result.options}
    assert [m.display_name for m in rows[1].can] == ["Anne", "Bram", "Cees"]
    assert [m.display_name for m in rows[2].can] == ["Bram"]
    assert [m.display_name for m in rows[3].can] == ["Anne", "Cees"]
    assert rows[1].quorum_met and not rows[3].quorum_met
    assert result.not_answered == (DEWI,)
    assert result.best == (1,) and result.quorum_met


def test_summary_ties_and_no_quorum():
    poll = answer(answer(_poll(), ANNE.member_id, "1"), BRAM.member_id, "2")
    result = summary(poll, MEMBERS, quorum=default_quorum(len(MEMBERS)))
    assert default_quorum(4) == 3
    assert result.best == (1, 2) and not result.quorum_met
    assert summary(_poll(), MEMBERS, quorum=2).best == ()


def test_changing_and_clearing_an_answer():
    poll = answer(_poll(), ANNE.member_id, "1 2")
    poll = answer(poll, ANNE.member_id, "geen")
    result = summary(poll, MEMBERS, quorum=1)
    assert all(not r.can for r in result.options)
    assert ANNE not in result.not_answered  # "geen" is an answer too


def test_fix_creates_event_spec_and_closed_poll_refuses_answers():
    poll = answer(_poll(), ANNE.member_id, "3")
    spec = fix(poll, 3, type=EventType.HEIDAG, duration=timedelta(hours=6), location="Buiten",
               invitees=MEMBERS)
    assert spec.title == "Heidag voorjaar" and spec.type is EventType.HEIDAG
    assert spec.start == datetime(2027, 3, 23, 10, tzinfo=AMSTERDAM)
    assert spec.end == datetime(2027, 3, 23, 16, tzinfo=AMSTERDAM)
    event = create_event(spec, uid="fixed1", now=NOW)
    assert event.invitees == tuple(MEMBERS)
    allday = fix(poll, 1)
    assert allday.start == date(2027, 3, 12) and allday.end is None
    closed = close(poll, 3)
    assert closed.closed and closed.fixed_option == 3
    with pytest.raises(Conflict) as exc:
        answer(closed, BRAM.member_id, "1")
    assert exc.value.code == "cal.poll.closed"
    with pytest.raises(Conflict):
        fix(closed, 1)
    with pytest.raises(InvalidInput) as unknown:
        fix(poll, 9)
    assert unknown.value.params["valid"] == "1, 2, 3"


def test_new_poll_validation():
    with pytest.raises(InvalidInput) as exc:
        new_poll(poll_id="p", council="k", title="X", options=[date(2027, 3, 5), date(2027, 3, 5)],
                 now=NOW)
    assert exc.value.code == "cal.poll.duplicate_option"
    with pytest.raises(InvalidInput) as exc:
        new_poll(poll_id="p", council="k", title="X", options=[date(2027, 2, 5)], now=NOW)
    assert exc.value.code == "cal.date.past"
    with pytest.raises(InvalidInput) as exc:
        new_poll(poll_id="p", council="k", title="X", options=[], now=NOW)
    assert exc.value.code == "cal.poll.no_dates"
    with pytest.raises(InvalidInput) as exc:
        summary(_poll(), MEMBERS, quorum=0)
    assert exc.value.code == "cal.poll.quorum"


def test_poll_round_trip_through_dict():
    poll = close(answer(answer(_poll(), ANNE.member_id, "1 3"), BRAM.member_id, "geen"), 1)
    assert Poll.from_dict(poll.to_dict()) == poll
