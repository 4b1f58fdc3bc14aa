"""Reading a JSON request body safely, without a web framework: the services (Flask) and the bot's
intake (aiohttp) both use it, and the bot should not load Flask to parse a body."""
from __future__ import annotations

import json
import re
from typing import Any

MAX_ID = 2**31 - 1  # the largest number an id may have (a 32-bit integer column)
# No request body of ours nests deeper than a few levels; a deeper one is refused before it is
# parsed (Python's json parser recurses, and ``[`` × 30,000 would end in a RecursionError).
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_too_deep(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text nests arrays/objects deeper than ``max_depth`` (strings are skipped, so
    brackets inside them do not count). Linear in the length of ``raw``, without recursion."""
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def parse_json_body(raw: bytes) -> Any:
    """A request body as JSON; ``ValueError`` for anything that is not (too deep included)."""
    if json_too_deep(raw):
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(raw)
    except RecursionError as exc:  # not reachable after the depth check; never a 500
        raise ValueError("JSON nested too deeply") from exc
