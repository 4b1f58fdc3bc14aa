"""Bodies, queries and responses of the deliberation API.

Limits are strict on purpose: every number is bounded (no huge ints reach the database), every date
lies in a sane range (no overflow when six weeks are added), every string is a ``Text`` (bounded, no
control characters). Where the domain has a friendlier message for a value (a score outside 1–5, an
empty proposal), the model lets the value through and the domain refuses it with that message.
"""
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from services.deliberation.domain.agenda import MAX_TITLE_LENGTH
from services.deliberation.domain.background import KEY_MAX, SOURCE_MAX, TEXT_MAX, TITLE_MAX
from services.deliberation.domain.roster import MATRIX_ID_MAX, MATRIX_ID_RE
from shared.api import MAX_ID, Model, OutModel, Text

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2199, 12, 31)

# The date range as a JSON-schema pattern, so /openapi.json says exactly which dates are accepted: a calendar
# date (days per month, leap years: 2000 is one, 2100 is not) in the years 2000-2199. ``[0-9]``, not ``\d``,
# which in Python matches every Unicode digit.
_YEAR = r"(?:20|21)[0-9]{2}"
_LEAP_YEAR = r"(?:20(?:0[048]|[2468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))"
_MONTH_DAY = (r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
              r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
              r"|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_DATE = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
DATE_PATTERN = rf"^{_DATE}$"
# An aware date-time: the date as above, a time (seconds and up to six decimals optional) and Z or an offset.
DATETIME_PATTERN = (rf"^{_DATE}T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{{1,6}})?)?"
                    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$")


def _to_date(value: str) -> date:
    day = date.fromisoformat(_no_final_newline(value))
    if not MIN_DATE <= day <= MAX_DATE:  # the pattern already says so; kept as a guard
        raise ValueError(f"date must lie between {MIN_DATE} and {MAX_DATE}")
    return day


def _to_datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(_no_final_newline(value))
    if moment.tzinfo is None:
        raise ValueError("a time zone (Z or an offset) is required")
    _to_date(moment.date().isoformat())
    return moment


def _no_final_newline(value: str) -> str:
    # JSON Schema patterns are checked with Python's ``re`` here and by clients, where "$" also matches before
    # one final newline: "2026-01-01\n" fits the pattern, so it is accepted as "2026-01-01".
    return value[:-1] if value.endswith("\n") else value


def _integral(value: Any) -> Any:
    # JSON Schema counts 25351.0 as an integer; accept it as 25351 (bools and fractions stay refused).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def Integer(ge: int, le: int) -> Any:  # noqa: N802 - reads like a type
    """A bounded JSON integer: minimum/maximum in the schema; 7.0 counts as 7, true and 7.5 are refused."""
    # The bounds sit inside the before-validator, or pydantic writes them as "ge"/"le", which JSON Schema ignores.
    return Annotated[StrictInt, Field(ge=ge, le=le), BeforeValidator(_integral)]


Id = Integer(1, MAX_ID)
SmallInt = Integer(-MAX_ID, MAX_ID)  # the domain checks the real range
Day = Annotated[str, StringConstraints(pattern=DATE_PATTERN), AfterValidator(_to_date)]
Moment = Annotated[str, StringConstraints(pattern=DATETIME_PATTERN), AfterValidator(_to_datetime)]
# A Matrix user id, as the domain checks it (roster.validate_matrix_id): "@localpart:server[:port]".
MATRIX_ID_PATTERN = r"^" + MATRIX_ID_RE.pattern + r"$"
MatrixId = Annotated[str, StringConstraints(min_length=1, max_length=MATRIX_ID_MAX, pattern=MATRIX_ID_PATTERN),
                     AfterValidator(_no_final_newline)]
# The same, or "" for "none given" (forms send an empty field).
OptionalMatrixId = Annotated[str, StringConstraints(max_length=MATRIX_ID_MAX,
                                                    pattern=r"^(?:" + MATRIX_ID_RE.pattern + r")?$"),
                            AfterValidator(_no_final_newline)]
MemberTypeName = Literal["huurder", "koper", "ondernemer"]
Language = Literal["nl", "en"]


class In(Model):
    """Request bodies: unknown fields refused (``Model``); patterns are matched as JSON Schema clients match them
    (Python ``re``, the engine of ``jsonschema`` and of schemathesis), not with the Rust engine, whose "$" differs."""

    model_config = ConfigDict(regex_engine="python-re")


class Query(BaseModel):
    """Query strings: unknown parameters are ignored (caches and browsers add their own)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, regex_engine="python-re")


# --------------------------------------------------------------------------- roster


class MemberIn(In):
    matrix_id: MatrixId
    display_name: Text(120) = ""
    member_type: Text(20, 1)
    customer_group: Text(80) = ""
    seat_id: Id | None = None
    secretary: StrictBool = False
    language: Language = "nl"
    term_start: Day | None = None
    term_end: Day | None = None
    actor: MatrixId | None = None  # the secretary, when the bot adds a member (!lid)


class MemberPatch(In):
    display_name: Text(120) | None = None
    member_type: Text(20, 1) | None = None
    customer_group: Text(80) | None = None
    seat_id: Id | None = None  # explicit null takes the seat away
    term_end: Day | None = None
    secretary: StrictBool | None = None
    language: Language | None = None


class PersonOut(OutModel):
    matrix_id: str
    display_name: str


class MemberOut(OutModel):
    matrix_id: str
    display_name: str
    member_type: str
    member_type_label: str
    customer_group: str
    seat_id: int | None
    term_start: date
    term_end: date | None
    secretary: bool
    language: str
    serving: bool  # within their term today
    in_chat: bool = True  # False: appointed, not in the council's room yet ("nog niet in de chat")


class SeatIn(In):
    age_band: Text(80) = ""
    area: Text(80) = ""
    background: Text(80) = ""


class SeatOut(OutModel):
    id: int
    group: str
    age_band: str
    area: str
    background: str
    holder: PersonOut | None
    upcoming_holder: PersonOut | None


class RosterOut(OutModel):
    council: str
    max_seats: int
    members: list[MemberOut]
    seats: list[SeatOut]
    vacant_seats: list[int]
    unrepresented_groups: list[str]
    members_without_seat: list[PersonOut]


class ApplicationIn(In):
    """What anyone may send to apply: small on purpose."""

    name: Text(120, 1)
    member_type: MemberTypeName
    contact: Text(254) | None = None
    motivation: Text(2000) | None = None
    matrix_id: OptionalMatrixId | None = None


class ApplicationReceipt(OutModel):
    id: int
    status: str


class ApplicationOut(OutModel):
    id: int
    name: str
    member_type: str
    matrix_id: str | None
    contact: str | None
    motivation: str | None
    status: str
    status_label: str
    received_on: date
    decided_on: date | None
    seat_id: int | None
    note: str | None = None  # the selection committee's reasons


class ApplicationStatusIn(In):
    """The selection committee's decision, recorded by the secretary (``!selectie``) or the admin tools."""

    status: Literal["gesprek", "benoemd", "niet_benoemd"]
    seat_id: Id | None = None
    term_end: Day | None = None
    matrix_id: OptionalMatrixId | None = None
    language: Language = "nl"
    actor: OptionalMatrixId | None = None  # required from the bot: the secretary who records it
    note: Text(1000) | None = None  # the committee's reasons, in a few words


class ApplicationQuery(Query):
    status: Literal["ontvangen", "gesprek", "benoemd", "niet_benoemd"] | None = None
    actor: OptionalMatrixId | None = None  # required from the bot: only the secretary sees applications


class JoinedIn(In):
    """The bot saw this person join the council's room."""

    matrix_id: MatrixId


class JoinedOut(OutModel):
    matrix_id: str
    member: bool  # on the council's roster
    welcomed: bool  # they had been appointed and waited for: the welcome and the DM went out now


class AbsenceIn(In):
    actor: MatrixId
    round_id: Id | None = None
    meeting_id: Text(64, 1) | None = None
    scenarios_id: Id | None = None  # a scenario round (co-creation)


class AbsenceOut(OutModel):
    matrix_id: str
    display_name: str
    occasion: str
    noted_on: date


class AbsenceQuery(Query):
    occasion: Text(64) | None = None


# --------------------------------------------------------------------------- agenda


class TopicIn(In):
    title: Text(MAX_TITLE_LENGTH)
    source: Text(32) = "eigen_initiatief"
    mode: Text(32) = "cocreatie"
    importance: SmallInt | None = None
    influence: SmallInt | None = None
    source_ref: Text(200, 1) | None = None
    evidence: Text(4000) | None = None
    actor: MatrixId | None = None


class ActorIn(In):
    actor: MatrixId | None = None


class BackgroundIn(In):
    """A background note on a topic from another service (a residents' consultation's summary) or the operator.
    ``key`` is the source's stable key: posting the same key again replaces the note, never adds a second."""

    source: Text(SOURCE_MAX, 1)  # one lowercase word: "raadpleging", "admin" (the domain checks it)
    key: Text(KEY_MAX, 1)
    title: Text(TITLE_MAX, 1)
    text: Text(TEXT_MAX, 1)


class BackgroundOut(OutModel):
    topic_id: int
    source: str
    key: str
    title: str
    text: str
    added_on: date
    line: str  # the one-line view members see in a round: "Achtergrond: <title> — <first ~300 characters>"
    created: bool = False  # on POST: False when the key was known (the note was replaced or kept)


class TextErasureIn(In):
    """A resident erased a signal: its text goes from a signal-cluster topic's evidence and title."""

    fragments: list[Text(4000, 3)] = Field(min_length=1, max_length=10)  # the text as it may appear
    replacement: Text(200, 1)  # what stands where it stood
    title: Text(MAX_TITLE_LENGTH, 1) | None = None  # the title without it, used when the title came from it


class ScoreIn(In):
    importance: SmallInt
    influence: SmallInt
    actor: MatrixId | None = None


class ModeIn(In):
    mode: Text(32)
    actor: MatrixId | None = None


class AdviceRequestIn(In):
    received_on: Day
    period_weeks: Integer(-1000, 104) | None = None


class AdviceIn(In):
    text: Text(20_000)
    sent_on: Day


class BoardReplyIn(In):
    text: Text(20_000)
    received_on: Day
    deviates: StrictBool


class CheckIn(In):
    due_on: Day
    description: Text(4000)


class CheckResultIn(In):
    note: Text(4000)
    checked_on: Day


class AdviceOut(OutModel):
    request_received_on: date
    deadline: date
    advice_text: str | None
    advice_sent_on: date | None
    sent_late: bool
    reply_text: str | None
    reply_received_on: date | None
    reply_due_on: date | None
    reply_deviates: bool | None
    late_deviation: bool  # deviating reply later than 14 days after the advice


class CheckOut(OutModel):
    id: int
    due_on: date
    description: str
    result_note: str | None
    checked_on: date | None


class DecisionOut(OutModel):
    round_id: int
    text: str
    version: int
    decided_at: datetime
    decided_on: date
    thread_url: str | None


class TopicOut(OutModel):
    id: int
    title: str
    source: str
    source_ref: str | None
    evidence: str | None
    mode: str
    mode_label: str
    status: str
    status_label: str
    importance: float | None  # the council's median once members scored, else the first estimate
    influence: float | None
    score: float | None
    scored_by: int  # how many members gave their own score
    score_line: str
    created_at: datetime
    open_round_id: int | None
    advice: AdviceOut | None
    checks: list[CheckOut]
    decision: DecisionOut | None  # when the council reached agreement on it


class TopicQuery(Query):
    status: Text(32) | None = None


class AgendaItem(OutModel):
    rank: int
    id: int
    title: str
    status: str
    status_label: str
    mode: str
    importance: float | None  # the council's median once members scored
    influence: float | None
    scored_by: int
    score_line: str
    open_round_id: int | None
    open_scenarios_id: int | None = None  # its open scenario round (co-creation), if any
    # Influence on the record: what the council expected when work started (else the current median) and,
    # once the secretary recorded it, the realised influence (1-5).
    expected_influence: float | None = None
    realised_influence: int | None = None


class InfluenceAveragesOut(OutModel):
    """Averages over the topics that have the figure; ``difference`` (realised minus expected) only over topics
    that have both."""

    expected: float | None
    realised: float | None
    difference: float | None


class AgendaOut(OutModel):
    council: str
    cap: int
    active: list[AgendaItem]
    waiting: list[AgendaItem]
    influence_year: int | None = None  # the current year, of ``influence``
    influence: InfluenceAveragesOut | None = None  # expected against realised influence on average this year


# --------------------------------------------------------------------------- rounds


class RoundOpenIn(In):
    topic_id: Id
    proposal: Text(25_000)
    actor: MatrixId
    deadline: Moment | None = None  # an exact moment (partners); members choose a day:
    deadline_day: Day | None = None  # the deadline falls at the end of this day (23:59 local)


class PositionIn(In):
    actor: MatrixId
    position: Text(20, 1)
    text: Text(25_000) | None = None


class WithdrawIn(In):
    actor: MatrixId
    objection_id: Id | None = None


class ResolveIn(In):
    actor: MatrixId
    # Required from the secretary or opener; the objector may leave it out (their new version resolved it).
    note: Text(25_000) | None = None


class AmendIn(In):
    actor: MatrixId
    text: Text(25_000)


class RoundActorIn(In):
    actor: MatrixId


class DeadlineIn(In):
    """A new deadline: the end of ``day`` (23:59 local), or an exact ``deadline``."""

    actor: MatrixId
    deadline: Moment | None = None
    day: Day | None = None


class AbandonIn(In):
    actor: MatrixId
    reason: Text(4000) | None = None


class ConcernOut(OutModel):
    matrix_id: str
    display_name: str
    text: str


class ObjectionOut(OutModel):
    id: int
    matrix_id: str
    display_name: str
    argument: str
    version: int = 1  # the version objected to
    # A newer version is on the table and the objector is asked whether it resolves the objection.
    asked_about_version: int | None = None


class RoundOut(OutModel):
    id: int
    topic_id: int
    topic_title: str
    state: str
    state_label: str
    phase: str
    phase_label: str
    version: int
    proposal: str
    opener: PersonOut
    deadline: datetime
    deadline_passed: bool
    not_responded: list[PersonOut]
    absent: list[PersonOut]
    # Appointed, not in the council's room yet: not waited for, not counted for the quorum.
    not_in_chat: list[PersonOut] = []
    concerns: list[ConcernOut]
    open_objections: list[ObjectionOut]
    info_requested: list[ConcernOut]
    quorum_shortfall: int
    can_record_agreement: bool
    thread_key: str
    thread_url: str | None
    duplicate: bool = False  # the same command (idempotency key) was applied before
    # The objection this command raised (a position ``bezwaar``); None for every other command.
    objection_id: int | None = None
    # The topic's background notes (a consultation's summary, ...), oldest first, and the short lines a status
    # view shows for the newest few ("Achtergrond: ..."), in the caller's language.
    background: list[BackgroundOut] = []
    background_lines: list[str] = []


class RoundQuery(Query):
    state: Literal["open", "akkoord", "gestopt"] | None = None
    topic_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class ThreadQuery(Query):
    key: Text(200, 1)  # a thread root's outbox key


class ThreadOut(OutModel):
    """What a thread is about: a round (``round``) or an advice trajectory (``advice``), by its number in the
    council. Threads opened before numbers per council have keys with a global id (``delib:round:<id>``): a
    caller resolves those here instead of reading the digits."""

    kind: Literal["round", "advice", "scenarios"]
    id: int
    thread_key: str


class EventOut(OutModel):
    seq: int
    type: str
    actor: str
    at: datetime
    data: dict[str, Any]


# --------------------------------------------------------------------------- register and deadlines


class PeriodQuery(Query):
    start: Day | None = Field(default=None, alias="from")
    end: Day | None = Field(default=None, alias="to")


class RegisterQuery(PeriodQuery):
    topic_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    q: Text(100) | None = None  # only entries whose title, text, concerns or objections hold every word
    order: Literal["oldest", "newest"] = "oldest"


class ExportQuery(RegisterQuery):
    format: Literal["markdown", "html"] = "markdown"


class PositionOut(OutModel):
    matrix_id: str
    display_name: str
    position: str
    position_label: str
    text: str | None


class ObjectionRecordOut(OutModel):
    """An objection raised in the round, and how it ended: resolved (with the note), withdrawn, or resolved by a
    new version of the proposal."""

    id: int
    matrix_id: str
    display_name: str
    argument: str
    version: int
    status: str
    status_label: str
    note: str | None
    resolved_in_version: int | None = None
    closed_by: PersonOut | None = None


class RegisterEntryOut(OutModel):
    round_id: int
    topic_id: int
    topic_title: str
    text: str
    version: int
    decided_at: datetime
    decided_on: date
    decided_by: PersonOut
    positions: list[PositionOut]
    absent: list[PersonOut]
    thread_url: str | None
    objections: list[ObjectionRecordOut] = []
    # What changed because of the council on this topic (realised influence, oldest first).
    influence: list["InfluenceRecordOut"] = []
    # The topic's background notes (a residents' consultation's summary, ...), oldest first.
    background: list[BackgroundOut] = []


class DeadlineOut(OutModel):
    uid: str  # stable, for calendar feeds
    kind: Literal["advice_deadline", "board_reply_due", "realisation_check"]
    date: date
    title: str
    topic_id: int
    topic_title: str
    done: bool


# --------------------------------------------------------------------------- advice trajectories

ChatDay = Text(40)  # a day as members type it (12-3-2026, 2026-03-12, vandaag); the domain reads it


class AdviceOpenIn(In):
    topic_id: Id
    title: Text(MAX_TITLE_LENGTH)
    received: ChatDay | None = None  # default: today
    kind: Literal["advies", "instemming"] = "advies"
    actor: MatrixId | None = None


class DraftIn(In):
    actor: MatrixId
    proposal: Text(25_000)
    deadline_day: Day | None = None


class AdviceSentIn(In):
    actor: MatrixId | None = None
    on: ChatDay | None = None


class AdviceReplyIn(In):
    actor: MatrixId | None = None
    kind: Text(20, 1)  # volgt | wijktaf
    text: Text(20_000) | None = None
    on: ChatDay | None = None


class AdviceCheckPlanIn(In):
    actor: MatrixId | None = None
    on: Text(40, 1)


class AdviceOutcomeIn(In):
    actor: MatrixId | None = None
    outcome: Text(20, 1)  # uitgevoerd | deels | niet
    note: Text(4000) | None = None


class AdviceCheckOut(OutModel):
    number: int
    due_on: date
    outcome: str | None
    outcome_label: str | None
    note: str | None
    checked_on: date | None


class TrajectoryOut(OutModel):
    id: int
    title: str
    kind: str
    kind_label: str
    topic_id: int
    topic_title: str
    topic_mode: str
    stage: str
    stage_label: str
    open: bool
    next_date: date | None
    received_on: date
    deadline: date
    round_id: int | None
    agreed_on: date | None
    agreed_version: int | None
    sent_on: date | None
    sent_late: bool
    reply_due_on: date | None
    reply: str | None
    reply_label: str | None
    reply_text: str | None
    reply_on: date | None
    reply_late: bool
    late_deviation: bool
    reply_overdue: bool
    checks: list[AdviceCheckOut]
    thread_key: str
    created: bool = True


class DraftOut(OutModel):
    advice: TrajectoryOut
    round: RoundOut


class AdviceQuery(Query):
    # open: the open trajectories, oldest next date first (!adviezen); all: every one, by number
    state: Literal["open", "all"] = "all"


# --------------------------------------------------------------------------- scenario rounds (co-creation)


class ScenariosOpenIn(In):
    topic_id: Id
    title: Text(25_000)  # the domain asks for one when empty, and refuses one too long with its own message
    actor: MatrixId
    deadline: Moment | None = None
    deadline_day: Day | None = None


class OptionIn(In):
    actor: MatrixId
    text: Text(25_000)
    source: Literal["bestuur", "raad"] = "raad"  # the board's own scenario, or the council's


class OptionAmendIn(In):
    actor: MatrixId
    text: Text(25_000)


class OptionsMergeIn(In):
    actor: MatrixId
    options: Annotated[list[Id], Field(min_length=1, max_length=20)]
    text: Text(25_000)


class OptionPositionIn(In):
    actor: MatrixId
    option: Id
    position: Text(20, 1)
    text: Text(25_000) | None = None


class PreferenceIn(In):
    actor: MatrixId
    option: Id | None = None  # None: take one's preference back


class ScenarioObjectionIn(In):
    """Withdraw (``!intrekken``) or resolve (``!opgelost``) an objection: by number, or one's own (on ``option``)."""

    actor: MatrixId
    option: Id | None = None
    objection_id: Id | None = None
    note: Text(25_000) | None = None


class ScenarioDecideIn(In):
    actor: MatrixId
    option: Id


class ScenarioInputIn(In):
    actor: MatrixId
    note: Text(4000) | None = None


class ScenarioQuery(Query):
    state: Literal["open", "akkoord", "meegedacht", "gestopt"] | None = None
    topic_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class ScenarioObjectionOut(OutModel):
    id: int
    matrix_id: str
    display_name: str
    argument: str
    raised_option: int  # where it was raised (it moves along when that option is merged)
    raised_version: int
    asked_about_version: int | None = None  # carried over to a new version or a merge: the objector is asked


class OptionOut(OutModel):
    """One open option: names and texts, never a count."""

    option: int
    version: int
    text: str
    source: str
    source_label: str
    merged_from: list[int]
    not_responded: list[PersonOut]
    open_objections: list[ScenarioObjectionOut]
    concerns: list[ConcernOut]
    info_requested: list[ConcernOut]
    preferred_by: list[PersonOut]
    unopposed: bool  # nobody objects to it now
    can_record_agreement: bool


class MergedOptionOut(OutModel):
    option: int
    text: str
    merged_into: int


class OptionOutcomeOut(OutModel):
    option: int
    text: str
    version: int
    source: str
    source_label: str
    merged_from: list[int]
    merged_into: int | None
    positions: list[PositionOut]
    open_objections: list[ScenarioObjectionOut]
    concerns: list[ConcernOut]
    preferred_by: list[PersonOut]


class ScenarioObjectionRecordOut(OutModel):
    """Every objection raised in the scenario round, and how it ended."""

    id: int
    matrix_id: str
    display_name: str
    argument: str
    option: int  # the option it stands (or stood) against
    raised_option: int
    raised_version: int
    status: str
    status_label: str
    note: str | None
    resolved_in_version: int | None = None


class InfluenceRecordOut(OutModel):
    score: int
    what_changed: str
    kind: str
    kind_label: str
    kind_given: bool
    basis: str | None
    recorded_on: date
    recorded_by: PersonOut


class ScenarioOutcomeOut(OutModel):
    """How a scenario round ended: agreement on one option (``akkoord``) or the council's view on every option as
    co-creation input for the board (``meegedacht``). The decision list's record."""

    round_id: int
    topic_id: int
    topic_title: str
    title: str
    kind: str
    kind_label: str
    decided_at: datetime
    decided_on: date
    decided_by: PersonOut
    agreed_option: int | None
    options: list[OptionOutcomeOut]
    objections: list[ScenarioObjectionRecordOut]
    absent: list[PersonOut]
    note: str | None
    thread_url: str | None
    influence: list[InfluenceRecordOut] = []  # what changed because of the council on this topic
    background: list[BackgroundOut] = []  # the topic's background notes (a consultation's summary, ...)


class ScenarioRoundOut(OutModel):
    id: int
    topic_id: int
    topic_title: str
    title: str
    state: str
    state_label: str
    phase: str
    phase_label: str
    opener: PersonOut
    deadline: datetime | None
    deadline_passed: bool
    options: list[OptionOut]  # the open options, by number
    merged: list[MergedOptionOut]
    unopposed: list[int]  # the open options nobody objects to
    decidable: list[int]  # the options on which agreement can be recorded now
    absent: list[PersonOut]
    not_in_chat: list[PersonOut] = []
    quorum_shortfall: int
    agreed_option: int | None
    thread_key: str
    thread_url: str | None
    outcome: ScenarioOutcomeOut | None = None
    duplicate: bool = False
    objection_id: int | None = None  # the objection this command raised
    option: int | None = None  # the option this command added, amended or merged into


class ScenarioRegisterQuery(PeriodQuery):
    topic_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    order: Literal["oldest", "newest"] = "oldest"


# --------------------------------------------------------------------------- influence on the record


class InfluenceIn(In):
    """``!invloed``: the realised influence (1-5) and what changed, with the board's answer or the realisation
    check. ``kind`` (overgenomen, aangepast, niet-overgenomen) is derived from the score when left out."""

    actor: MatrixId | None = None  # the secretary (the bot always names them)
    score: SmallInt
    what_changed: Text(25_000)
    kind: Text(32) | None = None
    basis: Literal["bestuursreactie", "realisatietoets"] | None = None
    on: Day | None = None  # the day of the record (today when left out)


class InfluenceQuery(Query):
    year: Annotated[int, Field(ge=2000, le=2199)] | None = None


class TopicInfluenceOut(OutModel):
    topic_id: int
    title: str
    mode: str
    mode_label: str
    status: str
    started_on: date
    year: int
    expected: float | None
    realised: int | None
    difference: float | None
    kind: str | None
    kind_label: str | None
    what_changed: str | None
    records: list[InfluenceRecordOut]


class ModeInfluenceOut(InfluenceAveragesOut):
    mode: str
    mode_label: str
    topic_ids: list[int]


class InfluenceOverviewOut(OutModel):
    council: str
    year: int
    topics: list[TopicInfluenceOut]
    averages: InfluenceAveragesOut
    per_mode: list[ModeInfluenceOut]
    awaiting: list[int]  # topics without realised influence yet


RegisterEntryOut.model_rebuild()
