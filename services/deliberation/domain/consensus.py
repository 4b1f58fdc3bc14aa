"""Consensus rounds ("overlegrondes") as an event-sourced state machine.

The council does not vote: a proposal is agreed when no member present holds a reasoned,
paramount objection (``BRIEF.md``, "Consensus, as this council means it").

How it fits together:

* The store keeps an append-only list of :class:`Event` per round (plain JSON through
  :meth:`Event.to_dict` / :meth:`Event.from_dict`) and rebuilds the state with
  :meth:`Round.replay`.
* Every command (:func:`open_round`, :meth:`Round.give_position`, :meth:`Round.decide`, ...)
  checks the current state and returns a :class:`CommandResult` with the new events to append
  and the state after them. A refused command raises a :class:`~shared.errors.DomainError`
  and changes nothing: states are immutable.
* Events are numbered per round (``seq`` 1, 2, 3, ...). Two workers that compute events from the
  same state produce the same ``seq``; a unique (round_id, seq) key in the store turns that race
  into a retry instead of a corrupt history.
* A command may carry an ``idempotency_key`` (the Matrix event id). The state remembers the keys
  of applied commands, so a repeated message yields ``duplicate=True`` and no events.

Who may do what:

* members (``Participants.members``) give positions and withdraw their own objection;
* the secretary or the opener of the round (while still a member) moves the phase on, amends
  the proposal, resolves objections, changes the deadline and abandons the round;
* members and secretaries may open a round and ask to record agreement (``!besluit``).

Rules worth knowing:

* positions may be given in any phase; ``!info`` sends the round back to beeldvorming;
* agreement is recorded only in besluitvorming, with no objection open, every present member
  consenting (eens, bedenking or opzij) on the current version, and the quorum present;
* a member holds at most one open objection; when it is withdrawn, resolved or replaced by another
  position, the objector's bezwaar no longer counts and they are asked to respond again;
* an amended proposal resolves the open objections ("resolved by amendment") and clears every
  position on the older version, which stays in the history.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from shared import i18n
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound

from .messages import LabelledConflict

MAX_PROPOSAL_LENGTH = 20_000
MAX_TEXT_LENGTH = 4_000
MAX_IDEMPOTENCY_KEY_LENGTH = 255
ROUND_DAYS = 7  # a round's deadline day when none is chosen: a week after opening
DEADLINE_TIME = time(23, 59)  # a deadline falls at this local time of its day (a human hour)


def deadline_on(day: date, zone: str | ZoneInfo, at: time = DEADLINE_TIME) -> datetime:
    """The deadline of a round whose day is ``day``: ``at`` (23:59 unless configured) local time in the
    council's zone, whatever the offset that day (summer or winter time)."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz)


def default_deadline(now: datetime, zone: str | ZoneInfo, at: time = DEADLINE_TIME,
                     days: int = ROUND_DAYS) -> datetime:
    """No day chosen: ``days`` after the local day of ``now``, at ``at`` — not exactly 168 hours later."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return deadline_on(now.astimezone(tz).date() + timedelta(days=days), tz, at)


class Phase(str, Enum):
    """BOB: form a picture, form a judgement, form a decision."""

    BEELDVORMING = "beeldvorming"
    OORDEELSVORMING = "oordeelsvorming"
    BESLUITVORMING = "besluitvorming"


_NEXT_PHASE = {
    Phase.BEELDVORMING: Phase.OORDEELSVORMING,
    Phase.OORDEELSVORMING: Phase.BESLUITVORMING,
}


class Position(str, Enum):
    EENS = "eens"
    BEDENKING = "bedenking"
    OPZIJ = "opzij"
    BEZWAAR = "bezwaar"
    INFO = "info"


# Positions with which a decision can go ahead; bezwaar blocks, info means "not ready yet".
CONSENTING_POSITIONS = frozenset({Position.EENS, Position.BEDENKING, Position.OPZIJ})

# The text a position needs, and the code that explains how to give it.
_TEXT_REQUIRED = {
    Position.BEDENKING: "delib.position.bedenking_needs_text",
    Position.BEZWAAR: "delib.position.bezwaar_needs_argument",
    Position.INFO: "delib.position.info_needs_question",
}

# Command words (without "!") and English aliases.
POSITION_WORDS: Mapping[str, Position] = {
    "eens": Position.EENS,
    "agree": Position.EENS,
    "consent": Position.EENS,
    "bedenking": Position.BEDENKING,
    "concern": Position.BEDENKING,
    "opzij": Position.OPZIJ,
    "aside": Position.OPZIJ,
    "standaside": Position.OPZIJ,
    "bezwaar": Position.BEZWAAR,
    "object": Position.BEZWAAR,
    "objection": Position.BEZWAAR,
    "info": Position.INFO,
}


def parse_position(word: str) -> Position:
    """``"!eens"``, ``"eens"`` or an English alias → :class:`Position`."""
    key = word.strip().lstrip("!").lower()
    try:
        return POSITION_WORDS[key]
    except KeyError:
        raise InvalidInput("delib.position.unknown", f"unknown position word {key!r}",
                           given=word.strip()) from None


class RoundState(str, Enum):
    OPEN = "open"
    AGREED = "akkoord"
    ABANDONED = "gestopt"


class ObjectionStatus(str, Enum):
    OPEN = "open"
    RESOLVED = "opgelost"
    WITHDRAWN = "ingetrokken"
    RESOLVED_BY_AMENDMENT = "opgelost_door_nieuw_voorstel"


class WithdrawReason(str, Enum):
    INTREKKEN = "intrekken"  # the objector used !intrekken
    POSITION_CHANGED = "position_changed"  # the objector gave another position
    REPLACED = "replaced"  # the objector gave a new !bezwaar


class EventType(str, Enum):
    ROUND_OPENED = "round_opened"
    PHASE_CHANGED = "phase_changed"
    POSITION_GIVEN = "position_given"
    OBJECTION_WITHDRAWN = "objection_withdrawn"
    OBJECTION_RESOLVED = "objection_resolved"
    PROPOSAL_AMENDED = "proposal_amended"
    DEADLINE_SET = "deadline_set"
    ROUND_AGREED = "round_agreed"
    ROUND_ABANDONED = "round_abandoned"


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Event:
    """One fact in a round's history. ``data`` holds JSON values only."""

    round_id: int
    seq: int
    type: EventType
    actor: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "seq": self.seq,
            "type": self.type.value,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "idempotency_key": self.idempotency_key,
            "data": _json_copy(self.data),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Event":
        return cls(
            round_id=int(raw["round_id"]),
            seq=int(raw["seq"]),
            type=EventType(raw["type"]),
            actor=str(raw["actor"]),
            at=_parse_datetime(raw["at"]),
            data=_json_copy(raw.get("data") or {}),
            idempotency_key=raw.get("idempotency_key"),
        )


class CorruptEventLog(ValueError):
    """The stored events cannot be replayed: a bug or a damaged store, never a user error."""


# --------------------------------------------------------------------------- value objects


@dataclass(frozen=True)
class Participants:
    """Who takes part, as the roster says on the day of the command.

    ``members`` give positions; ``absent`` were excused (afwezig met bericht) and are not expected
    to respond; ``not_in_chat`` were appointed but have not joined the council's room yet: they may
    respond, but are not waited for and do not count towards the quorum; ``secretaries`` may
    facilitate even when they hold no seat.
    """

    members: frozenset[str]
    absent: frozenset[str] = frozenset()
    secretaries: frozenset[str] = frozenset()
    not_in_chat: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", frozenset(self.members))
        object.__setattr__(self, "absent", frozenset(self.absent))
        object.__setattr__(self, "secretaries", frozenset(self.secretaries))
        object.__setattr__(self, "not_in_chat", frozenset(self.not_in_chat) & self.members)

    @property
    def present(self) -> frozenset[str]:
        return self.members - self.absent - self.not_in_chat


@dataclass(frozen=True)
class ProposalVersion:
    version: int
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class PositionRecord:
    """One position given by one member on one version of the proposal."""

    member: str
    position: Position
    text: str | None
    version: int
    at: datetime
    objection_id: int | None = None


@dataclass(frozen=True)
class Objection:
    id: int
    member: str
    argument: str
    version: int
    raised_at: datetime
    status: ObjectionStatus = ObjectionStatus.OPEN
    closed_at: datetime | None = None
    closed_by: str | None = None
    note: str | None = None  # how it was resolved (for the minutes)
    withdraw_reason: WithdrawReason | None = None
    # A new version of the proposal does not close an objection by itself: the objection carries over and
    # its objector is asked whether this version resolves it (``!opgelost``). None: raised on the current version.
    asked_about_version: int | None = None
    resolved_in_version: int | None = None  # the version on the table when it was resolved

    @property
    def is_open(self) -> bool:
        return self.status is ObjectionStatus.OPEN


@dataclass(frozen=True)
class FinalPosition:
    member: str
    position: Position
    text: str | None = None


@dataclass(frozen=True)
class Agreement:
    """What the decision register keeps of an agreed round."""

    round_id: int
    council_id: str
    topic_id: int
    text: str
    version: int
    decided_at: datetime
    decided_by: str
    positions: tuple[FinalPosition, ...]
    absent: tuple[str, ...] = ()

    @property
    def decided_on(self) -> date:
        return self.decided_at.date()

    @property
    def concerns(self) -> tuple[FinalPosition, ...]:
        return tuple(p for p in self.positions if p.position is Position.BEDENKING)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "council_id": self.council_id,
            "topic_id": self.topic_id,
            "text": self.text,
            "version": self.version,
            "decided_at": self.decided_at.isoformat(),
            "decided_on": self.decided_on.isoformat(),
            "decided_by": self.decided_by,
            "positions": [{"member": p.member, "position": p.position.value, "text": p.text}
                          for p in self.positions],
            "absent": list(self.absent),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Agreement":
        return cls(
            round_id=int(raw["round_id"]),
            council_id=str(raw["council_id"]),
            topic_id=int(raw["topic_id"]),
            text=str(raw["text"]),
            version=int(raw["version"]),
            decided_at=_parse_datetime(raw["decided_at"]),
            decided_by=str(raw["decided_by"]),
            positions=tuple(FinalPosition(str(p["member"]), Position(p["position"]), p.get("text"))
                            for p in raw["positions"]),
            absent=tuple(str(m) for m in raw.get("absent", ())),
        )


@dataclass(frozen=True)
class Missing:
    """What stands between the round and a recorded agreement. Empty means: agreement can be recorded."""

    not_responded: tuple[str, ...] = ()
    open_objections: tuple[Objection, ...] = ()
    info_pending: tuple[str, ...] = ()
    quorum: int = 1
    present: int = 0
    wrong_phase: Phase | None = None

    @property
    def quorum_shortfall(self) -> int:
        return max(0, self.quorum - self.present)

    @property
    def nothing(self) -> bool:
        return not (self.not_responded or self.open_objections or self.info_pending
                    or self.quorum_shortfall or self.wrong_phase)


class NotReadyToDecide(Conflict):
    """``!besluit`` refused: the params say exactly what is missing; the text lists it line by line."""

    def __init__(self, round_id: int, missing: Missing) -> None:
        super().__init__(
            "delib.decide.not_ready",
            f"round {round_id}: agreement cannot be recorded yet",
            round_id=round_id,
            not_responded=list(missing.not_responded),
            open_objections=[o.id for o in missing.open_objections],
            open_objection_members=[o.member for o in missing.open_objections],
            info_pending=list(missing.info_pending),
            quorum=missing.quorum,
            present=missing.present,
            quorum_shortfall=missing.quorum_shortfall,
            phase=missing.wrong_phase.value if missing.wrong_phase else None,
        )
        self.missing = missing

    def user_message(self, lang: str | None = None) -> str:
        m = self.missing
        lines = [i18n.t(self.code, lang, round_id=self.params["round_id"])]
        if m.wrong_phase:
            lines.append("• " + i18n.t("delib.decide.missing.phase", lang,
                                       phase=i18n.t(f"delib.phase.{m.wrong_phase.value}", lang)))
        for objection in m.open_objections:
            lines.append("• " + i18n.t("delib.decide.missing.objection", lang,
                                       objection_id=objection.id, member=objection.member))
        if m.not_responded:
            lines.append("• " + i18n.t("delib.decide.missing.not_responded", lang,
                                       members=", ".join(m.not_responded)))
        if m.info_pending:
            lines.append("• " + i18n.t("delib.decide.missing.info", lang,
                                       members=", ".join(m.info_pending)))
        if m.quorum_shortfall:
            lines.append("• " + i18n.t("delib.decide.missing.quorum", lang,
                                       quorum=m.quorum, present=m.present))
        return "\n".join(lines)


@dataclass(frozen=True)
class Concern:
    member: str
    text: str


@dataclass(frozen=True)
class OpenObjection:
    id: int
    member: str
    argument: str
    version: int = 1  # the version objected to
    asked_about_version: int | None = None  # carried over to this newer version; the objector is asked


@dataclass(frozen=True)
class InfoRequest:
    member: str
    question: str


@dataclass(frozen=True)
class StatusView:
    """What ``!stand`` shows. By design it holds names and texts, never a count of positions."""

    round_id: int
    topic_id: int
    state: RoundState
    phase: Phase
    version: int
    proposal: str
    deadline: datetime
    deadline_passed: bool
    not_responded: tuple[str, ...]
    concerns: tuple[Concern, ...]
    open_objections: tuple[OpenObjection, ...]
    info_requested: tuple[InfoRequest, ...]
    quorum_shortfall: int  # members short of the quorum: a headcount of presence, not of positions
    can_record_agreement: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "topic_id": self.topic_id,
            "state": self.state.value,
            "phase": self.phase.value,
            "version": self.version,
            "proposal": self.proposal,
            "deadline": self.deadline.isoformat(),
            "deadline_passed": self.deadline_passed,
            "not_responded": list(self.not_responded),
            "concerns": [{"member": c.member, "text": c.text} for c in self.concerns],
            "open_objections": [{"id": o.id, "member": o.member, "argument": o.argument}
                                for o in self.open_objections],
            "info_requested": [{"member": i.member, "question": i.question}
                               for i in self.info_requested],
            "quorum_shortfall": self.quorum_shortfall,
            "can_record_agreement": self.can_record_agreement,
        }


@dataclass(frozen=True)
class CommandResult:
    """The events to append (empty for a duplicate) and the round after them."""

    events: tuple[Event, ...]
    round: "Round"
    duplicate: bool = False

    @property
    def agreement(self) -> Agreement | None:
        return self.round.agreement


# --------------------------------------------------------------------------- the round


@dataclass(frozen=True)
class Round:
    round_id: int
    council_id: str
    topic_id: int
    opener: str
    opened_at: datetime
    deadline: datetime
    proposals: tuple[ProposalVersion, ...]
    phase: Phase = Phase.BEELDVORMING
    state: RoundState = RoundState.OPEN
    history: tuple[PositionRecord, ...] = ()
    current: tuple[PositionRecord, ...] = ()  # latest position per member on the current version
    objections: tuple[Objection, ...] = ()
    seen_keys: frozenset[str] = frozenset()
    last_seq: int = 0
    agreement: Agreement | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_reason: str | None = None

    # ---- reading

    @property
    def version(self) -> int:
        return self.proposals[-1].version

    @property
    def proposal(self) -> str:
        return self.proposals[-1].text

    @property
    def is_open(self) -> bool:
        return self.state is RoundState.OPEN

    @property
    def open_objections(self) -> tuple[Objection, ...]:
        return tuple(o for o in self.objections if o.is_open)

    def current_position(self, member: str) -> PositionRecord | None:
        for record in self.current:
            if record.member == member:
                return record
        return None

    def objection(self, objection_id: int) -> Objection:
        for objection in self.objections:
            if objection.id == objection_id:
                return objection
        raise NotFound("delib.objection.not_found", f"round {self.round_id}: no objection {objection_id}",
                       round_id=self.round_id, objection_id=objection_id)

    def history_of(self, member: str) -> tuple[PositionRecord, ...]:
        return tuple(r for r in self.history if r.member == member)

    def missing(self, participants: Participants, quorum: int) -> Missing:
        present = participants.present
        # An objector whose objection carried over to a new version has a standing answer: the objection.
        objecting = {o.member for o in self.open_objections}
        return Missing(
            not_responded=tuple(sorted(m for m in present if self.current_position(m) is None
                                       and m not in objecting)),
            open_objections=self.open_objections,
            info_pending=tuple(sorted(r.member for r in self.current
                                      if r.position is Position.INFO and r.member in participants.members)),
            quorum=max(1, quorum),  # an agreement needs at least one member present
            present=len(present),
            wrong_phase=None if self.phase is Phase.BESLUITVORMING else self.phase,
        )

    def status(self, participants: Participants, quorum: int, now: datetime | None = None) -> StatusView:
        missing = self.missing(participants, quorum)
        return StatusView(
            round_id=self.round_id,
            topic_id=self.topic_id,
            state=self.state,
            phase=self.phase,
            version=self.version,
            proposal=self.proposal,
            deadline=self.deadline,
            deadline_passed=bool(now is not None and now > self.deadline),
            not_responded=missing.not_responded if self.is_open else (),
            concerns=tuple(Concern(r.member, r.text or "") for r in self._current_with(Position.BEDENKING)),
            open_objections=tuple(OpenObjection(o.id, o.member, o.argument, o.version, o.asked_about_version)
                                  for o in self.open_objections),
            info_requested=tuple(InfoRequest(r.member, r.text or "") for r in self._current_with(Position.INFO)),
            quorum_shortfall=missing.quorum_shortfall,
            can_record_agreement=self.is_open and missing.nothing,
        )

    def _current_with(self, position: Position) -> tuple[PositionRecord, ...]:
        return tuple(sorted((r for r in self.current if r.position is position), key=lambda r: r.member))

    # ---- commands

    def give_position(self, actor: str, position: Position | str, text: str | None = None, *,
                      participants: Participants, at: datetime,
                      idempotency_key: str | None = None) -> CommandResult:
        """``!eens``, ``!bedenking <tekst>``, ``!opzij``, ``!bezwaar <argument>``, ``!info <vraag>``."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        _require_member(actor, participants)
        position = position if isinstance(position, Position) else parse_position(position)
        text = _clean_text(text, MAX_TEXT_LENGTH)
        if position in _TEXT_REQUIRED and not text:
            raise InvalidInput(_TEXT_REQUIRED[position], f"{position.value} without text",
                               position=position.value)

        specs: list[tuple[EventType, dict[str, Any]]] = []
        held = self._open_objection_of(actor)
        if held is not None and held.asked_about_version is not None and position is not Position.BEZWAAR:
            # The objector takes a position on the new version without objecting: the new version resolved it.
            specs.append((EventType.OBJECTION_RESOLVED, {
                "objection_id": held.id, "note": None, "by_objector": True, "version": self.version}))
        elif held is not None:
            # A new position replaces the old one; an objection cannot outlive it.
            reason = WithdrawReason.REPLACED if position is Position.BEZWAAR else WithdrawReason.POSITION_CHANGED
            specs.append((EventType.OBJECTION_WITHDRAWN, {"objection_id": held.id, "reason": reason.value}))
        data: dict[str, Any] = {"member": actor, "position": position.value, "text": text,
                                "version": self.version}
        if position is Position.BEZWAAR:
            data["objection_id"] = len(self.objections) + 1
        specs.append((EventType.POSITION_GIVEN, data))
        if position is Position.INFO and self.phase is not Phase.BEELDVORMING:
            specs.append((EventType.PHASE_CHANGED, {"from": self.phase.value,
                                                    "to": Phase.BEELDVORMING.value, "reason": "info"}))
        return self._commit(actor, at, idempotency_key, specs)

    def withdraw_objection(self, actor: str, objection_id: int | None = None, *,
                           participants: Participants, at: datetime,
                           idempotency_key: str | None = None) -> CommandResult:
        """``!intrekken``: only the objector; without an id, their own open objection."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        _require_member(actor, participants)
        if objection_id is None:
            objection = self._open_objection_of(actor)
            if objection is None:
                raise NotFound("delib.objection.none_open", f"round {self.round_id}: no open objection of actor",
                               round_id=self.round_id)
        else:
            objection = self.objection(objection_id)
            if objection.member != actor:
                raise Forbidden("delib.objection.not_yours", f"round {self.round_id}: objection {objection_id} "
                                "is not the actor's", objection_id=objection_id)
        self._require_objection_open(objection)
        return self._commit(actor, at, idempotency_key, [
            (EventType.OBJECTION_WITHDRAWN, {"objection_id": objection.id,
                                             "reason": WithdrawReason.INTREKKEN.value})])

    def resolve_objection(self, actor: str, objection_id: int | None, note: str | None, *,
                          participants: Participants, at: datetime,
                          idempotency_key: str | None = None) -> CommandResult:
        """``!opgelost``. The objector says their objection is resolved (by the new version, or by the talk in
        the thread), a note optional; the secretary or opener records how the group resolved it, with a note.
        Without an id: the actor's own open objection."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        if objection_id is None:
            objection = self._open_objection_of(actor)
            if objection is None:
                raise NotFound("delib.objection.none_open", f"round {self.round_id}: no open objection of actor",
                               round_id=self.round_id)
        else:
            objection = self.objection(objection_id)
        by_objector = objection.member == actor and actor in participants.members
        if not by_objector:
            self._require_facilitator(actor, participants)
        self._require_objection_open(objection)
        note = _clean_text(note, MAX_TEXT_LENGTH)
        if not note and not by_objector:
            raise InvalidInput("delib.objection.note_required", "resolution without note",
                               objection_id=objection.id)
        return self._commit(actor, at, idempotency_key, [
            (EventType.OBJECTION_RESOLVED, {"objection_id": objection.id, "note": note,
                                            "by_objector": by_objector, "version": self.version})])

    def amend_proposal(self, actor: str, text: str | None, *, participants: Participants, at: datetime,
                       idempotency_key: str | None = None) -> CommandResult:
        """``!voorstel <tekst>``: version n+1; everyone responds again."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        self._require_facilitator(actor, participants)
        text = _clean_text(text, MAX_PROPOSAL_LENGTH)
        if not text:
            raise InvalidInput("delib.proposal.text_required", "amendment without text")
        if text == self.proposal:
            raise Conflict("delib.proposal.unchanged", f"round {self.round_id}: amendment equals proposal",
                           version=self.version)
        # carry_objections: open objections stay open and their objectors are asked (older logs lack the flag
        # and replay as they were recorded: the amendment closed them).
        return self._commit(actor, at, idempotency_key, [
            (EventType.PROPOSAL_AMENDED, {"version": self.version + 1, "text": text, "carry_objections": True})])

    def advance_phase(self, actor: str, *, participants: Participants, at: datetime,
                      idempotency_key: str | None = None) -> CommandResult:
        """beeldvorming → oordeelsvorming → besluitvorming."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        self._require_facilitator(actor, participants)
        nxt = _NEXT_PHASE.get(self.phase)
        if nxt is None:
            raise Conflict("delib.phase.last", f"round {self.round_id}: already in the last phase",
                           round_id=self.round_id)
        return self._commit(actor, at, idempotency_key, [
            (EventType.PHASE_CHANGED, {"from": self.phase.value, "to": nxt.value, "reason": "advance"})])

    def set_deadline(self, actor: str, deadline: datetime, *, participants: Participants, at: datetime,
                     idempotency_key: str | None = None) -> CommandResult:
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        self._require_facilitator(actor, participants)
        _check_deadline(deadline, at)
        return self._commit(actor, at, idempotency_key, [
            (EventType.DEADLINE_SET, {"deadline": deadline.isoformat()})])

    def decide(self, actor: str, *, participants: Participants, quorum: int, at: datetime,
               idempotency_key: str | None = None) -> CommandResult:
        """``!besluit``: records agreement, or raises :class:`NotReadyToDecide` saying what is missing."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        if actor not in participants.members and actor not in participants.secretaries:
            raise _not_member()
        missing = self.missing(participants, quorum)
        if not missing.nothing:
            raise NotReadyToDecide(self.round_id, missing)
        _require_aware(at, "at")
        agreement = Agreement(
            round_id=self.round_id,
            council_id=self.council_id,
            topic_id=self.topic_id,
            text=self.proposal,
            version=self.version,
            decided_at=at,
            decided_by=actor,
            # members at the time of the decision; a position of someone who left stays in the history
            positions=tuple(FinalPosition(r.member, r.position, r.text)
                            for r in sorted(self.current, key=lambda r: r.member)
                            if r.member in participants.members),
            absent=tuple(sorted(participants.absent & participants.members)),
        )
        return self._commit(actor, at, idempotency_key, [
            (EventType.ROUND_AGREED, {"agreement": agreement.to_dict()})])

    def abandon(self, actor: str, reason: str | None = None, *, participants: Participants, at: datetime,
                idempotency_key: str | None = None) -> CommandResult:
        """Stop the round without agreement (the topic goes back to the agenda)."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        self._require_facilitator(actor, participants)
        return self._commit(actor, at, idempotency_key, [
            (EventType.ROUND_ABANDONED, {"reason": _clean_text(reason, MAX_TEXT_LENGTH)})])

    # ---- applying events (the only place state changes)

    @classmethod
    def replay(cls, events: Iterable[Event | Mapping[str, Any]]) -> "Round":
        state: Round | None = None
        for raw in events:
            event = raw if isinstance(raw, Event) else Event.from_dict(raw)
            state = _opened(event) if state is None else state.apply(event)
        if state is None:
            raise CorruptEventLog("a round needs at least its round_opened event")
        return state

    def apply(self, event: Event) -> "Round":
        if event.round_id != self.round_id:
            raise CorruptEventLog(f"event of round {event.round_id} applied to round {self.round_id}")
        if event.seq != self.last_seq + 1:
            raise CorruptEventLog(f"round {self.round_id}: event seq {event.seq} after {self.last_seq}")
        handler = _HANDLERS.get(event.type)
        if handler is None:
            raise CorruptEventLog(f"round {self.round_id}: unexpected {event.type.value} event")
        state = handler(self, event)
        keys = self.seen_keys | {event.idempotency_key} if event.idempotency_key else self.seen_keys
        return replace(state, last_seq=event.seq, seen_keys=keys)

    # ---- helpers

    def _duplicate(self, key: str | None) -> CommandResult | None:
        if key is not None and key in self.seen_keys:
            return CommandResult(events=(), round=self, duplicate=True)
        return None

    def _require_open(self) -> None:
        if self.state is RoundState.AGREED:
            raise Conflict("delib.round.closed_agreed", f"round {self.round_id} is agreed",
                           round_id=self.round_id)
        if self.state is RoundState.ABANDONED:
            raise Conflict("delib.round.closed_abandoned", f"round {self.round_id} is abandoned",
                           round_id=self.round_id)

    def _require_facilitator(self, actor: str, participants: Participants) -> None:
        if actor in participants.secretaries:
            return
        if actor not in participants.members:
            raise _not_member()
        if actor != self.opener:
            raise Forbidden("delib.not_facilitator", f"round {self.round_id}: actor is not secretary or opener",
                            round_id=self.round_id)

    def _require_objection_open(self, objection: Objection) -> None:
        if not objection.is_open:
            raise LabelledConflict("delib.objection.not_open",
                                   f"round {self.round_id}: objection {objection.id} is {objection.status.value}",
                                   labels={"status": "delib.objection_status."},
                                   objection_id=objection.id, status=objection.status.value)

    def _open_objection_of(self, member: str) -> Objection | None:
        for objection in self.objections:
            if objection.member == member and objection.is_open:
                return objection
        return None

    def _commit(self, actor: str, at: datetime, key: str | None,
                specs: list[tuple[EventType, dict[str, Any]]]) -> CommandResult:
        _require_aware(at, "at")
        key = _check_key(key)
        events = tuple(Event(round_id=self.round_id, seq=self.last_seq + i, type=kind, actor=actor, at=at,
                             data=data, idempotency_key=key)
                       for i, (kind, data) in enumerate(specs, start=1))
        state = self
        for event in events:
            state = state.apply(event)
        return CommandResult(events=events, round=state)


def open_round(*, round_id: int, council_id: str, topic_id: int, opener: str, proposal: str | None,
               deadline: datetime, participants: Participants, at: datetime,
               idempotency_key: str | None = None) -> CommandResult:
    """``!ronde <topic> <voorstel>``. The store makes sure one Matrix event opens at most one round."""
    if opener not in participants.members and opener not in participants.secretaries:
        raise _not_member()
    text = _clean_text(proposal, MAX_PROPOSAL_LENGTH)
    if not text:
        raise InvalidInput("delib.proposal.text_required", "round without proposal")
    _require_aware(at, "at")
    _check_deadline(deadline, at)
    event = Event(round_id=round_id, seq=1, type=EventType.ROUND_OPENED, actor=opener, at=at,
                  data={"council_id": council_id, "topic_id": topic_id, "proposal": text,
                        "deadline": deadline.isoformat()},
                  idempotency_key=_check_key(idempotency_key))
    return CommandResult(events=(event,), round=Round.replay([event]))


def members_to_remind(round_: Round, present_members: Iterable[str]) -> tuple[str, ...]:
    """Who gets a reminder: present members without any response on the current version."""
    if not round_.is_open:
        return ()
    return tuple(sorted(m for m in set(present_members) if round_.current_position(m) is None))


def round_not_found(round_id: int | str) -> NotFound:
    """For the store: an unknown round number."""
    return NotFound("delib.round.not_found", f"no round {round_id}", round_id=round_id)


def no_round_here() -> InvalidInput:
    """For the bot: a position or round command outside a round's thread and without a number."""
    return InvalidInput("delib.round.none_here", "round command outside a round thread")


# --------------------------------------------------------------------------- event handlers


def _opened(event: Event) -> Round:
    if event.type is not EventType.ROUND_OPENED or event.seq != 1:
        raise CorruptEventLog(f"round {event.round_id} must start with round_opened as seq 1")
    d = event.data
    return Round(
        round_id=event.round_id,
        council_id=str(d["council_id"]),
        topic_id=int(d["topic_id"]),
        opener=event.actor,
        opened_at=event.at,
        deadline=_parse_datetime(d["deadline"]),
        proposals=(ProposalVersion(1, str(d["proposal"]), event.actor, event.at),),
        seen_keys=frozenset({event.idempotency_key}) if event.idempotency_key else frozenset(),
        last_seq=1,
    )


def _on_phase_changed(state: Round, event: Event) -> Round:
    return replace(state, phase=Phase(event.data["to"]))


def _on_position_given(state: Round, event: Event) -> Round:
    d = event.data
    record = PositionRecord(member=str(d["member"]), position=Position(d["position"]), text=d.get("text"),
                            version=int(d["version"]), at=event.at, objection_id=d.get("objection_id"))
    current = tuple(r for r in state.current if r.member != record.member) + (record,)
    objections = state.objections
    if record.position is Position.BEZWAAR:
        objections += (Objection(id=int(d["objection_id"]), member=record.member, argument=record.text or "",
                                 version=record.version, raised_at=event.at),)
    return replace(state, history=state.history + (record,), current=current, objections=objections)


def _close_objection(state: Round, event: Event, **changes: Any) -> Round:
    objection_id = int(event.data["objection_id"])
    objections = tuple(replace(o, closed_at=event.at, closed_by=event.actor, **changes) if o.id == objection_id
                       else o for o in state.objections)
    # The objector no longer holds this position; they are asked to respond again.
    current = tuple(r for r in state.current if r.objection_id != objection_id)
    return replace(state, objections=objections, current=current)


def _on_objection_withdrawn(state: Round, event: Event) -> Round:
    return _close_objection(state, event, status=ObjectionStatus.WITHDRAWN,
                            withdraw_reason=WithdrawReason(event.data["reason"]))


def _on_objection_resolved(state: Round, event: Event) -> Round:
    objection = state.objection(int(event.data["objection_id"]))
    version = event.data.get("version")
    # Resolved by the objector on a later version than the one they objected to: the new version did it.
    by_new_version = bool(event.data.get("by_objector")) and version is not None and int(version) > objection.version
    status = ObjectionStatus.RESOLVED_BY_AMENDMENT if by_new_version else ObjectionStatus.RESOLVED
    return _close_objection(state, event, status=status, note=event.data.get("note"),
                            resolved_in_version=int(version) if version is not None else state.version)


def _on_proposal_amended(state: Round, event: Event) -> Round:
    version = int(event.data["version"])
    if event.data.get("carry_objections"):
        objections = tuple(replace(o, asked_about_version=version) if o.is_open else o for o in state.objections)
    else:
        objections = tuple(replace(o, status=ObjectionStatus.RESOLVED_BY_AMENDMENT, closed_at=event.at,
                                   closed_by=event.actor, resolved_in_version=version) if o.is_open else o
                           for o in state.objections)
    return replace(state,
                   proposals=state.proposals + (ProposalVersion(version, str(event.data["text"]),
                                                                event.actor, event.at),),
                   current=(), objections=objections)


def _on_deadline_set(state: Round, event: Event) -> Round:
    return replace(state, deadline=_parse_datetime(event.data["deadline"]))


def _on_round_agreed(state: Round, event: Event) -> Round:
    return replace(state, state=RoundState.AGREED, agreement=Agreement.from_dict(event.data["agreement"]),
                   closed_at=event.at, closed_by=event.actor)


def _on_round_abandoned(state: Round, event: Event) -> Round:
    return replace(state, state=RoundState.ABANDONED, closed_at=event.at, closed_by=event.actor,
                   close_reason=event.data.get("reason"))


_HANDLERS = {
    EventType.PHASE_CHANGED: _on_phase_changed,
    EventType.POSITION_GIVEN: _on_position_given,
    EventType.OBJECTION_WITHDRAWN: _on_objection_withdrawn,
    EventType.OBJECTION_RESOLVED: _on_objection_resolved,
    EventType.PROPOSAL_AMENDED: _on_proposal_amended,
    EventType.DEADLINE_SET: _on_deadline_set,
    EventType.ROUND_AGREED: _on_round_agreed,
    EventType.ROUND_ABANDONED: _on_round_abandoned,
}


# --------------------------------------------------------------------------- small helpers


def _not_member() -> Forbidden:
    # No matrix id in the log message: logs hold ids of things, not of people.
    return Forbidden("delib.not_member", "actor is not a member of the council")


def _require_member(actor: str, participants: Participants) -> None:
    if actor not in participants.members:
        raise _not_member()


def _clean_text(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = text.replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise InvalidInput("delib.text.too_long", f"text of {len(text)} characters", max=limit)
    return text or None


def _require_aware(value: datetime, name: str) -> None:
    # Naive datetimes would make deadlines and register dates depend on the server's zone.
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _check_deadline(deadline: datetime, at: datetime) -> None:
    _require_aware(deadline, "deadline")
    if deadline <= at:
        raise InvalidInput("delib.deadline.not_in_future", "deadline not after now")


def _check_key(key: str | None) -> str | None:
    if key is not None and (not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH):
        raise ValueError("idempotency_key must be a non-empty string of at most 255 characters")
    return key


def _parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    _require_aware(parsed, "timestamp")
    return parsed


def _json_copy(value: Any) -> Any:
    """A deep copy that keeps JSON types only, so events never share mutable data."""
    if isinstance(value, Mapping):
        return {str(k): _json_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_copy(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"event data must be JSON values, not {type(value).__name__}")
