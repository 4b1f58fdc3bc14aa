"""Attendance for the council's account of its time: records per held meeting, hours, and the
secretary's names turned into members."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from services.calendar.domain.attendance import Rsvp, confirm_attendance, new_attendance, respond
from services.calendar.domain.events import (
    AMSTERDAM,
    EventType,
    Frequency,
    Invitee,
    Occurrence,
    Recurrence,
    cancel_occurrence,
    expand_occurrences,
)
from services.calendar.domain.presence import (
    ALL_DAY_HOURS,
    KIND_OF_TYPE,
    answer_overview,
    occurrence_hours,
    resolve_names,
    year_records,
)

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)
ANNA, BRAM, CHANTAL, DIRK = (f"@{n}:example.org" for n in ("anna", "bram", "chantal", "dirk"))
MEMBERS = [ANNA, BRAM, CHANTAL, DIRK]
ROSTER = {ANNA: "Anna de Vries", BRAM: "Bram", CHANTAL: "Chantal Bakker", DIRK: "Dirk Bakker"}


def single(event) -> Occurrence:
    return Occurrence(event=event, start=event.start, end=event.end)


def answered(event, answers: dict[str, Rsvp], *, present: list[str] | None = None, at: datetime | None = None):
    occ = single(event)
    att = None
    for member, rsvp in answers.items():
        att = respond(att, occ, member, rsvp, NOW).attendance
    if present is not None:
        att = confirm_attendance(att, occ, present, at or occ.end_instant)
    return {occ.key: att or new_attendance(occ)}


def test_every_event_type_has_a_kind_or_is_a_deadline():
    deadlines = {EventType.ADVIESDEADLINE, EventType.REALISATIETOETS}
    assert set(KIND_OF_TYPE) | deadlines == set(EventType)
    assert set(KIND_OF_TYPE.values()) == {"vergadering", "heidag", "training", "raadpleging", "bewonersavond"}
    assert KIND_OF_TYPE[EventType.BEWONERSCONSULTATIE] == "raadpleging"


def test_hours_come_from_the_calendar_and_all_day_has_a_default(make_event):
    meeting = make_event(start=datetime(2027, 3, 16, 19, 30, tzinfo=AMSTERDAM),
                         end=datetime(2027, 3, 16, 21, 15, tzinfo=AMSTERDAM))
    assert occurrence_hours(single(meeting)) == 1.75
    heidag = make_event(type=EventType.HEIDAG, start=date(2027, 4, 2), end=date(2027, 4, 3))
    assert occurrence_hours(single(heidag)) == 2 * ALL_DAY_HOURS
    assert occurrence_hours(single(heidag), all_day_hours=8) == 16
    # Across the change to summer time (28 March 2027, 02:00 → 03:00) an evening is still its real length.
    night = make_event(start=datetime(2027, 3, 27, 22, 0, tzinfo=AMSTERDAM),
                       end=datetime(2027, 3, 28, 4, 0, tzinfo=AMSTERDAM))
    assert occurrence_hours(single(night)) == 5.0


def test_confirmed_presence_wins_over_the_answers(make_event):
    meeting = make_event(title="Vergadering maart")
    atts = answered(meeting, {ANNA: Rsvp.AANWEZIG, BRAM: Rsvp.AANWEZIG, CHANTAL: Rsvp.AFWEZIG},
                    present=[ANNA, CHANTAL])
    after = datetime(2027, 3, 17, 9, 0, tzinfo=AMSTERDAM)
    records = year_records([meeting], atts, MEMBERS, 2027, after, AMSTERDAM)
    assert [(r.member, r.present, r.confirmed) for r in records] == [
        (ANNA, True, True), (BRAM, False, True), (CHANTAL, True, True), (DIRK, False, True)]
    first = records[0]
    assert (first.kind, first.title, first.day, first.hours) == ("vergadering", "Vergadering maart",
                                                                  date(2027, 3, 16), 2.0)


def test_unconfirmed_presence_is_the_answer_aanwezig_with_a_place(make_event):
    training = make_event(type=EventType.TRAINING, title="Training", capacity=1)
    atts = answered(training, {ANNA: Rsvp.AANWEZIG, BRAM: Rsvp.AANWEZIG})  # Bram on the waiting list
    after = datetime(2027, 3, 17, 9, 0, tzinfo=AMSTERDAM)
    records = {r.member: r for r in year_records([training], atts, MEMBERS, 2027, after, AMSTERDAM)}
    assert records[ANNA].present and not records[ANNA].confirmed
    assert not records[BRAM].present and not records[DIRK].present
    assert all(r.kind == "training" for r in records.values())


def test_only_held_meetings_of_the_year_count(make_event):
    series = make_event(title="Maandvergadering", start=datetime(2027, 1, 12, 19, 30, tzinfo=AMSTERDAM),
                        end=datetime(2027, 1, 12, 21, 30, tzinfo=AMSTERDAM),
                        recurrence=Recurrence(freq=Frequency.MONTHLY), now=datetime(2027, 1, 1, tzinfo=AMSTERDAM))
    series = cancel_occurrence(series, date(2027, 2, 12), datetime(2027, 1, 2, tzinfo=AMSTERDAM))  # February called off
    deadline = make_event(type=EventType.ADVIESDEADLINE, title="Advies", start=date(2027, 2, 1), end=date(2027, 2, 1),
                          now=datetime(2027, 1, 1, tzinfo=AMSTERDAM))
    now = datetime(2027, 4, 12, 19, 45, tzinfo=AMSTERDAM)  # the April meeting has just begun
    records = year_records([series, deadline], {}, [ANNA], 2027, now, AMSTERDAM)
    assert [r.day for r in records] == [date(2027, 1, 12), date(2027, 3, 12), date(2027, 4, 12)]
    assert year_records([series], {}, [ANNA], 2026, now, AMSTERDAM) == []
    assert year_records([series], {}, [ANNA], 2028, now, AMSTERDAM) == []
    # The year is the council's: a meeting late on 31 December local time belongs to that year.
    late = make_event(start=datetime(2027, 12, 31, 23, 0, tzinfo=AMSTERDAM),
                      end=datetime(2027, 12, 31, 23, 45, tzinfo=AMSTERDAM))
    after = datetime(2028, 2, 1, tzinfo=timezone.utc)
    assert [r.day.year for r in year_records([late], {}, [ANNA], 2027, after, AMSTERDAM)] == [2027]
    assert year_records([late], {}, [ANNA], 2028, after, AMSTERDAM) == []


def test_invitees_and_people_off_the_roster(make_event):
    board = make_event(type=EventType.OVERLEG_BESTUUR, title="Overleg bestuur",
                       invitees=(Invitee(ANNA, "Anna"), Invitee(BRAM, "Bram")))
    former = "@oud-lid:example.org"
    atts = answered(board, {}, present=[ANNA, former])
    after = datetime(2027, 3, 17, tzinfo=AMSTERDAM)
    records = year_records([board], atts, MEMBERS, 2027, after, AMSTERDAM)
    assert [(r.member, r.present) for r in records] == [(ANNA, True), (BRAM, False), (former, True)]
    assert records[0].kind == "vergadering"
    only = year_records([board], atts, MEMBERS, 2027, after, AMSTERDAM, member=former)
    assert [(r.member, r.hours) for r in only] == [(former, 2.0)]


def test_answer_overview(make_event):
    meeting = make_event(capacity=1)
    occ = single(meeting)
    att = respond(None, occ, ANNA, Rsvp.AANWEZIG, NOW).attendance
    att = respond(att, occ, BRAM, Rsvp.AANWEZIG, NOW).attendance
    att = respond(att, occ, CHANTAL, Rsvp.AFWEZIG, NOW).attendance
    overview = answer_overview(att, MEMBERS)
    assert (overview.coming, overview.waiting, overview.not_coming, overview.silent) == (
        (ANNA,), (BRAM,), (CHANTAL,), (DIRK,))
    assert answer_overview(None, MEMBERS).silent == tuple(MEMBERS)


def test_names_as_the_secretary_types_them():
    match = resolve_names("@anna:example.org, Bram en chantal", ROSTER)
    assert match.members == (ANNA, BRAM, CHANTAL) and match.unknown == ()
    # display names of several words, localparts with @, Element's "Name:" mention, duplicates once
    match = resolve_names("Chantal Bakker: @dirk Anna de Vries anna", ROSTER)
    assert match.members == (CHANTAL, DIRK, ANNA) and match.unknown == ()
    # "Bakker" alone is two people, "Eva" nobody: both are reported, nothing guessed
    assert resolve_names("Bakker Eva Bram", ROSTER).unknown == ("Bakker", "Eva")
    assert resolve_names("bakker", {**ROSTER, DIRK: "Dirk"}).members == ()
    guest = "@gast:other.example"
    assert resolve_names(guest, ROSTER).members == (guest,)
    nobody = resolve_names("niemand", ROSTER)
    assert nobody.nobody and nobody.members == () and nobody.unknown == ()
    assert not resolve_names("", ROSTER).nobody


def test_first_name_only_when_unique():
    roster = {**ROSTER, "@anna2:example.org": "Anna Smit"}
    assert resolve_names("Anna", roster).unknown == ("Anna",)  # two Anna's
    assert resolve_names("Anna Smit", roster).members == ("@anna2:example.org",)
    assert resolve_names("@anna", roster).members == (ANNA,)  # with @ it is the localpart
    assert resolve_names("@anna2", roster).members == ("@anna2:example.org",)


def test_year_records_follow_expansion_order(make_event):
    a = make_event(title="A", start=datetime(2027, 3, 2, 19, 0, tzinfo=AMSTERDAM),
                   end=datetime(2027, 3, 2, 20, 0, tzinfo=AMSTERDAM))
    b = make_event(title="B", type=EventType.BEWONERSAVOND, start=datetime(2027, 2, 2, 19, 0, tzinfo=AMSTERDAM),
                   end=datetime(2027, 2, 2, 21, 30, tzinfo=AMSTERDAM), now=datetime(2027, 1, 1, tzinfo=AMSTERDAM))
    after = datetime(2027, 3, 3, tzinfo=AMSTERDAM)
    records = year_records([a, b], {}, [ANNA], 2027, after, AMSTERDAM)
    assert [(r.title, r.kind, r.hours) for r in records] == [("B", "bewonersavond", 2.5), ("A", "vergadering", 1.0)]
    assert [o.event.title for o in expand_occurrences([a, b], after - timedelta(days=60), after)] == ["B", "A"]
    assert replace(records[0], present=True).present
