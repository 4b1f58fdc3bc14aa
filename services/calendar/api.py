"""JSON API of the calendar service, under /api/v1, and the public feeds under /feeds.

Callers: ``bot`` for members' chat actions, ``admin`` for the secretary's and operator's
tools, ``deliberation`` where it needs the calendar. Every refusal is a JSON 4xx: pydantic
checks shapes and bounds (400 with ``problems``), the domain checks meaning (``cal.*`` codes, 422
when a rule refuses schema-valid input).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, TypeVar

from flask import Response, current_app, g, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.calendar import actions, deadlines, feeds, membership, roster, store
from services.calendar.actions import Poster
from services.calendar.domain import messages
from services.calendar.domain.attendance import Rsvp, Seat, heidag_warning, new_attendance, training_record
from services.calendar.domain.presence import answer_overview
from services.calendar.domain.dates import split_two_dates
from services.calendar.domain.ical import ResidentPlaces, places_text
from services.calendar.domain.events import (
    EventSpec,
    EventType,
    Occurrence,
    expand_occurrences,
    parse_when,
)
from shared import i18n
from shared.api import Api, replaying
from shared.councils_api import add_council_routes
from shared.errors import InvalidInput, NotFound
from shared.service import now, runtime
from shared.settings import CouncilConfig, Settings
from services.calendar.schemas import (
    AccessEndedOut,
    AttendanceOut,
    AttendanceQuery,
    ConfirmIn,
    DayIn,
    DeadlineImportOut,
    EventChangeIn,
    EventIn,
    EventOut,
    EventTextIn,
    FeedIn,
    FeedLinkOut,
    HeidagOut,
    InviteeOut,
    MemberQuery,
    MembershipSyncOut,
    MoveIn,
    MoveOut,
    MovedOut,
    NotesIn,
    NotesOut,
    OccurrenceOut,
    PollAnswerIn,
    PollFixIn,
    PollFixOut,
    PollIn,
    PollOptionOut,
    PollOut,
    PollsQuery,
    PresenceRecordOut,
    ResidentPlacesIn,
    ResidentPlacesOut,
    RsvpIn,
    RsvpOut,
    SyncStatusOut,
    TrainingEntryOut,
    TrainingRecordOut,
    TrainingRecordsOut,
    UpcomingQuery,
    YearAttendanceOut,
    YearQuery,
)

log = logging.getLogger(__name__)

API = Api("calendar", "Overleg calendar")
add_council_routes(API)
FEEDS = Api("calendar_feeds", "Overleg calendar feeds", url_prefix="")

MEMBERS = ("bot", "admin")
ANY_SERVICE = ("bot", "admin", "deliberation")


# --------------------------------------------------------------------------------------------
# plumbing

def clock(council: CouncilConfig | None = None) -> datetime:
    """Now (the service's clock: ``shared.service.set_clock`` in tests), in the council's zone
    when one is given (else UTC: only the instant matters)."""
    zone = actions.zone_of(council) if council is not None else timezone.utc
    return now().astimezone(zone).replace(microsecond=0)


def settings() -> Settings:
    return current_app.config["OVERLEG_SETTINGS"]


def council_of(slug: str) -> CouncilConfig:
    return actions.require_council(settings(), slug)


def lang() -> str:
    return i18n.normalise_language(request.headers.get("Accept-Language"))


def acting_member(council: CouncilConfig, member: str | None) -> None:
    """The roster check of a route that acts for a member: ``member`` must serve on the council (or be a
    secretary named in the settings). Without a member, only an admin tool acts (for itself); the bot
    always says for whom."""
    if member is None and getattr(g, "caller", None) != "bot":
        return
    roster.require_member(settings(), council, member)


def kick() -> None:
    runtime().jobs.kick()  # CalDAV sync and handoff start without waiting for their timer


T = TypeVar("T")


def transaction(work: Callable[[Session], T], attempts: int = 3) -> T:
    """Run ``work`` in one write transaction. Two first-time inserts of the same row (a council's
    first change, a feed's first link, a meeting's first answer) can race on PostgreSQL: the loser
    starts over and then finds the winner's row."""
    for attempt in range(attempts):
        try:
            with runtime().db.session() as s:
                return work(s)
        except IntegrityError:
            if attempt + 1 == attempts:
                raise
    raise AssertionError("unreachable")


def _iso(value: date | datetime) -> str:
    return value.isoformat()


def event_out(stored: store.StoredEvent, language: str) -> EventOut:
    e = stored.event
    return EventOut(
        number=stored.number, uid=e.uid, council=e.council, type=e.type.value, type_label=e.type.label(language),
        title=e.title, description=e.description, location=e.location, start=_iso(e.start), end=_iso(e.end),
        all_day=e.all_day, recurrence=e.recurrence.to_dict() if e.recurrence else None,
        exdates=[d.isoformat() for d in e.exdates], cancelled_dates=[d.isoformat() for d in e.cancelled_dates],
        organiser=InviteeOut(**e.organiser.to_dict()) if e.organiser else None,
        invitees=[InviteeOut(**i.to_dict()) for i in e.invitees], capacity=e.capacity, sequence=e.sequence,
        status=e.status.value, source=stored.source, created_at=e.created_at.isoformat(),
        changed_at=e.changed_at.isoformat(),
        moves=[MoveOut(start=_iso(m.start), end=_iso(m.end), day=m.day.isoformat()) for m in e.moves],
        notes=[NotesOut(day=n.day.isoformat() if n.day else None, agenda=n.agenda, minutes=n.minutes)
               for n in e.notes])


def occurrence_out(number: int, occ: Occurrence, att: Any, member: str | None, language: str,
                   residents: ResidentPlaces | None = None) -> OccurrenceOut:
    e = occ.event
    seat = att.seat(member).value if (att is not None and member) else (Seat.UNKNOWN.value if member else None)
    taken = len(att.places) if att else 0
    notes = e.notes_of(occ.series_day)
    return OccurrenceOut(
        number=number, uid=e.uid, key=occ.key, day=occ.day.isoformat(), type=e.type.value,
        type_label=e.type.label(language), title=e.title, location=e.location, start=_iso(occ.start),
        end=_iso(occ.end), all_day=e.all_day, recurring=e.recurrence is not None, cancelled=occ.cancelled,
        capacity=e.capacity, places=taken, waiting=len(att.waiting) if att else 0,
        places_left=max(0, e.capacity - taken) if e.capacity else None,
        places_label=places_text(e.capacity, taken, language) if e.capacity else None,
        answer=seat, answer_label=messages.text(f"cal.seat.{seat}", language) if seat else None,
        moved_from=_iso(occ.original_start) if occ.original_start is not None else None,
        agenda=notes.agenda if notes else "", minutes=notes.minutes if notes else "",
        resident_places_left=residents.left if residents else None,
        resident_capacity=residents.capacity if residents else None)


def poll_out(stored: store.StoredPoll, council: CouncilConfig, language: str) -> PollOut:
    names_roster = roster.member_names(settings(), council.slug)
    result, names = actions.poll_summary(stored, council, names_roster)
    options = [PollOptionOut(
        number=row.option.number, start=_iso(row.option.start),
        end=_iso(row.option.end) if row.option.end else None, all_day=row.option.all_day,
        label=actions.option_label(row.option, language, stored.poll.tz), can=[m.member_id for m in row.can],
        names=[m.display_name for m in row.can], count=len(row.can), quorum_met=row.quorum_met)
        for row in result.options]
    poll = stored.poll
    return PollOut(
        number=stored.number, council=poll.council, title=poll.title, closed=poll.closed,
        fixed_option=poll.fixed_option, event_uid=stored.event_uid, created_by=poll.created_by,
        thread_key=actions.poll_key(poll.council, stored.number), quorum=result.quorum, quorum_met=result.quorum_met,
        best=list(result.best), options=options, answered=sorted(poll.answers),
        not_answered=[m.display_name for m in result.not_answered] if names_roster else [])


# --------------------------------------------------------------------------------------------
# events

def _spec(council: CouncilConfig, body: EventIn) -> EventSpec:
    zone = actions.zone_of(council)
    return EventSpec(
        council=council.slug, type=body.type, title=body.title, start=parse_when(body.start, "start", zone),
        end=parse_when(body.end, "end", zone) if body.end else None, description=body.description,
        location=body.location, recurrence=body.recurrence.recurrence() if body.recurrence else None,
        exdates=tuple(body.exdates), organiser=body.organiser.invitee() if body.organiser else None,
        invitees=tuple(i.invitee() for i in body.invitees), capacity=body.capacity, zone=council.timezone)


@API.route("/councils/<slug>/events", "POST", summary="Plan an event (or a series)", body=EventIn,
           response=EventOut, status=201, callers=ANY_SERVICE, errors=(409, 422))
def create_event_route(slug: str, body: EventIn) -> EventOut:
    council = council_of(slug)
    rt = runtime()
    spec = _spec(council, body)
    now = clock(council)
    stored = transaction(lambda s: actions.create(s, Poster(rt), council, spec, now, announce=body.announce))
    kick()
    return event_out(stored, lang())


@API.route("/councils/<slug>/events/from-text", "POST", summary="Plan an event from the chat form",
           body=EventTextIn, response=EventOut, status=201, callers=MEMBERS, errors=(409, 422))
def create_event_from_text(slug: str, body: EventTextIn) -> EventOut:
    council = council_of(slug)
    rt = runtime()
    now = clock(council)
    spec = actions.spec_from_text(council, body.type, body.text, now, location=body.location,
                                  description=body.description,
                                  organiser=body.organiser.invitee() if body.organiser else None)
    if body.capacity is not None:
        spec = replace(spec, capacity=body.capacity)
    stored = transaction(lambda s: actions.create(s, Poster(rt), council, spec, now, announce=body.announce))
    kick()
    return event_out(stored, lang())


@API.route("/councils/<slug>/events", summary="What is coming: occurrences of the next days, in order",
           query=UpcomingQuery, response=list[OccurrenceOut], callers=(*ANY_SERVICE, "werkplek"))
def list_upcoming(slug: str, query: UpcomingQuery) -> list[OccurrenceOut]:
    council = council_of(slug)
    now = clock(council)
    until = now + timedelta(days=query.days)
    with runtime().db.read() as s:
        stored = store.events(s, council.slug, ending_after=now, starting_before=until,
                              types=[query.type.value] if query.type else None)
        numbers = {item.uid: item.number for item in stored}
        atts = store.attendances(s, council.slug, numbers)
        residents = store.resident_places(s, council.slug)
    occurrences = [o for o in expand_occurrences([i.event for i in stored], now, until, include_cancelled=True)
                   if o.end_instant > now][:query.limit]
    language = lang()
    return [occurrence_out(numbers[o.uid], o, atts.get(o.key), query.member, language,
                           (residents.get(o.uid) or {}).get(o.series_day if o.event.recurrence else None))
            for o in occurrences]


@API.route("/councils/<slug>/events/<int:number>", summary="One event", response=EventOut, callers=ANY_SERVICE)
def get_event(slug: str, number: int) -> EventOut:
    council = council_of(slug)
    with runtime().db.read() as s:
        stored = actions.require_event(s, council, number)
    return event_out(stored, lang())


@API.route("/councils/<slug>/events/by-uid/<uid>", summary="One event by its uid (the bot, in an event's thread)",
           response=EventOut, callers=ANY_SERVICE, errors=(404,))
def get_event_by_uid(slug: str, uid: str) -> EventOut:
    council = council_of(slug)
    with runtime().db.read() as s:
        stored = store.event_by_uid(s, uid)
    if stored is None or stored.event.council != council.slug:
        raise NotFound("cal.event.uid_not_found", f"no event {uid[:64]!r} in {council.slug}")
    return event_out(stored, lang())


@API.route("/councils/<slug>/events/<int:number>", "PATCH", summary="Change an event or a whole series",
           body=EventChangeIn, response=EventOut, callers=MEMBERS, errors=(409, 422))
def change_event(slug: str, number: int, body: EventChangeIn) -> EventOut:
    council = council_of(slug)
    rt = runtime()
    changes = body.changes()
    now = clock(council)
    saved = transaction(lambda s: actions.change(s, Poster(rt), council, actions.require_event(s, council, number,
                                                                                             lock=True),
                                                 changes, now, announce=body.announce))
    kick()
    return event_out(saved, lang())


@API.route("/councils/<slug>/events/<int:number>/cancel", "POST",
           summary="Call off one meeting of a series (day) or the whole event", body=DayIn, response=EventOut,
           callers=MEMBERS, errors=(409, 422))
def cancel_event_route(slug: str, number: int, body: DayIn) -> EventOut:
    council = council_of(slug)
    rt = runtime()
    now = clock(council)
    day = actions.parse_day(body.day, now, actions.zone_of(council))
    saved = transaction(lambda s: actions.cancel(s, Poster(rt), council, actions.require_event(s, council, number,
                                                                                             lock=True),
                                                 day, now, announce=body.announce))
    kick()
    return event_out(saved, lang())


@API.route("/councils/<slug>/events/<int:number>/move", "POST",
           summary="Move one meeting (of a series: it stays in the series, with its answers)", body=MoveIn,
           response=MovedOut, callers=MEMBERS, errors=(404, 409, 422))
def move_event_route(slug: str, number: int, body: MoveIn) -> MovedOut:
    council = council_of(slug)
    rt = runtime()
    now = clock(council)
    if body.text is not None:
        day, option = split_two_dates(body.text, now, actions.zone_of(council))
    else:
        if not body.day or not body.to:
            raise InvalidInput("cal.move.usage", "move without text, or day and to")
        day = actions.parse_day(body.day, now, actions.zone_of(council))
        option = actions.parse_target(body.to, now, actions.zone_of(council))
    if day is None:
        raise InvalidInput("cal.move.usage", "move without the meeting's day")
    end = parse_when(body.end, "end", actions.zone_of(council)) if body.end else None
    result = transaction(lambda s: actions.move(s, Poster(rt), council, actions.require_event(s, council, number,
                                                                                            lock=True),
                                                day, option, now, end=end, announce=body.announce))
    kick()
    before, after = result.before, result.after
    return MovedOut(event=event_out(result.stored, lang()), day=after.series_day.isoformat(),
                    from_start=_iso(before.start), from_end=_iso(before.end), start=_iso(after.start),
                    end=_iso(after.end))


@API.route("/councils/<slug>/events/<int:number>/notes", "POST",
           summary="A meeting's agenda, or afterwards its minutes (a link or a short text)", body=NotesIn,
           response=EventOut, callers=MEMBERS, errors=(404, 409, 422))
def notes_route(slug: str, number: int, body: NotesIn) -> EventOut:
    council = council_of(slug)
    rt = runtime()
    now = clock(council)
    agenda, minutes = body.agenda, body.minutes
    if body.text is not None:
        if body.kind is None:
            raise InvalidInput("cal.notes.kind_required", "notes text without kind")
        day, text = actions.split_notes_text(body.text, now, actions.zone_of(council), past=body.kind == "minutes")
        if body.kind == "minutes":
            minutes = text
        else:
            agenda = text
    else:
        day = actions.parse_day(body.day, now, actions.zone_of(council), past=body.minutes is not None)
    saved, _ = transaction(lambda s: actions.notes(s, Poster(rt), council,
                                                   actions.require_event(s, council, number, lock=True), day, now,
                                                   agenda=agenda, minutes=minutes, announce=body.announce))
    kick()
    return event_out(saved, lang())


@API.route("/councils/<slug>/events/<int:number>/restore", "POST",
           summary="Undo a cancellation (one meeting, or the whole event)", body=DayIn, response=EventOut,
           callers=MEMBERS, errors=(409, 422))
def restore_event_route(slug: str, number: int, body: DayIn) -> EventOut:
    council = council_of(slug)
    now = clock(council)
    day = actions.parse_day(body.day, now, actions.zone_of(council))
    saved = transaction(lambda s: actions.restore(s, council, actions.require_event(s, council, number, lock=True),
                                                  day, now))
    kick()
    return event_out(saved, lang())


# --------------------------------------------------------------------------------------------
# attendance

@API.route("/councils/<slug>/events/<int:number>/rsvp", "POST",
           summary="A member's answer for one meeting (waiting list when full)", body=RsvpIn, response=RsvpOut,
           callers=MEMBERS, errors=(403, 409, 422, 503))
def rsvp_route(slug: str, number: int, body: RsvpIn) -> RsvpOut:
    council = council_of(slug)
    roster.require_member(settings(), council, body.member)
    rt = runtime()
    now = clock(council)
    day = actions.parse_day(body.day, now, actions.zone_of(council))
    result = transaction(lambda s: actions.answer_invitation(
        s, Poster(rt), council, actions.require_event(s, council, number), body.member, Rsvp(body.answer), day, now))
    language = lang()
    occ, att = result.occurrence, result.outcome.attendance
    return RsvpOut(number=number, key=occ.key, day=occ.day.isoformat(), title=occ.event.title,
                   start=_iso(occ.start), end=_iso(occ.end), all_day=occ.event.all_day,
                   when=actions.occurrence_when(occ, language), seat=result.outcome.seat.value,
                   message=i18n.t(result.outcome.message_code, language), promoted=list(result.outcome.promoted),
                   places=len(att.places), waiting=len(att.waiting), capacity=occ.event.capacity)


ATTENDANCE_CALLERS = ("bot", "admin", "werkplek")  # the secretary confirms in chat or on the werkplek


@API.route("/councils/<slug>/events/<int:number>/attendance", "POST",
           summary="The secretary records who was really there (Matrix ids, or from chat: [day] names)",
           body=ConfirmIn, response=AttendanceOut, callers=ATTENDANCE_CALLERS, errors=(404, 409, 422, 503))
def confirm_route(slug: str, number: int, body: ConfirmIn) -> AttendanceOut:
    council = council_of(slug)
    now = clock(council)
    zone = actions.zone_of(council)
    if (body.present is None) == (body.text is None):
        raise InvalidInput("cal.attendance.present_or_text", "confirm needs present or text, not both")
    day = actions.parse_day(body.day, now, zone, past=True)
    names: dict[str, str] | None = None
    if body.text is not None:
        names = roster.serving_names(settings(), council.slug)
        text_day, present = actions.present_from_text(body.text, names, now, zone)
        day = text_day or day
    else:
        present = list(body.present or [])
    occ, att = transaction(lambda s: actions.confirm(s, council, actions.require_event(s, council, number), day,
                                                     present, now))
    return attendance_out(number, att, occ, council, names, now)


@API.route("/councils/<slug>/events/<int:number>/attendance",
           summary="Answers, places and confirmation of a meeting, with who has not answered",
           query=AttendanceQuery, response=AttendanceOut, callers=ATTENDANCE_CALLERS, errors=(404, 422))
def get_attendance(slug: str, number: int, query: AttendanceQuery) -> AttendanceOut:
    council = council_of(slug)
    now = clock(council)
    day = actions.parse_day(query.day, now, actions.zone_of(council), past=True)
    with runtime().db.read() as s:
        stored = actions.require_event(s, council, number)
        occ = actions.attendance_occurrence(stored, day, now, begun=query.begun)
        att = store.attendance(s, occ.key)
    if att is None:
        att = new_attendance(occ)
    return attendance_out(number, att, occ, council, roster.member_names(settings(), council.slug), now)


def attendance_out(number: int, att: Any, occ: Occurrence | None = None, council: CouncilConfig | None = None,
                   names: dict[str, str] | None = None, now: datetime | None = None) -> AttendanceOut:
    out = AttendanceOut(number=number, key=att.key, day=att.day.isoformat(),
                        rsvps={m: r.value for m, r in sorted(att.rsvps.items())}, places=list(att.places),
                        waiting=list(att.waiting),
                        confirmed=sorted(att.confirmed) if att.confirmed is not None else None)
    if occ is None:
        return out
    event = occ.event
    roster_ids = list(names or {})
    expected = [m for m in roster_ids if not event.invitees or event.invitee(m) is not None]
    overview = answer_overview(att, expected)
    known = {i.member_id: i.display_name for i in event.invitees if i.display_name}
    known.update(names or {})
    mentioned = {*att.rsvps, *att.places, *att.waiting, *(att.confirmed or ()), *expected}
    out.title = event.title
    out.when = actions.occurrence_when(occ, lang())
    out.begun = now is not None and now >= occ.start_instant
    out.not_coming = list(overview.not_coming)
    out.not_answered = list(overview.silent)
    out.names = {m: known[m] for m in sorted(mentioned) if known.get(m)}
    return out


@API.route("/councils/<slug>/attendance",
           summary="Who was at each held meeting, heidag, training, consultation and residents' evening of a year",
           query=YearQuery, response=YearAttendanceOut, callers=ATTENDANCE_CALLERS, errors=(503,))
def year_attendance_route(slug: str, query: YearQuery) -> YearAttendanceOut:
    council = council_of(slug)
    now = clock(council)
    year = query.year or now.astimezone(actions.zone_of(council)).year
    members = roster.serving_names(settings(), council.slug)
    with runtime().db.read() as s:
        found = actions.year_attendance(s, council, year, now, members, member=query.member)
    return YearAttendanceOut(year=year, records=[
        PresenceRecordOut(event=number, kind=r.kind, title=r.title, date=r.day.isoformat(), hours=r.hours,
                          member=r.member, present=r.present, confirmed=r.confirmed) for number, r in found])


def _training_record_out(member: str, entries: list[Any], numbers: dict[str, int], name: str = "") -> TrainingRecordOut:
    out = [TrainingEntryOut(event_uid=e.event_uid, number=numbers.get(e.event_uid), title=e.title, type=e.type.value,
                            day=e.day.isoformat(), confirmed=e.confirmed) for e in entries]
    return TrainingRecordOut(member=member, entries=out, confirmed=sum(e.confirmed for e in entries),
                             unconfirmed=sum(not e.confirmed for e in entries), name=name)


def _trainings(council: CouncilConfig) -> tuple[list[Any], dict[str, int], dict[str, Any]]:
    with runtime().db.read() as s:
        stored = store.events(s, council.slug, types=[EventType.TRAINING.value])
        numbers = {item.uid: item.number for item in stored}
        atts = store.attendances(s, council.slug, numbers)
    return [i.event for i in stored], numbers, atts


@API.route("/councils/<slug>/training-record", summary="The trainings a member attended",
           query=MemberQuery, response=TrainingRecordOut, callers=MEMBERS)
def training_record_route(slug: str, query: MemberQuery) -> TrainingRecordOut:
    council = council_of(slug)
    now = clock(council)
    events, numbers, atts = _trainings(council)
    return _training_record_out(query.member, training_record(query.member, events, atts, now), numbers)


@API.route("/councils/<slug>/training-records",
           summary="The trainings each member attended (serving members, then others with a training on record)",
           response=TrainingRecordsOut, callers=ATTENDANCE_CALLERS, errors=(503,))
def training_records_route(slug: str) -> TrainingRecordsOut:
    council = council_of(slug)
    now = clock(council)
    names = roster.serving_names(settings(), council.slug)
    events, numbers, atts = _trainings(council)
    others = sorted({m for a in atts.values() for m in (a.confirmed if a.confirmed is not None else a.places)}
                    - set(names))
    records = [_training_record_out(m, training_record(m, events, atts, now), numbers, names.get(m, ""))
               for m in [*names, *others]]
    return TrainingRecordsOut(records=[r for r in records if r.entries or r.member in names])


@API.route("/councils/<slug>/heidag", summary="Whether the council is overdue for a heidag",
           response=HeidagOut, callers=ANY_SERVICE)
def heidag_route(slug: str) -> HeidagOut:
    council = council_of(slug)
    now = clock(council)
    since = transaction(lambda s: store.tracking_since(s, council.slug, now))
    with runtime().db.read() as s:
        stored = store.events(s, council.slug, types=[EventType.HEIDAG.value])
    status = heidag_warning([i.event for i in stored], now, timedelta(days=council.heidag_max_gap_days),
                            tracking_since=since, zone=actions.zone_of(council))
    note = status.message()
    language = lang()
    return HeidagOut(warn=status.warn, last=status.last.isoformat() if status.last else None,
                     next=status.next.isoformat() if status.next else None, days_since=status.days_since,
                     max_gap_days=status.max_gap_days, tracking_since=since.isoformat(),
                     code=note[0] if note else None,
                     message=messages.text(note[0], language, **note[1]) if note else None)


@API.route("/councils/<slug>/events/<int:number>/resident-places", "PUT",
           summary="A meeting's places for residents from the public sign-up (counts and its page); replaces them",
           body=ResidentPlacesIn, response=ResidentPlacesOut, callers=("signals", "admin"), errors=(404, 422))
def put_resident_places(slug: str, number: int, body: ResidentPlacesIn) -> ResidentPlacesOut:
    council = council_of(slug)
    now = clock(council)
    try:
        day = date.fromisoformat(body.day) if body.day else None
    except ValueError as exc:
        raise InvalidInput("cal.resident_places.day", "day not ISO") from exc
    places = ResidentPlaces(capacity=body.capacity, taken=body.taken, url=body.url.strip())
    changed, meeting = transaction(lambda s: actions.set_resident_places(
        s, council, actions.require_event(s, council, number, lock=True), day, places, now))
    return ResidentPlacesOut(number=number, day=meeting.isoformat() if meeting else None, capacity=places.capacity,
                             taken=places.taken, left=places.left, url=places.url, changed=changed)


# --------------------------------------------------------------------------------------------
# date polls

@API.route("/councils/<slug>/polls", "POST", summary="Start a date poll", body=PollIn, response=PollOut,
           status=201, callers=MEMBERS, errors=(403, 422, 503))
def create_poll_route(slug: str, body: PollIn) -> PollOut:
    council = council_of(slug)
    acting_member(council, body.created_by)
    if body.text is None and (not body.title or not body.options):
        raise InvalidInput("cal.poll.usage", "poll without text or title and options")
    rt = runtime()
    now = clock(council)
    stored = transaction(lambda s: actions.create_poll(s, Poster(rt), council, now, text=body.text, title=body.title,
                                                       options=body.options, created_by=body.created_by,
                                                       creator_name=body.creator_name, announce=body.announce))
    if body.announce:
        kick()
    return poll_out(stored, council, lang())


@API.route("/councils/<slug>/polls", summary="Date polls (open ones by default)", query=PollsQuery,
           response=list[PollOut], callers=MEMBERS)
def list_polls(slug: str, query: PollsQuery) -> list[PollOut]:
    council = council_of(slug)
    with runtime().db.read() as s:
        found = store.open_polls(s, council.slug) if query.state == "open" else store.all_polls(s, council.slug)
    language = lang()
    return [poll_out(p, council, language) for p in found]


@API.route("/councils/<slug>/polls/<int:number>", summary="A date poll with who can per option",
           response=PollOut, callers=MEMBERS)
def get_poll(slug: str, number: int) -> PollOut:
    council = council_of(slug)
    with runtime().db.read() as s:
        stored = actions.require_poll(s, council, number)
    return poll_out(stored, council, lang())


@API.route("/councils/<slug>/polls/<int:number>/answers", "POST",
           summary="A member's answer (replaces their earlier one)", body=PollAnswerIn, response=PollOut,
           callers=MEMBERS, errors=(403, 409, 422, 503))
def answer_poll_route(slug: str, number: int, body: PollAnswerIn) -> PollOut:
    council = council_of(slug)
    roster.require_member(settings(), council, body.member)
    text = body.answer_text()
    now = clock(council)
    updated = transaction(lambda s: actions.answer_poll(s, council, actions.require_poll(s, council, number, lock=True),
                                                        body.member, body.display_name, text, now))
    return poll_out(updated, council, lang())


@API.route("/councils/<slug>/polls/<int:number>/fix", "POST",
           summary="Fix an option: creates the event, posts it, syncs it; closes the poll", body=PollFixIn,
           response=PollFixOut, callers=MEMBERS, errors=(403, 409, 422, 503))
def fix_poll_route(slug: str, number: int, body: PollFixIn) -> PollFixOut:
    council = council_of(slug)
    acting_member(council, body.actor)
    rt = runtime()
    now = clock(council)
    closed, event = transaction(lambda s: actions.fix_poll(
        s, Poster(rt), council, actions.require_poll(s, council, number, lock=True), body.option, now,
        actor=body.actor, etype=body.type, location=body.location, description=body.description))
    kick()
    language = lang()
    return PollFixOut(poll=poll_out(closed, council, language), event=event_out(event, language))


# --------------------------------------------------------------------------------------------
# feeds

@API.route("/councils/<slug>/feeds", "POST",
           summary="The secret link of a feed (council, per type, or a member's own); rotate replaces it",
           body=FeedIn, response=FeedLinkOut, callers=MEMBERS, errors=(403, 409, 422, 503),
           secret_fields=("url", "webcal"))
def feed_link_route(slug: str, body: FeedIn) -> FeedLinkOut:
    council = council_of(slug)
    scope = feeds.scope_for(body.kind, body.type, body.member)
    if body.kind == "member":
        roster.require_member(settings(), council, body.member)  # a personal feed is a member's
    now = clock(council)
    rotate = body.rotate and not replaying()  # a repeated request rotates once; the link is stored only hashed
    link = transaction(lambda s: feeds.feed_link(s, settings(), council, body.kind, scope, rotate=rotate, now=now))
    return FeedLinkOut(kind=link.kind, scope=link.scope, url=link.url, webcal=link.webcal,
                       generation=link.generation)


def _not_modified(etag: str, last_modified: datetime) -> bool:
    return feeds.copy_is_current(request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"),
                                 etag, last_modified)


@FEEDS.route("/feeds/<token>.ics", summary="A calendar feed (iCalendar), behind its secret link",
             callers=None, content_type="text/calendar", errors=(404,))
def feed_route(token: str) -> Response:
    rendered = feeds.serve(runtime().db, settings(), token, clock(), not_modified=_not_modified,
                           disk=current_app.extensions.get("overleg_feed_disk"),
                           prerender=current_app.extensions.get("overleg_feed_prerender"),
                           count=current_app.extensions.get("overleg_feed_count"))
    headers = feeds.feed_headers(rendered.etag, rendered.last_modified, rendered.filename)
    if rendered.body is None:
        return Response(status=304, headers=headers)
    return Response(rendered.body, status=200, headers=headers, content_type="text/calendar; charset=utf-8")


# --------------------------------------------------------------------------------------------
# shared calendar and deadlines

@API.route("/councils/<slug>/sync", summary="Where the council's shared-calendar sync stands",
           response=SyncStatusOut, callers=("admin",))
def sync_status(slug: str) -> SyncStatusOut:
    council = council_of(slug)
    now = clock(council)
    failures, next_at, error = transaction(lambda s: store.caldav_health(s, council.slug, now))
    with runtime().db.read() as s:
        counts = store.sync_counts(s, council.slug)
    return SyncStatusOut(council=council.slug, configured=bool(council.caldav_url), counts=counts, failures=failures,
                         next_attempt_at=next_at.isoformat() if next_at else None, last_error=error)


@API.route("/councils/<slug>/sync/retry", "POST", summary="Try the shared calendar again now (ends the backoff)",
           response=SyncStatusOut, callers=("admin",))
def sync_retry(slug: str) -> SyncStatusOut:
    council = council_of(slug)
    with runtime().db.session() as s:
        store.reset_caldav_backoff(s, council.slug)
    kick()
    return sync_status(slug)


@API.route("/councils/<slug>/deadlines/import", "POST",
           summary="Pull advice deadlines and realisation checks from the deliberation service now",
           response=DeadlineImportOut, callers=("admin", "deliberation"))
def import_deadlines_route(slug: str) -> DeadlineImportOut:
    council = council_of(slug)
    rt = runtime()
    changes = deadlines.import_deadlines(rt.db, settings(), Poster(rt), clock(council), councils=[council])
    kick()
    return DeadlineImportOut(council=council.slug, changes=changes)


@API.route("/councils/<slug>/membership/sync", "POST",
           summary="End the calendar access of people who no longer serve (feed links, open poll answers) now",
           response=MembershipSyncOut, callers=("admin", "deliberation"), errors=(503,))
def membership_sync_route(slug: str) -> MembershipSyncOut:
    council = council_of(slug)
    rt = runtime()
    disk = current_app.extensions.get("overleg_feed_disk")
    ended = membership.sync_council(rt.db, settings(), Poster(rt), council, clock(council),
                                    forget=disk.forget if disk is not None else None)
    if ended:
        kick()
    return MembershipSyncOut(council=council.slug, ended=[
        AccessEndedOut(member=r.member, feed_revoked=r.feed_generation is not None, polls=sorted(r.polls))
        for r in ended])
