"""Attendance: RSVPs, waiting list, confirmation, training record, heidag warning."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import icalendar
import pytest

from shared.errors import Conflict, Forbidden, InvalidInput
from services.calendar.domain.attendance import (
    Attendance,
    HeidagStatus,
    Rsvp,
    Seat,
    confirm_attendance,
    heidag_warning,
    partstat,
    personal_answers,
    rebalance,
    respond,
    training_record,
)
from services.calendar.domain.events import (
    AMSTERDAM,
    EventType,
    Frequency,
    Invitee,
    PartStat,
    Recurrence,
    cancel_event,
    cancel_occurrence,
    expand_occurrences,
)
from services.calendar.domain.ical import render_feed
from services.calendar.domain import messages

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)  # a Monday, as in conftest

PEOPLE = [Invitee(f"@m{i}:woonstad.example", f"Lid {i}") for i in range(1, 7)]


def _occ(event, day=None):
    occs = expand_occurrences([event], NOW, NOW + timedelta(days=400), include_cancelled=True)
    return occs[0] if day is None else next(o for o in occs if o.day == day)


def _training(make_event, capacity=2, **fields):
    return make_event("tr", type=EventType.TRAINING, title="Training vergadertechniek",
                      capacity=capacity, **fields)


def test_rsvp_without_capacity(make_event):
    event = make_event("v", invitees=tuple(PEOPLE))
    occ = _occ(event)
    out = respond(None, occ, PEOPLE[0].member_id, Rsvp.AANWEZIG, NOW)
    out = respond(out.attendance, occ, PEOPLE[1].member_id, Rsvp.AFWEZIG, NOW)
    att = out.attendance
    assert att.seat(PEOPLE[0].member_id) is Seat.PLACED
    assert att.seat(PEOPLE[1].member_id) is Seat.DECLINED
    assert att.seat(PEOPLE[2].member_id) is Seat.UNKNOWN
    assert [partstat(att, p.member_id) for p in PEOPLE[:3]] == [
        PartStat.ACCEPTED, PartStat.DECLINED, PartStat.NEEDS_ACTION]


def test_waiting_list_is_fifo_and_a_cancellation_promotes_the_first(make_event):
    occ = _occ(_training(make_event, capacity=2))
    att = None
    seats = []
    for person in PEOPLE[:5]:
        out = respond(att, occ, person.member_id, Rsvp.AANWEZIG, NOW)
        att = out.attendance
        seats.append(out.seat)
    assert seats == [Seat.PLACED, Seat.PLACED, Seat.WAITING, Seat.WAITING, Seat.WAITING]
    assert messages.text(out.message_code, "nl").startswith("Het is vol.")
    assert att.waiting == tuple(p.member_id for p in PEOPLE[2:5])
    assert partstat(att, PEOPLE[2].member_id) is PartStat.TENTATIVE
    # Saying "aanwezig" again keeps your place in the queue.
    again = respond(att, occ, PEOPLE[3].member_id, Rsvp.AANWEZIG, NOW)
    assert again.attendance.waiting == att.waiting and again.seat is Seat.WAITING
    # A waiting member who drops out leaves the queue; nobody is promoted.
    out = respond(att, occ, PEOPLE[3].member_id, Rsvp.AFWEZIG, NOW)
    assert out.promoted == () and out.attendance.waiting == (PEOPLE[2].member_id, PEOPLE[4].member_id)
    # A placed member cancels: the first waiting member gets the place.
    out = respond(out.attendance, occ, PEOPLE[0].member_id, Rsvp.AFWEZIG, NOW)
    assert out.promoted == (PEOPLE[2].member_id,)
    assert out.attendance.places == (PEOPLE[1].member_id, PEOPLE[2].member_id)
    assert out.attendance.waiting == (PEOPLE[4].member_id,)
    assert out.seat is Seat.DECLINED
    # "onbekend" also gives the place up.
    out = respond(out.attendance, occ, PEOPLE[1].member_id, Rsvp.ONBEKEND, NOW)
    assert out.promoted == (PEOPLE[4].member_id,) and out.attendance.waiting == ()


def test_rebalance_after_capacity_change(make_event):
    occ = _occ(_training(make_event, capacity=1))
    att = None
    for person in PEOPLE[:4]:
        att = respond(att, occ, person.member_id, Rsvp.AANWEZIG, NOW).attendance
    out = rebalance(att, 3)
    assert out.promoted == (PEOPLE[1].member_id, PEOPLE[2].member_id)
    assert out.attendance.waiting == (PEOPLE[3].member_id,)
    smaller = rebalance(out.attendance, 1)
    assert smaller.attendance.places == out.attendance.places  # nobody loses a place


def test_rsvp_refusals(make_event):
    event = make_event("r", invitees=(PEOPLE[0],))
    occ = _occ(event)
    with pytest.raises(Forbidden):
        respond(None, occ, PEOPLE[1].member_id, Rsvp.AANWEZIG, NOW)
    with pytest.raises(Conflict) as exc:
        respond(None, occ, PEOPLE[0].member_id, Rsvp.AANWEZIG, datetime(2027, 3, 16, 19, 31, tzinfo=AMSTERDAM))
    assert exc.value.code == "cal.rsvp.closed"
    cancelled = _occ(cancel_event(event, NOW))
    with pytest.raises(Conflict) as exc:
        respond(None, cancelled, PEOPLE[0].member_id, Rsvp.AANWEZIG, NOW)
    assert exc.value.code == "cal.rsvp.cancelled"


def test_rsvp_words():
    assert Rsvp.parse("!aanwezig") is Rsvp.AANWEZIG
    assert Rsvp.parse("Afwezig") is Rsvp.AFWEZIG
    assert Rsvp.parse("maybe") is Rsvp.ONBEKEND
    with pytest.raises(InvalidInput):
        Rsvp.parse("wellicht")


def test_confirmation_and_training_record(make_event):
    first = _training(make_event, capacity=None)
    second = make_event("tr2", type=EventType.TRAINING, title="Training lezen van begrotingen",
                        start=datetime(2027, 4, 6, 19, 30, tzinfo=AMSTERDAM),
                        end=datetime(2027, 4, 6, 21, 30, tzinfo=AMSTERDAM))
    meeting = make_event("vg", start=datetime(2027, 3, 17, 19, 30, tzinfo=AMSTERDAM),
                         end=datetime(2027, 3, 17, 21, tzinfo=AMSTERDAM))
    anne, bram = PEOPLE[0].member_id, PEOPLE[1].member_id
    atts = {}
    for event in (first, second, meeting):
        occ = _occ(event)
        att = respond(None, occ, anne, Rsvp.AANWEZIG, NOW).attendance
        att = respond(att, occ, bram, Rsvp.AANWEZIG, NOW).attendance
        atts[occ.key] = att
    after_first = datetime(2027, 3, 16, 22, tzinfo=AMSTERDAM)
    with pytest.raises(Conflict):
        confirm_attendance(atts["tr"], _occ(first), [anne], NOW)
    atts["tr"] = confirm_attendance(atts["tr"], _occ(first), [anne], after_first)
    # Bram said he would come, but the secretary did not see him.
    assert training_record(bram, [first, second, meeting], atts, after_first) == []
    record = training_record(anne, [first, second, meeting], atts, after_first)
    assert [(r.event_uid, r.confirmed) for r in record] == [("tr", True)]
    later = datetime(2027, 4, 7, 12, tzinfo=AMSTERDAM)
    record = training_record(anne, [first, second, meeting], atts, later)
    assert [(r.event_uid, r.day, r.confirmed) for r in record] == [
        ("tr", date(2027, 3, 16), True), ("tr2", date(2027, 4, 6), False)]
    assert Attendance.from_dict(atts["tr"].to_dict()) == atts["tr"]


def test_personal_answers_feed_into_the_personal_feed(make_event):
    jan = PEOPLE[0]
    single = make_event("s", invitees=(jan,))
    series = make_event("w", recurrence=Recurrence(Frequency.WEEKLY, count=4), invitees=(jan,),
                        start=datetime(2027, 3, 18, 19, 30, tzinfo=AMSTERDAM),
                        end=datetime(2027, 3, 18, 21, tzinfo=AMSTERDAM))
    other = make_event("o", invitees=(PEOPLE[1],))
    atts = {}
    atts["s"] = respond(None, _occ(single), jan.member_id, Rsvp.AANWEZIG, NOW).attendance
    occ = _occ(series, date(2027, 3, 25))
    atts[occ.key] = respond(None, occ, jan.member_id, Rsvp.AFWEZIG, NOW).attendance
    answers = personal_answers(jan, [single, series, other], atts)
    assert set(answers) == {"s", "w"}
    assert answers["s"].partstat is PartStat.ACCEPTED
    assert answers["w"].occurrences == {date(2027, 3, 25): PartStat.DECLINED}
    body = render_feed("Mijn agenda", [single, series], attendee_partstat=answers)
    vevents = icalendar.Calendar.from_ical(body).walk("VEVENT")
    stats = sorted((str(v["UID"]), v.get("RECURRENCE-ID") is not None, v["ATTENDEE"].params["PARTSTAT"])
                   for v in vevents)
    assert stats == [("s@overleg", False, "ACCEPTED"), ("w@overleg", False, "NEEDS-ACTION"),
                     ("w@overleg", True, "DECLINED")]


def test_rsvp_on_cancelled_occurrence_of_series(make_event):
    series = make_event("w", recurrence=Recurrence(Frequency.WEEKLY, count=3))
    series = cancel_occurrence(series, date(2027, 3, 23), NOW)
    with pytest.raises(Conflict):
        respond(None, _occ(series, date(2027, 3, 23)), PEOPLE[0].member_id, Rsvp.AANWEZIG, NOW)


# --------------------------------------------------------------------------------------------
# heidag warning

def _heidag(make_event, uid, day, **fields):
    return make_event(uid, type=EventType.HEIDAG, title="Heidag", start=day, end=day,
                      now=datetime(2026, 1, 1, tzinfo=AMSTERDAM), **fields)


def test_heidag_recent_is_fine(make_event):
    past = _heidag(make_event, "h1", date(2026, 11, 14))
    status = heidag_warning([past], NOW)
    assert status == HeidagStatus(warn=False, last=date(2026, 11, 14), next=None, days_since=107,
                                  max_gap_days=183)
    assert status.message() is None


def test_heidag_overdue_with_and_without_a_next_one(make_event):
    old = _heidag(make_event, "h1", date(2026, 6, 20))
    status = heidag_warning([old], NOW)
    assert status.warn and status.last == date(2026, 6, 20) and status.next is None
    code, params = status.message()
    assert code == "cal.heidag.overdue"
    assert messages.text(code, "nl", **params) == (
        "Let op: de laatste heidag was op zaterdag 20 juni 2026, langer dan 6 maanden geleden. "
        "Tijd om de hei weer op te gaan?")
    planned = _heidag(make_event, "h2", date(2027, 4, 10))
    status = heidag_warning([old, planned], NOW)
    assert status.warn and status.next == date(2027, 4, 10)
    code, params = status.message()
    assert code == "cal.heidag.overdue_planned"
    assert "zaterdag 10 april 2027" in messages.text(code, "nl", **params)


def test_cancelled_heidag_does_not_count(make_event):
    recent = cancel_event(_heidag(make_event, "h1", date(2027, 1, 9)), NOW)
    old = _heidag(make_event, "h0", date(2026, 5, 9))
    status = heidag_warning([recent, old], NOW)
    assert status.warn and status.last == date(2026, 5, 9)


def test_no_heidag_yet_and_tracking_since(make_event):
    status = heidag_warning([], NOW)
    assert status.warn and status.last is None and status.message()[0] == "cal.heidag.none_yet"
    assert not heidag_warning([], NOW, tracking_since=date(2027, 1, 1)).warn
    assert heidag_warning([], NOW, timedelta(days=30), tracking_since=date(2027, 1, 1)).warn


def test_configurable_gap(make_event):
    past = _heidag(make_event, "h1", date(2026, 11, 14))
    assert heidag_warning([past], NOW, max_gap=timedelta(days=90)).warn
