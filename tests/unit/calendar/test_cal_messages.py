"""Every message code the calendar raises has a Dutch and an English text."""
from __future__ import annotations

import re
import string
from pathlib import Path

from shared import i18n
from services.calendar.domain import messages
from services.calendar.domain.events import EventType

DOMAIN = Path(messages.__file__).parent


def _codes_in_source() -> set[str]:
    codes: set[str] = set()
    for path in DOMAIN.glob("*.py"):
        if path.name == "messages.py":
            continue
        codes |= set(re.findall(r'"(cal\.[a-z_]+(?:\.[a-z_]+)+)"', path.read_text("utf-8")))
    return codes


def test_languages_have_the_same_codes():
    assert set(messages.CATALOG["nl"]) == set(messages.CATALOG["en"])
    assert all(code.startswith("cal.") for code in messages.CATALOG["nl"])


def test_every_raised_code_has_texts():
    codes = _codes_in_source()
    codes |= {f"cal.type.{t.value}" for t in EventType}
    codes |= {f"cal.heidag.{c}{s}" for c in ("overdue", "none_yet") for s in ("", "_planned")}
    assert len(codes) > 50
    missing = sorted(c for c in codes if c not in messages.CATALOG["nl"])
    assert missing == []


def test_texts_format_with_their_placeholders():
    for lang, catalog in messages.CATALOG.items():
        for code, text in catalog.items():
            names = {f[1] for f in string.Formatter().parse(text) if f[1]}
            rendered = text.format(**{n: "X" for n in names})
            assert "{" not in rendered, (lang, code)


def test_registered_through_shared_i18n():
    messages.register_messages()
    messages.register_messages()  # registering twice is harmless
    assert i18n.t("cal.poll.closed") == "Deze datumprikker is al gesloten."
    assert i18n.t("cal.poll.closed", "en") == "This date poll is already closed."
    assert EventType.OVERLEG_BESTUUR.label() == "Overleg met bestuur"
    assert EventType.HEIDAG.label("en") == "Retreat day"
