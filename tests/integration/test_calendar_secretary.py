"""The calendar as a secretary uses it (issue 17), through the calendar's HTTP API with the real
Radicale as the shared calendar: one meeting of a series moved, location and places, agenda and
minutes, feed caching (If-Modified-Since, a 304 that never reads the body, cheap re-rendering),
and what a member's personal feed says. Feeds are read with icalendar + recurring-ical-events and
with Mozilla's ical.js (Thunderbird's parser) through Node."""
from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any, Iterator

import icalendar
import pytest
import recurring_ical_events
from flask import Flask, jsonify, request

from devstack.procs import free_port
from tests.support import serve_in_thread
from services.calendar import caldav_sync, feeds, reminding, store
from services.calendar.actions import Poster
from services.calendar.app import create_app, migrate
from services.calendar.domain import ical
from services.calendar.domain.events import AMSTERDAM
from services.calendar.models import RUNTIME_MODELS
from shared.service import set_clock
from shared.db import Database
from shared.outbox import OutboundMessage, QueueStore
from shared.settings import load_settings
from tests.js.icaljs import occurrences as icaljs_occurrences

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]

SLUG = "klantenraad"
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)  # a Monday
TOKENS = {"admin": "tok-admin", "bot": "tok-bot", "calendar": "tok-cal"}
ANNA, BRAM, CHANTAL = "@anna:example.org", "@bram:example.org", "@chantal:example.org"
FEED_BASE = "https://kalender.example.org"
WINDOW = (date(2027, 3, 1), date(2027, 6, 1))


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=AMSTERDAM)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def shared_calendar(radicale) -> str:
    return radicale.ensure_calendar(radicale.user, radicale.password, f"Klantenraad {uuid.uuid4().hex[:8]}")


@pytest.fixture
def roster_url() -> Iterator[str]:
    """Deliberation's roster route (``RosterOut``) on a small server: the calendar asks it who serves."""
    contract = Flask("deliberation-roster")

    @contract.get("/api/v1/councils/<slug>/members")
    def members_route(slug: str):  # type: ignore[no-untyped-def]
        return jsonify({"council": slug, "members": [{"matrix_id": m, "display_name": m[1:].split(":")[0].title(),
                                                      "serving": True, "secretary": False}
                                                     for m in (ANNA, BRAM, CHANTAL)]})

    url, server = serve_in_thread(contract)
    yield url
    server.shutdown()


@pytest.fixture
def app(tmp_path, database_url, radicale, shared_calendar, clock, roster_url) -> Iterator[Flask]:
    settings = load_settings(
        data_dir=tmp_path, secret_key=secrets.token_hex(16), api_tokens=TOKENS,
        service_urls={"deliberation": roster_url, "calendar": FEED_BASE,
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
    application.extensions["overleg_runtime"].stop()  # the feed prerenderer may still read the database
    db.dispose()


class Api:
    def __init__(self, app: Flask) -> None:
        self.http = app.test_client()
        self.headers = {"Authorization": f"Bearer {TOKENS['admin']}"}

    def call(self, method: str, path: str, body: Any = None, expect: int | None = 200, **headers: str) -> Any:
        url = path if path.startswith("/feeds/") else f"/api/v1/councils/{SLUG}{path}"
        resp = self.http.open(url, method=method, json=body, headers={**self.headers, **headers})
        if expect is not None:
            assert resp.status_code == expect, (resp.status_code, resp.get_data(as_text=True)[:500])
        return resp

    def post(self, path: str, body: Any = None, expect: int = 200) -> Any:
        return self.call("POST", path, body, expect).json

    def get(self, path: str, expect: int = 200) -> Any:
        return self.call("GET", path, None, expect).json

    def feed_path(self, **body: Any) -> str:
        url = self.post("/feeds", body)["url"]
        return url.removeprefix(FEED_BASE)

    def feed(self, path: str, expect: int = 200, **headers: str) -> Any:
        return self.call("GET", path, None, expect, **headers)


@pytest.fixture
def api(app) -> Api:
    return Api(app)


def posted(app: Flask) -> list[OutboundMessage]:
    queue = QueueStore(RUNTIME_MODELS[0])
    with app.extensions["overleg_db"].read() as s:
        return [QueueStore.message(row) for row in queue.pending(s, limit=1000)]


def sync(app: Flask, now: datetime) -> int:
    return caldav_sync.sync_once(app.extensions["overleg_db"], app.config["OVERLEG_SETTINGS"], now)


def remote(radicale, calendar_url: str) -> dict[str, bytes]:
    """The shared calendar's objects (their iCalendar text), by our event uid."""
    with radicale.client() as client:
        out = {}
        for obj in client.calendar(url=calendar_url).events():
            text = obj.data.encode("utf-8") if isinstance(obj.data, str) else obj.data
            uid = str(icalendar.Calendar.from_ical(text).walk("VEVENT")[0]["UID"]).removesuffix("@overleg")
            out[uid] = text
        return out


def python_meetings(body: bytes, uid: str | None = None) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    found = recurring_ical_events.of(cal).between(*WINDOW)
    return sorted((o for o in found if uid is None or str(o["UID"]) == f"{uid}@overleg"),
                  key=lambda o: o["DTSTART"].dt)


def js_meetings(body: bytes, uid: str | None = None) -> list[dict]:
    return [o for o in icaljs_occurrences(body, *WINDOW) if uid is None or o["uid"] == f"{uid}@overleg"]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def both_parsers(body: bytes, uid: str) -> list[tuple[datetime, str | None]]:
    """Each meeting's start and the member's PARTSTAT, as the two parsers see them (asserted equal)."""
    python = [(o["DTSTART"].dt, o["ATTENDEE"].params["PARTSTAT"] if "ATTENDEE" in o else None)
              for o in python_meetings(body, uid)]
    js = [(instant(o["start"]), o["partstat"]) for o in js_meetings(body, uid)]
    assert python == js
    return python


# --------------------------------------------------------------------------------------------
# 1. one meeting of a series moved

def test_verplaats_moves_one_meeting_with_its_answers_reminders_and_shared_copy(app, api, clock, radicale,
                                                                                  shared_calendar):
    series = api.post("/events", {"type": "vergadering", "title": "Werkgroep huur", "start": "2027-03-16T19:30",
                                  "location": "Wijkcentrum De Esch",
                                  "recurrence": {"freq": "weekly", "count": 6}}, 201)
    n, uid = series["number"], series["uid"]
    assert sync(app, NOW) == 1
    api.post(f"/events/{n}/rsvp", {"member": ANNA, "answer": "aanwezig", "day": "23-3"})
    api.post(f"/events/{n}/rsvp", {"member": BRAM, "answer": "afwezig", "day": "2027-03-23"})

    moved = api.post(f"/events/{n}/move", {"text": "23-3 24-3 20:00", "announce": True})
    assert (moved["from_start"], moved["start"], moved["end"], moved["day"]) == (
        "2027-03-23T19:30:00+01:00", "2027-03-24T20:00:00+01:00", "2027-03-24T22:00:00+01:00", "2027-03-23")
    assert moved["event"]["sequence"] == 1 and moved["event"]["moves"] == [
        {"day": "2027-03-23", "start": "2027-03-24T20:00:00+01:00", "end": "2027-03-24T22:00:00+01:00"}]
    # The answers stay with the meeting, asked for by either date.
    for day in ("2027-03-24", "2027-03-23"):
        kept = api.get(f"/events/{n}/attendance?day={day}")
        assert kept["rsvps"] == {ANNA: "aanwezig", BRAM: "afwezig"} and kept["key"] == f"{uid}/2027-03-23"
    upcoming = [(o["start"], o["moved_from"]) for o in api.get("/events?days=40") if o["uid"] == uid]
    assert ("2027-03-24T20:00:00+01:00", "2027-03-23T19:30:00+01:00") in upcoming
    assert not any(start.startswith("2027-03-23") for start, _ in upcoming)
    # The room is told, once, with the place.
    (told,) = [m for m in posted(app) if m.key == f"calendar:event:{uid}:s1"]
    assert told.room == "main" and "Verplaatst" in told.body and "24 maart" in told.body
    assert "23 maart" in told.body and "Wijkcentrum De Esch" in told.body

    # The council feed and Anna's feed: the same meetings in both parsers, Anna's answer on the moved one.
    council = api.feed(api.feed_path(kind="council")).data
    starts = [s for s, _ in both_parsers(council, uid)]
    assert starts == [at(16, 19, 30), at(24, 20), at(30, 19, 30), at(6, 19, 30, 4), at(13, 19, 30, 4),
                      at(20, 19, 30, 4)]
    anna = api.feed(api.feed_path(kind="member", member=ANNA)).data
    assert [(s, p) for s, p in both_parsers(anna, uid) if p != "NEEDS-ACTION"] == [(at(24, 20), "ACCEPTED")]
    (override,) = [v for v in icalendar.Calendar.from_ical(council).walk("VEVENT") if "RECURRENCE-ID" in v]
    assert override["RECURRENCE-ID"].dt == at(23, 19, 30) and int(override["SEQUENCE"]) == 1

    # The shared calendar gets the override, in our SEQUENCE.
    assert sync(app, NOW) == 1
    copy = remote(radicale, shared_calendar)[uid]
    parts = icalendar.Calendar.from_ical(copy).walk("VEVENT")
    assert len(parts) == 2 and all(int(p["SEQUENCE"]) == 1 for p in parts)
    assert [s for s, _ in both_parsers(copy, uid)] == starts

    # Reminders follow: the evening before the new date, "morgen" for 24 March at 20:00.
    clock.now = at(23, 20, 5)
    reminding.send_due(app.extensions["overleg_db"], app.config["OVERLEG_SETTINGS"],
                       Poster(app.extensions["overleg_runtime"]), clock.now)
    reminders = {m.key.split("/")[1]: m for m in posted(app) if m.key.startswith(f"calendar:reminder:{uid}/")}
    assert "20270323T183000Z" not in reminders  # nothing for the old time
    assert reminders["20270324T190000Z"].body.startswith(
        "Herinnering: morgen Werkgroep huur, woensdag 24 maart 2027")

    # Refusals: the day of another meeting, a meeting that is not there, text without two dates.
    clock.now = NOW
    assert api.post(f"/events/{n}/move", {"day": "2027-03-30", "to": "2027-04-06"}, 409)["error"] == \
        "cal.move.day_taken"
    assert api.post(f"/events/{n}/move", {"day": "2027-03-25", "to": "2027-03-26"}, 404)["error"] == \
        "cal.occurrence.not_found"
    assert api.post(f"/events/{n}/move", {"text": "volgende week"}, 422)["error"] == "cal.move.usage"
    # ISO form, keeping the time of day; and back again removes the override.
    again = api.post(f"/events/{n}/move", {"day": "2027-04-06", "to": "2027-04-08"})
    assert again["start"] == "2027-04-08T19:30:00+02:00"
    back = api.post(f"/events/{n}/move", {"day": "2027-04-08", "to": "2027-04-06T19:30"})
    assert [m["day"] for m in back["event"]["moves"]] == ["2027-03-23"]


# --------------------------------------------------------------------------------------------
# 2. location, places, agenda and minutes

def test_location_places_agenda_and_minutes_everywhere(app, api, clock, radicale, shared_calendar):
    ev = api.post("/events/from-text", {"type": "training", "text": "Training media 16 maart 19:30-21:30",
                                         "location": "Wijkcentrum De Esch, zaal 2", "capacity": 2,
                                         "announce": True}, 201)
    n, uid = ev["number"], ev["uid"]
    (new,) = [m for m in posted(app) if m.key == f"calendar:event:{uid}:new"]
    assert "Locatie: Wijkcentrum De Esch, zaal 2" in new.body
    api.post(f"/events/{n}/rsvp", {"member": ANNA, "answer": "aanwezig"})
    (item,) = api.get("/events")
    assert (item["location"], item["places"], item["places_left"], item["places_label"]) == (
        "Wijkcentrum De Esch, zaal 2", 1, 1, "Nog 1 van 2 plaatsen vrij.")
    path = api.feed_path(kind="council")
    feed = api.feed(path).data
    (vevent,) = icalendar.Calendar.from_ical(feed).walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Wijkcentrum De Esch, zaal 2"
    assert str(vevent["DESCRIPTION"]) == "Nog 1 van 2 plaatsen vrij."
    api.post(f"/events/{n}/rsvp", {"member": BRAM, "answer": "aanwezig"})
    api.post(f"/events/{n}/rsvp", {"member": CHANTAL, "answer": "aanwezig"})  # waiting list
    (js,) = js_meetings(api.feed(path).data)
    assert js["location"] == "Wijkcentrum De Esch, zaal 2" and js["description"].startswith("Vol: alle 2 plaatsen")
    (item,) = api.get("/events")
    assert (item["places_left"], item["waiting"]) == (0, 1)

    agenda = api.post(f"/events/{n}/notes", {"text": "https://docs.example.org/training-agenda", "kind": "agenda",
                                             "announce": True})
    assert agenda["notes"] == [{"day": None, "agenda": "https://docs.example.org/training-agenda", "minutes": ""}]
    early = api.post(f"/events/{n}/notes", {"minutes": "Goed gegaan"}, 409)
    assert early["error"] == "cal.notes.minutes_too_early" and "begonnen" in early["message"]
    clock.now = at(16, 22)
    api.post(f"/events/{n}/notes", {"text": "Verslag: iedereen kan nu een persbericht schrijven.",
                                    "kind": "minutes"})
    (vevent,) = icalendar.Calendar.from_ical(api.feed(path).data).walk("VEVENT")
    assert str(vevent["DESCRIPTION"]).startswith("Agenda: https://docs.example.org/training-agenda\n\nVerslag: "
                                                 "Verslag: iedereen")
    assert str(vevent["ATTACH"]) == "https://docs.example.org/training-agenda"
    assert [m for m in posted(app) if "De agenda van Training media" in m.body]

    # The shared calendar's copy: the location, the agenda and the minutes (not the counts).
    assert sync(app, clock.now) == 1
    copy = icalendar.Calendar.from_ical(remote(radicale, shared_calendar)[uid]).walk("VEVENT")[0]
    assert str(copy["LOCATION"]) == "Wijkcentrum De Esch, zaal 2" and int(copy["SEQUENCE"]) == 2
    assert "Verslag: Verslag: iedereen" in str(copy["DESCRIPTION"]) and "plaatsen" not in str(copy["DESCRIPTION"])

    # A series: the agenda of one meeting, named by its date.
    clock.now = NOW
    series = api.post("/events", {"type": "vergadering", "title": "Maandoverleg", "start": "2027-03-17T19:30",
                                  "recurrence": {"freq": "monthly", "count": 3}}, 201)
    api.post(f"/events/{series['number']}/notes", {"text": "17-4 Jaarplan en begroting", "kind": "agenda"})
    meetings = {o["local_start"]: o["description"] for o in js_meetings(api.feed(path).data, series["uid"])}
    assert meetings == {"2027-03-17T19:30:00": None, "2027-04-17T19:30:00": "Agenda: Jaarplan en begroting",
                        "2027-05-17T19:30:00": None}


# --------------------------------------------------------------------------------------------
# 3. caching

def test_if_modified_since_is_answered_and_a_304_never_reads_the_body(app, api, clock, monkeypatch):
    api.post("/events", {"type": "vergadering", "title": "Vergadering", "start": "2027-03-16T19:30"}, 201)
    path = api.feed_path(kind="council")
    first = api.feed(path)
    last_modified = first.headers["Last-Modified"]
    assert api.feed(path, 304, **{"If-Modified-Since": last_modified}).data == b""
    later = format_datetime(NOW.astimezone(timezone.utc) + timedelta(hours=1), usegmt=True)
    assert api.feed(path, 304, **{"If-Modified-Since": later}).headers["ETag"] == first.headers["ETag"]
    earlier = format_datetime(NOW.astimezone(timezone.utc) - timedelta(days=1), usegmt=True)
    assert api.feed(path, 200, **{"If-Modified-Since": earlier}).data == first.data
    # If-None-Match decides when both are sent (RFC 9110): a wrong ETag gets the body.
    assert api.feed(path, 200, **{"If-None-Match": '"other"', "If-Modified-Since": later}).data == first.data

    # The 304 path reads the validator only (one query, the council's version and change time):
    # no session, nothing rendered, no body read.
    db = app.extensions["overleg_db"]
    validated: list[str] = []
    real_validator = store.feed_validator

    def validator(engine, token_hash):  # type: ignore[no-untyped-def]
        validated.append(token_hash)
        return real_validator(engine, token_hash)

    def no_transaction():  # type: ignore[no-untyped-def]
        raise AssertionError("the 304 path opened a transaction")

    def no_render(*args):  # type: ignore[no-untyped-def]
        raise AssertionError("the 304 path rendered the feed")

    with monkeypatch.context() as patch:
        patch.setattr(store, "feed_validator", validator)
        patch.setattr(db, "read", no_transaction)
        patch.setattr(db, "session", no_transaction)
        patch.setattr(feeds, "render", no_render)
        api.feed(path, 304, **{"If-None-Match": first.headers["ETag"]})
        api.feed(path, 304, **{"If-Modified-Since": last_modified})
    assert len(validated) == 2

    # A change in the same second still moves Last-Modified on: the old date gets the new feed.
    api.post("/events", {"type": "training", "title": "Training", "start": "2027-03-18T19:30"}, 201)
    changed = api.feed(path, 200, **{"If-Modified-Since": last_modified})
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert changed.headers["Last-Modified"] != last_modified
    assert api.feed(path, 304, **{"If-Modified-Since": changed.headers["Last-Modified"]}).data == b""


def test_a_current_copy_is_answered_before_flask_with_the_same_headers(app, api):
    """The poll of a calendar app whose copy is current never reaches Flask's routing or hooks; its
    304 carries the headers a 304 from the route carried; anything else still goes to the route."""
    api.post("/events", {"type": "vergadering", "title": "Vergadering", "start": "2027-03-16T19:30"}, 201)
    path = api.feed_path(kind="council")
    first = api.feed(path)
    reached_flask: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: reached_flask.append(request.path) and None)

    shortcut = api.feed(path, 304, **{"If-None-Match": first.headers["ETag"]})
    by_date = api.feed(path, 304, **{"If-Modified-Since": first.headers["Last-Modified"]})
    head = api.http.head(path, headers={"If-None-Match": 'W/' + first.headers["ETag"]})
    assert head.status_code == 304
    assert reached_flask == []
    for answer in (shortcut, by_date, head):
        assert answer.data == b""
        for name in ("ETag", "Last-Modified", "Cache-Control", "Content-Disposition", "X-Content-Type-Options",
                     "Referrer-Policy", "X-Robots-Tag"):
            assert answer.headers[name] == first.headers[name], name

    # Not current, unreadable, unknown or no validator at all: the route answers, as before.
    assert api.feed(path, 200, **{"If-None-Match": '"stale"'}).data == first.data
    assert api.feed(path, 200, **{"If-Modified-Since": "gisteren"}).data == first.data
    unknown = "/feeds/" + "A" * 43 + ".ics"
    assert api.http.get(unknown, headers={"If-None-Match": first.headers["ETag"]}).status_code == 404
    assert api.feed(path, 200).data == first.data
    assert len(reached_flask) == 4

    # The shortcut's answers are counted like every other request.
    metrics = api.http.get("/metrics").get_data(as_text=True)
    counted = [line for line in metrics.splitlines() if line.startswith("overleg_http_requests_total{")
               and 'endpoint="/feeds/<token>.ics"' in line and 'status="304"' in line]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in counted) >= 3


def test_after_a_change_only_the_changed_event_is_rendered_again(app, api, monkeypatch):
    numbers = [api.post("/events", {"type": "vergadering", "title": f"Vergadering {i}",
                                    "start": f"2027-04-{i + 1:02d}T19:30"}, 201)["number"] for i in range(25)]
    path = api.feed_path(kind="council")
    before = api.feed(path).data
    rendered: list[str] = []
    real = ical._vevent
    monkeypatch.setattr(ical, "_vevent", lambda event, **kw: rendered.append(event.title) or real(event, **kw))
    api.call("PATCH", f"/events/{numbers[7]}", {"title": "Vergadering 7 (nieuwe zaal)"})
    after = api.feed(path).data
    assert rendered == ["Vergadering 7 (nieuwe zaal)"]
    assert after != before and after.count(b"BEGIN:VEVENT") == 25
    monkeypatch.setattr(ical, "_vevent", real)
    assert after == _fresh_council_feed(app)  # what was remembered is exactly what rendering anew gives


def _fresh_council_feed(app: Flask) -> bytes:
    from services.calendar import feeds, store
    from services.calendar.domain import messages

    council = app.config["OVERLEG_SETTINGS"].council(SLUG)
    with app.extensions["overleg_db"].read() as s:
        events = store.feed_events(s, SLUG, ending_after=NOW - feeds.HISTORY)
    params = {"council": council.name}
    return ical.render_feed(messages.text("cal.feed.name.council", council.language, **params), events,
                            description=messages.text("cal.feed.description.council", council.language, **params),
                            refresh_minutes=feeds.REFRESH_MINUTES, lang=council.language, places={})


# --------------------------------------------------------------------------------------------
# 4. personal feeds: cancelled meetings, and a series answer without a date

def test_cancelled_meetings_do_not_show_the_member_attending(api):
    single = api.post("/events", {"type": "vergadering", "title": "Extra overleg", "start": "2027-03-18T19:30"}, 201)
    api.post(f"/events/{single['number']}/rsvp", {"member": ANNA, "answer": "aanwezig"})
    path = api.feed_path(kind="member", member=ANNA)
    assert both_parsers(api.feed(path).data, single["uid"]) == [(at(18, 19, 30), "ACCEPTED")]
    api.post(f"/events/{single['number']}/cancel", {})
    body = api.feed(path).data
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED" and "ATTENDEE" not in vevent
    assert [(o["status"], o["partstat"]) for o in js_meetings(body, single["uid"])] == [("CANCELLED", None)]


def test_a_series_answer_without_a_date_names_the_meeting_and_the_feed_agrees(api):
    series = api.post("/events", {"type": "vergadering", "title": "Werkgroep", "start": "2027-03-16T19:30",
                                  "recurrence": {"freq": "weekly", "count": 4}}, 201)
    n, uid = series["number"], series["uid"]
    path = api.feed_path(kind="member", member=ANNA)
    # The next meeting was moved: the answer applies to it, where it now is.
    api.post(f"/events/{n}/move", {"day": "2027-03-16", "to": "2027-03-17T20:00"})
    answer = api.post(f"/events/{n}/rsvp", {"member": ANNA, "answer": "aanwezig"})
    assert answer["when"] == "woensdag 17 maart 2027, 20:00–22:00" and answer["day"] == "2027-03-17"
    assert [(s, p) for s, p in both_parsers(api.feed(path).data, uid) if p == "ACCEPTED"] == [(at(17, 20), "ACCEPTED")]
    # The moved meeting is called off: the next answer goes to the meeting after it, and the
    # feed shows no answer for the cancelled one.
    api.post(f"/events/{n}/cancel", {"day": "17-3"})
    second = api.post(f"/events/{n}/rsvp", {"member": ANNA, "answer": "afwezig"})
    assert second["when"] == "dinsdag 23 maart 2027, 19:30–21:30"
    seen = both_parsers(api.feed(path).data, uid)
    assert [s for s, _ in seen] == [at(23, 19, 30), at(30, 19, 30), at(6, 19, 30, 4)]
    assert [(s, p) for s, p in seen if p != "NEEDS-ACTION"] == [(at(23, 19, 30), "DECLINED")]
