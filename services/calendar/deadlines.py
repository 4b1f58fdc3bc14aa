"""Advice deadlines and realisation checks from the deliberation service, as calendar events.

The deliberation service owns these dates; the calendar only mirrors them, so they show up in
the council feed, in the per-type feeds (``adviesdeadline``, ``realisatietoets``), in the
reminders and in the shared calendar. The job pulls (``services/deliberation/api.py``)

    GET /api/v1/councils/<slug>/deadlines?from=YYYY-MM-DD&to=YYYY-MM-DD   (caller: calendar)

which answers a JSON list of ``DeadlineOut``::

    {"uid": "advice-12@klantenraad.deliberation.overleg",   # stable per deadline
     "kind": "advice_deadline" | "board_reply_due" | "realisation_check",
     "date": "2027-04-12",
     "title": "Adviestermijn loopt af: Huurverhoging 2027",  # already labelled
     "topic_id": 12, "topic_title": "Huurverhoging 2027",
     "done": false}

Advice deadlines and the board's reply due date become ``adviesdeadline`` events, realisation
checks ``realisatietoets`` events: all-day, keyed by the item's uid. A changed date or title
changes the event (SEQUENCE up). An item that is done, or no longer comes back while its date
is still ahead, is removed (from the feeds, the reminders, and DELETEd from the shared
calendar): no reminder for an advice that was already sent.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.calendar import actions, store
from services.calendar.actions import Poster
from services.calendar.domain import messages
from services.calendar.domain.events import MAX_DESCRIPTION, MAX_TITLE, EventSpec, EventType
from shared.db import Database
from shared.errors import DomainError
from shared.formatting import one_line
from shared.http import ServiceClient, ServiceError, ServiceUnavailable
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.calendar.deadlines")

SOURCE = "deliberation"
WINDOW = timedelta(days=2 * 366)  # the deliberation service allows periods up to 3 years
KINDS = {"advice_deadline": EventType.ADVIESDEADLINE, "board_reply_due": EventType.ADVIESDEADLINE,
         "realisation_check": EventType.REALISATIETOETS,
         # the calendar's own words, for a caller that uses them
         "adviesdeadline": EventType.ADVIESDEADLINE, "realisatietoets": EventType.REALISATIETOETS}


@dataclass(frozen=True)
class Deadline:
    kind: EventType
    key: str
    day: date
    title: str
    description: str = ""
    labelled: bool = False  # the title already says what kind of deadline it is

    @property
    def source_key(self) -> str:
        return self.key[:200]


Fetch = Callable[[CouncilConfig, date, date], list[Any] | None]


def http_fetch(settings: Settings) -> Fetch:
    """The real client: the deliberation service with the calendar's own bearer token."""
    client = ServiceClient("deliberation", settings.service_urls.get("deliberation", ""),
                           settings.token_for("calendar"), timeout=5.0, retries=1)

    def fetch(council: CouncilConfig, start: date, end: date) -> list[Any] | None:
        try:
            answer = client.get(f"/api/v1/councils/{council.slug}/deadlines",
                                params={"from": start.isoformat(), "to": end.isoformat()})
        except ServiceUnavailable as exc:
            log.info("deliberation not reachable for %s: %s", council.slug, exc.log_message)
            return None
        except ServiceError as exc:
            log.warning("deliberation refused the deadlines of %s: %s", council.slug, exc.log_message)
            return None
        return answer if isinstance(answer, list) else None

    return fetch


def read_item(raw: Any) -> Deadline | None:
    """One item of the answer, or None when it cannot be used or is done (never fatal)."""
    if not isinstance(raw, dict) or raw.get("done") is True:
        return None
    kind = KINDS.get(str(raw.get("kind") or "").lower())
    key = raw.get("uid") or raw.get("key")
    title = raw.get("title")
    if kind is None or not raw.get("date") or not key or not isinstance(title, str):
        return None
    try:
        day = date.fromisoformat(str(raw["date"])[:10])
    except ValueError:
        return None
    description = raw.get("description") if isinstance(raw.get("description"), str) else ""
    return Deadline(kind=kind, key=str(key)[:150], day=day, title=title, description=description or "",
                    labelled="topic_title" in raw)


def apply_deadlines(session: Session, post: Poster, council: CouncilConfig, items: Iterable[Deadline],
                    window_start: date, now: datetime) -> int:
    """Bring the council's mirrored deadlines in line with ``items``; returns the changes made."""
    existing = {e.source_key: e for e in store.events_from_source(session, council.slug, SOURCE, lock=True)}
    seen: set[str] = set()
    changes = 0
    for item in items:
        if item.source_key in seen:
            continue
        seen.add(item.source_key)
        if item.labelled:
            title = one_line(item.title)[:MAX_TITLE]
        else:
            prefix = messages.text(f"cal.deadline.title.{item.kind.value}", council.language, title="")
            title = messages.text(f"cal.deadline.title.{item.kind.value}", council.language,
                                  title=one_line(item.title)[:MAX_TITLE - len(prefix)])
        description = item.description[:MAX_DESCRIPTION]
        try:
            current = existing.get(item.source_key)
            if current is None:
                spec = EventSpec(council=council.slug, type=item.kind, title=title, start=item.day, end=item.day,
                                 description=description, zone=council.timezone)
                actions.create(session, post, council, spec, now, source=SOURCE, source_key=item.source_key)
                changes += 1
                continue
            event = current.event
            wanted: dict[str, Any] = {}
            if event.title != title:
                wanted["title"] = title
            if event.description != description:
                wanted["description"] = description
            if event.start != item.day or event.end != item.day:
                wanted.update(start=item.day, end=item.day)
            if event.cancelled:
                wanted["status"] = "confirmed"
            if wanted:
                actions.change(session, post, council, current, wanted, now, imported=True)
                changes += 1
        except DomainError as exc:  # one odd item (a text we cannot store) never blocks the rest
            log.warning("deadline %s of %s not mirrored: %s", item.source_key, council.slug, exc.log_message)
    for key, current in existing.items():
        start = current.event.start
        if key not in seen and isinstance(start, date) and start >= window_start:
            actions.remove(session, council, current, now)
            changes += 1
    store.deadlines_pulled(session, council.slug, now)
    return changes


def import_deadlines(db: Database, settings: Settings, post: Poster, now: datetime, *,
                     fetch: Fetch | None = None, councils: Iterable[CouncilConfig] | None = None) -> int:
    fetch = fetch or http_fetch(settings)
    changes = 0
    for council in councils if councils is not None else settings.councils:
        today = now.astimezone(actions.zone_of(council)).date()  # the council's own day
        raw = fetch(council, today, today + WINDOW)
        if raw is None:
            continue  # not reachable or not answering: keep what we have, try next round
        items = [d for d in (read_item(r) for r in raw) if d is not None and d.day >= today]
        for attempt in range(3):
            try:
                with db.session() as s:
                    changes += apply_deadlines(s, post, council, items, today, now)
                break
            except IntegrityError:  # a concurrent import (job and API) mirrored the same item first
                if attempt == 2:
                    raise
    return changes


def job_function(db: Database, settings: Settings, runtime: Callable[[], object],
                 clock: Callable[[], datetime]) -> Callable[[], int]:
    fetch = http_fetch(settings)

    def run() -> int:
        import_deadlines(db, settings, Poster(runtime()), clock(), fetch=fetch)
        return 0  # pulled on a timer, not in a loop while there were changes
    return run
