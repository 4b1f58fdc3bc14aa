"""Members' names for poll summaries, from the deliberation service's roster.

The calendar does not keep a roster of its own. When the deliberation service answers
``GET /api/v1/councils/<slug>/members`` (``RosterOut``: ``members`` with ``matrix_id``,
``display_name`` and ``serving``), summaries show names and who has not answered yet; when it
does not (down, or no roster yet), summaries show who answered, by Matrix id. A short cache keeps
a slow or absent roster from slowing every ``!kan``.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from shared.errors import DomainError
from shared.http import ServiceClient
from shared.settings import Settings

log = logging.getLogger("overleg.calendar.roster")

TTL_SECONDS = 60.0
_cache: dict[str, tuple[float, dict[str, str] | None]] = {}
_lock = threading.Lock()


def member_names(settings: Settings, council: str) -> dict[str, str] | None:
    """Member id → display name, or None when the roster is not available."""
    now = time.monotonic()
    key = f"{settings.service_urls.get('deliberation')}|{council}"
    with _lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < TTL_SECONDS:
            return hit[1]
    names = _fetch(settings, council)
    with _lock:
        _cache[key] = (now, names)
    return names


def _fetch(settings: Settings, council: str) -> dict[str, str] | None:
    base = settings.service_urls.get("deliberation")
    if not base:
        return None
    client = ServiceClient("deliberation", base, settings.token_for("calendar"), timeout=2.0, retries=0)
    try:
        answer: Any = client.get(f"/api/v1/councils/{council}/members")
    except DomainError as exc:
        log.info("no roster for %s: %s", council, exc.log_message)
        return None
    if isinstance(answer, dict):
        answer = answer.get("members")
    if not isinstance(answer, list):
        return None
    names: dict[str, str] = {}
    for item in answer:
        if not isinstance(item, dict):
            continue
        member = item.get("matrix_id")
        if item.get("serving") is False:
            continue  # not (or no longer) within their term
        if isinstance(member, str) and member:
            name = item.get("display_name") or member
            names[member] = str(name)[:200]
    return names or None
