"""The bot's own database: its sync token, the events it has handled, its outbox, DM rooms,
members' language choices, and encrypted events waiting for their room key."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, DateTime, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.db import UtcDateTime
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
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(PendingEncrypted)) or 0
