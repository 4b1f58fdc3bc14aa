"""Pushing events to the council's shared calendar, against the real Radicale: create, update
with our SEQUENCE, cancel, delete, and an outage in which nothing is lost."""
from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any, Iterator

import icalendar
import pytest
from flask import Flask

from devstack.procs import free_port
from services.calendar import actions, caldav_sync, store
from services.calendar.app import create_app, migrate
from services.calendar.domain.events import AMSTERDAM
from shared.service import set_clock
from shared.db import Database
from shared.settings import load_settings

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

SLUG = "klantenraad"
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)
TOKENS = {"admin": "tok-admin", "bot": "tok-bot", "calendar": "tok-cal"}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def shared_calendar(radicale) -> str:
    """A fresh calendar collection on the session's Radicale, as the council's shared calendar."""
    return radicale.ensure_calendar(radicale.user, radicale.password, f"Klantenraad {uuid.uuid4().hex[:8]}")


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def app(tmp_path, database_url, radicale, shared_calendar, clock) -> Iterator[Flask]:
    settings = load_settings(
        data_dir=tmp_path, secret_key=secrets.token_hex(16), api_tokens=TOKENS,
        service_urls={"deliberation": f"http://127.0.0.1:{free_port()}", "calendar": "http://127.0.0.1:9",
                      "bot": f"http://127.0.0.1:{free_port()}", "signals": "http://127.0.0.1:9"},
        councils=[{"slug": SLUG, "name": "Klantenraad", "rooms": {"main": "!main:example.org"},
                   "caldav_url": shared_calendar, "caldav_username": radicale.user,
                   "caldav_password": radicale.password}],
    )
    db = Database(database_url)
    migrate(db)
    application = create_app(settings, database=db)
    set_clock(application, clock)
    yield application
    db.dispose()


def call(app: Flask, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
    resp = app.test_client().open(f"/api/v1/councils/{SLUG}{path}", method=method, json=body,
                                  headers={"Authorization": f"Bearer {TOKENS['admin']}"})
    assert resp.status_code == expect, resp.get_data(as_text=True)[:400]
    return resp.json


def sync(app: Flask, now: datetime | None = None) -> int:
    return caldav_sync.sync_once(app.extensions["overleg_db"], app.config["OVERLEG_SETTINGS"], now or NOW)


def remote(radicale, calendar_url: str) -> dict[str, icalendar.Event]:
    """What the shared calendar holds, by our event uid."""
    with radicale.client() as client:
        objects = client.calendar(url=calendar_url).events()
        out = {}
        for obj in objects:
            component = obj.icalendar_component
            out[str(component["UID"]).removesuffix("@overleg")] = component
        return out


def status(app: Flask) -> dict:
    return call(app, "GET", "/sync")


def test_create_update_cancel_and_delete_reach_the_shared_calendar(app, radicale, shared_calendar):
    ev = call(app, "POST", "/events", {"type": "vergadering", "title": "Vergadering", "start": "2027-03-16T19:30",
                                       "location": "De Esch"}, 201)
    series = call(app, "POST", "/events", {"type": "vergadering", "title": "Werkgroep", "start": "2027-03-17T19:30",
                                           "recurrence": {"freq": "weekly", "count": 4}}, 201)
    assert status(app)["counts"] == {"pending": 2}
    assert sync(app) == 2
    there = remote(radicale, shared_calendar)
    assert set(there) == {ev["uid"], series["uid"]}
    assert int(there[ev["uid"]]["SEQUENCE"]) == 0 and str(there[ev["uid"]]["LOCATION"]) == "De Esch"
    assert "METHOD" not in str(there[ev["uid"]]) and "ATTENDEE" not in there[ev["uid"]]
    assert status(app)["counts"] == {"synced": 2}
    assert sync(app) == 0  # nothing pending

    call(app, "PATCH", f"/events/{ev['number']}", {"title": "Vergadering (verplaatst)", "start": "2027-03-16T20:00"})
    assert sync(app) == 1
    updated = remote(radicale, shared_calendar)[ev["uid"]]
    assert int(updated["SEQUENCE"]) == 1 and str(updated["SUMMARY"]) == "Vergadering (verplaatst)"
    assert updated["DTSTART"].dt == datetime(2027, 3, 16, 20, 0, tzinfo=AMSTERDAM)

    call(app, "POST", f"/events/{ev['number']}/cancel", {})
    call(app, "POST", f"/events/{series['number']}/cancel", {"day": "2027-03-24"})
    assert sync(app) == 2
    there = remote(radicale, shared_calendar)
    assert str(there[ev["uid"]]["STATUS"]) == "CANCELLED" and int(there[ev["uid"]]["SEQUENCE"]) == 2
    exdate = there[series["uid"]]["EXDATE"]
    assert [d.dt for d in exdate.dts] == [datetime(2027, 3, 24, 19, 30, tzinfo=AMSTERDAM)]
    assert int(there[series["uid"]]["SEQUENCE"]) == 1

    # Removed for good (a deadline the deliberation service dropped): DELETEd there.
    db = app.extensions["overleg_db"]
    council = app.config["OVERLEG_SETTINGS"].council(SLUG)
    with db.session() as s:
        actions.remove(s, council, store.event_by_uid(s, series["uid"]), NOW)
    assert sync(app) == 1
    assert set(remote(radicale, shared_calendar)) == {ev["uid"]}
    with db.read() as s:
        assert store.sync_item(s, series["uid"]) is None

    # Pushing again is harmless: one object per event, by our UID.
    with db.session() as s:
        store.mark_for_sync(s, store.event_by_uid(s, ev["uid"]).event, NOW)
    assert sync(app) == 1 and set(remote(radicale, shared_calendar)) == {ev["uid"]}


def test_the_sync_job_waits_while_the_calendar_server_is_down_and_catches_up(app, radicale, shared_calendar):
    runner = app.extensions["overleg_runtime"].jobs
    before = call(app, "POST", "/events", {"type": "heidag", "title": "Heidag", "start": "2027-04-02"}, 201)
    assert runner.run_once("caldav_sync") == 1
    radicale.stop()
    try:
        new = [call(app, "POST", "/events", {"type": "vergadering", "title": f"Tijdens storing {i}",
                                             "start": f"2027-03-{20 + i}T19:30"}, 201) for i in range(3)]
        call(app, "PATCH", f"/events/{before['number']}", {"title": "Heidag (aangepast)"})
        assert sync(app) == 0
        down = status(app)
        assert down["failures"] == 1 and down["next_attempt_at"] and "Connection" in down["last_error"]
        assert down["counts"] == {"failed": 1, "pending": 3}
        # Within the backoff the calendar server is left alone.
        assert sync(app, NOW + timedelta(seconds=1)) == 0 and status(app)["failures"] == 1
        assert sync(app, NOW + timedelta(seconds=3)) == 0 and status(app)["failures"] == 2  # tried again, longer wait
        call(app, "POST", f"/events/{new[0]['number']}/cancel", {})
    finally:
        radicale.start()
    # Back up: the next round after the backoff pushes everything, in its latest state.
    assert sync(app, NOW + timedelta(minutes=10)) == 4
    there = remote(radicale, shared_calendar)
    assert set(there) == {before["uid"], *(e["uid"] for e in new)}
    assert str(there[before["uid"]]["SUMMARY"]) == "Heidag (aangepast)" and int(there[before["uid"]]["SEQUENCE"]) == 1
    assert str(there[new[0]["uid"]]["STATUS"]) == "CANCELLED"
    after = status(app)
    assert after["counts"] == {"synced": 4} and after["failures"] == 0 and after["last_error"] is None


def test_an_operator_can_end_the_backoff(app, radicale, shared_calendar):
    radicale.stop()
    try:
        ev = call(app, "POST", "/events", {"type": "training", "title": "Training", "start": "2027-03-25T19:00"}, 201)
        assert sync(app) == 0 and status(app)["next_attempt_at"]
    finally:
        radicale.start()
    assert sync(app) == 0  # still waiting out its backoff
    assert call(app, "POST", "/sync/retry")["next_attempt_at"] is None
    assert sync(app) == 1 and ev["uid"] in remote(radicale, shared_calendar)


def test_a_council_without_a_shared_calendar_keeps_its_changes(tmp_path, database_url):
    settings = load_settings(data_dir=tmp_path, secret_key="x" * 32, api_tokens=TOKENS,
                             service_urls={"bot": f"http://127.0.0.1:{free_port()}",
                                           "deliberation": f"http://127.0.0.1:{free_port()}"},
                             councils=[{"slug": SLUG, "name": "Klantenraad", "rooms": {"main": "!m:x"}}])
    db = Database(database_url)
    migrate(db)
    app = create_app(settings, database=db)
    set_clock(app, Clock(NOW))
    call(app, "POST", "/events", {"type": "vergadering", "title": "V", "start": "2027-03-16T19:30"}, 201)
    assert sync(app) == 0
    state = status(app)
    assert state["configured"] is False and state["counts"] == {"failed": 1}
    db.dispose()
