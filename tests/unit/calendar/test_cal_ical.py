"""The iCalendar feed: DST, escaping, determinism, cancellations, personal answers."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

import icalendar
import pytest
import recurring_ical_events
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.calendar.domain import ical
from services.calendar.domain.events import (
    AMSTERDAM,
    MAX_DESCRIPTION,
    MAX_LOCATION,
    MAX_TITLE,
    EventType,
    Frequency,
    Invitee,
    PartStat,
    Recurrence,
    apply_change,
    cancel_event,
    cancel_occurrence,
)
from services.calendar.domain.ical import PersonalAnswer, feed_etag, render_event, render_feed

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)  # a Monday, as in conftest

UTC = timezone.utc


def _lines(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    return text.split("\r\n")[:-1]


def _unfolded(body: bytes) -> list[str]:
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def _weekly_1930(make_event, **extra):
    """A Tuesday 19:30 meeting from mid-March to mid-November 2027 (both DST changes)."""
    return make_event(
        "dst", start=datetime(2027, 3, 16, 19, 30, tzinfo=AMSTERDAM),
        end=datetime(2027, 3, 16, 21, 30, tzinfo=AMSTERDAM),
        recurrence=Recurrence(Frequency.WEEKLY, until=date(2027, 11, 16)), **extra)


# --------------------------------------------------------------------------------------------
# DST: a weekly 19:30 meeting stays at 19:30 across the last Sundays of March and October

def _expected_offset(day: date) -> timedelta:
    # 2027: summer time from Sunday 28 March to Sunday 31 October.
    return timedelta(hours=2) if date(2027, 3, 28) <= day < date(2027, 10, 31) else timedelta(hours=1)


def test_weekly_1930_meeting_stays_1930_in_icalendar(make_event):
    body = render_feed("Klantenraad", [_weekly_1930(make_event)])
    cal = icalendar.Calendar.from_ical(body)
    event = cal.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert event.DTSTART == datetime(2027, 3, 16, 19, 30, tzinfo=AMSTERDAM)
    assert str(event["RRULE"].to_ical().decode()) == "FREQ=WEEKLY;UNTIL=20271116T225959Z"
    occurrences = recurring_ical_events.of(cal).between(date(2027, 3, 1), date(2028, 1, 1))
    starts = sorted(o.DTSTART for o in occurrences)
    assert len(starts) == 36
    assert date(2027, 3, 23) in {s.date() for s in starts}
    assert date(2027, 3, 30) in {s.date() for s in starts}
    assert date(2027, 11, 2) in {s.date() for s in starts}
    for start in starts:
        local = start.astimezone(AMSTERDAM)
        assert (local.hour, local.minute) == (19, 30)
        assert start.utcoffset() == _expected_offset(start.date())
        assert start.astimezone(UTC).hour == (17 if _expected_offset(start.date()).seconds == 7200 else 18)


def test_weekly_1930_meeting_stays_1930_in_vobject(make_event):
    body = render_feed("Klantenraad", [_weekly_1930(make_event)])
    cal = vobject.readOne(body.decode("utf-8"))
    vevent = cal.vevent
    # vobject builds the zone from our VTIMEZONE, so this checks the VTIMEZONE itself too.
    assert "Europe/Amsterdam" in repr(vevent.dtstart.value.tzinfo)
    starts = list(vevent.getrruleset())
    assert len(starts) == 36
    for start in starts:
        assert (start.hour, start.minute) == (19, 30)
        assert start.utcoffset() == _expected_offset(start.date())


def test_our_vtimezone_alone_gives_the_right_instants(make_event):
    """Rename the TZID so no parser can fall back to its own zone database."""
    body = render_feed("Klantenraad", [_weekly_1930(make_event)])
    body = (body.replace(b"TZID=Europe/Amsterdam", b"TZID=Overleg-Raadszone")
            .replace(b"TZID:Europe/Amsterdam", b"TZID:Overleg-Raadszone")
            .replace(b"X-LIC-LOCATION:Europe/Amsterdam\r\n", b""))
    assert b"TZID=Europe" not in body
    cal = icalendar.Calendar.from_ical(body)
    occurrences = recurring_ical_events.of(cal).between(date(2027, 3, 1), date(2028, 1, 1))
    assert len(occurrences) == 36
    for occ in occurrences:
        instant = occ.DTSTART.astimezone(UTC)
        local_day = occ.DTSTART.date()
        expected = datetime.combine(local_day, datetime.min.time()).replace(
            hour=19, minute=30, tzinfo=AMSTERDAM).astimezone(UTC)
        assert instant == expected


def test_vtimezone_matches_zoneinfo_for_every_transition_1996_2037():
    lines = list(ical.vtimezone_lines("Europe/Amsterdam"))
    body = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n" + "\r\n".join(lines)
            + "\r\nEND:VCALENDAR\r\n").encode()
    vtz = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")[0]
    ours = vtz.to_tz(lookup_tzid=False)
    vob = vobject.readOne(body.decode()).vtimezone.gettzinfo()
    for year in range(1996, 2038):
        for month, last_sunday in ((3, _last_sunday(year, 3)), (10, _last_sunday(year, 10))):
            for hour in range(0, 24):
                instant = datetime(year, month, last_sunday, tzinfo=UTC) + timedelta(hours=hour - 3)
                assert instant.astimezone(ours).utcoffset() == instant.astimezone(AMSTERDAM).utcoffset()
                assert instant.astimezone(vob).utcoffset() == instant.astimezone(AMSTERDAM).utcoffset()
        mid = datetime(year, 7, 1, 12, tzinfo=UTC)
        assert mid.astimezone(ours).utcoffset() == timedelta(hours=2)


def _last_sunday(year: int, month: int) -> int:
    day = date(year, month, 31)
    return (day - timedelta(days=(day.weekday() + 1) % 7)).day


def test_vtimezone_for_a_zone_without_dst():
    lines = ical.vtimezone_lines("America/Curacao")
    assert "BEGIN:STANDARD" in lines and "TZOFFSETTO:-0400" in lines
    assert "BEGIN:DAYLIGHT" not in lines


# --------------------------------------------------------------------------------------------
# Injection: any text in any field gives a valid feed and comes back exactly

NASTY = [
    "", "\r\n", "\n", "\r", "\t", ",", ";", "\\", "\\n", "\\N", "\\,", "\\;", ":", '"', "'", "^",
    "^n", "END:VCALENDAR", "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\n", "BEGIN:VALARM", "😀",
    "👩‍👩‍👧‍👦", "é", "ß", "中文", "\u200b", "\u202e", "<script>", "%0D%0A", "=0D=0A", "\u2028",
]


def _allowed_char(ch: str) -> bool:
    cp = ord(ch)
    nonchar = 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE
    return unicodedata.category(ch) not in ("Cc", "Cs") and not nonchar


nasty_text = st.lists(
    st.one_of(st.sampled_from(NASTY),
              st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs")).filter(_allowed_char),
                      max_size=30)),
    max_size=12).map("".join)


def _unescape(raw: str) -> str:
    return re.sub(r"\\([\\;,nN])",
                  lambda m: "\n" if m[1] in "nN" else m[1], raw)


def _check_feed_texts(body: bytes, event, *, name: str, description: str | None,
                      attendee: Invitee | None) -> None:
    for line in _lines(body):
        assert len(line.encode("utf-8")) <= 75
        assert not any(unicodedata.category(c) == "Cc" for c in line if c != "\t")
    unfolded = _unfolded(body)
    assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-1] == "END:VCALENDAR"
    assert unfolded.count("END:VCALENDAR") == 1
    assert unfolded.count("BEGIN:VEVENT") == 1

    cal = icalendar.Calendar.from_ical(body)
    # icalendar 7 keeps NAME and X- properties raw (vUnknown); unescape them the RFC way.
    assert _unescape(cal["NAME"].to_ical().decode()) == name
    assert _unescape(cal["X-WR-CALNAME"].to_ical().decode()) == name
    if description is not None:
        assert str(cal["DESCRIPTION"]) == description
    events = cal.walk("VEVENT")
    assert len(events) == 1
    parsed = events[0]
    assert str(parsed["SUMMARY"]) == event.title
    assert str(parsed.get("DESCRIPTION", "")) == event.description
    assert str(parsed.get("LOCATION", "")) == event.location
    assert parsed["ORGANIZER"].params["CN"] == ical._param_text(event.organiser.display_name)
    if attendee is not None:
        assert parsed["ATTENDEE"].params["CN"] == ical._param_text(attendee.display_name)
        assert parsed["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    assert str(parsed.walk("VALARM")[0]["DESCRIPTION"]) == event.title

    vcal = vobject.readOne(body.decode("utf-8"))
    assert vcal.contents["name"][0].value == name
    vevent = vcal.vevent
    assert vevent.summary.value == event.title
    assert (vevent.description.value if "description" in vevent.contents else "") == event.description
    assert (vevent.location.value if "location" in vevent.contents else "") == event.location
    assert vevent.organizer.params["CN"][0] == ical._param_text(event.organiser.display_name)
    if attendee is not None:
        assert vevent.attendee.params["CN"][0] == ical._param_text(attendee.display_name)
    assert list(recurring_ical_events.of(cal).between(date(2027, 1, 1), date(2028, 1, 1)))


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=nasty_text, description=nasty_text, location=nasty_text, name=nasty_text,
       feed_description=nasty_text, person=nasty_text)
def test_injection_over_every_text_field(make_event, title, description, location, name,
                                         feed_description, person):
    organiser = Invitee("@secretaris:woonstad.example", "S " + person)
    attendee = Invitee("@jan:woonstad.example", person + " J", email=None)
    event = make_event("inj", title="T" + title, description=description, location=location,
                       organiser=organiser, invitees=(attendee,))
    body = render_feed("K" + name, [event], description="D" + feed_description,
                       attendee_partstat={"inj": (attendee, PartStat.DECLINED)})
    # The feed's own name and description arrive as given; line breaks come out as LF.
    _check_feed_texts(body, event, name=_lf("K" + name), description=_lf("D" + feed_description),
                      attendee=attendee)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\u2028")


def test_injection_with_very_long_texts(make_event):
    chunk = "Regel met ; , \\ en 😀 en END:VCALENDAR\r\n"
    description = (chunk * (MAX_DESCRIPTION // len(chunk) + 1))[:MAX_DESCRIPTION - 1] + "é"
    title = ("Titel 😀 ;,\\ " * 40)[:MAX_TITLE]
    location = ("Kantoor, Rotterdam; zaal 3\\4 " * 20)[:MAX_LOCATION]
    organiser = Invitee("@sec:woonstad.example", 'Secretaris "de Vries"\r\nBEGIN:VEVENT ^n')
    event = make_event("long", title=title, description=description, location=location,
                       organiser=organiser)
    assert "\r" not in event.description and len(event.description) <= MAX_DESCRIPTION
    body = render_feed("Klantenraad ; , \\ 😀", [event], description=None)
    _check_feed_texts(body, event, name="Klantenraad ; , \\ 😀", description=None, attendee=None)


def test_backslash_n_stays_literal_text(make_event):
    event = make_event("bs", title="C:\\Nieuw\\nmap", description="a\\\nb")
    body = render_feed("K", [event])
    assert "SUMMARY:C:\\\\Nieuw\\\\nmap" in _unfolded(body)
    parsed = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(parsed["SUMMARY"]) == "C:\\Nieuw\\nmap"
    assert str(parsed["DESCRIPTION"]) == "a\\\nb"
    assert vobject.readOne(body.decode()).vevent.summary.value == "C:\\Nieuw\\nmap"


def test_folding_never_splits_a_character():
    line = "DESCRIPTION:" + "😀é" * 100
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert parts[0] + "".join(p[1:] for p in parts[1:]) == line


# --------------------------------------------------------------------------------------------
# Feed structure

def test_feed_headers_and_event_properties(make_event):
    event = make_event("m1", location="Woonstad, Rotterdam", description="Agenda volgt",
                       organiser=Invitee("@sec:woonstad.example", "Secretaris",
                                         email="secretaris@woonstad.example"))
    body = render_feed("Klantenraad Woonstad", [event], description="Alle afspraken",
                       refresh_minutes=30)
    lines = _unfolded(body)
    for expected in ["VERSION:2.0", "PRODID:" + ical.PRODID, "CALSCALE:GREGORIAN",
                     "METHOD:PUBLISH", "X-WR-CALNAME:Klantenraad Woonstad",
                     "X-WR-CALDESC:Alle afspraken", "X-WR-TIMEZONE:Europe/Amsterdam",
                     "REFRESH-INTERVAL;VALUE=DURATION:PT30M", "X-PUBLISHED-TTL:PT30M",
                     "UID:m1@overleg", "DTSTAMP:20270301T090000Z", "SEQUENCE:0",
                     "STATUS:CONFIRMED", "CATEGORIES:Vergadering",
                     "DTSTART;TZID=Europe/Amsterdam:20270316T193000",
                     "DTEND;TZID=Europe/Amsterdam:20270316T213000",
                     "ORGANIZER;CN=Secretaris:mailto:secretaris@woonstad.example",
                     "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-P1D"]:
        assert expected in lines, expected
    assert lines.index("BEGIN:VTIMEZONE") < lines.index("BEGIN:VEVENT")
    assert not any(line.startswith("ATTENDEE") for line in lines)


def test_all_day_event_uses_dates_and_exclusive_end(make_event):
    heidag = make_event("hei", type=EventType.HEIDAG, title="Heidag",
                        start=date(2027, 4, 8), end=date(2027, 4, 9))
    lines = _unfolded(render_feed("K", [heidag]))
    assert "DTSTART;VALUE=DATE:20270408" in lines
    assert "DTEND;VALUE=DATE:20270410" in lines
    assert "TRIGGER:-PT16H" in lines
    assert "CATEGORIES:Heidag" in lines
    parsed = icalendar.Calendar.from_ical(render_feed("K", [heidag])).walk("VEVENT")[0]
    assert parsed.DTSTART == date(2027, 4, 8) and parsed.DTEND == date(2027, 4, 10)


def test_adviesdeadline_is_transparent(make_event):
    deadline = make_event("adv", type=EventType.ADVIESDEADLINE, title="Advies huurbeleid",
                          start=date(2027, 5, 1), end=date(2027, 5, 1))
    assert "TRANSP:TRANSPARENT" in _unfolded(render_feed("K", [deadline]))


def test_no_alarms_when_switched_off(make_event):
    assert b"VALARM" not in render_feed("K", [make_event()], alarms=False)


def test_english_labels(make_event):
    event = make_event(type=EventType.OVERLEG_BESTUUR)
    assert "CATEGORIES:Meeting with the board" in _unfolded(render_feed("K", [event], lang="en"))
    assert "CATEGORIES:Overleg met bestuur" in _unfolded(render_feed("K", [event]))


def test_rendering_is_deterministic_and_order_independent(make_event):
    a = make_event("a", start=datetime(2027, 4, 1, 19, 30, tzinfo=AMSTERDAM),
                   end=datetime(2027, 4, 1, 21, tzinfo=AMSTERDAM))
    b = make_event("b", start=datetime(2027, 3, 20, 10, tzinfo=AMSTERDAM),
                   end=datetime(2027, 3, 20, 12, tzinfo=AMSTERDAM))
    first = render_feed("K", [a, b])
    assert render_feed("K", [b, a]) == first
    assert feed_etag(render_feed("K", [a, b])) == feed_etag(first)
    changed = apply_change(a, {"title": "Andere titel"}, NOW + timedelta(hours=1))
    assert feed_etag(render_feed("K", [changed, b])) != feed_etag(first)
    # DTSTAMP follows the change, not the clock.
    assert "DTSTAMP:20270301T100000Z" in _unfolded(render_feed("K", [changed]))


def test_duplicate_uids_are_refused(make_event):
    event = make_event("same")
    with pytest.raises(ValueError):
        render_feed("K", [event, event])


def test_sequence_in_feed_rises_with_every_change(make_event):
    event = make_event("seq")
    seen = []
    for i, change in enumerate([{"title": "Nieuw"}, {"location": "Zaal 2"},
                                {"start": datetime(2027, 3, 16, 20, tzinfo=AMSTERDAM)},
                                {"description": "x"}]):
        event = apply_change(event, change, NOW + timedelta(minutes=i + 1))
        parsed = icalendar.Calendar.from_ical(render_feed("K", [event])).walk("VEVENT")[0]
        seen.append(int(parsed["SEQUENCE"]))
    assert seen == [1, 2, 3, 4]


def test_cancelled_event_has_status_cancelled(make_event):
    event = cancel_event(make_event("c"), NOW + timedelta(hours=1))
    body = render_feed("K", [event])
    parsed = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert parsed["STATUS"] == "CANCELLED"
    assert int(parsed["SEQUENCE"]) == 1
    assert str(parsed["SUMMARY"]) == "Vervallen: Vergadering"
    assert not parsed.walk("VALARM")
    assert vobject.readOne(body.decode()).vevent.status.value == "CANCELLED"
    # CalDAV copy too
    assert b"STATUS:CANCELLED" in render_event(event)


def test_cancelled_occurrence_becomes_exdate(make_event):
    event = _weekly_1930(make_event, exdates=(date(2027, 4, 6),))
    event = cancel_occurrence(event, date(2027, 3, 30), NOW + timedelta(hours=1))
    body = render_feed("K", [event])
    lines = _unfolded(body)
    assert "EXDATE;TZID=Europe/Amsterdam:20270330T193000" in lines
    assert "EXDATE;TZID=Europe/Amsterdam:20270406T193000" in lines
    days = {o.DTSTART.date() for o in recurring_ical_events.of(
        icalendar.Calendar.from_ical(body)).between(date(2027, 3, 1), date(2027, 5, 1))}
    assert date(2027, 3, 30) not in days and date(2027, 4, 6) not in days
    assert date(2027, 3, 23) in days and date(2027, 4, 13) in days
    vdays = {d.date() for d in vobject.readOne(body.decode()).vevent.getrruleset()}
    assert date(2027, 3, 30) not in vdays and date(2027, 4, 6) not in vdays


def test_monthly_second_tuesday_rule(make_event):
    event = make_event("mon", start=datetime(2027, 3, 9, 19, 30, tzinfo=AMSTERDAM),
                       end=datetime(2027, 3, 9, 21, tzinfo=AMSTERDAM),
                       recurrence=Recurrence(Frequency.MONTHLY, weekdays=(ical_weekday("TU"),),
                                             position=2, count=4))
    body = render_feed("K", [event])
    assert "RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=4" in _unfolded(body)
    starts = sorted(o.DTSTART for o in recurring_ical_events.of(
        icalendar.Calendar.from_ical(body)).between(date(2027, 1, 1), date(2028, 1, 1)))
    assert [s.date() for s in starts] == [date(2027, 3, 9), date(2027, 4, 13), date(2027, 5, 11),
                                         date(2027, 6, 8)]


def ical_weekday(code: str):
    from services.calendar.domain.events import Weekday
    return Weekday(code)


def test_all_day_until_is_a_date(make_event):
    event = make_event("t", type=EventType.TRAINING, start=date(2027, 3, 20), end=date(2027, 3, 20),
                       recurrence=Recurrence(Frequency.WEEKLY, interval=2, until=date(2027, 5, 1)))
    assert "RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20270501" in _unfolded(render_feed("K", [event]))


# --------------------------------------------------------------------------------------------
# Personal feed and CalDAV object

def test_personal_feed_has_attendee_with_partstat(make_event):
    jan = Invitee("@jan:woonstad.example", "Jan Jansen")
    event = make_event("p", invitees=(jan,))
    body = render_feed("Mijn overleg", [event], attendee_partstat={"p": (jan, PartStat.ACCEPTED)})
    parsed = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert parsed["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert str(parsed["ATTENDEE"]) == "matrix:u/jan:woonstad.example"
    vevent = vobject.readOne(body.decode()).vevent
    assert vevent.attendee.params["PARTSTAT"] == ["ACCEPTED"]


def test_personal_feed_answers_per_occurrence_as_overrides(make_event):
    jan = Invitee("@jan:woonstad.example", "Jan")
    event = _weekly_1930(make_event, invitees=(jan,))
    answer = PersonalAnswer(member=jan, partstat=PartStat.NEEDS_ACTION,
                            occurrences={date(2027, 3, 23): PartStat.DECLINED,
                                         date(2027, 4, 6): PartStat.ACCEPTED})
    body = render_feed("Mijn overleg", [event], attendee_partstat={"dst": answer})
    cal = icalendar.Calendar.from_ical(body)
    vevents = cal.walk("VEVENT")
    assert len(vevents) == 3
    overrides = {v["RECURRENCE-ID"].dt.date(): v["ATTENDEE"].params["PARTSTAT"]
                 for v in vevents if "RECURRENCE-ID" in v}
    assert overrides == {date(2027, 3, 23): "DECLINED", date(2027, 4, 6): "ACCEPTED"}
    occurrences = recurring_ical_events.of(cal).between(date(2027, 3, 20), date(2027, 4, 10))
    by_day = {o.DTSTART.date(): o["ATTENDEE"].params["PARTSTAT"] for o in occurrences}
    assert by_day == {date(2027, 3, 23): "DECLINED", date(2027, 3, 30): "NEEDS-ACTION",
                      date(2027, 4, 6): "ACCEPTED"}
    assert all((o.DTSTART.hour, o.DTSTART.minute) == (19, 30) for o in occurrences)
    assert len(vobject.readOne(body.decode()).contents["vevent"]) == 3


def test_render_event_for_caldav(make_event):
    jan = Invitee("@jan:woonstad.example", "Jan")
    event = make_event("cd", organiser=jan, invitees=(jan,))
    body = render_event(event)
    lines = _unfolded(body)
    assert "METHOD:PUBLISH" not in lines
    assert not any(line.startswith(("ATTENDEE", "X-WR-")) for line in lines)
    assert lines.count("BEGIN:VEVENT") == 1 and "BEGIN:VTIMEZONE" in lines
    assert render_event(event) == body
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal.walk("VEVENT")[0]["UID"]) == "cd@overleg"
    assert vobject.readOne(body.decode()).vevent.uid.value == "cd@overleg"


def test_empty_feed_is_valid():
    body = render_feed("Leeg", [])
    assert icalendar.Calendar.from_ical(body).calendar_name == "Leeg"
    assert vobject.readOne(body.decode()).contents["x-wr-calname"][0].value == "Leeg"


def test_vtimezone_fallback_for_irregular_zones_parses():
    lines = ical.vtimezone_lines("Africa/Casablanca")  # no fixed yearly rule: explicit dates
    body = ical._join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:t", *lines, "END:VCALENDAR"])
    tz = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    assert tz is not None
    assert vobject.readOne(body.decode()).vtimezone.gettzinfo() is not None
