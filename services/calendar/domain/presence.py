"""Who was there, for the council's account of its time ("Inzet in geld en tijd"): a record per
member per held meeting of a year, and the secretary's chat list of names turned into members.

A meeting counts once it has begun (the secretary may confirm from then on) and is not called
off. ``present`` is the secretary's confirmation when there is one, else the member's answer:
"aanwezig" with a place (someone left on a waiting list was not expected in the room).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from services.calendar.domain.attendance import Attendance, Rsvp
from services.calendar.domain.events import Event, EventType, Occurrence, as_local, expand_occurrences

# The werkplek's allowance kinds (CouncilConfig.allowance_per_activity) for each kind of event.
# A talk with the board is a meeting of the council; an inspiration evening is learning, like a
# training. Deadlines are not meetings and never count.
KIND_OF_TYPE: Mapping[EventType, str] = {
    EventType.VERGADERING: "vergadering",
    EventType.OVERLEG_BESTUUR: "vergadering",
    EventType.HEIDAG: "heidag",
    EventType.TRAINING: "training",
    EventType.INSPIRATIEBIJEENKOMST: "training",
    EventType.BEWONERSCONSULTATIE: "raadpleging",
    EventType.BEWONERSAVOND: "bewonersavond",
}
COUNTED_TYPES = tuple(KIND_OF_TYPE)

# An all-day event (a heidag without times) has no duration of its own: this many hours per day,
# a day of work with breaks, unless the council's settings say otherwise (``all_day_hours``). Giving
# the event times in the calendar gives its real length.
ALL_DAY_HOURS = 6.0

NOBODY_WORDS = frozenset({"niemand", "nobody", "none", "geen"})
_FILLER_WORDS = frozenset({"en", "and", "&", "+"})
_MATRIX_ID = re.compile(r"^@[^\s:@]{1,255}:[^\s]{1,255}$")


@dataclass(frozen=True)
class PresenceRecord:
    """One member at one held meeting."""
    event_uid: str
    kind: str
    title: str
    day: date
    hours: float
    member: str
    present: bool
    confirmed: bool  # the secretary recorded who was there; else ``present`` comes from the answers


def occurrence_hours(occ: Occurrence, all_day_hours: float = ALL_DAY_HOURS) -> float:
    """The meeting's length from the calendar, in hours (two decimals)."""
    if not isinstance(occ.start, datetime):
        days = (occ.end - occ.start).days + 1  # type: ignore[operator]  # all-day: the end day is included
        return round(max(1, days) * all_day_hours, 2)
    # In UTC: two times in the same zone subtract as wall-clock times, wrong across a DST change.
    length = occ.end_instant.astimezone(timezone.utc) - occ.start_instant.astimezone(timezone.utc)
    return round(length.total_seconds() / 3600, 2)


def was_present(att: Attendance | None, member: str) -> bool:
    if att is None:
        return False
    if att.confirmed is not None:
        return member in att.confirmed
    return member in att.places


def held_occurrences(events: Iterable[Event], year: int, now: datetime, zone: ZoneInfo) -> list[Occurrence]:
    """Meetings of the counted kinds whose (local) day is in ``year`` and that have begun by ``now``."""
    now = as_local(now, "now")
    wanted = [e for e in events if e.type in KIND_OF_TYPE]
    # A day early and late: all-day and multi-day events are found by overlap, kept by their own day.
    start = datetime(year, 1, 1, tzinfo=zone) - timedelta(days=1)
    end = min(datetime(year + 1, 1, 1, tzinfo=zone) + timedelta(days=1), now + timedelta(seconds=1))
    if end <= start:
        return []
    return [o for o in expand_occurrences(wanted, start, end)
            if o.day.year == year and o.start_instant <= now and not o.cancelled]


def year_records(events: Iterable[Event], attendances: Mapping[str, Attendance], members: Sequence[str],
                 year: int, now: datetime, zone: ZoneInfo, *, member: str | None = None,
                 all_day_hours: float = ALL_DAY_HOURS) -> list[PresenceRecord]:
    """A record per expected person per held meeting of ``year``, in the order of the meetings.

    Expected are ``members`` (the serving roster; of an event with invitees, those invited);
    anyone else who was there (a former member, a guest the secretary named) gets a record too,
    so no hours are lost. ``member`` keeps only that person's records.
    """
    records: list[PresenceRecord] = []
    for occ in held_occurrences(events, year, now, zone):
        event = occ.event
        att = attendances.get(occ.key)
        expected = [m for m in members if not event.invitees or event.invitee(m) is not None]
        there = set(att.confirmed if att is not None and att.confirmed is not None else
                    (att.places if att is not None else ()))
        people = list(dict.fromkeys(expected)) + sorted(there - set(expected))
        if member is not None:
            people = [p for p in people if p == member]
        hours = occurrence_hours(occ, all_day_hours)
        for person in people:
            records.append(PresenceRecord(
                event_uid=occ.uid, kind=KIND_OF_TYPE[event.type], title=event.title, day=occ.day, hours=hours,
                member=person, present=was_present(att, person),
                confirmed=att is not None and att.confirmed is not None))
    return records


# After a meeting the secretary is asked once who was there; a meeting that ended longer ago than this
# (the service was away for days) is not asked about any more: the werkplek lists it for confirming.
ASK_AFTER_MEETING_FOR = timedelta(days=3)


def after_meeting_key(occ: Occurrence) -> str:
    """The sent-reminder key of the "who was there?" question about one meeting."""
    return f"{occ.key}:afgelopen"


def ended_unconfirmed(events: Iterable[Event], attendances: Mapping[str, Attendance], asked: set[str],
                      now: datetime) -> list[Occurrence]:
    """Meetings of the counted kinds that have ended (within :data:`ASK_AFTER_MEETING_FOR`), whose
    attendance the secretary has not confirmed and that were not asked about yet."""
    now = as_local(now, "now")
    since = now - ASK_AFTER_MEETING_FOR
    out = []
    for occ in expand_occurrences([e for e in events if e.type in KIND_OF_TYPE], since, now):
        if not since < occ.end_instant <= now:
            continue
        att = attendances.get(occ.key)
        if (att is not None and att.confirmed is not None) or after_meeting_key(occ) in asked:
            continue
        out.append(occ)
    return out


@dataclass(frozen=True)
class AnswerOverview:
    """Who said what for one meeting, for the secretary before confirming."""
    coming: tuple[str, ...]      # "aanwezig" with a place
    waiting: tuple[str, ...]     # "aanwezig", on the waiting list
    not_coming: tuple[str, ...]  # "afwezig"
    silent: tuple[str, ...]      # expected, said nothing (or "onbekend")


def answer_overview(att: Attendance | None, expected: Sequence[str]) -> AnswerOverview:
    rsvps = att.rsvps if att is not None else {}
    places = att.places if att is not None else ()
    waiting = att.waiting if att is not None else ()
    not_coming = tuple(m for m, r in sorted(rsvps.items()) if r is Rsvp.AFWEZIG)
    answered = set(places) | set(waiting) | set(not_coming)
    silent = tuple(m for m in dict.fromkeys(expected) if m not in answered)
    return AnswerOverview(coming=tuple(places), waiting=tuple(waiting), not_coming=not_coming, silent=silent)


@dataclass(frozen=True)
class NameMatch:
    members: tuple[str, ...]  # Matrix ids, in the order named, each once
    unknown: tuple[str, ...]  # words that name nobody (or more than one member)
    nobody: bool = False      # the secretary said "niemand": nobody was there


def _localpart(member: str) -> str:
    return member[1:].split(":", 1)[0].lower()


def _clean(word: str) -> str:
    # Element writes a mention at the start of a message as "Anna de Vries: …"; quotes and commas go too.
    return word.strip().strip("\"'“”‘’()").rstrip(":").strip()


def resolve_names(text: str, roster: Mapping[str, str]) -> NameMatch:
    """``"@anna:example.org Bram de Vries, chantal"`` → the members meant.

    A word may be a Matrix id, a localpart (``@anna``, ``anna``), a display name (the longest run
    of words that is one, so "Bram de Vries" is one person) or a first name that only one member
    has. ``roster`` maps Matrix id → display name. A full Matrix id is taken as it is (a former
    member or a guest may have been there too).
    """
    words = [w for w in (_clean(t) for t in re.split(r"[\s,;]+", text or "")) if w]
    words = [w for w in words if w.lower() not in _FILLER_WORDS]
    if len(words) == 1 and words[0].lower() in NOBODY_WORDS:
        return NameMatch(members=(), unknown=(), nobody=True)
    by_name: dict[str, set[str]] = {}
    by_first: dict[str, set[str]] = {}
    by_local: dict[str, set[str]] = {}
    for member, name in roster.items():
        shown = " ".join((name or "").lower().split())
        if shown:
            by_name.setdefault(shown, set()).add(member)
            by_first.setdefault(shown.split(" ")[0], set()).add(member)
        by_local.setdefault(_localpart(member), set()).add(member)
    longest = max((len(n.split(" ")) for n in by_name), default=1)
    found: list[str] = []
    unknown: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if _MATRIX_ID.match(word):
            found.append(word)
            i += 1
            continue
        matched = False
        for size in range(min(longest, len(words) - i), 1, -1):  # "Bram de Vries" before "Bram"
            phrase = " ".join(w.lower() for w in words[i:i + size]).lstrip("@")
            hits = by_name.get(phrase, set())
            if len(hits) == 1:
                found.append(next(iter(hits)))
                i += size
                matched = True
                break
        if matched:
            continue
        key = word.lower().lstrip("@")
        if word.startswith("@"):  # "@anna": a localpart, as Matrix writes it
            hits = by_local.get(key, set()) or by_name.get(key, set())
        else:  # "anna": whoever that can be; two people is nobody in particular
            hits = by_name.get(key, set()) | by_local.get(key, set()) | by_first.get(key, set())
        if len(hits) == 1:
            found.append(next(iter(hits)))
        else:
            unknown.append(word)
        i += 1
    return NameMatch(members=tuple(dict.fromkeys(found)), unknown=tuple(dict.fromkeys(unknown)))
