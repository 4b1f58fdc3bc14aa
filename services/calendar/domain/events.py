"""Council events: what they are, how they are checked, changed and expanded into occurrences.

Everything here is pure: no I/O, and the current time is always passed in as ``now``.
Timed events are aware datetimes in the council's zone (its settings' ``timezone``, which the
callers pass in: every event and spec carries it as ``zone``); all-day events are
plain dates, with ``end`` the *last* day (inclusive) because that is how people say it
("heidag van 12 tot en met 13 maart"). The iCalendar renderer turns that into an exclusive DTEND.
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from dateutil import rrule

from shared.errors import Conflict, InvalidInput
from services.calendar.domain import messages

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The zone of events stored before zones were per council (they were all planned in Amsterdam)
# and of specs built without one (tests, tools); the service always passes the council's own.
DEFAULT_ZONE = AMSTERDAM
UTC = timezone.utc

# Limits keep feeds, chat replies and the database sane; they are generous for real use.
MAX_TITLE = 200
MAX_LOCATION = 300
MAX_DESCRIPTION = 10_000
MAX_NAME = 200
MAX_UID = 120
MAX_INVITEES = 100
MAX_CAPACITY = 1_000
MAX_COUNT = 520
MAX_INTERVAL = 52
MAX_AHEAD = timedelta(days=5 * 366)
MAX_UNTIL = date(2100, 12, 31)  # bounds the work of expanding a series to its end
MAX_TIMED_DURATION = timedelta(days=3)
MAX_ALLDAY_DAYS = 14
MAX_NOTES = 2_000  # a meeting's agenda or minutes: a link or a short text
MAX_MOVES = 520

_UID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_EMAIL_RE = re.compile(r"^[^@\s<>\"(),;:\\]+@[^@\s<>\"(),;:\\]+\.[^@\s<>\"(),;:\\]+$")
# Line and paragraph separators: some parsers treat them as line breaks, which would split a
# content line. We turn them into ordinary newlines instead of refusing them.
_LINE_SEPARATORS = {"\u2028": "\n", "\u2029": "\n", "\u0085": "\n"}


class EventType(StrEnum):
    VERGADERING = "vergadering"
    OVERLEG_BESTUUR = "overleg_bestuur"
    HEIDAG = "heidag"
    TRAINING = "training"
    BEWONERSAVOND = "bewonersavond"
    INSPIRATIEBIJEENKOMST = "inspiratiebijeenkomst"
    BEWONERSCONSULTATIE = "bewonersconsultatie"
    REALISATIETOETS = "realisatietoets"
    ADVIESDEADLINE = "adviesdeadline"

    def label(self, lang: str | None = None) -> str:
        """Human name of the type, e.g. "Overleg met bestuur" (used as CATEGORIES too)."""
        return messages.text(f"cal.type.{self.value}", lang)


class EventStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Weekday(StrEnum):
    MO = "MO"
    TU = "TU"
    WE = "WE"
    TH = "TH"
    FR = "FR"
    SA = "SA"
    SU = "SU"

    @property
    def number(self) -> int:
        """0 = Monday, like :meth:`date.weekday`."""
        return list(Weekday).index(self)

    @classmethod
    def of(cls, day: date) -> Weekday:
        return list(cls)[day.weekday()]


class PartStat(StrEnum):
    """An invitee's answer as iCalendar says it (ATTENDEE;PARTSTAT=...)."""
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    TENTATIVE = "TENTATIVE"
    NEEDS_ACTION = "NEEDS-ACTION"


# Used when a spec gives no end: what such an event usually takes.
DEFAULT_DURATION: dict[EventType, timedelta] = {
    EventType.VERGADERING: timedelta(hours=2),
    EventType.OVERLEG_BESTUUR: timedelta(hours=2),
    EventType.HEIDAG: timedelta(hours=7),
    EventType.TRAINING: timedelta(hours=3),
    EventType.BEWONERSAVOND: timedelta(hours=2),
    EventType.INSPIRATIEBIJEENKOMST: timedelta(hours=2),
    EventType.BEWONERSCONSULTATIE: timedelta(hours=2),
    EventType.REALISATIETOETS: timedelta(hours=2),
    EventType.ADVIESDEADLINE: timedelta(minutes=30),
}

When = datetime | date


@dataclass(frozen=True)
class Invitee:
    """A council member (or guest) as the calendar knows them."""
    member_id: str  # the Matrix id, e.g. "@jan:woonstad.example"
    display_name: str
    email: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"member_id": self.member_id, "display_name": self.display_name, "email": self.email}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Invitee:
        try:
            return cls(member_id=str(data["member_id"]),
                       display_name=str(data.get("display_name") or data["member_id"]),
                       email=(str(data["email"]) if data.get("email") else None))
        except (KeyError, TypeError, AttributeError) as exc:
            raise _field_error("cal.field.unparseable", f"invitee: {exc}", "invitees") from exc


@dataclass(frozen=True)
class Recurrence:
    """The RRULE subset the council needs: every (n) week(s) or month(s), bounded or not.

    Weekly: ``weekdays`` lists the days (empty = the start's weekday).
    Monthly: with ``weekdays`` and ``position`` ("2nd Tuesday": position 2, -1 = last);
    without them, on the start's day of the month.
    ``until`` is the last local day on which an occurrence may fall (inclusive).
    """
    freq: Frequency
    interval: int = 1
    weekdays: tuple[Weekday, ...] = ()
    position: int | None = None
    count: int | None = None
    until: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"freq": self.freq.value, "interval": self.interval,
                "weekdays": [w.value for w in self.weekdays], "position": self.position,
                "count": self.count, "until": self.until.isoformat() if self.until else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recurrence:
        try:
            until = data.get("until")
            return cls(
                freq=Frequency(str(data["freq"]).lower()),
                interval=_as_int(data.get("interval", 1)),
                weekdays=tuple(Weekday(str(w).upper()) for w in data.get("weekdays") or ()),
                position=_as_int(data["position"]) if data.get("position") is not None else None,
                count=_as_int(data["count"]) if data.get("count") is not None else None,
                until=date.fromisoformat(str(until)) if until else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _field_error("cal.field.unparseable", f"recurrence: {exc}", "recurrence") from exc


@dataclass(frozen=True)
class Move:
    """One meeting of a series held at another time (an iCalendar override).

    ``day`` is the meeting's day in the series (its RECURRENCE-ID, and what answers are kept
    under); ``start``/``end`` are where it now is (all-day: ``end`` the last day, inclusive).
    """
    day: date
    start: When
    end: When

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "start": self.start.isoformat(),
                "end": self.end.isoformat()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], zone: ZoneInfo = DEFAULT_ZONE) -> Move:
        try:
            return cls(day=_parse_date(data["day"], "moves", zone), start=parse_when(data["start"], "start", zone),
                       end=parse_when(data["end"], "end", zone))
        except (KeyError, TypeError, AttributeError) as exc:
            raise _field_error("cal.field.unparseable", f"move: {exc}", "event") from exc


@dataclass(frozen=True)
class MeetingNotes:
    """A meeting's agenda and, afterwards, its minutes: each a link or a short text.

    ``day`` names the meeting of a series (its day in the series); None for a single event.
    """
    day: date | None
    agenda: str = ""
    minutes: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat() if self.day else None, "agenda": self.agenda,
                "minutes": self.minutes}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MeetingNotes:
        try:
            day = data.get("day")
            return cls(day=_parse_date(day, "notes", DEFAULT_ZONE) if day else None,
                       agenda=str(data.get("agenda") or ""), minutes=str(data.get("minutes") or ""))
        except (TypeError, AttributeError) as exc:
            raise _field_error("cal.field.unparseable", f"notes: {exc}", "event") from exc


@dataclass(frozen=True)
class EventSpec:
    """What a secretary (or a poll, or the deliberation service) asks to put in the calendar."""
    council: str
    type: EventType
    title: str
    start: When
    end: When | None = None
    description: str = ""
    location: str = ""
    recurrence: Recurrence | None = None
    exdates: tuple[date, ...] = ()
    organiser: Invitee | None = None
    invitees: tuple[Invitee, ...] = ()
    capacity: int | None = None
    zone: str = DEFAULT_ZONE.key  # the council's time zone (IANA name)

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EventSpec:
        """Build a spec from JSON-ish input (API or chat). Naive ISO times are council-local."""
        if not isinstance(data, Mapping):
            raise _field_error("cal.field.unparseable", "spec is not an object", "event")
        try:
            council, title = data["council"], data["title"]
            raw_type, raw_start = data["type"], data["start"]
        except KeyError as exc:
            raise _field_error("cal.field.missing", f"missing {exc}", str(exc.args[0])) from exc
        try:
            etype = EventType(str(raw_type).lower())
        except ValueError as exc:
            raise InvalidInput("cal.type.unknown", f"type {raw_type!r}", type=str(raw_type)[:40],
                               types=", ".join(t.value for t in EventType)) from exc
        organiser = data.get("organiser")
        recurrence = data.get("recurrence")
        zone = _zone(data.get("zone"))
        return cls(
            council=_as_str(council, "council"),
            type=etype,
            title=_as_str(title, "title"),
            start=parse_when(raw_start, "start", zone),
            end=parse_when(data["end"], "end", zone) if data.get("end") not in (None, "") else None,
            description=_as_str(data.get("description") or "", "description"),
            location=_as_str(data.get("location") or "", "location"),
            recurrence=Recurrence.from_dict(recurrence) if recurrence else None,
            exdates=tuple(_parse_date(d, "exdates", zone) for d in data.get("exdates") or ()),
            organiser=Invitee.from_dict(organiser) if organiser else None,
            invitees=tuple(Invitee.from_dict(i) for i in data.get("invitees") or ()),
            capacity=(_as_int(data["capacity"], "capacity")
                      if data.get("capacity") not in (None, "") else None),
            zone=zone.key,
        )


@dataclass(frozen=True)
class Event:
    """A stored calendar event. ``sequence`` goes up on every change (iCalendar SEQUENCE)."""
    uid: str
    council: str
    type: EventType
    title: str
    start: When
    end: When  # all-day: the last day, inclusive
    created_at: datetime
    changed_at: datetime  # drives DTSTAMP/LAST-MODIFIED, so a feed only changes when an event does
    description: str = ""
    location: str = ""
    recurrence: Recurrence | None = None
    exdates: tuple[date, ...] = ()
    cancelled_dates: tuple[date, ...] = ()  # occurrences called off after planning
    organiser: Invitee | None = None
    invitees: tuple[Invitee, ...] = ()
    capacity: int | None = None
    sequence: int = 0
    status: EventStatus = EventStatus.CONFIRMED
    moves: tuple[Move, ...] = ()  # meetings of a series held at another time, by series day
    notes: tuple[MeetingNotes, ...] = ()  # agenda and minutes, per meeting
    zone: str = DEFAULT_ZONE.key  # the council's time zone (IANA name): local days and times

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def move_of(self, day: date) -> Move | None:
        return next((m for m in self.moves if m.day == day), None)

    def notes_of(self, day: date | None) -> MeetingNotes | None:
        """The agenda and minutes of the meeting on series day ``day`` (None: the single event)."""
        if self.recurrence is None:
            day = None
        return next((n for n in self.notes if n.day == day), None)

    @property
    def cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED

    @property
    def duration(self) -> timedelta:
        """Timed: the real length. All-day: the number of days as a timedelta."""
        if self.all_day:
            return timedelta(days=(self.end - self.start).days + 1)  # type: ignore[operator]
        return self.end - self.start  # type: ignore[operator]

    @property
    def spec(self) -> EventSpec:
        return EventSpec(council=self.council, type=self.type, title=self.title, start=self.start,
                         end=self.end, description=self.description, location=self.location,
                         recurrence=self.recurrence, exdates=self.exdates,
                         organiser=self.organiser, invitees=self.invitees, capacity=self.capacity,
                         zone=self.zone)

    def invitee(self, member_id: str) -> Invitee | None:
        return next((i for i in self.invitees if i.member_id == member_id), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for storage; :meth:`from_dict` gives the same event back."""
        return {
            "uid": self.uid, "council": self.council, "type": self.type.value,
            "title": self.title, "description": self.description, "location": self.location,
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "all_day": self.all_day,
            "recurrence": self.recurrence.to_dict() if self.recurrence else None,
            "exdates": [d.isoformat() for d in self.exdates],
            "cancelled_dates": [d.isoformat() for d in self.cancelled_dates],
            "organiser": self.organiser.to_dict() if self.organiser else None,
            "invitees": [i.to_dict() for i in self.invitees],
            "capacity": self.capacity, "sequence": self.sequence, "status": self.status.value,
            "created_at": self.created_at.isoformat(), "changed_at": self.changed_at.isoformat(),
            "moves": [m.to_dict() for m in self.moves],
            "notes": [n.to_dict() for n in self.notes],
            "zone": self.zone,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        spec = EventSpec.from_dict(data)
        try:
            return cls(
                uid=str(data["uid"]), council=spec.council, type=spec.type, title=spec.title,
                start=spec.start, end=spec.end if spec.end is not None else spec.start,
                description=spec.description, location=spec.location,
                recurrence=spec.recurrence, exdates=spec.exdates,
                cancelled_dates=tuple(_parse_date(d, "cancelled_dates", spec.tz)
                                      for d in data.get("cancelled_dates") or ()),
                organiser=spec.organiser, invitees=spec.invitees, capacity=spec.capacity,
                sequence=int(data.get("sequence", 0)),
                status=EventStatus(data.get("status", EventStatus.CONFIRMED.value)),
                created_at=_parse_instant(data["created_at"], "created_at"),
                changed_at=_parse_instant(data["changed_at"], "changed_at"),
                moves=tuple(Move.from_dict(m, spec.tz) for m in data.get("moves") or ()),
                notes=tuple(MeetingNotes.from_dict(n) for n in data.get("notes") or ()),
                zone=spec.zone,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise _field_error("cal.field.unparseable", f"stored event: {exc}", "event") from exc


@dataclass(frozen=True)
class Occurrence:
    """One concrete meeting of an event (the event itself when it does not repeat)."""
    event: Event
    start: When
    end: When  # all-day: last day, inclusive
    cancelled: bool = False
    original_start: When | None = None  # a moved meeting: where the series put it (RECURRENCE-ID)

    @property
    def uid(self) -> str:
        return self.event.uid

    @property
    def moved(self) -> bool:
        return self.original_start is not None

    @property
    def recurrence_start(self) -> When:
        """Where the series puts this meeting (its RECURRENCE-ID), also when it was moved."""
        return self.original_start if self.original_start is not None else self.start

    @property
    def day(self) -> date:
        """The local day the occurrence starts on (for a moved meeting: its new day)."""
        return _local_day(self.start, self.event.tz)

    @property
    def series_day(self) -> date:
        """The meeting's day in its series; identifies it, also after it was moved."""
        return _local_day(self.recurrence_start, self.event.tz)

    @property
    def key(self) -> str:
        """Stable id for RSVPs: the uid for single events, uid/series day for a series.

        Keyed by day, not time, so moving a series to 20:00 keeps everyone's answers; keyed by
        the series day, so moving one meeting to another day keeps them too.
        """
        if self.event.recurrence is None:
            return self.event.uid
        return f"{self.event.uid}/{self.series_day.isoformat()}"

    @property
    def start_instant(self) -> datetime:
        return as_instant(self.start, self.event.tz)

    @property
    def end_instant(self) -> datetime:
        """The exclusive end as an aware datetime (all-day: midnight after the last day)."""
        if isinstance(self.end, datetime):
            return self.end
        return as_instant(self.end + timedelta(days=1), self.event.tz)


def _local_day(value: When, zone: ZoneInfo) -> date:
    return value.astimezone(zone).date() if isinstance(value, datetime) else value


def _zone(value: Any) -> ZoneInfo:
    """A stored or given zone name; none means :data:`DEFAULT_ZONE`."""
    if isinstance(value, ZoneInfo):
        return value
    if value in (None, ""):
        return DEFAULT_ZONE
    try:
        return ZoneInfo(str(value))
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise _field_error("cal.field.unparseable", f"zone {str(value)[:40]!r}", "zone") from exc


# --------------------------------------------------------------------------------------------
# Text and time helpers shared by the calendar modules

def clean_text(value: Any, field: str, max_length: int, *, required: bool = False,
               strip: bool = True) -> str:
    """Check a user text and normalise its line breaks to ``\\n``.

    CR/LF, commas, semicolons, backslashes and emoji are all fine (the feed escapes them);
    other control characters are refused because no calendar format can carry them.
    """
    if not isinstance(value, str):
        raise _field_error("cal.field.unparseable", f"{field} is not text", field)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    for sep, repl in _LINE_SEPARATORS.items():
        text = text.replace(sep, repl)
    if strip:
        text = text.strip()
    for ch in text:
        if ch in "\n\t":
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs") or _is_noncharacter(ch):
            raise _field_error("cal.field.control_chars", f"{field} has U+{ord(ch):04X}", field)
    if required and not text:
        raise _field_error("cal.field.required", f"{field} is empty", field)
    if len(text) > max_length:
        raise _field_error("cal.field.too_long", f"{field} has {len(text)} chars", field,
                           max=max_length)
    return text


def clean_name(value: Any, field: str) -> str:
    """A display name: one line, no control characters."""
    text = clean_text(value, field, MAX_NAME, required=True)
    return " ".join(text.split())


def as_local(value: datetime, field: str = "start", zone: ZoneInfo = DEFAULT_ZONE) -> datetime:
    """An aware datetime in the council's ``zone`` (naive ones are refused), whole seconds."""
    if not isinstance(value, datetime):
        raise _field_error("cal.field.unparseable", f"{field} is not a datetime", field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise _field_error("cal.time.naive", f"{field} is naive", field)
    # Via UTC, so a time given in the zone itself is normalised too (gap times, fold).
    local = value.astimezone(UTC).astimezone(zone)
    return local.replace(microsecond=0)


def localise(naive: datetime, field: str = "start", *, strict: bool = True,
             zone: ZoneInfo = DEFAULT_ZONE) -> datetime:
    """Attach the council's ``zone`` to a wall-clock time.

    A time in the spring-forward gap (e.g. 02:30 on the last Sunday of March) does not exist:
    strict callers refuse it; expansion follows RFC 5545 and shifts it forward (03:30 CEST).
    """
    aware = naive.replace(tzinfo=zone, fold=0)
    normal = aware.astimezone(UTC).astimezone(zone)
    if strict and normal.replace(tzinfo=None) != naive.replace(fold=0):
        raise _field_error("cal.time.nonexistent", f"{field} {naive} falls in the DST gap",
                           field, time=naive.strftime("%H:%M"))
    return normal


def as_instant(value: When, zone: ZoneInfo = DEFAULT_ZONE) -> datetime:
    """Aware datetime for sorting and comparing; a date means local midnight in ``zone``."""
    if isinstance(value, datetime):
        return value
    return localise(datetime.combine(value, time(0)), strict=False, zone=zone)


def parse_when(value: Any, field: str, zone: ZoneInfo = DEFAULT_ZONE) -> When:
    """ISO text, date or datetime → date (all-day) or aware datetime in the council's ``zone``."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return localise(value.replace(microsecond=0), field, zone=zone)
        return as_local(value, field, zone)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return date.fromisoformat(text)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise _field_error("cal.field.unparseable", f"{field}={text[:40]!r}", field) from exc
        return parse_when(parsed, field, zone)
    raise _field_error("cal.field.unparseable", f"{field} of type {type(value).__name__}", field)


def new_event_uid() -> str:
    """A fresh random uid; the store may use its own as long as it matches the uid rules."""
    return uuid.uuid4().hex


# --------------------------------------------------------------------------------------------
# Validation

def validate_event(spec: EventSpec, now: datetime, *, check_past: bool = True) -> EventSpec:
    """Check a spec and return it normalised (local times, LF line breaks, an end filled in).

    Raises :class:`InvalidInput` with a ``cal.*`` code naming what is wrong.
    ``check_past`` is off when an existing event is edited without moving it.
    """
    zone = _zone(spec.zone)
    now = as_local(now, "now", zone)
    if not isinstance(spec.type, EventType):
        raise InvalidInput("cal.type.unknown", f"type {spec.type!r}", type=str(spec.type)[:40],
                           types=", ".join(t.value for t in EventType))
    council = clean_text(spec.council, "council", MAX_UID, required=True)
    title = clean_text(spec.title, "title", MAX_TITLE, required=True)
    description = clean_text(spec.description, "description", MAX_DESCRIPTION, strip=False)
    location = clean_text(spec.location, "location", MAX_LOCATION)
    start, end = _check_times(spec, now, check_past)
    recurrence, exdates = _check_recurrence(spec.recurrence, spec.exdates, start, end, zone)
    organiser = _check_invitee(spec.organiser, "organiser") if spec.organiser else None
    invitees = tuple(_check_invitee(i, "invitees") for i in spec.invitees)
    if len(invitees) > MAX_INVITEES:
        raise _field_error("cal.field.too_many", f"{len(invitees)} invitees", "invitees",
                           max=MAX_INVITEES)
    seen: set[str] = set()
    for inv in invitees:
        if inv.member_id in seen:
            raise InvalidInput("cal.invitee.duplicate", f"duplicate {inv.member_id}",
                               name=inv.display_name)
        seen.add(inv.member_id)
    capacity = spec.capacity
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                 or not 1 <= capacity <= MAX_CAPACITY):
        raise InvalidInput("cal.capacity.invalid", f"capacity {capacity!r}", max=MAX_CAPACITY)
    return replace(spec, council=council, title=title, description=description,
                   location=location, start=start, end=end, recurrence=recurrence,
                   exdates=exdates, organiser=organiser, invitees=invitees, capacity=capacity,
                   zone=zone.key)


def _check_times(spec: EventSpec, now: datetime, check_past: bool) -> tuple[When, When]:
    start, end = spec.start, spec.end
    zone = spec.tz
    if isinstance(start, datetime):
        start = as_local(start, "start", zone)
        if end is None:
            end = start + DEFAULT_DURATION[spec.type]
        if not isinstance(end, datetime):
            raise InvalidInput("cal.time.mixed", "timed start with all-day end")
        end = as_local(end, "end", zone)
        if end <= start:
            raise InvalidInput("cal.time.end_before_start", "end <= start")
        if end - start > MAX_TIMED_DURATION:
            raise InvalidInput("cal.time.too_long", "timed event too long",
                               max=MAX_TIMED_DURATION.days)
        if check_past and start < now:
            raise InvalidInput("cal.time.past", "start in the past")
        if start - now > MAX_AHEAD:
            raise InvalidInput("cal.time.too_far", "start too far ahead", years=5)
        return start, end
    if not isinstance(start, date):
        raise _field_error("cal.field.unparseable", "start", "start")
    if end is None:
        end = start
    if isinstance(end, datetime) or not isinstance(end, date):
        raise InvalidInput("cal.time.mixed", "all-day start with timed end")
    if end < start:
        raise InvalidInput("cal.time.end_before_start", "end < start (all-day)")
    if (end - start).days + 1 > MAX_ALLDAY_DAYS:
        raise InvalidInput("cal.time.too_long_days", "all-day event too long",
                           max=MAX_ALLDAY_DAYS)
    if check_past and start < now.date():
        raise InvalidInput("cal.time.past", "start in the past (all-day)")
    if start - now.date() > MAX_AHEAD:
        raise InvalidInput("cal.time.too_far", "start too far ahead", years=5)
    return start, end


def _check_recurrence(rec: Recurrence | None, exdates: Sequence[date], start: When, end: When,
                      zone: ZoneInfo) -> tuple[Recurrence | None, tuple[date, ...]]:
    if rec is None:
        if exdates:
            raise InvalidInput("cal.recurrence.exdate_without_rule", "exdates on single event")
        return None, ()
    if not isinstance(rec.freq, Frequency):
        raise InvalidInput("cal.recurrence.invalid", f"freq {rec.freq!r}")
    if isinstance(rec.interval, bool) or not isinstance(rec.interval, int) \
            or not 1 <= rec.interval <= MAX_INTERVAL:
        raise InvalidInput("cal.recurrence.interval", f"interval {rec.interval!r}",
                           max=MAX_INTERVAL)
    if rec.count is not None and rec.until is not None:
        raise InvalidInput("cal.recurrence.count_and_until", "count and until")
    if rec.count is not None and (isinstance(rec.count, bool) or not isinstance(rec.count, int)
                                  or not 1 <= rec.count <= MAX_COUNT):
        raise InvalidInput("cal.recurrence.count", f"count {rec.count!r}", max=MAX_COUNT)
    first_day = start.date() if isinstance(start, datetime) else start
    if rec.until is not None and (not isinstance(rec.until, date) or isinstance(rec.until, datetime)
                                  or rec.until < first_day):
        raise InvalidInput("cal.recurrence.until", f"until {rec.until!r}")
    if rec.until is not None and rec.until > MAX_UNTIL:
        raise InvalidInput("cal.recurrence.until_too_far", f"until {rec.until!r}")
    # Occurrences of one series must not overlap: keep each to one day at most.
    if isinstance(start, datetime):
        length = end - start  # type: ignore[operator]
    else:
        length = timedelta(days=(end - start).days + 1)  # type: ignore[operator]
    if length > timedelta(days=1):
        raise InvalidInput("cal.recurrence.too_long", "recurring event longer than a day")
    weekdays = tuple(dict.fromkeys(rec.weekdays))
    if any(not isinstance(w, Weekday) for w in weekdays):
        raise InvalidInput("cal.recurrence.invalid", "weekdays")
    if rec.freq is Frequency.WEEKLY:
        if rec.position is not None:
            raise InvalidInput("cal.recurrence.invalid", "position on weekly rule")
        weekdays = tuple(sorted(weekdays, key=lambda w: w.number))
    else:
        if weekdays:
            if rec.position not in (1, 2, 3, 4, -1):
                raise InvalidInput("cal.recurrence.position", f"position {rec.position!r}")
        elif rec.position is not None:
            raise InvalidInput("cal.recurrence.invalid", "position without weekday")
        elif first_day.day > 28:
            # RFC 5545 silently skips months without that day; people would not expect that.
            raise InvalidInput("cal.recurrence.month_day", f"day {first_day.day}")
    rec = replace(rec, weekdays=weekdays)
    rule = _rrule(rec, _naive_start(start, zone))
    first = next(iter(rule), None)
    if first is None or first.date() != first_day:
        raise InvalidInput("cal.recurrence.start_not_in_rule", "start does not match the rule")
    clean_ex: list[date] = []
    for day in exdates:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise _field_error("cal.field.unparseable", "exdate", "exdates")
        if not _rule_has_day(rule, day):
            raise InvalidInput("cal.recurrence.not_an_occurrence", f"exdate {day}",
                               **messages.date_params(day))
        clean_ex.append(day)
    return rec, tuple(sorted(set(clean_ex)))


def _check_invitee(inv: Invitee, field: str) -> Invitee:
    if not isinstance(inv, Invitee):
        raise _field_error("cal.field.unparseable", f"{field} entry", field)
    member_id = clean_text(inv.member_id, field, MAX_NAME, required=True)
    if any(ch.isspace() for ch in member_id):
        raise _field_error("cal.invitee.invalid_id", f"{field} id with space", field)
    email = None
    if inv.email:
        email = clean_text(inv.email, field, MAX_NAME)
        if not _EMAIL_RE.match(email):
            raise _field_error("cal.invitee.invalid_email", f"{field} email", field)
    return Invitee(member_id=member_id, display_name=clean_name(inv.display_name, field),
                   email=email)


# --------------------------------------------------------------------------------------------
# Creating and changing

def create_event(spec: EventSpec, *, uid: str, now: datetime) -> Event:
    """A new event from a checked spec; ``uid`` comes from the store (see :func:`new_event_uid`)."""
    if not isinstance(uid, str) or not _UID_RE.match(uid) or len(uid) > MAX_UID:
        raise InvalidInput("cal.uid.invalid", f"uid {uid!r}")
    spec = validate_event(spec, now)
    stamp = as_local(now, "now").astimezone(UTC)
    assert spec.end is not None
    return Event(uid=uid, council=spec.council, type=spec.type, title=spec.title,
                 start=spec.start, end=spec.end, description=spec.description,
                 location=spec.location, recurrence=spec.recurrence, exdates=spec.exdates,
                 organiser=spec.organiser, invitees=spec.invitees, capacity=spec.capacity,
                 created_at=stamp, changed_at=stamp, sequence=0,
                 status=EventStatus.CONFIRMED, zone=spec.zone)


EDITABLE_FIELDS = ("type", "title", "description", "location", "start", "end", "recurrence",
                   "exdates", "organiser", "invitees", "capacity", "status")


def apply_change(event: Event, changes: Mapping[str, Any], now: datetime) -> Event:
    """Apply a partial change (field → new value); every real change raises SEQUENCE by one.

    Values may be domain objects or their JSON forms. Changing nothing returns the same event.
    Moving the start checks it is not in the past; other edits to past events are allowed.
    A cancelled event can be brought back only by setting ``status`` to confirmed.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput("cal.change.unknown_field", f"fields {sorted(unknown)}",
                           field=", ".join(sorted(unknown)), fields=", ".join(EDITABLE_FIELDS))
    status = event.status
    if "status" in changes:
        try:
            status = EventStatus(str(changes["status"]).lower())
        except ValueError as exc:
            raise _field_error("cal.field.unparseable", "status", "status") from exc
    if event.cancelled and status is EventStatus.CANCELLED and len(changes) > ("status" in changes):
        raise Conflict("cal.event.cancelled", "edit of a cancelled event")
    data = {f.name: getattr(event.spec, f.name) for f in fields(EventSpec)}
    for name, value in changes.items():
        if name == "status":
            continue
        data[name] = _coerce_field(name, value, event)
    spec = EventSpec(**data)
    moved = _normalised_when(spec.start, event.tz) != event.start
    if moved and "end" not in changes and spec.start is not None:
        # Keep the length when only the start moves (the usual "we schuiven een uur op").
        spec = replace(spec, end=_shift_end(event, spec.start))
    # Exception and cancelled days only make sense for the series as it now is: unless the
    # change sets them, keep those that still fall on a meeting day and drop the rest.
    keep_exdates = "exdates" not in changes
    if keep_exdates:
        spec = replace(spec, exdates=())
    spec = validate_event(spec, now, check_past=moved)
    cancelled_dates: tuple[date, ...] = ()
    moves: tuple[Move, ...] = ()
    notes = tuple(n for n in event.notes if n.day is None) \
        if spec.recurrence is None and event.recurrence is None else ()
    if spec.recurrence is not None:
        rule = _rrule(spec.recurrence, _naive_start(spec.start, spec.tz))
        if keep_exdates:
            spec = replace(spec, exdates=tuple(d for d in event.exdates if _rule_has_day(rule, d)))
        cancelled_dates = tuple(d for d in event.cancelled_dates
                                if _rule_has_day(rule, d) and d not in spec.exdates)
        # Moved meetings and their notes stay with the series as long as their day is still one
        # of its meetings (and a moved meeting still has the series' kind of time).
        timed = isinstance(spec.start, datetime)
        moves = tuple(m for m in event.moves if _rule_has_day(rule, m.day) and m.day not in spec.exdates
                      and isinstance(m.start, datetime) == timed)
        notes = tuple(n for n in event.notes if n.day is not None and _rule_has_day(rule, n.day)
                      and n.day not in spec.exdates)
    assert spec.end is not None
    changed = replace(event, type=spec.type, title=spec.title, description=spec.description,
                      location=spec.location, start=spec.start, end=spec.end,
                      recurrence=spec.recurrence, exdates=spec.exdates,
                      cancelled_dates=cancelled_dates, organiser=spec.organiser,
                      invitees=spec.invitees, capacity=spec.capacity, status=status,
                      moves=moves, notes=notes)
    if moves != event.moves and spec.recurrence is not None:
        changed = _without_day_clashes(changed)
    return _bump(event, changed, now)


def _without_day_clashes(event: Event) -> Event:
    """Drop moves that now land on the day of another meeting (after the series changed)."""
    kept: list[Move] = []
    for move in event.moves:
        trial = replace(event, moves=tuple(m for m in event.moves if m.day != move.day))
        other = find_occurrence(trial, _local_day(move.start, event.tz))
        if other is None or other.series_day == move.day:
            kept.append(move)
    return replace(event, moves=tuple(kept))


def cancel_event(event: Event, now: datetime) -> Event:
    """Call off the whole event (or series). It stays in feeds as STATUS:CANCELLED."""
    if event.cancelled:
        return event
    return _bump(event, replace(event, status=EventStatus.CANCELLED), now)


def cancel_occurrence(event: Event, day: date, now: datetime) -> Event:
    """Call off one meeting of a series, identified by its local day (for a moved meeting: its
    day in the series or the day it was moved to)."""
    if event.recurrence is None:
        raise InvalidInput("cal.recurrence.single_event", "occurrence of a single event")
    if event.cancelled:
        raise Conflict("cal.event.cancelled", "occurrence of a cancelled event")
    occ = find_occurrence(event, day)
    if occ is None:
        raise InvalidInput("cal.recurrence.not_an_occurrence", f"day {day}",
                           **messages.date_params(day))
    day = occ.series_day
    if day in event.cancelled_dates:
        return event
    cancelled = tuple(sorted({*event.cancelled_dates, day}))
    return _bump(event, replace(event, cancelled_dates=cancelled), now)


def restore_occurrence(event: Event, day: date, now: datetime) -> Event:
    """Undo :func:`cancel_occurrence`."""
    occ = find_occurrence(event, day) if event.recurrence is not None else None
    if occ is not None:
        day = occ.series_day
    if day not in event.cancelled_dates:
        return event
    return _bump(event, replace(event, cancelled_dates=tuple(d for d in event.cancelled_dates
                                                             if d != day)), now)


def move_occurrence(event: Event, day: date, start: When, end: When | None, now: datetime) -> Event:
    """Hold one meeting at another time: ``!verplaats``.

    A series keeps the meeting as an override of its own (RECURRENCE-ID = where the series puts
    it, DTSTART = ``start``), so calendar apps keep it in the series and answers (kept under
    the series day) stay. A single event simply moves. ``end`` None keeps the meeting's length.
    SEQUENCE rises. Moving a meeting back to where the series puts it removes the override.
    """
    if event.cancelled:
        raise Conflict("cal.event.cancelled", "move of a cancelled event")
    zone = event.tz
    now = as_local(now, "now", zone)
    if event.recurrence is None:
        if day != _local_day(event.start, zone):
            raise InvalidInput("cal.occurrence.not_on_day", f"single event not on {day}",
                               **messages.date_params(day))
        if as_instant(event.start, zone) <= now:
            raise Conflict("cal.move.begun", "move of a meeting that has begun")
        changes: dict[str, Any] = {"start": start}
        if end is not None:
            changes["end"] = end
        return apply_change(event, changes, now)
    occ = find_occurrence(event, day)
    if occ is None:
        raise InvalidInput("cal.recurrence.not_an_occurrence", f"day {day}",
                           **messages.date_params(day))
    if occ.cancelled:
        raise Conflict("cal.move.cancelled", f"move of cancelled {occ.key}",
                       **messages.date_params(occ.day))
    if occ.start_instant <= now:
        raise Conflict("cal.move.begun", f"move of {occ.key}, which has begun")
    start = parse_when(start, "start", zone)
    if isinstance(start, datetime) != (not event.all_day):
        raise InvalidInput("cal.time.mixed", "move changes timed/all-day")
    if end is None:
        end = start + (occ.end - occ.start)  # type: ignore[operator]
    end = parse_when(end, "end", zone)
    if isinstance(end, datetime) != isinstance(start, datetime):
        raise InvalidInput("cal.time.mixed", "move with mixed start/end")
    # The same checks as for any meeting of a series: not in the past, not too far, at most a day.
    probe = EventSpec(council=event.council, type=event.type, title=event.title, start=start, end=end,
                      zone=event.zone)
    start, end = _check_times(probe, now, True)
    length = (end - start) if isinstance(start, datetime) \
        else timedelta(days=(end - start).days + 1)  # type: ignore[operator]
    if length > timedelta(days=1):
        raise InvalidInput("cal.recurrence.too_long", "moved meeting longer than a day")
    series_day = occ.series_day
    new_day = _local_day(start, zone)
    others = replace(event, moves=tuple(m for m in event.moves if m.day != series_day))
    other = find_occurrence(others, new_day)
    if other is not None and other.series_day != series_day:
        raise Conflict("cal.move.day_taken", f"{new_day} has meeting {other.key}",
                       **messages.date_params(new_day))
    original = _rule_start(event, series_day)
    original_end = original + (event.end - event.start)  # type: ignore[operator]
    moves = [m for m in event.moves if m.day != series_day]
    if (start, end) != (original, original_end):
        moves.append(Move(day=series_day, start=start, end=end))
    if len(moves) > MAX_MOVES:
        raise _field_error("cal.field.too_many", f"{len(moves)} moves", "event", max=MAX_MOVES)
    return _bump(event, replace(event, moves=tuple(sorted(moves, key=lambda m: m.day))), now)


def set_notes(event: Event, day: date | None, now: datetime, *, agenda: str | None = None,
              minutes: str | None = None) -> Event:
    """Give a meeting its agenda or, once it has begun, its minutes (None: unchanged, "": gone).

    For a series ``day`` names the meeting (its day in the series or the day it was moved to).
    """
    if event.cancelled:
        raise Conflict("cal.event.cancelled", "notes on a cancelled event")
    now = as_local(now, "now", event.tz)
    if event.recurrence is None:
        if day is not None and day != _local_day(event.start, event.tz):
            raise InvalidInput("cal.occurrence.not_on_day", f"single event not on {day}",
                               **messages.date_params(day))
        occ = Occurrence(event=event, start=event.start, end=event.end)
        key: date | None = None
    else:
        if day is None:
            raise InvalidInput("cal.notes.day_required", "notes on a series without a day")
        found = find_occurrence(event, day)
        if found is None:
            raise InvalidInput("cal.recurrence.not_an_occurrence", f"day {day}",
                               **messages.date_params(day))
        if found.cancelled:
            raise Conflict("cal.move.cancelled", f"notes on cancelled {found.key}",
                           **messages.date_params(found.day))
        occ, key = found, found.series_day
    current = event.notes_of(key) or MeetingNotes(day=key)
    if agenda is not None:
        current = replace(current, agenda=clean_text(agenda, "agenda", MAX_NOTES))
    if minutes is not None:
        text = clean_text(minutes, "minutes", MAX_NOTES)
        if text and now < occ.start_instant:
            raise Conflict("cal.notes.minutes_too_early", f"minutes before {occ.key} began")
        current = replace(current, minutes=text)
    notes = [n for n in event.notes if n.day != key]
    if current.agenda or current.minutes:
        notes.append(current)
    notes.sort(key=lambda n: n.day or date.min)
    return _bump(event, replace(event, notes=tuple(notes)), now)


def _rule_start(event: Event, day: date) -> When:
    """Where the series puts its meeting on ``day`` (its start time on that day)."""
    if event.all_day:
        return day
    naive = datetime.combine(day, _naive_start(event.start, event.tz).time())
    return localise(naive, strict=False, zone=event.tz)


def _bump(old: Event, new: Event, now: datetime) -> Event:
    if new == old:
        return old
    stamp = as_local(now, "now").astimezone(UTC)
    # DTSTAMP must never go backwards, or clients may ignore the update.
    stamp = max(stamp, old.changed_at)
    return replace(new, sequence=old.sequence + 1, changed_at=stamp)


def _coerce_field(name: str, value: Any, event: Event) -> Any:
    if name == "type":
        if isinstance(value, EventType):
            return value
        try:
            return EventType(str(value).lower())
        except ValueError as exc:
            raise InvalidInput("cal.type.unknown", f"type {value!r}", type=str(value)[:40],
                               types=", ".join(t.value for t in EventType)) from exc
    if name in ("start", "end"):
        if value is None and name == "end":
            return None
        return parse_when(value, name, event.tz)
    if name == "recurrence":
        if value is None or isinstance(value, Recurrence):
            return value
        return Recurrence.from_dict(value)
    if name == "exdates":
        return tuple(_parse_date(d, "exdates", event.tz) for d in value or ())
    if name == "organiser":
        if value is None or isinstance(value, Invitee):
            return value
        return Invitee.from_dict(value)
    if name == "invitees":
        return tuple(v if isinstance(v, Invitee) else Invitee.from_dict(v) for v in value or ())
    if name == "capacity":
        return None if value in (None, "") else _as_int(value, "capacity")
    return value  # text fields: checked by validate_event


def _normalised_when(value: When, zone: ZoneInfo) -> When:
    return as_local(value, "start", zone) if isinstance(value, datetime) and value.tzinfo else value


def _shift_end(event: Event, new_start: When) -> When | None:
    if isinstance(new_start, datetime) and isinstance(event.start, datetime):
        return new_start + (event.end - event.start)  # type: ignore[operator]
    if not isinstance(new_start, datetime) and not isinstance(event.start, datetime):
        return new_start + (event.end - event.start)  # type: ignore[operator]
    return None  # switched between timed and all-day: let validation pick the default end


# --------------------------------------------------------------------------------------------
# Recurrence expansion

def rrule_text(event: Event | EventSpec) -> str | None:
    """The RRULE value for the feed, or None for a single event."""
    rec = event.recurrence
    if rec is None:
        return None
    parts = [f"FREQ={rec.freq.value.upper()}"]
    if rec.interval != 1:
        parts.append(f"INTERVAL={rec.interval}")
    if rec.weekdays:
        prefix = str(rec.position) if rec.freq is Frequency.MONTHLY and rec.position else ""
        parts.append("BYDAY=" + ",".join(prefix + w.value for w in rec.weekdays))
    if rec.count is not None:
        parts.append(f"COUNT={rec.count}")
    if rec.until is not None:
        if isinstance(event.start, datetime):
            # RFC 5545: with a TZID'd DTSTART, UNTIL must be UTC; take the end of that local day.
            last = localise(datetime.combine(rec.until, time(23, 59, 59)), strict=False, zone=event.tz)
            parts.append("UNTIL=" + last.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
        else:
            parts.append("UNTIL=" + rec.until.strftime("%Y%m%d"))
    return ";".join(parts)


def _naive_start(start: When, zone: ZoneInfo) -> datetime:
    if isinstance(start, datetime):
        return start.astimezone(zone).replace(tzinfo=None)
    return datetime.combine(start, time(0))


def _rrule(rec: Recurrence, dtstart: datetime) -> rrule.rrule:
    # Expanding in naive local wall time keeps a 19:30 meeting at 19:30 across DST changes.
    freq = rrule.WEEKLY if rec.freq is Frequency.WEEKLY else rrule.MONTHLY
    byweekday: Any = None
    if rec.weekdays:
        days = [getattr(rrule, w.value) for w in rec.weekdays]
        if rec.freq is Frequency.MONTHLY and rec.position:
            days = [d(rec.position) for d in days]
        byweekday = days
    until = datetime.combine(rec.until, time(23, 59, 59)) if rec.until else None
    return rrule.rrule(freq, dtstart=dtstart, interval=rec.interval, byweekday=byweekday,
                       count=rec.count, until=until, wkst=rrule.MO, cache=False)


def _rule_has_day(rule: rrule.rrule, day: date) -> bool:
    start = datetime.combine(day, time(0))
    hit = rule.after(start, inc=True)
    return hit is not None and hit.date() == day


def expand_occurrences(events: Iterable[Event], start: datetime, end: datetime, *,
                       include_cancelled: bool = False) -> list[Occurrence]:
    """Occurrences overlapping [start, end), sorted by start.

    Exception dates never appear. Cancelled events and cancelled occurrences only appear with
    ``include_cancelled`` (then flagged ``cancelled``), e.g. for "vervallen" in ``!kalender``.
    """
    found: list[Occurrence] = []
    for event in events:
        if event.cancelled and not include_cancelled:
            continue
        for occ in _occurrences_of(event, start, end):
            if occ.cancelled and not include_cancelled:
                continue
            found.append(occ)
    found.sort(key=lambda o: (o.start_instant, o.uid))
    return found


def _occurrences_of(event: Event, start: datetime, end: datetime) -> Iterable[Occurrence]:
    length = event.end - event.start  # type: ignore[operator]
    if event.recurrence is None:
        occ = Occurrence(event=event, start=event.start, end=event.end, cancelled=event.cancelled)
        if occ.end_instant > start and occ.start_instant < end:
            yield occ
        return
    zone = event.tz
    rule = _rrule(event.recurrence, _naive_start(event.start, zone))
    moved = {m.day: m for m in event.moves}
    # Search in naive local time with a day of slack on both sides, then filter exactly.
    lo = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=2) - length
    hi = end.astimezone(zone).replace(tzinfo=None) + timedelta(days=2)
    for naive in rule.between(lo, hi, inc=True):
        day = naive.date()
        if day in event.exdates or day in moved:
            continue
        occ = _rule_occurrence(event, naive, length)
        if occ.end_instant > start and occ.start_instant < end:
            yield occ
    for move in event.moves:  # few: where each moved meeting now is
        occ = _moved_occurrence(event, move, rule, length)
        if occ is not None and occ.end_instant > start and occ.start_instant < end:
            yield occ


def _rule_occurrence(event: Event, naive: datetime, length: timedelta) -> Occurrence:
    day = naive.date()
    if event.all_day:
        occ_start: When = day
        occ_end: When = day + length
    else:
        occ_start = localise(naive, strict=False, zone=event.tz)
        occ_end = localise(naive + length, strict=False, zone=event.tz)
    return Occurrence(event=event, start=occ_start, end=occ_end,
                      cancelled=event.cancelled or day in event.cancelled_dates)


def _moved_occurrence(event: Event, move: Move, rule: rrule.rrule, length: timedelta
                      ) -> Occurrence | None:
    if move.day in event.exdates or not _rule_has_day(rule, move.day):
        return None
    return Occurrence(event=event, start=move.start, end=move.end,
                      cancelled=event.cancelled or move.day in event.cancelled_dates,
                      original_start=_rule_start(event, move.day))


def find_occurrence(event: Event, day: date) -> Occurrence | None:
    """The meeting of ``event`` on local ``day`` (including cancelled ones), if any.

    A moved meeting is found on its day in the series and on the day it was moved to (moves
    never put two meetings of one series on the same day, so this is never ambiguous).
    """
    if not date(1900, 1, 2) <= day <= MAX_UNTIL + MAX_AHEAD:
        return None  # no meeting is that far off (and the zone arithmetic would overflow)
    if event.recurrence is not None and (move := event.move_of(day)) is not None:
        rule = _rrule(event.recurrence, _naive_start(event.start, event.tz))
        return _moved_occurrence(event, move, rule, event.end - event.start)  # type: ignore[operator]
    lo = as_instant(day, event.tz)
    hi = as_instant(day + timedelta(days=1), event.tz)
    for occ in sorted(_occurrences_of(event, lo, hi), key=lambda o: o.moved):
        if occ.day == day:
            return occ
    return None


# --------------------------------------------------------------------------------------------
# small parsing helpers

def _as_str(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise _field_error("cal.field.unparseable", f"{field} not text", field)
    return value


def _as_int(value: Any, field: str = "number") -> int:
    if isinstance(value, bool):
        raise _field_error("cal.field.unparseable", f"{field} bool", field)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,6}\s*", value):
        return int(value)
    raise _field_error("cal.field.unparseable", f"{field}={value!r}"[:80], field)


def _parse_date(value: Any, field: str, zone: ZoneInfo) -> date:
    if isinstance(value, datetime):
        return value.astimezone(zone).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise _field_error("cal.field.unparseable", f"{field}={str(value)[:40]!r}", field) from exc


def _parse_instant(value: Any, field: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise _field_error("cal.time.naive", f"{field} naive", field)
    return parsed.astimezone(UTC)


def _field_error(code: str, log: str, field: str, **params: Any) -> InvalidInput:
    """An input error about one field, with its name in both languages for the message."""
    return InvalidInput(code, log, field=field, **messages.field_params(field), **params)


def _is_noncharacter(ch: str) -> bool:
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def last_end(event: Event) -> datetime | None:
    """When the last occurrence ends (exclusive instant), or None for an open-ended series.

    Stores index on it to find what is still coming without expanding every series.
    """
    if event.recurrence is None:
        return Occurrence(event=event, start=event.start, end=event.end).end_instant
    if event.recurrence.count is None and event.recurrence.until is None:
        return None
    zone = event.tz
    rule = _rrule(event.recurrence, _naive_start(event.start, zone))
    last = None
    for last in rule:  # bounded: at most MAX_COUNT items, or up to ``until``
        pass
    if last is None:
        return as_instant(event.start, zone)
    length = event.end - event.start  # type: ignore[operator]
    if event.all_day:
        found = as_instant(last.date() + length + timedelta(days=1), zone)
    else:
        found = localise(last + length, strict=False, zone=zone)
    moved_ends = [Occurrence(event=event, start=m.start, end=m.end).end_instant for m in event.moves]
    return max([found, *moved_ends])


def first_start(event: Event) -> datetime:
    """When the first meeting begins (a moved first meeting may begin before DTSTART)."""
    return min([as_instant(event.start, event.tz), *(as_instant(m.start, event.tz) for m in event.moves)])
