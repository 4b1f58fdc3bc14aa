"""Tables of the deliberation service. Every table name starts with 'deliberation_' so the service can share
a PostgreSQL database with the others.

Councils are not a table: they come from the settings and are referred to by their slug. Topics, rounds,
advice trajectories and applications carry a ``number`` that starts at 1 per council: that number is the id
members see and the id the domain and the API use. Primary and foreign keys (``id``, ``*_id`` columns) stay
global and never leave the store, and every row carries its council so one council never sees another's.
(``number`` and the advice's ``thread_key`` are nullable columns with a unique index only so the migration
adds them without rebuilding, on SQLite, tables that other rows refer to; the store always sets them.)
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true as sa_true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.outbox import utcnow
from shared.service import make_runtime_models


class DeliberationBase(DeclarativeBase):
    pass


COUNCIL = 64  # length of a council slug
MATRIX_ID = 255
LABEL = 80


class SeatRow(DeliberationBase):
    """A seat of the council, assigned to a customer group (afspiegeling). ``number`` is the seat's number
    within its council, as members see it in ``!leden``."""

    __tablename__ = "deliberation_seats"
    __table_args__ = (UniqueConstraint("council", "number", name="uq_deliberation_seats_council_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    number: Mapped[int] = mapped_column(Integer)
    age_band: Mapped[str] = mapped_column(String(LABEL), default="")
    area: Mapped[str] = mapped_column(String(LABEL), default="")
    background: Mapped[str] = mapped_column(String(LABEL), default="")


class MemberRow(DeliberationBase):
    __tablename__ = "deliberation_members"
    __table_args__ = (UniqueConstraint("council", "matrix_id", name="uq_deliberation_members_council_matrix_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    matrix_id: Mapped[str] = mapped_column(String(MATRIX_ID))
    display_name: Mapped[str] = mapped_column(String(120))
    member_type: Mapped[str] = mapped_column(String(16))
    # The member's own customer group; a seat's group says which group the seat stands for.
    customer_group: Mapped[str] = mapped_column(String(LABEL), default="")
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    seat_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    secretary: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    # False from an appointment until the bot sees the member join the council's room.
    in_chat: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApplicationRow(DeliberationBase):
    __tablename__ = "deliberation_applications"
    __table_args__ = (UniqueConstraint("reference_hash", name="uq_deliberation_applications_reference_hash"),
                      UniqueConstraint("intake_hash", name="uq_deliberation_applications_intake_hash"),
                      Index("uq_deliberation_applications_council_number", "council", "number", unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=True)  # the application's number in its council
    name: Mapped[str] = mapped_column(String(120))
    member_type: Mapped[str] = mapped_column(String(16))
    matrix_id: Mapped[str | None] = mapped_column(String(MATRIX_ID), nullable=True)
    contact: Mapped[str | None] = mapped_column(String(254), nullable=True)
    motivation: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    seat_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # the selection committee's reasons
    # The applicant's own page (/aanmelden/<reference>): only a hash of the reference is kept.
    reference_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A form sent twice (the same hidden nonce, hashed) is one application.
    intake_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Personal data (name, contact, motivation) erased: at the applicant's request or after the retention period.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AbsenceRow(DeliberationBase):
    """Absent with notice for one occasion (``round:<number>`` or ``meeting:<id>``); no reason is kept."""

    __tablename__ = "deliberation_absences"
    __table_args__ = (UniqueConstraint("council", "matrix_id", "occasion",
                                       name="uq_deliberation_absences_member_occasion"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    matrix_id: Mapped[str] = mapped_column(String(MATRIX_ID))
    occasion: Mapped[str] = mapped_column(String(64), index=True)
    noted_on: Mapped[date] = mapped_column(Date)


class TopicRow(DeliberationBase):
    __tablename__ = "deliberation_topics"
    __table_args__ = (UniqueConstraint("council", "created_key", name="uq_deliberation_topics_created_key"),
                      Index("uq_deliberation_topics_council_number", "council", "number", unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=True)  # the topic's number in its council
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(32))
    source_ref: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    mode: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), index=True)
    importance: Mapped[int | None] = mapped_column(Integer, nullable=True)
    influence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The Matrix event (idempotency key) that created it: one message makes at most one topic.
    created_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Influence on the record: the council's expected influence (median score) as it stood when work on the
    # topic started (its first round or scenario round), and that day. Members may re-score later; the
    # yearly overview compares with what the council expected when it chose the topic.
    expected_influence: Mapped[float | None] = mapped_column(Float, nullable=True)
    started_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Formal advice: the request, the council's advice and the board's reply.
    advice_requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    advice_deadline: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    advice_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    advice_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reply_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    reply_received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reply_deviates: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class CheckRow(DeliberationBase):
    """A realisation check ("toetsen van de realisatie") on a review date."""

    __tablename__ = "deliberation_checks"
    __table_args__ = (UniqueConstraint("topic_id", "number", name="uq_deliberation_checks_topic_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("deliberation_topics.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(Text)
    result_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    checked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    announced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RoundRow(DeliberationBase):
    """A consensus round. Its truth is the event log; ``state`` and ``deadline`` are copies for queries."""

    __tablename__ = "deliberation_rounds"
    __table_args__ = (UniqueConstraint("council", "open_key", name="uq_deliberation_rounds_open_key"),
                      Index("uq_deliberation_rounds_council_number", "council", "number", unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=True)  # the round's number in its council
    topic_id: Mapped[int] = mapped_column(ForeignKey("deliberation_topics.id"), index=True)
    # ``delib:round:<council>:<number>``; rounds opened before numbers per council keep ``delib:round:<id>``
    # (the bot's outbox knows their thread by it).
    thread_key: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    open_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The deadline a reminder went out for: once per round per deadline.
    reminded_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    thread_room_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    thread_event_id: Mapped[str | None] = mapped_column(String(255), nullable=True)


class RoundEventRow(DeliberationBase):
    """Append-only: one row per domain event, the event itself as JSON. (round_id, seq) is unique, so two
    workers that computed the same next event cannot both store it. ``round_id`` is the round row's key; the
    payload (the domain's event) holds the council's numbers."""

    __tablename__ = "deliberation_round_events"
    __table_args__ = (UniqueConstraint("round_id", "seq", name="uq_deliberation_round_events_round_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("deliberation_rounds.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(MATRIX_ID))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class RegisterRow(DeliberationBase):
    """The decision register (besluitenlijst): one entry per agreed round."""

    __tablename__ = "deliberation_register"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("deliberation_rounds.id"), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("deliberation_topics.id"), index=True)
    topic_title: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_on: Mapped[date] = mapped_column(Date, index=True)
    # The agreement (Agreement.to_dict: with the council's numbers) and the members' names on the day, so a later export still
    # shows who took part after someone left the council.
    agreement: Mapped[dict[str, Any]] = mapped_column(JSON)
    names: Mapped[dict[str, Any]] = mapped_column(JSON)
    thread_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)


class TopicScoreRow(DeliberationBase):
    """One member's own score of a topic (``!score``); a new score replaces theirs. The agenda shows the median."""

    __tablename__ = "deliberation_topic_scores"
    __table_args__ = (UniqueConstraint("topic_id", "matrix_id", name="uq_deliberation_topic_scores_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("deliberation_topics.id"), index=True)
    matrix_id: Mapped[str] = mapped_column(String(MATRIX_ID))
    importance: Mapped[int] = mapped_column(Integer)
    influence: Mapped[int] = mapped_column(Integer)
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AdviceRow(DeliberationBase):
    """An advice (or consent) trajectory (``!advies``): request, draft round, sending, the board's reply.
    Its number is the ``advies-nr`` members type. ``round_id`` and ``agreed_round_id`` are round rows' keys."""

    __tablename__ = "deliberation_advice"
    __table_args__ = (UniqueConstraint("council", "created_key", name="uq_deliberation_advice_created_key"),
                      Index("uq_deliberation_advice_council_number", "council", "number", unique=True),
                      Index("uq_deliberation_advice_thread_key", "thread_key", unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=True)  # the trajectory's number in its council
    # ``delib:advice:<council>:<number>``; trajectories from before numbers per council keep ``delib:advice:<id>``.
    thread_key: Mapped[str] = mapped_column(String(200), nullable=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("deliberation_topics.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("deliberation_rounds.id"), nullable=True, index=True)
    agreed_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    agreed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    agreed_round_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    agreed_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sent_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    reply_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reply_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    reply_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The day-15 announcement of a missing reply went out (once per trajectory).
    overdue_announced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AdviceCheckRow(DeliberationBase):
    """A realisation check of an advice trajectory (``!toets``) and its outcome (``!uitkomst``)."""

    __tablename__ = "deliberation_advice_checks"
    __table_args__ = (UniqueConstraint("advice_id", "number", name="uq_deliberation_advice_checks_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    advice_id: Mapped[int] = mapped_column(ForeignKey("deliberation_advice.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    checked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    announced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ScenarioRoundRow(DeliberationBase):
    """A co-creation round over several scenarios (``!scenarios``). Like a round, its truth is the event log
    (:class:`ScenarioEventRow`); ``state`` and the outcome are copies for queries and the decision list.
    Numbered per council on their own (scenarioronde 1, 2, ...), thread key ``delib:scenarios:<council>:<n>``."""

    __tablename__ = "deliberation_scenario_rounds"
    __table_args__ = (UniqueConstraint("council", "open_key", name="uq_deliberation_scenario_rounds_open_key"),
                      UniqueConstraint("council", "number", name="uq_deliberation_scenario_rounds_council_number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    number: Mapped[int] = mapped_column(Integer)
    topic_id: Mapped[int] = mapped_column(ForeignKey("deliberation_topics.id"), index=True)
    thread_key: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    open_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    thread_room_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    thread_event_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The reminder before the deadline went out (once per scenario round: its deadline does not move).
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Once ended (akkoord or meegedacht): the outcome (ScenarioOutcome.to_dict) and the names on the day.
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    names: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ScenarioEventRow(DeliberationBase):
    """Append-only, as :class:`RoundEventRow`: (round_id, seq) is unique."""

    __tablename__ = "deliberation_scenario_events"
    __table_args__ = (UniqueConstraint("round_id", "seq", name="uq_deliberation_scenario_events_round_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("deliberation_scenario_rounds.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(MATRIX_ID))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class InfluenceRow(DeliberationBase):
    """Realised influence on a topic (``!invloed``): one row per record; the latest counts in the overview."""

    __tablename__ = "deliberation_influence"
    __table_args__ = (UniqueConstraint("topic_id", "created_key", name="uq_deliberation_influence_created_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("deliberation_topics.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    what_changed: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(24))
    kind_given: Mapped[bool] = mapped_column(Boolean, default=False)
    basis: Mapped[str | None] = mapped_column(String(24), nullable=True)
    recorded_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_by: Mapped[str] = mapped_column(String(MATRIX_ID))
    # The chat message (idempotency key) that recorded it: one message records at most once.
    created_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TopicBackgroundRow(DeliberationBase):
    """A background note on a topic from another service (a consultation's summary) or the operator. One per
    (topic, source key): the same key again replaces the title and text."""

    __tablename__ = "deliberation_topic_backgrounds"
    __table_args__ = (UniqueConstraint("topic_id", "source_key", name="uq_deliberation_topic_backgrounds_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("deliberation_topics.id"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    source_key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    added_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


RUNTIME_MODELS = make_runtime_models(DeliberationBase, "deliberation")
