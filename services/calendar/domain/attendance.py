"""Who comes: RSVPs, places and the waiting list, the secretary's confirmation, training records
and the heidag warning.

Attendance is kept per occurrence (:attr:`Occurrence.key`): a single event has one, a series has
one per meeting, so "!afwezig 3" for next Tuesday does not touch the Tuesday after.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from shared.errors import Conflict, Forbidden, InvalidInput
from services.calendar.domain import messages
from services.calendar.domain.events import (
    DEFAULT_ZONE,
    Event,
    EventType,
    Invitee,
    Occurrence,
    PartStat,
    as_local,
    expand_occurrences,
)
from services.calendar.domain.ical import PersonalAnswer

DEFAULT_HEIDAG_GAP = timedelta(days=183)  # about six months
_HISTORY = timedelta(days=10 * 366)


class Rsvp(StrEnum):
    AANWEZIG = "aanwezig"
    AFWEZIG = "afwezig"
    ONBEKEND = "onbekend"

    @classmethod
    def parse(cls, text: str) -> Rsvp:
        """Accept the chat words and their English aliases."""
        word = text.strip().lower().lstrip("!")
        aliases = {"aanwezig": cls.AANWEZIG, "ja": cls.AANWEZIG, "yes": cls.AANWEZIG,
                   "present": cls.AANWEZIG, "attending": cls.AANWEZIG, "accept": cls.AANWEZIG,
                   "afwezig": cls.AFWEZIG, "nee": cls.AFWEZIG, "no": cls.AFWEZIG,
                   "absent": cls.AFWEZIG, "decline": cls.AFWEZIG,
                   "onbekend": cls.ONBEKEND, "misschien": cls.ONBEKEND, "unknown": cls.ONBEKEND,
                   "maybe": cls.ONBEKEND}
        try:
            return aliases[word]
        except KeyError as exc:
            raise InvalidInput("cal.rsvp.unknown", f"rsvp {word[:20]!r}") from exc


class Seat(StrEnum):
    """Where a member stands for one occurrence."""
    PLACED = "placed"        # coming, and (with a capacity) has a place
    WAITING = "waiting"      # wants to come, on the waiting list
    DECLINED = "declined"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Attendance:
    """Answers and places for one occurrence.

    ``places`` and ``waiting`` are ordered by time of answer; the waiting list is FIFO.
    Without a capacity everyone who says "aanwezig" is in ``places``.
    ``confirmed`` is the secretary's list of who was really there (None: not yet recorded).
    """
    key: str
    event_uid: str
    day: date
    rsvps: Mapping[str, Rsvp] = field(default_factory=dict)
    places: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()
    confirmed: frozenset[str] | None = None

    def seat(self, member_id: str) -> Seat:
        if member_id in self.places:
            return Seat.PLACED
        if member_id in self.waiting:
            return Seat.WAITING
        answer = self.rsvps.get(member_id, Rsvp.ONBEKEND)
        return Seat.DECLINED if answer is Rsvp.AFWEZIG else Seat.UNKNOWN

    def to_dict(self) -> dict:
        return {"key": self.key, "event_uid": self.event_uid, "day": self.day.isoformat(),
                "rsvps": {m: r.value for m, r in sorted(self.rsvps.items())},
                "places": list(self.places), "waiting": list(self.waiting),
                "confirmed": sorted(self.confirmed) if self.confirmed is not None else None}

    @classmethod
    def from_dict(cls, data: Mapping) -> Attendance:
        confirmed = data.get("confirmed")
        return cls(key=str(data["key"]), event_uid=str(data["event_uid"]),
                   day=date.fromisoformat(str(data["day"])),
                   rsvps={str(m): Rsvp(r) for m, r in (data.get("rsvps") or {}).items()},
                   places=tuple(data.get("places") or ()), waiting=tuple(data.get("waiting") or ()),
                   confirmed=frozenset(confirmed) if confirmed is not None else None)


@dataclass(frozen=True)
class RsvpOutcome:
    attendance: Attendance
    seat: Seat                      # where the answering member now stands
    promoted: tuple[str, ...] = ()  # members moved from the waiting list to a place

    @property
    def message_code(self) -> str:
        """The reply to the answering member; promoted members get ``cal.rsvp.promoted``."""
        return {Seat.PLACED: "cal.rsvp.placed", Seat.WAITING: "cal.rsvp.waiting",
                Seat.DECLINED: "cal.rsvp.declined",
                Seat.UNKNOWN: "cal.rsvp.unknown_answer"}[self.seat]


def new_attendance(occurrence: Occurrence) -> Attendance:
    """Kept under the meeting's day in its series, so answers stay when the meeting moves."""
    return Attendance(key=occurrence.key, event_uid=occurrence.uid, day=occurrence.series_day)


def respond(attendance: Attendance | None, occurrence: Occurrence, member_id: str, rsvp: Rsvp,
            now: datetime) -> RsvpOutcome:
    """Record ``!aanwezig`` / ``!afwezig`` (or "onbekend") for one occurrence.

    With a capacity, "aanwezig" when full puts the member on the waiting list; giving up a
    place promotes the first waiting member. Answers close when the occurrence starts.
    """
    event = occurrence.event
    attendance = attendance or new_attendance(occurrence)
    if attendance.key != occurrence.key:
        raise ValueError("attendance belongs to another occurrence")
    if occurrence.cancelled:
        raise Conflict("cal.rsvp.cancelled", f"rsvp on cancelled {occurrence.key}")
    if as_local(now, "now") >= occurrence.start_instant:
        raise Conflict("cal.rsvp.closed", f"rsvp after start of {occurrence.key}")
    if event.invitees and event.invitee(member_id) is None:
        raise Forbidden("cal.rsvp.not_invited", f"{occurrence.key}: not invited")
    rsvps = dict(attendance.rsvps)
    rsvps[member_id] = rsvp
    places = [m for m in attendance.places if m != member_id]
    waiting = [m for m in attendance.waiting if m != member_id]
    had_place = member_id in attendance.places
    if rsvp is Rsvp.AANWEZIG:
        if had_place:
            places = list(attendance.places)  # keep their spot in the order
        elif member_id in attendance.waiting:
            waiting = list(attendance.waiting)
        elif event.capacity is None or len(places) < event.capacity:
            places.append(member_id)
        else:
            waiting.append(member_id)
    places, waiting, promoted = _fill(places, waiting, event.capacity)
    updated = replace(attendance, rsvps=rsvps, places=tuple(places), waiting=tuple(waiting))
    return RsvpOutcome(attendance=updated, seat=updated.seat(member_id), promoted=promoted)


def rebalance(attendance: Attendance, capacity: int | None) -> RsvpOutcome:
    """After a capacity change: promote from the waiting list while there is room.

    A smaller capacity never takes a place away from someone who has one.
    """
    places, waiting, promoted = _fill(list(attendance.places), list(attendance.waiting), capacity)
    updated = replace(attendance, places=tuple(places), waiting=tuple(waiting))
    return RsvpOutcome(attendance=updated, seat=Seat.UNKNOWN, promoted=promoted)


def _fill(places: list[str], waiting: list[str], capacity: int | None
          ) -> tuple[list[str], list[str], tuple[str, ...]]:
    promoted = []
    while waiting and (capacity is None or len(places) < capacity):
        member = waiting.pop(0)
        places.append(member)
        promoted.append(member)
    return places, waiting, tuple(promoted)


def confirm_attendance(attendance: Attendance | None, occurrence: Occurrence,
                       present: Iterable[str], now: datetime) -> Attendance:
    """The secretary records who was really there (only once the occurrence has begun)."""
    if as_local(now, "now") < occurrence.start_instant:
        raise Conflict("cal.attendance.not_started", f"confirm before start of {occurrence.key}")
    if occurrence.cancelled:
        raise Conflict("cal.rsvp.cancelled", f"confirm on cancelled {occurrence.key}")
    attendance = attendance or new_attendance(occurrence)
    return replace(attendance, confirmed=frozenset(present))


def partstat(attendance: Attendance | None, member_id: str) -> PartStat:
    """The member's answer as iCalendar PARTSTAT (waiting list = TENTATIVE)."""
    if attendance is None:
        return PartStat.NEEDS_ACTION
    return {Seat.PLACED: PartStat.ACCEPTED, Seat.WAITING: PartStat.TENTATIVE,
            Seat.DECLINED: PartStat.DECLINED,
            Seat.UNKNOWN: PartStat.NEEDS_ACTION}[attendance.seat(member_id)]


def personal_answers(member: Invitee, events: Iterable[Event],
                     attendances: Mapping[str, Attendance]) -> dict[str, PersonalAnswer]:
    """What :func:`ical.render_feed` needs for a member's personal feed.

    Only events the member is invited to (or open events they answered) are included;
    the caller passes the same events to the feed.
    """
    result: dict[str, PersonalAnswer] = {}
    by_event: dict[str, list[Attendance]] = {}
    for att in attendances.values():
        by_event.setdefault(att.event_uid, []).append(att)
    for event in events:
        atts = by_event.get(event.uid, [])
        answered = [a for a in atts if member.member_id in a.rsvps]
        if event.invitee(member.member_id) is None and not answered:
            continue
        person = event.invitee(member.member_id) or member
        if event.recurrence is None:
            single = attendances.get(event.uid)
            result[event.uid] = PersonalAnswer(member=person,
                                               partstat=partstat(single, member.member_id))
        else:
            result[event.uid] = PersonalAnswer(
                member=person, partstat=PartStat.NEEDS_ACTION,
                occurrences={a.day: partstat(a, member.member_id) for a in answered})
    return result


@dataclass(frozen=True)
class TrainingRecordEntry:
    event_uid: str
    title: str
    type: EventType
    day: date
    confirmed: bool  # False: said "aanwezig", the secretary has not confirmed yet


def training_record(member_id: str, events: Iterable[Event],
                    attendances: Mapping[str, Attendance], now: datetime, *,
                    types: Sequence[EventType] = (EventType.TRAINING,)
                    ) -> list[TrainingRecordEntry]:
    """Trainings (by default) a member attended, oldest first.

    Confirmed by the secretary counts; before confirmation, a place from the RSVPs counts as
    unconfirmed. Once confirmed, only the secretary's list matters.
    """
    now = as_local(now, "now")
    wanted = [e for e in events if e.type in types]
    entries = []
    for occ in expand_occurrences(wanted, now - _HISTORY, now):
        if occ.start_instant > now:
            continue
        att = attendances.get(occ.key)
        if att is None:
            continue
        if att.confirmed is not None:
            if member_id not in att.confirmed:
                continue
            confirmed = True
        elif member_id in att.places:
            confirmed = False
        else:
            continue
        entries.append(TrainingRecordEntry(event_uid=occ.uid, title=occ.event.title,
                                           type=occ.event.type, day=occ.day, confirmed=confirmed))
    return entries


@dataclass(frozen=True)
class HeidagStatus:
    warn: bool               # longer than the allowed gap without a heidag
    last: date | None        # last heidag held (not cancelled, begun before now)
    next: date | None        # next one planned
    days_since: int | None   # since the last heidag (or since tracking started)
    max_gap_days: int

    def message(self) -> tuple[str, dict[str, object]] | None:
        """Message code and parameters for ``!kalender``, or None when all is well."""
        if not self.warn:
            return None
        params: dict[str, object] = {"months": round(self.max_gap_days / 30.4)}
        if self.last is not None:
            params.update(messages.date_params(self.last, "last"))
        if self.next is not None:
            params.update(messages.date_params(self.next, "next"))
        code = "cal.heidag.overdue" if self.last else "cal.heidag.none_yet"
        if self.next is not None:
            code += "_planned"
        return code, params


def heidag_warning(events: Iterable[Event], now: datetime,
                   max_gap: timedelta = DEFAULT_HEIDAG_GAP, *,
                   tracking_since: date | None = None, zone: ZoneInfo = DEFAULT_ZONE) -> HeidagStatus:
    """Whether the council has gone longer than ``max_gap`` without a heidag (days counted in
    the council's ``zone``).

    ``tracking_since`` (e.g. when the council started using Overleg) keeps a new council from
    being warned on day one: without any heidag, the gap is counted from then.
    """
    now = as_local(now, "now")
    heidagen = [e for e in events if e.type is EventType.HEIDAG]
    past = [o for o in expand_occurrences(heidagen, now - _HISTORY, now) if o.start_instant <= now]
    future = [o for o in expand_occurrences(heidagen, now, now + _HISTORY)
              if o.start_instant > now]
    last = past[-1].day if past else None
    upcoming = future[0].day if future else None
    today = now.astimezone(zone).date()
    since = last or tracking_since
    days = (today - since).days if since else None
    warn = days is None or days > max_gap.days
    return HeidagStatus(warn=warn, last=last, next=upcoming, days_since=days,
                        max_gap_days=max_gap.days)
