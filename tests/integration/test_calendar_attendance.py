"""Attendance for the council's account of its time, through the calendar's HTTP API: the year's
records per member (hours from the calendar, present from the secretary or the answers), the
secretary's confirmation from chat text, the overview before confirming, everyone's trainings."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Iterator

import pytest
from flask import Flask

from devstack.procs import free_port
from services.calendar.app import create_app, migrate
from services.calendar.domain.events import AMSTERDAM
from shared import membership
from shared.db import Database
from shared.service import set_clock
from shared.settings import load_settings
from test_calendar_api import Client, Clock, _serve, roster_contract

pytestmark = pytest.mark.timeout(180)

SLUG = "klantenraad"
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)
TOKENS = {"bot": "tok-bot", "admin": "tok-admin", "werkplek": "tok-werkplek", "signals": "tok-sig",
          "calendar": "tok-cal"}
ANNA, BRAM, CHANTAL, DIRK = (f"@{n}:example.org" for n in ("anna", "bram", "chantal", "dirk"))
ROSTER = (ANNA, BRAM, CHANTAL, DIRK)
SECRETARY = "@secretaris:example.org"


def settings_for(tmp_path, deliberation_url: str):
    return load_settings(
        data_dir=tmp_path, secret_key="test-" + secrets.token_hex(16), api_tokens=TOKENS,
        service_urls={"deliberation": deliberation_url, "calendar": "https://kalender.example.org",
                      "bot": f"http://127.0.0.1:{free_port()}", "signals": "http://127.0.0.1:9"},
        councils=[{"slug": SLUG, "name": "Klantenraad Woonstad", "rooms": {"main": "!main:example.org"},
                   "secretaries": [SECRETARY]}])


class Caller(Client):
    def __init__(self, app: Flask, caller: str = "admin") -> None:
        super().__init__(app)
        self.headers = {"Authorization": f"Bearer {TOKENS[caller]}"}


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def _open(tmp_path, database_url: str, clock: Clock, deliberation_url: str) -> tuple[Flask, Database]:
    membership.forget()
    db = Database(database_url)
    migrate(db)
    app = create_app(settings_for(tmp_path, deliberation_url), database=db)
    set_clock(app, clock)
    return app, db


@pytest.fixture
def app(tmp_path, database_url, clock) -> Iterator[Flask]:
    url, server = _serve(roster_contract(Flask("deliberation-roster"), ROSTER))
    application, db = _open(tmp_path, database_url, clock, url)
    yield application
    server.shutdown()
    db.dispose()
    membership.forget()


@pytest.fixture
def api(app) -> Caller:
    return Caller(app)


def rsvp(api: Client, number: int, member: str, answer: str = "aanwezig", **extra: Any) -> dict:
    return api.post(f"/events/{number}/rsvp", {"member": member, "answer": answer, **extra}, 200).json


def plan(api: Client) -> dict[str, int]:
    """A quarter: a meeting, a heidag (all day), a training with one place, a consultation, and a
    monthly residents' evening; answers given beforehand."""
    numbers = {
        "vergadering": api.event(title="Vergadering maart", start="2027-03-16T19:30", end="2027-03-16T21:30"),
        "heidag": api.event(type="heidag", title="Heidag", start="2027-04-02"),
        "training": api.event(type="training", title="Training begroting", start="2027-03-25T19:00",
                              end="2027-03-25T21:30", capacity=1),
        "raadpleging": api.event(type="bewonersconsultatie", title="Raadpleging tuinen", start="2027-03-20T10:00",
                                 end="2027-03-20T11:45"),
        "bewonersavond": api.event(type="bewonersavond", title="Bewonersavond", start="2027-03-10T19:00",
                                   end="2027-03-10T21:00", recurrence={"freq": "monthly"}),
        "deadline": api.event(type="adviesdeadline", title="Advies huurverhoging", start="2027-03-30"),
    }
    numbers = {kind: event["number"] for kind, event in numbers.items()}
    rsvp(api, numbers["vergadering"], ANNA)
    rsvp(api, numbers["vergadering"], BRAM)
    rsvp(api, numbers["vergadering"], CHANTAL, "afwezig")
    rsvp(api, numbers["training"], BRAM)
    rsvp(api, numbers["training"], DIRK)  # the waiting list
    rsvp(api, numbers["heidag"], ANNA)
    rsvp(api, numbers["raadpleging"], CHANTAL)
    rsvp(api, numbers["bewonersavond"], DIRK, day="2027-05-10")
    return numbers


def test_the_year_per_member_with_hours_from_the_calendar(api, app, clock):
    numbers = plan(api)
    before = api.get("/attendance?year=2027", 200).json
    assert before == {"year": 2027, "records": []}  # nothing held yet

    clock.now = datetime(2027, 3, 17, 9, 0, tzinfo=AMSTERDAM)
    confirmed = api.post(f"/events/{numbers['vergadering']}/attendance",
                         {"text": "16-3 @anna:example.org, Chantal en @dirk"}, 200).json
    assert confirmed["confirmed"] == [ANNA, CHANTAL, DIRK]
    assert confirmed["names"][ANNA] == "Anna" and confirmed["title"] == "Vergadering maart"

    clock.now = datetime(2027, 4, 20, 12, 0, tzinfo=AMSTERDAM)
    year = api.get("/attendance?year=2027", 200).json
    assert year["year"] == 2027
    rows = {(r["event"], r["date"], r["member"]): r for r in year["records"]}
    assert set(year["records"][0]) == {"event", "kind", "title", "date", "hours", "member", "present", "confirmed"}
    meeting = [rows[(numbers["vergadering"], "2027-03-16", m)] for m in ROSTER]
    assert [(r["present"], r["confirmed"], r["hours"], r["kind"]) for r in meeting] == [
        (True, True, 2.0, "vergadering"), (False, True, 2.0, "vergadering"), (True, True, 2.0, "vergadering"),
        (True, True, 2.0, "vergadering")]  # Bram said he'd come but was not there; Dirk came unannounced
    heidag = rows[(numbers["heidag"], "2027-04-02", ANNA)]
    assert (heidag["kind"], heidag["hours"], heidag["present"], heidag["confirmed"]) == ("heidag", 6.0, True, False)
    # A council whose heidagen are longer says so in its settings (all_day_hours); timed events keep their length.
    app.config["OVERLEG_SETTINGS"].council(SLUG).all_day_hours = 7.5
    longer = {(r["event"], r["date"], r["member"]): r["hours"]
              for r in api.get("/attendance?year=2027", 200).json["records"]}
    assert longer[(numbers["heidag"], "2027-04-02", ANNA)] == 7.5
    assert longer[(numbers["vergadering"], "2027-03-16", ANNA)] == 2.0
    app.config["OVERLEG_SETTINGS"].council(SLUG).all_day_hours = 6.0
    training = {m: rows[(numbers["training"], "2027-03-25", m)] for m in ROSTER}
    assert training[BRAM]["present"] and not training[DIRK]["present"]  # Dirk stayed on the waiting list
    assert rows[(numbers["raadpleging"], "2027-03-20", CHANTAL)] | {} == {
        "event": numbers["raadpleging"], "kind": "raadpleging", "title": "Raadpleging tuinen", "date": "2027-03-20",
        "hours": 1.75, "member": CHANTAL, "present": True, "confirmed": False}
    evenings = sorted({r["date"] for r in year["records"] if r["event"] == numbers["bewonersavond"]})
    assert evenings == ["2027-03-10", "2027-04-10"]  # May's is still to come
    assert rows[(numbers["bewonersavond"], "2027-04-10", DIRK)]["present"] is False  # he answered for another day
    assert not any(r["event"] == numbers["deadline"] for r in year["records"])
    assert [r["date"] for r in year["records"]] == sorted(r["date"] for r in year["records"])

    def hours(member: str) -> float:
        return sum(r["hours"] for r in year["records"] if r["member"] == member and r["present"])

    assert (hours(ANNA), hours(BRAM), hours(CHANTAL), hours(DIRK)) == (8.0, 2.5, 3.75, 2.0)

    anna = api.get(f"/attendance?year=2027&member={ANNA}", 200).json
    assert {r["member"] for r in anna["records"]} == {ANNA} and len(anna["records"]) == 6
    assert api.get("/attendance?year=2026", 200).json == {"year": 2026, "records": []}
    assert api.get("/attendance", 200).json["year"] == 2027  # this year, in the council's zone
    assert api.get("/attendance?year=99", 400).json
    for caller in ("werkplek", "bot"):
        assert Caller(app, caller).get("/attendance?year=2027", 200).json == year
    assert Caller(app, "signals").get("/attendance?year=2027", 403)


def test_confirming_from_chat_text_names_everyone_or_records_nothing(api, clock):
    number = api.event(title="Vergadering", start="2027-03-16T19:30", end="2027-03-16T21:30")["number"]
    rsvp(api, number, ANNA)
    rsvp(api, number, CHANTAL, "afwezig")
    early = api.post(f"/events/{number}/attendance", {"text": "Anna"}, 409).json
    assert early["error"] == "cal.attendance.not_started"

    overview = api.get(f"/events/{number}/attendance?begun=true", 200).json
    assert overview["places"] == [ANNA] and overview["not_coming"] == [CHANTAL]
    assert overview["not_answered"] == [BRAM, DIRK] and overview["begun"] is False
    assert overview["names"] == {ANNA: "Anna", BRAM: "Bram", CHANTAL: "Chantal", DIRK: "Dirk"}

    clock.now = datetime(2027, 3, 16, 20, 0, tzinfo=AMSTERDAM)
    unknown = api.post(f"/events/{number}/attendance", {"text": "Anna Evert, Zoë"}, 422).json
    assert unknown["error"] == "cal.attendance.unknown_names" and "Evert, Zoë" in unknown["message"]
    assert api.get(f"/events/{number}/attendance", 200).json["confirmed"] is None  # nothing recorded
    assert api.post(f"/events/{number}/attendance", {"text": "16-3"}, 422).json["error"] == "cal.attendance.no_names"
    both = api.post(f"/events/{number}/attendance", {"text": "Anna", "present": [ANNA]}, 422).json
    assert both["error"] == "cal.attendance.present_or_text"
    assert api.post(f"/events/{number}/attendance", {}, 422).json["error"] == "cal.attendance.present_or_text"
    wrong_day = api.post(f"/events/{number}/attendance", {"text": "17-3 Anna"}, 404).json
    assert wrong_day["error"] == "cal.occurrence.not_found"

    nobody = api.post(f"/events/{number}/attendance", {"text": "niemand"}, 200).json
    assert nobody["confirmed"] == [] and nobody["begun"] is True
    fixed = api.post(f"/events/{number}/attendance", {"text": "anna bram"}, 200).json
    assert fixed["confirmed"] == [ANNA, BRAM]
    english = api.post(f"/events/{number}/attendance", {"text": "Evert"}, 422,
                       headers={"Accept-Language": "en"}).json
    assert "I don't know who you mean by: Evert" in english["message"]
    # the werkplek's page sends Matrix ids, as before
    assert Caller(api.app, "werkplek").post(f"/events/{number}/attendance", {"present": [DIRK]},
                                            200).json["confirmed"] == [DIRK]


def test_a_series_overview_is_its_latest_meeting_that_has_begun(api, clock):
    number = api.event(title="Maandvergadering", start="2027-03-09T19:30", end="2027-03-09T21:00",
                       recurrence={"freq": "monthly"})["number"]
    rsvp(api, number, ANNA)  # the first one, 9 March
    ahead = api.get(f"/events/{number}/attendance?begun=true", 200).json
    assert ahead["day"] == "2027-03-09" and ahead["places"] == [ANNA] and not ahead["begun"]
    clock.now = datetime(2027, 4, 10, 12, 0, tzinfo=AMSTERDAM)
    latest = api.get(f"/events/{number}/attendance?begun=true", 200).json
    assert latest["day"] == "2027-04-09" and latest["places"] == [] and latest["begun"]
    march = api.post(f"/events/{number}/attendance", {"text": "9-3 Anna Bram"}, 200).json
    assert march["day"] == "2027-03-09" and march["confirmed"] == [ANNA, BRAM]
    april = api.post(f"/events/{number}/attendance", {"text": "Chantal"}, 200).json
    assert april["day"] == "2027-04-09" and april["confirmed"] == [CHANTAL]


def test_everyones_trainings(api, clock):
    first = api.event(type="training", title="Training media", start="2027-03-10T19:00", end="2027-03-10T21:00")
    second = api.event(type="training", title="Training begroting", start="2027-03-24T19:00", end="2027-03-24T21:00")
    rsvp(api, first["number"], ANNA)
    rsvp(api, first["number"], BRAM)
    rsvp(api, second["number"], ANNA)
    clock.now = datetime(2027, 3, 25, 9, 0, tzinfo=AMSTERDAM)
    api.post(f"/events/{first['number']}/attendance", {"present": [ANNA, "@gast:other.example"]}, 200)
    records = {r["member"]: r for r in api.get("/training-records", 200).json["records"]}
    assert list(records) == [*ROSTER, "@gast:other.example"]
    assert [(e["title"], e["confirmed"]) for e in records[ANNA]["entries"]] == [
        ("Training media", True), ("Training begroting", False)]
    assert records[ANNA]["name"] == "Anna" and records[BRAM]["entries"] == []  # Bram was not there after all
    assert records[DIRK]["entries"] == [] and records["@gast:other.example"]["confirmed"] == 1


def test_without_the_roster_the_year_is_refused_not_incomplete(tmp_path, database_url, clock):
    app, db = _open(tmp_path, database_url, clock, f"http://127.0.0.1:{free_port()}")  # nobody listens there
    try:
        refused = Caller(app).get("/attendance?year=2027", 503).json
        assert refused["error"] == "roster.unavailable"
    finally:
        db.dispose()
        membership.forget()


@pytest.mark.postgres
def test_the_year_reads_what_was_stored_on_either_database(api, clock):
    """Answers and confirmations stored per meeting come back per member (SQLite and PostgreSQL)."""
    series = api.event(title="Weekoverleg", start="2027-03-02T19:30", end="2027-03-02T20:30",
                       recurrence={"freq": "weekly", "count": 6})["number"]
    for day in ("2027-03-02", "2027-03-09", "2027-03-16"):
        rsvp(api, series, ANNA, day=day)
        rsvp(api, series, BRAM, "afwezig", day=day)
    clock.now = datetime(2027, 3, 17, 9, 0, tzinfo=AMSTERDAM)
    api.post(f"/events/{series}/attendance", {"day": "2027-03-09", "present": [ANNA, BRAM]}, 200)
    year = api.get("/attendance?year=2027", 200).json["records"]
    assert len(year) == 3 * len(ROSTER)
    present = sorted((r["date"], r["member"], r["confirmed"]) for r in year if r["present"])
    assert present == [("2027-03-02", ANNA, False), ("2027-03-09", ANNA, True), ("2027-03-09", BRAM, True),
                       ("2027-03-16", ANNA, False)]


def test_after_a_meeting_the_secretary_is_asked_once_who_was_there(api, app, clock):
    from services.calendar import reminding
    from services.calendar.actions import Poster
    from test_calendar_api import posted

    settings = app.config["OVERLEG_SETTINGS"]
    db = app.extensions["overleg_db"]
    post = Poster(app.extensions["overleg_runtime"])
    meeting = api.event(title="Vergadering maart", start="2027-03-16T19:30", end="2027-03-16T21:30")["number"]
    evenings = api.event(type="bewonersavond", title="Bewonersavond", start="2027-03-15T19:00",
                         end="2027-03-15T21:00", recurrence={"freq": "monthly"})["number"]
    api.event(type="adviesdeadline", title="Advies huurverhoging", start="2027-03-14")  # no meeting: never asked
    rsvp(api, meeting, ANNA)
    rsvp(api, meeting, BRAM)

    def questions() -> list[str]:
        return [m.body for m in posted(app) if m.key.endswith(":afgelopen")]

    during = datetime(2027, 3, 16, 21, 0, tzinfo=AMSTERDAM)
    assert reminding.ask_attendance(db, settings, post, during) == 1  # last night's evening; the meeting goes on
    after = datetime(2027, 3, 16, 21, 45, tzinfo=AMSTERDAM)
    assert reminding.ask_attendance(db, settings, post, after) == 1
    assert reminding.ask_attendance(db, settings, post, after) == 0  # once
    evening_q, meeting_q = questions()
    assert meeting_q.startswith("Vergadering maart van ") and f"!aanwezigheid {meeting} @naam" in meeting_q
    assert "Aangemeld waren: Anna, Bram." in meeting_q
    assert f"!aanwezigheid {evenings} 15-3 @naam" in evening_q and "Aangemeld" not in evening_q

    # The answer to the question is the command it names; a confirmed meeting is not asked about.
    next_evening = datetime(2027, 4, 15, 21, 30, tzinfo=AMSTERDAM)
    clock.now = datetime(2027, 4, 15, 20, 0, tzinfo=AMSTERDAM)
    api.post(f"/events/{evenings}/attendance", {"text": "15-4 @anna:example.org"}, 200)
    assert reminding.ask_attendance(db, settings, post, next_evening) == 0
    # A meeting long past (the service was away) is left to the werkplek's list, not asked about.
    assert reminding.ask_attendance(db, settings, post, datetime(2027, 5, 20, 12, 0, tzinfo=AMSTERDAM)) == 0
    assert len(questions()) == 2
