"""Date polls ("datumprikker"): offer dates, members say which they can, then fix one.

Chat flow: ``!datumprikker <titel> <datum> <datum>…`` → :func:`poll_from_chat`;
``!kan 1 3`` → :func:`answer`; the bot shows :func:`summary`; ``!vastleggen 2`` →
:func:`fix` (an :class:`EventSpec` to create) followed by :func:`close`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from shared.errors import Conflict, InvalidInput
from services.calendar.domain.dates import MAX_OPTIONS, DateOption, split_title_and_dates
from services.calendar.domain import messages
from services.calendar.domain.events import (
    DEFAULT_ZONE,
    MAX_TITLE,
    EventSpec,
    EventType,
    Invitee,
    as_instant,
    as_local,
    clean_text,
    parse_when,
)

_CLEAR_WORDS = {"geen", "none", "niks", "niets", "nee", "no", "0", "-"}
_ALL_WORDS = {"alle", "all", "allemaal", "alles"}
_JOIN_WORDS = {"en", "and", "of", "or", "&", "+"}


@dataclass(frozen=True)
class PollOption:
    number: int  # 1..n, in date order
    start: datetime | date
    end: datetime | None = None

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)


@dataclass(frozen=True)
class Poll:
    id: str
    council: str
    title: str
    options: tuple[PollOption, ...]
    answers: Mapping[str, frozenset[int]] = field(default_factory=dict)  # empty = "geen"
    created_by: str | None = None
    closed: bool = False
    fixed_option: int | None = None
    zone: str = DEFAULT_ZONE.key  # the council's time zone (IANA name) its options are in

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(o.number for o in self.options)

    def option(self, number: int) -> PollOption:
        for opt in self.options:
            if opt.number == number:
                return opt
        raise InvalidInput("cal.poll.unknown_option", f"option {number}", numbers=str(number),
                           valid=_valid(self))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "council": self.council, "title": self.title,
                "options": [{"number": o.number, "start": o.start.isoformat(),
                             "end": o.end.isoformat() if o.end else None} for o in self.options],
                "answers": {m: sorted(n) for m, n in sorted(self.answers.items())},
                "created_by": self.created_by, "closed": self.closed,
                "fixed_option": self.fixed_option, "zone": self.zone}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Poll:
        zone = ZoneInfo(str(data.get("zone") or DEFAULT_ZONE.key))
        return cls(
            id=str(data["id"]), council=str(data["council"]), title=str(data["title"]),
            options=tuple(_option_from_dict(o, zone) for o in data["options"]),
            answers={str(m): frozenset(int(n) for n in nums)
                     for m, nums in (data.get("answers") or {}).items()},
            created_by=data.get("created_by"), closed=bool(data.get("closed")),
            fixed_option=data.get("fixed_option"), zone=zone.key)


def new_poll(*, poll_id: str, council: str, title: str,
             options: Sequence[DateOption | datetime | date], now: datetime,
             created_by: str | None = None, zone: ZoneInfo = DEFAULT_ZONE) -> Poll:
    """A poll with its options numbered 1..n in date order; no past or duplicate dates.
    ``zone``: the council's time zone (the options' local days and times)."""
    now = as_local(now, "now", zone)
    title = clean_text(title, "title", MAX_TITLE, required=True)
    if not options:
        raise InvalidInput("cal.poll.no_dates", "poll without options")
    if len(options) > MAX_OPTIONS:
        raise InvalidInput("cal.poll.too_many_options", f"{len(options)} options", max=MAX_OPTIONS)
    items: list[DateOption] = []
    for opt in options:
        if isinstance(opt, DateOption):
            items.append(opt)
        else:
            items.append(DateOption(start=parse_when(opt, "options", zone)))
    for opt in items:
        day = opt.start.date() if isinstance(opt.start, datetime) else opt.start
        past = opt.start < now if isinstance(opt.start, datetime) else opt.start < now.date()
        if past:
            raise InvalidInput("cal.date.past", "poll option in the past",
                               text=opt.text or opt.start.isoformat(), **messages.date_params(day))
    starts = [o.start for o in items]
    if len(set(starts)) != len(starts):
        raise InvalidInput("cal.poll.duplicate_option", "duplicate poll option")
    items.sort(key=lambda o: (as_instant(o.start, zone), isinstance(o.start, datetime)))
    numbered = tuple(PollOption(number=i, start=o.start, end=o.end)
                     for i, o in enumerate(items, start=1))
    return Poll(id=poll_id, council=council, title=title, options=numbered,
                created_by=created_by, zone=zone.key)


def poll_from_chat(args: str, *, poll_id: str, council: str, now: datetime,
                   created_by: str | None = None, zone: ZoneInfo = DEFAULT_ZONE) -> Poll:
    """``!datumprikker Heidag voorjaar 12 maart 19 maart`` → a new poll."""
    title, options = split_title_and_dates(args, now, zone)
    return new_poll(poll_id=poll_id, council=council, title=title, options=options, now=now,
                    created_by=created_by, zone=zone)


def parse_option_numbers(text: str, poll: Poll) -> frozenset[int]:
    """``"1 3"``, ``"1,3"``, ``"1 en 3"``, ``"1-3"``, ``"alle"`` → numbers.

    "geen"/"none" gives the empty set: the member answered that no option suits them.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("cal.poll.answer_missing", "empty !kan", valid=_valid(poll))
    words = [w for w in re.split(r"[\s,;/]+", text.strip().lower()) if w]
    if len(words) == 1 and words[0] in _CLEAR_WORDS:
        return frozenset()
    if len(words) == 1 and words[0] in _ALL_WORDS:
        return frozenset(poll.numbers)
    chosen: set[int] = set()
    unknown: list[int] = []
    for word in words:
        if word in _JOIN_WORDS:
            continue
        word = word.lstrip("#").rstrip(".")
        if m := re.fullmatch(r"(\d{1,3})(?:-|–|t/m)(\d{1,3})", word):
            low, high = int(m[1]), int(m[2])
            if low > high:
                low, high = high, low
            numbers = list(range(low, high + 1))
        elif word.isdigit() and len(word) <= 3:
            numbers = [int(word)]
        else:
            raise InvalidInput("cal.poll.answer_unparseable", f"!kan word {word[:20]!r}",
                               text=word[:20], valid=_valid(poll))
        for number in numbers:
            if number in poll.numbers:
                chosen.add(number)
            elif number not in unknown:
                unknown.append(number)
    if unknown:
        raise InvalidInput("cal.poll.unknown_option", f"options {unknown}",
                           numbers=", ".join(map(str, sorted(unknown))), valid=_valid(poll))
    if not chosen:
        raise InvalidInput("cal.poll.answer_missing", "no numbers in !kan", valid=_valid(poll))
    return frozenset(chosen)


def answer(poll: Poll, member_id: str, text: str) -> Poll:
    """Record ``!kan …``; a new answer replaces the member's earlier one."""
    if poll.closed:
        raise Conflict("cal.poll.closed", f"answer on closed poll {poll.id}")
    numbers = parse_option_numbers(text, poll)
    return replace(poll, answers={**poll.answers, member_id: numbers})


@dataclass(frozen=True)
class OptionSummary:
    option: PollOption
    can: tuple[Invitee, ...]
    quorum_met: bool


@dataclass(frozen=True)
class PollSummary:
    poll: Poll
    options: tuple[OptionSummary, ...]
    not_answered: tuple[Invitee, ...]
    quorum: int
    best: tuple[int, ...]  # option numbers that suit most members (preferring those with quorum)

    @property
    def quorum_met(self) -> bool:
        return any(o.quorum_met for o in self.options)


def default_quorum(member_count: int) -> int:
    """More than half of the members."""
    return member_count // 2 + 1


def summary(poll: Poll, members: Iterable[Invitee], quorum: int) -> PollSummary:
    """Per option who can, who has not answered yet, and which option(s) are best."""
    if isinstance(quorum, bool) or not isinstance(quorum, int) or quorum < 1:
        raise InvalidInput("cal.poll.quorum", f"quorum {quorum!r}")
    people = list(dict.fromkeys(members))
    rows = []
    for opt in poll.options:
        can = tuple(m for m in people if opt.number in poll.answers.get(m.member_id, ()))
        rows.append(OptionSummary(option=opt, can=can, quorum_met=len(can) >= quorum))
    not_answered = tuple(m for m in people if m.member_id not in poll.answers)
    pool = [r for r in rows if r.quorum_met] or [r for r in rows if r.can]
    top = max((len(r.can) for r in pool), default=0)
    best = tuple(r.option.number for r in pool if len(r.can) == top and top > 0)
    return PollSummary(poll=poll, options=tuple(rows), not_answered=not_answered,
                       quorum=quorum, best=best)


def fix(poll: Poll, option: int, *, type: EventType = EventType.VERGADERING,
        duration: timedelta | None = None, description: str = "", location: str = "",
        organiser: Invitee | None = None, invitees: Sequence[Invitee] = ()) -> EventSpec:
    """``!vastleggen <nr>``: the event to create for the chosen option.

    The caller creates it with :func:`events.create_event` (which checks it is not in the
    past) and then stores :func:`close` of the poll.
    """
    if poll.closed:
        raise Conflict("cal.poll.closed", f"fix on closed poll {poll.id}")
    chosen = poll.option(option)
    end: datetime | date | None = chosen.end
    if end is None and duration is not None and isinstance(chosen.start, datetime):
        end = chosen.start + duration
    return EventSpec(council=poll.council, type=type, title=poll.title, start=chosen.start,
                     end=end, description=description, location=location,
                     organiser=organiser, invitees=tuple(invitees), zone=poll.zone)


def close(poll: Poll, fixed_option: int | None = None) -> Poll:
    """Close the poll (after :func:`fix`, or without a date); it refuses answers afterwards."""
    if fixed_option is not None:
        poll.option(fixed_option)
    return replace(poll, closed=True, fixed_option=fixed_option)


def _option_from_dict(data: Mapping[str, Any], zone: ZoneInfo) -> PollOption:
    end = parse_when(data["end"], "end", zone) if data.get("end") else None
    return PollOption(number=int(data["number"]), start=parse_when(data["start"], "start", zone),
                      end=end if isinstance(end, datetime) else None)


def _valid(poll: Poll) -> str:
    return ", ".join(str(n) for n in poll.numbers)
