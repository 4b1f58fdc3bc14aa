"""Message catalogs for everything a user reads.

Each module that talks to users registers a catalog: ``{"nl": {code: text}, "en": {code: text}}``.
Dutch is the default; English is used where a member or council chose it. Texts use
``str.format`` placeholders. Dates read as CLDR writes them in both languages (below).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Mapping

DEFAULT_LANGUAGE = "nl"
SUPPORTED_LANGUAGES = ("nl", "en")

_CATALOG: dict[str, dict[str, str]] = {lang: {} for lang in SUPPORTED_LANGUAGES}


def register(catalog: Mapping[str, Mapping[str, str]]) -> None:
    """Add a module's messages. Registering the same code twice with another text is a bug."""
    for lang, messages in catalog.items():
        target = _CATALOG.setdefault(lang, {})
        for code, text in messages.items():
            if code in target and target[code] != text:
                raise ValueError(f"message code {code!r} registered twice for {lang!r}")
            target[code] = text


def normalise_language(lang: str | None) -> str:
    if not lang:
        return DEFAULT_LANGUAGE
    lang = lang.lower()[:2]
    return lang if lang in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def t(code: str, lang: str | None = None, /, **params: object) -> str:
    """Translate ``code``; falls back to Dutch, then to the code itself (never raises)."""
    lang = normalise_language(lang)
    text = _CATALOG.get(lang, {}).get(code) or _CATALOG[DEFAULT_LANGUAGE].get(code) or code
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def has(code: str) -> bool:
    return code in _CATALOG[DEFAULT_LANGUAGE]


# --- dates -------------------------------------------------------------------------------------
# CLDR's day and month names for nl_NL and en_GB (format context), as Babel 2.18 ships them. Babel
# is not loaded at run time: formatting one date in each language made it load its whole locale
# data (~5-7 MB resident in every process, for these 38 names). tests/unit/foundation/
# test_dates_against_babel.py checks every name and every pattern used here against Babel itself.
_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "nl": {
        "EEEE": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        "EEE": ("ma", "di", "wo", "do", "vr", "za", "zo"),
        "MMMM": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                 "oktober", "november", "december"),
        "MMM": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    },
    "en": {
        "EEEE": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "EEE": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "MMMM": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                 "October", "November", "December"),
        "MMM": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"),
    },
}
# Number fields: the attribute of the date or time, and the digits it is padded to.
_NUMBERS = {"d": ("day", 1), "dd": ("day", 2), "M": ("month", 1), "MM": ("month", 2), "y": ("year", 1),
            "yyyy": ("year", 4), "H": ("hour", 1), "HH": ("hour", 2), "mm": ("minute", 2)}
# A CLDR date pattern: a run of one letter is a field, 'quoted' text and anything else is literal.
_PATTERN_PART = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")


def format_pattern(value: date | datetime, pattern: str, lang: str | None = None) -> str:
    """``value`` written by a CLDR pattern (the fields Overleg uses: EEEE, EEE, d, dd, MMMM, MMM, M,
    MM, y, yyyy, H, HH, mm) with the names of ``lang``; a datetime in its own time zone."""
    names = _NAMES[normalise_language(lang)]
    out: list[str] = []
    for match in _PATTERN_PART.finditer(pattern):
        part = match.group(0)
        if part.startswith("'"):
            out.append(part[1:-1].replace("''", "'") if part != "''" else "'")
        elif match.group(1) is None:
            out.append(part)
        elif part in ("EEEE", "EEE"):
            out.append(names[part][value.weekday()])
        elif part in ("MMMM", "MMM"):
            out.append(names[part][value.month - 1])
        elif part in _NUMBERS:
            field, width = _NUMBERS[part]
            out.append(f"{getattr(value, field, 0):0{width}d}")
        else:
            raise ValueError(f"date pattern field {part!r} is not supported")
    return "".join(out)


def fmt_date(value: date, lang: str | None = None) -> str:
    return format_pattern(value, "EEEE d MMMM y", lang)


def fmt_datetime(value: datetime, lang: str | None = None) -> str:
    return format_pattern(value, "EEEE d MMMM y, HH:mm", lang)
