"""Events: validation, changes with SEQUENCE, cancellations, expansion in local time."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from shared.errors import Conflict, InvalidInput
from services.calendar.domain.events import (
    AMSTERDAM,
    MAX_DESCRIPTION,
    MAX_TITLE,
    Event,
    EventSpec,
    EventStatus,
    EventType,
    Frequency,
    Invitee,
    Recurrence,
    Weekday,
    apply_change,
    cancel_event,
    cancel_occurrence,
    create_event,
    expand_occurrences,
    find_occurrence,
    restore_occurrence,
    validate_event,
)

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)  # a Monday, as in conftest


def _spec(**fields) -> EventSpec:
    values = dict(council="krw", type=EventType.VERGADERING, title="Vergadering",
                  start=datetime(2027, 3, 16, 19, 30, tzinfo=AMSTERDAM),
                  end=datetime(2027, 3, 16, 21, 30, tzinfo=AMSTERDAM))
    values.update(fields)
    return EventSpec(**values)


def _code(exc_info) -> str:
    return exc_info.value.code


# --------------------------------------------------------------------------------------------
# validation

@pytest.mark.parametrize("fields, code", [
    (dict(start=datetime(2027, 2, 1, 19, 30, tzinfo=AMSTERDAM),
          end=datetime(2027, 2, 1, 21, tzinfo=AMSTERDAM)), "cal.time.past"),
    (dict(start=date(2027, 2, 28), end=date(2027, 2, 28)), "cal.time.past"),
    (dict(end=datetime(2027, 3, 16, 19, 0, tzinfo=AMSTERDAM)), "cal.time.end_before_start"),
    (dict(end=datetime(2027, 3, 16, 19, 30, tzinfo=AMSTERDAM)), "cal.time.end_before_start"),
    (dict(start=date(2027, 4, 2), end=date(2027, 4, 1)), "cal.time.end_before_start"),
    (dict(start=date(2027, 4, 2), end=datetime(2027, 4, 2, 18, tzinfo=AMSTERDAM)), "cal.time.mixed"),
    (dict(start=datetime(2027, 3, 16, 19, 30)), "cal.time.naive"),
    (dict(title="   "), "cal.field.required"),
    (dict(title="x" * (MAX_TITLE + 1)), "cal.field.too_long"),
    (dict(description="x" * (MAX_DESCRIPTION + 1)), "cal.field.too_long"),
    (dict(location="Zaal\x00 3"), "cal.field.control_chars"),
    (dict(title="Vergadering\x1b[31m"), "cal.field.control_chars"),
    (dict(description="bel \x07"), "cal.field.control_chars"),
    (dict(title="\ud800"), "cal.field.control_chars"),
    (dict(capacity=0), "cal.capacity.invalid"),
    (dict(start=datetime(2033, 3, 16, 19, 30, tzinfo=AMSTERDAM),
          end=datetime(2033, 3, 16, 21, tzinfo=AMSTERDAM)), "cal.time.too_far"),
    (dict(end=datetime(2027, 3, 20, 21, tzinfo=AMSTERDAM)), "cal.time.too_long"),
    (dict(invitees=(Invitee("@a:x", "A"), Invitee("@a:x", "A2"))), "cal.invitee.duplicate"),
    (dict(invitees=(Invitee("@a:x", "A", email="geen-adres"),)), "cal.invitee.invalid_email"),
])
def test_validation_errors(fields, code):
    with pytest.raises(InvalidInput) as exc:
        validate_event(_spec(**fields), NOW)
    assert _code(exc) == code
    assert exc.value.status == 422  # a rule refusal; 400 is for what the schema refuses
    assert exc.value.user_message("nl") != code  # every code has a text


def test_text_keeps_commas_semicolons_backslashes_emoji_and_normalises_line_breaks():
    spec = validate_event(_spec(title=" Overleg; wijk 3, 4 \\ 😀 ",
                                description="Regel 1\r\nRegel 2\rRegel 3\u2028Regel 4\n",
                                location="Kantoor\\Zaal, 2e; verdieping"), NOW)
    assert spec.title == "Overleg; wijk 3, 4 \\ 😀"
    assert spec.description == "Regel 1\nRegel 2\nRegel 3\nRegel 4\n"
    assert spec.location == "Kantoor\\Zaal, 2e; verdieping"


def test_default_end_and_all_day_single_day():
    timed = validate_event(_spec(end=None), NOW)
    assert timed.end - timed.start == timedelta(hours=2)
    allday = validate_event(_spec(type=EventType.HEIDAG, start=date(2027, 4, 8), end=None), NOW)
    assert allday.end == date(2027, 4, 8)


def test_times_are_normalised_to_amsterdam():
    spec = validate_event(_spec(start=datetime(2027, 3, 16, 18, 30, tzinfo=timezone.utc),
                                end=datetime(2027, 3, 16, 20, 30, tzinfo=timezone.utc)), NOW)
    assert spec.start.tzinfo is AMSTERDAM and spec.start.hour == 19


def test_time_in_the_dst_gap_is_refused_from_text():
    with pytest.raises(InvalidInput) as exc:
        EventSpec.from_dict({"council": "krw", "type": "vergadering", "title": "Nacht",
                             "start": "2027-03-28T02:30", "end": "2027-03-28T03:30"})
    assert _code(exc) == "cal.time.nonexistent"


@pytest.mark.parametrize("data, code", [
    ({"type": "vergadering", "title": "x", "start": "2027-03-16T19:30"}, "cal.field.missing"),
    ({"council": "k", "type": "borrel", "title": "x", "start": "2027-03-16T19:30"}, "cal.type.unknown"),
    ({"council": "k", "type": "vergadering", "title": "x", "start": "morgen"}, "cal.field.unparseable"),
    ({"council": "k", "type": "vergadering", "title": "x", "start": "2027-13-16T19:30"}, "cal.field.unparseable"),
    ({"council": "k", "type": "vergadering", "title": 5, "start": "2027-03-16T19:30"}, "cal.field.unparseable"),
    ({"council": "k", "type": "vergadering", "title": "x", "start": "2027-03-16T19:30",
      "capacity": "veel"}, "cal.field.unparseable"),
    ({"council": "k", "type": "vergadering", "title": "x", "start": "2027-03-16T19:30",
      "recurrence": {"freq": "daily"}}, "cal.field.unparseable"),
])
def test_unparseable_input(data, code):
    with pytest.raises(InvalidInput) as exc:
        EventSpec.from_dict(data)
    assert _code(exc) == code


def test_from_dict_reads_local_times_and_all_day():
    spec = EventSpec.from_dict({"council": "k", "type": "HEIDAG", "title": "Hei",
                                "start": "2027-04-08", "end": "2027-04-09"})
    assert spec.start == date(2027, 4, 8) and spec.all_day
    timed = EventSpec.from_dict({"council": "k", "type": "training", "title": "T",
                                 "start": "2027-04-08T19:30", "end": "2027-04-08T21:30+02:00"})
    assert timed.start == datetime(2027, 4, 8, 19, 30, tzinfo=AMSTERDAM)


@pytest.mark.parametrize("recurrence, code", [
    (Recurrence(Frequency.WEEKLY, count=3, until=date(2027, 5, 1)), "cal.recurrence.count_and_until"),
    (Recurrence(Frequency.WEEKLY, interval=0), "cal.recurrence.interval"),
    (Recurrence(Frequency.WEEKLY, count=0), "cal.recurrence.count"),
    (Recurrence(Frequency.WEEKLY, until=date(2027, 3, 1)), "cal.recurrence.until"),
    (Recurrence(Frequency.WEEKLY, weekdays=(Weekday.WE,)), "cal.recurrence.start_not_in_rule"),
    (Recurrence(Frequency.MONTHLY, weekdays=(Weekday.TU,), position=5), "cal.recurrence.position"),
    (Recurrence(Frequency.MONTHLY, weekdays=(Weekday.TU,), position=2), "cal.recurrence.start_not_in_rule"),
])
def test_recurrence_errors(recurrence, code):
    with pytest.raises(InvalidInput) as exc:
        validate_event(_spec(recurrence=recurrence), NOW)
    assert _code(exc) == code


def test_monthly_on_the_31st_is_refused():
    with pytest.raises(InvalidInput) as exc:
        validate_event(_spec(start=datetime(2027, 3, 31, 19, tzinfo=AMSTERDAM),
                             end=datetime(2027, 3, 31, 21, tzinfo=AMSTERDAM),
                             recurrence=Recurrence(Frequency.MONTHLY)), NOW)
    assert _code(exc) == "cal.recurrence.month_day"


def test_exdate_must_be_an_occurrence():
    with pytest.raises(InvalidInput) as exc:
        validate_event(_spec(recurrence=Recurrence(Frequency.WEEKLY), exdates=(date(2027, 3, 24),)), NOW)
    assert _code(exc) == "cal.recurrence.not_an_occurrence"
    assert "woensdag 24 maart 2027" in exc.value.user_message("nl")


def test_create_event_refuses_bad_uid():
    with pytest.raises(InvalidInput):
        create_event(_spec(), uid="../etc", now=NOW)


# --------------------------------------------------------------------------------------------
# changes

def test_sequence_rises_on_every_change(make_event):
    event = make_event("s")
    assert event.sequence == 0
    changes = [{"title": "Vergadering (verzet)"},
               {"start": datetime(2027, 3, 17, 19, 30, tzinfo=AMSTERDAM)},
               {"location": "Zaal 2"},
               {"invitees": [{"member_id": "@jan:x", "display_name": "Jan"}]},
               {"capacity": 10},
               {"recurrence": {"freq": "weekly", "count": 4}},
               {"exdates": ["2027-03-24"]},
               {"status": "cancelled"},
               {"status": "confirmed"}]
    seqs = []
    stamps = []
    for i, change in enumerate(changes, start=1):
        event = apply_change(event, change, NOW + timedelta(minutes=i))
        seqs.append(event.sequence)
        stamps.append(event.changed_at)
    assert seqs == list(range(1, len(changes) + 1))
    assert stamps == sorted(stamps)
    event = cancel_occurrence(event, date(2027, 3, 31), NOW + timedelta(hours=1))
    assert event.sequence == len(changes) + 1
    event = restore_occurrence(event, date(2027, 3, 31), NOW + timedelta(hours=2))
    assert event.sequence == len(changes) + 2


def test_no_change_keeps_sequence(make_event):
    event = make_event("n")
    assert apply_change(event, {"title": "Vergadering"}, NOW + timedelta(hours=1)) is event
    assert apply_change(event, {}, NOW + timedelta(hours=1)) is event


def test_moving_start_keeps_the_length_and_checks_the_past(make_event):
    event = make_event("m")
    moved = apply_change(event, {"start": "2027-03-18T20:00"}, NOW)
    assert moved.end == datetime(2027, 3, 18, 22, 0, tzinfo=AMSTERDAM)
    with pytest.raises(InvalidInput) as exc:
        apply_change(event, {"start": "2027-02-18T20:00"}, NOW)
    assert _code(exc) == "cal.time.past"
    # Editing the notes of a meeting that already happened is fine.
    later = datetime(2027, 4, 1, 12, tzinfo=AMSTERDAM)
    assert apply_change(event, {"description": "Notulen volgen"}, later).sequence == 1


def test_unknown_field_and_edits_to_cancelled_event(make_event):
    event = make_event("u")
    with pytest.raises(InvalidInput) as exc:
        apply_change(event, {"uid": "x"}, NOW)
    assert _code(exc) == "cal.change.unknown_field"
    cancelled = cancel_event(event, NOW)
    assert cancelled.status is EventStatus.CANCELLED and cancelled.sequence == 1
    assert cancel_event(cancelled, NOW) is cancelled
    with pytest.raises(Conflict):
        apply_change(cancelled, {"title": "Toch"}, NOW)


def test_dtstamp_never_goes_backwards(make_event):
    event = make_event("d", now=NOW)
    changed = apply_change(event, {"title": "Nieuw"}, NOW - timedelta(hours=1))
    assert changed.changed_at >= event.changed_at


def test_changing_the_series_keeps_only_matching_exception_days(make_event):
    event = make_event("ex", recurrence=Recurrence(Frequency.WEEKLY, count=6),
                       exdates=(date(2027, 3, 23),))
    event = cancel_occurrence(event, date(2027, 3, 30), NOW)
    later = apply_change(event, {"title": "Overleg"}, NOW)
    assert later.exdates == (date(2027, 3, 23),) and later.cancelled_dates == (date(2027, 3, 30),)
    # Moving the series to Wednesdays: the Tuesday exceptions no longer apply.
    moved = apply_change(event, {"start": "2027-03-17T19:30"}, NOW)
    assert moved.exdates == () and moved.cancelled_dates == ()
    single = apply_change(event, {"recurrence": None}, NOW)
    assert single.recurrence is None and single.exdates == () and single.cancelled_dates == ()


def test_cancel_occurrence_errors(make_event):
    single = make_event("x1")
    with pytest.raises(InvalidInput):
        cancel_occurrence(single, date(2027, 3, 16), NOW)
    series = make_event("x2", recurrence=Recurrence(Frequency.WEEKLY, count=3))
    with pytest.raises(InvalidInput):
        cancel_occurrence(series, date(2027, 3, 17), NOW)


def test_round_trip_through_dict(make_event):
    event = make_event("rt", type=EventType.TRAINING, title="Training; \"omgaan\" met\nconflict",
                       recurrence=Recurrence(Frequency.MONTHLY, weekdays=(Weekday.TU,), position=3,
                                             until=date(2027, 12, 31)),
                       organiser=Invitee("@sec:x", "Secretaris", email="sec@example.org"),
                       invitees=(Invitee("@jan:x", "Jan"),), capacity=8)
    event = cancel_occurrence(event, date(2027, 4, 20), NOW)
    assert Event.from_dict(event.to_dict()) == event
    allday = make_event("ad", type=EventType.HEIDAG, start=date(2027, 5, 1), end=date(2027, 5, 2))
    assert Event.from_dict(allday.to_dict()) == allday


# --------------------------------------------------------------------------------------------
# expansion

def test_weekly_1930_stays_1930_local_across_both_dst_changes(make_event):
    event = make_event("w", recurrence=Recurrence(Frequency.WEEKLY, until=date(2027, 11, 16)))
    occurrences = expand_occurrences([event], NOW, datetime(2028, 1, 1, tzinfo=AMSTERDAM))
    assert len(occurrences) == 36
    for occ in occurrences:
        assert (occ.start.hour, occ.start.minute) == (19, 30)
        assert (occ.end.hour, occ.end.minute) == (21, 30)
    by_day = {o.day: o for o in occurrences}
    assert by_day[date(2027, 3, 23)].start.utcoffset() == timedelta(hours=1)
    assert by_day[date(2027, 3, 30)].start.utcoffset() == timedelta(hours=2)
    assert by_day[date(2027, 10, 26)].start.utcoffset() == timedelta(hours=2)
    assert by_day[date(2027, 11, 2)].start.utcoffset() == timedelta(hours=1)


def test_expansion_skips_exdates_and_flags_cancelled(make_event):
    event = make_event("e", recurrence=Recurrence(Frequency.WEEKLY, count=4),
                       exdates=(date(2027, 3, 23),))
    event = cancel_occurrence(event, date(2027, 3, 30), NOW)
    window = (NOW, datetime(2027, 5, 1, tzinfo=AMSTERDAM))
    assert [o.day for o in expand_occurrences([event], *window)] == [date(2027, 3, 16), date(2027, 4, 6)]
    everything = expand_occurrences([event], *window, include_cancelled=True)
    assert [(o.day, o.cancelled) for o in everything] == [
        (date(2027, 3, 16), False), (date(2027, 3, 30), True), (date(2027, 4, 6), False)]
    assert everything[1].key == "e/2027-03-30"
    assert find_occurrence(event, date(2027, 3, 23)) is None
    assert find_occurrence(event, date(2027, 3, 30)).cancelled


def test_expansion_window_overlap_and_order(make_event):
    a = make_event("a", start=datetime(2027, 3, 20, 10, tzinfo=AMSTERDAM),
                   end=datetime(2027, 3, 20, 12, tzinfo=AMSTERDAM))
    b = make_event("b", type=EventType.HEIDAG, start=date(2027, 3, 19), end=date(2027, 3, 20))
    cancelled = cancel_event(make_event("c", start=datetime(2027, 3, 19, 9, tzinfo=AMSTERDAM),
                                        end=datetime(2027, 3, 19, 10, tzinfo=AMSTERDAM)), NOW)
    window = (datetime(2027, 3, 20, 11, tzinfo=AMSTERDAM), datetime(2027, 3, 21, tzinfo=AMSTERDAM))
    assert [o.uid for o in expand_occurrences([a, b, cancelled], *window)] == ["b", "a"]
    assert [o.key for o in expand_occurrences([a, b, cancelled], NOW, window[1],
                                              include_cancelled=True)] == ["b", "c", "a"]


def test_all_day_series(make_event):
    event = make_event("t", type=EventType.TRAINING, start=date(2027, 3, 20), end=date(2027, 3, 20),
                       recurrence=Recurrence(Frequency.WEEKLY, interval=2, count=3))
    days = [o.start for o in expand_occurrences([event], NOW, datetime(2027, 6, 1, tzinfo=AMSTERDAM))]
    assert days == [date(2027, 3, 20), date(2027, 4, 3), date(2027, 4, 17)]


def test_occurrence_key_of_single_event_is_uid(make_event):
    occ = expand_occurrences([make_event("solo")], NOW, datetime(2027, 4, 1, tzinfo=AMSTERDAM))[0]
    assert occ.key == "solo"
