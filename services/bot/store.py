"""The bot's own database: its sync token, the events it has handled, its outbox, DM rooms,
members' language choices, and encrypted events waiting for their room key."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, DateTime, Integer, String, Text, func, inspect, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.db import Database, UtcDateTime, wait_for_database
from shared.migrations import migrate_service
from shared.outbox import QueueStore, outbox_columns, utcnow


class BotBase(DeclarativeBase):
    pass


BotOutbox = type("BotOutbox", (BotBase,), {"__tablename__": "bot_outbox", **outbox_columns()})


class BotState(BotBase):
    __tablename__ = "bot_state"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(2000))


class HandledEvent(BotBase):
    """A command event the bot has answered: never answered again, even after a crash."""

    __tablename__ = "bot_handled_events"
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    handled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RoomJoin(BotBase):
    """When the bot joined a room: messages from before that are history, not commands."""

    __tablename__ = "bot_room_joins"
    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    joined_ts: Mapped[int] = mapped_column(BigInteger)


class DmRoom(BotBase):
    __tablename__ = "bot_dm_rooms"
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))


class MemberLanguage(BotBase):
    __tablename__ = "bot_member_languages"
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))


class PendingEncrypted(BotBase):
    """An encrypted room event the bot could not decrypt yet: kept across restarts until its
    room key arrives, then handled like any other event (the handled-events table still
    guards against answering twice)."""

    __tablename__ = "bot_pending_encrypted"
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    session_id: Mapped[str] = mapped_column(String(255))
    sender_key: Mapped[str] = mapped_column(String(255))
    ts: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(Text)  # the event as received (JSON), still encrypted
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    requests: Mapped[int] = mapped_column(Integer, default=0)


class PendingReaction(BotBase):
    """A reaction whose handler could not reach its service: tried again until it can."""

    __tablename__ = "bot_pending_reactions"
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    target_event_id: Mapped[str] = mapped_column(String(255))
    reaction_key: Mapped[str] = mapped_column(String(64))
    ts: Mapped[int] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


OUTBOX = QueueStore(BotOutbox)


def keep_reaction(session: Session, *, event_id: str, room_id: str, sender: str, target_event_id: str,
                  reaction_key: str, ts: int, retry_in: float) -> None:
    row = session.get(PendingReaction, event_id)
    if row is None:
        row = PendingReaction(event_id=event_id, room_id=room_id, sender=sender, target_event_id=target_event_id,
                              reaction_key=reaction_key[:64], ts=ts, attempts=0)
        session.add(row)
    row.attempts = (row.attempts or 0) + 1
    row.next_attempt_at = utcnow() + timedelta(seconds=retry_in)


def due_reactions(session: Session, now: datetime, limit: int = 50) -> list[PendingReaction]:
    return list(session.scalars(select(PendingReaction).where(PendingReaction.next_attempt_at <= now)
                                .order_by(PendingReaction.ts).limit(limit)))


def drop_reaction(session: Session, event_id: str) -> None:
    row = session.get(PendingReaction, event_id)
    if row is not None:
        session.delete(row)


def get_state(session: Session, name: str) -> str | None:
    row = session.get(BotState, name)
    return row.value if row else None


def set_state(session: Session, name: str, value: str) -> None:
    row = session.get(BotState, name)
    if row is None:
        session.add(BotState(name=name, value=value))
    else:
        row.value = value


def is_handled(session: Session, event_id: str) -> bool:
    return session.get(HandledEvent, event_id) is not None


def mark_handled(session: Session, event_id: str, room_id: str) -> None:
    if session.get(HandledEvent, event_id) is None:
        session.add(HandledEvent(event_id=event_id, room_id=room_id, handled_at=utcnow()))


def joined_ts(session: Session, room_id: str) -> int | None:
    row = session.get(RoomJoin, room_id)
    return row.joined_ts if row else None


def record_join(session: Session, room_id: str, ts: int) -> None:
    if session.get(RoomJoin, room_id) is None:
        session.add(RoomJoin(room_id=room_id, joined_ts=ts))


def dm_room(session: Session, user_id: str) -> str | None:
    row = session.get(DmRoom, user_id)
    return row.room_id if row else None


def set_dm_room(session: Session, user_id: str, room_id: str) -> None:
    row = session.get(DmRoom, user_id)
    if row is None:
        session.add(DmRoom(user_id=user_id, room_id=room_id))
    else:
        row.room_id = room_id


def dm_rooms(session: Session) -> list[str]:
    return list(session.scalars(select(DmRoom.room_id)))


def member_language(session: Session, user_id: str) -> str | None:
    row = session.get(MemberLanguage, user_id)
    return row.language if row else None


def set_member_language(session: Session, user_id: str, language: str) -> None:
    row = session.get(MemberLanguage, user_id)
    if row is None:
        session.add(MemberLanguage(user_id=user_id, language=language))
    else:
        row.language = language


def handled_count(session: Session) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(HandledEvent)) or 0


def keep_pending(session: Session, *, event_id: str, room_id: str, sender: str, session_id: str,
                 sender_key: str, ts: int, source: str) -> bool:
    """Store an undecryptable event; False when it is already kept."""
    if session.get(PendingEncrypted, event_id) is not None:
        return False
    session.add(PendingEncrypted(event_id=event_id, room_id=room_id, sender=sender, session_id=session_id,
                                 sender_key=sender_key, ts=ts, source=source, received_at=utcnow(), requests=0))
    return True


def pending_events(session: Session) -> list[PendingEncrypted]:
    return list(session.scalars(select(PendingEncrypted).order_by(PendingEncrypted.ts, PendingEncrypted.event_id)))


def mark_key_requested(session: Session, event_id: str, when: datetime) -> None:
    row = session.get(PendingEncrypted, event_id)
    if row is not None:
        row.requested_at = when
        row.requests = (row.requests or 0) + 1


def forget_pending(session: Session, event_id: str) -> None:
    row = session.get(PendingEncrypted, event_id)
    if row is not None:
        session.delete(row)


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PendingEncrypted)) or 0


# Rows copied per statement when the state moves over (the handled events can be many).
MOVE_CHUNK = 500


def take_over_state(previous: Database, store: Database) -> int:
    """Move the bot's state out of the database it was kept in before (the services' shared
    PostgreSQL, until December 2026) into its own store; returns the number of rows moved.

    Both must be migrated to head. Only a store that holds no state yet takes anything over, so an
    existing store is never mixed with older rows. The rows are then deleted from ``previous``:
    a store started afresh later (a lost data folder) must not pick up an outbox that was sent, or
    a sync token from long ago. A crash between the two transactions leaves the rows in both; the
    next start sees a store with state and moves nothing."""
    tables = BotBase.metadata.sorted_tables
    with previous.engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
    tables = [t for t in tables if t.name in present]
    if not tables:
        return 0
    moved = 0
    with store.session() as new:
        if any(new.execute(select(func.count()).select_from(t)).scalar() for t in BotBase.metadata.sorted_tables):
            return 0
        with previous.read() as old:
            for table in tables:
                rows = old.execute(select(table)).mappings()
                while chunk := [dict(r) for r in rows.fetchmany(MOVE_CHUNK)]:
                    new.execute(table.insert(), chunk)
                    moved += len(chunk)
    if moved:
        with previous.session() as old:
            for table in reversed(tables):
                old.execute(table.delete())
    return moved


def take_over_previous_store(shared_url: str | None, store: Database) -> int:
    """Until December 2026 the bot kept its state in the services' database; on PostgreSQL it now
    keeps it in its own SQLite store (see ``Settings.database_url_for``). Move it over once; called
    in the migration's child process (``services.bot.migrate``), so the bot itself never loads a
    PostgreSQL driver. Returns the rows moved."""
    if not shared_url or shared_url == store.url or shared_url.startswith("sqlite"):
        return 0
    previous = Database(shared_url)
    try:
        wait_for_database(previous)
        with previous.engine.connect() as conn:
            if not inspect(conn).has_table("bot_alembic_version"):
                return 0  # a deployment that never kept the bot's state there
        migrate_service(previous, "bot")  # the same columns on both sides
        return take_over_state(previous, store)
    finally:
        previous.dispose()
