"""Reminders: schedule, unique keys, never twice, late after downtime, nothing for cancellations."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from shared.errors import InvalidInput
from services.calendar.domain.events import (
    AMSTERDAM,
    EventType,
    Frequency,
    Recurrence,
    cancel_event,
    cancel_occurrence,
    expand_occurrences,
)
from services.calendar.domain.reminders import (
    DEFAULT_OFFSETS,
    ReminderOffset,
    due_reminders,
    format_offsets,
    next_due_at,
    parse_offsets,
    reminder_key,
    reminder_message,
)
from shared import i18n

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)  # a Monday, as in conftest


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def _run(events, start: datetime, end: datetime, step: timedelta = timedelta(minutes=5),
         offsets=DEFAULT_OFFSETS):
    """Simulate a scheduler that ticks every ``step`` and records what it sent."""
    sent: set[str] = set()
    posted = []
    now = start
    while now <= end:
        for reminder in due_reminders(events, offsets, sent, now):
            assert reminder.key not in sent
            sent.add(reminder.key)
            posted.append((now, reminder))
        now += step
    return posted


def test_default_schedule_for_a_meeting(make_event):
    event = make_event("v")  # Tue 16 March 2027 19:30
    posted = _run([event], NOW, _at(2027, 3, 17))
    assert [(r.offset_label, r.due_at) for _, r in posted] == [
        ("7d", _at(2027, 3, 9, 19, 30)),
        ("1d", _at(2027, 3, 15, 19, 30)),
        ("0d@08:00", _at(2027, 3, 16, 8, 0)),
    ]
    assert not any(r.late for _, r in posted)
    assert all(when - r.due_at < timedelta(minutes=5) for when, r in posted)


def test_day_offsets_keep_wall_clock_time_across_dst(make_event):
    # Tue 30 March 19:30 CEST; 7 days earlier is still winter time.
    event = make_event("dst", start=_at(2027, 3, 30, 19, 30), end=_at(2027, 3, 30, 21, 30))
    occ = expand_occurrences([event], NOW, _at(2027, 4, 1))[0]
    due = ReminderOffset(days_before=7).due_at(occ)
    assert (due.hour, due.minute) == (19, 30) and due.utcoffset() == timedelta(hours=1)
    assert ReminderOffset(hours_before=2).due_at(occ) == _at(2027, 3, 30, 17, 30)


def test_keys_are_unique_per_occurrence_and_offset(make_event):
    event = make_event("series", recurrence=Recurrence(Frequency.WEEKLY, count=8))
    other = make_event("other", start=_at(2027, 3, 16, 19, 30), end=_at(2027, 3, 16, 21))
    posted = _run([event, other], NOW, _at(2027, 5, 10), step=timedelta(minutes=30))
    keys = [r.key for _, r in posted]
    assert len(keys) == len(set(keys)) == (8 + 1) * 3
    assert "series/20270316T183000Z/7d" in keys
    occs = expand_occurrences([event], NOW, _at(2027, 6, 1))
    all_keys = {reminder_key(o, off) for o in occs for off in DEFAULT_OFFSETS}
    assert len(all_keys) == len(occs) * len(DEFAULT_OFFSETS)


def test_sent_keys_prevent_a_second_send(make_event):
    event = make_event("once")
    now = _at(2027, 3, 9, 19, 31)
    first = due_reminders([event], DEFAULT_OFFSETS, set(), now)
    assert [r.offset_label for r in first] == ["7d"]
    sent = {first[0].key}
    assert due_reminders([event], DEFAULT_OFFSETS, sent, now) == []
    assert due_reminders([event], DEFAULT_OFFSETS, sent, now + timedelta(hours=5)) == []


def test_missed_reminder_is_sent_once_marked_late(make_event):
    event = make_event("late")
    # The service was down from 9 March 12:00 to 11 March 09:00; the 7-day reminder was missed.
    back = _at(2027, 3, 11, 9, 0)
    due = due_reminders([event], DEFAULT_OFFSETS, set(), back)
    assert len(due) == 1 and due[0].late and due[0].offset_label == "7d"
    assert due_reminders([event], DEFAULT_OFFSETS, {due[0].key}, back + timedelta(minutes=1)) == []


def test_after_a_long_outage_only_the_latest_reminder_goes_out(make_event):
    event = make_event("long")
    back = _at(2027, 3, 16, 9, 0)  # 7d, 1d and the morning were all missed
    due = due_reminders([event], DEFAULT_OFFSETS, set(), back)
    assert [(r.offset_label, r.late) for r in due] == [("0d@08:00", True)]
    assert due_reminders([event], DEFAULT_OFFSETS, {due[0].key}, back + timedelta(hours=1)) == []


def test_no_reminder_once_the_meeting_has_started(make_event):
    event = make_event("started")
    assert due_reminders([event], DEFAULT_OFFSETS, set(), _at(2027, 3, 16, 19, 31)) == []
    assert due_reminders([event], DEFAULT_OFFSETS, set(), _at(2027, 3, 16, 19, 29))


def test_within_window_is_not_late(make_event):
    event = make_event("w")
    due = due_reminders([event], DEFAULT_OFFSETS, set(), _at(2027, 3, 15, 19, 40),
                        window=timedelta(minutes=15))
    assert [(r.offset_label, r.late) for r in due] == [("1d", False)]
    due = due_reminders([event], DEFAULT_OFFSETS, set(), _at(2027, 3, 15, 19, 50),
                        window=timedelta(minutes=15))
    assert due[0].late


def test_cancelled_events_and_occurrences_get_no_reminders(make_event):
    cancelled = cancel_event(make_event("c"), NOW)
    series = make_event("s", recurrence=Recurrence(Frequency.WEEKLY, count=2))
    series = cancel_occurrence(series, date(2027, 3, 16), NOW)
    posted = _run([cancelled, series], NOW, _at(2027, 3, 24), step=timedelta(minutes=30))
    assert {r.event_uid for _, r in posted} == {"s"}
    assert {r.occurrence_start for _, r in posted} == {_at(2027, 3, 23, 19, 30)}


def test_exdate_occurrence_gets_no_reminders(make_event):
    series = make_event("x", recurrence=Recurrence(Frequency.WEEKLY, count=2),
                        exdates=(date(2027, 3, 16),))
    assert due_reminders([series], DEFAULT_OFFSETS, set(), _at(2027, 3, 16, 9)) == []


def test_all_day_event_reminders_in_the_morning(make_event):
    heidag = make_event("h", type=EventType.HEIDAG, start=date(2027, 4, 8), end=date(2027, 4, 9))
    posted = _run([heidag], _at(2027, 3, 31), _at(2027, 4, 9), step=timedelta(minutes=30))
    assert [(r.offset_label, r.due_at) for _, r in posted] == [
        ("7d", _at(2027, 4, 1, 8, 0)), ("1d", _at(2027, 4, 7, 8, 0)), ("0d@08:00", _at(2027, 4, 8, 8, 0))]
    # A late morning reminder can still go out before noon, not after.
    assert due_reminders([heidag], DEFAULT_OFFSETS, set(), _at(2027, 4, 8, 11))[0].late
    assert due_reminders([heidag], DEFAULT_OFFSETS, set(), _at(2027, 4, 8, 12, 1)) == []


def test_moving_a_meeting_gives_new_keys(make_event):
    from services.calendar.domain.events import apply_change

    event = make_event("mv")
    sent = {r.key for r in due_reminders([event], DEFAULT_OFFSETS, set(), _at(2027, 3, 9, 19, 31))}
    moved = apply_change(event, {"start": _at(2027, 3, 16, 20, 0)}, NOW)
    again = due_reminders([moved], DEFAULT_OFFSETS, sent, _at(2027, 3, 9, 20, 1))
    assert [r.offset_label for r in again] == ["7d"] and again[0].key not in sent


def test_next_due_at(make_event):
    event = make_event("n")
    assert next_due_at([event], DEFAULT_OFFSETS, NOW) == _at(2027, 3, 9, 19, 30)
    assert next_due_at([event], DEFAULT_OFFSETS, _at(2027, 3, 16, 8, 0)) is None


def test_parse_and_format_offsets():
    offsets = parse_offsets("7d, 1d ochtend")
    assert offsets == DEFAULT_OFFSETS
    assert format_offsets(offsets) == "7d, 1d, 0d@08:00"
    assert parse_offsets(format_offsets(offsets)) == offsets
    assert parse_offsets("2u 1d@20:00") == (ReminderOffset(hours_before=2),
                                            ReminderOffset(days_before=1, at=time(20, 0)))
    assert parse_offsets("") == ()
    for bad in ("morgen", "0d", "99d", "1d@25:00", "7x"):
        with pytest.raises(InvalidInput):
            parse_offsets(bad)


def test_reminder_messages(make_event):
    event = make_event("msg", title="Vergadering Klantenraad")
    texts = []
    for _, reminder in _run([event], NOW, _at(2027, 3, 17)):
        code, params = reminder_message(reminder)
        texts.append(i18n.t(code, "nl", **params))
    assert texts == [
        "Herinnering: Vergadering Klantenraad over 7 dagen, dinsdag 16 maart 2027, 19:30.",
        "Herinnering: morgen Vergadering Klantenraad, dinsdag 16 maart 2027, 19:30.",
        "Vandaag: Vergadering Klantenraad, dinsdag 16 maart 2027, 19:30.",
    ]
    code, params = reminder_message(
        due_reminders([event], [ReminderOffset(hours_before=2)], set(), _at(2027, 3, 16, 17, 31))[0])
    assert i18n.t(code, "en", **params) == (
        "Coming up: Vergadering Klantenraad, Tuesday 16 March 2027, 19:30.")


# --- the day word counts from the posting moment, at any hour of the night -------------------------
# Local hours at which a scheduler tick may post (issue: the suite failed at 03:19 in Rotterdam).
TICK_HOURS = [time(0, 30), time(3, 0), time(8, 59), time(12, 0), time(23, 30)]
# A night of each clock change: summer time starts 28 March 2027, winter time returns 31 October.
DST_NIGHTS = [date(2027, 3, 27), date(2027, 3, 28), date(2027, 10, 30), date(2027, 10, 31)]


def _first_posted_word(events, now: datetime) -> str:
    (reminder,) = due_reminders(events, DEFAULT_OFFSETS, set(), now)
    assert reminder.posted_at == now
    code, params = reminder_message(reminder)
    return i18n.t(code, "nl", **params)


@pytest.mark.parametrize("tick", TICK_HOURS, ids=lambda t: t.strftime("%H%M"))
@pytest.mark.parametrize("day", [date(2027, 3, 2), *DST_NIGHTS], ids=str)
def test_day_word_from_the_posting_day_all_day_event_tomorrow(make_event, day, tick):
    """A realisation check (all day) tomorrow: whichever offset stands in, the room reads "morgen"."""
    check = make_event("check", type=EventType.REALISATIETOETS, title="Toetsen van de realisatie",
                       start=day + timedelta(days=1), end=None,
                       now=datetime.combine(day - timedelta(days=20), time(9), tzinfo=AMSTERDAM))
    now = datetime.combine(day, tick, tzinfo=AMSTERDAM)
    text = _first_posted_word([check], now)
    assert text.startswith("Herinnering: morgen Toetsen van de realisatie"), (now, text)


@pytest.mark.parametrize("tick", TICK_HOURS, ids=lambda t: t.strftime("%H%M"))
@pytest.mark.parametrize("day", [date(2027, 3, 2), *DST_NIGHTS], ids=str)
def test_day_word_for_a_meeting_tomorrow_evening(make_event, day, tick):
    start = datetime.combine(day + timedelta(days=1), time(19, 30), tzinfo=AMSTERDAM)
    meeting = make_event("meet", title="Vergadering", start=start, end=start + timedelta(hours=2),
                         now=datetime.combine(day - timedelta(days=20), time(9), tzinfo=AMSTERDAM))
    now = datetime.combine(day, tick, tzinfo=AMSTERDAM)
    text = _first_posted_word([meeting], now)
    assert text.startswith("Herinnering: morgen Vergadering"), (now, text)


@pytest.mark.parametrize("tick", [time(8, 59), time(12, 0), time(17, 0)], ids=lambda t: t.strftime("%H%M"))
@pytest.mark.parametrize("day", [date(2027, 3, 2), *DST_NIGHTS], ids=str)
def test_day_word_for_a_meeting_later_today(make_event, day, tick):
    """Posted on the day itself (late, or the morning one): "Vandaag", never "morgen"."""
    start = datetime.combine(day, time(19, 30), tzinfo=AMSTERDAM)
    meeting = make_event("meet", title="Vergadering", start=start, end=start + timedelta(hours=2),
                         now=datetime.combine(day - timedelta(days=20), time(9), tzinfo=AMSTERDAM))
    now = datetime.combine(day, tick, tzinfo=AMSTERDAM)
    text = _first_posted_word([meeting], now)
    assert text.startswith("Vandaag: Vergadering"), (now, text)


@pytest.mark.parametrize("tick", TICK_HOURS, ids=lambda t: t.strftime("%H%M"))
def test_day_word_counts_days_from_the_posting_day(make_event, tick):
    """The week-before reminder posted two days late says "over 5 dagen", not "over 7"."""
    start = datetime(2027, 3, 16, 19, 30, tzinfo=AMSTERDAM)
    meeting = make_event("meet", title="Vergadering", start=start, end=start + timedelta(hours=2))
    now = datetime.combine(date(2027, 3, 11), tick, tzinfo=AMSTERDAM)
    text = _first_posted_word([meeting], now)
    assert text.startswith("Herinnering: Vergadering over 5 dagen"), (now, text)


def test_hours_before_reminder_says_coming_up_but_a_late_day_before_one_says_today(make_event):
    start = datetime(2027, 3, 16, 19, 30, tzinfo=AMSTERDAM)
    meeting = make_event("meet", title="Vergadering", start=start, end=start + timedelta(hours=2))
    (soon,) = due_reminders([meeting], [ReminderOffset(hours_before=2)], set(), _at(2027, 3, 16, 17, 45))
    assert reminder_message(soon)[0] == "cal.reminder.hours_before"
    (late,) = due_reminders([meeting], [ReminderOffset(days_before=1)], set(), _at(2027, 3, 16, 0, 30))
    assert reminder_message(late)[0] == "cal.reminder.today"
