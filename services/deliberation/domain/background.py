"""Background notes on a topic, from other services (a residents' consultation's summary, ...) or the operator.

A note is shown as one short line where members work on the topic (the round's first message and its status),
and in full with the decisions on the topic in the decision list. A note is known by its source's stable key:
the same key again replaces the note's title and text, never adds a second one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from shared import i18n
from shared.errors import InvalidInput

SOURCE_MAX = 32
KEY_MAX = 200
TITLE_MAX = 200
TEXT_MAX = 4000
SHORT_TEXT = 300  # characters of the text in the one-line view
LINES_SHOWN = 3  # at most this many notes (the newest) in a round's message and status
SOURCE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Background:
    topic_id: int  # the topic's number in its council
    source: str  # what kind of note: "raadpleging", "admin", ...
    key: str  # the source's stable key (idempotency)
    title: str
    text: str
    added_on: date


def _one_line(text: str) -> str:
    return " ".join(text.split())


def validate(*, source: str, key: str, title: str, text: str) -> tuple[str, str, str, str]:
    """The note's fields, trimmed; blank or malformed ones are refused with a message the caller can show."""
    source, key, title, text = source.strip(), key.strip(), _one_line(title), text.strip()
    if not SOURCE_RE.match(source):
        raise InvalidInput("delib.background.bad_source", "source must be a short lowercase word",
                           max=SOURCE_MAX)
    if not key or len(key) > KEY_MAX:
        raise InvalidInput("delib.background.key_required", "a stable source key is required", max=KEY_MAX)
    if not title or len(title) > TITLE_MAX:
        raise InvalidInput("delib.background.title_required", "a short title is required", max=TITLE_MAX)
    if not text or len(text) > TEXT_MAX:
        raise InvalidInput("delib.background.text_required", "the text is required", max=TEXT_MAX)
    return source, key, title, text


def short(text: str, limit: int = SHORT_TEXT) -> str:
    """The text on one line, cut at a word near ``limit`` with an ellipsis."""
    flat = _one_line(text)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(" ,;:.") + "…"


def titled(note: Background, text: str) -> str:
    """Title and text together; the title once when the text already starts with it."""
    if text.casefold().startswith(note.title.casefold()):
        return text
    return f"{note.title} — {text}"


def background_line(note: Background, lang: str | None = None) -> str:
    """``Achtergrond: <title> — <first ~300 characters>``."""
    return i18n.t("delib.background.line", lang, text=titled(note, short(note.text)))


def shown(notes: tuple[Background, ...] | list[Background]) -> list[Background]:
    """The notes a round shows: the newest few, oldest first."""
    return list(notes)[-LINES_SHOWN:]
