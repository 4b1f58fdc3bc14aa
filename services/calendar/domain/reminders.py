"""Reminders in the council's room, at offsets per council (default: 7 days, 1 day, the morning).

The schedule is computed, not stored: for every occurrence and offset there is one reminder with
a stable key. The caller keeps the keys it has sent (``sent_keys``) and asks which are due; that
is all the state needed to survive a restart without sending anything twice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence

from shared import i18n
from shared.errors import InvalidInput
from services.calendar.domain.events import (
    UTC,
    Event,
    Occurrence,
    as_local,
    expand_occurrences,
    localise,
)

MORNING = time(8, 0)
# All-day events have no start time: offsets counted in days fire at the morning time, and
# the day counts as "begun" at noon (so the morning reminder can still go out late).
ALL_DAY_BEGUN = time(12, 0)
MAX_DAYS_BEFORE = 60
MAX_OFFSETS = 6
DEFAULT_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, order=True)
class ReminderOffset:
    """When to remind, relative to an occurrence.

    - ``days_before`` (+ ``hours_before``): that long before the start, same wall-clock time;
    - with ``at``: on the day ``days_before`` days before, at that local time
      ("the morning of" is ``days_before=0, at=08:00``).
    """
    days_before: int = 0
    hours_before: int = 0
    at: time | None = None

    @property
    def label(self) -> str:
        """Compact, unique and parseable by :func:`parse_offsets`: 7d, 1d, 2h, 0d@08:00."""
        if self.at is not None:
            return f"{self.days_before}d@{self.at.strftime('%H:%M')}"
        if self.hours_before and not self.days_before:
            return f"{self.hours_before}h"
        if self.hours_before:
            return f"{self.days_before}d{self.hours_before}h"
        return f"{self.days_before}d"

    def due_at(self, occurrence: Occurrence) -> datetime:
        """In the council's zone (the event's): "the morning of" is 08:00 there."""
        start = occurrence.start
        zone = occurrence.event.tz
        if self.at is not None or not isinstance(start, datetime):
            at = self.at or MORNING
            day = occurrence.day - timedelta(days=self.days_before)
            due = localise(datetime.combine(day, at), strict=False, zone=zone)
            return due - timedelta(hours=self.hours_before) if self.at is None else due
        # Wall-clock days (a 19:30 meeting is reminded at 19:30, also across DST), then real hours.
        local = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=self.days_before)
        due = localise(local, strict=False, zone=zone)
        return (due.astimezone(UTC) - timedelta(hours=self.hours_before)).astimezone(zone)


DEFAULT_OFFSETS: tuple[ReminderOffset, ...] = (
    ReminderOffset(days_before=7),
    ReminderOffset(days_before=1),
    ReminderOffset(days_before=0, at=MORNING),
)


@dataclass(frozen=True)
class Reminder:
    key: str
    event_uid: str
    occurrence_start: datetime | date
    offset_label: str
    due_at: datetime
    late: bool
    occurrence: Occurrence
    offset: ReminderOffset
    # The moment the reminder is posted. Its wording ("vandaag", "morgen", "over N dagen")
    # counts from this day, not from ``due_at``: a late or stand-in reminder (the week-before
    # one going out because the day-before one's hour has not come) must still say "morgen".
    posted_at: datetime


def reminder_message(reminder: Reminder) -> tuple[str, dict[str, object]]:
    """Message code and parameters for the room (format with :func:`shared.i18n.t`).

    The caller appends ``cal.reminder.late_note`` when ``reminder.late``.
    """
    occ = reminder.occurrence
    start = occ.start
    if isinstance(start, datetime):
        when = {"when_nl": i18n.fmt_datetime(start, "nl"),
                "when_en": i18n.fmt_datetime(start, "en")}
    else:
        when = {"when_nl": i18n.fmt_date(start, "nl"), "when_en": i18n.fmt_date(start, "en")}
    params: dict[str, object] = {"title": occ.event.title, **when}
    posted_day = reminder.posted_at.astimezone(occ.event.tz).date()  # "morgen" in the council's zone
    days = (occ.day - posted_day).days
    if days <= 0:
        # "Zo meteen" only for an hours-before reminder of a timed meeting; any other
        # reminder posted on the day itself says "Vandaag".
        hours_only = reminder.offset.at is None and reminder.offset.days_before == 0
        code = "cal.reminder.hours_before" if hours_only and not occ.event.all_day \
            else "cal.reminder.today"
    elif days == 1:
        code = "cal.reminder.tomorrow"
    else:
        code = "cal.reminder.days_before"
        params["days"] = days
    return code, params


def reminder_key(occurrence: Occurrence, offset: ReminderOffset) -> str:
    """uid/start/offset. The start is in UTC, so moving a meeting gives its reminders anew."""
    start = occurrence.start
    when = start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") if isinstance(start, datetime) \
        else start.strftime("%Y%m%d")
    return f"{occurrence.uid}/{when}/{offset.label}"


def due_reminders(events: Iterable[Event], offsets: Sequence[ReminderOffset],
                  sent_keys: set[str] | frozenset[str], now: datetime,
                  window: timedelta = DEFAULT_WINDOW) -> list[Reminder]:
    """Reminders to post now, oldest first.

    Due = due time reached, key not in ``sent_keys``, the occurrence not begun and not
    cancelled. Those that fell due more than ``window`` ago (the service was down) are
    marked ``late``. When several offsets of one occurrence are due at once, only the last
    one is returned: after a long outage the room gets "morgen" once, not "over een week" too.
    The caller adds each posted reminder's key to ``sent_keys``.
    """
    now = as_local(now, "now")
    offsets = tuple(dict.fromkeys(offsets))
    if not offsets:
        return []
    horizon = max(_max_lead(o) for o in offsets) + timedelta(days=1)
    due: list[Reminder] = []
    for occ in expand_occurrences(events, now, now + horizon):
        if occ.cancelled or now >= _begun_at(occ):
            continue
        candidates = []
        for offset in offsets:
            due_at = offset.due_at(occ)
            if due_at > now or due_at >= _begun_at(occ):
                continue
            candidates.append((due_at, offset))
        if not candidates:
            continue
        due_at, offset = max(candidates, key=lambda c: (c[0], c[1].label))
        key = reminder_key(occ, offset)
        if key in sent_keys:
            continue
        due.append(Reminder(key=key, event_uid=occ.uid, occurrence_start=occ.start,
                            offset_label=offset.label, due_at=due_at,
                            late=now - due_at > window, occurrence=occ, offset=offset,
                            posted_at=now))
    due.sort(key=lambda r: (r.due_at, r.key))
    return due


def next_due_at(events: Iterable[Event], offsets: Sequence[ReminderOffset], now: datetime,
                horizon: timedelta = timedelta(days=62)) -> datetime | None:
    """When the next reminder falls due after ``now`` (for a scheduler that sleeps)."""
    now = as_local(now, "now")
    best: datetime | None = None
    for occ in expand_occurrences(events, now, now + horizon):
        if occ.cancelled:
            continue
        for offset in offsets:
            due_at = offset.due_at(occ)
            if now < due_at < _begun_at(occ) and (best is None or due_at < best):
                best = due_at
    return best


def _begun_at(occ: Occurrence) -> datetime:
    if isinstance(occ.start, datetime):
        return occ.start
    return localise(datetime.combine(occ.start, ALL_DAY_BEGUN), strict=False, zone=occ.event.tz)


def _max_lead(offset: ReminderOffset) -> timedelta:
    return timedelta(days=offset.days_before, hours=offset.hours_before)


_OFFSET_RE = re.compile(r"^(?:(\d{1,2})d)?(?:(\d{1,3})[hu])?(?:@(\d{1,2})[:.](\d{2}))?$")
_MORNING_WORDS = {"ochtend", "morgens", "morning"}


def parse_offsets(text: str) -> tuple[ReminderOffset, ...]:
    """Parse a council setting like ``"7d, 1d, ochtend"`` or ``"2d@19:00 3h"``.

    ``d`` = days, ``h``/``u`` = hours, ``@HH:MM`` = at that local time; "ochtend"/"morning"
    is the morning of the day itself (08:00). An empty text means no reminders.
    """
    result: list[ReminderOffset] = []
    for token in re.split(r"[\s,;]+", text.strip().lower()):
        if not token:
            continue
        if token in _MORNING_WORDS:
            result.append(ReminderOffset(days_before=0, at=MORNING))
            continue
        match = _OFFSET_RE.match(token)
        if not match or not any(match.groups()):
            raise InvalidInput("cal.reminder.offset_unparseable", f"offset {token[:20]!r}",
                               offset=token[:20])
        days, hours, hh, mm = match.groups()
        at = None
        if hh is not None:
            if hours is not None or not 0 <= int(hh) <= 23 or not 0 <= int(mm) <= 59:
                raise InvalidInput("cal.reminder.offset_unparseable", f"offset {token!r}",
                                   offset=token[:20])
            at = time(int(hh), int(mm))
        offset = ReminderOffset(days_before=int(days or 0), hours_before=int(hours or 0), at=at)
        if offset.days_before > MAX_DAYS_BEFORE or offset.hours_before > 72 \
                or (at is None and offset.days_before == 0 and offset.hours_before == 0):
            raise InvalidInput("cal.reminder.offset_range", f"offset {token!r}",
                               offset=token[:20], max=MAX_DAYS_BEFORE)
        result.append(offset)
    unique = tuple(dict.fromkeys(result))
    if len(unique) > MAX_OFFSETS:
        raise InvalidInput("cal.reminder.too_many", f"{len(unique)} offsets", max=MAX_OFFSETS)
    return unique


def format_offsets(offsets: Sequence[ReminderOffset]) -> str:
    """The inverse of :func:`parse_offsets`, for storing a council's setting."""
    return ", ".join(o.label for o in offsets)


_ISO_OFFSET_RE = re.compile(r"^-?P(?:(\d{1,2})D)?(?:T(?:(\d{1,3})H)?)?$")


def offsets_from_config(values: Sequence[str]) -> tuple[ReminderOffset, ...]:
    """A council's ``reminder_offsets`` setting → offsets.

    Accepts ISO 8601 durations (``P7D``, ``P1D``, ``PT2H``, ``P1DT2H``; a leading minus is
    allowed, the offset always counts back from the start) and everything
    :func:`parse_offsets` reads (``morning``/``ochtend``, ``7d``, ``2d@19:00``).
    """
    result: list[ReminderOffset] = []
    for value in values:
        token = str(value).strip()
        match = _ISO_OFFSET_RE.match(token.upper())
        if match and any(match.groups()):
            days, hours = int(match[1] or 0), int(match[2] or 0)
            if days > MAX_DAYS_BEFORE or hours > 72 or (days == 0 and hours == 0):
                raise InvalidInput("cal.reminder.offset_range", f"offset {token!r}",
                                   offset=token[:20], max=MAX_DAYS_BEFORE)
            result.append(ReminderOffset(days_before=days, hours_before=hours))
        else:
            result.extend(parse_offsets(token))
    unique = tuple(dict.fromkeys(result))
    if len(unique) > MAX_OFFSETS:
        raise InvalidInput("cal.reminder.too_many", f"{len(unique)} offsets", max=MAX_OFFSETS)
    return unique
