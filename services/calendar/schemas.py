"""Request and response models of the calendar API (validated, serialised and documented in
``/openapi.json`` by :mod:`shared.api`)."""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field

from services.calendar.domain.events import EventType, Frequency, Invitee, Recurrence, Weekday
from shared.api import Model, OutModel, Text
from shared.errors import InvalidInput
from shared.membership import MatrixId


# --------------------------------------------------------------------------------------------
# bodies

WeekdayName = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class InviteeIn(Model):
    member_id: Text(200, 1)  # type: ignore[valid-type]
    display_name: Text(200) | None = None  # type: ignore[valid-type]
    email: Text(200) | None = None  # type: ignore[valid-type]

    def invitee(self) -> Invitee:
        return Invitee(member_id=self.member_id, display_name=self.display_name or self.member_id,
                       email=self.email or None)


class RecurrenceIn(Model):
    freq: Literal["weekly", "monthly"]
    interval: int = Field(1, ge=1, le=52)
    weekdays: list[WeekdayName] = Field(default_factory=list, max_length=7)
    position: int | None = Field(None, ge=-1, le=4)
    count: int | None = Field(None, ge=1, le=520)
    until: date | None = None  # at most 2100-12-31: a rule of the calendar (422), bounds expanding

    def recurrence(self) -> Recurrence:
        return Recurrence(freq=Frequency(self.freq), interval=self.interval,
                          weekdays=tuple(Weekday(w) for w in self.weekdays), position=self.position,
                          count=self.count, until=self.until)


class EventIn(Model):
    type: EventType
    title: Text(200, 1)  # type: ignore[valid-type]
    start: Text(40, 1)  # type: ignore[valid-type]  # 2027-03-16 (all day) or 2027-03-16T19:30 (local)
    end: Text(40) | None = None  # type: ignore[valid-type]  # all day: the last day, inclusive
    description: Text(10_000) = ""  # type: ignore[valid-type]
    location: Text(300) = ""  # type: ignore[valid-type]
    recurrence: RecurrenceIn | None = None
    exdates: list[date] = Field(default_factory=list, max_length=520)
    organiser: InviteeIn | None = None
    invitees: list[InviteeIn] = Field(default_factory=list, max_length=100)
    capacity: int | None = Field(None, ge=1, le=1000)
    announce: bool = False


class EventTextIn(Model):
    """The secretary's chat form: ``Training media 12 maart 19:30-21:30``."""
    type: EventType
    text: Text(500, 1)  # type: ignore[valid-type]
    location: Text(300) = ""  # type: ignore[valid-type]
    description: Text(10_000) = ""  # type: ignore[valid-type]
    capacity: int | None = Field(None, ge=1, le=1000)
    organiser: InviteeIn | None = None
    announce: bool = True


def _absent() -> Any:
    """The default of a field that may be left out but not be ``null`` (an event always has it):
    unset means unchanged, and the schema shows no ``null`` default it would then refuse."""
    return Field(None, json_schema_extra=lambda schema: schema.pop("default", None))


class EventChangeIn(Model):
    """Only the fields given change; ``null`` clears an optional field (end, description, location,
    recurrence, exdates, organiser, invitees, capacity). type, title, start and status cannot be
    cleared, so they are not nullable."""
    type: EventType = _absent()
    title: Text(200, 1) = _absent()  # type: ignore[valid-type]
    start: Text(40, 1) = _absent()  # type: ignore[valid-type]
    end: Text(40) | None = None  # type: ignore[valid-type]
    description: Text(10_000) | None = None  # type: ignore[valid-type]
    location: Text(300) | None = None  # type: ignore[valid-type]
    recurrence: RecurrenceIn | None = None
    exdates: list[date] | None = Field(None, max_length=520)
    organiser: InviteeIn | None = None
    invitees: list[InviteeIn] | None = Field(None, max_length=100)
    capacity: int | None = Field(None, ge=1, le=1000)
    status: Literal["confirmed", "cancelled"] = _absent()
    announce: bool = False

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.model_fields_set - {"announce"}:
            value = getattr(self, name)
            if name in ("description", "location"):
                value = value or ""
            elif name == "recurrence":
                value = value.recurrence() if value is not None else None
            elif name == "organiser":
                value = value.invitee() if value is not None else None
            elif name == "invitees":
                value = tuple(i.invitee() for i in value or [])
            elif name == "exdates":
                value = tuple(value or ())
            out[name] = value
        return out


class DayIn(Model):
    day: Text(60) | None = None  # type: ignore[valid-type]  # a meeting of a series: 2027-03-16 or "16-3"
    announce: bool = False


class ResidentPlacesIn(Model):
    """A meeting's places for residents, from the public sign-up (signals): counts and the page's address, no
    names. ``day`` is the meeting's day (ISO; needed for a meeting of a series). A PUT replaces what was there."""
    day: Text(10) | None = None  # type: ignore[valid-type]
    capacity: int = Field(ge=1, le=1000)
    taken: int = Field(ge=0, le=100_000)
    url: Text(500, 1)  # type: ignore[valid-type]


class MoveIn(Model):
    """One meeting to another time. From chat: ``text`` ("16-3 17-3 20:00": the meeting's date,
    then the new date, with a time to change it). Otherwise ``day`` (which meeting: 2027-03-16
    or "16-3") and ``to`` (2027-03-17 keeps the time of day, 2027-03-17T20:00 or "17-3 20:00"
    sets it), optionally ``end`` (ISO; without it the meeting keeps its length)."""
    text: Text(200) | None = None  # type: ignore[valid-type]
    day: Text(60) | None = None  # type: ignore[valid-type]
    to: Text(60) | None = None  # type: ignore[valid-type]
    end: Text(40) | None = None  # type: ignore[valid-type]
    announce: bool = False


class NotesIn(Model):
    """A meeting's agenda or, once it has begun, its minutes: a link or a short text ("" removes
    it; left out: unchanged). ``day`` names the meeting of a series (without it: the agenda goes
    to the next meeting, the minutes to the latest one that began). From chat: ``text``
    ("[datum] <link of tekst>") with ``kind``."""
    day: Text(60) | None = None  # type: ignore[valid-type]
    agenda: Text(2000) | None = None  # type: ignore[valid-type]
    minutes: Text(2000) | None = None  # type: ignore[valid-type]
    text: Text(2100) | None = None  # type: ignore[valid-type]
    kind: Literal["agenda", "minutes"] | None = None
    announce: bool = False


class DayQuery(Model):
    day: Text(60) | None = None  # type: ignore[valid-type]  # a meeting of a series: 2027-03-16 or "16-3"


class MemberModel(Model):
    """A body naming a member by Matrix id (the pattern is matched as JSON Schema clients match it)."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


class RsvpIn(MemberModel):
    member: MatrixId  # a serving member of the council (roster.not_member otherwise)
    answer: Literal["aanwezig", "afwezig", "onbekend"]
    day: Text(60) | None = None  # type: ignore[valid-type]


class ConfirmIn(Model):
    """Who was really there: ``present`` (Matrix ids), or from chat ``text``: an optional day, then
    names as the secretary types them ("16-3 @anna:example.org Bram de Vries chantal", or "niemand")."""
    day: Text(60) | None = None  # type: ignore[valid-type]
    present: list[Text(200, 1)] | None = Field(None, max_length=200)  # type: ignore[valid-type]
    text: Text(4000, 1) | None = None  # type: ignore[valid-type]


class AttendanceQuery(DayQuery):
    # Without a day, a series' latest meeting that has begun (the one to confirm), else its next.
    begun: bool = False


class YearQuery(Model):
    year: int | None = Field(None, ge=2000, le=2100)  # default: this year in the council's time zone
    member: Text(200, 1) | None = None  # type: ignore[valid-type]


class UpcomingQuery(Model):
    days: int = Field(60, ge=1, le=400)
    limit: int = Field(50, ge=1, le=500)
    member: Text(200) | None = None  # type: ignore[valid-type]
    type: EventType | None = None


class MemberQuery(Model):
    member: Text(200, 1)  # type: ignore[valid-type]


class PollIn(MemberModel):
    """From chat: ``text`` (title, then dates as members type them). From a form: ``title`` and
    ``options`` (ISO or chat dates)."""
    text: Text(1000) | None = None  # type: ignore[valid-type]
    title: Text(200) | None = None  # type: ignore[valid-type]
    options: list[Text(80, 1)] | None = Field(None, max_length=20)  # type: ignore[valid-type]
    created_by: MatrixId | None = None  # the member starting it (required from chat)
    creator_name: Text(200) | None = None  # type: ignore[valid-type]
    announce: bool = False


class PollsQuery(Model):
    state: Literal["open", "all"] = "open"


class PollAnswerIn(MemberModel):
    member: MatrixId
    display_name: Text(200) | None = None  # type: ignore[valid-type]
    text: Text(200) | None = None  # type: ignore[valid-type]  # "1 3", "1-3", "alle", "geen"
    options: list[int] | None = Field(None, max_length=20)

    def answer_text(self) -> str:
        if self.options is not None:
            if any(not 0 <= n <= 1000 for n in self.options):
                raise InvalidInput("cal.poll.answer_or_text", "option number out of range")
            return " ".join(str(n) for n in self.options) or "geen"
        if self.text is None:
            raise InvalidInput("cal.poll.answer_or_text", "no answer")
        return self.text


class PollFixIn(MemberModel):
    option: int = Field(ge=1, le=1_000_000_000)
    actor: MatrixId | None = None  # the member asking (required from chat); None: an admin tool
    type: EventType | None = None  # None: from the poll's title ("Heidag …"), else a vergadering
    location: Text(300) = ""  # type: ignore[valid-type]
    description: Text(10_000) = ""  # type: ignore[valid-type]


class FeedIn(MemberModel):
    kind: Literal["council", "type", "member"]
    type: EventType | None = None
    member: MatrixId | None = None  # kind "member": a serving member of the council
    rotate: bool = False


# --------------------------------------------------------------------------------------------
# answers

class InviteeOut(OutModel):
    member_id: str
    display_name: str
    email: str | None = None


class MoveOut(OutModel):
    start: str
    end: str
    day: str  # the meeting's day in its series (answers are kept under it)


class MovedOut(OutModel):
    event: EventOut
    day: str  # the meeting's day in its series (its answers are kept under it)
    from_start: str  # where the meeting was
    from_end: str
    start: str  # where it is now
    end: str


class NotesOut(OutModel):
    day: str | None  # the meeting's day in its series; None for a single event
    agenda: str
    minutes: str


class EventOut(OutModel):
    number: int
    uid: str
    council: str
    type: str
    type_label: str
    title: str
    description: str
    location: str
    start: str
    end: str
    all_day: bool
    recurrence: dict[str, Any] | None
    exdates: list[str]
    cancelled_dates: list[str]
    organiser: InviteeOut | None
    invitees: list[InviteeOut]
    capacity: int | None
    sequence: int
    status: str
    source: str | None
    created_at: str
    changed_at: str
    moves: list[MoveOut] = []
    notes: list[NotesOut] = []


class OccurrenceOut(OutModel):
    number: int
    uid: str
    key: str
    day: str
    type: str
    type_label: str
    title: str
    location: str
    start: str
    end: str
    all_day: bool
    recurring: bool
    cancelled: bool
    capacity: int | None
    places: int
    places_left: int | None  # with a capacity: how many places are still free
    places_label: str | None  # "Nog 3 van 12 plaatsen vrij." (as the feeds say it)
    waiting: int
    answer: str | None  # placed / waiting / declined / unknown, for ``member``
    answer_label: str | None
    moved_from: str | None = None  # a moved meeting: where the series put it
    agenda: str = ""
    minutes: str = ""
    resident_places_left: int | None = None  # opened for residents' sign-up: their places still free
    resident_capacity: int | None = None  # and how many places residents have in all


class ResidentPlacesOut(OutModel):
    number: int
    day: str | None  # the meeting's day in its series; None for a single event
    capacity: int
    taken: int
    left: int
    url: str
    changed: bool  # False: the same numbers were there already (the feeds kept their version)


class RsvpOut(OutModel):
    number: int
    key: str
    day: str
    title: str
    start: str
    end: str
    all_day: bool
    when: str
    seat: str
    message: str
    promoted: list[str]
    places: int
    waiting: int
    capacity: int | None


class AttendanceOut(OutModel):
    number: int
    key: str
    day: str
    rsvps: dict[str, str]
    places: list[str]
    waiting: list[str]
    confirmed: list[str] | None
    # For the secretary's overview in chat: the meeting, and who said what (Matrix ids).
    title: str = ""
    when: str = ""
    begun: bool = False
    not_coming: list[str] = Field(default_factory=list)
    not_answered: list[str] = Field(default_factory=list)  # expected (the roster, or the invitees)
    names: dict[str, str] = Field(default_factory=dict)  # Matrix id → display name, where known


class PresenceRecordOut(OutModel):
    event: int  # the event's number
    kind: Literal["vergadering", "heidag", "training", "raadpleging", "bewonersavond"]
    title: str
    date: str  # the meeting's local day, YYYY-MM-DD
    hours: float  # its length from the calendar (all-day: 6 hours a day)
    member: str
    present: bool
    confirmed: bool  # True: the secretary recorded who was there; False: from the answers (RSVP)


class YearAttendanceOut(OutModel):
    year: int
    records: list[PresenceRecordOut]


class TrainingEntryOut(OutModel):
    event_uid: str
    number: int | None
    title: str
    type: str
    day: str
    confirmed: bool


class TrainingRecordOut(OutModel):
    member: str
    entries: list[TrainingEntryOut]
    confirmed: int
    unconfirmed: int
    name: str = ""  # the member's display name, where the roster knows it


class TrainingRecordsOut(OutModel):
    records: list[TrainingRecordOut]  # serving members, then anyone else with a training on record


class HeidagOut(OutModel):
    warn: bool
    last: str | None
    next: str | None
    days_since: int | None
    max_gap_days: int
    tracking_since: str
    code: str | None
    message: str | None


class PollOptionOut(OutModel):
    number: int
    start: str
    end: str | None
    all_day: bool
    label: str
    can: list[str]
    names: list[str]
    count: int
    quorum_met: bool


class PollOut(OutModel):
    number: int
    council: str
    title: str
    closed: bool
    fixed_option: int | None
    event_uid: str | None
    created_by: str | None
    thread_key: str
    quorum: int
    quorum_met: bool
    best: list[int]
    options: list[PollOptionOut]
    answered: list[str]
    not_answered: list[str]  # names; empty when the roster is not known


class PollFixOut(OutModel):
    poll: PollOut
    event: EventOut


class FeedLinkOut(OutModel):
    kind: str
    scope: str
    url: str
    webcal: str
    generation: int


class SyncStatusOut(OutModel):
    council: str
    configured: bool
    counts: dict[str, int]
    failures: int
    next_attempt_at: str | None
    last_error: str | None


class DeadlineImportOut(OutModel):
    council: str
    changes: int


class AccessEndedOut(OutModel):
    member: str
    feed_revoked: bool
    polls: list[int]


class MembershipSyncOut(OutModel):
    council: str
    ended: list[AccessEndedOut]
