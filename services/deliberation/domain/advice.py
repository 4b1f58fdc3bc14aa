"""Advice (and consent) trajectories: the board asks, the council drafts and agrees, sends its advice, the
board answers in writing, and the council checks later what became of it ("toetsen van de realisatie").

The legal dates (Overlegwet; facts to model, not legal advice):

* an advice or consent request gives the council at least :data:`ADVICE_WEEKS` weeks from receipt;
* the board's written reply is due :data:`REPLY_DAYS` days after the advice was sent; a reply that
  deviates from the advice must give its reasons. No reply by then is announced on day 15.

A trajectory is numbered (``advies-nr``) and has its own thread in the council room. Its stage follows from
what happened: received → draft in a consensus round → agreed → sent → the board's reply → checks. All
functions are pure: they take a :class:`Trajectory` (and the day, when it matters) and return a new one or
raise a :class:`~shared.errors.DomainError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum
from typing import Iterable

from shared.errors import Conflict, InvalidInput, NotFound

from .agenda import ADVICE_PERIOD_WEEKS, BOARD_REPLY_DAYS, MAX_TEXT_LENGTH, MAX_TITLE_LENGTH

ADVICE_WEEKS = ADVICE_PERIOD_WEEKS
REPLY_DAYS = BOARD_REPLY_DAYS


class AdviceKind(str, Enum):
    ADVIES = "advies"  # advice right
    INSTEMMING = "instemming"  # consent right (e.g. service-charge policy)


class ReplyKind(str, Enum):
    VOLGT = "volgt"  # the board follows the advice
    WIJKT_AF = "wijktaf"  # the board deviates (with reasons)


class Outcome(str, Enum):
    UITGEVOERD = "uitgevoerd"
    DEELS = "deels"
    NIET = "niet"


class Stage(str, Enum):
    ONTVANGEN = "ontvangen"  # request received, no draft yet
    CONCEPT = "concept"  # a draft is in a consensus round
    AKKOORD = "akkoord"  # the council agreed the draft; to be sent
    VERSTUURD = "verstuurd"  # sent; waiting for the board's written reply
    REACTIE = "reactie"  # the board replied; no check open
    TOETS = "toets"  # a realisation check is planned
    AFGEROND = "afgerond"  # replied, and every planned check has an outcome


# A reply without a planned check is still open: the council's fourth task is to check the realisation.
OPEN_STAGES = frozenset({Stage.ONTVANGEN, Stage.CONCEPT, Stage.AKKOORD, Stage.VERSTUURD, Stage.REACTIE, Stage.TOETS})

REPLY_WORDS = {"volgt": ReplyKind.VOLGT, "follows": ReplyKind.VOLGT, "follow": ReplyKind.VOLGT,
               "wijktaf": ReplyKind.WIJKT_AF, "afwijkend": ReplyKind.WIJKT_AF, "deviates": ReplyKind.WIJKT_AF,
               "deviate": ReplyKind.WIJKT_AF}
OUTCOME_WORDS = {"uitgevoerd": Outcome.UITGEVOERD, "done": Outcome.UITGEVOERD, "carried_out": Outcome.UITGEVOERD,
                 "deels": Outcome.DEELS, "partly": Outcome.DEELS, "niet": Outcome.NIET, "not": Outcome.NIET}


@dataclass(frozen=True)
class AdviceCheck:
    """A realisation check on a review date, and what it found."""

    number: int
    due_on: date
    outcome: Outcome | None = None
    note: str | None = None
    checked_on: date | None = None

    @property
    def done(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True)
class Trajectory:
    id: int
    council_id: str
    topic_id: int
    title: str
    kind: AdviceKind
    received_on: date
    deadline: date
    round_id: int | None = None  # the latest draft round
    round_open: bool = False  # that round is still running
    agreed_text: str | None = None
    agreed_on: date | None = None
    agreed_round_id: int | None = None
    agreed_version: int | None = None
    sent_on: date | None = None
    reply: ReplyKind | None = None
    reply_text: str | None = None
    reply_on: date | None = None
    checks: tuple[AdviceCheck, ...] = ()

    @property
    def reply_due_on(self) -> date | None:
        return self.sent_on + timedelta(days=REPLY_DAYS) if self.sent_on else None

    @property
    def sent_late(self) -> bool:
        return self.sent_on is not None and self.sent_on > self.deadline

    @property
    def reply_late(self) -> bool:
        return bool(self.reply_on and self.reply_due_on and self.reply_on > self.reply_due_on)

    @property
    def late_deviation(self) -> bool:
        """The board deviated and answered later than 14 days after the advice was sent."""
        return self.reply is ReplyKind.WIJKT_AF and self.reply_late

    def reply_overdue(self, today: date) -> bool:
        """Sent, no reply, and the 14 days have passed: day 15 or later."""
        return self.reply_due_on is not None and self.reply is None and today > self.reply_due_on

    @property
    def open_checks(self) -> tuple[AdviceCheck, ...]:
        return tuple(c for c in self.checks if not c.done)

    @property
    def stage(self) -> Stage:
        if self.sent_on is None:
            if self.round_open:
                return Stage.CONCEPT
            return Stage.AKKOORD if self.agreed_text is not None else Stage.ONTVANGEN
        if self.reply is None:
            return Stage.VERSTUURD
        if self.open_checks:
            return Stage.TOETS
        return Stage.AFGEROND if self.checks else Stage.REACTIE

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def next_date(self) -> date | None:
        """The next date that matters: the advice deadline, the board's reply, or the next check."""
        if self.sent_on is None:
            return self.deadline
        if self.reply is None:
            return self.reply_due_on
        if self.open_checks:
            return min(c.due_on for c in self.open_checks)
        return None


# --------------------------------------------------------------------------- the steps


def new_trajectory(*, id: int, council_id: str, topic_id: int, title: str, kind: AdviceKind | str,
                   received_on: date, today: date, weeks: int = ADVICE_WEEKS) -> Trajectory:
    """``!advies <onderwerp-nr> <titel> [ontvangen <datum>] [instemming]``: the deadline follows from receipt."""
    if received_on > today:
        raise InvalidInput("delib.advice.received_in_future", "request received in the future",
                           received_on=received_on.isoformat())
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise InvalidInput("delib.advice.bad_period", f"advice period {weeks!r}", given=weeks)
    return Trajectory(id=id, council_id=council_id, topic_id=topic_id, title=_title(title), kind=_kind(kind),
                      received_on=received_on, deadline=received_on + timedelta(weeks=weeks))


def start_draft(t: Trajectory, round_id: int) -> Trajectory:
    """``!concept <tekst>``: the draft advice goes into a consensus round."""
    _require_not_sent(t)
    if t.round_open and t.round_id is not None:
        raise Conflict("delib.advice.draft_open", f"advice {t.id}: round {t.round_id} still open",
                       advice_id=t.id, round_id=t.round_id)
    return replace(t, round_id=round_id, round_open=True)


def draft_agreed(t: Trajectory, round_id: int, text: str, version: int, on: date) -> Trajectory:
    """The council agreed the draft (its round was decided)."""
    return replace(t, round_open=False, agreed_text=text, agreed_on=on, agreed_round_id=round_id,
                   agreed_version=version)


def mark_sent(t: Trajectory, on: date, today: date) -> Trajectory:
    """``!verstuurd [datum]``: only after the council agreed the draft."""
    _require_not_sent(t)
    if t.agreed_text is None:
        raise Conflict("delib.advice.not_agreed", f"advice {t.id}: no agreed draft", advice_id=t.id)
    if on < t.received_on:
        raise InvalidInput("delib.advice.sent_before_received", f"advice {t.id}: sent before received",
                           advice_id=t.id, received_on=t.received_on.isoformat())
    if on > today:
        raise InvalidInput("delib.advice.date_in_future", "date in the future", given=on.isoformat())
    return replace(t, sent_on=on)


def record_reply(t: Trajectory, kind: ReplyKind | str, text: str | None, on: date, today: date) -> Trajectory:
    """``!reactie volgt|wijktaf <toelichting> [datum]``: a deviating reply must carry its reasons."""
    reply = parse_reply_kind(kind) if isinstance(kind, str) else kind
    if t.sent_on is None:
        raise Conflict("delib.advice.reply_before_sent", f"advice {t.id}: reply before sending", advice_id=t.id)
    if t.reply is not None:
        raise Conflict("delib.advice.reply_recorded", f"advice {t.id}: reply already recorded", advice_id=t.id)
    text = _clean(text)
    if reply is ReplyKind.WIJKT_AF and not text:
        raise InvalidInput("delib.advice.reasons_required", f"advice {t.id}: deviation without reasons",
                           advice_id=t.id)
    if on < t.sent_on:
        raise InvalidInput("delib.advice.reply_before_sent_date", f"advice {t.id}: reply dated before sending",
                           advice_id=t.id, sent_on=t.sent_on.isoformat())
    if on > today:
        raise InvalidInput("delib.advice.date_in_future", "date in the future", given=on.isoformat())
    return replace(t, reply=reply, reply_text=text, reply_on=on)


def plan_check(t: Trajectory, due_on: date) -> Trajectory:
    """``!toets <advies-nr> <datum>``: a realisation check, once the advice has been sent."""
    if t.sent_on is None:
        raise Conflict("delib.advice.check_before_sent", f"advice {t.id}: check before sending", advice_id=t.id)
    if due_on < t.sent_on:
        raise InvalidInput("delib.advice.check_before_sent_date", f"advice {t.id}: check before sending date",
                           advice_id=t.id, sent_on=t.sent_on.isoformat())
    return replace(t, checks=t.checks + (AdviceCheck(number=len(t.checks) + 1, due_on=due_on),))


def record_outcome(t: Trajectory, outcome: Outcome | str, note: str | None, on: date) -> tuple[Trajectory, AdviceCheck]:
    """``!uitkomst <advies-nr> uitgevoerd|deels|niet <toelichting>``: the earliest open check gets the outcome."""
    result = parse_outcome(outcome) if isinstance(outcome, str) else outcome
    open_checks = sorted(t.open_checks, key=lambda c: (c.due_on, c.number))
    if not open_checks:
        raise NotFound("delib.advice.no_open_check", f"advice {t.id}: no open check", advice_id=t.id)
    note = _clean(note)
    if not note:
        raise InvalidInput("delib.advice.outcome_note_required", "outcome without explanation", advice_id=t.id)
    target = open_checks[0]
    done = replace(target, outcome=result, note=note, checked_on=on)
    return replace(t, checks=tuple(done if c.number == target.number else c for c in t.checks)), done


# --------------------------------------------------------------------------- lists and follow-up


def open_by_next_date(trajectories: Iterable[Trajectory]) -> tuple[Trajectory, ...]:
    """``!adviezen``: the open trajectories, oldest next date first."""
    return tuple(sorted((t for t in trajectories if t.is_open),
                        key=lambda t: (t.next_date is None, t.next_date or date.max, t.id)))


def overdue_replies(trajectories: Iterable[Trajectory], today: date) -> tuple[Trajectory, ...]:
    return tuple(t for t in trajectories if t.reply_overdue(today))


def checks_due(trajectories: Iterable[Trajectory], today: date) -> tuple[tuple[Trajectory, AdviceCheck], ...]:
    return tuple((t, c) for t in trajectories for c in t.checks if not c.done and c.due_on <= today)


# --------------------------------------------------------------------------- words from the chat

_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}|\d{2}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RELATIVE = {"vandaag": 0, "today": 0, "gisteren": -1, "yesterday": -1, "eergisteren": -2, "morgen": 1,
             "tomorrow": 1, "overmorgen": 2}
DATE_WORD = re.compile(r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}(?:[-/.](?:\d{4}|\d{2}))?|vandaag|today|"
                       r"gisteren|yesterday|eergisteren|morgen|tomorrow|overmorgen)$", re.IGNORECASE)


def parse_day(text: str, today: date) -> date:
    """A day as members type it: ``2026-03-12``, ``12-3-2026``, ``12/3/26``, ``12-3`` (this year), ``vandaag``,
    ``gisteren``, ``morgen``."""
    word = (text or "").strip().lower()
    if word in _RELATIVE:
        return today + timedelta(days=_RELATIVE[word])
    try:
        if m := _ISO.match(word):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _DMY.match(word):
            year = int(m.group(3)) if m.group(3) else today.year
            if year < 100:
                year += 2000
            return date(year, int(m.group(2)), int(m.group(1)))
    except ValueError:
        pass
    raise InvalidInput("delib.advice.bad_date", f"not a date: {word!r}", given=(text or "").strip()[:40])


def parse_reply_kind(word: str) -> ReplyKind:
    key = (word or "").strip().lower().replace(" ", "").replace("-", "")
    if key in REPLY_WORDS:
        return REPLY_WORDS[key]
    raise InvalidInput("delib.advice.bad_reply_kind", f"reply kind {word!r}", given=(word or "")[:40])


def parse_outcome(word: str) -> Outcome:
    key = (word or "").strip().lower()
    if key in OUTCOME_WORDS:
        return OUTCOME_WORDS[key]
    raise InvalidInput("delib.advice.bad_outcome", f"outcome {word!r}", given=(word or "")[:40])


def advice_not_found(advice_id: int | str) -> NotFound:
    return NotFound("delib.advice.not_found", f"no advice {advice_id}", advice_id=advice_id)


# --------------------------------------------------------------------------- helpers


def _require_not_sent(t: Trajectory) -> None:
    if t.sent_on is not None:
        raise Conflict("delib.advice.sent", f"advice {t.id}: already sent", advice_id=t.id,
                       sent_on=t.sent_on.isoformat())


def _kind(value: AdviceKind | str) -> AdviceKind:
    try:
        return AdviceKind(value)
    except ValueError:
        raise InvalidInput("delib.advice.bad_kind", f"kind {value!r}", given=str(value)) from None


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("delib.advice.title_required", "advice without title")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput("delib.topic.title_too_long", "advice title too long", max=MAX_TITLE_LENGTH)
    return title


def _clean(text: str | None) -> str | None:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput("delib.text.too_long", f"text of {len(text)} characters", max=MAX_TEXT_LENGTH)
    return text or None
