"""Scenario rounds ("co-creatie over scenario's"): one consensus round over several options.

``!scenarios <onderwerp-nr> <titel>`` opens the round; the secretary (or the opener) adds options with
``!optie <tekst>`` while the round is in beeldvorming: the board's own scenarios, or the council's.
Members take a position per option with the words of a normal round (``!eens 2``, ``!bezwaar 1 <argument>``,
``!opzij 3``, ``!bedenking 2 <tekst>``, ``!info 2 <vraag>``) and may say which option they prefer
(``!voorkeur 2``). Still no tally and never a vote: the status shows per option who has not responded,
the objections that stand, the concerns and who prefers it (names), and which options nobody objects to.

The round ends in one of two ways:

* agreement on one option (``decide``), by the consent rule of :mod:`.consensus` applied to that option:
  besluitvorming, every present member responded on the option's current version, no objection open on it,
  no question pending on it, the quorum present;
* "meegedacht" (``end_as_input``, from oordeelsvorming on): the council's view on every option goes to the
  board as co-creation input; the outcome keeps every option's positions, open objections and concerns.

It is built like :class:`.consensus.Round`: an append-only list of :class:`ScenarioEvent` (numbered ``seq``
1, 2, ...), :meth:`ScenarioRound.replay`, commands that return a :class:`ScenarioResult` and change nothing
when refused, and idempotency keys (the Matrix event id) that make a repeated message a no-op.

Options change like proposals do:

* ``amend_option``: a new version of one option; the positions on that option are cleared, its open
  objections carry over and their objectors are asked whether the new version resolves them;
* ``merge_options``: two or more options become a new option; the merged ones close ("samengevoegd in N"),
  the positions on them are cleared, their open objections carry over to the new option (objectors asked),
  and preferences for them lapse (the member says again which option they prefer).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum
from typing import Any, Iterable, Mapping

from shared import i18n
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound

from .consensus import (
    _TEXT_REQUIRED,
    Agreement,
    Concern,
    CorruptEventLog,
    FinalPosition,
    InfoRequest,
    Objection,
    ObjectionStatus,
    Participants,
    Phase,
    Position,
    WithdrawReason,
    _check_deadline,
    _check_key,
    _clean_text,
    _json_copy,
    _not_member,
    _parse_datetime,
    _require_aware,
    _require_member,
    parse_position,
)
from .messages import LabelledConflict

MAX_OPTIONS = 9  # open options at a time: more than a council can weigh in one round (and one digit to type)
MAX_OPTION_LENGTH = 4_000
MAX_TITLE_LENGTH = 200
MAX_TEXT_LENGTH = 4_000

_NEXT_PHASE = {
    Phase.BEELDVORMING: Phase.OORDEELSVORMING,
    Phase.OORDEELSVORMING: Phase.BESLUITVORMING,
}


class ScenarioState(str, Enum):
    OPEN = "open"
    AGREED = "akkoord"  # agreement on one option
    INPUT = "meegedacht"  # the council's view on every option went to the board
    ABANDONED = "gestopt"


class OptionSource(str, Enum):
    """Whose scenario it is: the board's own, or the council's."""

    BESTUUR = "bestuur"
    RAAD = "raad"


class ScenarioEventType(str, Enum):
    OPENED = "scenarios_opened"
    OPTION_ADDED = "option_added"
    OPTION_AMENDED = "option_amended"
    OPTIONS_MERGED = "options_merged"
    PHASE_CHANGED = "phase_changed"
    DEADLINE_SET = "deadline_set"
    POSITION_GIVEN = "position_given"
    PREFERENCE_GIVEN = "preference_given"
    PREFERENCE_CLEARED = "preference_cleared"
    OBJECTION_WITHDRAWN = "objection_withdrawn"
    OBJECTION_RESOLVED = "objection_resolved"
    AGREED = "scenarios_agreed"
    ENDED_AS_INPUT = "scenarios_ended_as_input"
    ABANDONED = "scenarios_abandoned"


# Command words for a preference (without "!").
PREFERENCE_WORDS = frozenset({"voorkeur", "prefer", "preference"})


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class ScenarioEvent:
    """One fact in a scenario round's history. ``data`` holds JSON values only."""

    round_id: int
    seq: int
    type: ScenarioEventType
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
    def from_dict(cls, raw: Mapping[str, Any]) -> "ScenarioEvent":
        return cls(
            round_id=int(raw["round_id"]),
            seq=int(raw["seq"]),
            type=ScenarioEventType(raw["type"]),
            actor=str(raw["actor"]),
            at=_parse_datetime(raw["at"]),
            data=_json_copy(raw.get("data") or {}),
            idempotency_key=raw.get("idempotency_key"),
        )


# --------------------------------------------------------------------------- value objects


@dataclass(frozen=True)
class OptionVersion:
    version: int
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class Option:
    """One scenario. ``number`` is what members type (``!eens 2``); it never changes or gets reused."""

    number: int
    versions: tuple[OptionVersion, ...]
    source: OptionSource = OptionSource.RAAD
    merged_from: tuple[int, ...] = ()  # this option is the merge of these
    merged_into: int | None = None  # closed: merged into that option

    @property
    def version(self) -> int:
        return self.versions[-1].version

    @property
    def text(self) -> str:
        return self.versions[-1].text

    @property
    def is_open(self) -> bool:
        return self.merged_into is None


@dataclass(frozen=True)
class OptionPosition:
    """One position of one member on one version of one option."""

    member: str
    option: int
    position: Position
    text: str | None
    version: int
    at: datetime
    objection_id: int | None = None


@dataclass(frozen=True)
class ScenarioObjection:
    """An objection against one option. It stands against ``option``; when that option is merged it moves to
    the merged option (``raised_option`` keeps where it was raised) and its objector is asked again."""

    id: int
    member: str
    option: int
    argument: str
    raised_option: int
    raised_version: int
    raised_at: datetime
    status: ObjectionStatus = ObjectionStatus.OPEN
    closed_at: datetime | None = None
    closed_by: str | None = None
    note: str | None = None
    withdraw_reason: WithdrawReason | None = None
    # Carried over to this version of ``option`` (a new version or a merge); None: raised on the current one.
    asked_about_version: int | None = None
    resolved_in_version: int | None = None  # the version of ``option`` on the table when it was resolved

    @property
    def is_open(self) -> bool:
        return self.status is ObjectionStatus.OPEN

    def as_objection(self) -> Objection:
        """The decision register's shape (``register.RegisterEntry.objections``); ``version`` is the version
        of the option it was raised on."""
        return Objection(id=self.id, member=self.member, argument=self.argument, version=self.raised_version,
                         raised_at=self.raised_at, status=self.status, closed_at=self.closed_at,
                         closed_by=self.closed_by, note=self.note, withdraw_reason=self.withdraw_reason,
                         asked_about_version=self.asked_about_version,
                         resolved_in_version=self.resolved_in_version)


@dataclass(frozen=True)
class Preference:
    member: str
    option: int
    at: datetime


@dataclass(frozen=True)
class ObjectionView:
    id: int
    member: str
    argument: str
    raised_option: int
    raised_version: int
    asked_about_version: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "member": self.member, "argument": self.argument,
                "raised_option": self.raised_option, "raised_version": self.raised_version,
                "asked_about_version": self.asked_about_version}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "ObjectionView":
        asked = raw.get("asked_about_version")
        return cls(int(raw["id"]), str(raw["member"]), str(raw["argument"]), int(raw["raised_option"]),
                   int(raw["raised_version"]), int(asked) if asked is not None else None)


def _objection_view(o: ScenarioObjection) -> ObjectionView:
    return ObjectionView(o.id, o.member, o.argument, o.raised_option, o.raised_version, o.asked_about_version)


@dataclass(frozen=True)
class OptionOutcome:
    """What the decision list keeps of one option: its last text, every member's position on it, the
    objections that stood and the concerns. Names and texts only: no count."""

    option: int
    text: str
    version: int
    source: OptionSource
    merged_from: tuple[int, ...] = ()
    merged_into: int | None = None
    positions: tuple[FinalPosition, ...] = ()
    open_objections: tuple[ObjectionView, ...] = ()
    concerns: tuple[Concern, ...] = ()
    preferred_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "option": self.option,
            "text": self.text,
            "version": self.version,
            "source": self.source.value,
            "merged_from": list(self.merged_from),
            "merged_into": self.merged_into,
            "positions": [{"member": p.member, "position": p.position.value, "text": p.text}
                          for p in self.positions],
            "open_objections": [o.to_dict() for o in self.open_objections],
            "concerns": [{"member": c.member, "text": c.text} for c in self.concerns],
            "preferred_by": list(self.preferred_by),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "OptionOutcome":
        merged_into = raw.get("merged_into")
        return cls(
            option=int(raw["option"]),
            text=str(raw["text"]),
            version=int(raw["version"]),
            source=OptionSource(raw["source"]),
            merged_from=tuple(int(n) for n in raw.get("merged_from", ())),
            merged_into=int(merged_into) if merged_into is not None else None,
            positions=tuple(FinalPosition(str(p["member"]), Position(p["position"]), p.get("text"))
                            for p in raw.get("positions", ())),
            open_objections=tuple(ObjectionView.from_dict(o) for o in raw.get("open_objections", ())),
            concerns=tuple(Concern(str(c["member"]), str(c["text"])) for c in raw.get("concerns", ())),
            preferred_by=tuple(str(m) for m in raw.get("preferred_by", ())),
        )


@dataclass(frozen=True)
class ScenarioOutcome:
    """The decision-list record of a scenario round, for both endings.

    ``kind`` is :attr:`ScenarioState.AGREED` (``agreed_option`` is the option agreed on) or
    :attr:`ScenarioState.INPUT` ("meegedacht": every option's view goes to the board as co-creation input)."""

    round_id: int
    council_id: str
    topic_id: int
    title: str
    kind: ScenarioState
    decided_at: datetime
    decided_by: str
    options: tuple[OptionOutcome, ...]
    agreed_option: int | None = None
    absent: tuple[str, ...] = ()
    note: str | None = None

    @property
    def decided_on(self) -> date:
        return self.decided_at.date()

    @property
    def agreed(self) -> OptionOutcome | None:
        return next((o for o in self.options if o.option == self.agreed_option), None)

    def as_agreement(self) -> Agreement | None:
        """An agreement on one option in the decision register's shape, so the existing register lists it
        (its text is the agreed option's last version). None for "meegedacht": that is input, not a decision."""
        agreed = self.agreed
        if self.kind is not ScenarioState.AGREED or agreed is None:
            return None
        return Agreement(round_id=self.round_id, council_id=self.council_id, topic_id=self.topic_id,
                         text=agreed.text, version=agreed.version, decided_at=self.decided_at,
                         decided_by=self.decided_by, positions=agreed.positions, absent=self.absent)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "council_id": self.council_id,
            "topic_id": self.topic_id,
            "title": self.title,
            "kind": self.kind.value,
            "decided_at": self.decided_at.isoformat(),
            "decided_on": self.decided_on.isoformat(),
            "decided_by": self.decided_by,
            "agreed_option": self.agreed_option,
            "options": [o.to_dict() for o in self.options],
            "absent": list(self.absent),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "ScenarioOutcome":
        agreed = raw.get("agreed_option")
        return cls(
            round_id=int(raw["round_id"]),
            council_id=str(raw["council_id"]),
            topic_id=int(raw["topic_id"]),
            title=str(raw["title"]),
            kind=ScenarioState(raw["kind"]),
            decided_at=_parse_datetime(raw["decided_at"]),
            decided_by=str(raw["decided_by"]),
            options=tuple(OptionOutcome.from_dict(o) for o in raw["options"]),
            agreed_option=int(agreed) if agreed is not None else None,
            absent=tuple(str(m) for m in raw.get("absent", ())),
            note=raw.get("note"),
        )


@dataclass(frozen=True)
class OptionMissing:
    """What stands between one option and a recorded agreement on it. Empty means: it can be recorded."""

    option: int
    not_responded: tuple[str, ...] = ()
    open_objections: tuple[ScenarioObjection, ...] = ()
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


class OptionNotReady(Conflict):
    """``!besluit <optie>`` refused: the params say what is missing for that option; the text lists it."""

    def __init__(self, round_id: int, missing: OptionMissing) -> None:
        super().__init__(
            "delib.scenarios.decide.not_ready",
            f"scenario round {round_id}: agreement on option {missing.option} cannot be recorded yet",
            round_id=round_id,
            option=missing.option,
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
        lines = [i18n.t(self.code, lang, round_id=self.params["round_id"], option=m.option)]
        if m.wrong_phase:
            lines.append("• " + i18n.t("delib.scenarios.decide.missing.phase", lang,
                                       phase=i18n.t(f"delib.phase.{m.wrong_phase.value}", lang)))
        for objection in m.open_objections:
            lines.append("• " + i18n.t("delib.scenarios.decide.missing.objection", lang,
                                       objection_id=objection.id, member=objection.member))
        if m.not_responded:
            lines.append("• " + i18n.t("delib.scenarios.decide.missing.not_responded", lang,
                                       option=m.option, members=", ".join(m.not_responded)))
        if m.info_pending:
            lines.append("• " + i18n.t("delib.scenarios.decide.missing.info", lang,
                                       members=", ".join(m.info_pending)))
        if m.quorum_shortfall:
            lines.append("• " + i18n.t("delib.scenarios.decide.missing.quorum", lang,
                                       quorum=m.quorum, present=m.present))
        return "\n".join(lines)


# --------------------------------------------------------------------------- the status view


@dataclass(frozen=True)
class OptionStatus:
    option: int
    version: int
    text: str
    source: OptionSource
    merged_from: tuple[int, ...]
    not_responded: tuple[str, ...]
    open_objections: tuple[ObjectionView, ...]
    concerns: tuple[Concern, ...]
    info_requested: tuple[InfoRequest, ...]
    preferred_by: tuple[str, ...]
    unopposed: bool  # nobody objects to it (now)
    can_record_agreement: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "option": self.option,
            "version": self.version,
            "text": self.text,
            "source": self.source.value,
            "merged_from": list(self.merged_from),
            "not_responded": list(self.not_responded),
            "open_objections": [o.to_dict() for o in self.open_objections],
            "concerns": [{"member": c.member, "text": c.text} for c in self.concerns],
            "info_requested": [{"member": i.member, "question": i.question} for i in self.info_requested],
            "preferred_by": list(self.preferred_by),
            "unopposed": self.unopposed,
            "can_record_agreement": self.can_record_agreement,
        }


@dataclass(frozen=True)
class MergedOption:
    option: int
    text: str
    merged_into: int


@dataclass(frozen=True)
class ScenarioStatus:
    """What ``!stand`` shows in a scenario round. Names and texts per option, never a count of positions."""

    round_id: int
    topic_id: int
    title: str
    state: ScenarioState
    phase: Phase
    deadline: datetime | None
    deadline_passed: bool
    options: tuple[OptionStatus, ...]  # the open options, in number order
    merged: tuple[MergedOption, ...]
    unopposed: tuple[int, ...]  # the open options nobody objects to
    decidable: tuple[int, ...]  # the options on which agreement can be recorded now
    quorum_shortfall: int  # members short of the quorum: a headcount of presence, not of positions
    agreed_option: int | None = None

    def option(self, number: int) -> OptionStatus:
        for status in self.options:
            if status.option == number:
                return status
        raise KeyError(number)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "topic_id": self.topic_id,
            "title": self.title,
            "state": self.state.value,
            "phase": self.phase.value,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_passed": self.deadline_passed,
            "options": [o.to_dict() for o in self.options],
            "merged": [{"option": m.option, "text": m.text, "merged_into": m.merged_into} for m in self.merged],
            "unopposed": list(self.unopposed),
            "decidable": list(self.decidable),
            "quorum_shortfall": self.quorum_shortfall,
            "agreed_option": self.agreed_option,
        }


@dataclass(frozen=True)
class ScenarioResult:
    """The events to append (empty for a duplicate) and the round after them."""

    events: tuple[ScenarioEvent, ...]
    round: "ScenarioRound"
    duplicate: bool = False

    @property
    def outcome(self) -> ScenarioOutcome | None:
        return self.round.outcome


# --------------------------------------------------------------------------- the round


@dataclass(frozen=True)
class ScenarioRound:
    round_id: int
    council_id: str
    topic_id: int
    title: str
    opener: str
    opened_at: datetime
    deadline: datetime | None = None
    options: tuple[Option, ...] = ()
    phase: Phase = Phase.BEELDVORMING
    state: ScenarioState = ScenarioState.OPEN
    history: tuple[OptionPosition, ...] = ()
    current: tuple[OptionPosition, ...] = ()  # latest position per (member, option) on its current version
    objections: tuple[ScenarioObjection, ...] = ()
    preferences: tuple[Preference, ...] = ()  # at most one per member, on an open option
    seen_keys: frozenset[str] = frozenset()
    last_seq: int = 0
    outcome: ScenarioOutcome | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_reason: str | None = None

    # ---- reading

    @property
    def is_open(self) -> bool:
        return self.state is ScenarioState.OPEN

    @property
    def open_options(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.is_open)

    @property
    def open_objections(self) -> tuple[ScenarioObjection, ...]:
        return tuple(o for o in self.objections if o.is_open)

    def option(self, number: int) -> Option:
        for option in self.options:
            if option.number == number:
                return option
        raise NotFound("delib.scenarios.option.not_found", f"scenario round {self.round_id}: no option {number}",
                       round_id=self.round_id, option=number)

    def objection(self, objection_id: int) -> ScenarioObjection:
        for objection in self.objections:
            if objection.id == objection_id:
                return objection
        raise NotFound("delib.scenarios.objection.not_found",
                       f"scenario round {self.round_id}: no objection {objection_id}",
                       round_id=self.round_id, objection_id=objection_id)

    def current_position(self, member: str, option: int) -> OptionPosition | None:
        for record in self.current:
            if record.member == member and record.option == option:
                return record
        return None

    def positions_on(self, option: int) -> tuple[OptionPosition, ...]:
        return tuple(sorted((r for r in self.current if r.option == option), key=lambda r: r.member))

    def open_objections_on(self, option: int) -> tuple[ScenarioObjection, ...]:
        return tuple(o for o in self.objections if o.is_open and o.option == option)

    def preference_of(self, member: str) -> int | None:
        for preference in self.preferences:
            if preference.member == member:
                return preference.option
        return None

    def preferred_by(self, option: int) -> tuple[str, ...]:
        return tuple(sorted(p.member for p in self.preferences if p.option == option))

    def missing(self, option: int, participants: Participants, quorum: int) -> OptionMissing:
        """What stands between ``option`` and agreement on it (the consent rule of a normal round)."""
        present = participants.present
        objections = self.open_objections_on(option)
        # An objector whose objection carried over to this option has a standing answer: the objection.
        objecting = {o.member for o in objections}
        return OptionMissing(
            option=option,
            not_responded=tuple(sorted(m for m in present if self.current_position(m, option) is None
                                       and m not in objecting)),
            open_objections=objections,
            info_pending=tuple(sorted(r.member for r in self.positions_on(option)
                                      if r.position is Position.INFO and r.member in participants.members)),
            quorum=max(1, quorum),
            present=len(present),
            wrong_phase=None if self.phase is Phase.BESLUITVORMING else self.phase,
        )

    def status(self, participants: Participants, quorum: int, now: datetime | None = None) -> ScenarioStatus:
        views: list[OptionStatus] = []
        for option in self.open_options:
            missing = self.missing(option.number, participants, quorum)
            positions = self.positions_on(option.number)
            views.append(OptionStatus(
                option=option.number,
                version=option.version,
                text=option.text,
                source=option.source,
                merged_from=option.merged_from,
                not_responded=missing.not_responded if self.is_open else (),
                open_objections=tuple(_objection_view(o) for o in missing.open_objections),
                concerns=tuple(Concern(r.member, r.text or "") for r in positions
                               if r.position is Position.BEDENKING),
                info_requested=tuple(InfoRequest(r.member, r.text or "") for r in positions
                                     if r.position is Position.INFO),
                preferred_by=self.preferred_by(option.number),
                unopposed=not missing.open_objections,
                can_record_agreement=self.is_open and missing.nothing,
            ))
        present = len(participants.present)
        return ScenarioStatus(
            round_id=self.round_id,
            topic_id=self.topic_id,
            title=self.title,
            state=self.state,
            phase=self.phase,
            deadline=self.deadline,
            deadline_passed=bool(now is not None and self.deadline is not None and now > self.deadline),
            options=tuple(views),
            merged=tuple(MergedOption(o.number, o.text, o.merged_into) for o in self.options
                         if o.merged_into is not None),
            unopposed=tuple(v.option for v in views if v.unopposed),
            decidable=tuple(v.option for v in views if v.can_record_agreement),
            quorum_shortfall=max(0, max(1, quorum) - present),
            agreed_option=self.outcome.agreed_option if self.outcome else None,
        )

    def to_remind(self, present_members: Iterable[str]) -> dict[str, tuple[int, ...]]:
        """Per present member, the open options they have not responded on yet (empty: nobody to remind)."""
        if not self.is_open:
            return {}
        waiting: dict[str, tuple[int, ...]] = {}
        for member in sorted(set(present_members)):
            numbers = tuple(o.number for o in self.open_options
                            if self.current_position(member, o.number) is None
                            and not any(x.member == member for x in self.open_objections_on(o.number)))
            if numbers:
                waiting[member] = numbers
        return waiting

    # ---- commands

    def add_option(self, actor: str, text: str | None, source: OptionSource | str = OptionSource.RAAD, *,
                   participants: Participants, at: datetime,
                   idempotency_key: str | None = None) -> ScenarioResult:
        """``!optie <tekst>``: the secretary or the opener, while the round is in beeldvorming."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        self._require_facilitator(actor, participants)
        if self.phase is not Phase.BEELDVORMING:
            raise LabelledConflict("delib.scenarios.option.too_late",
                                   f"scenario round {self.round_id}: options are added in beeldvorming",
                                   labels={"phase": "delib.phase."}, round_id=self.round_id,
                                   phase=self.phase.value)
        if len(self.open_options) >= MAX_OPTIONS:
            raise Conflict("delib.scenarios.option.too_many",
                           f"scenario round {self.round_id}: already {MAX_OPTIONS} options",
                           max=MAX_OPTIONS)
        text = self._option_text(text)
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.OPTION_ADDED, {"option": len(self.options) + 1, "text": text,
                                              "source": _source(source).value})])

    def amend_option(self, actor: str, option: int, text: str | None, *, participants: Participants,
                     at: datetime, idempotency_key: str | None = None) -> ScenarioResult:
        """``!optie <nr> wijzig <nieuwe tekst>`` (or ``!voorstel <nr> <tekst>``): version n+1 of one option;
        everyone responds on it again."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        option = parse_option_number(option)
        self._require_open()
        self._require_facilitator(actor, participants)
        target = self._open_option(option)
        text = _clean_text(text, MAX_OPTION_LENGTH)
        if not text:
            raise InvalidInput("delib.scenarios.option.text_required", "option without text")
        if text == target.text:
            raise Conflict("delib.scenarios.option.unchanged",
                           f"scenario round {self.round_id}: amendment equals option {option}",
                           option=option, version=target.version)
        self._require_distinct(text, exclude=(option,))
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.OPTION_AMENDED, {"option": option, "version": target.version + 1, "text": text})])

    def merge_options(self, actor: str, options: Iterable[int], text: str | None, *,
                      participants: Participants, at: datetime,
                      idempotency_key: str | None = None) -> ScenarioResult:
        """``!optie <nr> <nr>... samen <tekst>``: a new option; the merged ones close as "samengevoegd in N"."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        self._require_facilitator(actor, participants)
        numbers = tuple(sorted(set(parse_option_number(n) for n in options)))
        if len(numbers) < 2:
            raise InvalidInput("delib.scenarios.merge.two_needed", "merge of fewer than two options")
        merged = [self._open_option(n) for n in numbers]
        text = _clean_text(text, MAX_OPTION_LENGTH)
        if not text:
            raise InvalidInput("delib.scenarios.option.text_required", "merge without text")
        self._require_distinct(text, exclude=numbers)
        sources = {o.source for o in merged}
        source = sources.pop() if len(sources) == 1 else OptionSource.RAAD
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.OPTIONS_MERGED, {"option": len(self.options) + 1, "from": list(numbers),
                                                "text": text, "source": source.value})])

    def give_position(self, actor: str, option: int, position: Position | str, text: str | None = None, *,
                      participants: Participants, at: datetime,
                      idempotency_key: str | None = None) -> ScenarioResult:
        """``!eens 2``, ``!bedenking 2 <tekst>``, ``!opzij 2``, ``!bezwaar 2 <argument>``, ``!info 2 <vraag>``."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        option = parse_option_number(option)
        self._require_open()
        _require_member(actor, participants)
        target = self._open_option(option)
        position = position if isinstance(position, Position) else parse_position(position)
        text = _clean_text(text, MAX_TEXT_LENGTH)
        if position in _TEXT_REQUIRED and not text:
            raise InvalidInput(_TEXT_REQUIRED[position], f"{position.value} without text",
                               position=position.value)

        specs: list[tuple[ScenarioEventType, dict[str, Any]]] = []
        for held in self.open_objections_on(option):
            if held.member != actor:
                continue
            if held.asked_about_version is not None and position is not Position.BEZWAAR:
                # The objector answers on the new (or merged) version without objecting: it resolved theirs.
                specs.append((ScenarioEventType.OBJECTION_RESOLVED, {
                    "objection_id": held.id, "note": None, "by_objector": True, "by_new_version": True}))
            else:
                reason = WithdrawReason.REPLACED if position is Position.BEZWAAR else WithdrawReason.POSITION_CHANGED
                specs.append((ScenarioEventType.OBJECTION_WITHDRAWN, {"objection_id": held.id,
                                                                      "reason": reason.value}))
        data: dict[str, Any] = {"member": actor, "option": option, "position": position.value, "text": text,
                                "version": target.version}
        if position is Position.BEZWAAR:
            data["objection_id"] = len(self.objections) + 1
        specs.append((ScenarioEventType.POSITION_GIVEN, data))
        if position is Position.INFO and self.phase is not Phase.BEELDVORMING:
            specs.append((ScenarioEventType.PHASE_CHANGED, {"from": self.phase.value,
                                                            "to": Phase.BEELDVORMING.value, "reason": "info"}))
        return self._commit(actor, at, idempotency_key, specs)

    def prefer(self, actor: str, option: int | None, *, participants: Participants, at: datetime,
               idempotency_key: str | None = None) -> ScenarioResult:
        """``!voorkeur 2``: which option the member prefers (one a member; a new one replaces it). Shown as
        names with the option, never counted. ``None`` takes one's preference back."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        _require_member(actor, participants)
        if option is None:
            if self.preference_of(actor) is None:
                raise NotFound("delib.scenarios.preference.none", f"scenario round {self.round_id}: no preference",
                               round_id=self.round_id)
            return self._commit(actor, at, idempotency_key, [
                (ScenarioEventType.PREFERENCE_CLEARED, {"member": actor})])
        option = parse_option_number(option)
        self._open_option(option)
        if self.preference_of(actor) == option:
            raise Conflict("delib.scenarios.preference.unchanged",
                           f"scenario round {self.round_id}: same preference", option=option)
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.PREFERENCE_GIVEN, {"member": actor, "option": option})])

    def withdraw_objection(self, actor: str, objection_id: int | None = None, *, option: int | None = None,
                           participants: Participants, at: datetime,
                           idempotency_key: str | None = None) -> ScenarioResult:
        """``!intrekken [optie]``: only the objector; without an id, their own open objection (on ``option``)."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        _require_member(actor, participants)
        if objection_id is None:
            objection = self._own_open_objection(actor, option)
        else:
            objection = self.objection(objection_id)
            if objection.member != actor:
                raise Forbidden("delib.scenarios.objection.not_yours",
                                f"scenario round {self.round_id}: objection {objection_id} is not the actor's",
                                objection_id=objection_id)
        self._require_objection_open(objection)
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.OBJECTION_WITHDRAWN, {"objection_id": objection.id,
                                                     "reason": WithdrawReason.INTREKKEN.value})])

    def resolve_objection(self, actor: str, objection_id: int | None, note: str | None = None, *,
                          option: int | None = None, participants: Participants, at: datetime,
                          idempotency_key: str | None = None) -> ScenarioResult:
        """``!opgelost``: the objector (a note optional), or the secretary or opener with a note."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        if objection_id is None:
            objection = self._own_open_objection(actor, option)
        else:
            objection = self.objection(objection_id)
        by_objector = objection.member == actor and actor in participants.members
        if not by_objector:
            self._require_facilitator(actor, participants)
        self._require_objection_open(objection)
        note = _clean_text(note, MAX_TEXT_LENGTH)
        if not note and not by_objector:
            raise InvalidInput("delib.scenarios.objection.note_required", "resolution without note",
                               objection_id=objection.id)
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.OBJECTION_RESOLVED, {
                "objection_id": objection.id, "note": note, "by_objector": by_objector,
                "by_new_version": by_objector and objection.asked_about_version is not None})])

    def advance_phase(self, actor: str, *, participants: Participants, at: datetime,
                      idempotency_key: str | None = None) -> ScenarioResult:
        """beeldvorming → oordeelsvorming → besluitvorming; options are weighed once there are two."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        self._require_facilitator(actor, participants)
        nxt = _NEXT_PHASE.get(self.phase)
        if nxt is None:
            raise Conflict("delib.scenarios.phase.last", f"scenario round {self.round_id}: last phase",
                           round_id=self.round_id)
        if self.phase is Phase.BEELDVORMING and len(self.open_options) < 2:
            # After beeldvorming no option can be added: a scenario round needs at least two to weigh.
            raise Conflict("delib.scenarios.phase.two_options_needed",
                           f"scenario round {self.round_id}: fewer than two options", round_id=self.round_id)
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.PHASE_CHANGED, {"from": self.phase.value, "to": nxt.value, "reason": "advance"})])

    def set_deadline(self, actor: str, deadline: datetime, *, participants: Participants, at: datetime,
                     idempotency_key: str | None = None) -> ScenarioResult:
        """``!termijn`` in the round's thread: the facilitator moves the deadline (never into the past)."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        self._require_facilitator(actor, participants)
        _check_deadline(deadline, at)
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.DEADLINE_SET, {"deadline": deadline.isoformat()})])

    def decide(self, actor: str, option: int, *, participants: Participants, quorum: int, at: datetime,
               idempotency_key: str | None = None) -> ScenarioResult:
        """``!besluit <optie>``: agreement on that option, or :class:`OptionNotReady` saying what is missing."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        option = parse_option_number(option)
        self._require_open()
        if actor not in participants.members and actor not in participants.secretaries:
            raise _not_member()
        self._open_option(option)
        missing = self.missing(option, participants, quorum)
        if not missing.nothing:
            raise OptionNotReady(self.round_id, missing)
        _require_aware(at, "at")
        outcome = self._outcome(ScenarioState.AGREED, actor, at, participants, agreed_option=option)
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.AGREED, {"outcome": outcome.to_dict()})])

    def end_as_input(self, actor: str, note: str | None = None, *, participants: Participants, at: datetime,
                     idempotency_key: str | None = None) -> ScenarioResult:
        """``!meegedacht``: the round ends without choosing; every option's view goes to the board."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        self._require_facilitator(actor, participants)
        if self.phase is Phase.BEELDVORMING:
            raise Conflict("delib.scenarios.input.too_early",
                           f"scenario round {self.round_id}: meegedacht before oordeelsvorming",
                           round_id=self.round_id)
        _require_aware(at, "at")
        outcome = self._outcome(ScenarioState.INPUT, actor, at, participants,
                                note=_clean_text(note, MAX_TEXT_LENGTH))
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.ENDED_AS_INPUT, {"outcome": outcome.to_dict()})])

    def abandon(self, actor: str, reason: str | None = None, *, participants: Participants, at: datetime,
                idempotency_key: str | None = None) -> ScenarioResult:
        """Stop the round without agreement and without input (the topic goes back to the agenda)."""
        if (dup := self._duplicate(idempotency_key)) is not None:
            return dup
        self._require_open()
        self._require_facilitator(actor, participants)
        return self._commit(actor, at, idempotency_key, [
            (ScenarioEventType.ABANDONED, {"reason": _clean_text(reason, MAX_TEXT_LENGTH)})])

    # ---- applying events (the only place state changes)

    @classmethod
    def replay(cls, events: Iterable[ScenarioEvent | Mapping[str, Any]]) -> "ScenarioRound":
        state: ScenarioRound | None = None
        for raw in events:
            event = raw if isinstance(raw, ScenarioEvent) else ScenarioEvent.from_dict(raw)
            state = _opened(event) if state is None else state.apply(event)
        if state is None:
            raise CorruptEventLog("a scenario round needs at least its scenarios_opened event")
        return state

    def apply(self, event: ScenarioEvent) -> "ScenarioRound":
        if event.round_id != self.round_id:
            raise CorruptEventLog(f"event of scenario round {event.round_id} applied to {self.round_id}")
        if event.seq != self.last_seq + 1:
            raise CorruptEventLog(f"scenario round {self.round_id}: event seq {event.seq} after {self.last_seq}")
        handler = _HANDLERS.get(event.type)
        if handler is None:
            raise CorruptEventLog(f"scenario round {self.round_id}: unexpected {event.type.value} event")
        state = handler(self, event)
        keys = self.seen_keys | {event.idempotency_key} if event.idempotency_key else self.seen_keys
        return replace(state, last_seq=event.seq, seen_keys=keys)

    # ---- helpers

    def _outcome(self, kind: ScenarioState, actor: str, at: datetime, participants: Participants, *,
                 agreed_option: int | None = None, note: str | None = None) -> ScenarioOutcome:
        options = []
        for option in self.options:
            # members at the time of the ending; a position of someone who left stays in the history
            positions = tuple(r for r in self.positions_on(option.number) if r.member in participants.members)
            options.append(OptionOutcome(
                option=option.number,
                text=option.text,
                version=option.version,
                source=option.source,
                merged_from=option.merged_from,
                merged_into=option.merged_into,
                positions=tuple(FinalPosition(r.member, r.position, r.text) for r in positions),
                open_objections=tuple(_objection_view(o) for o in self.open_objections_on(option.number)),
                concerns=tuple(Concern(r.member, r.text or "") for r in positions
                               if r.position is Position.BEDENKING),
                preferred_by=self.preferred_by(option.number),
            ))
        return ScenarioOutcome(
            round_id=self.round_id, council_id=self.council_id, topic_id=self.topic_id, title=self.title,
            kind=kind, decided_at=at, decided_by=actor, options=tuple(options), agreed_option=agreed_option,
            absent=tuple(sorted(participants.absent & participants.members)), note=note)

    def _duplicate(self, key: str | None) -> ScenarioResult | None:
        if key is not None and key in self.seen_keys:
            return ScenarioResult(events=(), round=self, duplicate=True)
        return None

    def _require_open(self) -> None:
        if not self.is_open:
            raise LabelledConflict("delib.scenarios.closed",
                                   f"scenario round {self.round_id} is {self.state.value}",
                                   labels={"state": "delib.scenario_state."},
                                   round_id=self.round_id, state=self.state.value)

    def _require_facilitator(self, actor: str, participants: Participants) -> None:
        if actor in participants.secretaries:
            return
        if actor not in participants.members:
            raise _not_member()
        if actor != self.opener:
            raise Forbidden("delib.scenarios.not_facilitator",
                            f"scenario round {self.round_id}: actor is not secretary or opener",
                            round_id=self.round_id)

    def _open_option(self, number: int) -> Option:
        option = self.option(number)
        if not option.is_open:
            raise Conflict("delib.scenarios.option.merged",
                           f"scenario round {self.round_id}: option {number} was merged",
                           option=number, merged_into=option.merged_into)
        return option

    def _option_text(self, text: str | None) -> str:
        text = _clean_text(text, MAX_OPTION_LENGTH)
        if not text:
            raise InvalidInput("delib.scenarios.option.text_required", "option without text")
        self._require_distinct(text)
        return text

    def _require_distinct(self, text: str, exclude: tuple[int, ...] = ()) -> None:
        # Two open options with the same text would split the council's view for nothing.
        for option in self.open_options:
            if option.number not in exclude and option.text.casefold() == text.casefold():
                raise Conflict("delib.scenarios.option.duplicate",
                               f"scenario round {self.round_id}: text equals option {option.number}",
                               option=option.number)

    def _own_open_objection(self, actor: str, option: int | str | None) -> ScenarioObjection:
        option = parse_option_number(option) if option is not None else None
        own = [o for o in self.open_objections if o.member == actor and (option is None or o.option == option)]
        if not own:
            raise NotFound("delib.scenarios.objection.none_open",
                           f"scenario round {self.round_id}: no open objection of actor", round_id=self.round_id)
        if len(own) > 1:
            raise InvalidInput("delib.scenarios.objection.which",
                               f"scenario round {self.round_id}: several open objections of actor",
                               objection_ids=", ".join(str(o.id) for o in own))
        return own[0]

    def _require_objection_open(self, objection: ScenarioObjection) -> None:
        if not objection.is_open:
            raise LabelledConflict("delib.objection.not_open",
                                   f"scenario round {self.round_id}: objection {objection.id} is "
                                   f"{objection.status.value}",
                                   labels={"status": "delib.objection_status."},
                                   objection_id=objection.id, status=objection.status.value)

    def _commit(self, actor: str, at: datetime, key: str | None,
                specs: list[tuple[ScenarioEventType, dict[str, Any]]]) -> ScenarioResult:
        _require_aware(at, "at")
        key = _check_key(key)
        events = tuple(ScenarioEvent(round_id=self.round_id, seq=self.last_seq + i, type=kind, actor=actor,
                                     at=at, data=data, idempotency_key=key)
                       for i, (kind, data) in enumerate(specs, start=1))
        state = self
        for event in events:
            state = state.apply(event)
        return ScenarioResult(events=events, round=state)


def open_scenarios(*, round_id: int, council_id: str, topic_id: int, title: str | None, opener: str,
                   participants: Participants, at: datetime, deadline: datetime | None = None,
                   idempotency_key: str | None = None) -> ScenarioResult:
    """``!scenarios <onderwerp-nr> <titel>``: a co-creation round, still without options."""
    if opener not in participants.members and opener not in participants.secretaries:
        raise _not_member()
    title = _clean_text(title, MAX_TITLE_LENGTH)
    if not title:
        raise InvalidInput("delib.scenarios.title_required", "scenario round without title")
    _require_aware(at, "at")
    if deadline is not None:
        _require_aware(deadline, "deadline")
        if deadline <= at:
            raise InvalidInput("delib.deadline.not_in_future", "deadline not after now")
    event = ScenarioEvent(round_id=round_id, seq=1, type=ScenarioEventType.OPENED, actor=opener, at=at,
                          data={"council_id": council_id, "topic_id": topic_id, "title": title,
                                "deadline": deadline.isoformat() if deadline else None},
                          idempotency_key=_check_key(idempotency_key))
    return ScenarioResult(events=(event,), round=ScenarioRound.replay([event]))


def parse_option_number(word: str | int) -> int:
    """``"2"`` (or ``"optie 2"``, ``"#2"``) → 2; anything else asks for the option's number."""
    if isinstance(word, int) and not isinstance(word, bool) and word > 0:
        return word
    raw = str(word).strip().lower().removeprefix("optie").removeprefix("option").strip().lstrip("#")
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput("delib.scenarios.option.number_needed", "option number expected", given=str(word).strip())
    return int(raw)


def scenario_round_not_found(round_id: int | str) -> NotFound:
    """For the store: an unknown scenario round number."""
    return NotFound("delib.scenarios.not_found", f"no scenario round {round_id}", round_id=round_id)


# --------------------------------------------------------------------------- event handlers


def _source(value: OptionSource | str) -> OptionSource:
    try:
        return value if isinstance(value, OptionSource) else OptionSource(str(value).strip().lower())
    except ValueError:
        raise InvalidInput("delib.scenarios.option.unknown_source", f"unknown option source {value!r}",
                           given=str(value)) from None


def _opened(event: ScenarioEvent) -> ScenarioRound:
    if event.type is not ScenarioEventType.OPENED or event.seq != 1:
        raise CorruptEventLog(f"scenario round {event.round_id} must start with scenarios_opened as seq 1")
    d = event.data
    return ScenarioRound(
        round_id=event.round_id,
        council_id=str(d["council_id"]),
        topic_id=int(d["topic_id"]),
        title=str(d["title"]),
        opener=event.actor,
        opened_at=event.at,
        deadline=_parse_datetime(d["deadline"]) if d.get("deadline") else None,
        seen_keys=frozenset({event.idempotency_key}) if event.idempotency_key else frozenset(),
        last_seq=1,
    )


def _on_option_added(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    d = event.data
    option = Option(int(d["option"]), (OptionVersion(1, str(d["text"]), event.actor, event.at),),
                    OptionSource(d["source"]))
    return replace(state, options=state.options + (option,))


def _on_option_amended(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    number, version = int(event.data["option"]), int(event.data["version"])
    options = tuple(replace(o, versions=o.versions + (OptionVersion(version, str(event.data["text"]), event.actor,
                                                                    event.at),))
                    if o.number == number else o for o in state.options)
    objections = tuple(replace(o, asked_about_version=version) if o.is_open and o.option == number else o
                       for o in state.objections)
    return replace(state, options=options, objections=objections,
                   current=tuple(r for r in state.current if r.option != number))


def _on_options_merged(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    d = event.data
    number, merged = int(d["option"]), frozenset(int(n) for n in d["from"])
    new = Option(number, (OptionVersion(1, str(d["text"]), event.actor, event.at),), OptionSource(d["source"]),
                 merged_from=tuple(sorted(merged)))
    options = tuple(replace(o, merged_into=number) if o.number in merged else o for o in state.options) + (new,)
    objections = tuple(replace(o, option=number, asked_about_version=1) if o.is_open and o.option in merged else o
                       for o in state.objections)
    return replace(state, options=options, objections=objections,
                   current=tuple(r for r in state.current if r.option not in merged),
                   preferences=tuple(p for p in state.preferences if p.option not in merged))


def _on_phase_changed(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    return replace(state, phase=Phase(event.data["to"]))


def _on_deadline_set(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    return replace(state, deadline=_parse_datetime(event.data["deadline"]))


def _on_position_given(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    d = event.data
    record = OptionPosition(member=str(d["member"]), option=int(d["option"]), position=Position(d["position"]),
                            text=d.get("text"), version=int(d["version"]), at=event.at,
                            objection_id=d.get("objection_id"))
    current = tuple(r for r in state.current
                    if not (r.member == record.member and r.option == record.option)) + (record,)
    objections = state.objections
    if record.position is Position.BEZWAAR:
        objections += (ScenarioObjection(id=int(d["objection_id"]), member=record.member, option=record.option,
                                         argument=record.text or "", raised_option=record.option,
                                         raised_version=record.version, raised_at=event.at),)
    return replace(state, history=state.history + (record,), current=current, objections=objections)


def _on_preference_given(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    member = str(event.data["member"])
    preference = Preference(member, int(event.data["option"]), event.at)
    return replace(state, preferences=tuple(p for p in state.preferences if p.member != member) + (preference,))


def _on_preference_cleared(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    member = str(event.data["member"])
    return replace(state, preferences=tuple(p for p in state.preferences if p.member != member))


def _close_objection(state: ScenarioRound, event: ScenarioEvent, **changes: Any) -> ScenarioRound:
    objection_id = int(event.data["objection_id"])
    objections = tuple(replace(o, closed_at=event.at, closed_by=event.actor, **changes) if o.id == objection_id
                       else o for o in state.objections)
    # The objector no longer holds this position; they are asked to respond again on that option.
    current = tuple(r for r in state.current if r.objection_id != objection_id)
    return replace(state, objections=objections, current=current)


def _on_objection_withdrawn(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    return _close_objection(state, event, status=ObjectionStatus.WITHDRAWN,
                            withdraw_reason=WithdrawReason(event.data["reason"]))


def _on_objection_resolved(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    status = (ObjectionStatus.RESOLVED_BY_AMENDMENT if event.data.get("by_new_version")
              else ObjectionStatus.RESOLVED)
    objection = state.objection(int(event.data["objection_id"]))
    return _close_objection(state, event, status=status, note=event.data.get("note"),
                            resolved_in_version=state.option(objection.option).version)


def _on_ended(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    outcome = ScenarioOutcome.from_dict(event.data["outcome"])
    return replace(state, state=outcome.kind, outcome=outcome, closed_at=event.at, closed_by=event.actor)


def _on_abandoned(state: ScenarioRound, event: ScenarioEvent) -> ScenarioRound:
    return replace(state, state=ScenarioState.ABANDONED, closed_at=event.at, closed_by=event.actor,
                   close_reason=event.data.get("reason"))


_HANDLERS = {
    ScenarioEventType.OPTION_ADDED: _on_option_added,
    ScenarioEventType.OPTION_AMENDED: _on_option_amended,
    ScenarioEventType.OPTIONS_MERGED: _on_options_merged,
    ScenarioEventType.PHASE_CHANGED: _on_phase_changed,
    ScenarioEventType.DEADLINE_SET: _on_deadline_set,
    ScenarioEventType.POSITION_GIVEN: _on_position_given,
    ScenarioEventType.PREFERENCE_GIVEN: _on_preference_given,
    ScenarioEventType.PREFERENCE_CLEARED: _on_preference_cleared,
    ScenarioEventType.OBJECTION_WITHDRAWN: _on_objection_withdrawn,
    ScenarioEventType.OBJECTION_RESOLVED: _on_objection_resolved,
    ScenarioEventType.AGREED: _on_ended,
    ScenarioEventType.ENDED_AS_INPUT: _on_ended,
    ScenarioEventType.ABANDONED: _on_abandoned,
}


# --------------------------------------------------------------------------- texts (scenarios and influence)

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        # ---- scenario rounds
        "delib.scenarios.not_found": "Ik ken geen scenarioronde {round_id}. Kijk het nummer nog even na.",
        "delib.scenarios.title_required": "Geef de scenarioronde een titel. Bijvoorbeeld: "
                                          "!scenarios 4 Drie varianten voor de servicekosten.",
        "delib.scenarios.closed": "Scenarioronde {round_id} is afgesloten ({state}). Er kan niets meer aan "
                                  "veranderen.",
        "delib.scenarios.not_facilitator": "Dit kan alleen de secretaris of degene die scenarioronde {round_id} "
                                           "opende. Er is niets veranderd.",
        "delib.scenarios.option.not_found": "Ik ken geen optie {option} in scenarioronde {round_id}. "
                                            "Met !stand zie je de opties.",
        "delib.scenarios.option.merged": "Optie {option} is samengevoegd in optie {merged_into}. "
                                         "Reageer op optie {merged_into}.",
        "delib.scenarios.option.too_late": "Opties voeg je toe tijdens de beeldvorming; de ronde is nu in de "
                                           "fase {phase}. Je kunt een optie nog wel aanpassen of samenvoegen.",
        "delib.scenarios.option.too_many": "Er staan al {max} opties open. Voeg opties samen of laat er een "
                                           "vallen voordat je een nieuwe toevoegt.",
        "delib.scenarios.option.text_required": "Schrijf de tekst van de optie erbij. Bijvoorbeeld: "
                                                "!optie Servicekosten per complex afrekenen.",
        "delib.scenarios.option.unchanged": "Deze tekst is hetzelfde als versie {version} van optie {option}. "
                                            "Er is niets veranderd.",
        "delib.scenarios.option.duplicate": "Optie {option} heeft al precies deze tekst. Er is niets veranderd.",
        "delib.scenarios.option.number_needed": "Noem het nummer van de optie, bijvoorbeeld !eens 2. "
                                                "‘{given}’ is geen optienummer.",
        "delib.scenarios.option.unknown_source": "‘{given}’ ken ik niet als herkomst van een optie. "
                                                 "Kies bestuur of raad.",
        "delib.scenarios.merge.two_needed": "Noem minstens twee opties om samen te voegen, bijvoorbeeld: "
                                            "!optie 1 3 samen <tekst van de nieuwe optie>.",
        "delib.scenarios.phase.last": "Scenarioronde {round_id} is al in de laatste fase, besluitvorming. "
                                      "Leg overeenstemming over een optie vast met !besluit <optie>, of sluit af "
                                      "met !meegedacht.",
        "delib.scenarios.phase.two_options_needed": "Scenarioronde {round_id} heeft minstens twee opties nodig "
                                                    "voordat de beeldvorming voorbij is. Voeg ze toe met "
                                                    "!optie <tekst>.",
        "delib.scenarios.preference.none": "Je hebt in deze scenarioronde geen voorkeur opgegeven.",
        "delib.scenarios.preference.unchanged": "Optie {option} is al je voorkeur. Er is niets veranderd.",
        "delib.scenarios.objection.not_found": "Ik ken geen bezwaar {objection_id} in scenarioronde {round_id}.",
        "delib.scenarios.objection.none_open": "Je hebt hier geen open bezwaar, dus er is niets om in te trekken "
                                               "of op te lossen.",
        "delib.scenarios.objection.which": "Je hebt meer dan één open bezwaar (nummers {objection_ids}). "
                                           "Noem de optie of het nummer van het bezwaar.",
        "delib.scenarios.objection.not_yours": "Alleen wie bezwaar {objection_id} maakte, kan het intrekken.",
        "delib.scenarios.objection.note_required": "Schrijf kort op hoe bezwaar {objection_id} is opgelost. "
                                                   "Dat komt in het verslag.",
        "delib.scenarios.input.too_early": "Scenarioronde {round_id} is nog in de beeldvorming. Afsluiten als "
                                           "‘meegedacht’ kan vanaf de oordeelsvorming.",
        "delib.scenarios.decide.not_ready": "Er kan nog geen overeenstemming over optie {option} worden "
                                            "vastgelegd in scenarioronde {round_id}. Dit ontbreekt nog:",
        "delib.scenarios.decide.missing.phase": "de ronde is nu in de fase {phase}. Eerst zet de secretaris of "
                                                "de opener de ronde met !verder door naar besluitvorming.",
        "delib.scenarios.decide.missing.objection": "bezwaar {objection_id} van {member} staat nog open.",
        "delib.scenarios.decide.missing.not_responded": "nog niet gereageerd op optie {option}: {members}.",
        "delib.scenarios.decide.missing.info": "wacht nog op informatie over deze optie: {members}.",
        "delib.scenarios.decide.missing.quorum": "te weinig leden aanwezig: er zijn er {present}, "
                                                 "nodig zijn er {quorum}.",
        # ---- labels
        "delib.scenario_state.open": "loopt",
        "delib.scenario_state.akkoord": "overeenstemming over één optie",
        "delib.scenario_state.meegedacht": "meegedacht",
        "delib.scenario_state.gestopt": "gestopt",
        "delib.option_source.bestuur": "scenario van het bestuur",
        "delib.option_source.raad": "scenario van de raad",
        "delib.influence_kind.overgenomen": "overgenomen",
        "delib.influence_kind.aangepast": "aangepast",
        "delib.influence_kind.niet_overgenomen": "niet overgenomen",
        "delib.influence_basis.bestuursreactie": "reactie van het bestuur",
        "delib.influence_basis.realisatietoets": "toets van de realisatie",
        # ---- influence
        "delib.influence.score_range": "Invloed is een getal van {min} tot en met {max}.",
        "delib.influence.what_changed_required": "Schrijf erbij wat er veranderde door de raad. Bijvoorbeeld: "
                                                 "!invloed 4 3 het bestuur nam de spreiding over, niet de "
                                                 "lagere tarieven.",
        "delib.influence.usage": "Zo werkt het: !invloed <onderwerp-nr> <1-5> <wat veranderde>. "
                                 "Bijvoorbeeld: !invloed 4 3 het bestuur nam de spreiding over.",
        "delib.influence.unknown_kind": "‘{given}’ ken ik niet. Kies overgenomen, aangepast of niet-overgenomen.",
        # ---- the decision list
        "delib.register.influence": "Wat veranderde door de raad",
        "delib.register.influence.line": "{date}: invloed {score} van 5, {kind} — {what}",
        "delib.register.scenarios.title": "Co-creatie: scenariorondes",
        "delib.register.scenarios.heading": "Scenarioronde {round_id}: {title}",
        "delib.register.scenarios.ending": "Uitkomst",
        "delib.register.scenarios.ending.agreed": "overeenstemming over optie {option}",
        "delib.register.scenarios.ending.input": "meegedacht: de mening van de raad over elke optie ging als "
                                                 "inbreng naar het bestuur",
        "delib.register.scenarios.option": "Optie {option} (versie {version}, {source})",
        "delib.register.scenarios.agreed_option": "hierover is de raad het eens",
        "delib.register.scenarios.merged_into": "samengevoegd in optie {option}",
        "delib.register.scenarios.standing": "bezwaar van {name} staat: {argument}",
        "delib.register.scenarios.preferred": "voorkeur van: {names}",
        "delib.register.scenarios.objection": "{name}, op optie {option} versie {version}: {argument} ({outcome})",
        "delib.register.scenarios.objection_moved": "(meegenomen naar optie {option})",
    },
    "en": {
        "delib.scenarios.not_found": "I don't know scenario round {round_id}. Please check the number.",
        "delib.scenarios.title_required": "Give the scenario round a title. For example: "
                                          "!scenarios 4 Three options for the service charges.",
        "delib.scenarios.closed": "Scenario round {round_id} is closed ({state}). Nothing can change any more.",
        "delib.scenarios.not_facilitator": "Only the secretary or whoever opened scenario round {round_id} can "
                                           "do this. Nothing has changed.",
        "delib.scenarios.option.not_found": "There is no option {option} in scenario round {round_id}. "
                                            "!stand shows the options.",
        "delib.scenarios.option.merged": "Option {option} was merged into option {merged_into}. "
                                         "Please respond to option {merged_into}.",
        "delib.scenarios.option.too_late": "Options are added during beeldvorming (forming a picture); the round "
                                           "is now in {phase}. You can still amend or merge an option.",
        "delib.scenarios.option.too_many": "There are already {max} open options. Merge options or drop one "
                                           "before adding another.",
        "delib.scenarios.option.text_required": "Add the text of the option. For example: "
                                                "!optie Settle service charges per complex.",
        "delib.scenarios.option.unchanged": "This text is the same as version {version} of option {option}. "
                                            "Nothing has changed.",
        "delib.scenarios.option.duplicate": "Option {option} already has exactly this text. Nothing has changed.",
        "delib.scenarios.option.number_needed": "Give the option's number, for example !eens 2. "
                                                "‘{given}’ is not an option number.",
        "delib.scenarios.option.unknown_source": "I don't know ‘{given}’ as where an option comes from. "
                                                 "Choose bestuur (board) or raad (council).",
        "delib.scenarios.merge.two_needed": "Name at least two options to merge, for example: "
                                            "!optie 1 3 samen <text of the new option>.",
        "delib.scenarios.phase.last": "Scenario round {round_id} is already in the last phase, besluitvorming "
                                      "(deciding). Record agreement on an option with !besluit <option>, or close "
                                      "with !meegedacht.",
        "delib.scenarios.phase.two_options_needed": "Scenario round {round_id} needs at least two options before "
                                                    "beeldvorming ends. Add them with !optie <text>.",
        "delib.scenarios.preference.none": "You have not given a preference in this scenario round.",
        "delib.scenarios.preference.unchanged": "Option {option} already is your preference. Nothing has changed.",
        "delib.scenarios.objection.not_found": "There is no objection {objection_id} in scenario round "
                                               "{round_id}.",
        "delib.scenarios.objection.none_open": "You have no open objection here, so there is nothing to withdraw "
                                               "or resolve.",
        "delib.scenarios.objection.which": "You have more than one open objection (numbers {objection_ids}). "
                                           "Name the option or the objection's number.",
        "delib.scenarios.objection.not_yours": "Only the member who raised objection {objection_id} can "
                                               "withdraw it.",
        "delib.scenarios.objection.note_required": "Briefly write how objection {objection_id} was resolved. "
                                                   "It goes into the minutes.",
        "delib.scenarios.input.too_early": "Scenario round {round_id} is still in beeldvorming (forming a "
                                           "picture). Closing it as ‘meegedacht’ (input given) is possible from "
                                           "oordeelsvorming on.",
        "delib.scenarios.decide.not_ready": "Agreement on option {option} cannot be recorded yet in scenario "
                                            "round {round_id}. Still missing:",
        "delib.scenarios.decide.missing.phase": "the round is in the {phase} phase. First the secretary or the "
                                                "opener moves it on to besluitvorming with !verder.",
        "delib.scenarios.decide.missing.objection": "objection {objection_id} by {member} is still open.",
        "delib.scenarios.decide.missing.not_responded": "not yet responded to option {option}: {members}.",
        "delib.scenarios.decide.missing.info": "still waiting for information on this option: {members}.",
        "delib.scenarios.decide.missing.quorum": "too few members present: {present} are, {quorum} are needed.",
        "delib.scenario_state.open": "running",
        "delib.scenario_state.akkoord": "agreement on one option",
        "delib.scenario_state.meegedacht": "input given (meegedacht)",
        "delib.scenario_state.gestopt": "stopped",
        "delib.option_source.bestuur": "the board's scenario",
        "delib.option_source.raad": "the council's scenario",
        "delib.influence_kind.overgenomen": "taken over",
        "delib.influence_kind.aangepast": "changed",
        "delib.influence_kind.niet_overgenomen": "not taken over",
        "delib.influence_basis.bestuursreactie": "the board's answer",
        "delib.influence_basis.realisatietoets": "the realisation check",
        "delib.influence.score_range": "Influence is a number from {min} to {max}.",
        "delib.influence.what_changed_required": "Add what changed because of the council. For example: "
                                                 "!invloed 4 3 the board took over the phasing, not the lower "
                                                 "rates.",
        "delib.influence.usage": "How it works: !invloed <topic-no> <1-5> <what changed>. "
                                 "For example: !invloed 4 3 the board took over the phasing.",
        "delib.influence.unknown_kind": "I don't know ‘{given}’. Choose overgenomen (taken over), aangepast "
                                        "(changed) or niet-overgenomen (not taken over).",
        "delib.register.influence": "What changed because of the council",
        "delib.register.influence.line": "{date}: influence {score} of 5, {kind} — {what}",
        "delib.register.scenarios.title": "Co-creation: scenario rounds",
        "delib.register.scenarios.heading": "Scenario round {round_id}: {title}",
        "delib.register.scenarios.ending": "Outcome",
        "delib.register.scenarios.ending.agreed": "agreement on option {option}",
        "delib.register.scenarios.ending.input": "meegedacht: the council's view on every option went to the board "
                                                 "as input",
        "delib.register.scenarios.option": "Option {option} (version {version}, {source})",
        "delib.register.scenarios.agreed_option": "the council agrees on this one",
        "delib.register.scenarios.merged_into": "merged into option {option}",
        "delib.register.scenarios.standing": "objection by {name} stands: {argument}",
        "delib.register.scenarios.preferred": "preferred by: {names}",
        "delib.register.scenarios.objection": "{name}, on option {option} version {version}: {argument} ({outcome})",
        "delib.register.scenarios.objection_moved": "(carried over to option {option})",
    },
}
