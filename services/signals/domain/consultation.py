"""Resident consultations (bewonersraadplegingen): a question the council puts to residents.

The secretary opens one in the chat::

    !raadpleging <onderwerp-nr> <vraag> [opties: <optie> | <optie> | …] [tot <datum>]

    !raadpleging 12 Hoe vindt u de nieuwe tuinregels? opties: goed | niet goed | weet niet tot 15-1-2027

* ``opties:`` (or ``options:``) starts the choices, separated by ``|``: 2 to 6 of them, each at
  most ``MAX_OPTION_CHARS`` characters, no two alike. Without it the question is open only.
* ``tot <datum>`` (or ``until <date>``) at the very end sets the closing date; the consultation
  is open until the end of that day (council time zone). Dates: ``15-1-2027``, ``15/1``,
  ``2027-01-15``, ``15 januari [2027]``, ``15 jan``; without a year, the next such day. A
  "tot" inside the question is left alone: only a trailing ``tot`` followed by a date counts.
  Without a date it closes after ``DEFAULT_DAYS``; a date must be after today and at most
  ``MAX_DAYS`` ahead.

Residents answer through ``/raadpleging/<code>``; the code is unguessable (``CODE_BYTES`` × 8 ≥
96 bits, from a random source the caller passes). An answer's open text is scrubbed before it
is stored; contact details (only for feedback on the outcome) need consent and are returned
apart from the answer, so the caller stores them apart. The summary counts answers per option
(counting is right here: this is residents' input, not a council vote), groups the open
answers by theme with a few short scrubbed quotes, and counts answers per wijk.

Pure: times are parameters; user texts are codes (``CATALOG`` at the bottom).
"""
from __future__ import annotations

import base64
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Callable, Iterable, Protocol
from zoneinfo import ZoneInfo

from shared import i18n
from shared.errors import Conflict, InvalidInput

from . import themes as themes_mod
from .scrub import scrub
from .summary import summarise
from .textutil import fold, neutralise_controls
from .wijken import Neighbourhoods

ZONE = ZoneInfo("Europe/Amsterdam")
CODE_BYTES = 15                # 120 bits: base32 gives 24 characters, no padding
_CODE_RE = re.compile(r"^[a-z2-7]{24}$")
MIN_QUESTION_CHARS = 5
MAX_QUESTION_CHARS = 500
MAX_TOPIC_CHARS = 200
MIN_OPTIONS = 2
MAX_OPTIONS = 6
MAX_OPTION_CHARS = 80
MAX_ANSWER_CHARS = 2000
MAX_NAME_CHARS = 200
MAX_EMAIL_CHARS = 254
MAX_PHONE_CHARS = 40
DEFAULT_DAYS = 21
MAX_DAYS = 90
CONTACT_RETENTION_DAYS = 90    # after closing, when no outcome was sent yet
QUOTES_PER_THEME = 3
QUOTE_CHARS = 140

_EMAIL_RE = re.compile(r"^[^@\s<>\"(),;:\\]+@[^@\s<>\"(),;:\\]+\.[^@\s<>\"(),;:\\]{2,}$")
_PHONE_RE = re.compile(r"^\+?[\d\s()./-]{8,}$")
_OPTIONS_RE = re.compile(r"(?:^|\s)(?:opties|options|keuzes)\s*:\s*", re.IGNORECASE)
_UNTIL_RE = re.compile(r"\s+(?:tot|until)\s+(?=\S)", re.IGNORECASE)

MONTHS = {
    "januari": 1, "jan": 1, "january": 1, "februari": 2, "feb": 2, "february": 2, "maart": 3,
    "mrt": 3, "mar": 3, "march": 3, "april": 4, "apr": 4, "mei": 5, "may": 5, "juni": 6, "jun": 6,
    "june": 6, "juli": 7, "jul": 7, "july": 7, "augustus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUM_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?$")
_WORD_DATE = re.compile(r"^(\d{1,2})(?:e|ste|de)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")


class State(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


# --------------------------------------------------------------------------- the consultation
@dataclass(frozen=True)
class Consultation:
    code: str                   # the unguessable part of /raadpleging/<code>
    topic_id: int
    topic_title: str            # the topic in plain words, as the residents read it
    question: str
    options: tuple[str, ...]    # empty: open question only
    opens: datetime
    closes: datetime            # exclusive: answers are accepted while now < closes
    state: State = State.OPEN
    closed_at: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        return self.state is State.OPEN and _aware(now) < self.closes

    def due_to_close(self, now: datetime) -> bool:
        """Still marked open but past its closing time: the job should close it and post the summary."""
        return self.state is State.OPEN and _aware(now) >= self.closes

    def close(self, now: datetime) -> "Consultation":
        """Closed (early, by the secretary, or by the job when the time has come). Idempotent."""
        if self.state is State.CLOSED:
            return self
        return replace(self, state=State.CLOSED, closed_at=_aware(now))

    @property
    def last_day(self) -> date:
        """The last day answers are accepted, in the council's time zone (``closes`` is the
        midnight after it)."""
        return (self.closes - timedelta(microseconds=1)).date()

    def contact_expires(self, retention_days: int = CONTACT_RETENTION_DAYS) -> datetime:
        """When contact details left for feedback must be erased at the latest (also when no
        outcome was sent by then)."""
        return (self.closed_at or self.closes) + timedelta(days=retention_days)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "topic_id": self.topic_id, "topic_title": self.topic_title,
                "question": self.question, "options": list(self.options),
                "opens": self.opens.isoformat(), "closes": self.closes.isoformat(),
                "state": self.state.value,
                "closed_at": self.closed_at.isoformat() if self.closed_at else None}


def new_code(random_bytes: Callable[[int], bytes]) -> str:
    """An unguessable URL code (120 bits) from ``random_bytes(n)`` (``secrets.token_bytes`` in
    production, a seeded generator in tests)."""
    raw = random_bytes(CODE_BYTES)
    if len(raw) != CODE_BYTES:
        raise ValueError("random source returned the wrong number of bytes")
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def is_valid_code(code: str) -> bool:
    """Whether ``code`` has the shape of a consultation code (check before any lookup)."""
    return bool(_CODE_RE.match(code or ""))


@dataclass(frozen=True)
class ParsedCommand:
    """The arguments of ``!raadpleging``."""

    topic_id: int
    question: str
    options: tuple[str, ...]
    closes_on: date | None      # None: the default duration


def parse_command(args: str, today: date) -> ParsedCommand:
    """Parse ``<onderwerp-nr> <vraag> [opties: a | b | c] [tot <datum>]`` (see the module doc).
    ``today`` is the council's local date, to resolve dates without a year."""
    text = one_line(args)
    m = re.match(r"^#?(\d{1,9})\s+(.*)$", text, re.DOTALL)
    if not m:
        raise InvalidInput("signals.consultation.usage", "!raadpleging needs a topic number and a question")
    topic_id, rest = int(m.group(1)), m.group(2).strip()
    closes_on: date | None = None
    # The last "tot" whose remainder is a date; a "tot" inside the question stays text.
    for until in reversed(list(_UNTIL_RE.finditer(rest))):
        tail = rest[until.end():].strip()
        found = parse_date(tail, today)
        if found is not None:
            closes_on, rest = found, rest[:until.start()].strip()
            break
    options: tuple[str, ...] = ()
    om = _OPTIONS_RE.search(rest)
    if om:
        options = tuple(o.strip() for o in rest[om.end():].split("|"))
        rest = rest[:om.start()].strip()
    return ParsedCommand(topic_id, rest, options, closes_on)


def parse_date(text: str, today: date) -> date | None:
    """A date as the secretary types it, or None when ``text`` is not (only) a date."""
    t = fold(text.strip().rstrip(".,;"))
    t = re.sub(r"\s+", " ", t)
    try:
        if m := _ISO_DATE.match(t):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _NUM_DATE.match(t):
            day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
            return _with_year(day, month, year, today)
        if (m := _WORD_DATE.match(t)) and m.group(2) in MONTHS:
            return _with_year(int(m.group(1)), MONTHS[m.group(2)], m.group(3), today)
    except ValueError:
        return None     # 31-2: shaped like a date, but no such day
    return None


def _with_year(day: int, month: int, year: str | None, today: date) -> date:
    if year is not None:
        y = int(year)
        return date(y + 2000 if y < 100 else y, month, day)
    found = date(today.year, month, day) if _exists(today.year, month, day) else None
    if found is None or found < today:
        found = date(today.year + 1, month, day)
    return found


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def open_consultation(*, code: str, topic_id: int, topic_title: str, question: str,
                      options: Iterable[str] = (), now: datetime, closes_on: date | None = None,
                      zone: ZoneInfo = ZONE, default_days: int = DEFAULT_DAYS,
                      max_days: int = MAX_DAYS) -> Consultation:
    """A new, open consultation. ``closes_on`` is the last day answers are accepted (the
    consultation closes at the end of it, in ``zone``); None gives ``default_days``."""
    now = _aware(now)
    if not is_valid_code(code):
        raise InvalidInput("signals.consultation.code_invalid", "consultation code has the wrong shape")
    if topic_id < 1:
        raise InvalidInput("signals.consultation.usage", "topic number must be positive")
    question = one_line(question)
    if len(question) < MIN_QUESTION_CHARS:
        raise InvalidInput("signals.consultation.question_short", "question too short", min=MIN_QUESTION_CHARS)
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidInput("signals.consultation.question_long", "question too long", max=MAX_QUESTION_CHARS)
    topic_title = one_line(topic_title)
    if not topic_title or len(topic_title) > MAX_TOPIC_CHARS:
        raise InvalidInput("signals.consultation.topic_invalid", "topic title empty or too long",
                           max=MAX_TOPIC_CHARS)
    opts = validate_options(options)
    today = now.astimezone(zone).date()
    if closes_on is None:
        closes_on = today + timedelta(days=default_days)
    if closes_on <= today:
        raise InvalidInput("signals.consultation.closes_past", "closing date not after today",
                           date=closes_on.isoformat())
    if closes_on > today + timedelta(days=max_days):
        raise InvalidInput("signals.consultation.closes_far", "closing date too far ahead", max=max_days)
    closes = datetime.combine(closes_on + timedelta(days=1), time(0, 0), tzinfo=zone)
    return Consultation(code=code, topic_id=topic_id, topic_title=topic_title, question=question,
                        options=opts, opens=now, closes=closes)


def validate_options(options: Iterable[str]) -> tuple[str, ...]:
    opts = tuple(one_line(o) for o in options)
    if not opts:
        return ()
    if any(not o for o in opts):
        raise InvalidInput("signals.consultation.option_empty", "empty option")
    if not MIN_OPTIONS <= len(opts) <= MAX_OPTIONS:
        raise InvalidInput("signals.consultation.option_count", "wrong number of options",
                           min=MIN_OPTIONS, max=MAX_OPTIONS)
    for o in opts:
        if len(o) > MAX_OPTION_CHARS:
            raise InvalidInput("signals.consultation.option_long", "option too long", max=MAX_OPTION_CHARS)
    keys = [fold(o) for o in opts]
    if len(set(keys)) != len(keys):
        raise InvalidInput("signals.consultation.option_duplicate", "two options alike")
    return opts


# --------------------------------------------------------------------------- answers
@dataclass(frozen=True)
class AnswerForm:
    """What a resident sent through the form (already parsed from the request)."""

    option: str | int | None = None   # the chosen option's number, 1-based (form value)
    text: str | None = None
    wijk: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    consent: bool = False


@dataclass(frozen=True)
class Contact:
    """Contact details for feedback, to be stored apart from the answer and erased after use."""

    email: str
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Answer:
    """An answer as it may be stored: the text is scrubbed, nothing in it names the resident."""

    option: int | None          # 0-based index into Consultation.options
    text: str                   # scrubbed; "" when only an option was chosen
    wijk: str | None
    ts: datetime
    scrubbed_kinds: tuple[str, ...] = ()   # kinds of personal data taken out, no values


@dataclass(frozen=True)
class Accepted:
    answer: Answer
    contact: Contact | None     # store apart; None: anonymous


def validate_answer(consultation: Consultation, form: AnswerForm, now: datetime, *,
                    neighbourhoods: Neighbourhoods | None = None) -> Accepted:
    """Check an answer against the consultation's rules and scrub its text. Refuses answers
    after closing, unknown options, empty or overlong answers, unknown wijken, and contact
    details without consent or without a usable e-mail address."""
    now = _aware(now)
    if not consultation.is_open(now):
        raise Conflict("signals.consultation.closed", "consultation closed", code=consultation.code)
    option = _option_index(consultation, form.option)
    text = neutralise_controls(form.text or "").strip()
    if len(text) > MAX_ANSWER_CHARS:
        raise InvalidInput("signals.consultation.answer_long", "answer too long", max=MAX_ANSWER_CHARS)
    if option is None and not text:
        code = "signals.consultation.answer_choose" if consultation.options else "signals.consultation.answer_empty"
        raise InvalidInput(code, "empty answer")
    known = neighbourhoods.names if neighbourhoods is not None else ()
    scrubbed = scrub(text, known_places=known) if text else None
    wijk = (form.wijk or "").strip() or None
    if wijk is not None:
        if neighbourhoods is None:
            wijk = one_line(wijk)[:80]
        else:
            wijk = neighbourhoods.resolve(wijk)
    contact = _contact(form)
    answer = Answer(option=option, text=scrubbed.text.strip() if scrubbed else "", wijk=wijk, ts=now,
                    scrubbed_kinds=tuple(sorted(scrubbed.kinds)) if scrubbed else ())
    return Accepted(answer, contact)


def _option_index(consultation: Consultation, value: str | int | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not consultation.options:
        raise InvalidInput("signals.consultation.option_unknown", "this consultation has no options")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput("signals.consultation.option_unknown", "option is not a number") from None
    if not 1 <= number <= len(consultation.options):
        raise InvalidInput("signals.consultation.option_unknown", "no such option")
    return number - 1


def _contact(form: AnswerForm) -> Contact | None:
    name = one_line(form.name or "")
    email = (form.email or "").strip()
    phone = one_line(form.phone or "")
    if not (name or email or phone):
        return None
    if not form.consent:
        raise InvalidInput("signals.consultation.consent_required", "contact details without consent")
    if not email:
        # Feedback on the outcome goes by e-mail; a name or phone alone is of no use and not kept.
        raise InvalidInput("signals.consultation.email_required", "contact details without e-mail")
    email = normalise_email(email)
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput("signals.consultation.name_long", "name too long", max=MAX_NAME_CHARS)
    if phone and (len(phone) > MAX_PHONE_CHARS or not _PHONE_RE.match(phone)):
        raise InvalidInput("signals.consultation.phone_invalid", "phone number not usable")
    return Contact(email=email, name=name or None, phone=phone or None)


def normalise_email(email: str) -> str:
    """The address as compared and stored: NFKC, trimmed, lower case (mailboxes in practice
    ignore case); refuses what cannot be an address."""
    value = unicodedata.normalize("NFKC", neutralise_controls(email or "")).strip().lower()
    if len(value) > MAX_EMAIL_CHARS or not _EMAIL_RE.match(value):
        raise InvalidInput("signals.consultation.email_invalid", "e-mail address not usable")
    return value


# --------------------------------------------------------------------------- the summary
@dataclass(frozen=True)
class OptionCount:
    option: str
    count: int


@dataclass(frozen=True)
class ThemeAnswers:
    theme_id: str
    count: int
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    code: str
    topic_id: int
    topic_title: str
    question: str
    closes: datetime                        # when it closed (or will close)
    closed_on: date                         # that day, in the council's time zone
    total: int                              # answers received
    options: tuple[OptionCount, ...]        # in the consultation's order
    without_option: int                     # answers with text but no option (options given)
    open_answers: int                       # answers with text
    themes: tuple[ThemeAnswers, ...]        # most answers first
    wijken: tuple[tuple[str, int], ...]     # most answers first, then by name
    wijk_unknown: int                       # answers without a wijk
    final: bool = True                      # False: an interim count while it runs

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "topic_id": self.topic_id, "topic_title": self.topic_title,
                "question": self.question, "closes": self.closes.isoformat(),
                "closed_on": self.closed_on.isoformat(), "total": self.total,
                "options": [{"option": o.option, "count": o.count} for o in self.options],
                "without_option": self.without_option, "open_answers": self.open_answers,
                "themes": [{"theme": t.theme_id, "count": t.count, "quotes": list(t.quotes)} for t in self.themes],
                "wijken": [{"wijk": w, "count": n} for w, n in self.wijken],
                "wijk_unknown": self.wijk_unknown, "final": self.final}


def summarise_answers(consultation: Consultation, answers: Iterable[Answer],
                      taxonomy: themes_mod.Taxonomy, *, quotes_per_theme: int = QUOTES_PER_THEME,
                      quote_chars: int = QUOTE_CHARS, model: object = themes_mod.DEFAULT_MODEL) -> Summary:
    """Counts per option, themes of the open answers (the signals' own classifier, one
    primary theme per answer) with at most ``quotes_per_theme`` short quotes each, and answers
    per wijk. Quotes are scrubbed again and cut at a word boundary: whatever the store held,
    nothing personal reaches the room."""
    if quotes_per_theme < 0 or quote_chars < 20:
        raise InvalidInput("signals.summary_limit_invalid", "quote settings invalid")
    items = sorted(answers, key=lambda a: a.ts)
    counts = Counter(a.option for a in items if a.option is not None)
    options = tuple(OptionCount(o, counts.get(i, 0)) for i, o in enumerate(consultation.options))
    per_theme: dict[str, list[str]] = {}
    theme_count: Counter[str] = Counter()
    open_answers = 0
    for a in items:
        if not a.text.strip():
            continue
        open_answers += 1
        theme = themes_mod.classify(a.text, taxonomy, model=model)[0].theme_id
        theme_count[theme] += 1
        quotes = per_theme.setdefault(theme, [])
        if len(quotes) < quotes_per_theme:
            quote = summarise(a.text, quote_chars)
            if quote and fold(quote) not in {fold(q) for q in quotes}:
                quotes.append(quote)
    ids = taxonomy.ids
    order = sorted(theme_count, key=lambda t: (-theme_count[t], t == themes_mod.FALLBACK_THEME,
                                               ids.index(t) if t in ids else len(ids), t))
    wijk_count = Counter(a.wijk for a in items if a.wijk)
    return Summary(
        code=consultation.code, topic_id=consultation.topic_id, topic_title=consultation.topic_title,
        question=consultation.question, closes=consultation.closed_at or consultation.closes,
        closed_on=(consultation.closed_at.astimezone(consultation.closes.tzinfo).date()
                   if consultation.closed_at else consultation.last_day),
        total=len(items), options=options,
        without_option=sum(1 for a in items if a.option is None) if consultation.options else 0,
        open_answers=open_answers,
        themes=tuple(ThemeAnswers(t, theme_count[t], tuple(per_theme.get(t, ()))) for t in order),
        wijken=tuple(sorted(wijk_count.items(), key=lambda kv: (-kv[1], fold(kv[0])))),
        wijk_unknown=sum(1 for a in items if not a.wijk),
        final=consultation.state is State.CLOSED)


# --------------------------------------------------------------------------- rendering
class RichLike(Protocol):
    """What ``shared.formatting.Rich`` offers; the domain fills one without importing it."""

    def heading(self, text: str) -> Any: ...
    def line(self, text: str = "", *, bold: str | None = None) -> Any: ...
    def quote(self, text: str) -> Any: ...
    def items(self, items: list[str]) -> Any: ...


def theme_label(theme_id: str, taxonomy: themes_mod.Taxonomy | None, lang: str | None) -> str:
    if taxonomy is not None and theme_id in taxonomy:
        return taxonomy.get(theme_id).label(lang)
    return theme_id


def render_summary(summary: Summary, rich: RichLike, lang: str | None = None, *,
                   taxonomy: themes_mod.Taxonomy | None = None) -> RichLike:
    """The summary as the bot posts it in the topic's thread; fills and returns ``rich``.
    Quotes are residents' words and go through ``rich.quote`` (shown inert)."""
    t = i18n.t
    title = "signals.consultation.summary_title" if summary.final else "signals.consultation.interim_title"
    rich.heading(t(title, lang, topic=summary.topic_title))
    rich.line(summary.question, bold=t("signals.consultation.question_label", lang))
    rich.line(t("signals.consultation.total", lang, count=summary.total))
    if summary.options:
        rich.line(t("signals.consultation.options_heading", lang))
        lines = [t("signals.consultation.option_line", lang, option=o.option, count=o.count)
                 for o in summary.options]
        if summary.without_option:
            lines.append(t("signals.consultation.without_option", lang, count=summary.without_option))
        rich.items(lines)
    if summary.themes:
        rich.line(t("signals.consultation.themes_heading", lang, count=summary.open_answers))
        for th in summary.themes:
            rich.line(t("signals.consultation.theme_line", lang,
                        theme=theme_label(th.theme_id, taxonomy, lang), count=th.count))
            for q in th.quotes:
                rich.quote(q)
    if summary.wijken or summary.wijk_unknown:
        rich.line(t("signals.consultation.wijken_heading", lang))
        lines = [t("signals.consultation.wijk_line", lang, wijk=w, count=n) for w, n in summary.wijken]
        if summary.wijk_unknown:
            lines.append(t("signals.consultation.wijk_unknown", lang, count=summary.wijk_unknown))
        rich.items(lines)
    return rich


def background_text(summary: Summary, lang: str | None = None, *,
                    taxonomy: themes_mod.Taxonomy | None = None) -> str:
    """One plain paragraph for the background of the topic's rounds and the decision list."""
    t = i18n.t
    parts = [t("signals.consultation.background", lang, question=summary.question, count=summary.total,
               date=i18n.fmt_date(summary.closed_on, lang))]
    if summary.options:
        parts.append("; ".join(t("signals.consultation.option_line", lang, option=o.option, count=o.count)
                               for o in summary.options) + ".")
    if summary.themes:
        parts.append(t("signals.consultation.background_themes", lang, themes=", ".join(
            f"{theme_label(th.theme_id, taxonomy, lang)} ({th.count})" for th in summary.themes)))
    return " ".join(parts)


def progress_message(consultation: Consultation, count: int,
                     lang: str | None = None) -> tuple[str, dict[str, Any]]:
    """(code, params) for the line the topic's thread shows while the consultation runs."""
    return "signals.consultation.progress", {"count": count,
                                             "closes": i18n.fmt_date(consultation.last_day, lang)}


# --------------------------------------------------------------------------- helpers
def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", neutralise_controls(text or "")).strip()


def _aware(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        raise InvalidInput("signals.timestamp_naive", "timestamps must carry a time zone")
    return ts


CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        "signals.consultation.usage": "Gebruik: !raadpleging <onderwerp-nr> <vraag> [opties: a | b | c] [tot <datum>].",
        "signals.consultation.code_invalid": "Deze raadpleging bestaat niet.",
        "signals.consultation.question_short": "De vraag is te kort: minstens {min} tekens.",
        "signals.consultation.question_long": "De vraag is te lang: hoogstens {max} tekens.",
        "signals.consultation.topic_invalid": "Het onderwerp heeft geen titel of een te lange titel (hoogstens {max} tekens).",
        "signals.consultation.option_empty": "Een van de opties is leeg. Scheid de opties met |.",
        "signals.consultation.option_count": "Geef {min} tot {max} opties, gescheiden door |.",
        "signals.consultation.option_long": "Een optie is te lang: hoogstens {max} tekens.",
        "signals.consultation.option_duplicate": "Twee opties zijn hetzelfde.",
        "signals.consultation.closes_past": "De sluitingsdatum moet na vandaag liggen.",
        "signals.consultation.closes_far": "De sluitingsdatum mag hoogstens {max} dagen vooruit liggen.",
        "signals.consultation.closed": "Deze raadpleging is gesloten. Bedankt voor uw belangstelling.",
        "signals.consultation.answer_long": "Uw antwoord is te lang: hoogstens {max} tekens.",
        "signals.consultation.answer_empty": "Schrijf uw antwoord in het tekstvak.",
        "signals.consultation.answer_choose": "Kies een van de opties of schrijf uw antwoord in het tekstvak.",
        "signals.consultation.option_unknown": "Die keuze bestaat niet bij deze vraag.",
        "signals.consultation.consent_required": "U liet contactgegevens achter. Geef toestemming om ze te bewaren, of laat ze leeg om anoniem te antwoorden.",
        "signals.consultation.email_required": "Wilt u horen wat er met de uitkomst gebeurt? Vul dan uw e-mailadres in, of laat de contactgegevens leeg.",
        "signals.consultation.email_invalid": "Dit e-mailadres klopt niet.",
        "signals.consultation.name_long": "De naam is te lang: hoogstens {max} tekens.",
        "signals.consultation.phone_invalid": "Dit telefoonnummer klopt niet.",
        "signals.consultation.summary_title": "Raadpleging gesloten: {topic}",
        "signals.consultation.interim_title": "Raadpleging loopt: {topic}",
        "signals.consultation.question_label": "Vraag:",
        "signals.consultation.total": "Aantal antwoorden: {count}.",
        "signals.consultation.options_heading": "Per keuze:",
        "signals.consultation.option_line": "{option}: {count}",
        "signals.consultation.without_option": "zonder keuze, alleen een toelichting: {count}",
        "signals.consultation.themes_heading": "Thema's in de {count} toelichtingen:",
        "signals.consultation.theme_line": "{theme}: {count}",
        "signals.consultation.wijken_heading": "Bewoners per wijk:",
        "signals.consultation.wijk_line": "{wijk}: {count}",
        "signals.consultation.wijk_unknown": "wijk niet opgegeven: {count}",
        "signals.consultation.background": "Bewonersraadpleging \"{question}\": {count} antwoorden, gesloten op {date}.",
        "signals.consultation.background_themes": "Thema's in de toelichtingen: {themes}.",
        "signals.consultation.progress": "Raadpleging loopt tot en met {closes}: {count} antwoorden tot nu toe.",
        "signals.consultation.feedback_subject": "Uitkomst van de raadpleging: {topic}",
        "signals.consultation.feedback_body": "U deed mee aan de bewonersraadpleging over {topic}. De raad besloot: {decision}\n\nUw contactgegevens worden nu gewist.",
    },
    "en": {
        "signals.consultation.usage": "Usage: !raadpleging <topic-no> <question> [options: a | b | c] [until <date>].",
        "signals.consultation.code_invalid": "This consultation does not exist.",
        "signals.consultation.question_short": "The question is too short: at least {min} characters.",
        "signals.consultation.question_long": "The question is too long: at most {max} characters.",
        "signals.consultation.topic_invalid": "The topic has no title or too long a title (at most {max} characters).",
        "signals.consultation.option_empty": "One of the options is empty. Separate options with |.",
        "signals.consultation.option_count": "Give {min} to {max} options, separated by |.",
        "signals.consultation.option_long": "An option is too long: at most {max} characters.",
        "signals.consultation.option_duplicate": "Two options are the same.",
        "signals.consultation.closes_past": "The closing date must be after today.",
        "signals.consultation.closes_far": "The closing date can be at most {max} days ahead.",
        "signals.consultation.closed": "This consultation has closed. Thank you for your interest.",
        "signals.consultation.answer_long": "Your answer is too long: at most {max} characters.",
        "signals.consultation.answer_empty": "Please write your answer in the text box.",
        "signals.consultation.answer_choose": "Choose one of the options or write your answer in the text box.",
        "signals.consultation.option_unknown": "That choice does not exist for this question.",
        "signals.consultation.consent_required": "You left contact details. Agree to us keeping them, or leave them empty to answer anonymously.",
        "signals.consultation.email_required": "Want to hear what happens with the outcome? Fill in your e-mail address, or leave the contact details empty.",
        "signals.consultation.email_invalid": "This e-mail address is not valid.",
        "signals.consultation.name_long": "The name is too long: at most {max} characters.",
        "signals.consultation.phone_invalid": "This phone number is not valid.",
        "signals.consultation.summary_title": "Consultation closed: {topic}",
        "signals.consultation.interim_title": "Consultation running: {topic}",
        "signals.consultation.question_label": "Question:",
        "signals.consultation.total": "Answers: {count}.",
        "signals.consultation.options_heading": "Per choice:",
        "signals.consultation.option_line": "{option}: {count}",
        "signals.consultation.without_option": "no choice, only a comment: {count}",
        "signals.consultation.themes_heading": "Themes in the {count} comments:",
        "signals.consultation.theme_line": "{theme}: {count}",
        "signals.consultation.wijken_heading": "Residents per neighbourhood:",
        "signals.consultation.wijk_line": "{wijk}: {count}",
        "signals.consultation.wijk_unknown": "neighbourhood not given: {count}",
        "signals.consultation.background": "Resident consultation \"{question}\": {count} answers, closed on {date}.",
        "signals.consultation.background_themes": "Themes in the comments: {themes}.",
        "signals.consultation.progress": "Consultation running until {closes} inclusive: {count} answers so far.",
        "signals.consultation.feedback_subject": "Outcome of the consultation: {topic}",
        "signals.consultation.feedback_body": "You took part in the resident consultation on {topic}. The council decided: {decision}\n\nYour contact details are now being erased.",
    },
}
