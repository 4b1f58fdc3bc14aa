"""What the calendar does, step by step, inside one transaction: the domain decides, the store
keeps, and the feed version, the CalDAV sync mark and any room message go with the change.

The API routes and the background jobs both call these; ``now`` is always passed in.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from services.calendar import store
from services.calendar.domain import messages
from services.calendar.domain.attendance import (
    Attendance,
    Rsvp,
    RsvpOutcome,
    confirm_attendance,
    rebalance,
    respond,
)
from services.calendar.domain.ical import ResidentPlaces
from services.calendar.domain.presence import COUNTED_TYPES, PresenceRecord, resolve_names, year_records
from services.calendar.domain.dates import (
    DateOption,
    format_option,
    parse_date,
    split_leading_date,
    split_title_and_dates,
)
from services.calendar.domain.events import (
    Event,
    EventSpec,
    EventType,
    Invitee,
    Occurrence,
    When,
    apply_change,
    cancel_event,
    cancel_occurrence,
    create_event,
    expand_occurrences,
    find_occurrence,
    localise,
    move_occurrence,
    new_event_uid,
    parse_when,
    restore_occurrence,
    set_notes,
)
from services.calendar.domain.polls import (
    Poll,
    PollOption,
    PollSummary,
    answer,
    close,
    fix,
    new_poll,
    poll_from_chat,
    summary,
)
from shared import i18n
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.formatting import Rich, defang, one_line
from shared.outbox import OutboundMessage
from shared.settings import CouncilConfig, Settings

DEADLINE_TYPES = frozenset({EventType.ADVIESDEADLINE, EventType.REALISATIETOETS})
LOOKAHEAD = timedelta(days=3 * 366)


class Poster:
    """Posts to Matrix through the service's outbox (``Runtime.post``): the message is stored in
    the caller's transaction and handed to the bot after the commit."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    def __call__(self, session: Session, message: OutboundMessage) -> None:
        self.runtime.post(session, message)


def zone_of(council: CouncilConfig) -> ZoneInfo:
    """The council's own time zone (its settings' ``timezone``): local days, times and feeds."""
    return ZoneInfo(council.timezone)


def require_council(settings: Settings, slug: str) -> CouncilConfig:
    council = settings.council(slug)
    if council is None:
        raise NotFound("cal.council.unknown", f"unknown council {slug[:64]!r}", council=slug[:64])
    return council


def require_event(session: Session, council: CouncilConfig, number: int, *, lock: bool = False) -> store.StoredEvent:
    found = store.event_by_number(session, council.slug, number, lock=lock)
    if found is None:
        raise NotFound("cal.event.not_found", f"no event {number} in {council.slug}", number=number)
    return found


# --------------------------------------------------------------------------------------------
# texts for the room

def when_text(start: datetime | date, end: datetime | date, lang: str, zone: ZoneInfo) -> str:
    """"dinsdag 16 maart 2027, 19:30–21:30" / "vrijdag 2 april 2027 t/m zaterdag 3 april 2027"."""
    if isinstance(start, datetime) and isinstance(end, datetime):
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        if local_start.date() == local_end.date():
            return f"{i18n.fmt_datetime(local_start, lang)}–{local_end:%H:%M}"
        return messages.text("cal.when.days", lang, start=i18n.fmt_datetime(local_start, lang),
                             end=i18n.fmt_datetime(local_end, lang))
    assert isinstance(start, date) and isinstance(end, date)
    if start == end:
        return i18n.fmt_date(start, lang)
    return messages.text("cal.when.days", lang, start=i18n.fmt_date(start, lang), end=i18n.fmt_date(end, lang))


def occurrence_when(occ: Occurrence, lang: str) -> str:
    return when_text(occ.start, occ.end, lang, occ.event.tz)


def safe_title(text: str) -> str:
    """Member text shown in the room: one line, links and @room made inert."""
    return defang(one_line(text))


def _message(key: str, council: CouncilConfig, rich: Rich, *, dm_to: str | None = None,
             thread_key: str | None = None) -> OutboundMessage:
    fields: dict[str, Any] = dict(key=key, council=council.slug, room="main", body=rich.body, html=rich.html,
                                  thread_key=thread_key)
    if dm_to:
        fields.update(room="dm", dm_to=dm_to)
    return OutboundMessage(**fields)


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def first_occurrence(event: Event, now: datetime) -> Occurrence | None:
    found = expand_occurrences([event], now, now + LOOKAHEAD)
    return found[0] if found else None


def announcement(code: str, stored: store.StoredEvent, council: CouncilConfig, now: datetime,
                 **extra: Any) -> Rich:
    event = stored.event
    lang = council.language
    occ = first_occurrence(event, now) or Occurrence(event=event, start=event.start, end=event.end)
    rich = Rich().line(messages.text(code, lang, number=stored.number, title=safe_title(event.title),
                                     when=occurrence_when(occ, lang), **extra))
    if event.location and code != "cal.announce.cancelled":
        rich.line(messages.text("cal.announce.location", lang, location=safe_title(event.location)))
    if code in ("cal.announce.new", "cal.announce.fixed", "cal.announce.changed") \
            and event.type not in DEADLINE_TYPES and not event.cancelled:
        rich.line(messages.text("cal.announce.rsvp_hint", lang, number=stored.number))
    return rich


# --------------------------------------------------------------------------------------------
# events

def create(session: Session, post: Poster, council: CouncilConfig, spec: EventSpec, now: datetime, *,
           announce: bool = False, source: str | None = None, source_key: str | None = None,
           uid: str | None = None) -> store.StoredEvent:
    # The event lives in its council's zone, whoever built the spec (a poll, an import, a form).
    event = create_event(replace(spec, zone=council.timezone), uid=uid or new_event_uid(), now=now)
    stored = store.add_event(session, event, source=source, source_key=source_key)
    store.touch(session, council.slug, now)
    store.mark_for_sync(session, event, now)
    if announce:
        post(session, _message(f"calendar:event:{event.uid}:new", council,
                               announcement("cal.announce.new", stored, council, now)))
    return stored


def change(session: Session, post: Poster, council: CouncilConfig, stored: store.StoredEvent,
           changes: Mapping[str, Any], now: datetime, *, announce: bool = False,
           imported: bool = False) -> store.StoredEvent:
    """Apply a change; SEQUENCE rises once per real change; places open up when capacity grows."""
    if stored.source and not imported:
        raise Conflict("cal.event.imported", f"event {stored.number} comes from {stored.source}")
    updated = apply_change(stored.event, changes, now)
    if updated == stored.event:
        return stored
    saved = store.save_event(session, updated)
    store.touch(session, council.slug, now)
    store.mark_for_sync(session, updated, now)
    if updated.capacity != stored.event.capacity:
        _rebalance(session, post, council, updated, now)
    if announce:
        code = "cal.announce.cancelled" if updated.cancelled else "cal.announce.changed"
        post(session, _message(f"calendar:event:{updated.uid}:s{updated.sequence}", council,
                               announcement(code, saved, council, now)))
    return saved


def cancel(session: Session, post: Poster, council: CouncilConfig, stored: store.StoredEvent,
           day: date | None, now: datetime, *, announce: bool = False) -> store.StoredEvent:
    """Call off one meeting of a series (``day``) or the whole event; it stays in the feeds as
    STATUS:CANCELLED (a cancelled meeting of a series as an EXDATE)."""
    if stored.source:
        raise Conflict("cal.event.imported", f"event {stored.number} comes from {stored.source}")
    event = stored.event
    updated = cancel_occurrence(event, day, now) if day is not None else cancel_event(event, now)
    if updated == event:
        return stored
    saved = store.save_event(session, updated)
    store.touch(session, council.slug, now)
    store.mark_for_sync(session, updated, now)
    if announce:
        lang = council.language
        if day is not None:
            occ = find_occurrence(updated, day)
            when = occurrence_when(occ, lang) if occ else i18n.fmt_date(day, lang)
            rich = Rich().line(messages.text("cal.announce.occurrence_cancelled", lang,
                                             title=safe_title(event.title), when=when))
        elif event.recurrence is not None:
            rich = Rich().line(messages.text("cal.announce.series_cancelled", lang, title=safe_title(event.title)))
        else:
            rich = announcement("cal.announce.cancelled", saved, council, now)
        post(session, _message(f"calendar:event:{updated.uid}:s{updated.sequence}", council, rich))
    return saved


@dataclass(frozen=True)
class MoveResult:
    stored: store.StoredEvent
    before: Occurrence
    after: Occurrence


def move_target(occ: Occurrence, option: DateOption) -> tuple[When, When | None]:
    """Where a meeting goes: a date alone keeps its time of day (and length); a time sets it."""
    if isinstance(option.start, datetime):
        return option.start, option.end
    if isinstance(occ.start, datetime):
        local = occ.start.astimezone(occ.event.tz)
        return localise(datetime.combine(option.start, local.time().replace(tzinfo=None)), "start",
                        zone=occ.event.tz), None
    return option.start, None


def parse_target(text: str, now: datetime, zone: ZoneInfo) -> DateOption:
    """A new date or time as ISO (2027-03-17, 2027-03-17T20:00) or as members write it."""
    stripped = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?", stripped):
        return DateOption(start=parse_when(stripped, "start", zone), text=stripped)
    return parse_date(stripped, now, zone)


def move(session: Session, post: Poster, council: CouncilConfig, stored: store.StoredEvent, day: date,
         option: DateOption, now: datetime, *, end: When | None = None, announce: bool = False) -> MoveResult:
    """``!verplaats``: one meeting (of a series: an override; a single event: the event) to
    another time. Answers stay (they are kept under the meeting's day in the series), reminders
    follow the new time, the shared calendar gets the new version, the room is told."""
    if stored.source:
        raise Conflict("cal.event.imported", f"event {stored.number} comes from {stored.source}")
    before = pick_occurrence(stored, day, now)
    start, new_end = move_target(before, option)
    updated = move_occurrence(stored.event, day, start, end if end is not None else new_end, now)
    if updated.recurrence is None:
        after = Occurrence(event=updated, start=updated.start, end=updated.end)
    else:
        after = find_occurrence(updated, before.series_day) or before
    if updated == stored.event:
        return MoveResult(stored, before, after)
    saved = store.save_event(session, updated)
    store.touch(session, council.slug, now)
    store.mark_for_sync(session, updated, now)
    if announce:
        lang = council.language
        rich = Rich().line(messages.text("cal.announce.moved", lang, number=stored.number,
                                         title=safe_title(updated.title), old=occurrence_when(before, lang),
                                         when=occurrence_when(after, lang)))
        if updated.location:
            rich.line(messages.text("cal.announce.location", lang, location=safe_title(updated.location)))
        post(session, _message(f"calendar:event:{updated.uid}:s{updated.sequence}", council, rich))
    return MoveResult(saved, before, after)


def notes(session: Session, post: Poster, council: CouncilConfig, stored: store.StoredEvent, day: date | None,
          now: datetime, *, agenda: str | None = None, minutes: str | None = None,
          announce: bool = False) -> tuple[store.StoredEvent, Occurrence]:
    """A meeting's agenda, or afterwards its minutes (a link or a short text)."""
    if stored.source:
        raise Conflict("cal.event.imported", f"event {stored.number} comes from {stored.source}")
    event = stored.event
    if event.recurrence is not None and day is None:
        occ = pick_occurrence(stored, None, now, upcoming=agenda is not None)
        day = occ.series_day
    updated = set_notes(event, day, now, agenda=agenda, minutes=minutes)
    occ = pick_occurrence(store.StoredEvent(stored.number, updated), day, now) if day is not None else \
        Occurrence(event=updated, start=updated.start, end=updated.end)
    if updated == event:
        return stored, occ
    saved = store.save_event(session, updated)
    store.touch(session, council.slug, now)
    store.mark_for_sync(session, updated, now)
    text = minutes if minutes else agenda
    if announce and text:
        lang = council.language
        code = "cal.announce.notes_minutes" if minutes else "cal.announce.notes_agenda"
        rich = Rich().line(messages.text(code, lang, title=safe_title(updated.title),
                                         when=occurrence_when(occ, lang), text=safe_title(text)))
        post(session, _message(f"calendar:event:{updated.uid}:s{updated.sequence}", council, rich))
    return saved, occ


def split_notes_text(text: str, now: datetime, zone: ZoneInfo, *, past: bool) -> tuple[date | None, str]:
    """Chat form ``[datum] <link of tekst>``: a date in front names the meeting."""
    head, rest = split_leading_date(text)
    if head is None or not rest:
        return None, text.strip()
    try:
        return parse_day(head, now, zone, past=past), rest
    except InvalidInput:
        return None, text.strip()


def restore(session: Session, council: CouncilConfig, stored: store.StoredEvent, day: date | None,
            now: datetime) -> store.StoredEvent:
    """Undo a cancellation (of one meeting, or of the whole event)."""
    if stored.source:
        raise Conflict("cal.event.imported", f"event {stored.number} comes from {stored.source}")
    event = stored.event
    if day is not None:
        updated = restore_occurrence(event, day, now)
    elif event.cancelled:
        updated = apply_change(event, {"status": "confirmed"}, now)
    else:
        updated = event
    if updated == event:
        return stored
    saved = store.save_event(session, updated)
    store.touch(session, council.slug, now)
    store.mark_for_sync(session, updated, now)
    return saved


def remove(session: Session, council: CouncilConfig, stored: store.StoredEvent, now: datetime) -> None:
    """Delete an event for good (feeds drop it; the shared calendar gets a DELETE)."""
    store.remove_event(session, stored.uid)
    store.touch(session, council.slug, now)
    store.mark_for_sync(session, stored.event, now, deleted=True)


def spec_from_text(council: CouncilConfig, etype: EventType, text: str, now: datetime, *,
                   location: str = "", description: str = "", organiser: Any = None) -> EventSpec:
    """``"Training media 12 maart 19:30-21:30"`` → a spec: title, then exactly one date."""
    title, dates = split_title_and_dates(text, now, zone_of(council))
    if len(dates) != 1:
        raise InvalidInput("cal.text.one_date", f"{len(dates)} dates in event text")
    option = dates[0]
    return EventSpec(council=council.slug, type=etype, title=title, start=option.start, end=option.end,
                     location=location, description=description, organiser=organiser, zone=council.timezone)


# --------------------------------------------------------------------------------------------
# occurrences and attendance

def parse_day(text: str | None, now: datetime, zone: ZoneInfo, *, past: bool = False) -> date | None:
    """A meeting's day as ISO (2027-03-16) or as members write it (16-3, di 16 maart).

    Without a year, the next such day is meant; with ``past`` (confirming who was there) the
    most recent one within a year.
    """
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    # The first such day from a year ago less a day: today's date is today, not a year ago.
    option = parse_date(text, now - timedelta(days=364) if past else now, zone)
    start = option.start
    return start.astimezone(zone).date() if isinstance(start, datetime) else start


def pick_occurrence(stored: store.StoredEvent, day: date | None, now: datetime, *,
                    upcoming: bool = True) -> Occurrence:
    """The meeting meant: on ``day``; else the single event itself; else the series' next
    meeting that takes place (``upcoming``) or its latest one that has begun."""
    event = stored.event
    if day is not None:
        occ = find_occurrence(event, day)
        if occ is None:
            raise NotFound("cal.occurrence.not_found", f"event {stored.number}: no meeting on {day}",
                           number=stored.number, **messages.date_params(day))
        return occ
    if event.recurrence is None:
        return Occurrence(event=event, start=event.start, end=event.end, cancelled=event.cancelled)
    if upcoming:
        for occ in expand_occurrences([event], now, now + LOOKAHEAD):
            if occ.start_instant > now:
                return occ
    else:
        begun = [o for o in expand_occurrences([event], now - LOOKAHEAD, now) if o.start_instant <= now]
        if begun:
            return begun[-1]
    raise NotFound("cal.occurrence.none_upcoming", f"event {stored.number}: no meeting", number=stored.number)


@dataclass(frozen=True)
class RsvpResult:
    stored: store.StoredEvent
    occurrence: Occurrence
    outcome: RsvpOutcome


def answer_invitation(session: Session, post: Poster, council: CouncilConfig, stored: store.StoredEvent,
                      member: str, rsvp: Rsvp, day: date | None, now: datetime) -> RsvpResult:
    if stored.event.type in DEADLINE_TYPES:
        raise InvalidInput("cal.rsvp.not_a_meeting", f"rsvp on {stored.event.type.value}")
    occ = pick_occurrence(stored, day, now)
    # Answers to one event wait for each other: the first answers would otherwise each create
    # the occurrence's attendance row (nothing to lock yet) and all but one be lost.
    store.lock_event(session, council.slug, stored.number)
    outcome = respond(store.attendance(session, occ.key, lock=True), occ, member, rsvp, now)
    store.save_attendance(session, council.slug, outcome.attendance, now)
    store.touch(session, council.slug, now)  # personal feeds show the answer as PARTSTAT
    _notify_promoted(session, post, council, occ, outcome.promoted, now)
    return RsvpResult(stored, occ, outcome)


def confirm(session: Session, council: CouncilConfig, stored: store.StoredEvent, day: date | None,
            present: Iterable[str], now: datetime) -> tuple[Occurrence, Attendance]:
    occ = pick_occurrence(stored, day, now, upcoming=False)
    att = confirm_attendance(store.attendance(session, occ.key, lock=True), occ, present, now)
    store.save_attendance(session, council.slug, att, now)
    store.touch(session, council.slug, now)
    return occ, att


def attendance_occurrence(stored: store.StoredEvent, day: date | None, now: datetime, *,
                          begun: bool = False) -> Occurrence:
    """The meeting whose attendance is meant. With ``begun`` (the secretary's overview) a series
    means its latest meeting that has begun, as confirming does, or before the first its next."""
    if day is not None or not begun:
        return pick_occurrence(stored, day, now)
    try:
        return pick_occurrence(stored, None, now, upcoming=False)
    except NotFound:
        return pick_occurrence(stored, None, now)


def present_from_text(text: str, roster: Mapping[str, str], now: datetime, zone: ZoneInfo
                      ) -> tuple[date | None, list[str]]:
    """The chat form ``[datum] <namen>`` → the meeting's day (or None) and the members named.

    Nothing is recorded unless every name is someone: a typo must not silently leave a member out.
    """
    head, rest = split_leading_date(text)
    day = parse_day(head, now, zone, past=True) if head is not None else None
    if head is None:
        try:  # a day and no names: nobody named yet (not a name "16-3")
            parse_day(rest, now, zone, past=True)
        except InvalidInput:
            pass
        else:
            raise InvalidInput("cal.attendance.no_names", "confirm with a day but no names")
    match = resolve_names(rest, roster)
    if match.unknown:
        raise InvalidInput("cal.attendance.unknown_names", f"{len(match.unknown)} unknown names",
                           names=", ".join(safe_title(w) for w in match.unknown[:10]))
    if not match.members and not match.nobody:
        raise InvalidInput("cal.attendance.no_names", "confirm without names")
    return day, list(match.members)


def year_attendance(session: Session, council: CouncilConfig, year: int, now: datetime, members: Iterable[str], *,
                    member: str | None = None) -> list[tuple[int, PresenceRecord]]:
    """Every held meeting of ``year`` (the council's days) with who was there: (event number, record)."""
    zone = zone_of(council)
    stored = store.events(session, council.slug, ending_after=datetime(year, 1, 1, tzinfo=zone) - timedelta(days=2),
                          starting_before=datetime(year + 1, 1, 1, tzinfo=zone) + timedelta(days=2),
                          types=[t.value for t in COUNTED_TYPES])
    numbers = {item.uid: item.number for item in stored}
    atts = store.attendances(session, council.slug, numbers)
    records = year_records([item.event for item in stored], atts, list(members), year, now, zone, member=member,
                           all_day_hours=council.all_day_hours)
    return [(numbers[r.event_uid], r) for r in records]


def _rebalance(session: Session, post: Poster, council: CouncilConfig, event: Event, now: datetime) -> None:
    """A larger capacity promotes people from the waiting lists of meetings still to come."""
    atts = store.attendances(session, council.slug, [event.uid], lock=True)
    for att in atts.values():
        occ = find_occurrence(event, att.day)
        if occ is None or occ.start_instant <= now:
            continue
        outcome = rebalance(att, event.capacity)
        if outcome.promoted:
            store.save_attendance(session, council.slug, outcome.attendance, now)
            _notify_promoted(session, post, council, occ, outcome.promoted, now)


def _notify_promoted(session: Session, post: Poster, council: CouncilConfig, occ: Occurrence,
                     promoted: Iterable[str], now: datetime) -> None:
    lang = council.language
    for member in promoted:
        rich = Rich().line(messages.text("cal.rsvp.promoted_detail", lang, title=safe_title(occ.event.title),
                                         when=occurrence_when(occ, lang)))
        # The time keeps a second promotion (after leaving and queueing again) a new message.
        key = f"calendar:promoted:{occ.uid}:{occ.day.isoformat()}:{_short_hash(member)}:{int(now.timestamp())}"
        post(session, _message(key, council, rich, dm_to=member))


# --------------------------------------------------------------------------------------------
# residents' places

_URL_RE = re.compile(r"^https?://[^\s\"<>\\^`{|}]+$")


def set_resident_places(session: Session, council: CouncilConfig, stored: store.StoredEvent, day: date | None,
                        places: ResidentPlaces, now: datetime) -> tuple[bool, date | None]:
    """The residents' places of a meeting, as the signals service's public sign-up counts them (a repeat replaces
    them). The feeds change, so the council's version rises, but only when a number or the address changed:
    calendar apps then fetch the feed again. Returns (changed, the meeting's day in its series or None)."""
    event = stored.event
    if event.type in DEADLINE_TYPES:
        raise InvalidInput("cal.resident_places.not_a_meeting", f"residents' places on {event.type.value}")
    if not _URL_RE.match(places.url):
        raise InvalidInput("cal.resident_places.url", "sign-up url is no web address")
    meeting: date | None = None
    if event.recurrence is not None:
        if day is None:
            raise InvalidInput("cal.resident_places.day_needed", f"event {stored.number} is a series")
        occ = find_occurrence(event, day)
        if occ is None:
            raise NotFound("cal.occurrence.not_found", f"event {stored.number}: no meeting on {day}",
                           number=stored.number, **messages.date_params(day))
        meeting = occ.series_day
    changed = store.save_resident_places(session, council.slug, event.uid, meeting, places, now)
    if changed:
        store.touch(session, council.slug, now)
    return changed, meeting


# --------------------------------------------------------------------------------------------
# date polls

def require_poll(session: Session, council: CouncilConfig, number: int, *, lock: bool = False) -> store.StoredPoll:
    found = store.poll_by_number(session, council.slug, number, lock=lock)
    if found is None:
        raise NotFound("cal.poll.not_found", f"no poll {number} in {council.slug}", number=number)
    return found


def option_label(option: PollOption, lang: str, zone: ZoneInfo) -> str:
    return format_option(DateOption(start=option.start, end=option.end), lang, zone)


def poll_root(stored: store.StoredPoll, lang: str) -> Rich:
    """The poll as posted in the room (a thread root: answers go in its thread)."""
    poll = stored.poll
    rich = Rich().heading(messages.text("cal.poll.root.title", lang, number=stored.number,
                                        title=safe_title(poll.title)))
    rich.items([f"{o.number}. {option_label(o, lang, poll.tz)}" for o in poll.options])
    rich.line(messages.text("cal.poll.root.howto", lang))
    rich.line(messages.text("cal.poll.root.fix", lang))
    return rich


def create_poll(session: Session, post: Poster, council: CouncilConfig, now: datetime, *,
                text: str | None = None, title: str | None = None, options: list[str] | None = None,
                created_by: str | None = None, creator_name: str | None = None,
                announce: bool = False) -> store.StoredPoll:
    """From chat (``text``: title then dates) or from a form (``title`` and ``options``)."""
    zone = zone_of(council)
    if text is not None:
        def build(poll_id: str) -> Poll:
            return poll_from_chat(text, poll_id=poll_id, council=council.slug, now=now, created_by=created_by,
                                  zone=zone)
    else:
        parsed = [parse_date(o, now, zone) for o in options or []]

        def build(poll_id: str) -> Poll:
            return new_poll(poll_id=poll_id, council=council.slug, title=title or "", options=parsed, now=now, zone=zone,
                            created_by=created_by)
    names = {created_by: creator_name} if created_by and creator_name else {}
    stored = store.add_poll(session, council.slug, build, names, now)
    if announce:
        post(session, _message(poll_key(council.slug, stored.number), council, poll_root(stored, council.language)))
    return stored


def poll_key(council: str, number: int) -> str:
    """The outbox key of a poll's first message, so of its thread: the council in it, as poll numbers are the
    council's own and the bot's outbox is shared by every council."""
    return f"calendar:poll:{council}:{number}"


def answer_poll(session: Session, council: CouncilConfig, stored: store.StoredPoll, member: str,
                display_name: str | None, text: str, now: datetime) -> store.StoredPoll:
    updated = answer(stored.poll, member, text)
    names = dict(stored.names)
    if display_name:
        names[member] = one_line(display_name)[:200]
    store.save_poll(session, updated, names, now)
    return store.StoredPoll(poll=updated, names=names, event_uid=stored.event_uid)


def poll_summary(stored: store.StoredPoll, council: CouncilConfig,
                 roster: Mapping[str, str] | None) -> tuple[PollSummary, dict[str, str]]:
    """Who can per option and whether the quorum is met. With the council's roster (member id →
    name) it also knows who has not answered; without it, only those who answered count."""
    names = {**(roster or {}), **{m: n for m, n in stored.names.items() if n}}
    people = list(roster or {}) + [m for m in stored.poll.answers if m not in (roster or {})]
    members = [Invitee(member_id=m, display_name=names.get(m) or m) for m in people]
    return summary(stored.poll, members, max(1, council.quorum)), names


# Words in a poll's title that say what kind of event it plans ("Heidag voorjaar").
_TITLE_TYPES = {"heidag": EventType.HEIDAG, "hei": EventType.HEIDAG, "training": EventType.TRAINING,
                "bewonersavond": EventType.BEWONERSAVOND, "inspiratiebijeenkomst": EventType.INSPIRATIEBIJEENKOMST,
                "bewonersconsultatie": EventType.BEWONERSCONSULTATIE, "bestuur": EventType.OVERLEG_BESTUUR,
                "bestuursoverleg": EventType.OVERLEG_BESTUUR}


def type_from_title(title: str) -> EventType:
    for word in re.findall(r"[a-zà-ÿ]+", title.lower()):
        if word in _TITLE_TYPES:
            return _TITLE_TYPES[word]
    return EventType.VERGADERING


def fix_poll(session: Session, post: Poster, council: CouncilConfig, stored: store.StoredPoll, option: int,
             now: datetime, *, actor: str | None, etype: EventType | None = None,
             location: str = "", description: str = "") -> tuple[store.StoredPoll, store.StoredEvent]:
    """``!vastleggen``: the chosen date becomes an event, announced in the room and queued for
    the shared calendar; the poll closes."""
    poll = stored.poll
    if actor is not None and actor != poll.created_by and actor not in council.secretaries:
        raise Forbidden("cal.poll.not_allowed", f"{poll.id}: fix by someone else")
    spec = fix(poll, option, type=etype or type_from_title(poll.title), location=location,
               description=description)
    event = create(session, post, council, spec, now)
    closed = close(poll, option)
    store.save_poll(session, closed, stored.names, now, event_uid=event.uid)
    post(session, _message(f"{poll_key(council.slug, stored.number)}:fixed", council,
                           announcement("cal.announce.fixed", event, council, now)))
    return store.StoredPoll(poll=closed, names=stored.names, event_uid=event.uid), event
