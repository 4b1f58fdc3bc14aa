"""One meeting of a series moved (an override), places left, agenda and minutes, and what a
member's personal feed says about cancelled meetings (issue 17). Pure: domain and renderer,
checked in icalendar + recurring-ical-events and in Mozilla's ical.js through Node."""
from __future__ import annotations

from datetime import date, datetime

import icalendar
import pytest
import recurring_ical_events

from services.bot.features.calendar import activity_options
from services.calendar.domain import ical
from services.calendar.domain.attendance import Rsvp, personal_answers, respond
from services.calendar.domain.dates import split_leading_date, split_two_dates
from services.calendar.domain.events import (
    AMSTERDAM,
    Event,
    Frequency,
    Invitee,
    PartStat,
    Recurrence,
    apply_change,
    cancel_event,
    cancel_occurrence,
    expand_occurrences,
    find_occurrence,
    first_start,
    last_end,
    move_occurrence,
    restore_occurrence,
    set_notes,
)
from services.calendar.domain.ical import PersonalAnswer, RenderMemo, render_event, render_feed
from services.calendar.domain.reminders import DEFAULT_OFFSETS, due_reminders
from shared.errors import Conflict, InvalidInput
from tests.js.icaljs import occurrences as icaljs_occurrences

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)
JAN = Invitee("@jan:woonstad.example", "Jan")


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=AMSTERDAM)


def _series(make_event, **extra) -> Event:
    """Tuesdays 19:30–21:30 from 16 March 2027, six times (over the change to summer time)."""
    return make_event("w", title="Werkgroep", start=at(16, 19, 30), end=at(16, 21, 30),
                      recurrence=Recurrence(Frequency.WEEKLY, count=6), **extra)


def _python_occurrences(body: bytes, start: date, end: date) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return sorted(recurring_ical_events.of(cal).between(start, end), key=lambda o: o["DTSTART"].dt)


# --------------------------------------------------------------------------------------------
# moving one meeting

def test_moving_one_meeting_keeps_it_in_the_series_under_its_own_day(make_event):
    series = _series(make_event)
    moved = move_occurrence(series, date(2027, 3, 23), at(24, 20), None, NOW)
    assert moved.sequence == series.sequence + 1 and moved.changed_at >= series.changed_at
    days = [(o.day, o.start, o.end, o.series_day) for o in expand_occurrences([moved], NOW, at(30, 0, month=4))]
    assert (date(2027, 3, 24), at(24, 20), at(24, 22), date(2027, 3, 23)) in days  # the length stays
    assert date(2027, 3, 23) not in [d for d, *_ in days] and len(days) == 6
    # Found under both days; its answers stay under the series day.
    on_new, on_old = find_occurrence(moved, date(2027, 3, 24)), find_occurrence(moved, date(2027, 3, 23))
    assert on_new == on_old and on_new.moved and on_new.key == "w/2027-03-23"
    assert on_new.recurrence_start == at(23, 19, 30)
    assert find_occurrence(series, date(2027, 3, 23)).key == on_new.key
    assert Event.from_dict(moved.to_dict()) == moved
    # Moving it back to where the series puts it removes the override.
    back = move_occurrence(moved, date(2027, 3, 24), at(23, 19, 30), None, NOW)
    assert back.moves == () and back.sequence == moved.sequence + 1


def test_a_move_sets_time_and_length_and_is_checked(make_event):
    series = _series(make_event)
    moved = move_occurrence(series, date(2027, 3, 30), at(30, 18), at(30, 21), NOW)
    assert find_occurrence(moved, date(2027, 3, 30)).end == at(30, 21)
    with pytest.raises(Conflict) as taken:
        move_occurrence(series, date(2027, 3, 16), at(23, 20), None, NOW)  # another meeting's day
    assert taken.value.code == "cal.move.day_taken"
    with pytest.raises(Conflict) as taken:  # the day a moved meeting now falls on is taken too
        move_occurrence(moved_to_24(series), date(2027, 3, 30), at(24, 10), None, NOW)
    assert taken.value.code == "cal.move.day_taken"
    for day, start, code in ((date(2027, 3, 17), at(18, 20), "cal.recurrence.not_an_occurrence"),
                             (date(2027, 3, 16), at(1, 9), "cal.time.past"),
                             (date(2027, 3, 16), date(2027, 3, 17), "cal.time.mixed")):
        with pytest.raises(InvalidInput) as refused:
            move_occurrence(series, day, start, None, NOW)
        assert refused.value.code == code
    with pytest.raises(InvalidInput) as long:
        move_occurrence(series, date(2027, 3, 16), at(17, 19), at(18, 23), NOW)
    assert long.value.code == "cal.recurrence.too_long"
    with pytest.raises(Conflict) as begun:
        move_occurrence(series, date(2027, 3, 16), at(18, 19), None, at(16, 20))
    assert begun.value.code == "cal.move.begun"
    called_off = cancel_occurrence(series, date(2027, 3, 23), NOW)
    with pytest.raises(Conflict) as cancelled:
        move_occurrence(called_off, date(2027, 3, 23), at(24, 19), None, NOW)
    assert cancelled.value.code == "cal.move.cancelled"


def moved_to_24(series: Event) -> Event:
    return move_occurrence(series, date(2027, 3, 23), at(24, 20), None, NOW)


def test_moved_meeting_can_be_cancelled_and_restored_by_either_day(make_event):
    moved = moved_to_24(_series(make_event))
    off = cancel_occurrence(moved, date(2027, 3, 24), NOW)
    assert off.cancelled_dates == (date(2027, 3, 23),)
    assert find_occurrence(off, date(2027, 3, 24)).cancelled
    assert restore_occurrence(off, date(2027, 3, 24), NOW).cancelled_dates == ()


def test_a_single_event_moves_as_a_whole(make_event):
    single = make_event("s", start=at(16, 19, 30), end=at(16, 21, 30))
    moved = move_occurrence(single, date(2027, 3, 16), at(17, 20), None, NOW)
    assert (moved.start, moved.end, moved.sequence) == (at(17, 20), at(17, 22), 1)
    with pytest.raises(InvalidInput) as wrong_day:
        move_occurrence(single, date(2027, 3, 18), at(19, 20), None, NOW)
    assert wrong_day.value.code == "cal.occurrence.not_on_day"


def test_first_start_and_last_end_follow_moves(make_event):
    series = _series(make_event)
    earlier = move_occurrence(series, date(2027, 3, 16), at(15, 9), None, NOW)
    assert first_start(earlier) == at(15, 9)
    later = move_occurrence(series, date(2027, 4, 20), at(22, 19, month=4), None, NOW)
    assert last_end(later) == at(22, 21, month=4) > last_end(series)


def test_changing_the_series_keeps_moves_that_still_fit(make_event):
    moved = moved_to_24(_series(make_event))
    retitled = apply_change(moved, {"title": "Werkgroep huur"}, NOW)
    assert retitled.moves == moved.moves
    shorter = apply_change(moved, {"recurrence": Recurrence(Frequency.WEEKLY, count=1)}, NOW)
    assert shorter.moves == ()


def test_reminders_follow_the_moved_meeting(make_event):
    series = _series(make_event)
    week_before = due_reminders([series], DEFAULT_OFFSETS, set(), at(16, 19, 35))
    assert [(r.occurrence.start, r.offset_label) for r in week_before][-1] == (at(23, 19, 30), "7d")
    sent = {r.key for r in week_before}
    moved = moved_to_24(series)
    # The evening before the old date: no "morgen" for 23 March; the week-before reminder of the
    # new time is due instead (a new key: the room hears the new date).
    before_old = due_reminders([moved], DEFAULT_OFFSETS, sent, at(22, 19, 45))
    assert [(r.occurrence.start, r.offset_label) for r in before_old] == [(at(24, 20), "7d")]
    sent |= {r.key for r in before_old}
    before_new = due_reminders([moved], DEFAULT_OFFSETS, sent, at(23, 20, 5))
    assert [(r.occurrence.start, r.offset_label) for r in before_new
            if r.occurrence.series_day == date(2027, 3, 23)] == [(at(24, 20), "1d")]


def test_the_feed_shows_the_override_in_python_and_in_ical_js(make_event):
    jan_answer = PersonalAnswer(member=JAN, occurrences={date(2027, 3, 23): PartStat.ACCEPTED})
    moved = moved_to_24(_series(make_event, invitees=(JAN,)))
    body = render_feed("Mijn overleg", [moved], attendee_partstat={"w": jan_answer})
    vevents = icalendar.Calendar.from_ical(body).walk("VEVENT")
    (override,) = [v for v in vevents if "RECURRENCE-ID" in v]
    assert override["RECURRENCE-ID"].dt == at(23, 19, 30) and override["DTSTART"].dt == at(24, 20)
    assert int(override["SEQUENCE"]) == int(vevents[0]["SEQUENCE"]) == 1

    window = (date(2027, 3, 1), date(2027, 5, 1))
    python = [(o["DTSTART"].dt, o["ATTENDEE"].params["PARTSTAT"]) for o in _python_occurrences(body, *window)]
    js = [(datetime.fromisoformat(o["start"].replace("Z", "+00:00")), o["partstat"])
          for o in icaljs_occurrences(body, *window)]
    expected = [(at(16, 19, 30), "NEEDS-ACTION"), (at(24, 20), "ACCEPTED"), (at(30, 19, 30), "NEEDS-ACTION"),
                (at(6, 19, 30, 4), "NEEDS-ACTION"), (at(13, 19, 30, 4), "NEEDS-ACTION"),
                (at(20, 19, 30, 4), "NEEDS-ACTION")]
    assert python == expected and js == expected
    # The shared calendar's copy carries the same override (no ATTENDEE there).
    caldav = render_event(moved)
    assert [o["DTSTART"].dt for o in _python_occurrences(caldav, *window)] == [s for s, _ in expected]
    assert [o["local_start"] for o in icaljs_occurrences(caldav, *window)][1] == "2027-03-24T20:00:00"


# --------------------------------------------------------------------------------------------
# places, agenda and minutes

def test_places_left_per_meeting_in_the_feed(make_event):
    series = _series(make_event, location="Wijkcentrum De Esch", capacity=3)
    single = make_event("s", title="Training media", capacity=2, location="Kantoor")
    places = {"w": {date(2027, 3, 23): 2}, "s": {date(2027, 3, 16): 2}}
    body = render_feed("K", [series, single], places=places)
    by_start = {o["DTSTART"].dt: o for o in _python_occurrences(body, date(2027, 3, 1), date(2027, 4, 1))}
    assert str(by_start[at(16, 19, 30)]["LOCATION"]) == "Wijkcentrum De Esch"
    descriptions = {o["local_start"]: o["description"]
                    for o in icaljs_occurrences(body, date(2027, 3, 1), date(2027, 4, 1)) if o["uid"] == "w@overleg"}
    assert descriptions == {"2027-03-16T19:30:00": "Nog 3 van 3 plaatsen vrij.",
                            "2027-03-23T19:30:00": "Nog 1 van 3 plaatsen vrij.",
                            "2027-03-30T19:30:00": "Nog 3 van 3 plaatsen vrij."}
    (training,) = [v for v in icalendar.Calendar.from_ical(body).walk("VEVENT") if str(v["UID"]) == "s@overleg"]
    assert str(training["DESCRIPTION"]).startswith("Vol: alle 2 plaatsen zijn bezet")
    assert "plaatsen" not in render_event(series).decode()  # the shared calendar's copy: no counts
    english = render_feed("K", [single], places={"s": {date(2027, 3, 16): 1}}, lang="en").decode()
    assert "1 of 2 places left." in english


def test_agenda_and_afterwards_minutes_per_meeting(make_event):
    series = _series(make_event)
    with_agenda = set_notes(series, date(2027, 3, 23), NOW, agenda="https://wiki.example.org/agenda-23-3")
    assert with_agenda.sequence == 1
    with pytest.raises(Conflict) as early:
        set_notes(with_agenda, date(2027, 3, 23), NOW, minutes="Besproken: huurverhoging")
    assert early.value.code == "cal.notes.minutes_too_early"
    after = set_notes(with_agenda, date(2027, 3, 23), at(23, 22), minutes="Besproken: huurverhoging")
    assert after.notes_of(date(2027, 3, 23)).agenda.endswith("agenda-23-3")
    with pytest.raises(InvalidInput):
        set_notes(series, None, NOW, agenda="x")  # a series: which meeting?
    body = render_event(after)
    (override,) = [v for v in icalendar.Calendar.from_ical(body).walk("VEVENT") if "RECURRENCE-ID" in v]
    assert str(override["DESCRIPTION"]) == ("Agenda: https://wiki.example.org/agenda-23-3\n\n"
                                             "Verslag: Besproken: huurverhoging")
    assert str(override["ATTACH"]) == "https://wiki.example.org/agenda-23-3"
    js = {o["local_start"]: o["description"] for o in icaljs_occurrences(body, date(2027, 3, 20), date(2027, 3, 27))}
    assert js == {"2027-03-23T19:30:00": "Agenda: https://wiki.example.org/agenda-23-3\n\nVerslag: Besproken: "
                                         "huurverhoging"}
    single = make_event("s")
    noted = set_notes(single, None, NOW, agenda="Jaarplan en begroting")
    assert "DESCRIPTION:Agenda: Jaarplan en begroting" in render_event(noted).decode()
    assert set_notes(noted, None, NOW, agenda="").notes == ()
    with pytest.raises(Conflict):
        set_notes(cancel_event(single, NOW), None, NOW, agenda="x")


# --------------------------------------------------------------------------------------------
# personal feed: cancelled meetings, answers for the next meeting

def test_a_cancelled_event_no_longer_shows_the_member_attending(make_event):
    single = make_event("s", invitees=(JAN,))
    att = respond(None, find_occurrence(single, date(2027, 3, 16)), JAN.member_id, Rsvp.AANWEZIG, NOW).attendance
    answers = personal_answers(JAN, [single], {att.key: att})
    assert answers["s"].partstat is PartStat.ACCEPTED
    body = render_feed("Mijn", [cancel_event(single, NOW)], attendee_partstat=answers)
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED" and "ATTENDEE" not in vevent
    js = icaljs_occurrences(body, date(2027, 3, 1), date(2027, 4, 1))
    assert [(o["status"], o["partstat"]) for o in js] == [("CANCELLED", None)]


def test_an_answer_for_a_moved_meeting_stays_on_it(make_event):
    series = _series(make_event)
    occ = find_occurrence(series, date(2027, 3, 23))
    att = respond(None, occ, JAN.member_id, Rsvp.AANWEZIG, NOW).attendance
    moved = moved_to_24(series)
    after = find_occurrence(moved, date(2027, 3, 24))
    assert after.key == att.key and att.day == date(2027, 3, 23)
    answers = personal_answers(JAN, [moved], {att.key: att})
    body = render_feed("Mijn", [moved], attendee_partstat=answers)
    accepted = [o["local_start"] for o in icaljs_occurrences(body, date(2027, 3, 1), date(2027, 5, 1))
                if o["partstat"] == "ACCEPTED"]
    assert accepted == ["2027-03-24T20:00:00"]


def test_the_render_memo_renders_an_unchanged_event_once(make_event, monkeypatch):
    events = [make_event(f"e{i}", start=at(10 + i, 19), end=at(10 + i, 21)) for i in range(5)]
    memo = RenderMemo()
    first = render_feed("K", events, memo=memo)
    calls = []
    real = ical._vevent
    monkeypatch.setattr(ical, "_vevent", lambda *a, **kw: calls.append(a[0].uid) or real(*a, **kw))
    assert render_feed("K", events, memo=memo) == first and calls == []
    changed = apply_change(events[2], {"title": "Anders"}, NOW)
    again = render_feed("K", [*events[:2], changed, *events[3:]], memo=memo)
    assert calls == ["e2"] and again == render_feed("K", [*events[:2], changed, *events[3:]])


# --------------------------------------------------------------------------------------------
# chat forms

def test_chat_forms_of_verplaats_agenda_and_activiteit():
    day, target = split_two_dates("di 23 maart 24-3 20:00", NOW)
    assert day == date(2027, 3, 23) and target.start == at(24, 20)
    day, target = split_two_dates("23-3 30 maart", NOW)
    assert (day, target.start) == (date(2027, 3, 23), date(2027, 3, 30))
    with pytest.raises(InvalidInput):
        split_two_dates("23-3", NOW)
    assert split_leading_date("23-3 https://x.example/a") == ("23-3", "https://x.example/a")
    assert split_leading_date("Jaarplan 2027") == (None, "Jaarplan 2027")
    assert activity_options("Media 12-3 19:30 plaatsen=12 plaats=Wijkcentrum De Esch") == (
        "Media 12-3 19:30", 12, "Wijkcentrum De Esch")
    assert activity_options('Media 12-3 plaats="De Esch, zaal 2" plaatsen=5') == ("Media 12-3", 5, "De Esch, zaal 2")
    assert activity_options("Media 12-3") == ("Media 12-3", None, None)
