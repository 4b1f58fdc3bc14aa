"""One roster check for every service: is this Matrix id a serving member of the council?

Deliberation keeps the roster. The calendar and the signals service ask it over HTTP
(``GET /api/v1/councils/<slug>/members``, the caller's own bearer token) through this module, so
each service refuses a non-member the same way: a 403 ``roster.not_member`` with the sentence
deliberation uses for ``delib.not_member``. Secretaries named in the settings count as members (they
facilitate even when they hold no seat), as in deliberation.

A short cache keeps the roster from being asked on every 👍. A serving member found in the cache is
trusted for ``Settings.roster_cache_seconds`` (15 s unless set); an id *not* found is asked again once the copy is older than
``MISS_REFRESH_SECONDS``, so a member the secretary has just added can act at once. When the roster
cannot be reached, member actions are refused as "not reachable, nothing changed" (503): a service
never lets a non-member in because deliberation is down.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

from shared import i18n
from shared.errors import DomainError, Forbidden
from shared.http import ServiceClient, ServiceUnavailable
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.membership")

MISS_REFRESH_SECONDS = 0.5
FAILURE_SECONDS = 5.0  # after a failed read, answer "unavailable" at once for this long (no pile-up of timeouts)
MATRIX_ID_MAX = 255
# "@localpart:server[:port]", the rule deliberation applies to its roster (printable ASCII localpart).
MATRIX_ID_PATTERN = (r"^@[\x21-\x39\x3b-\x7e]+:(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
                     r"(?::[0-9]{1,5})?$")


def _no_final_newline(value: str) -> str:
    # Checked with Python's ``re`` (models using this set ``regex_engine="python-re"``, as JSON Schema
    # clients match), where "$" also matches before one final newline: "@a:b\n" is taken as "@a:b".
    return value[:-1] if value.endswith("\n") else value


# For a request model with ``model_config = ConfigDict(extra="forbid", regex_engine="python-re")``.
MatrixId = Annotated[str, StringConstraints(min_length=1, max_length=MATRIX_ID_MAX, pattern=MATRIX_ID_PATTERN),
                     AfterValidator(_no_final_newline)]

NOT_MEMBER = "roster.not_member"
UNAVAILABLE = "roster.unavailable"
CATALOG = {
    "nl": {
        UNAVAILABLE: "Ik kan de ledenlijst nu even niet inzien, dus ik weet niet zeker of je lid bent. "
                     "Er is niets veranderd. Probeer het over een paar minuten opnieuw.",
        # The same sentence as deliberation's "delib.not_member" (a test keeps them equal).
        NOT_MEMBER: "Je staat niet (meer) op de ledenlijst van deze raad, dus je kunt hier niet meedoen. "
                    "Er is niets vastgelegd. Klopt dit niet? Vraag het de secretaris.",
    },
    "en": {
        UNAVAILABLE: "I cannot read the member list right now, so I cannot tell whether you are a member. "
                     "Nothing was changed. Please try again in a few minutes.",
        NOT_MEMBER: "You are not (or no longer) on this council's member list, so you cannot take part "
                    "here. Nothing was recorded. Is this wrong? Ask the secretary.",
    },
}
i18n.register(CATALOG)


class RosterUnavailable(DomainError):
    """The roster could not be read: a member action is refused, nothing changes (503)."""

    status = 503

    def __init__(self, detail: str) -> None:
        super().__init__(UNAVAILABLE, f"roster unavailable: {detail}")


@dataclass(frozen=True)
class RosterEntry:
    matrix_id: str
    display_name: str
    serving: bool
    secretary: bool


@dataclass(frozen=True)
class Roster:
    council: str
    entries: dict[str, RosterEntry] = field(default_factory=dict)

    def serving(self, matrix_id: str) -> bool:
        entry = self.entries.get(matrix_id)
        return entry is not None and entry.serving

    def names(self) -> dict[str, str]:
        """Serving members' display names by Matrix id."""
        return {m: e.display_name for m, e in self.entries.items() if e.serving}

    def serving_secretaries(self) -> set[str]:
        return {m for m, e in self.entries.items() if e.serving and e.secretary}


_cache: dict[str, tuple[float, Roster]] = {}
_failed: dict[str, tuple[float, str]] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop every cached roster (tests, and after a change this process made itself)."""
    with _lock:
        _cache.clear()
        _failed.clear()


def _key(settings: Settings, council: str) -> str:
    return f"{settings.service_urls.get('deliberation')}|{council}"


def fetch_roster(settings: Settings, council: str, caller: str, *, max_age: float | None = None) -> Roster:
    """The council's roster, from the cache when younger than ``max_age`` (default: the settings'
    ``roster_cache_seconds``). Raises :class:`ServiceUnavailable` when deliberation cannot be asked (or
    answers nonsense)."""
    if max_age is None:
        max_age = settings.roster_cache_seconds
    key = _key(settings, council)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        failed = _failed.get(key)
    if hit is not None and now - hit[0] < max_age:
        return hit[1]
    if failed is not None and now - failed[0] < min(max_age, FAILURE_SECONDS):
        raise ServiceUnavailable("deliberation", failed[1])
    try:
        members = _read(settings, council, caller)
    except ServiceUnavailable as exc:
        with _lock:
            _failed[key] = (time.monotonic(), exc.log_message)
        raise
    entries: dict[str, RosterEntry] = {}
    for item in members:
        if not isinstance(item, dict) or not isinstance(item.get("matrix_id"), str) or not item["matrix_id"]:
            continue
        member = item["matrix_id"]
        entries[member] = RosterEntry(matrix_id=member, display_name=str(item.get("display_name") or member)[:200],
                                      serving=item.get("serving") is True, secretary=item.get("secretary") is True)
    roster = Roster(council=council, entries=entries)
    with _lock:
        _cache[key] = (time.monotonic(), roster)
        _failed.pop(key, None)
    return roster


def _read(settings: Settings, council: str, caller: str) -> list[Any]:
    base = settings.service_urls.get("deliberation")
    if not base:
        raise ServiceUnavailable("deliberation", "no deliberation URL configured")
    client = ServiceClient("deliberation", base, settings.token_for(caller), timeout=2.0, retries=1)
    try:
        answer: Any = client.get(f"/api/v1/councils/{council}/members")
    except ServiceUnavailable:
        raise
    except DomainError as exc:  # refused (wrong token, unknown council): no roster to trust
        log.warning("roster of %s refused: %s", council, exc.log_message)
        raise ServiceUnavailable("deliberation", f"roster refused: {exc.log_message}") from exc
    members = answer.get("members") if isinstance(answer, dict) else None
    if not isinstance(members, list):
        raise ServiceUnavailable("deliberation", "roster answer without members")
    return members


def is_allowed(council: CouncilConfig, roster: Roster, matrix_id: str) -> bool:
    """A serving member, or a secretary named in the settings."""
    return matrix_id in council.secretaries or roster.serving(matrix_id)


def not_member() -> Forbidden:
    return Forbidden(NOT_MEMBER, "actor is not a serving member of the council")


def require_member(settings: Settings, council: CouncilConfig, matrix_id: str | None, *, caller: str) -> None:
    """Refuse (403 ``roster.not_member``) unless ``matrix_id`` is a serving member of ``council`` or a
    secretary named in the settings. ``None`` (nobody named) is refused too: a member action says who."""
    if not matrix_id:
        raise not_member()
    if matrix_id in council.secretaries:
        return
    try:
        roster = fetch_roster(settings, council.slug, caller)
        if roster.serving(matrix_id):
            return
        # Not in the cached copy: ask again unless it is very fresh (a member just added can act at once).
        roster = fetch_roster(settings, council.slug, caller, max_age=MISS_REFRESH_SECONDS)
    except ServiceUnavailable as exc:
        log.warning("%s: %s", council.slug, exc.log_message)
        raise RosterUnavailable(exc.log_message) from exc
    if not roster.serving(matrix_id):
        log.info("%s: refused a non-member", council.slug)
        raise not_member()
