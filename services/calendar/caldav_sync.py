"""Pushing events to each council's shared calendar (Nextcloud Calendar; Radicale locally).

Every change marks the event pending in ``calendar_sync_state`` in the transaction that made
it, so nothing is lost while the calendar server is down: the job simply finds the pending
rows again. Each event is one calendar object at ``<calendar>/<uid>.ics``, written with a
plain PUT of our own rendering (``render_event``: our UID, our SEQUENCE, no METHOD, no
ATTENDEE), so pushing twice is harmless and the server never sends invitations of its own.

Cancellations. A cancelled event is PUT again with ``STATUS:CANCELLED`` and the raised
SEQUENCE; it is *not* deleted. Nextcloud Calendar shows such an event struck through as
"cancelled", which is what members who look at the shared calendar expect: they see that
the meeting was called off instead of it silently disappearing. A cancelled meeting of a
series becomes an EXDATE of the series, as in the feeds. Only events removed for good (a
deadline the deliberation service no longer reports) are DELETEd.

Outages. A connection error, a 5xx or a refused login puts the whole council's calendar in
backoff (2 s, 4 s, … up to 5 minutes) and the round stops for that council; a single object
the server refuses (4xx) waits on its own, so one bad event never blocks the others.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from typing import Callable
from urllib.parse import quote

import caldav
from caldav.lib import error as caldav_error

from services.calendar import store
from services.calendar.domain.ical import render_event
from shared.db import Database
from shared.outbox import backoff_seconds
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.calendar.caldav")

NOT_CONFIGURED_RETRY = 600.0


class ServerUnavailable(Exception):
    """The calendar server cannot be used now (down, overloaded, or it refuses our login)."""


class ObjectRefused(Exception):
    """The server refused this one object."""


def council_delay(failures: int) -> float:
    return backoff_seconds(failures, base=2.0, cap=300.0)


def object_delay(attempts: int) -> float:
    return backoff_seconds(attempts, base=5.0, cap=3600.0)


class CalDAVCalendar:
    """One council's shared calendar collection."""

    def __init__(self, council: CouncilConfig, *, timeout: int = 10) -> None:
        assert council.caldav_url
        self.base = council.caldav_url.rstrip("/") + "/"
        self.client = caldav.DAVClient(url=self.base, username=council.caldav_username,
                                       password=council.caldav_password, timeout=timeout)

    def href(self, uid: str) -> str:
        return self.base + quote(uid, safe="") + ".ics"

    def put(self, uid: str, body: bytes) -> None:
        status = self._call(lambda: self.client.put(self.href(uid), body.decode("utf-8"),
                                                    {"Content-Type": "text/calendar; charset=utf-8"}))
        if status not in (200, 201, 204):
            raise ObjectRefused(f"PUT answered {status}")

    def delete(self, uid: str) -> None:
        status = self._call(lambda: self.client.delete(self.href(uid)))
        if status not in (200, 204, 404, 410):  # already gone is gone
            raise ObjectRefused(f"DELETE answered {status}")

    def _call(self, request: Callable[[], object]) -> int:
        try:
            response = request()
        except (caldav_error.AuthorizationError, caldav_error.RateLimitError) as exc:
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        except OSError as exc:  # connection refused, reset, timeouts (niquests errors are OSErrors)
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        status = int(getattr(response, "status", 0) or 0)
        if status >= 500 or status == 0:
            raise ServerUnavailable(f"server answered {status}")
        return status

    def close(self) -> None:
        self.client.close()


def sync_once(db: Database, settings: Settings, now: datetime, *, limit: int = 50) -> int:
    """One round: push what is pending and due; returns how many objects were written."""
    with db.read() as s:
        items = store.sync_due(s, now, limit)
    by_council: dict[str, list[store.SyncItem]] = defaultdict(list)
    for item in items:
        by_council[item.council].append(item)
    written = 0
    for slug, pending in by_council.items():
        council = settings.council(slug)
        if council is None or not council.caldav_url:
            with db.session() as s:
                for item in pending:
                    store.sync_failed(s, item.event_uid, "no shared calendar configured for this council",
                                      NOT_CONFIGURED_RETRY, now)
            continue
        with db.read() as s:
            if store.caldav_backoff(s, slug, now) is not None:
                continue
        written += _push(db, council, pending, now)
    return written


def _push(db: Database, council: CouncilConfig, pending: list[store.SyncItem], now: datetime) -> int:
    target = CalDAVCalendar(council)
    written = 0
    try:
        for item in pending:
            with db.read() as s:
                stored = store.event_by_uid(s, item.event_uid)
            try:
                if item.deleted or stored is None:
                    target.delete(item.event_uid)
                    pushed = item.wanted_sequence
                else:
                    target.put(item.event_uid, render_event(stored.event, lang=council.language))
                    pushed = stored.event.sequence
            except ServerUnavailable as exc:
                log.warning("shared calendar of %s unavailable (%s); waiting", council.slug, exc)
                with db.session() as s:
                    store.caldav_down(s, council.slug, str(exc), council_delay, now)
                    store.sync_failed(s, item.event_uid, str(exc), 0, now)
                break  # the rest waits for the council's backoff
            except ObjectRefused as exc:
                log.warning("shared calendar of %s refused %s: %s", council.slug, item.event_uid, exc)
                with db.session() as s:
                    store.sync_failed(s, item.event_uid, str(exc), object_delay(item.attempts + 1), now)
                continue
            with db.session() as s:
                store.sync_succeeded(s, item.event_uid, pushed, item, now)
                store.caldav_up(s, council.slug, now)
            written += 1
    finally:
        target.close()
    return written


def job_function(db: Database, settings: Settings, clock: Callable[[], datetime]) -> Callable[[], int]:
    def run() -> int:
        return sync_once(db, settings, clock())
    return run
