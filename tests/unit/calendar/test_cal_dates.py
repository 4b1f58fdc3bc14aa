"""Dates typed in chat (Dutch and English), and splitting a poll title from its dates."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from shared.errors import InvalidInput
from services.calendar.domain.dates import (
    DateOption,
    format_option,
    parse_date,
    split_title_and_dates,
)
from services.calendar.domain.events import AMSTERDAM

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)  # a Monday, as in conftest


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


@pytest.mark.parametrize("text, expected", [
    ("12-3", date(2027, 3, 12)),
    ("12/3", date(2027, 3, 12)),
    ("12.3", date(2027, 3, 12)),
    ("12-03-2027", date(2027, 3, 12)),
    ("12/3/27", date(2027, 3, 12)),
    ("2027-03-12", date(2027, 3, 12)),
    ("12 maart", date(2027, 3, 12)),
    ("12 Maart 2027", date(2027, 3, 12)),
    ("12mrt", date(2027, 3, 12)),
    ("12 mrt.", date(2027, 3, 12)),
    ("12 March", date(2027, 3, 12)),
    ("March 12", date(2027, 3, 12)),
    ("vr 12 maart", date(2027, 3, 12)),
    ("vrijdag 12-3", date(2027, 3, 12)),
    ("Fri 12 March", date(2027, 3, 12)),
    ("1-3", date(2027, 3, 1)),             # today is fine for a whole day
    ("28-2", date(2028, 2, 28)),           # yesterday: next year
    ("29-2", date(2028, 2, 29)),           # waits for the leap year
    ("5 januari", date(2028, 1, 5)),
    ("morgen", date(2027, 3, 2)),
    ("vandaag", date(2027, 3, 1)),
])
def test_dates(text, expected):
    option = parse_date(text, NOW)
    assert option.start == expected and option.all_day


@pytest.mark.parametrize("text, start, end", [
    ("12/3 19:30", _at(2027, 3, 12, 19, 30), None),
    ("12 maart 19:30", _at(2027, 3, 12, 19, 30), None),
    ("di 16 maart 19:30", _at(2027, 3, 16, 19, 30), None),
    ("16 maart om 19.30", _at(2027, 3, 16, 19, 30), None),
    ("16-3 19u30", _at(2027, 3, 16, 19, 30), None),
    ("16-3 19u", _at(2027, 3, 16, 19, 0), None),
    ("16-3 om 19", _at(2027, 3, 16, 19, 0), None),
    ("16-3 7pm", _at(2027, 3, 16, 19, 0), None),
    ("16-3 19:30-21:00", _at(2027, 3, 16, 19, 30), _at(2027, 3, 16, 21, 0)),
    ("16-3 19:30 tot 21:00", _at(2027, 3, 16, 19, 30), _at(2027, 3, 16, 21, 0)),
    ("2027-03-16T19:30", _at(2027, 3, 16, 19, 30), None),
    ("vandaag 20:00", _at(2027, 3, 1, 20, 0), None),
    ("30 maart 19:30", _at(2027, 3, 30, 19, 30), None),   # after the DST change: still 19:30
])
def test_date_times(text, start, end):
    option = parse_date(text, NOW)
    assert option.start == start and option.end == end
    assert option.start.tzinfo is AMSTERDAM


@pytest.mark.parametrize("text, code", [
    ("morgenavond", "cal.date.unparseable"),
    ("12 maart 25:00", "cal.date.unparseable"),
    ("31-2", "cal.date.invalid"),
    ("12-13", "cal.date.invalid"),
    ("12-03-2026", "cal.date.past"),
    ("vandaag 09:00", "cal.date.past"),
    ("di 12 maart", "cal.date.weekday_mismatch"),
    ("16-3 21:00-19:30", "cal.time.end_before_start"),
    ("28 maart 02:30", "cal.time.nonexistent"),
    ("", "cal.date.missing"),
    ("1-1-2035", "cal.time.too_far"),
])
def test_date_errors(text, code):
    with pytest.raises(InvalidInput) as exc:
        parse_date(text, NOW)
    assert exc.value.code == code


def test_error_messages_are_clear():
    with pytest.raises(InvalidInput) as exc:
        parse_date("12-03-2026", NOW)
    assert exc.value.user_message("nl") == ("donderdag 12 maart 2026 is al voorbij. "
                                            "Kies een datum in de toekomst.")
    with pytest.raises(InvalidInput) as exc:
        parse_date("di 12 maart", NOW)
    assert "vrijdag 12 maart 2027" in exc.value.user_message("nl")
    with pytest.raises(InvalidInput) as exc:
        parse_date("morgenavond", NOW)
    assert "'morgenavond'" in exc.value.user_message("nl")
    assert "12 maart" in exc.value.user_message("nl")


@pytest.mark.parametrize("args, title, starts", [
    ("Heidag 12-3 19-3", "Heidag", [date(2027, 3, 12), date(2027, 3, 19)]),
    ("Heidag voorjaar 12 maart 19 maart", "Heidag voorjaar", [date(2027, 3, 12), date(2027, 3, 19)]),
    ("Overleg met bestuur di 16 maart 19:30 do 18 maart 20:00", "Overleg met bestuur",
     [_at(2027, 3, 16, 19, 30), _at(2027, 3, 18, 20, 0)]),
    ("Training 3 12mrt, 19mrt", "Training 3", [date(2027, 3, 12), date(2027, 3, 19)]),
    ("Vergadering 2027 12-3", "Vergadering 2027", [date(2027, 3, 12)]),
    ("Heidag 12 maart 19-3", "Heidag", [date(2027, 3, 12), date(2027, 3, 19)]),
    ("Evaluatie; wijk 3, Zuid 12/3 19:30", "Evaluatie; wijk 3, Zuid", [_at(2027, 3, 12, 19, 30)]),
    ("Heidag,  najaar, 12-3,19-3", "Heidag,  najaar", [date(2027, 3, 12), date(2027, 3, 19)]),
    ("Training 😀 \\ ; 12-3", "Training 😀 \\ ;", [date(2027, 3, 12)]),
])
def test_split_title_and_dates(args, title, starts):
    got_title, options = split_title_and_dates(args, NOW)
    assert got_title == title
    assert [o.start for o in options] == starts


@pytest.mark.parametrize("args, code", [
    ("12-3 19-3", "cal.poll.no_title"),
    ("Heidag", "cal.date.unparseable"),
    ("Heidag volgende week", "cal.date.unparseable"),
    ("Heidag 12-3 31-2", "cal.date.invalid"),
    ("Heidag 12-3 1-1-2026", "cal.date.past"),
    ("", "cal.poll.usage"),
])
def test_split_errors(args, code):
    with pytest.raises(InvalidInput) as exc:
        split_title_and_dates(args, NOW)
    assert exc.value.code == code


def test_format_option():
    assert format_option(DateOption(start=_at(2027, 3, 16, 19, 30), end=_at(2027, 3, 16, 21, 0))) \
        == "di 16 mrt 19:30\u201321:00"
    assert format_option(DateOption(start=date(2027, 3, 12)), "en") == "Fri 12 Mar"
