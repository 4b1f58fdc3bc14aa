"""Message catalogs for everything a user reads.

Each module that talks to users registers a catalog: ``{"nl": {code: text}, "en": {code: text}}``.
Dutch is the default; English is used where a member or council chose it. Texts use
``str.format`` placeholders. Dates and numbers are formatted with Babel so they read naturally
in both languages.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Mapping

from babel.dates import format_date, format_datetime

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


def fmt_date(value: date, lang: str | None = None) -> str:
    return format_date(value, format="EEEE d MMMM y", locale=_locale(lang))


def fmt_datetime(value: datetime, lang: str | None = None) -> str:
    return format_datetime(value, format="EEEE d MMMM y, HH:mm", locale=_locale(lang),
                           tzinfo=value.tzinfo)


def _locale(lang: str | None) -> str:
    return {"nl": "nl_NL", "en": "en_GB"}[normalise_language(lang)]
