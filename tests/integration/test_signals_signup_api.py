"""Bewonersavond sign-up on a real database (SQLite, and PostgreSQL in the second pass): ``!bewonersavond``'s API
call opens a calendar event for residents, residents sign up on the public page (an address with consent, kept
apart from the list; CSRF, honeypot, double submission, no double address), the event fills up and the waiting
list moves when someone cancels through the link (they hear so by e-mail), more places move people up, a
reminder the day before, addresses erased after the event; and a real browser with axe on the pages."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select
from sqlalchemy import text as sql_text

from services.signals import actions
from services.signals.models import MAIL_MODEL, SignupContactRow, SignupRow
from tests.a11y.axe import assert_no_violations
from test_signals_api import SEC, Service, delib, svc  # noqa: F401
from test_signals_form import Server, chromium, wait

pytestmark = pytest.mark.postgres

ZONE = ZoneInfo("Europe/Amsterdam")


def event(number: int = 4, *, days: int = 10, capacity: int | None = 2, kind: str = "bewonersavond") -> dict[str, Any]:
    start = (datetime.now(ZONE) + timedelta(days=days)).replace(hour=19, minute=30, second=0, microsecond=0)
    return {"number": number, "type": kind, "title": "Bewonersavond Tarwewijk", "start": start.strftime("%Y-%m-%dT%H:%M"),
            "location": "Buurthuis De Tarwe", "capacity": capacity, "uid": "x", "invitees": []}


def open_signup(svc: Service, ev: dict[str, Any], capacity: int | None = None) -> Any:
    body: dict[str, Any] = {"event": ev, "actor": SEC}
    if capacity:
        body["capacity"] = capacity
    return svc.bot.post("/signups", body, key=f"${uuid.uuid4().hex}")


def sign_up(svc: Service, code: str, email: str, **fields: str) -> Any:
    token = svc.csrf(f"/bewonersavond/{code}")
    data = {"csrf_token": token, "nonce": fields.pop("nonce", uuid.uuid4().hex), "email": email, "consent": "y",
            **fields}
    return svc.client.post(f"/bewonersavond/{code}", data=data)


def mails(svc: Service) -> list[dict[str, Any]]:
    import json

    with svc.db.read() as s:
        return [json.loads(m.payload) for m in s.scalars(select(MAIL_MODEL).order_by(MAIL_MODEL.id))]


def cancel_link(mail: dict[str, Any]) -> str:
    return re.search(r"(/bewonersavond/afmelden/[a-z2-7]+)", mail["text"]).group(1)


def test_a_bewonersavond_fills_up_and_its_waiting_list_moves(svc: Service):
    resp = open_signup(svc, event())
    assert resp.status_code == 200, resp.json
    out = resp.json
    code = out["code"]
    assert out["url"] == f"https://signalen.example.nl/bewonersavond/{code}" and out["created"]
    assert out["capacity"] == 2 and out["places_text"] == "Nog 2 van 2 plaatsen vrij."
    page = svc.client.get(f"/bewonersavond/{code}").get_data(as_text=True)
    assert "Bewonersavond Tarwewijk" in page and "Buurthuis De Tarwe" in page and "<script" not in page

    for who in ("a@example.nl", "b@example.nl"):
        done = sign_up(svc, code, who, name="Bewoner")
        assert done.status_code == 200 and "U bent aangemeld" in done.get_data(as_text=True)
    third = sign_up(svc, code, "c@example.nl")
    assert "plaats 1 van de wachtlijst" in third.get_data(as_text=True)
    twice = sign_up(svc, code, "A@Example.nl")
    assert twice.status_code == 400 and "al aangemeld" in twice.get_data(as_text=True)
    numbers = svc.bot.get("/signups/4").json
    assert (numbers["confirmed"], numbers["waiting"], numbers["places_left"]) == (2, 1, 0)
    assert numbers["places_text"] == "Vol: alle 2 plaatsen zijn bezet; 1 op de wachtlijst."
    sent = mails(svc)
    assert [m["to"] for m in sent] == ["a@example.nl", "b@example.nl", "c@example.nl"]
    assert sent[0]["subject"] == "U bent aangemeld: Bewonersavond Tarwewijk" and "Buurthuis De Tarwe" in sent[0]["text"]
    assert sent[2]["subject"] == "Wachtlijst: Bewonersavond Tarwewijk" and "plaats 1" in sent[2]["text"]
    # The list holds no addresses.
    tables = svc.dump_tables(skip=("signals_signup_contacts", "signals_mail"))
    assert "a@example.nl" not in tables and "c@example.nl" not in tables

    # The first cancels through the link: the page asks, the button cancels; the waiting list moves up.
    link = cancel_link(sent[0])
    page = svc.client.get(link).get_data(as_text=True)
    assert "Wilt u zich afmelden" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    done = svc.client.post(link, data={"csrf_token": token})
    assert done.status_code == 200 and "U bent afgemeld" in done.get_data(as_text=True)
    assert "U bent afgemeld" in svc.client.get(link).get_data(as_text=True)  # twice is harmless
    numbers = svc.bot.get("/signups/4").json
    assert (numbers["confirmed"], numbers["waiting"]) == (2, 0)
    moved = mails(svc)[-1]
    assert moved["to"] == "c@example.nl" and moved["subject"] == "Er is een plaats vrij: Bewonersavond Tarwewijk"
    with svc.db.read() as s:
        assert len(s.scalars(select(SignupContactRow)).all()) == 2  # the cancelled address is gone
    # More places (the secretary again): nobody waiting, so just more room; the facts stay current.
    again = open_signup(svc, event(), capacity=5)
    assert again.json["created"] is False and again.json["places_left"] == 3

    # The reminder a day before, once; after the event the addresses go.
    starts = datetime.fromisoformat(again.json["starts"])
    assert actions.signup_reminders(svc.rt, svc.settings, starts - timedelta(hours=20)) == 2
    assert actions.signup_reminders(svc.rt, svc.settings, starts - timedelta(hours=10)) == 0
    assert [m["subject"] for m in mails(svc)[-2:]] == ["Herinnering: Bewonersavond Tarwewijk"] * 2
    actions.signup_reminders(svc.rt, svc.settings, starts + timedelta(days=2))
    with svc.db.read() as s:
        assert s.scalars(select(SignupContactRow)).all() == []
        assert len(s.scalars(select(SignupRow)).all()) == 3


def test_the_sign_up_form_s_protections_and_refusals(svc: Service):
    code = open_signup(svc, event(5, capacity=1)).json["code"]
    assert svc.client.post(f"/bewonersavond/{code}", data={"email": "a@example.nl", "consent": "y"}).status_code == 400
    assert sign_up(svc, code, "a@example.nl", website="spam").status_code == 400
    no_consent = sign_up(svc, code, "a@example.nl", consent="")
    assert no_consent.status_code == 400 and "toestemming" in no_consent.get_data(as_text=True)
    assert sign_up(svc, code, "geen-adres").status_code == 400
    assert sign_up(svc, code, "").status_code == 400
    nonce = uuid.uuid4().hex
    assert "U bent aangemeld" in sign_up(svc, code, "a@example.nl", nonce=nonce).get_data(as_text=True)
    assert "al ontvangen" in sign_up(svc, code, "a@example.nl", nonce=nonce).get_data(as_text=True)
    assert svc.client.get("/bewonersavond/aaaaaaaaaaaaaaaaaaaaaaaa").status_code == 404
    assert svc.client.get("/bewonersavond/afmelden/onzin").status_code == 404
    assert "Sign up" in svc.client.get(f"/bewonersavond/{code}?lang=en").get_data(as_text=True)
    # Only residents' events, with a number of places, in the future.
    assert open_signup(svc, event(6, kind="vergadering")).json["error"] == "signals.signup.wrong_type"
    assert open_signup(svc, event(7, capacity=None)).json["error"] == "signals.signup.capacity_needed"
    assert open_signup(svc, event(8, days=-1)).json["error"] == "signals.signup.closed"
    assert svc.bot.get("/signups/99").status_code == 404
    assert svc.partner.post("/signups", {"event": event(9)}).status_code == 403


# --------------------------------------------------------------------------- in a real browser
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("signals-signup"))
    yield srv
    srv.stop()


def test_signing_up_and_cancelling_in_a_browser(server: Server):
    view = actions.open_signup(server.app.extensions["overleg_runtime"], server.app.config["OVERLEG_SETTINGS"],
                               "klantenraad", event=event(3, capacity=1), capacity=None, actor=None,
                               now=datetime.now(timezone.utc))
    driver = chromium()
    try:
        driver.get(view.url.replace("https://signalen.example.nl", server.base))
        wait(driver, lambda d: d.find_element(By.ID, "signup-form"))
        assert driver.find_element(By.TAG_NAME, "h1").text == "Bewonersavond Tarwewijk"
        assert driver.find_element(By.ID, "places").text == "Nog 1 van 1 plaatsen vrij."
        assert_no_violations(driver)
        driver.find_element(By.ID, "submit").click()
        summary = wait(driver, lambda d: d.find_element(By.ID, "error-summary"))
        assert "e-mailadres" in summary.text
        assert_no_violations(driver)
        driver.find_element(By.ID, "field-email").send_keys("bewoner@example.nl")
        driver.find_element(By.ID, "field-consent").click()
        driver.find_element(By.ID, "submit").click()
        wait(driver, lambda d: d.find_elements(By.ID, "cancel-link"))
        assert driver.find_element(By.TAG_NAME, "h1").text == "U bent aangemeld"
        assert_no_violations(driver)
        driver.find_element(By.ID, "cancel-link").click()
        wait(driver, lambda d: d.find_elements(By.ID, "cancel"))
        assert_no_violations(driver)
        driver.find_element(By.ID, "cancel").click()
        wait(driver, lambda d: "afgemeld" in d.find_element(By.ID, "message").text)
    finally:
        driver.quit()


# --------------------------------------------------------------------------- the numbers reach the calendar's feeds
def calendar_owed(svc: Service) -> list[tuple[int, int]]:
    """(calendar's event number, version owed) of the sign-ups the calendar has not confirmed, whenever tried."""
    from services.signals import store

    with svc.db.read() as s:
        return [(ev.event_number, version) for ev, version, _ in
                store.signups_owed_to_calendar(s, datetime.now(timezone.utc) + timedelta(days=1))]


def cancel(svc: Service, mail: dict[str, Any]) -> None:
    link = cancel_link(mail)
    done = svc.client.post(link, data={"csrf_token": svc.csrf(link)})
    assert done.status_code == 200 and "U bent afgemeld" in done.get_data(as_text=True)


def test_the_numbers_reach_the_calendar_and_wait_while_it_is_down(svc: Service, tmp_path):
    from devstack.procs import free_port
    from services.calendar.app import create_app as create_calendar
    from services.calendar.app import migrate as migrate_calendar
    from shared.db import Database
    from test_signals_api import TOKENS, Served

    # The real calendar service, with the event; not answering yet.
    port = free_port()
    svc.settings.service_urls["calendar"] = f"http://127.0.0.1:{port}"
    calendar_db = Database(f"sqlite:///{tmp_path}/calendar.db")
    migrate_calendar(calendar_db)
    calendar = create_calendar(svc.settings, database=calendar_db).test_client()
    admin = {"Authorization": f"Bearer {TOKENS['admin']}"}
    ev = event(1, capacity=2)
    made = calendar.post("/api/v1/councils/raad/events", headers=admin, json={
        "type": "bewonersavond", "title": ev["title"], "start": ev["start"], "location": ev["location"]})
    assert made.status_code == 201 and made.json["number"] == 1, made.json

    def residents() -> tuple[int | None, int | None]:
        items = calendar.get("/api/v1/councils/raad/events?days=30", headers=admin).json
        return items[0]["resident_places_left"], items[0]["resident_capacity"]

    served = None
    try:
        code = open_signup(svc, ev).json["code"]
        assert calendar_owed(svc) == [(1, 2)]  # opened: owed (version 1 is the column's start)
        now = datetime.now(timezone.utc)
        assert actions.push_signup_places(svc.rt, svc.settings, now) == 0  # the calendar is down: still owed
        assert calendar_owed(svc) == [(1, 2)] and residents() == (None, None)

        served = Served(create_calendar(svc.settings, database=calendar_db), port)  # back
        assert actions.push_signup_places(svc.rt, svc.settings, now) == 0  # not before the retry is due
        assert actions.push_signup_places(svc.rt, svc.settings, now + timedelta(hours=1)) == 1
        assert calendar_owed(svc) == [] and residents() == (2, 2)

        # Residents sign up (the third waits): the cards job hands the calendar the new numbers.
        for who in ("a@example.nl", "b@example.nl", "c@example.nl"):
            assert sign_up(svc, code, who).status_code == 200
        assert calendar_owed(svc) == [(1, 5)]
        assert svc.rt.jobs.run_once("signals_cards") >= 1
        assert calendar_owed(svc) == [] and residents() == (0, 2)

        # One cancels: the waiting one moves up (still full); more places: the feed shows them.
        cancel(svc, mails(svc)[0])
        assert calendar_owed(svc) == [(1, 6)]
        assert svc.rt.jobs.run_once("signals_cards") >= 1 and residents() == (0, 2)
        assert open_signup(svc, ev, capacity=5).json["places_left"] == 3
        assert svc.rt.jobs.run_once("signals_cards") >= 1
        assert calendar_owed(svc) == [] and residents() == (3, 5)

        # Only counts and the public page went over: no resident's address is in the calendar.
        with calendar_db.read() as s:
            rows = [tuple(r) for r in s.execute(sql_text("SELECT * FROM calendar_resident_places"))]
        assert len(rows) == 1 and f"/bewonersavond/{code}" in str(rows) and "@" not in str(rows)
    finally:
        if served is not None:
            served.stop()
        calendar_db.dispose()


def test_each_meeting_of_a_series_has_its_own_list_and_the_calendar_shows_each(svc: Service, tmp_path):
    from devstack.procs import free_port
    from services.calendar.app import create_app as create_calendar
    from services.calendar.app import migrate as migrate_calendar
    from shared.db import Database
    from test_signals_api import TOKENS, Served

    port = free_port()
    svc.settings.service_urls["calendar"] = f"http://127.0.0.1:{port}"
    calendar_db = Database(f"sqlite:///{tmp_path}/calendar.db")
    migrate_calendar(calendar_db)
    served = Served(create_calendar(svc.settings, database=calendar_db), port)
    calendar = create_calendar(svc.settings, database=calendar_db).test_client()
    admin = {"Authorization": f"Bearer {TOKENS['admin']}"}
    first = event(1, days=5)
    made = calendar.post("/api/v1/councils/raad/events", headers=admin, json={
        "type": "bewonersavond", "title": "Bewonersavond (maandelijks)", "start": first["start"],
        "location": first["location"], "recurrence": {"freq": "weekly", "count": 4}})
    assert made.status_code == 201, made.json
    meetings = [o for o in calendar.get("/api/v1/councils/raad/events?days=40", headers=admin).json
                if o["number"] == made.json["number"]]
    assert len(meetings) == 4
    try:
        opened = {}
        for meeting in meetings[1:3]:  # the second and third meeting open, each with 2 places
            ev = {**first, "number": made.json["number"], "start": meeting["start"], "meeting": meeting["day"]}
            answer = open_signup(svc, ev)
            assert answer.status_code == 200 and answer.json["created"], answer.json
            assert answer.json["meeting"] == meeting["day"] and answer.json["starts"][:10] == meeting["day"]
            opened[meeting["day"]] = answer.json["code"]
        second, third = meetings[1]["day"], meetings[2]["day"]
        assert opened[second] != opened[third]  # two public pages, two lists
        assert sign_up(svc, opened[second], "a@example.nl").status_code == 200
        from shared import i18n

        page = svc.client.get(f"/bewonersavond/{opened[third]}").get_data(as_text=True)
        when = i18n.fmt_datetime(datetime.fromisoformat(meetings[2]["start"]).astimezone(ZONE), "nl")
        assert when in page, page[page.find("<main"):page.find("<main") + 1500]  # that meeting, not the first

        # The numbers: per meeting; without a meeting, the next one open for sign-up.
        numbers = svc.bot.get(f"/signups/{made.json['number']}?meeting={second}").json
        assert numbers["confirmed"] == 1 and numbers["meeting"] == second
        assert svc.bot.get(f"/signups/{made.json['number']}?meeting={third}").json["confirmed"] == 0
        assert svc.bot.get(f"/signups/{made.json['number']}").json["meeting"] == second
        # Opening the second meeting again brings its list up to date; it does not move it to another day.
        again = open_signup(svc, {**first, "number": made.json["number"], "start": meetings[1]["start"],
                                  "meeting": second}, capacity=3)
        assert again.json["created"] is False and again.json["code"] == opened[second]
        assert again.json["places_left"] == 2
        # A meeting day that is not the day the meeting starts is refused.
        wrong = open_signup(svc, {**first, "number": made.json["number"], "start": meetings[3]["start"],
                                  "meeting": third})
        assert wrong.status_code == 422 and wrong.json["error"] == "signals.signup.meeting_mismatch"

        # The calendar hears both: each meeting shows its own residents' places.
        assert actions.push_signup_places(svc.rt, svc.settings, datetime.now(timezone.utc)) == 2
        shown = {o["day"]: (o["resident_places_left"], o["resident_capacity"])
                 for o in calendar.get("/api/v1/councils/raad/events?days=40", headers=admin).json
                 if o["number"] == made.json["number"]}
        assert shown[second] == (2, 3) and shown[third] == (2, 2)
        assert shown[meetings[0]["day"]] == (None, None) and shown[meetings[3]["day"]] == (None, None)
    finally:
        served.stop()
        calendar_db.dispose()
