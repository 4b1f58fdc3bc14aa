"""The calendar service through its HTTP API: events, feeds, attendance, polls, reminders,
deadlines from the deliberation service. On SQLite and (second pass) PostgreSQL; the feeds are
checked in icalendar, vobject and by importing them into the real Radicale."""
from __future__ import annotations

import hashlib
import re
import secrets
import threading
import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterator

import icalendar
import pytest
import recurring_ical_events
import vobject
from flask import Flask, jsonify, request
from sqlalchemy import select

from devstack.procs import free_port
from tests.support import serve_in_thread
from services.calendar import reminding, store
from services.calendar.actions import Poster
from services.calendar.app import create_app, migrate
from services.calendar.domain.events import AMSTERDAM
from services.calendar.models import RUNTIME_MODELS, CalendarFeedToken
from shared.service import set_clock
from shared.db import Database
from shared.outbox import OutboundMessage, QueueStore
from shared.settings import load_settings

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

SLUG = "klantenraad"
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)  # a Monday
TOKENS = {"bot": "tok-bot", "admin": "tok-admin", "deliberation": "tok-delib", "calendar": "tok-cal",
          "signals": "tok-sig", "partner": "tok-partner"}
ANNA, BRAM, CHANTAL, DIRK = "@anna:example.org", "@bram:example.org", "@chantal:example.org", "@dirk:example.org"
SECRETARY = "@secretaris:example.org"
FEED_BASE = "https://kalender.example.org"


class Clock:
    """The service's notion of now, set by the test (``shared.service.set_clock``)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def make_settings(tmp_path, **council: Any):
    return load_settings(
        data_dir=tmp_path, secret_key="test-" + secrets.token_hex(16), api_tokens=TOKENS,
        service_urls={"deliberation": f"http://127.0.0.1:{free_port()}", "calendar": FEED_BASE,
                      "bot": f"http://127.0.0.1:{free_port()}", "signals": "http://127.0.0.1:9"},
        councils=[{"slug": SLUG, "name": "Klantenraad Woonstad", "rooms": {"main": "!main:example.org"},
                   "secretaries": [SECRETARY], "quorum": 2, **council}],
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


LEDEN = tuple(f"@lid{i}:example.org" for i in range(8))  # members answering at the same moment
ROSTER = (ANNA, BRAM, CHANTAL, DIRK, *LEDEN)  # the serving members (the secretary is named in the settings)


def roster_contract(contract: Flask, members: tuple[str, ...] = ROSTER) -> Flask:
    """Deliberation's roster route (``RosterOut``) on a small server: the calendar asks it who serves."""

    @contract.get("/api/v1/councils/<slug>/members")
    def members_route(slug: str):  # type: ignore[no-untyped-def]
        return jsonify({"council": slug, "max_seats": 13, "seats": [], "vacant_seats": [], "unrepresented_groups": [],
                        "members_without_seat": [],
                        "members": [{"matrix_id": m, "display_name": m[1:].split(":")[0].title(), "serving": True,
                                     "secretary": False} for m in members]})

    return contract


@pytest.fixture
def app(tmp_path, database_url, clock) -> Iterator[Flask]:
    db = Database(database_url)
    migrate(db)
    settings = make_settings(tmp_path)
    url, server = _serve(roster_contract(Flask("deliberation-roster")))
    settings.service_urls["deliberation"] = url
    application = create_app(settings, database=db)
    set_clock(application, clock)
    yield application
    application.extensions["overleg_runtime"].stop()  # the feed prerenderer may still read the database
    server.shutdown()
    db.dispose()


class Client:
    """The Flask test client with a caller's bearer token."""

    def __init__(self, app: Flask, caller: str = "admin") -> None:
        self.app = app
        self.http = app.test_client()
        self.headers = {"Authorization": f"Bearer {TOKENS[caller]}"}

    def call(self, method: str, path: str, expect: int | None = None, **kw: Any) -> Any:
        url = path if path.startswith("/feeds/") else f"/api/v1/councils/{SLUG}{path}"
        resp = self.http.open(url, method=method, headers={**self.headers, **kw.pop("headers", {})}, **kw)
        if expect is not None:
            assert resp.status_code == expect, (resp.status_code, resp.get_data(as_text=True)[:500])
        return resp

    def post(self, path: str, json: Any = None, expect: int | None = None, **kw: Any) -> Any:
        return self.call("POST", path, expect, json=json, **kw)

    def get(self, path: str, expect: int | None = None, **kw: Any) -> Any:
        return self.call("GET", path, expect, **kw)

    def patch(self, path: str, json: Any = None, expect: int | None = None) -> Any:
        return self.call("PATCH", path, expect, json=json)

    def event(self, expect: int = 201, **body: Any) -> dict:
        body.setdefault("type", "vergadering")
        body.setdefault("title", "Vergadering klantenraad")
        body.setdefault("start", "2027-03-16T19:30")
        return self.post("/events", body, expect).json

    def feed_link(self, **body: Any) -> dict:
        return self.post("/feeds", body, 200).json

    def feed(self, link: dict, expect: int = 200, **kw: Any) -> Any:
        return self.get(link["url"].removeprefix(FEED_BASE), expect, **kw)


@pytest.fixture
def api(app) -> Client:
    return Client(app)


def posted(app: Flask) -> list[OutboundMessage]:
    """What the service handed to its outbox (the bot posts it in Matrix)."""
    queue = QueueStore(RUNTIME_MODELS[0])
    with app.extensions["overleg_db"].read() as s:
        return [QueueStore.message(row) for row in queue.pending(s, limit=1000)]


def parse_everywhere(body: bytes) -> icalendar.Calendar:
    """The feed parses in icalendar and in vobject, and its recurrences expand."""
    cal = icalendar.Calendar.from_ical(body)
    parsed = vobject.readOne(body.decode("utf-8"))
    assert parsed.name == "VCALENDAR"
    list(recurring_ical_events.of(cal).between(date(2026, 1, 1), date(2029, 1, 1)))
    return cal


def vevents(cal: icalendar.Calendar) -> list[icalendar.Event]:
    return [c for c in cal.walk("VEVENT")]


def import_into_radicale(radicale, body: bytes) -> set[str]:
    """PUT the whole feed as a new calendar collection, as a calendar app's import does; return the
    UIDs Radicale then holds."""
    with radicale.client() as client:
        url = f"{radicale.base_url}/{radicale.user}/import-{uuid.uuid4().hex[:10]}/"
        resp = client.put(url, body.decode("utf-8"), {"Content-Type": "text/calendar; charset=utf-8"})
        assert resp.status in (200, 201, 204), (resp.status, resp.raw)
        calendar = client.calendar(url=url)
        return {str(obj.icalendar_component["UID"]) for obj in calendar.events()}


# --------------------------------------------------------------------------------------------
# events

def test_events_are_created_changed_and_cancelled_with_sequence(api, app):
    ev = api.event(title="Maandvergadering", location="Wijkcentrum De Esch", announce=True)
    assert ev["number"] >= 1 and ev["sequence"] == 0 and ev["status"] == "confirmed"
    assert ev["end"] == "2027-03-16T21:30:00+01:00"  # the usual two hours
    n = ev["number"]
    assert api.get(f"/events/{n}", 200).json["uid"] == ev["uid"]

    changed = api.patch(f"/events/{n}", {"title": "Maandvergadering maart"}, 200).json
    assert changed["sequence"] == 1
    same = api.patch(f"/events/{n}", {"title": "Maandvergadering maart"}, 200).json
    assert same["sequence"] == 1  # nothing changed, nothing raised
    moved = api.patch(f"/events/{n}", {"start": "2027-03-16T20:00", "announce": True}, 200).json
    assert moved["sequence"] == 2 and moved["end"] == "2027-03-16T22:00:00+01:00"
    cancelled = api.post(f"/events/{n}/cancel", {"announce": True}, 200).json
    assert cancelled["status"] == "cancelled" and cancelled["sequence"] == 3
    again = api.post(f"/events/{n}/cancel", {}, 200).json
    assert again["sequence"] == 3
    assert api.patch(f"/events/{n}", {"title": "Toch?"}, 409).json["error"] == "cal.event.cancelled"

    link = api.feed_link(kind="council")
    (vevent,) = vevents(parse_everywhere(api.feed(link).data))
    assert str(vevent["STATUS"]) == "CANCELLED" and int(vevent["SEQUENCE"]) == 3
    assert str(vevent["UID"]) == f"{ev['uid']}@overleg"
    upcoming = api.get("/events", 200).json
    assert [(o["number"], o["cancelled"]) for o in upcoming] == [(n, True)]

    restored = api.post(f"/events/{n}/restore", {}, 200).json
    assert restored["status"] == "confirmed" and restored["sequence"] == 4

    keys = [m.key for m in posted(app)]
    assert f"calendar:event:{ev['uid']}:new" in keys
    assert f"calendar:event:{ev['uid']}:s2" in keys and f"calendar:event:{ev['uid']}:s3" in keys
    new = next(m for m in posted(app) if m.key.endswith(":new"))
    assert new.room == "main" and new.council == SLUG and "!aanwezig" in new.body and "De Esch" in new.body


def test_one_meeting_of_a_series_or_the_whole_series_is_cancelled(api):
    ev = api.event(title="Werkgroep", start="2027-03-16T19:30", recurrence={"freq": "weekly", "count": 6})
    n = ev["number"]
    assert [o["day"] for o in api.get("/events", 200).json] == [
        "2027-03-16", "2027-03-23", "2027-03-30", "2027-04-06", "2027-04-13", "2027-04-20"]
    not_a_meeting = api.post(f"/events/{n}/cancel", {"day": "2027-03-24"}, 422).json
    assert not_a_meeting["error"] == "cal.recurrence.not_an_occurrence" and "24 maart" in not_a_meeting["message"]
    assert api.post(f"/events/{n}/rsvp", {"member": ANNA, "answer": "aanwezig", "day": "2027-03-24"},
                    404).json["error"] == "cal.occurrence.not_found"
    one = api.post(f"/events/{n}/cancel", {"day": "23-3", "announce": True}, 200).json
    assert one["cancelled_dates"] == ["2027-03-23"] and one["status"] == "confirmed"
    listed = {o["day"]: o["cancelled"] for o in api.get("/events", 200).json}
    assert listed["2027-03-23"] is True and listed["2027-03-30"] is False
    (vevent,) = vevents(parse_everywhere(api.feed(api.feed_link(kind="council")).data))
    exdates = [d.dt for ex in ([vevent["EXDATE"]] if not isinstance(vevent["EXDATE"], list) else vevent["EXDATE"])
               for d in ex.dts]
    assert exdates == [datetime(2027, 3, 23, 19, 30, tzinfo=AMSTERDAM)]
    whole = api.post(f"/events/{n}/cancel", {}, 200).json
    assert whole["status"] == "cancelled"


def test_chat_form_and_from_text(api):
    ev = api.post("/events/from-text", {"type": "training", "text": "Omgaan met media, deel 2 12 maart 19:30-21:30",
                                        "capacity": 8, "announce": False}, 201).json
    assert ev["title"] == "Omgaan met media, deel 2" and ev["capacity"] == 8
    assert ev["start"] == "2027-03-12T19:30:00+01:00" and ev["end"] == "2027-03-12T21:30:00+01:00"
    two = api.post("/events/from-text", {"type": "heidag", "text": "Hei 12 maart 19 maart"}, 422).json
    assert two["error"] == "cal.text.one_date"


BAD_EVENTS: list[tuple[str, dict]] = [
    ("in the past", {"start": "2027-02-01T19:30"}),
    ("unparseable", {"start": "morgen-ish"}),
    ("no such day", {"start": "2027-02-30"}),
    ("year 99999", {"start": "99999-01-01"}),
    ("end before start", {"start": "2027-03-16T19:30", "end": "2027-03-16T18:00"}),
    ("mixed", {"start": "2027-03-16", "end": "2027-03-16T18:00"}),
    ("in the DST gap", {"start": "2027-03-28T02:30"}),
    ("too far ahead", {"start": "2039-01-01"}),
    ("huge capacity", {"capacity": 10**40}),
    ("float capacity", {"capacity": 1e308}),
    ("negative capacity", {"capacity": -1}),
    ("NUL in title", {"title": "Verga\x00dering"}),
    ("escape in location", {"location": "Zaal \x1b[31m"}),
    ("empty title", {"title": ""}),
    ("long title", {"title": "x" * 201}),
    ("unknown type", {"type": "feestje"}),
    ("unknown field", {"colour": "red"}),
    ("huge count", {"recurrence": {"freq": "weekly", "count": 10**30}}),
    ("start not in rule", {"recurrence": {"freq": "weekly", "weekdays": ["MO"]}}),
    ("exdate without rule", {"exdates": ["2027-03-23"]}),
    ("bad invitee", {"invitees": [{"member_id": "anna de vries"}]}),
    ("twice invited", {"invitees": [{"member_id": ANNA}, {"member_id": ANNA}]}),
]


@pytest.mark.parametrize("label,override", BAD_EVENTS, ids=[b[0] for b in BAD_EVENTS])
def test_bad_event_input_is_a_json_4xx(api, label, override):
    body = {"type": "vergadering", "title": "Vergadering", "start": "2027-03-16T19:30", **override}
    resp = api.post("/events", body)
    assert 400 <= resp.status_code < 500 and resp.is_json, (label, resp.status_code, resp.data[:300])
    assert {"error", "message"} <= set(resp.json)


def test_other_bad_input_is_a_json_4xx(api, app):
    n = api.event()["number"]
    api.post("/polls", {"text": "Heidag 12 maart 19 maart", "created_by": ANNA}, 201)
    cases = [
        api.post("/events", None, data=b"not json", headers={"Content-Type": "application/json"}),
        api.post("/events", []),
        api.get("/events/99999999999999"),
        api.get("/events/424242"),
        api.patch(f"/events/{n}", {"start": None}),
        api.patch(f"/events/{n}", {"end": "2027-03-16T10:00"}),
        api.post(f"/events/{n}/rsvp", {"member": ANNA, "answer": "misschien"}),
        api.post(f"/events/{n}/rsvp", {"member": ANNA, "answer": "aanwezig", "day": "31-2"}),
        api.post(f"/events/{n}/cancel", {"day": "2027-03-16"}),  # a single event has no meetings to pick
        api.get("/events?days=100000000000000000000"),
        api.get("/events?days=abc"),
        api.get("/events?colour=red"),
        api.post("/polls", {"text": "Heidag"}),
        api.post("/polls", {"text": "Heidag 12 maart 12 maart"}),
        api.post("/polls", {"text": "Heidag 1 januari 2027"}),
        api.post("/polls", {}),
        api.post("/polls/1/answers", {"member": ANNA, "text": "3"}),
        api.post("/polls/1/answers", {"member": ANNA, "text": "1 7 9"}),
        api.post("/polls/1/answers", {"member": ANNA, "text": "eerste"}),
        api.post("/polls/1/answers", {"member": ANNA, "options": [10**12]}),
        api.post("/polls/1/answers", {"member": ANNA}),
        api.post("/polls/1/fix", {"option": 5, "actor": ANNA}),
        api.post("/polls/1/fix", {"option": 10**15, "actor": ANNA}),
        api.post("/polls/7/fix", {"option": 1}),
        api.post("/feeds", {"kind": "member"}),
        api.post("/feeds", {"kind": "type"}),
        api.get("/training-record"),
        api.call("GET", "/feeds/nope.ics"),
        api.call("GET", "/feeds/" + "A" * 43 + ".ics"),
        Client(app).http.get("/api/v1/councils/onbekend/events", headers=api.headers),
        Client(app, "partner").get("/events"),
        app.test_client().get(f"/api/v1/councils/{SLUG}/events"),
    ]
    for resp in cases:
        assert 400 <= resp.status_code < 500 and resp.is_json, (resp.request.path, resp.status_code, resp.data[:300])
    unknown = api.post("/polls/1/answers", {"member": ANNA, "text": "1 7 9"}).json
    assert unknown["error"] == "cal.poll.unknown_option" and "7, 9" in unknown["message"]


def test_an_unset_secret_key_refuses_feed_links(api, app):
    settings = app.config["OVERLEG_SETTINGS"]
    kept, settings.secret_key = settings.secret_key, "change-me"
    try:
        resp = api.post("/feeds", {"kind": "council"})
        assert resp.status_code == 409 and resp.json["error"] == "cal.feed.no_secret"
    finally:
        settings.secret_key = kept


# --------------------------------------------------------------------------------------------
# feeds

def count_renders(monkeypatch) -> list[str]:
    """The feeds rendered from now on (by feed kind)."""
    from services.calendar import feeds

    renders: list[str] = []
    real = feeds.render

    def counting(session, council, token, now):  # type: ignore[no-untyped-def]
        renders.append(token.kind)
        return real(session, council, token, now)

    monkeypatch.setattr(feeds, "render", counting)
    return renders


def test_feed_links_etag_cache_and_rotation(api, app, monkeypatch):
    api.event(title="Eerste")
    link = api.feed_link(kind="council")
    token = re.search(r"/feeds/([A-Za-z0-9_-]+)\.ics$", link["url"])[1]
    assert len(token) == 43 and link["webcal"] == link["url"].replace("https://", "webcal://")
    db = app.extensions["overleg_db"]
    with db.read() as s:
        rows = list(s.scalars(select(CalendarFeedToken)))
    assert [r.token_hash for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert all(token not in str(vars(r)) for r in rows)  # only the hash is kept

    first = api.feed(link)
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert first.headers["Cache-Control"].startswith("private") and first.headers["ETag"].startswith('"')
    assert 'filename="klantenraad.ics"' in first.headers["Content-Disposition"]
    not_modified = api.feed(link, 304, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.data == b"" and not_modified.headers["ETag"] == first.headers["ETag"]
    assert api.feed(link, 200, headers={"If-None-Match": '"something-else"'}).data == first.data

    # Rendered once per change: the rendering is reused until something changes, and a 304 (on
    # either validator) renders nothing.
    renders = count_renders(monkeypatch)
    api.feed(link)
    api.feed(link, 304, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert renders == []
    api.event(title="Tweede", start="2027-03-17T19:30")
    api.feed(link, 200, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    second = api.feed(link)
    assert second.headers["ETag"] != first.headers["ETag"] and b"Tweede" in second.data
    assert second.headers["Last-Modified"] != first.headers["Last-Modified"] and len(renders) == 1
    api.feed(link, 304, headers={"If-None-Match": second.headers["ETag"]})
    assert len(renders) == 1

    assert api.feed_link(kind="council") == link  # asking again gives the same link
    rotated = api.feed_link(kind="council", rotate=True)
    assert rotated["url"] != link["url"] and rotated["generation"] == 2
    gone = api.feed(link, 404)
    assert gone.is_json and gone.json["error"] == "cal.feed.not_found"
    assert api.feed(rotated).data == second.data


def test_a_change_is_rendered_ahead_once_and_every_worker_answers_from_the_shared_cache(api, app, database_url,
                                                                                     monkeypatch):

    meeting = api.event(title="Eerste")
    link = api.feed_link(kind="council")
    never_fetched = api.feed_link(kind="type", type="vergadering")  # a link nobody follows yet
    first = api.feed(link)  # fetched once: from now on this feed is kept rendered
    prerender = app.extensions["overleg_feed_prerender"]
    disk = app.extensions["overleg_feed_disk"]
    assert disk is not None and prerender is not None

    # A second worker: its own process state (database handle, memory cache), the same database
    # and data folder.
    other_db = Database(database_url)
    other = create_app(app.config["OVERLEG_SETTINGS"], database=other_db)
    other_http = Client(other)
    try:
        renders = count_renders(monkeypatch)
        api.patch(f"/events/{meeting['number']}", {"title": "Gewijzigd"}, 200)
        prerender.wait_for(SLUG)
        assert renders == ["council"]  # rendered once, ahead; the unfetched type feed is not
        changed = other_http.feed(link)
        assert b"Gewijzigd" in changed.data and changed.headers["ETag"] != first.headers["ETag"]
        assert api.feed(link).data == changed.data and renders == ["council"]  # nobody rendered it again

        # The unfetched feed is rendered on its first fetch, and kept current from then on.
        assert b"Gewijzigd" in other_http.feed(never_fetched).data and renders == ["council", "type"]
        api.patch(f"/events/{meeting['number']}", {"title": "Nog eens"}, 200)
        prerender.wait_for(SLUG)
        assert sorted(renders) == ["council", "council", "type", "type"]
        assert b"Nog eens" in other_http.feed(never_fetched).data and len(renders) == 4

        # The metrics tell the bodies apart by origin.
        metrics = app.test_client().get("/metrics").get_data(as_text=True)
        assert 'overleg_calendar_feed_bodies_total{how="ahead"} 3.0' in metrics
        others = other.test_client().get("/metrics").get_data(as_text=True)
        assert 'overleg_calendar_feed_bodies_total{how="shared"} 2.0' in others
        assert 'overleg_calendar_feed_bodies_total{how="request"} 1.0' in others

        # One file per feed (the superseded versions are gone), readable by the service only.
        files = sorted(disk.folder.glob("*.ics"))
        assert len(files) == 2 and all(f.stat().st_mode & 0o077 == 0 for f in files)
    finally:
        other_db.dispose()


def test_the_shared_feed_cache_belongs_to_one_database(tmp_path):
    from services.calendar import feeds

    assert feeds.DiskBodies.for_database(tmp_path, Database("sqlite://")) is None  # in memory: per process
    one, two = Database(f"sqlite:///{tmp_path / 'a.db'}"), Database(f"sqlite:///{tmp_path / 'b.db'}")
    for db in (one, two):
        with db.engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    first, second = (feeds.DiskBodies.for_database(tmp_path, db) for db in (one, two))
    assert first is not None and second is not None and first.folder != second.folder
    first.put("kr|council|", "v1", b"een")
    assert first.get("kr|council|", "v1") == b"een" and second.get("kr|council|", "v1") is None
    assert first.in_use("kr|council|") and not first.in_use("kr|member|@a:x")
    first.put("kr|council|", "v2", b"twee")
    assert first.get("kr|council|", "v1") is None and first.get("kr|council|", "v2") == b"twee"
    # A folder that cannot be written (here: under a file) costs renders, never an answer.
    (tmp_path / "a-file").write_text("x")
    unwritable = feeds.DiskBodies(tmp_path / "a-file" / "feed-cache")
    unwritable.put("kr|council|", "v1", b"een")
    unwritable.put("kr|council|", "v2", b"twee")
    assert unwritable.get("kr|council|", "v1") is None and not unwritable.in_use("kr|council|")
    for db in (one, two):
        db.dispose()


def test_personal_and_type_feeds(api):
    invited = api.event(title="Overleg met bestuur", type="overleg_bestuur",
                        invitees=[{"member_id": ANNA, "display_name": "Anna de Vries"}, {"member_id": BRAM}])
    open_meeting = api.event(title="Open vergadering", start="2027-03-18T19:30")
    heidag = api.event(title="Heidag", type="heidag", start="2027-04-02", end="2027-04-03")
    only_bram = api.event(title="Alleen Bram", start="2027-03-20T10:00", invitees=[{"member_id": BRAM}])
    api.post(f"/events/{invited['number']}/rsvp", {"member": ANNA, "answer": "aanwezig"}, 200)
    api.post(f"/events/{open_meeting['number']}/rsvp", {"member": ANNA, "answer": "afwezig"}, 200)
    refused = api.post(f"/events/{only_bram['number']}/rsvp", {"member": ANNA, "answer": "aanwezig"}, 403)
    assert refused.json["error"] == "cal.rsvp.not_invited"

    anna = vevents(parse_everywhere(api.feed(api.feed_link(kind="member", member=ANNA)).data))
    by_title = {str(v["SUMMARY"]): v for v in anna}
    assert set(by_title) == {"Overleg met bestuur", "Open vergadering", "Heidag"}
    assert by_title["Overleg met bestuur"]["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert by_title["Overleg met bestuur"]["ATTENDEE"].params["CN"] == "Anna de Vries"
    assert by_title["Open vergadering"]["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    assert by_title["Heidag"]["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    bram = {str(v["SUMMARY"]): v for v in vevents(parse_everywhere(
        api.feed(api.feed_link(kind="member", member=BRAM)).data))}
    assert bram["Overleg met bestuur"]["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION" and "Alleen Bram" in bram

    heidagen = vevents(parse_everywhere(api.feed(api.feed_link(kind="type", type="heidag")).data))
    assert [str(v["UID"]) for v in heidagen] == [f"{heidag['uid']}@overleg"]
    assert heidagen[0]["DTSTART"].dt == date(2027, 4, 2) and heidagen[0]["DTEND"].dt == date(2027, 4, 4)
    assert api.feed(api.feed_link(kind="type", type="heidag")).headers["Content-Disposition"].endswith(
        'filename="klantenraad-heidag.ics"')


def _rich_data_set(api) -> None:
    """Every shape of event the feeds carry."""
    series = api.event(title="Maandvergadering", start="2027-03-16T19:30",
                       recurrence={"freq": "monthly", "weekdays": ["TU"], "position": 3, "count": 10},
                       exdates=["2027-07-20"], location="Stadhuis, zaal 3; Coolsingel 40",
                       invitees=[{"member_id": ANNA, "display_name": "Anna; de \"Vries\""}, {"member_id": BRAM}])
    api.post(f"/events/{series['number']}/cancel", {"day": "2027-05-18"}, 200)
    api.post(f"/events/{series['number']}/rsvp", {"member": ANNA, "answer": "afwezig", "day": "2027-04-20"}, 200)
    api.post(f"/events/{series['number']}/rsvp", {"member": ANNA, "answer": "aanwezig", "day": "2027-03-16"}, 200)
    api.event(title="Heidag voorjaar", type="heidag", start="2027-04-09", end="2027-04-10",
              description="Meenemen: laptop\nLunch is geregeld")
    training = api.event(title="Training: omgaan met media", type="training", start="2027-03-25T13:00",
                         end="2027-03-25T16:30", capacity=1)
    api.post(f"/events/{training['number']}/rsvp", {"member": BRAM, "answer": "aanwezig"}, 200)
    api.post(f"/events/{training['number']}/rsvp", {"member": ANNA, "answer": "aanwezig"}, 200)  # waiting: TENTATIVE
    called_off = api.event(title="Bewonersavond Zuid", type="bewonersavond", start="2027-03-30T19:00")
    api.post(f"/events/{called_off['number']}/cancel", {}, 200)
    api.event(title="Inspiratiebijeenkomst", type="inspiratiebijeenkomst", start="2027-06-01T15:00")
    api.event(title="Bewonersconsultatie", type="bewonersconsultatie", start="2027-06-08",
              recurrence={"freq": "weekly", "interval": 2, "until": "2027-07-31"})


def test_every_feed_imports_into_radicale_and_parses(api, radicale):
    _rich_data_set(api)
    links = [api.feed_link(kind="council"), api.feed_link(kind="member", member=ANNA),
             api.feed_link(kind="member", member=BRAM)]
    links += [api.feed_link(kind="type", type=t) for t in
              ("vergadering", "heidag", "training", "bewonersavond", "inspiratiebijeenkomst", "bewonersconsultatie",
               "overleg_bestuur", "adviesdeadline", "realisatietoets")]
    for link in links:
        body = api.feed(link).data
        cal = parse_everywhere(body)
        uids = {str(v["UID"]) for v in vevents(cal)}
        assert import_into_radicale(radicale, body) == uids, link["scope"]
    anna = vevents(parse_everywhere(api.feed(links[1]).data))
    overrides = {v["RECURRENCE-ID"].dt: v["ATTENDEE"].params["PARTSTAT"] for v in anna if "RECURRENCE-ID" in v}
    assert overrides == {datetime(2027, 3, 16, 19, 30, tzinfo=AMSTERDAM): "ACCEPTED",
                         datetime(2027, 4, 20, 19, 30, tzinfo=AMSTERDAM): "DECLINED"}
    training = next(v for v in anna if str(v["SUMMARY"]).startswith("Training"))
    assert training["ATTENDEE"].params["PARTSTAT"] == "TENTATIVE"


NASTY = [
    "Regel één\r\nregel twee\rregel drie\nregel vier",
    "Komma's, puntkomma's; en \\backslashes\\ in C:\\Nieuw\\notities",
    "Emoji 🏠🗳️👩‍👩‍👧 en ✓ — “quotes” 'enkel' \"dubbel\"",
    "Tabs\tin\ttekst en <script>alert(1)</script> &amp;",
    "Letterlijk \\n en \\, en \\; blijven staan",
    ":;,\\" * 20,
]


def test_injection_over_all_text_fields_yields_valid_feeds(api, radicale):
    created = []
    for i, text in enumerate(NASTY):
        ev = api.event(title=text.replace("\r", " ").replace("\n", " ")[:200], description=text, location=text[:300],
                       start=f"2027-04-{i + 1:02d}T19:30",
                       organiser={"member_id": SECRETARY, "display_name": text[:200]},
                       invitees=[{"member_id": ANNA, "display_name": text[:200]}])
        api.post(f"/events/{ev['number']}/rsvp", {"member": ANNA, "answer": "aanwezig"}, 200)
        created.append((ev["uid"], text))
    poll = api.post("/polls", {"title": NASTY[1][:200], "options": ["2027-05-03"], "created_by": ANNA}, 201).json
    api.post(f"/polls/{poll['number']}/fix", {"option": 1, "actor": ANNA, "location": NASTY[2]}, 200)
    for link in (api.feed_link(kind="council"), api.feed_link(kind="member", member=ANNA)):
        body = api.feed(link).data
        assert all(len(line.encode()) <= 75 for line in body.decode().split("\r\n"))
        cal = parse_everywhere(body)
        by_uid = {str(v["UID"]): v for v in vevents(cal)}
        vcal = vobject.readOne(body.decode())
        vby_uid = {c.uid.value: c for c in vcal.vevent_list}
        for uid, text in created:
            expected = text.replace("\r\n", "\n").replace("\r", "\n")
            assert str(by_uid[f"{uid}@overleg"]["DESCRIPTION"]) == expected
            assert str(by_uid[f"{uid}@overleg"]["LOCATION"]) == expected[:300]
            assert vby_uid[f"{uid}@overleg"].description.value == expected
        assert len(import_into_radicale(radicale, body)) == len(by_uid)


def test_a_weekly_1930_meeting_stays_1930_across_both_dst_changes(api, radicale):
    # Sundays at 19:30, from March to November 2027: the last Sundays of March (28th) and
    # October (31st) are meeting days themselves.
    ev = api.event(title="Zondagoverleg", start="2027-03-21T19:30", end="2027-03-21T21:00",
                   recurrence={"freq": "weekly", "until": "2027-11-14"})
    body = api.feed(api.feed_link(kind="council")).data
    cal = parse_everywhere(body)
    occurrences = list(recurring_ical_events.of(cal).between(date(2027, 3, 1), date(2027, 12, 1)))
    assert len(occurrences) == 35
    for occ in occurrences:
        start = occ["DTSTART"].dt
        assert start.astimezone(AMSTERDAM).time() == time(19, 30), start
    by_day = {o["DTSTART"].dt.date(): o["DTSTART"].dt.astimezone(timezone.utc).time() for o in occurrences}
    assert by_day[date(2027, 3, 21)] == time(18, 30)  # CET
    assert by_day[date(2027, 3, 28)] == time(17, 30)  # the day summer time starts
    assert by_day[date(2027, 10, 24)] == time(17, 30)
    assert by_day[date(2027, 10, 31)] == time(18, 30)  # the day winter time returns
    vcal = vobject.readOne(body.decode())
    vstarts = list(vcal.vevent.getrruleset(addRDate=True))
    assert all(s.astimezone(AMSTERDAM).time() == time(19, 30) for s in vstarts) and len(vstarts) == 35
    # And Radicale, expanding the series itself, agrees.
    import_into_radicale(radicale, body)
    with radicale.client() as client:
        principal = client.principal()
        calendar = next(c for c in principal.calendars()
                        if any(str(o.icalendar_component["UID"]) == f"{ev['uid']}@overleg" for o in c.events()))
        found = calendar.search(start=datetime(2027, 3, 27), end=datetime(2027, 11, 2), event=True, expand=True)
        starts = {o.icalendar_component["DTSTART"].dt for o in found}
    assert {s.astimezone(AMSTERDAM).time() for s in starts} == {time(19, 30)}
    assert {s.astimezone(AMSTERDAM).date() for s in starts} >= {date(2027, 3, 28), date(2027, 10, 31)}


# --------------------------------------------------------------------------------------------
# reminders

def test_reminders_are_due_late_after_downtime_and_never_twice(app, api, clock):
    settings = app.config["OVERLEG_SETTINGS"]
    db = app.extensions["overleg_db"]
    post = Poster(app.extensions["overleg_runtime"])
    ev = api.event(title="Vergadering maart", start="2027-03-16T19:30", location="De Esch")

    def reminders() -> list[OutboundMessage]:
        return [m for m in posted(app) if m.key.startswith("calendar:reminder:")]

    assert reminding.send_due(db, settings, post, datetime(2027, 3, 9, 19, 0, tzinfo=AMSTERDAM)) == 0
    assert reminding.send_due(db, settings, post, datetime(2027, 3, 9, 19, 31, tzinfo=AMSTERDAM)) == 1
    (week,) = reminders()
    assert week.key.endswith("/7d") and week.room == "main" and week.council == SLUG
    assert "over 7 dagen" in week.body and "!aanwezig" in week.body and "later dan gepland" not in week.body
    assert reminding.send_due(db, settings, post, datetime(2027, 3, 9, 19, 40, tzinfo=AMSTERDAM)) == 0

    # The service was down from 9 March until the morning of the 16th: the day-before reminder
    # (due 15 March 19:30) goes out once on start, marked late; nothing else is repeated.
    clock.now = datetime(2027, 3, 16, 7, 0, tzinfo=AMSTERDAM)
    assert app.extensions["overleg_runtime"].jobs.run_once("reminders") == 1
    late = reminders()[-1]
    # Posted on the day itself, so it says "Vandaag" (it once said "morgen" about today).
    assert late.key.endswith("/1d") and late.body.startswith("Vandaag:") and "later dan gepland" in late.body
    assert app.extensions["overleg_runtime"].jobs.run_once("reminders") == 0
    assert reminding.send_due(db, settings, post, datetime(2027, 3, 16, 8, 5, tzinfo=AMSTERDAM)) == 1
    morning = reminders()[-1]
    assert morning.key.endswith("/0d@08:00") and morning.body.startswith("Vandaag") and "later" not in morning.body
    assert reminding.send_due(db, settings, post, datetime(2027, 3, 16, 19, 0, tzinfo=AMSTERDAM)) == 0
    assert len(reminders()) == 3 and len({m.key for m in reminders()}) == 3
    assert all(ev["uid"] in m.key for m in reminders())

    # An event planned after its day-before moment: that reminder is simply new, not "late".
    clock.now = datetime(2027, 3, 20, 12, 0, tzinfo=AMSTERDAM)
    api.event(title="Spoedoverleg", start="2027-03-21T10:00")
    assert reminding.send_due(db, settings, post, clock.now) == 1
    urgent = reminders()[-1]
    assert "Spoedoverleg" in urgent.body and "later dan gepland" not in urgent.body
    with db.read() as s:
        assert store.reminder_sent(s, urgent.key.removeprefix("calendar:reminder:"))


# The service's reminders job at the hours the suite once failed at (03:19 in Rotterdam), the
# hours around the day-before and morning reminders, late evening, and both nights of a clock
# change (28 March 2027 02:00 -> 03:00; 31 October 2027 03:00 -> 02:00, 02:30 twice).
NIGHT_TICKS = [
    datetime(2027, 3, 2, 0, 30), datetime(2027, 3, 4, 3, 0), datetime(2027, 3, 6, 8, 59),
    datetime(2027, 3, 8, 23, 30), datetime(2027, 3, 28, 0, 30), datetime(2027, 3, 28, 3, 0),
    datetime(2027, 10, 31, 2, 30), datetime(2027, 10, 31, 2, 30, fold=1), datetime(2027, 10, 31, 23, 30),
]


def test_reminder_day_word_is_right_at_any_hour_of_the_night(app, api, clock):
    """Something planned for tomorrow, a moment before the job ticks: the room reads "morgen",
    also when the stand-in reminder is the week-before one (the day-before one's hour has not come)."""
    settings = app.config["OVERLEG_SETTINGS"]
    db = app.extensions["overleg_db"]
    post = Poster(app.extensions["overleg_runtime"])
    for i, naive in enumerate(NIGHT_TICKS):
        tick = naive.replace(tzinfo=AMSTERDAM)
        tomorrow = (tick + timedelta(days=1)).date()
        clock.now = tick - timedelta(minutes=1)
        api.event(title=f"Vergadering {i}", start=f"{tomorrow.isoformat()}T19:30")
        api.event(type="heidag", title=f"Heidag {i}", start=tomorrow.isoformat())
        reminding.send_due(db, settings, post, tick)
        for title in (f"Vergadering {i}", f"Heidag {i}"):
            texts = [m.body for m in posted(app)
                     if m.key.startswith("calendar:reminder:") and f"{title}," in m.body]
            assert len(texts) == 1, (tick, title, texts)
            assert texts[0].startswith(f"Herinnering: morgen {title},"), (tick.isoformat(), texts[0])


def test_two_workers_never_post_a_reminder_twice(app, api):
    settings = app.config["OVERLEG_SETTINGS"]
    db = app.extensions["overleg_db"]
    post = Poster(app.extensions["overleg_runtime"])
    for i in range(5):
        api.event(title=f"Overleg {i}", start=f"2027-03-{10 + i:02d}T19:30")
    now = datetime(2027, 3, 9, 20, 0, tzinfo=AMSTERDAM)
    barrier = threading.Barrier(3)
    counts: list[int] = []

    def worker() -> None:
        barrier.wait()
        counts.append(reminding.send_due(db, settings, post, now))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [m.key for m in posted(app) if m.key.startswith("calendar:reminder:")]
    assert sum(counts) == len(keys) == len(set(keys)) == 5


# --------------------------------------------------------------------------------------------
# date polls

def test_date_poll_answers_summary_and_fix(api, app):
    poll = api.post("/polls", {"text": "Heidag voorjaar 12 maart 19-3", "created_by": ANNA,
                               "creator_name": "Anna de Vries"}, 201).json
    n = poll["number"]
    assert [o["label"] for o in poll["options"]] == ["vr 12 mrt", "vr 19 mrt"]
    assert poll["title"] == "Heidag voorjaar" and poll["thread_key"] == f"calendar:poll:{SLUG}:{n}"
    api.post(f"/polls/{n}/answers", {"member": ANNA, "text": "1 en 2"}, 200)
    api.post(f"/polls/{n}/answers", {"member": BRAM, "text": "1", "display_name": "Bram"}, 200)
    summary = api.post(f"/polls/{n}/answers", {"member": CHANTAL, "options": [2]}, 200).json
    assert [(o["number"], o["names"], o["quorum_met"]) for o in summary["options"]] == [
        (1, ["Anna de Vries", "Bram"], True), (2, ["Anna de Vries", "Chantal"], True)]  # names from the roster
    changed = api.post(f"/polls/{n}/answers", {"member": CHANTAL, "text": "geen"}, 200).json
    assert changed["options"][1]["count"] == 1 and changed["best"] == [1] and changed["quorum"] == 2
    assert api.post(f"/polls/{n}/fix", {"option": 1, "actor": DIRK}, 403).json["error"] == "cal.poll.not_allowed"
    assert api.post(f"/polls/{n}/fix", {"option": 3, "actor": ANNA}, 422).json["error"] == "cal.poll.unknown_option"
    assert [p["number"] for p in api.get("/polls", 200).json] == [n]

    fixed = api.post(f"/polls/{n}/fix", {"option": 1, "actor": SECRETARY}, 200).json
    event = fixed["event"]
    assert fixed["poll"]["closed"] and fixed["poll"]["fixed_option"] == 1
    assert event["type"] == "heidag" and event["start"] == "2027-03-12" and event["title"] == "Heidag voorjaar"
    assert api.post(f"/polls/{n}/answers", {"member": DIRK, "text": "1"}, 409).json["error"] == "cal.poll.closed"
    assert api.post(f"/polls/{n}/fix", {"option": 2, "actor": ANNA}, 409).status_code == 409
    assert api.get("/polls", 200).json == []
    announcement = next(m for m in posted(app) if m.key == f"calendar:poll:{SLUG}:{n}:fixed")
    assert "Heidag voorjaar" in announcement.body and announcement.room == "main" and announcement.thread_key is None
    council = vevents(parse_everywhere(api.feed(api.feed_link(kind="council")).data))
    assert [str(v["SUMMARY"]) for v in council] == ["Heidag voorjaar"]
    with app.extensions["overleg_db"].read() as s:
        assert store.sync_item(s, event["uid"]).state == "pending"


def test_an_announced_poll_is_posted_as_a_thread_root(api, app):
    poll = api.post("/polls", {"title": "Bewonersavond", "options": ["2027-04-06T19:30", "8 april 19:30"],
                               "created_by": SECRETARY, "announce": True}, 201).json
    root = next(m for m in posted(app) if m.key == poll["thread_key"])
    assert "Datumprikker" in root.body and "!kan" in root.body and "di 6 apr 19:30" in root.body


def test_concurrent_answers_and_rsvps_are_never_lost(app, api):
    """Members answering at the same moment (on PostgreSQL: row locks, and a retry when two
    first answers race to create the same row)."""
    poll = api.post("/polls", {"text": "Overleg 12 maart 19 maart", "created_by": ANNA}, 201).json
    training = api.event(type="training", title="Training", start="2027-03-25T19:00", capacity=3)
    people = list(LEDEN)
    barrier = threading.Barrier(len(people))
    failures: list[Any] = []

    def member(who: str) -> None:
        client = Client(app, "bot")
        barrier.wait()
        for resp in (client.post(f"/polls/{poll['number']}/answers", {"member": who, "text": "1"}),
                     client.post(f"/events/{training['number']}/rsvp", {"member": who, "answer": "aanwezig"})):
            if resp.status_code != 200:
                failures.append(resp.get_data(as_text=True))

    threads = [threading.Thread(target=member, args=(who,)) for who in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(api.get(f"/polls/{poll['number']}", 200).json["answered"]) == sorted(people)
    att = api.get(f"/events/{training['number']}/attendance", 200).json
    assert len(att["places"]) == 3 and len(att["waiting"]) == 5 and set(att["rsvps"]) == set(people)


# --------------------------------------------------------------------------------------------
# attendance, trainings, heidag

def test_training_waiting_list_promotion_confirmation_and_record(api, app, clock):
    training = api.event(type="training", title="Training begroting lezen", start="2027-03-25T19:00",
                         end="2027-03-25T21:30", capacity=2)
    n = training["number"]
    assert api.post(f"/events/{n}/rsvp", {"member": ANNA, "answer": "aanwezig"}, 200).json["seat"] == "placed"
    assert api.post(f"/events/{n}/rsvp", {"member": BRAM, "answer": "aanwezig"}, 200).json["seat"] == "placed"
    waiting = api.post(f"/events/{n}/rsvp", {"member": CHANTAL, "answer": "aanwezig"}, 200).json
    assert waiting["seat"] == "waiting" and "wachtlijst" in waiting["message"] and waiting["waiting"] == 1
    listed = api.get(f"/events?member={CHANTAL}", 200).json[0]
    assert (listed["places"], listed["waiting"], listed["answer"]) == (2, 1, "waiting")
    chantal_feed = api.feed_link(kind="member", member=CHANTAL)
    assert vevents(parse_everywhere(api.feed(chantal_feed).data))[0]["ATTENDEE"].params["PARTSTAT"] == "TENTATIVE"

    gave_up = api.post(f"/events/{n}/rsvp", {"member": ANNA, "answer": "afwezig"}, 200).json
    assert gave_up["promoted"] == [CHANTAL] and gave_up["seat"] == "declined"
    dm = next(m for m in posted(app) if m.key.startswith("calendar:promoted:"))
    assert dm.dm_to == CHANTAL and "je bent erbij" in dm.body and "begroting" in dm.body
    assert vevents(parse_everywhere(api.feed(chantal_feed).data))[0]["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"

    assert api.post(f"/events/{n}/attendance", {"present": [BRAM]}, 409).json["error"] == "cal.attendance.not_started"
    clock.now = datetime(2027, 3, 26, 9, 0, tzinfo=AMSTERDAM)
    late = api.post(f"/events/{n}/rsvp", {"member": DIRK, "answer": "aanwezig"}, 409).json
    assert late["error"] == "cal.rsvp.closed"
    before = api.get(f"/training-record?member={BRAM}", 200).json
    assert [(e["number"], e["confirmed"]) for e in before["entries"]] == [(n, False)]
    confirmed = api.post(f"/events/{n}/attendance", {"present": [BRAM, DIRK]}, 200).json
    assert confirmed["confirmed"] == [BRAM, DIRK]
    assert api.get(f"/training-record?member={BRAM}", 200).json["confirmed"] == 1
    assert api.get(f"/training-record?member={DIRK}", 200).json["confirmed"] == 1
    assert api.get(f"/training-record?member={CHANTAL}", 200).json["entries"] == []  # placed, but not there


def test_heidag_warning_after_the_configured_gap(api, clock):
    fresh = api.get("/heidag", 200).json
    assert fresh["warn"] is False and fresh["tracking_since"] == "2027-03-01" and fresh["max_gap_days"] == 183
    clock.advance(days=190)  # 7 September 2027
    overdue = api.get("/heidag", 200).json
    assert overdue["warn"] and overdue["code"] == "cal.heidag.none_yet" and "6 maanden" in overdue["message"]
    assert "Retreat" not in overdue["message"]
    heidag = api.event(type="heidag", title="Heidag najaar", start="2027-09-24")
    planned = api.get("/heidag", 200, headers={"Accept-Language": "en"}).json
    assert planned["code"] == "cal.heidag.none_yet_planned" and "24 September 2027" in planned["message"]
    clock.advance(days=30)  # the heidag was held
    assert api.get("/heidag", 200).json == {**api.get("/heidag", 200).json, "warn": False,
                                            "last": "2027-09-24", "code": None, "message": None}
    clock.advance(days=200)
    again = api.get("/heidag", 200).json
    assert again["warn"] and again["code"] == "cal.heidag.overdue" and again["last"] == heidag["start"]


def test_a_shorter_heidag_period_per_council(tmp_path, database_url, clock):
    db = Database(database_url)
    migrate(db)
    app = create_app(make_settings(tmp_path, heidag_max_gap_days=30), database=db)
    set_clock(app, clock)
    api = Client(app)
    assert api.get("/heidag", 200).json["warn"] is False
    clock.advance(days=31)
    assert api.get("/heidag", 200).json["warn"] is True
    db.dispose()


# --------------------------------------------------------------------------------------------
# deadlines from the deliberation service

def _serve(flask_app: Flask) -> tuple[str, Any]:
    return serve_in_thread(flask_app)


def test_deadlines_from_the_real_deliberation_service(tmp_path, database_url):
    """Against the deliberation service itself: an advice request's deadline shows up."""
    from services.deliberation.app import create_app as create_deliberation
    from services.deliberation.app import migrate as migrate_deliberation

    delib_db = Database(f"sqlite:///{tmp_path}/deliberation.db")
    migrate_deliberation(delib_db)
    settings = make_settings(tmp_path)
    delib_url, server = _serve(create_deliberation(settings, database=delib_db))
    settings.service_urls["deliberation"] = delib_url
    db = Database(database_url)
    migrate(db)
    app = create_app(settings, database=db)  # the real clock: the deliberation service has its own
    try:
        delib = Client(app)
        headers = {"Authorization": f"Bearer {TOKENS['admin']}"}
        import httpx

        with httpx.Client(base_url=f"{delib_url}/api/v1/councils/{SLUG}", headers=headers, timeout=10) as http:
            topic = http.post("/topics", json={"title": "Huurverhoging 2027", "mode": "formeel_advies"})
            assert topic.status_code == 201, topic.text
            today = datetime.now(AMSTERDAM).date()
            req = http.post(f"/topics/{topic.json()['id']}/advice-request", json={"received_on": today.isoformat()})
            assert req.status_code == 200, req.text
        result = delib.post("/deadlines/import", None, 200).json
        assert result["changes"] == 1
        link = delib.feed_link(kind="type", type="adviesdeadline")
        (vevent,) = vevents(parse_everywhere(delib.feed(link).data))
        assert "Huurverhoging 2027" in str(vevent["SUMMARY"])
        assert vevent["DTSTART"].dt == today + timedelta(weeks=6)
        assert delib.post("/deadlines/import", None, 200).json["changes"] == 0  # nothing new
    finally:
        server.shutdown()
        db.dispose()
        delib_db.dispose()


def test_deadlines_are_created_changed_and_removed(app, api, clock):
    """Against a small server speaking the deliberation contract (DeadlineOut), to drive changes."""
    items: list[dict] = [
        {"uid": "advice-4@klantenraad.deliberation.overleg", "kind": "advice_deadline", "date": "2027-04-12",
         "title": "Adviestermijn loopt af: Servicekosten", "topic_id": 4, "topic_title": "Servicekosten",
         "done": False},
        {"uid": "check-2-1@klantenraad.deliberation.overleg", "kind": "realisation_check", "date": "2027-06-01",
         "title": "Toetsen van de realisatie: Onderhoud", "topic_id": 2, "topic_title": "Onderhoud", "done": False},
        {"uid": "advice-1@klantenraad.deliberation.overleg", "kind": "advice_deadline", "date": "2027-03-20",
         "title": "Adviestermijn loopt af: Al verstuurd", "topic_id": 1, "topic_title": "Al verstuurd", "done": True},
    ]
    seen: list[dict] = []
    contract = roster_contract(Flask("deliberation-contract"))

    @contract.get("/api/v1/councils/<slug>/deadlines")
    def deadlines_route(slug: str):  # type: ignore[no-untyped-def]
        seen.append({"slug": slug, "auth": request.headers.get("Authorization"), **request.args})
        return jsonify(items)

    url, server = _serve(contract)
    app.config["OVERLEG_SETTINGS"].service_urls["deliberation"] = url
    try:
        assert api.post("/deadlines/import", None, 200).json["changes"] == 2
        assert seen[-1] == {"slug": SLUG, "auth": f"Bearer {TOKENS['calendar']}", "from": "2027-03-01",
                            "to": (date(2027, 3, 1) + timedelta(days=732)).isoformat()}
        listed = {o["type"]: o for o in api.get("/events?days=120", 200).json}
        assert set(listed) == {"adviesdeadline", "realisatietoets"}
        assert listed["adviesdeadline"]["all_day"] and listed["adviesdeadline"]["day"] == "2027-04-12"
        assert api.post(f"/events/{listed['adviesdeadline']['number']}/rsvp",
                        {"member": ANNA, "answer": "aanwezig"}, 422).json["error"] == "cal.rsvp.not_a_meeting"
        assert api.post(f"/events/{listed['adviesdeadline']['number']}/cancel", {}, 409).json["error"] == \
            "cal.event.imported"
        checks = vevents(parse_everywhere(api.feed(api.feed_link(kind="type", type="realisatietoets")).data))
        assert [str(v["SUMMARY"]) for v in checks] == ["Toetsen van de realisatie: Onderhoud"]
        advice = vevents(parse_everywhere(api.feed(api.feed_link(kind="type", type="adviesdeadline")).data))
        assert str(advice[0]["TRANSP"]) == "TRANSPARENT"
        assert not vevents(parse_everywhere(api.feed(api.feed_link(kind="member", member=ANNA)).data))

        items[0] = {**items[0], "date": "2027-04-19"}  # the deadline moved
        items.pop(1)  # the check was dropped
        assert api.post("/deadlines/import", None, 200).json["changes"] == 2
        (moved,) = api.get("/events?days=120", 200).json
        assert moved["day"] == "2027-04-19"
        assert api.get(f"/events/{moved['number']}", 200).json["sequence"] == 1
        with app.extensions["overleg_db"].read() as s:
            dropped = store.sync_item(s, listed["realisatietoets"]["uid"])
        assert dropped.deleted and dropped.state == "pending"  # the shared calendar gets a DELETE

        # The job does the same on its timer; the deliberation service being down changes nothing.
        server.shutdown()
        assert app.extensions["overleg_runtime"].jobs.run_once("deadlines") == 0
        assert [o["day"] for o in api.get("/events?days=120", 200).json] == ["2027-04-19"]
    finally:
        server.shutdown()


def test_openapi_lists_the_calendar_routes(app):
    doc = app.test_client().get("/openapi.json").json
    assert "/feeds/{token}.ics" in doc["paths"] and "security" not in doc["paths"]["/feeds/{token}.ics"]["get"]
    for path in ("/api/v1/councils/{slug}/events", "/api/v1/councils/{slug}/polls/{number}/fix",
                 "/api/v1/councils/{slug}/feeds", "/api/v1/councils/{slug}/heidag"):
        assert path in doc["paths"]
