"""Tables of the werkplek. Every table name starts with 'werkplek_' so it can share a PostgreSQL database with
the other services. The roster, topics, trajectories and meetings are not kept here: the werkplek reads them
from the services that own them. What it keeps is its own: sign-in links (as hashes), the hours members
declare, the costs the secretary enters, the council's goals, and the selection committee's advice."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.outbox import utcnow
from shared.service import make_runtime_models

COUNCIL = 64
MATRIX_ID = 255


class WerkplekBase(DeclarativeBase):
    pass


class SignInLinkRow(WerkplekBase):
    """A one-time sign-in link (``!werkplek``): its keyed hash only."""

    __tablename__ = "werkplek_sign_in_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    matrix_id: Mapped[str] = mapped_column(String(MATRIX_ID))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CommitteeLinkRow(WerkplekBase):
    """A selection committee member's own link: expires, can be revoked."""

    __tablename__ = "werkplek_committee_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(MATRIX_ID))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class HoursRow(WerkplekBase):
    """Hours a member declared (``!uren``). ``created_key``: the chat message that declared them, once."""

    __tablename__ = "werkplek_hours"
    __table_args__ = (UniqueConstraint("council", "created_key", name="uq_werkplek_hours_created_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    matrix_id: Mapped[str] = mapped_column(String(MATRIX_ID), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    description: Mapped[str] = mapped_column(String(200))
    created_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CostRow(WerkplekBase):
    __tablename__ = "werkplek_costs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    day: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(String(200))
    activity_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    matrix_id: Mapped[str | None] = mapped_column(String(MATRIX_ID), nullable=True)
    created_by: Mapped[str] = mapped_column(String(MATRIX_ID))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GoalRow(WerkplekBase):
    __tablename__ = "werkplek_goals"
    __table_args__ = (UniqueConstraint("council", "number", name="uq_werkplek_goals_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    number: Mapped[int] = mapped_column(Integer)  # the council's own goal number
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200))
    topic_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    set_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SelectionAdviceRow(WerkplekBase):
    """A selection committee member's advice on an application (deliberation's number): one per person, a later
    one replaces theirs."""

    __tablename__ = "werkplek_selection_advice"
    __table_args__ = (UniqueConstraint("council", "application_id", "author", name="uq_werkplek_selection_advice"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    application_id: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(MATRIX_ID))  # the session's subject
    author_label: Mapped[str] = mapped_column(String(120))
    advice: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


RUNTIME_MODELS = make_runtime_models(WerkplekBase, "werkplek")
