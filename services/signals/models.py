"""Tables of the signals service. Every table name starts with 'signals_' so the service can share
a PostgreSQL database with the others.

Privacy by layout: ``signals_signals`` holds only the *scrubbed* text; a resident's contact
details live in ``signals_contacts`` (one row per signal, deleted on erasure or after the
retention period). The reference number a resident gets, and the key a submission came with (the
form's nonce, a caller's Idempotency-Key), are stored only as SHA-256 hashes.

Councils are not a table: they come from the settings, and every row carries its council's slug.
Cluster ids are global and never leave the service; members, the bot and the API see the cluster's
``number``, counted from 1 within its council.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UtcDateTime  # stored as UTC on SQLite too: a meeting's local start is not shifted
from shared.mail import make_mail_model
from shared.outbox import utcnow
from shared.service import make_runtime_models


class SignalsBase(DeclarativeBase):
    pass


COUNCIL = 64
MATRIX_ID = 255
THEME = 64
WIJK = 120
KEY = 120  # a blocking key (clustering.MAX_KEY_LENGTH)


class ClusterRow(SignalsBase):
    """A group of signals about one issue: one thread in the council's signals room."""

    __tablename__ = "signals_clusters"
    __table_args__ = (Index("uq_signals_clusters_number", "council", "number", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    # Per council, from 1: what members see and type. Always set (store.new_cluster); nullable only
    # because the migration adds it without rebuilding the table.
    number: Mapped[int] = mapped_column(Integer, nullable=True)
    card_base: Mapped[str] = mapped_column(String(200), default="")  # the card's outbox key (store.card_base)
    room: Mapped[str] = mapped_column(String(80))  # role the thread lives in: signals / theme:<id>
    theme: Mapped[str] = mapped_column(String(THEME))
    theme_corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    wijk: Mapped[str | None] = mapped_column(String(WIJK), nullable=True)
    signal_count: Mapped[int] = mapped_column(Integer, default=0)
    heard_count: Mapped[int] = mapped_column(Integer, default=0)  # members' 👍 "we heard this too"
    first_ts: Mapped[datetime] = mapped_column(UtcDateTime)
    last_ts: Mapped[datetime] = mapped_column(UtcDateTime)
    card_version: Mapped[int] = mapped_column(Integer, default=0)  # edits of the card so far
    topic_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # deliberation topic
    topic_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    agendered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    outcome_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # JSON {wijk: signals}: the card lists the neighbourhoods without reading the cluster's signals.
    wijken: Mapped[str] = mapped_column(Text, default="{}")
    # Signals erased by their residents: each erasure re-posts the card, so this is its generation.
    erased_count: Mapped[int] = mapped_column(Integer, default=0)
    # A card edit owed (durable, so a crash between intake and edit loses nothing): how many changes
    # since the last edit, when the first and the last of them came. The cards job sends one edit
    # per burst, once the cluster has been quiet for a moment.
    card_pending: Mapped[int] = mapped_column(Integer, default=0, index=True)
    card_pending_since: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    card_touched_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Signals that joined and wait for their thread post (durable, like the card edit): how many, and
    # since when. The cards job posts them in one message per burst (quiet: ``card_touched_at``).
    posts_pending: Mapped[int] = mapped_column(Integer, default=0, index=True)
    posts_pending_since: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Members' corrections of the grouping, as the groups' numbers: merged into another group (!samenvoegen),
    # split off from another (!afsplitsen).
    merged_into: Mapped[int | None] = mapped_column(Integer, nullable=True)
    split_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Handed to a bewonerscommissie (!doorsturen): its id and name then, and when. Off the council's open list.
    forwarded_to: Mapped[str | None] = mapped_column(String(40), nullable=True)
    forwarded_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    forwarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SignalRow(SignalsBase):
    """One resident's signal as the council may see it: scrubbed, themed, placed, clustered."""

    __tablename__ = "signals_signals"
    __table_args__ = (
        Index("ix_signals_signals_council_month", "council", "month"),
        Index("ix_signals_signals_cluster_ts", "cluster_id", "ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    ref_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the reference number
    # sha256 of the submission's key (form nonce, caller:Idempotency-Key), never the key itself
    intake_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    channel: Mapped[str] = mapped_column(String(16))  # form / api / matrix
    text: Mapped[str] = mapped_column(Text)  # scrubbed; emptied when the resident erases the signal
    scrubbed_kinds: Mapped[str] = mapped_column(String(120), default="")  # kinds removed, no values
    wijk: Mapped[str | None] = mapped_column(String(WIJK), nullable=True)
    wijk_source: Mapped[str | None] = mapped_column(String(16), nullable=True)  # given / detected
    theme: Mapped[str] = mapped_column(String(THEME))  # primary theme (after corrections)
    themes: Mapped[str] = mapped_column(Text)  # JSON: [{"id", "confidence", "matched"}]
    theme_source: Mapped[str] = mapped_column(String(16), default="auto")  # auto / correction
    features: Mapped[str] = mapped_column(Text)  # JSON of clustering.SignalFeatures
    ts: Mapped[datetime] = mapped_column(UtcDateTime)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM in the council's time zone, for stats
    cluster_id: Mapped[int] = mapped_column(ForeignKey("signals_clusters.id"))
    status: Mapped[str] = mapped_column(String(16), default="ontvangen")
    status_note: Mapped[str | None] = mapped_column(Text, nullable=True)  # shown to the resident
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    contact_erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The outbox key of the thread post that shows this signal (alone, or with others of its burst);
    # None: not posted yet. An erasure redacts that post.
    posted_key: Mapped[str | None] = mapped_column(String(200), nullable=True)


class ContactRow(SignalsBase):
    """A resident's contact details, apart from the signal; only with consent to be told."""

    __tablename__ = "signals_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals_signals.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    informed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # E-mail on every change of the group's status, in the language the resident wrote in, with the link to
    # their status page (kept here, with the other contact details, and erased with them).
    language: Mapped[str] = mapped_column(String(8), default="nl", server_default="nl")
    status_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class QueuedSignalRow(SignalsBase):
    """A signal received and scrubbed but not grouped yet (``POST …/signals/queued``, answered 202):
    the intake job groups it and moves it to ``signals_signals`` in one transaction, so a restart
    between the two loses nothing and groups nothing twice. Like a stored signal it holds only the
    scrubbed text, and the reference and the submission's key as hashes; the contact details wait
    here until the signal exists (their status link, as in ``signals_contacts``)."""

    __tablename__ = "signals_queued"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL))
    ref_hash: Mapped[str] = mapped_column(String(64), unique=True)
    intake_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    scrubbed_kinds: Mapped[str] = mapped_column(String(120), default="")
    wijk: Mapped[str | None] = mapped_column(String(WIJK), nullable=True)
    wijk_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # JSON list: the streets of the addresses scrubbed out, as the signal's features will keep them
    # (clustering.home_streets); the job themes the signal and makes its features from these and the text.
    home: Mapped[str] = mapped_column(Text, default="[]")
    ts: Mapped[datetime] = mapped_column(UtcDateTime)  # received (what the signal's ts becomes)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # Grouping it failed this often (a defect, logged): such a row is kept and tried again at retry_at,
    # backing off, behind the new ones.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    contact_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    contact_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    contact_phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    contact_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    status_url: Mapped[str | None] = mapped_column(String(500), nullable=True)


class ClusterKeyRow(SignalsBase):
    """Blocking keys: candidates for a new signal are fetched per key, newest first, never all pairs."""

    __tablename__ = "signals_cluster_keys"
    __table_args__ = (
        Index("ix_signals_cluster_keys_lookup", "council", "key", "ts"),
        Index("ix_signals_cluster_keys_signal", "signal_id"),
    )

    council: Mapped[str] = mapped_column(String(COUNCIL), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals_signals.id", ondelete="CASCADE"), primary_key=True)
    ts: Mapped[datetime] = mapped_column(UtcDateTime)


class HeardRow(SignalsBase):
    """A member's 👍 on a card: "we heard this too". Once per member and cluster."""

    __tablename__ = "signals_heard"

    cluster_id: Mapped[int] = mapped_column(ForeignKey("signals_clusters.id"), primary_key=True)
    member: Mapped[str] = mapped_column(String(MATRIX_ID), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class GroupCorrectionRow(SignalsBase):
    """A member's correction of the grouping, kept: which group went into which, which signal was split off.
    The grouping uses them from then on through the signals' blocking keys, which move with the signals."""

    __tablename__ = "signals_group_corrections"
    __table_args__ = (UniqueConstraint("action_key", name="uq_signals_group_corrections_action_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # samenvoegen | afsplitsen
    from_cluster: Mapped[int] = mapped_column(Integer)
    into_cluster: Mapped[int] = mapped_column(Integer)
    signal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    member: Mapped[str | None] = mapped_column(String(MATRIX_ID), nullable=True)
    action_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ThemeCorrectionRow(SignalsBase):
    """A member's ``!thema`` correction, kept (they show where the keyword lists fall short)."""

    __tablename__ = "signals_theme_corrections"
    __table_args__ = (UniqueConstraint("action_key", name="uq_signals_theme_corrections_action_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("signals_clusters.id"), index=True)
    from_theme: Mapped[str] = mapped_column(String(THEME))
    to_theme: Mapped[str] = mapped_column(String(THEME))
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)  # of the theme it replaced
    member: Mapped[str | None] = mapped_column(String(MATRIX_ID), nullable=True)
    action_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConsultationRow(SignalsBase):
    """A resident consultation (``!raadpleging``): a question on a topic, answered at ``/raadpleging/<code>``."""

    __tablename__ = "signals_consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # the unguessable part of the public URL
    topic_id: Mapped[int] = mapped_column(Integer)  # deliberation's topic number in the council
    topic_title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[str] = mapped_column(Text, default="[]")  # JSON list; empty: an open question
    opens: Mapped[datetime] = mapped_column(UtcDateTime)
    closes: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    state: Mapped[str] = mapped_column(String(16), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    opened_by: Mapped[str | None] = mapped_column(String(MATRIX_ID), nullable=True)
    action_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)  # sha256 of the call's key
    # Where the announcement went: the topic's round thread (its outbox key), or the council's room.
    thread_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    answer_count: Mapped[int] = mapped_column(Integer, default=0)
    shown_count: Mapped[int] = mapped_column(Integer, default=0)  # the count the announcement shows now
    announce_version: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON of the final summary, no names
    outcome_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The summary reached deliberation as background of the topic (its rounds and decision list); None while
    # owed: a job sends it again until deliberation has it.
    background_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ConsultationAnswerRow(SignalsBase):
    """One resident's answer: scrubbed text, chosen option, wijk. Nothing here names the resident."""

    __tablename__ = "signals_consultation_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("signals_consultations.id"), index=True)
    ref_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the resident's reference
    intake_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)  # sha256 of the nonce
    option: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 0-based
    text: Mapped[str] = mapped_column(Text, default="")  # scrubbed; emptied on erasure
    scrubbed_kinds: Mapped[str] = mapped_column(String(120), default="")
    wijk: Mapped[str | None] = mapped_column(String(WIJK), nullable=True)
    ts: Mapped[datetime] = mapped_column(UtcDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ConsultationContactRow(SignalsBase):
    """Contact details left with an answer, apart from it; only with consent, erased once the outcome is sent."""

    __tablename__ = "signals_consultation_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("signals_consultation_answers.id", ondelete="CASCADE"),
                                           unique=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PatternRow(SignalsBase):
    """A pattern across neighbourhoods (domain/patterns.py) whose card is in the signals room: kept so the card
    is edited, not posted again, and so ``!agenderen`` in its thread knows which groups it stands for."""

    __tablename__ = "signals_patterns"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # stable: patterns.find_patterns(known=…)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    theme: Mapped[str] = mapped_column(String(THEME))
    group_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON: cluster ids
    wijken: Mapped[str] = mapped_column(Text, default="[]")  # JSON: as written
    data: Mapped[str] = mapped_column(Text, default="{}")  # JSON of Pattern.to_dict(), for the API and the agenda
    card_version: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: no longer a pattern in the window
    topic_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # !agenderen
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SignupEventRow(SignalsBase):
    """A bewonersavond (or consultation evening) opened for residents to sign up (``!bewonersavond``): the event's
    facts as the calendar service gave them, and its public page ``/bewonersavond/<code>``."""

    __tablename__ = "signals_signup_events"
    # One list per meeting: a single event has one ("" below), a series one per meeting opened (its day).
    __table_args__ = (UniqueConstraint("council", "event_number", "meeting", name="uq_signals_signup_events_meeting"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(COUNCIL), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    event_number: Mapped[int] = mapped_column(Integer)  # the calendar's number of the event in the council
    meeting: Mapped[str] = mapped_column(String(10), default="", server_default="")  # a series' meeting: its day
    event_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(300), default="")
    starts: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    capacity: Mapped[int] = mapped_column(Integer)
    opened_by: Mapped[str | None] = mapped_column(String(MATRIX_ID), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The calendar's feeds show the places left: every change of the numbers raises ``calendar_version`` in its
    # transaction; the job PUTs the numbers to the calendar and records the version it answered 2xx for. Owed
    # while ``calendar_sent < calendar_version``; after a failure not before ``calendar_retry_at``.
    calendar_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    calendar_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    calendar_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    calendar_retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SignupRow(SignalsBase):
    """One place (or a place on the waiting list): nothing here names the resident."""

    __tablename__ = "signals_signups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("signals_signup_events.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the cancellation link's token
    email_key: Mapped[str] = mapped_column(String(64))  # sha256 of the normalised address (no double sign-ups)
    intake_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)  # sha256 of the nonce
    state: Mapped[str] = mapped_column(String(16))
    signed_up: Mapped[datetime] = mapped_column(UtcDateTime)
    moved_up: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancelled: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reminded: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SignupContactRow(SignalsBase):
    """The address a sign-up's e-mails go to, apart from the list; erased on cancelling and after the event."""

    __tablename__ = "signals_signup_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("signals_signups.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="nl")


RUNTIME_MODELS = make_runtime_models(SignalsBase, "signals")
MAIL_MODEL = make_mail_model(SignalsBase, "signals")  # residents' e-mails wait here until sent
