"""Rows to domain objects and back. Nothing else in the calendar service touches the ORM.

Every function takes the caller's session, so a change, its feed-version bump, its CalDAV
sync mark and its outbox message all commit together or not at all.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Callable, Iterable, Sequence

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    Text,
    bindparam,
    column,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from services.calendar.domain.attendance import Attendance
from services.calendar.domain.events import Event, first_start, last_end
from services.calendar.domain.ical import ResidentPlaces
from services.calendar.domain.polls import Poll
from services.calendar.models import (
    CalendarAttendance,
    CalendarCouncil,
    CalendarEvent,
    CalendarFeedToken,
    CalendarPoll,
    CalendarResidentPlaces,
    CalendarSentReminder,
    CalendarSyncState,
)
from shared.outbox import aware


def _utc(value: datetime) -> datetime:
    """Every stored or compared instant is UTC: SQLite keeps no offset, and mixed offsets
    (CET/CEST) would not compare as instants there."""
    return value.astimezone(timezone.utc)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return _utc(value) if value is not None else None


# --------------------------------------------------------------------------------------------
# councils

def council_state(session: Session, slug: str, now: datetime) -> CalendarCouncil:
    """The council's row, created on first use (that day starts the heidag tracking: the day of
    ``now`` as given, which the API gives in the council's zone)."""
    row = session.get(CalendarCouncil, slug)
    if row is None:
        row = CalendarCouncil(slug=slug, version=1, tracking_since=now.date(),
                              caldav_failures=0, created_at=_utc(now))
        session.add(row)
        session.flush()
    return row


TOUCHED = "overleg_calendar_touched"  # session.info: the councils whose version this transaction raised


def touch(session: Session, slug: str, now: datetime) -> None:
    """A change that alters a feed: raise the council's version (cached feeds become stale).

    One atomic UPDATE, so two changes committed at the same moment raise it twice. The row is
    locked first, so its ``changed_at`` (the feeds' Last-Modified) rises by at least a second
    per version: two changes within one second still get two different Last-Modified values."""
    session.info.setdefault(TOUCHED, set()).add(slug)  # for what runs after the commit (feeds.Prerenderer)
    row = council_state(session, slug, now)
    previous = session.execute(select(CalendarCouncil.changed_at).where(CalendarCouncil.slug == slug)
                               .with_for_update()).scalar()
    previous = aware(previous) or aware(row.created_at)
    stamp = _utc(now).replace(microsecond=0)
    if previous is not None and stamp <= previous:
        stamp = previous.replace(microsecond=0) + timedelta(seconds=1)
    session.execute(update(CalendarCouncil).where(CalendarCouncil.slug == slug)
                    .values(version=CalendarCouncil.version + 1, changed_at=stamp))


def feed_version(session: Session, slug: str, now: datetime) -> int:
    return council_state(session, slug, now).version


def feed_version_readonly(session: Session, slug: str) -> int:
    """For readers: a council nobody changed yet is at version 0."""
    row = session.get(CalendarCouncil, slug)
    return row.version if row else 0


def tracking_since(session: Session, slug: str, now: datetime) -> date:
    return council_state(session, slug, now).tracking_since


def set_tracking_since(session: Session, slug: str, day: date, now: datetime) -> None:
    council_state(session, slug, now).tracking_since = day


# --------------------------------------------------------------------------------------------
# events

@dataclass(frozen=True)
class StoredEvent:
    number: int  # what members type in chat
    event: Event
    source: str | None = None
    source_key: str | None = None

    @property
    def uid(self) -> str:
        return self.event.uid


@lru_cache(maxsize=8192)
def event_from_data(data: str) -> Event:
    """The event stored as ``data``. Events are immutable, so the same stored text gives the same
    object every time: reading is cheap, and the feeds can keep what they rendered of it."""
    return Event.from_dict(json.loads(data))


def _next_number(session: Session, model: type[CalendarEvent] | type[CalendarPoll], council: str) -> int:
    """The council's next number, in the inserting transaction: the unique (council, number)
    makes a concurrent insert that took the same one fail, and the caller's retry takes the next."""
    return (session.scalar(select(func.max(model.number)).where(model.council == council)) or 0) + 1


def _stored(row: CalendarEvent) -> StoredEvent:
    return StoredEvent(number=row.number, event=event_from_data(row.data), source=row.source,
                       source_key=row.source_key)


def _fill(row: CalendarEvent, event: Event) -> None:
    row.uid = event.uid
    row.council = event.council
    row.type = event.type.value
    row.status = event.status.value
    row.sequence = event.sequence
    row.first_start = _utc(first_start(event))
    row.last_end = _utc_or_none(last_end(event))
    row.data = json.dumps(event.to_dict(), ensure_ascii=False, sort_keys=True)
    row.updated_at = _utc(event.changed_at)


def add_event(session: Session, event: Event, *, source: str | None = None,
              source_key: str | None = None) -> StoredEvent:
    row = CalendarEvent(source=source, source_key=source_key, created_at=_utc(event.created_at),
                        number=_next_number(session, CalendarEvent, event.council))
    _fill(row, event)
    session.add(row)
    session.flush()
    return StoredEvent(number=row.number, event=event, source=source, source_key=source_key)


def save_event(session: Session, event: Event) -> StoredEvent:
    row = session.scalar(select(CalendarEvent).where(CalendarEvent.uid == event.uid))
    if row is None:
        raise LookupError(f"no stored event {event.uid}")
    _fill(row, event)
    return StoredEvent(number=row.number, event=event, source=row.source, source_key=row.source_key)


def remove_event(session: Session, uid: str) -> None:
    """Gone for good (e.g. a deadline the deliberation service no longer has)."""
    session.execute(delete(CalendarAttendance).where(CalendarAttendance.event_uid == uid))
    session.execute(delete(CalendarResidentPlaces).where(CalendarResidentPlaces.event_uid == uid))
    session.execute(delete(CalendarEvent).where(CalendarEvent.uid == uid))


def lock_event(session: Session, council: str, number: int) -> None:
    """Take the event's row lock (PostgreSQL; SQLite's write transaction already serialises)."""
    session.execute(select(CalendarEvent.id).where(CalendarEvent.council == council, CalendarEvent.number == number)
                    .with_for_update())


def event_by_number(session: Session, council: str, number: int, *, lock: bool = False) -> StoredEvent | None:
    """The event with the council's ``number``. ``lock``: the caller will change it (PostgreSQL:
    the row is locked until commit)."""
    q = select(CalendarEvent).where(CalendarEvent.council == council, CalendarEvent.number == number)
    row = session.scalar(q.with_for_update() if lock else q)
    return _stored(row) if row else None


def event_by_uid(session: Session, uid: str, *, lock: bool = False) -> StoredEvent | None:
    q = select(CalendarEvent).where(CalendarEvent.uid == uid)
    row = session.scalar(q.with_for_update() if lock else q)
    return _stored(row) if row else None


def events_from_source(session: Session, council: str, source: str, *, lock: bool = False) -> list[StoredEvent]:
    q = select(CalendarEvent).where(CalendarEvent.council == council, CalendarEvent.source == source)
    rows = session.scalars(q.with_for_update() if lock else q)
    return [_stored(r) for r in rows]


def events(session: Session, council: str, *, ending_after: datetime | None = None,
           starting_before: datetime | None = None, types: Sequence[str] | None = None,
           confirmed_only: bool = False) -> list[StoredEvent]:
    """Events of a council that may have occurrences in the window (open-ended series always do)."""
    q = select(CalendarEvent).where(CalendarEvent.council == council)
    if ending_after is not None:
        q = q.where(or_(CalendarEvent.last_end.is_(None), CalendarEvent.last_end > _utc(ending_after)))
    if starting_before is not None:
        q = q.where(CalendarEvent.first_start < _utc(starting_before))
    if types:
        q = q.where(CalendarEvent.type.in_(list(types)))
    if confirmed_only:
        q = q.where(CalendarEvent.status == "confirmed")
    return [_stored(r) for r in session.scalars(q.order_by(CalendarEvent.first_start, CalendarEvent.id))]


_FEED_EVENTS_SQL = ("SELECT id, uid, sequence, updated_at FROM calendar_events WHERE council = :council "
                    "AND (last_end IS NULL OR last_end > :ending_after){types} ORDER BY first_start, id")
_FEED_EVENTS = text(_FEED_EVENTS_SQL.format(types="")).bindparams(
    bindparam("ending_after", type_=DateTime(timezone=True)))
_FEED_EVENTS_OF_TYPES = text(_FEED_EVENTS_SQL.format(types=" AND type IN :types")).bindparams(
    bindparam("ending_after", type_=DateTime(timezone=True)), bindparam("types", expanding=True))
_EVENT_DATA = text("SELECT id, data FROM calendar_events WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)).columns(column("id", Integer), column("data", Text))
# Events read for feeds in this process: row id → (its stamp, the event). Every change of an event
# raises its sequence or its changed_at (``updated_at``), so an unchanged stamp means unchanged data.
_FEED_KNOWN: dict[int, tuple[tuple, Event]] = {}  # type: ignore[type-arg]
_FEED_KNOWN_MAX = 50_000


def feed_events(session: Session, council: str, *, ending_after: datetime,
                types: Sequence[str] | None = None) -> list[Event]:
    """The events a feed shows. A feed is rendered after every change, mostly of one event: so
    first only each event's stamp is read (id, uid, sequence, updated_at), and the stored
    text only of events this process has not read in that state. Unchanged events come back as
    the same objects (the feeds keep what they rendered of them, see ``ical.RenderMemo``)."""
    params: dict[str, object] = {"council": council, "ending_after": _utc(ending_after)}
    statement = _FEED_EVENTS
    if types:
        statement, params["types"] = _FEED_EVENTS_OF_TYPES, list(types)
    conn = session.connection()
    stamps = [(row[0], tuple(row)) for row in conn.execute(statement, params).all()]
    known = _FEED_KNOWN
    missing = [row_id for row_id, stamp in stamps if (known.get(row_id) or (None,))[0] != stamp]
    if missing:
        if len(known) + len(missing) > _FEED_KNOWN_MAX:
            known.clear()
        wanted = dict(stamps)
        for start in range(0, len(missing), 500):
            for row_id, data in conn.execute(_EVENT_DATA, {"ids": missing[start:start + 500]}):
                known[row_id] = (wanted[row_id], event_from_data(data))
    out = []
    for row_id, stamp in stamps:
        hit = known.get(row_id)
        if hit is None or hit[0] != stamp:  # changed between the two reads (another transaction)
            row = conn.execute(_EVENT_DATA, {"ids": [row_id]}).first()
            if row is None:
                continue  # removed meanwhile
            hit = (stamp, event_from_data(row[1]))
        out.append(hit[1])
    return out


def councils_with_events(session: Session) -> list[str]:
    return list(session.scalars(select(CalendarEvent.council).distinct()))


# --------------------------------------------------------------------------------------------
# attendance

def attendance(session: Session, key: str, *, lock: bool = False) -> Attendance | None:
    row = session.get(CalendarAttendance, key, with_for_update=lock)
    return Attendance.from_dict(json.loads(row.data)) if row else None


def attendances(session: Session, council: str, event_uids: Iterable[str] | None = None, *,
                lock: bool = False) -> dict[str, Attendance]:
    q = select(CalendarAttendance).where(CalendarAttendance.council == council)
    if event_uids is not None:
        uids = list(event_uids)
        if not uids:
            return {}
        q = q.where(CalendarAttendance.event_uid.in_(uids))
    if lock:
        q = q.with_for_update()
    return {row.occurrence_key: Attendance.from_dict(json.loads(row.data)) for row in session.scalars(q)}


def save_attendance(session: Session, council: str, att: Attendance, now: datetime) -> None:
    row = session.get(CalendarAttendance, att.key)
    if row is None:
        row = CalendarAttendance(occurrence_key=att.key, event_uid=att.event_uid, council=council)
        session.add(row)
    row.day = att.day
    row.data = json.dumps(att.to_dict(), ensure_ascii=False, sort_keys=True)
    row.updated_at = _utc(now)


# --------------------------------------------------------------------------------------------
# residents' places (from the signals service's public sign-up)

def resident_places(session: Session, council: str) -> dict[str, dict[date | None, ResidentPlaces]]:
    """uid → meeting (None: a single event; else its day in the series) → the residents' places. A council
    opens a few meetings a year for residents: all of them are read at once."""
    out: dict[str, dict[date | None, ResidentPlaces]] = {}
    for row in session.scalars(select(CalendarResidentPlaces).where(CalendarResidentPlaces.council == council)):
        meeting = date.fromisoformat(row.meeting) if row.meeting else None
        out.setdefault(row.event_uid, {})[meeting] = ResidentPlaces(row.capacity, row.taken, row.url)
    return out


def save_resident_places(session: Session, council: str, uid: str, meeting: date | None, places: ResidentPlaces,
                         now: datetime) -> bool:
    """Keep the meeting's residents' places (a repeat replaces them); whether anything changed."""
    key = meeting.isoformat() if meeting else ""
    row = session.get(CalendarResidentPlaces, (uid, key), with_for_update=True)
    if row is not None and ResidentPlaces(row.capacity, row.taken, row.url) == places:
        return False
    if row is None:
        row = CalendarResidentPlaces(event_uid=uid, meeting=key, council=council)
        session.add(row)
    row.capacity, row.taken, row.url = places.capacity, places.taken, places.url
    row.updated_at = _utc(now)
    session.flush()
    return True


# --------------------------------------------------------------------------------------------
# polls

@dataclass(frozen=True)
class StoredPoll:
    poll: Poll
    names: dict[str, str]  # member id → display name, for summaries
    event_uid: str | None = None

    @property
    def number(self) -> int:
        return int(self.poll.id)


def _stored_poll(row: CalendarPoll) -> StoredPoll:
    # The poll's id is its council number (polls stored before numbers per council kept the row id).
    poll = Poll.from_dict(json.loads(row.data))
    if poll.id != str(row.number):
        poll = replace(poll, id=str(row.number))
    return StoredPoll(poll=poll, names=json.loads(row.names or "{}"), event_uid=row.event_uid)


def add_poll(session: Session, council: str, build: Callable[[str], Poll], names: dict[str, str],
             now: datetime) -> StoredPoll:
    """The store numbers polls: ``build`` gets the council's new number and returns the poll to keep."""
    row = CalendarPoll(council=council, number=_next_number(session, CalendarPoll, council), closed=False,
                       data="{}", names="{}", created_at=_utc(now), updated_at=_utc(now))
    session.add(row)
    session.flush()
    poll = build(str(row.number))
    row.data = json.dumps(poll.to_dict(), ensure_ascii=False, sort_keys=True)
    row.names = json.dumps(names, ensure_ascii=False, sort_keys=True)
    return StoredPoll(poll=poll, names=dict(names))


def poll_by_number(session: Session, council: str, number: int, *, lock: bool = False) -> StoredPoll | None:
    q = select(CalendarPoll).where(CalendarPoll.council == council, CalendarPoll.number == number)
    row = session.scalar(q.with_for_update() if lock else q)
    return _stored_poll(row) if row else None


def open_polls(session: Session, council: str) -> list[StoredPoll]:
    rows = session.scalars(select(CalendarPoll).where(CalendarPoll.council == council,
                                                      CalendarPoll.closed.is_(False)).order_by(CalendarPoll.number))
    return [_stored_poll(r) for r in rows]


def all_polls(session: Session, council: str) -> list[StoredPoll]:
    rows = session.scalars(select(CalendarPoll).where(CalendarPoll.council == council).order_by(CalendarPoll.number))
    return [_stored_poll(r) for r in rows]


def save_poll(session: Session, poll: Poll, names: dict[str, str], now: datetime,
              event_uid: str | None = None) -> None:
    row = session.scalar(select(CalendarPoll).where(CalendarPoll.council == poll.council,
                                                    CalendarPoll.number == int(poll.id)))
    if row is None:
        raise LookupError(f"no stored poll {poll.id}")
    row.data = json.dumps(poll.to_dict(), ensure_ascii=False, sort_keys=True)
    row.names = json.dumps(names, ensure_ascii=False, sort_keys=True)
    row.closed = poll.closed
    if event_uid is not None:
        row.event_uid = event_uid
    row.updated_at = _utc(now)


# --------------------------------------------------------------------------------------------
# reminders

def sent_reminder_keys(session: Session, council: str, event_uids: Iterable[str]) -> set[str]:
    uids = list(event_uids)
    if not uids:
        return set()
    return set(session.scalars(select(CalendarSentReminder.key).where(
        CalendarSentReminder.council == council, CalendarSentReminder.event_uid.in_(uids))))


def reminder_sent(session: Session, key: str) -> bool:
    return session.get(CalendarSentReminder, key) is not None


def mark_reminder_sent(session: Session, key: str, council: str, event_uid: str, late: bool,
                       now: datetime) -> None:
    session.add(CalendarSentReminder(key=key, council=council, event_uid=event_uid, late=late, sent_at=_utc(now)))
    session.flush()  # a duplicate fails here, before the outbox message is committed


# --------------------------------------------------------------------------------------------
# feed tokens and rendered feeds

@dataclass(frozen=True)
class FeedToken:
    council: str
    kind: str
    scope: str
    generation: int
    token_hash: str


def _token(row: CalendarFeedToken) -> FeedToken:
    return FeedToken(row.council, row.kind, row.scope, row.generation, row.token_hash)


def feed_token(session: Session, council: str, kind: str, scope: str) -> FeedToken | None:
    row = session.scalar(select(CalendarFeedToken).where(
        CalendarFeedToken.council == council, CalendarFeedToken.kind == kind, CalendarFeedToken.scope == scope))
    return _token(row) if row else None


def feed_token_by_hash(session: Session, token_hash: str) -> FeedToken | None:
    row = session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.token_hash == token_hash))
    return _token(row) if row else None


def save_feed_token(session: Session, token: FeedToken, now: datetime) -> None:
    row = session.scalar(select(CalendarFeedToken).where(
        CalendarFeedToken.council == token.council, CalendarFeedToken.kind == token.kind,
        CalendarFeedToken.scope == token.scope))
    if row is None:
        session.add(CalendarFeedToken(council=token.council, kind=token.kind, scope=token.scope,
                                      generation=token.generation, token_hash=token.token_hash, created_at=_utc(now)))
    else:
        row.generation = token.generation
        row.token_hash = token.token_hash  # the old token stops working in this same commit
        row.rotated_at = _utc(now)
    session.flush()


def all_token_hashes(session: Session) -> list[str]:
    return list(session.scalars(select(CalendarFeedToken.token_hash)))


@dataclass(frozen=True)
class FeedState:
    """What a feed request needs before any body: whose feed it is, and the council's version and
    Last-Modified (the feed's validators: see ``feeds.version_etag``)."""
    token: FeedToken
    version: int
    last_modified: datetime
    epoch: str = ""  # when the council's row was created: tells a recreated council from its predecessor


_NEVER_CHANGED = datetime(2000, 1, 1, tzinfo=timezone.utc)


def feed_key(council: str, kind: str, scope: str) -> str:
    return f"{council}|{kind}|{scope}"[:340]


# Built once: the feed's validator is read on every poll of every calendar app, so the query
# costs no statement building.
_FEED_STATE = text(
    "SELECT t.council, t.kind, t.scope, t.generation, t.token_hash, c.version AS council_version, "
    "c.changed_at, c.created_at "
    "FROM calendar_feed_tokens t "
    "LEFT OUTER JOIN calendar_councils c ON c.slug = t.council "
    "WHERE t.token_hash = :token_hash"
).columns(column("council", String), column("kind", String), column("scope", String),
          column("generation", Integer), column("token_hash", String), column("council_version", Integer),
          column("changed_at", DateTime(timezone=True)), column("created_at", DateTime(timezone=True)))


def feed_state(connection: Session | Connection, token_hash: str) -> FeedState | None:
    """One query, no body: the token and its council's version and Last-Modified."""
    row = connection.execute(_FEED_STATE, {"token_hash": token_hash}).one_or_none()
    return _feed_state(tuple(row)) if row is not None else None


_FEED_STATES_OF_COUNCIL = text(
    str(_FEED_STATE).replace("WHERE t.token_hash = :token_hash", "WHERE t.council = :council")
).columns(*_FEED_STATE.selected_columns)


def feed_states_of(connection: Session | Connection, council: str) -> list[FeedState]:
    """Every feed link of the council, with the council's version (for rendering them ahead)."""
    return [_feed_state(tuple(row)) for row in connection.execute(_FEED_STATES_OF_COUNCIL, {"council": council})]


def feed_validator(engine: Engine, token_hash: str) -> FeedState | None:
    """:func:`feed_state` straight through the database driver, for the poll a calendar app makes
    every few minutes (most answered 304): SQLAlchemy's connection, transaction and result layers
    cost several times the query itself. One statement, so it reads one consistent snapshot."""
    statement = _FEED_STATE_DBAPI.get(engine.dialect.name)
    if statement is None:  # a driver we did not prepare for: the ordinary way
        with engine.connect() as conn:
            return feed_state(conn, token_hash)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(statement, {"token_hash": token_hash})
            row = cursor.fetchone()
        finally:
            cursor.close()
    finally:
        raw.close()  # back to the pool
    if row is None:
        return None
    row = tuple(row)
    return _feed_state(row[:6] + (_instant(row[6]), _instant(row[7])))


# By dialect: sqlite3 takes named parameters, psycopg pyformat ones.
_FEED_STATE_DBAPI = {"sqlite": str(_FEED_STATE),
                     "postgresql": str(_FEED_STATE).replace(":token_hash", "%(token_hash)s")}


def _instant(value: object) -> datetime | None:
    """A driver's timestamp: SQLite gives the text SQLAlchemy stored (UTC, no offset)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _feed_state(row: tuple) -> FeedState:  # type: ignore[type-arg]
    council, kind, scope, generation, hashed, version, changed_at, created_at = row
    version = version or 0
    last_modified = aware(changed_at) or aware(created_at) or _NEVER_CHANGED
    created = aware(created_at)
    return FeedState(token=FeedToken(council, kind, scope, generation, hashed), version=version,
                     last_modified=last_modified.replace(microsecond=0),
                     epoch=created.isoformat() if created else "")


# --------------------------------------------------------------------------------------------
# CalDAV sync state

@dataclass(frozen=True)
class SyncItem:
    event_uid: str
    council: str
    state: str
    wanted_sequence: int
    pushed_sequence: int | None
    deleted: bool
    attempts: int
    last_error: str | None


def _item(row: CalendarSyncState) -> SyncItem:
    return SyncItem(row.event_uid, row.council, row.state, row.wanted_sequence, row.pushed_sequence,
                    row.deleted, row.attempts, row.last_error)


def mark_for_sync(session: Session, event: Event, now: datetime, *, deleted: bool = False) -> None:
    """Queue the event for the shared calendar in the transaction that changed it."""
    row = session.get(CalendarSyncState, event.uid)
    if row is None:
        row = CalendarSyncState(event_uid=event.uid, council=event.council, pushed_sequence=None)
        session.add(row)
    row.state = "pending"
    row.wanted_sequence = event.sequence
    row.deleted = deleted
    row.attempts = 0
    row.next_attempt_at = None
    row.last_error = None
    row.updated_at = _utc(now)


def sync_due(session: Session, now: datetime, limit: int = 50) -> list[SyncItem]:
    m = CalendarSyncState
    rows = session.scalars(select(m).where(m.state.in_(("pending", "failed")),
                                           or_(m.next_attempt_at.is_(None), m.next_attempt_at <= _utc(now)))
                           .order_by(m.updated_at, m.event_uid).limit(limit))
    return [_item(r) for r in rows]


def sync_item(session: Session, uid: str) -> SyncItem | None:
    row = session.get(CalendarSyncState, uid)
    return _item(row) if row else None


def sync_succeeded(session: Session, uid: str, pushed_sequence: int, expected: SyncItem, now: datetime) -> None:
    """Record a push. If the event changed while we pushed, it stays pending for the next round."""
    row = session.get(CalendarSyncState, uid, with_for_update=True)  # a change committing now waits, or wins
    if row is None:
        return
    if row.wanted_sequence != expected.wanted_sequence or row.deleted != expected.deleted:
        return
    if row.deleted:
        session.delete(row)
        return
    row.state = "synced"
    row.pushed_sequence = pushed_sequence
    row.attempts = 0
    row.next_attempt_at = None
    row.last_error = None
    row.synced_at = _utc(now)
    row.updated_at = _utc(now)


def sync_failed(session: Session, uid: str, error: str, delay: float, now: datetime) -> None:
    row = session.get(CalendarSyncState, uid, with_for_update=True)
    if row is None:
        return
    row.state = "failed"
    row.attempts = (row.attempts or 0) + 1
    row.next_attempt_at = _utc(now) + timedelta(seconds=delay)
    row.last_error = error[:500]


def sync_counts(session: Session, council: str) -> dict[str, int]:
    m = CalendarSyncState
    return {state: n for state, n in session.execute(
        select(m.state, func.count()).where(m.council == council).group_by(m.state))}


def caldav_backoff(session: Session, council: str, now: datetime) -> datetime | None:
    """When the council's calendar server may be tried again (None: now)."""
    row = session.get(CalendarCouncil, council)
    if row is None or row.caldav_next_attempt_at is None:
        return None
    until = aware(row.caldav_next_attempt_at)
    return until if until and until > now else None


def caldav_down(session: Session, council: str, error: str, delay_for: Callable[[int], float],
                now: datetime) -> None:
    row = council_state(session, council, now)
    row.caldav_failures = (row.caldav_failures or 0) + 1
    row.caldav_next_attempt_at = _utc(now) + timedelta(seconds=delay_for(row.caldav_failures))
    row.caldav_last_error = error[:500]


def caldav_up(session: Session, council: str, now: datetime) -> None:
    row = council_state(session, council, now)
    if row.caldav_failures or row.caldav_next_attempt_at is not None:
        row.caldav_failures = 0
        row.caldav_next_attempt_at = None
        row.caldav_last_error = None


def caldav_health(session: Session, council: str, now: datetime) -> tuple[int, datetime | None, str | None]:
    row = council_state(session, council, now)
    return row.caldav_failures, aware(row.caldav_next_attempt_at), row.caldav_last_error


def reset_caldav_backoff(session: Session, council: str) -> None:
    """Operator (or test) says: try the calendar server again now."""
    session.execute(update(CalendarCouncil).where(CalendarCouncil.slug == council).values(
        caldav_next_attempt_at=None))
    session.execute(update(CalendarSyncState).where(CalendarSyncState.council == council,
                                                    CalendarSyncState.state != "synced").values(
        next_attempt_at=None))


def deadlines_pulled(session: Session, council: str, now: datetime) -> None:
    council_state(session, council, now).deadlines_pulled_at = _utc(now)
