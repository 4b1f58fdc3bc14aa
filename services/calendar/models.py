"""Tables of the calendar service. Every table name starts with 'calendar_' so the service can share
a PostgreSQL database with the others.

Domain objects are stored as JSON (``Event.to_dict()``, ``Attendance.to_dict()``,
``Poll.to_dict()``); the columns next to the JSON are only what queries need to find rows.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.outbox import utcnow
from shared.service import make_runtime_models


class CalendarBase(DeclarativeBase):
    pass


class CalendarCouncil(CalendarBase):
    """Per-council state: the feed version and the CalDAV server's health."""

    __tablename__ = "calendar_councils"
    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Raised in the transaction of every change that alters a feed; cached feeds of an older
    # version are stale (so a feed is rendered once per change, not per request).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # When ``version`` was last raised: the feeds' Last-Modified. Strictly rising per version
    # (whole seconds), so If-Modified-Since never mistakes a newer version for the one it has.
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Since when the calendar knows this council: the heidag warning counts from here when
    # no heidag was ever held.
    tracking_since: Mapped[date] = mapped_column(Date, nullable=False)
    caldav_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    caldav_next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    caldav_last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    deadlines_pulled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class CalendarEvent(CalendarBase):
    """An event (or series). ``number`` is what members use in chat (``!aanwezig 4``): counted per
    council from 1; ``id`` is internal and never leaves the service."""

    __tablename__ = "calendar_events"
    __table_args__ = (
        UniqueConstraint("council", "source", "source_key", name="uq_calendar_events_source"),
        UniqueConstraint("council", "number", name="uq_calendar_events_number"),
        Index("ix_calendar_events_council_last_end", "council", "last_end"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    council: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    type: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    last_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # None: open-ended
    # Where an event came from when not typed in: "deliberation" for imported deadlines.
    source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    data: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class CalendarAttendance(CalendarBase):
    """Answers, places, waiting list and confirmation for one occurrence (``Occurrence.key``)."""

    __tablename__ = "calendar_attendance"
    occurrence_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_uid: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    council: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    data: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class CalendarPoll(CalendarBase):
    """A date poll; ``number`` (per council, from 1) is its number in chat and in its thread key
    ``calendar:poll:<council>:<number>``; ``id`` is internal."""

    __tablename__ = "calendar_polls"
    __table_args__ = (UniqueConstraint("council", "number", name="uq_calendar_polls_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    closed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    event_uid: Mapped[str | None] = mapped_column(String(120), nullable=True)
    data: Mapped[str] = mapped_column(Text, nullable=False)
    names: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # member id → display name
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class CalendarSentReminder(CalendarBase):
    """A reminder posted (``Reminder.key``); stored with its outbox message, so never twice."""

    __tablename__ = "calendar_sent_reminders"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    council: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    event_uid: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class CalendarFeedToken(CalendarBase):
    """The current secret link of one feed. Only the SHA-256 of the token is kept."""

    __tablename__ = "calendar_feed_tokens"
    __table_args__ = (UniqueConstraint("council", "kind", "scope", name="uq_calendar_feed_tokens_feed"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # council / type / member
    scope: Mapped[str] = mapped_column(String(255), nullable=False)  # "" / type / member id
    generation: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CalendarSyncState(CalendarBase):
    """Where an event stands with the council's shared CalDAV calendar."""

    __tablename__ = "calendar_sync_state"
    event_uid: Mapped[str] = mapped_column(String(120), primary_key=True)
    council: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # pending / failed / synced
    wanted_sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    pushed_sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # removed: DELETE it there
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class CalendarResidentPlaces(CalendarBase):
    """Residents' places of one meeting, as the signals service's public sign-up reports them (counts and the
    sign-up page's address only: no resident is named here). ``meeting`` is "" for a single event, else the
    meeting's day in its series (ISO), so a moved meeting keeps its numbers."""

    __tablename__ = "calendar_resident_places"
    event_uid: Mapped[str] = mapped_column(String(120), primary_key=True)
    meeting: Mapped[str] = mapped_column(String(10), primary_key=True)
    council: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    taken: Mapped[int] = mapped_column(Integer, nullable=False)
    url: Mapped[str] = mapped_column(String(500), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


RUNTIME_MODELS = make_runtime_models(CalendarBase, "calendar")
