"""Request and response models of the signals API (validated, serialised and documented in
``/openapi.json`` by :mod:`shared.api`)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, ConfigDict, Field, StrictBool, StringConstraints

from shared.api import Model, OutModel, Text

Months = Annotated[int, Field(ge=1, le=60)]
# A Matrix user id, "@localpart:server[:port]": the rule deliberation applies to a topic's actor, so
# a member deliberation would refuse is refused here by the schema, not passed on as its 400.
MATRIX_ID_PATTERN = (r"^@[\x21-\x39\x3b-\x7e]+:(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
                     r"(?::[0-9]{1,5})?$")


def _no_final_newline(value: str) -> str:
    # The pattern is checked with Python's ``re`` (here, by deliberation and by clients), where "$"
    # also matches before one final newline: "@a:b\n" fits, and is taken as "@a:b".
    return value[:-1] if value.endswith("\n") else value


MatrixId = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=MATRIX_ID_PATTERN),
                     AfterValidator(_no_final_newline)]


class ContactIn(Model):
    name: Text(300) | None = None
    email: Text(300) | None = None
    phone: Text(60) | None = None
    consent: StrictBool = False
    language: Literal["nl", "en"] | None = None  # e-mails to the resident come in it (else the council's)


class SignalIn(Model):
    # Empty is refused by the schema; whitespace-only or invisible-only text, and the 5,000-character
    # rule (checked after trimming), are rule refusals with their own message (422).
    text: Text(20_000, 1)
    wijk: Text(120) | None = None
    contact: ContactIn | None = None
    received_at: AwareDatetime | None = None  # when a partner received it (defaults to now)


class ThemeOut(OutModel):
    id: str
    label: str
    confidence: float
    matched: list[str]


class SignalOut(OutModel):
    id: int
    cluster_id: int  # the signal group's number within the council
    channel: str
    text: str  # scrubbed
    personal_data_removed: list[str]
    wijk: str | None
    wijk_source: str | None
    theme: str
    theme_source: str
    themes: list[ThemeOut]
    status: str
    status_text: str | None
    received_at: datetime
    erased: bool


class ReceiptOut(OutModel):
    reference: str
    status_url: str
    duplicate: bool
    new_cluster: bool
    cluster_size: int
    signal: SignalOut


class QueuedReceiptOut(OutModel):
    """A signal received for grouping afterwards: the reference the resident gets, nothing of its group yet."""
    reference: str
    status_url: str  # the resident's page; opening it before the job ran groups the signal then
    duplicate: bool  # the same Idempotency-Key was received before (queued or already grouped)
    state: str  # "queued"


class ClusterOut(OutModel):
    id: int  # the council's own number for this signal group, from 1 (the URLs take it too)
    card_key: str
    room: str
    theme: str
    theme_label: str
    theme_corrected: bool
    wijk: str | None
    signal_count: int
    heard_count: int
    first_at: datetime
    last_at: datetime
    topic_id: int | None
    topic_status: str | None
    agendered_at: datetime | None
    outcome_text: str | None
    outcome_date: date | None
    closed_at: datetime | None
    merged_into: int | None = None  # the group it went into (!samenvoegen)
    split_from: int | None = None  # the group it was split off from (!afsplitsen)
    forwarded_to: str | None = None  # the bewonerscommissie it was handed to (!doorsturen), by name
    forwarded_at: datetime | None = None


class CorrectionOut(OutModel):
    from_theme: str
    to_theme: str
    member: str | None
    at: datetime


class ClusterDetail(ClusterOut):
    wijken: list[str]
    heard_by: list[str]
    corrections: list[CorrectionOut]
    signals: list[SignalOut]


class ClusterQuery(Model):
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class ThemeIn(Model):
    theme: Text(64, 1)
    actor: Text(255) | None = None


class HeardIn(Model):
    member: Text(255, 1)


class AgendaIn(Model):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    actor: MatrixId | None = None


class MergeIn(Model):
    """``!samenvoegen <groep-nr>``: the group named goes into the group of the URL."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    group: int = Field(ge=1, le=2**31 - 1)
    actor: MatrixId | None = None


class SplitIn(Model):
    """``!afsplitsen <signaal-nr>``: the signal leaves the group of the URL for a group of its own."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    signal_id: int = Field(ge=1, le=2**63 - 1)
    actor: MatrixId | None = None


class ChangeOut(OutModel):
    changed: bool
    cluster: ClusterOut


class TaxonomyTheme(OutModel):
    id: str
    label: str
    keywords: list[str]


class StatsQuery(Model):
    months: Months = 12


class ChartQuery(Model):
    months: Months = 12
    lang: Literal["nl", "en"] | None = None


class Count(OutModel):
    key: str
    label: str
    count: int


class MonthOut(OutModel):
    month: str
    total: int
    themes: dict[str, int]


class StatsOut(OutModel):
    council: str
    since: str
    total: int
    themes: list[Count]
    neighbourhoods: list[Count]
    months: list[MonthOut]


class ChartIn(Model):
    room_id: Text(255, 1)
    thread_event_id: Text(255, 1)
    reply_to_event_id: Text(255) | None = None
    months: Months = 12
    lang: Literal["nl", "en"] | None = None


class ChartQueued(OutModel):
    key: str


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- resident consultations
class ConsultationIn(Model):
    """``!raadpleging``: either ``command`` (what follows the command word, parsed by the service:
    ``<onderwerp-nr> <vraag> [opties: a | b | c] [tot <datum>]``) or the structured fields."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    command: Text(2000, 1) | None = None
    topic_id: Annotated[int, Field(ge=1, le=10**9)] | None = None
    question: Text(2000) | None = None
    options: list[Text(200)] = Field(default_factory=list, max_length=10)
    closes_on: date | None = None  # the last day answers are accepted (council's time zone)
    actor: MatrixId | None = None


class OptionCountOut(OutModel):
    option: str
    count: int


class ConsultationOut(OutModel):
    code: str
    url: str
    topic_id: int
    topic_title: str
    question: str
    options: list[str]
    opens: datetime
    closes: datetime
    last_day: date
    state: Literal["open", "closed"]
    answers: int
    per_option: list[OptionCountOut]
    thread_key: str | None  # the topic's round thread it was announced in (None: the council's room)
    created: bool = False
    # Once closed: one plain paragraph for the background of the topic's rounds and its decision.
    background: str | None = None


class ConsultationQuery(Model):
    topic_id: Annotated[int, Field(ge=1, le=10**9)] | None = None


# --------------------------------------------------------------------------- bewonerscommissies and patterns
class ForwardIn(Model):
    """``!doorsturen [commissie]``: to the commissie of the group's place, or the one named (its id or name)."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    commissie: Text(200) | None = None
    actor: MatrixId | None = None


class ForwardOut(OutModel):
    changed: bool
    commissie: str  # its name
    by_room: bool
    by_email: bool
    cluster: ClusterOut


class PatternGroupOut(OutModel):
    number: int | None
    wijk: str | None
    count: int


class PatternOut(OutModel):
    id: str
    card_key: str
    theme: str
    theme_label: str
    wijken: list[str]
    groups: list[PatternGroupOut]
    topic_id: int | None


class PatternAgendaOut(OutModel):
    changed: bool
    pattern: PatternOut


# --------------------------------------------------------------------------- bewonersavond sign-up
class SignupEventIn(Model):
    """The event's facts as the calendar service gives them (``GET /events/<nr>``; other fields are ignored)."""

    model_config = ConfigDict(extra="ignore")

    number: Annotated[int, Field(ge=1, le=10**9)]
    type: Text(40, 1)
    title: Text(300, 1)
    start: Text(40, 1)
    location: Text(400) = ""
    capacity: Annotated[int, Field(ge=1, le=1000)] | None = None
    meeting: date | None = None  # a series: the day of the meeting that opens (``start`` is that meeting's)


class SignupMeetingQuery(Model):
    meeting: date | None = None  # a series: that meeting's sign-up; else the next one open


class SignupOpenIn(Model):
    """``!bewonersavond <event-nr> [plaatsen <n>]``: open the event for residents to sign up (again: update)."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    event: SignupEventIn
    capacity: Annotated[int, Field(ge=1, le=1000)] | None = None  # else the event's own
    actor: MatrixId | None = None


class SignupOut(OutModel):
    code: str
    url: str
    event_number: int
    title: str
    starts: datetime
    capacity: int
    confirmed: int
    waiting: int
    places_left: int
    places_text: str  # "Nog 3 van 40 plaatsen vrij." / "Vol: …; 2 op de wachtlijst." (the chat and a feed)
    created: bool = False
    meeting: date | None = None  # a series' meeting (its day); None for a single event
