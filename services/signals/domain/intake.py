"""Checks on a signal's text before anything else happens to it."""
from __future__ import annotations

from shared.errors import InvalidInput

from .textutil import neutralise_controls

MAX_TEXT_CHARS = 5000


def check_text(text: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """The text without bidi/invisible control characters and surrounding whitespace; refuses
    empty and overlong texts with a message the resident can act on."""
    cleaned = neutralise_controls(text or "").strip()
    if not cleaned:
        raise InvalidInput("signals.text_empty", "empty signal text")
    if len(cleaned) > max_chars:
        raise InvalidInput("signals.text_too_long", "signal text too long", limit=max_chars)
    return cleaned
