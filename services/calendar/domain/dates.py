"""Dates and times as members type them in chat, in Dutch or English.

Understood (case-insensitive, with an optional weekday in front and a time after):
``12-3``, ``12/3``, ``12.3``, ``12-03-2027``, ``12/3/27``, ``2027-03-12``, ``12 maart``,
``12mrt``, ``12 maart 2027``, ``March 12``, ``vandaag``/``morgen``/``overmorgen``;
times ``19:30``, ``19.30``, ``19u30``, ``19u``, ``7pm``, ``om 19:30``, ``19:30-21:00``.
Without a year the next such day is meant, never one in the past.
After a date, ``12.10`` is read as a time (10 past 12): Dutch writes times with a dot.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared import i18n
from shared.errors import InvalidInput
from services.calendar.domain import messages
from services.calendar.domain.events import (
    DEFAULT_ZONE,
    MAX_AHEAD,
    MAX_TITLE,
    as_local,
    clean_text,
    localise,
)

MONTHS: dict[str, int] = {}
for _number, _names in enumerate([
    ("januari", "jan", "january"), ("februari", "feb", "february", "febr"),
    ("maart", "mrt", "mar", "march", "maa"), ("april", "apr"), ("mei", "may"),
    ("juni", "jun", "june"), ("juli", "jul", "july"), ("augustus", "aug", "august"),
    ("september", "sep", "sept"), ("oktober", "okt", "oct", "october"),
    ("november", "nov"), ("december", "dec"),
], start=1):
    for _name in _names:
        MONTHS[_name] = _number

WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate([
    ("maandag", "ma", "monday", "mon"), ("dinsdag", "di", "tuesday", "tue", "tues"),
    ("woensdag", "wo", "wednesday", "wed"), ("donderdag", "do", "thursday", "thu", "thur", "thurs"),
    ("vrijdag", "vr", "friday", "fri"), ("zaterdag", "za", "saturday", "sat"),
    ("zondag", "zo", "sunday", "sun"),
]):
    for _name in _names:
        WEEKDAYS[_name] = _number

RELATIVE = {"vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2}
_TIME_WORDS = {"om", "at", "@", "vanaf", "from"}
_RANGE_WORDS = {"-", "–", "tot", "to", "until", "t/m"}
MAX_TOKENS_PER_DATE = 8
MAX_OPTIONS = 20

_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ](\d{1,2})[:.](\d{2}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})-?([a-z]{3,9})\.?$")
_DAY = re.compile(r"^(\d{1,2})(?:e|de|ste|th|st|nd|rd)?$")
_YEAR = re.compile(r"^(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})(?:(?:[:.](\d{2}))|(?:[uh](\d{2})?))?(am|pm|uur)?$")
_TIME_RANGE = re.compile(r"^(.+?)(?:-|–)(.+)$")


@dataclass(frozen=True)
class DateOption:
    """A parsed date: all-day (``start`` a date) or timed, maybe with an end time."""
    start: datetime | date
    end: datetime | None = None
    text: str = ""  # what the member typed, for messages

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)


@dataclass(frozen=True)
class _Raw:
    day: int | None = None
    month: int | None = None
    year: int | None = None
    relative: int | None = None
    weekday: int | None = None
    start: tuple[int, int] | None = None
    end: tuple[int, int] | None = None
    text: str = ""


def parse_date(text: str, now: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> DateOption:
    """One date (with optional weekday and time) → :class:`DateOption`."""
    tokens = _tokens(text)
    if not tokens:
        raise InvalidInput("cal.date.missing", "empty date")
    raw = _match(tokens)
    if raw is None:
        raise InvalidInput("cal.date.unparseable", f"date {text[:40]!r}", text=text.strip()[:40])
    return _resolve(raw, now, zone)


def split_title_and_dates(args: str, now: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> tuple[str, list[DateOption]]:
    """``"Heidag voorjaar 12 maart 19-3 di 26 maart 10:00"`` → title and dates.

    The dates are the trailing tokens (read from the end, longest match first); everything
    before them is the title, which may contain spaces.
    """
    if not isinstance(args, str):
        raise InvalidInput("cal.poll.usage", "datumprikker args not text")
    spans = [(m.group(), m.start()) for m in re.finditer(r"[^\s,]+", args)]
    tokens = [t for t, _ in spans]
    found: list[_Raw] = []
    end = len(tokens)
    while end > 0:
        raw = None
        for size in range(min(MAX_TOKENS_PER_DATE, end), 0, -1):
            raw = _match(tokens[end - size:end])
            if raw is not None:
                end -= size
                break
        if raw is None:
            break
        found.append(raw)
    if not found:
        if tokens:
            raise InvalidInput("cal.date.unparseable", f"no dates in {args[:60]!r}",
                               text=tokens[-1][:40])
        raise InvalidInput("cal.poll.usage", "empty datumprikker")
    if end == 0:
        raise InvalidInput("cal.poll.no_title", "datumprikker without title")
    if len(found) > MAX_OPTIONS:
        raise InvalidInput("cal.poll.too_many_options", f"{len(found)} options", max=MAX_OPTIONS)
    # The title is the text as typed (commas and all) up to the first date.
    title = args[:spans[end][1]].rstrip(" ,\t")
    title = clean_text(title, "title", MAX_TITLE, required=True)
    return title, [_resolve(raw, now, zone) for raw in reversed(found)]


def split_two_dates(text: str, now: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> tuple[date, DateOption]:
    """``"16-3 17-3 20:00"`` (``!verplaats``): the meeting's day, then where it goes.

    The first date names a meeting (a time there is ignored); the second may carry a time
    (``20:00`` or ``20:00-22:00``). The first split at which both sides read as one date wins.
    """
    tokens = _tokens(text) if isinstance(text, str) else []
    for cut in range(1, len(tokens)):
        first, second = _match(tokens[:cut]), _match(tokens[cut:])
        if first is None or second is None:
            continue
        old = _resolve(_Raw(day=first.day, month=first.month, year=first.year, relative=first.relative,
                            weekday=first.weekday, text=first.text), now, zone)
        assert isinstance(old.start, date) and not isinstance(old.start, datetime)
        return old.start, _resolve(second, now, zone)
    raise InvalidInput("cal.move.usage", f"move text {str(text)[:60]!r}")


def split_leading_date(text: str) -> tuple[str | None, str]:
    """``"16-3 https://…"`` → ("16-3", "https://…"); no date in front → (None, text).

    Used where a date may name a meeting before free text (agenda, minutes).
    """
    spans = [(m.group(), m.start()) for m in re.finditer(r"[^\s,]+", text)]
    for size in range(min(MAX_TOKENS_PER_DATE, len(spans) - 1), 0, -1):
        if _match([t for t, _ in spans[:size]]) is not None:
            return text[:spans[size][1]].strip(" ,"), text[spans[size][1]:].strip()
    return None, text.strip()


# --------------------------------------------------------------------------------------------

def _tokens(text: str) -> list[str]:
    if not isinstance(text, str):
        raise InvalidInput("cal.date.unparseable", "not text", text="")
    # Commas separate dates ("12-3, 19-3"); keep them out of the tokens.
    return [t for t in re.split(r"[\s,]+", text.strip()) if t]


def _match(tokens: list[str]) -> _Raw | None:
    """Parse tokens as exactly one date expression, or None."""
    low = [t.lower().rstrip(".") if t.lower().rstrip(".") in WEEKDAYS or t.lower().rstrip(".")
           in MONTHS else t.lower() for t in tokens]
    pos = 0
    weekday = None
    if pos < len(low) and low[pos] in WEEKDAYS:
        weekday = WEEKDAYS[low[pos]]
        pos += 1
    date_part = _date_part(low, pos)
    if date_part is None:
        return None
    fields, pos = date_part
    if "start" in fields:  # ISO date-time: the time is already there
        return _Raw(weekday=weekday, text=" ".join(tokens), **fields) if pos == len(low) else None
    times = _time_part(low, pos)
    if times is None:
        return None
    (start, end), pos = times
    if pos != len(low):
        return None
    return _Raw(weekday=weekday, start=start, end=end, text=" ".join(tokens), **fields)


def _date_part(low: list[str], pos: int) -> tuple[dict, int] | None:
    if pos >= len(low):
        return None
    tok = low[pos]
    if tok in RELATIVE:
        return {"relative": RELATIVE[tok]}, pos + 1
    if m := _ISO.match(tok):
        fields: dict = {"year": int(m[1]), "month": int(m[2]), "day": int(m[3])}
        if m[4] is not None:
            clock = _time(f"{m[4]}:{m[5]}", False)
            if clock is None:
                return None
            fields["start"] = clock
        return fields, pos + 1
    if m := _NUMERIC.match(tok):
        year = int(m[3]) if m[3] else None
        if year is not None and year < 100:
            year += 2000
        return {"day": int(m[1]), "month": int(m[2]), "year": year}, pos + 1
    if (m := _DAY_MONTH.match(tok)) and m[2] in MONTHS:
        return _with_year({"day": int(m[1]), "month": MONTHS[m[2]]}, low, pos + 1)
    if (m := _DAY.match(tok)) and pos + 1 < len(low) and low[pos + 1] in MONTHS:
        return _with_year({"day": int(m[1]), "month": MONTHS[low[pos + 1]]}, low, pos + 2)
    if tok in MONTHS and pos + 1 < len(low) and (m := _DAY.match(low[pos + 1])):
        return _with_year({"day": int(m[1]), "month": MONTHS[tok]}, low, pos + 2)
    return None


def _with_year(fields: dict, low: list[str], pos: int) -> tuple[dict, int]:
    if pos < len(low) and (m := _YEAR.match(low[pos])):
        return {**fields, "year": int(m[1])}, pos + 1
    return fields, pos


def _time_part(low: list[str], pos: int
               ) -> tuple[tuple[tuple[int, int] | None, tuple[int, int] | None], int] | None:
    if pos >= len(low):
        return (None, None), pos
    keyword = low[pos] in _TIME_WORDS
    if keyword:
        pos += 1
        if pos >= len(low):
            return None
    tok = low[pos]
    # "19:30-21:00" in one token; both sides need a marker, or "12 maart 19-3" would read
    # as a time range instead of two dates.
    if (m := _TIME_RANGE.match(tok)) and _time(m[1], False) and _time(m[2], False):
        return (_time(m[1], False), _time(m[2], False)), pos + 1
    start = _time(tok, keyword)
    if start is None:
        return None
    pos += 1
    if pos + 1 < len(low) and low[pos] in _RANGE_WORDS:
        end = _time(low[pos + 1], True)
        if end is None:
            return None
        return (start, end), pos + 2
    return (start, None), pos


def _time(tok: str, bare_hour_ok: bool) -> tuple[int, int] | None:
    m = _TIME.match(tok)
    if not m:
        return None
    hour = int(m[1])
    minute = int(m[2] or m[3] or 0)
    suffix = m[4]
    has_marker = m[2] is not None or m[3] is not None or suffix is not None \
        or tok.endswith(("u", "h"))
    if not has_marker and not bare_hour_ok:
        return None  # a lone "19" is only a time after "om"
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def _resolve(raw: _Raw, now: datetime, zone: ZoneInfo) -> DateOption:
    now = as_local(now, "now", zone)
    today = now.date()
    if raw.relative is not None:
        day = today + timedelta(days=raw.relative)
    else:
        assert raw.day is not None and raw.month is not None
        day = _pick_day(raw, today)
    if raw.weekday is not None and day.weekday() != raw.weekday:
        raise InvalidInput("cal.date.weekday_mismatch", f"{day} weekday", text=raw.text,
                           **messages.date_params(day))
    if day - today > MAX_AHEAD:
        raise InvalidInput("cal.time.too_far", f"{day} too far", years=5)
    if raw.start is None:
        if day < today:
            raise InvalidInput("cal.date.past", f"{day} past", text=raw.text,
                               **messages.date_params(day))
        return DateOption(start=day, text=raw.text)
    start = localise(datetime.combine(day, time(*raw.start)), "start", zone=zone)
    if start < now:
        raise InvalidInput("cal.date.past", f"{start} past", text=raw.text,
                           **messages.date_params(day))
    end = None
    if raw.end is not None:
        end = localise(datetime.combine(day, time(*raw.end)), "end", zone=zone)
        if end <= start:
            raise InvalidInput("cal.time.end_before_start", "end <= start in chat date")
    return DateOption(start=start, end=end, text=raw.text)


def _pick_day(raw: _Raw, today: date) -> date:
    assert raw.day is not None and raw.month is not None
    if not 1 <= raw.month <= 12 or not 1 <= raw.day <= 31:
        raise InvalidInput("cal.date.invalid", f"{raw.day}-{raw.month}", text=raw.text)
    if raw.year is not None:
        try:
            return date(raw.year, raw.month, raw.day)
        except ValueError as exc:
            raise InvalidInput("cal.date.invalid", f"{raw.text!r}", text=raw.text) from exc
    # No year: the first such day from today on (29 February waits for a leap year).
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, raw.month, raw.day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise InvalidInput("cal.date.invalid", f"{raw.text!r}", text=raw.text)


def format_option(option: DateOption, lang: str | None = None, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """Short human form for chat: "di 12 mrt 19:30–21:00" / "Tue 12 Mar" (times in ``zone``)."""
    day = option.start.astimezone(zone).date() if isinstance(option.start, datetime) \
        else option.start
    text = i18n.format_pattern(day, "EEE d MMM", lang)
    if isinstance(option.start, datetime):
        text += " " + option.start.astimezone(zone).strftime("%H:%M")
        if option.end is not None:
            text += "\u2013" + option.end.astimezone(zone).strftime("%H:%M")
    return text
