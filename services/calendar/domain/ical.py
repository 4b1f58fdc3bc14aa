"""iCalendar (RFC 5545) rendering of council events: subscription feeds and CalDAV objects.

We write the content lines ourselves instead of going through a library serializer, because the
text must survive *exactly*: a member may type a backslash followed by "N" ("C:\\Nieuw"), which
some serializers turn into a line break. The output is byte-for-byte deterministic for the same
input (DTSTAMP comes from the event's last change, never the clock), so an ETag over the bytes
only changes when something really changed.

Compatibility choices (Outlook, Google, Apple, Nextcloud):
- the VTIMEZONE uses yearly RRULEs (derived from zoneinfo), which every client understands;
- a cancelled event keeps its UID with STATUS:CANCELLED and a "Vervallen: " title, because
  Outlook ignores STATUS in subscribed calendars;
- a cancelled occurrence of a series becomes an EXDATE, which all clients honour;
- a meeting of a series that was moved, or carries its own agenda, minutes, places left or the
  member's own answer, becomes an override (same UID, RECURRENCE-ID where the series puts it,
  DTSTART where it is now), so calendar apps keep it in its series;
- X-WR-CALNAME/X-WR-CALDESC/X-PUBLISHED-TTL for Outlook and Google, NAME/DESCRIPTION/
  REFRESH-INTERVAL (RFC 7986) for the rest.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Iterable, Mapping, Sequence
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import Timezone

from services.calendar.domain import messages
from services.calendar.domain.events import (
    DEFAULT_ZONE,
    UTC,
    Event,
    EventType,
    Invitee,
    MeetingNotes,
    PartStat,
    find_occurrence,
    rrule_text,
)

PRODID = "-//Overleg//Overleg Kalender 1.0//NL"
UID_DOMAIN = "overleg"
CRLF = "\r\n"
MAX_LINE_OCTETS = 75
# When the built-in display alarm fires: a day ahead for timed events, 08:00 the day before
# for all-day ones (a trigger of -P1D on an all-day event would ring at midnight).
ALARM_BEFORE_TIMED = "-P1D"
ALARM_BEFORE_ALL_DAY = "-PT16H"


@dataclass(frozen=True)
class PersonalAnswer:
    """A member's answer for one event in their personal feed.

    ``partstat`` is the answer for a single event (or the whole series); ``occurrences`` holds
    answers given for single meetings of a series, keyed by the meeting's local day.
    """
    member: Invitee
    partstat: PartStat = PartStat.NEEDS_ACTION
    occurrences: Mapping[date, PartStat] = field(default_factory=dict)


AnswerArg = PersonalAnswer | tuple[Invitee, PartStat]
# Places taken, per event uid and meeting (its day in the series; a single event: its day).
Places = Mapping[str, Mapping[date, int]]


@dataclass(frozen=True)
class ResidentPlaces:
    """Residents' places of a meeting, from the public sign-up: counts and the page's address only."""
    capacity: int
    taken: int
    url: str

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.taken)


# Residents' places per event uid and meeting (None: a single event; else the meeting's day in its series).
Residents = Mapping[str, Mapping[date | None, ResidentPlaces]]


class RenderMemo:
    """Rendered VEVENTs of events that did not change, so a feed re-rendered after one change
    renders one event, not all of them.

    Rendering is a pure function of the event and the options, and events are immutable: an
    entry is keyed by the event object's identity and the options, and holds the event itself,
    so the identity cannot be reused by another object while the entry lives. (The store hands
    out the same object for the same stored event.) Bounded: full, it starts over.
    """

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._items: dict[tuple, tuple[Event, str]] = {}
        self._order: dict[int, tuple[Event, tuple[datetime, str]]] = {}  # id → (event, its place in a feed)

    def order_key(self, event: Event) -> tuple[datetime, str]:
        hit = self._order.get(id(event))
        if hit is not None and hit[0] is event:
            return hit[1]
        if len(self._order) >= self.size:
            self._order.clear()
        key = _order_key(event)
        self._order[id(event)] = (event, key)
        return key

    def get(self, key: tuple, event: Event) -> str | None:
        hit = self._items.get(key)
        return hit[1] if hit is not None and hit[0] is event else None

    def put(self, key: tuple, event: Event, text: str) -> None:
        if len(self._items) >= self.size:
            self._items.clear()
        self._items[key] = (event, text)

    def __len__(self) -> int:
        return len(self._items)


def event_uid(event: Event) -> str:
    """The UID clients see; stable for the life of the event."""
    return f"{event.uid}@{UID_DOMAIN}"


def render_feed(name: str, events: Iterable[Event], *, description: str | None = None,
                refresh_minutes: int = 60,
                attendee_partstat: Mapping[str, AnswerArg] | None = None,
                alarms: bool = True, lang: str | None = "nl", places: Places | None = None,
                memo: RenderMemo | None = None, zone: ZoneInfo = DEFAULT_ZONE,
                residents: Residents | None = None) -> bytes:
    """A complete subscription feed (METHOD:PUBLISH) for the given events.

    ``attendee_partstat`` (event uid → the member and their answer) makes it a personal feed:
    each such event carries one ATTENDEE line for that member with their PARTSTAT (not when the
    event or the meeting is called off: nobody attends a cancelled meeting).
    ``places`` (uid → meeting day → places taken) makes events with a capacity say how many
    places are left. ``residents`` (uid → meeting → :class:`ResidentPlaces`) adds the residents'
    places and sign-up page to those meetings. ``memo`` remembers rendered events between calls (same bytes, less work).
    ``zone`` is the council's time zone (X-WR-TIMEZONE); each event's times carry its own TZID,
    with a VTIMEZONE for every zone used.
    """
    if not 1 <= refresh_minutes <= 7 * 24 * 60:
        raise ValueError("refresh_minutes out of range")
    items = _sorted_unique(events, memo)
    refresh = f"PT{refresh_minutes}M"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:" + PRODID,
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        _prop("NAME", _escape(name)),
        _prop("X-WR-CALNAME", _escape(name)),
    ]
    if description:
        lines += [_prop("DESCRIPTION", _escape(description)),
                  _prop("X-WR-CALDESC", _escape(description))]
    lines += [
        "X-WR-TIMEZONE:" + zone.key,
        "REFRESH-INTERVAL;VALUE=DURATION:" + refresh,
        "X-PUBLISHED-TTL:" + refresh,
    ]
    for tzid in dict.fromkeys([zone.key, *(e.zone for e in items)]):
        lines += vtimezone_lines(tzid)
    answers = attendee_partstat or {}
    parts = [_text(lines)]
    for event in items:
        raw = answers.get(event.uid)
        answer = _as_answer(raw) if raw is not None else None
        taken = dict(places.get(event.uid) or {}) if places is not None and event.capacity else None
        res = dict((residents or {}).get(event.uid) or {}) or None
        if memo is None:
            parts.append(_text(_vevent(event, alarms=alarms, lang=lang, answer=answer, places=taken,
                                       residents=res)))
            continue
        # The residents' numbers are part of the key: a remembered text never shows old numbers.
        key = (id(event), lang, alarms, _answer_key(answer),
               tuple(sorted(taken.items())) if taken is not None else None, _residents_key(res))
        text = memo.get(key, event)
        if text is None:
            text = _text(_vevent(event, alarms=alarms, lang=lang, answer=answer, places=taken, residents=res))
            memo.put(key, event, text)
        parts.append(text)
    parts.append("END:VCALENDAR" + CRLF)
    return "".join(parts).encode("utf-8")


def _residents_key(res: Mapping[date | None, ResidentPlaces] | None) -> tuple | None:
    if not res:
        return None
    return tuple(sorted(((d.isoformat() if d else ""), p.capacity, p.taken, p.url) for d, p in res.items()))


def _answer_key(answer: PersonalAnswer | None) -> tuple | None:
    if answer is None:
        return None
    return (answer.member, answer.partstat, tuple(sorted(answer.occurrences.items())))


def render_event(event: Event, *, alarms: bool = True, lang: str | None = "nl") -> bytes:
    """One event as a calendar object resource for a CalDAV PUT.

    No METHOD (RFC 4791 forbids it in calendar collections) and no ATTENDEE lines, so the
    calendar server never starts sending invitation e-mails of its own.
    """
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + PRODID, "CALSCALE:GREGORIAN"]
    lines += vtimezone_lines(event.zone)
    lines += _vevent(event, alarms=alarms, lang=lang, answer=None)
    lines.append("END:VCALENDAR")
    return _join(lines)


def feed_etag(body: bytes) -> str:
    """A strong ETag (quoted) for rendered bytes; same bytes, same tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# --------------------------------------------------------------------------------------------
# VEVENT

def _vevent(event: Event, *, alarms: bool, lang: str | None, answer: PersonalAnswer | None,
            places: Mapping[date, int] | None = None,
            residents: Mapping[date | None, ResidentPlaces] | None = None) -> list[str]:
    """The event's VEVENT, and for a series one override per meeting that differs from the
    rule: moved (RECURRENCE-ID where the series puts it, DTSTART where it is now), with its own
    agenda or minutes, with places taken or residents' places, or with the member's own answer."""
    member = answer.member if answer is not None and not event.cancelled else None
    single = event.recurrence is None
    master = ["BEGIN:VEVENT"]
    master += _common(event, lang, notes=event.notes_of(None) if single else None,
                      taken=(sum(places.values()) if single else 0) if places is not None else None,
                      resident=(residents or {}).get(None) if single else None)
    zone = event.tz
    master += _times(event.start, event.end, zone)
    rule = rrule_text(event)
    if rule:
        master.append("RRULE:" + rule)
        # Cancelled single meetings disappear from every client as exception dates.
        for day in sorted({*event.exdates, *event.cancelled_dates}):
            master.append(_date_prop("EXDATE", _on_day(event.start, day, zone), zone))
    master += _people(event, member, answer.partstat if answer else None)
    if alarms and not event.cancelled:
        master += _alarm(event)
    master.append("END:VEVENT")
    if single or event.cancelled:
        return master
    occurrences = answer.occurrences if answer is not None else {}
    days = {m.day for m in event.moves} | {n.day for n in event.notes if n.day is not None}
    days |= {d for d, n in (places or {}).items() if n}
    days |= {d for d in (residents or {}) if d is not None}
    days |= {d for d, p in occurrences.items() if answer is not None and p is not answer.partstat}
    out = master
    for day in sorted(days):
        if day in event.exdates or day in event.cancelled_dates:
            continue
        occ = find_occurrence(event, day)
        if occ is None or occ.series_day != day:
            continue
        out.append("BEGIN:VEVENT")
        out += _common(event, lang, notes=event.notes_of(day),
                       taken=(places or {}).get(day, 0) if places is not None else None,
                       resident=(residents or {}).get(day))
        out.append(_date_prop("RECURRENCE-ID", occ.recurrence_start, zone))
        out += _times(occ.start, occ.end, zone)
        out += _people(event, member, occurrences.get(day, answer.partstat) if answer else None)
        if alarms:
            out += _alarm(event)
        out.append("END:VEVENT")
    return out


def _common(event: Event, lang: str | None, *, notes: MeetingNotes | None = None,
            taken: int | None = None, resident: ResidentPlaces | None = None) -> list[str]:
    title = event.title
    if event.cancelled:
        title = messages.text("cal.feed.cancelled_prefix", lang) + title
    lines = [
        _prop("UID", _escape(event_uid(event))),
        "DTSTAMP:" + _utc(event.changed_at),
        "CREATED:" + _utc(event.created_at),
        "LAST-MODIFIED:" + _utc(event.changed_at),
        f"SEQUENCE:{event.sequence}",
        "STATUS:" + ("CANCELLED" if event.cancelled else "CONFIRMED"),
        _prop("SUMMARY", _escape(title)),
    ]
    description = _description(event, lang, notes, taken, resident)
    if description:
        lines.append(_prop("DESCRIPTION", _escape(description)))
    if event.location:
        lines.append(_prop("LOCATION", _escape(event.location)))
    for link in _links(notes):
        lines.append("ATTACH:" + link)
    lines.append(_prop("CATEGORIES", _escape(event.type.label(lang))))
    # A deadline is not a meeting: keep it from blocking the day in free/busy views.
    lines.append("TRANSP:" + ("TRANSPARENT" if event.type is EventType.ADVIESDEADLINE
                              else "OPAQUE"))
    return lines


def _description(event: Event, lang: str | None, notes: MeetingNotes | None,
                 taken: int | None, resident: ResidentPlaces | None = None) -> str:
    """The event's description, then the meeting's agenda and minutes, then the places left (members',
    then residents')."""
    parts = [event.description] if event.description else []
    if notes is not None and notes.agenda:
        parts.append(messages.text("cal.feed.agenda", lang, agenda=notes.agenda))
    if notes is not None and notes.minutes:
        parts.append(messages.text("cal.feed.minutes", lang, minutes=notes.minutes))
    if taken is not None and event.capacity and not event.cancelled:
        parts.append(places_text(event.capacity, taken, lang))
    if resident is not None and not event.cancelled:
        parts.append(resident_places_text(resident, lang))
    return "\n\n".join(parts)


def resident_places_text(resident: ResidentPlaces, lang: str | None) -> str:
    """"Bewoners: nog 3 van 40 plaatsen — aanmelden: <url>" / "Bewoners: vol, wachtlijst — aanmelden: <url>"."""
    if resident.left == 0:
        return messages.text("cal.feed.residents_full", lang, url=resident.url)
    return messages.text("cal.feed.residents_left", lang, left=resident.left, capacity=resident.capacity,
                         url=resident.url)


def places_text(capacity: int, taken: int, lang: str | None) -> str:
    """"Nog 3 van 12 plaatsen vrij." / "Vol: …" (the feeds and the chat say the same)."""
    left = max(0, capacity - taken)
    if left == 0:
        return messages.text("cal.feed.places_full", lang, capacity=capacity)
    return messages.text("cal.feed.places_left", lang, left=left, capacity=capacity)


_LINK_RE = re.compile(r"^https?://[^\s\"<>\\^`{|}]+$")


def _links(notes: MeetingNotes | None) -> list[str]:
    """Agenda or minutes given as a link also become an ATTACH, which calendar apps open."""
    if notes is None:
        return []
    return [text for text in (notes.agenda, notes.minutes) if _LINK_RE.match(text)]


def _times(start: datetime | date, end: datetime | date, zone: ZoneInfo) -> list[str]:
    if isinstance(start, datetime):
        return [_date_prop("DTSTART", start, zone), _date_prop("DTEND", end, zone)]
    # All-day: DTEND is exclusive in iCalendar, our end is the last day.
    return [_date_prop("DTSTART", start, zone), _date_prop("DTEND", end + timedelta(days=1), zone)]


def _people(event: Event, member: Invitee | None, partstat: PartStat | None) -> list[str]:
    lines = []
    if event.organiser is not None:
        lines.append(_prop("ORGANIZER", calendar_address(event.organiser),
                           [("CN", _param_text(event.organiser.display_name))]))
    if member is not None:
        lines.append(_prop("ATTENDEE", calendar_address(member), [
            ("CUTYPE", "INDIVIDUAL"),
            ("ROLE", "REQ-PARTICIPANT"),
            ("PARTSTAT", (partstat or PartStat.NEEDS_ACTION).value),
            ("CN", _param_text(member.display_name)),
        ]))
    return lines


def _alarm(event: Event) -> list[str]:
    trigger = ALARM_BEFORE_ALL_DAY if event.all_day else ALARM_BEFORE_TIMED
    return ["BEGIN:VALARM", "ACTION:DISPLAY", _prop("DESCRIPTION", _escape(event.title)),
            "TRIGGER:" + trigger, "END:VALARM"]


def calendar_address(person: Invitee) -> str:
    """mailto: when we know an e-mail address, else a matrix: URI (MSC2312) for the member."""
    if person.email:
        return "mailto:" + quote(person.email, safe="@.+-_")
    local, _, server = person.member_id.lstrip("@").partition(":")
    if not server:
        return "matrix:u/" + quote(local, safe="._-=")
    return "matrix:u/" + quote(local, safe="._-=") + ":" + quote(server, safe=".:-[]")


def _as_answer(value: AnswerArg) -> PersonalAnswer:
    if isinstance(value, PersonalAnswer):
        return value
    member, partstat = value
    return PersonalAnswer(member=member, partstat=PartStat(partstat))


def _on_day(start: datetime | date, day: date, zone: ZoneInfo) -> datetime | date:
    """The series' start time on another day (EXDATE must match DTSTART's form)."""
    if isinstance(start, datetime):
        local = start.astimezone(zone)
        naive = datetime.combine(day, local.time().replace(tzinfo=None))
        return naive.replace(tzinfo=zone)
    return day


def _order_key(e: Event) -> tuple[datetime, str]:
    start = e.start if isinstance(e.start, datetime) else datetime.combine(e.start, time(0), tzinfo=e.tz)
    return start.astimezone(UTC), e.uid


def _sorted_unique(events: Iterable[Event], memo: RenderMemo | None = None) -> list[Event]:
    items = list(events)
    if len({e.uid for e in items}) != len(items):
        raise ValueError("duplicate event uid in feed")
    return sorted(items, key=_order_key if memo is None else memo.order_key)


# --------------------------------------------------------------------------------------------
# Content lines

def _escape(text: str) -> str:
    """RFC 5545 TEXT escaping. Line breaks of any kind become ``\\n``.

    Event texts are checked on the way in; other control characters (possible in a feed name
    from elsewhere) are dropped here, because no parser would accept them.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text
                   if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _param_text(text: str) -> str:
    """A parameter value (CN): one line, no double quotes, carets or backslashes.

    Parameters cannot carry line breaks or quotes, and parsers disagree on ``^`` (RFC 6868)
    and backslash escapes there, so we replace those characters with look-alikes.
    """
    out = []
    for ch in text:
        if ch in "\r\n\t" or unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(" ")
        elif ch == '"':
            out.append("'")
        elif ch == "^":
            out.append("\u02c6")
        elif ch == "\\":
            out.append("\uff3c")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _prop(name: str, value: str, params: Sequence[tuple[str, str]] = ()) -> str:
    rendered = "".join(f";{key}={_quote_param(val)}" for key, val in params)
    return f"{name}{rendered}:{value}"


def _quote_param(value: str) -> str:
    if any(ch in value for ch in ':;, ') or not value.isascii():
        return f'"{value}"'
    return value


def _date_prop(name: str, value: datetime | date, zone: ZoneInfo) -> str:
    if isinstance(value, datetime):
        local = value.astimezone(zone)
        return f"{name};TZID={zone.key}:" + local.strftime("%Y%m%dT%H%M%S")
    return f"{name};VALUE=DATE:" + value.strftime("%Y%m%d")


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_LINE_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
            limit = MAX_LINE_OCTETS - 1  # continuation lines start with a space
        current.append(ch)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def _text(lines: Sequence[str]) -> str:
    return "".join(fold(line) + CRLF for line in lines)


def _join(lines: Sequence[str]) -> bytes:
    return _text(lines).encode("utf-8")


# --------------------------------------------------------------------------------------------
# VTIMEZONE

@dataclass(frozen=True)
class _Transition:
    local_before: datetime  # wall time just before the change, in the old offset
    offset_from: timedelta
    offset_to: timedelta
    is_dst: bool
    name: str

    def signature(self) -> tuple:
        day = self.local_before.date()
        next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        month_len = (next_month - timedelta(days=1)).day
        position = -1 if day.day + 7 > month_len else (day.day - 1) // 7 + 1
        return (day.month, day.weekday(), position, self.local_before.time(),
                self.offset_from, self.offset_to, self.is_dst, self.name)


_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_LAST_RULE_YEAR = 2037


@lru_cache(maxsize=8)
def vtimezone_lines(tzid: str) -> tuple[str, ...]:
    """A VTIMEZONE for ``tzid`` as content lines, built from the zoneinfo database.

    Where the zone follows a fixed yearly rule (Europe/Amsterdam: last Sunday of March and
    October), it is written as two RRULE observances starting the year the rule took effect.
    Other zones fall back to icalendar's explicit list of transitions.
    """
    tz = ZoneInfo(tzid)
    yearly = {year: _transitions(tz, year) for year in range(1970, _LAST_RULE_YEAR + 1)}
    last = [t.signature() for t in yearly[_LAST_RULE_YEAR]]
    head = ["BEGIN:VTIMEZONE", "TZID:" + tzid, "X-LIC-LOCATION:" + tzid]
    if not last:
        probe = datetime(_LAST_RULE_YEAR, 1, 1, 12, tzinfo=tz)
        offset = probe.utcoffset() or timedelta()
        return tuple(head + [
            "BEGIN:STANDARD", "TZOFFSETFROM:" + _offset(offset), "TZOFFSETTO:" + _offset(offset),
            "TZNAME:" + (probe.tzname() or _offset(offset)), "DTSTART:19700101T000000",
            "END:STANDARD", "END:VTIMEZONE"])
    if len(last) != 2:
        return _fallback_vtimezone(tzid)
    first_year = _LAST_RULE_YEAR
    while first_year - 1 in yearly and [t.signature() for t in yearly[first_year - 1]] == last:
        first_year -= 1
    lines = list(head)
    for trans in sorted(yearly[first_year], key=lambda t: (not t.is_dst, t.local_before)):
        month, weekday, position, *_ = trans.signature()
        kind = "DAYLIGHT" if trans.is_dst else "STANDARD"
        lines += [
            "BEGIN:" + kind,
            "TZOFFSETFROM:" + _offset(trans.offset_from),
            "TZOFFSETTO:" + _offset(trans.offset_to),
            "TZNAME:" + trans.name,
            "DTSTART:" + trans.local_before.strftime("%Y%m%dT%H%M%S"),
            f"RRULE:FREQ=YEARLY;BYMONTH={month};BYDAY={position}{_BYDAY[weekday]}",
            "END:" + kind,
        ]
    lines.append("END:VTIMEZONE")
    return tuple(lines)


def _transitions(tz: ZoneInfo, year: int) -> list[_Transition]:
    """Offset changes within ``year``, found by a daily scan and a bisection to the second."""
    found = []
    probe = datetime(year, 1, 1, 0, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, 0, tzinfo=UTC)
    step = timedelta(hours=12)
    while probe < end:
        nxt = probe + step
        before, after = probe.astimezone(tz).utcoffset(), nxt.astimezone(tz).utcoffset()
        if before != after:
            lo, hi = probe, nxt  # offset(lo) == before, offset(hi) == after
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            changed = hi.astimezone(tz)
            assert before is not None and after is not None
            found.append(_Transition(
                local_before=(hi + before).replace(tzinfo=None, microsecond=0),
                offset_from=before, offset_to=after,
                is_dst=bool(changed.dst()), name=changed.tzname() or _offset(after)))
        probe = nxt
    return found


def _offset(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _fallback_vtimezone(tzid: str) -> tuple[str, ...]:
    """For zones without a simple yearly rule: icalendar's explicit transitions, 2000–2040."""
    body = Timezone.from_tzid(tzid, first_date=date(2000, 1, 1),
                              last_date=date(2040, 1, 1)).to_ical().decode("utf-8")
    unfolded = body.replace("\r\n ", "").replace("\r\n\t", "")
    return tuple(line for line in unfolded.split("\r\n") if line)
