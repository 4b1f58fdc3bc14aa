"""Days as people type them in chat: ``2026-03-12``, ``12-3-2026``, ``12/3/26``, ``12-3`` (this year),
``vandaag``/``today``, ``gisteren``/``yesterday``, ``eergisteren``, ``morgen``/``tomorrow``, ``overmorgen``.

Pure (the caller passes today), so the bot and the services read command arguments alike."""
from __future__ import annotations

import re
from datetime import date, timedelta

_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}|\d{2}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
RELATIVE_DAYS = {"vandaag": 0, "today": 0, "gisteren": -1, "yesterday": -1, "eergisteren": -2, "morgen": 1,
                 "tomorrow": 1, "overmorgen": 2}
# A word that reads as a day (it may still be no real date, such as 31-2).
DATE_WORD = re.compile(r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}(?:[-/.](?:\d{4}|\d{2}))?|vandaag|today|"
                       r"gisteren|yesterday|eergisteren|morgen|tomorrow|overmorgen)$", re.IGNORECASE)


def parse_day(text: str | None, today: date) -> date | None:
    """The day meant, or ``None`` when the text is no day (the caller chooses how to refuse)."""
    word = (text or "").strip().lower()
    if word in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[word])
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
    return None
