"""Two councils in one calendar service: each counts its own events and polls from 1 (a number
of the other council answers 404), and each keeps its own time zone (event times, the feed's
TZID and VTIMEZONE, the reminders' day words)."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from flask import Flask

from services.calendar import reminding
from services.calendar.actions import Poster
from services.calendar.app import create_app, migrate
from services.calendar.models import RUNTIME_MODELS
from shared.db import Database
from shared.outbox import OutboundMessage, QueueStore
from shared.service import set_clock
from shared.settings import load_settings

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")
KR, HR = "klantenraad", "huurdersraad"  # HR sits in New York
TOKENS = {"bot": "tok-bot", "admin": "tok-admin", "deliberation": "tok-delib", "calendar": "tok-cal",
          "signals": "tok-sig"}
ANNA, BRAM = "@anna:example.org", "@bram:example.org"
SECRETARY = "@secretaris:example.org"
FEED_BASE = "https://kalender.example.org"
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def app(tmp_path, database_url, clock) -> Iterator[Flask]:
    db = Database(database_url)
    migrate(db)
    settings = load_settings(
        data_dir=tmp_path, secret_key="test-" + secrets.token_hex(16), api_tokens=TOKENS,
        # No roster service: the settings' secretaries act (the roster check needs deliberation).
        service_urls={"deliberation": "http://127.0.0.1:9", "calendar": FEED_BASE,
                      "bot": "http://127.0.0.1:9", "signals": "http://127.0.0.1:9"},
        councils=[
            {"slug": KR, "name": "Klantenraad", "rooms": {"main": "!kr:example.org"},
             "secretaries": [SECRETARY]},
            {"slug": HR, "name": "Huurdersraad", "timezone": "America/New_York",
             "rooms": {"main": "!hr:example.org"}, "secretaries": [SECRETARY]},
        ])
    application = create_app(settings, database=db)
    set_clock(application, clock)
    yield application
    application.extensions["overleg_runtime"].stop()  # the feed prerenderer may still read the database
    db.dispose()


class Council:
    """The test client for one council's routes, as the admin tool."""

    def __init__(self, app: Flask, slug: str) -> None:
        self.http = app.test_client()
        self.slug = slug
        self.headers = {"Authorization": f"Bearer {TOKENS['admin']}"}

    def call(self, method: str, path: str, expect: int, **kw: Any) -> Any:
        url = path if path.startswith("/feeds/") else f"/api/v1/councils/{self.slug}{path}"
        resp = self.http.open(url, method=method, headers=self.headers, **kw)
        assert resp.status_code == expect, (resp.status_code, resp.get_data(as_text=True)[:500])
        return resp

    def get(self, path: str, expect: int = 200) -> Any:
        return self.call("GET", path, expect)

    def post(self, path: str, json: Any = None, expect: int = 200) -> Any:
        return self.call("POST", path, expect, json=json)

    def event(self, **body: Any) -> dict:
        body.setdefault("type", "vergadering")
        body.setdefault("start", "2027-03-16T19:30")
        return self.post("/events", body, 201).json

    def feed(self) -> bytes:
        link = self.post("/feeds", {"kind": "council"}).json
        return self.get(link["url"].removeprefix(FEED_BASE)).data


def posted(app: Flask) -> list[OutboundMessage]:
    queue = QueueStore(RUNTIME_MODELS[0])
    with app.extensions["overleg_db"].read() as s:
        return [QueueStore.message(row) for row in queue.pending(s, limit=1000)]


# --------------------------------------------------------------------------------------------
# numbers per council

def test_events_are_numbered_per_council(app):
    kr, hr = Council(app, KR), Council(app, HR)
    first = [kr.event(title=f"Klantenraad {i}")["number"] for i in (1, 2, 3)]
    assert first == [1, 2, 3]
    theirs = hr.event(title="Huurdersraad 1")
    assert theirs["number"] == 1  # not 4: the other council's events do not count
    assert hr.event(title="Huurdersraad 2")["number"] == 2

    # Each council's number reaches its own event, also for the routes that change it.
    assert kr.get("/events/1").json["title"] == "Klantenraad 1"
    assert hr.get("/events/1").json["title"] == "Huurdersraad 1"
    assert hr.get("/events/3", 404).json["error"] == "cal.event.not_found"  # exists only at the klantenraad
    assert hr.call("PATCH", "/events/3", 404, json={"title": "Niet van ons"}).json["error"] == "cal.event.not_found"
    hr.call("PATCH", "/events/2", 200, json={"title": "Huurdersraad twee"})
    assert kr.get("/events/2").json["title"] == "Klantenraad 2"
    cancelled = hr.post("/events/1/cancel", {})
    assert cancelled.json["status"] == "cancelled" and cancelled.json["number"] == 1
    assert kr.get("/events/1").json["status"] == "confirmed"
    hr.post("/events/2/rsvp", {"member": SECRETARY, "answer": "aanwezig"})
    assert kr.get("/events/2/attendance").json["rsvps"] == {}

    # The list and the chat form give the council's numbers too.
    assert sorted((o["number"], o["cancelled"]) for o in hr.get("/events?days=60").json) == [(1, True), (2, False)]
    assert sorted(o["number"] for o in kr.get("/events?days=60").json) == [1, 2, 3]
    announced = hr.post("/events/from-text", {"type": "vergadering", "text": "Extra 18-3 19:30", "announce": True},
                        201).json
    assert announced["number"] == 3
    message = next(m for m in posted(app) if m.key == f"calendar:event:{announced['uid']}:new")
    assert "!aanwezig 3" in message.body


def test_polls_are_numbered_per_council(app):
    kr, hr = Council(app, KR), Council(app, HR)
    for i in range(2):
        kr.post("/polls", {"title": f"Klantenraad {i + 1}", "options": ["2027-04-06", "2027-04-08"],
                           "created_by": SECRETARY}, 201)
    poll = hr.post("/polls", {"title": "Huurdersraad 1", "options": ["2027-04-06", "2027-04-08"],
                              "created_by": SECRETARY}, 201).json
    # The thread key names the council: both councils' poll #1 live in the one outbox of the bot.
    assert poll["number"] == 1 and poll["thread_key"] == f"calendar:poll:{HR}:1"
    assert kr.get("/polls/1").json["thread_key"] == f"calendar:poll:{KR}:1"
    assert [p["number"] for p in kr.get("/polls").json] == [1, 2]
    assert hr.get("/polls/2", 404).json["error"] == "cal.poll.not_found"  # only the klantenraad has a #2
    answered = hr.post("/polls/1/answers", {"member": SECRETARY, "text": "2"}).json
    assert answered["title"] == "Huurdersraad 1" and answered["options"][1]["count"] == 1
    assert kr.get("/polls/1").json["options"][1]["count"] == 0
    fixed = hr.post("/polls/1/fix", {"option": 2, "actor": SECRETARY}).json
    assert fixed["poll"]["number"] == 1 and fixed["poll"]["closed"]
    assert fixed["event"]["number"] == 1 and fixed["event"]["council"] == HR
    assert not kr.get("/polls/1").json["closed"]
    hr.post("/polls/2/answers", {"member": SECRETARY, "text": "1"}, 404)


def test_the_migration_numbers_existing_rows_per_council_in_id_order(database_url):
    """Rows from before numbers per council: the klantenraad keeps its numbers (they were its ids
    while it was alone), a second council's rows count from 1."""
    from sqlalchemy import text

    from services.calendar.app import SERVICE_DIR
    from shared.migrations import upgrade

    db = Database(database_url)
    try:
        upgrade(db, SERVICE_DIR, "calendar_alembic_version", "650657b0a8dc")
        stamp = "2027-03-01 09:00:00+00:00"
        with db.engine.begin() as conn:
            for i, council in enumerate([KR, KR, HR, KR, HR], start=1):
                conn.execute(text(
                    "INSERT INTO calendar_events (id, uid, council, type, status, sequence, first_start, data, "
                    "created_at, updated_at) VALUES (:id, :uid, :council, 'vergadering', 'confirmed', 0, :ts, '{}', "
                    ":ts, :ts)"), {"id": i, "uid": f"ev-{i}", "council": council, "ts": stamp})
                conn.execute(text(
                    "INSERT INTO calendar_polls (id, council, closed, data, names, created_at, updated_at) "
                    "VALUES (:id, :council, false, '{}', '{}', :ts, :ts)"),
                    {"id": 10 + i, "council": council, "ts": stamp})
        migrate(db)
        with db.engine.connect() as conn:
            events = conn.execute(text("SELECT id, council, number FROM calendar_events ORDER BY id")).all()
            polls = conn.execute(text("SELECT id, council, number FROM calendar_polls ORDER BY id")).all()
        assert [tuple(r) for r in events] == [(1, KR, 1), (2, KR, 2), (3, HR, 1), (4, KR, 3), (5, HR, 2)]
        assert [r[2] for r in polls] == [1, 2, 1, 3, 2]
        migrate(db)  # a second run changes nothing
    finally:
        db.dispose()


# --------------------------------------------------------------------------------------------
# each council in its own time zone

def test_a_council_in_another_zone_plans_feeds_and_reminds_in_its_own_time(app, clock):
    kr, hr = Council(app, KR), Council(app, HR)
    # 16 March 2027: New York is on summer time already (since the 14th), Amsterdam not yet.
    ours = kr.event(title="Vergadering Rotterdam", start="2027-03-16T19:30")
    theirs = hr.event(title="Meeting New York", start="2027-03-16T19:30")
    assert ours["start"] == "2027-03-16T19:30:00+01:00"
    assert theirs["start"] == "2027-03-16T19:30:00-04:00" and theirs["end"] == "2027-03-16T21:30:00-04:00"
    typed = hr.post("/events/from-text", {"type": "vergadering", "text": "Extra overleg 18-3 19:30"}, 201).json
    assert typed["start"] == "2027-03-18T19:30:00-04:00"
    # A weekly series across the end of American summer time (7 November), a week after Europe's.
    weekly = hr.event(title="Weekly", start="2027-10-28T19:30",
                      recurrence={"freq": "weekly", "weekdays": ["TH"], "count": 3})
    moved = hr.post(f"/events/{weekly['number']}/move", {"text": "4-11 5-11"}).json  # a day later, same local time
    assert moved["start"] == "2027-11-05T19:30:00-04:00"
    poll = hr.post("/polls", {"title": "Heidag", "options": ["2027-04-06T19:30"], "created_by": SECRETARY}, 201).json
    assert poll["options"][0]["start"] == "2027-04-06T19:30:00-04:00" and poll["options"][0]["label"] == "di 6 apr 19:30"

    body = hr.feed()
    text = body.decode()
    assert "X-WR-TIMEZONE:America/New_York" in text and "Europe/Amsterdam" not in text
    assert "DTSTART;TZID=America/New_York:20270316T193000" in text
    cal = icalendar.Calendar.from_ical(body)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    starts = sorted((str(o["SUMMARY"]), o.decoded("DTSTART"))
                    for o in recurring_ical_events.of(cal).between(datetime(2027, 3, 1), datetime(2027, 12, 1)))
    assert [(title, start.strftime("%m-%d %H:%M"), start.utcoffset()) for title, start in starts] == [
        ("Extra overleg", "03-18 19:30", timedelta(hours=-4)),
        ("Meeting New York", "03-16 19:30", timedelta(hours=-4)),
        ("Weekly", "10-28 19:30", timedelta(hours=-4)),
        ("Weekly", "11-05 19:30", timedelta(hours=-4)),  # the moved one (still summer time)
        ("Weekly", "11-11 19:30", timedelta(hours=-5)),  # winter time: still 19:30 in New York
    ]
    assert "X-WR-TIMEZONE:Europe/Amsterdam" in kr.feed().decode()

    # At 22:00 on 16 March in New York it is already the 17th in Amsterdam: a meeting and a heidag
    # on the 17th in New York are "morgen" there.
    hr.event(title="Avond", start="2027-03-17T19:30")
    hr.event(type="heidag", title="Heidag", start="2027-03-17")
    tick = datetime(2027, 3, 16, 22, 0, tzinfo=NEW_YORK)
    reminding.send_due(app.extensions["overleg_db"], app.config["OVERLEG_SETTINGS"],
                       Poster(app.extensions["overleg_runtime"]), tick)
    texts = {m.body.split("\n")[0] for m in posted(app) if m.key.startswith("calendar:reminder:")}
    assert "Herinnering: morgen Avond, woensdag 17 maart 2027, 19:30." in texts, texts
    assert "Herinnering: morgen Heidag, woensdag 17 maart 2027." in texts, texts
