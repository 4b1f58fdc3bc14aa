"""Residents' places of a bewonersavond in the calendar (SQLite, and PostgreSQL in the second pass): the signals
service PUTs the public sign-up's numbers (counts and the page's address, no names), a repeat changes nothing,
the bot may not; every feed's DESCRIPTION says how many places residents have left, the ETag moves only when a
number moves, a meeting of a series gets its own numbers, and the upcoming list (``!kalender``) carries them."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import icalendar
import pytest

from services.bot.commands import CommandTable, parse
from services.bot.context import CommandContext, Services
from services.bot.features import load_features
from services.bot.messages import register_messages
from shared.settings import Settings

from test_calendar_api import SLUG, Client, api, app, clock  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

URL = "https://signalen.example.org/bewonersavond/abcd1234efgh5678ijkl9012"


def put(client: Client, number: int, expect: int | None = 200, **body: Any) -> Any:
    body.setdefault("capacity", 40)
    body.setdefault("taken", 0)
    body.setdefault("url", URL)
    return client.call("PUT", f"/events/{number}/resident-places", expect, json=body)


def descriptions(body: bytes) -> dict[str, str]:
    """SUMMARY (with the meeting's day for an override) → DESCRIPTION, as a calendar app reads them."""
    cal = icalendar.Calendar.from_ical(body)
    out = {}
    for ev in cal.walk("VEVENT"):
        key = str(ev.get("SUMMARY"))
        if ev.get("RECURRENCE-ID") is not None:
            key += " " + ev.decoded("RECURRENCE-ID").date().isoformat()
        out[key] = str(ev.get("DESCRIPTION") or "")
    return out


def test_the_sign_up_s_numbers_reach_every_feed_and_the_etag_moves_only_with_them(api, app):
    signals = Client(app, "signals")
    bot = Client(app, "bot")
    avond = api.event(type="bewonersavond", title="Bewonersavond Tarwewijk", start="2027-03-18T19:30",
                      description="Over de renovatie.")
    other = api.event(title="Vergadering")
    council = api.feed_link(kind="council")
    kind = api.feed_link(kind="type", type="bewonersavond")
    first = api.feed(council)
    assert "Bewoners" not in descriptions(first.data)["Bewonersavond Tarwewijk"]

    done = put(signals, avond["number"], capacity=40, taken=3, day="2027-03-18").json
    assert done == {"number": avond["number"], "day": None, "capacity": 40, "taken": 3, "left": 37, "url": URL,
                    "changed": True}
    second = api.feed(council, headers={"If-None-Match": first.headers["ETag"]})
    assert second.headers["ETag"] != first.headers["ETag"]
    text = descriptions(second.data)["Bewonersavond Tarwewijk"]
    assert text.startswith("Over de renovatie.")
    assert text.endswith(f"Bewoners: nog 37 van 40 plaatsen — aanmelden: {URL}")
    assert "Bewoners" not in descriptions(second.data)["Vergadering"]
    assert "Bewoners: nog 37 van 40 plaatsen" in descriptions(api.feed(kind).data)["Bewonersavond Tarwewijk"]
    mine = api.feed_link(kind="member", member="@anna:example.org")
    assert "Bewoners: nog 37" in descriptions(api.feed(mine).data)["Bewonersavond Tarwewijk"]

    # The same numbers again (signals retried): nothing changes, the calendar apps keep their copy.
    again = put(signals, avond["number"], capacity=40, taken=3).json
    assert again["changed"] is False
    api.feed(council, 304, headers={"If-None-Match": second.headers["ETag"]})

    # Full: the feed says so (the remembered text of the event is not reused).
    put(signals, avond["number"], capacity=40, taken=40)
    third = api.feed(council, headers={"If-None-Match": second.headers["ETag"]})
    assert third.status_code == 200 and third.headers["ETag"] != second.headers["ETag"]
    assert descriptions(third.data)["Bewonersavond Tarwewijk"].endswith(
        f"Bewoners: vol, wachtlijst — aanmelden: {URL}")

    # !kalender's list carries the residents' places; other events have none.
    upcoming = {o["number"]: o for o in api.get("/events?days=60", 200).json}
    assert (upcoming[avond["number"]]["resident_places_left"], upcoming[avond["number"]]["resident_capacity"]) == (0, 40)
    assert upcoming[other["number"]]["resident_places_left"] is None

    # Only the signals service and the admin tools report numbers; bad input is a 4xx, never a 500.
    assert put(bot, avond["number"], None).status_code == 403
    assert put(api, avond["number"], capacity=40, taken=39).json["left"] == 1
    assert put(signals, 999, None).status_code == 404
    assert put(signals, avond["number"], None, url="javascript:alert(1)").status_code == 422
    assert put(signals, avond["number"], None, day="18 maart").status_code == 422
    assert put(signals, avond["number"], None, capacity=0).status_code == 400
    deadline = api.event(type="adviesdeadline", title="Advies", start="2027-03-20")
    assert put(signals, deadline["number"], None).status_code == 422


class BotsCalendar:
    """The bot's calendar client, answered by the real calendar service (with the bot's token)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def get(self, path: str, params: dict[str, Any] | None = None, lang: str | None = None) -> Any:
        resp = self.client.http.get(path, query_string=params or {},
                                    headers={**self.client.headers, "Accept-Language": lang or "nl"})
        assert resp.status_code == 200, resp.json
        return resp.json


def kalender(app: Any, lang: str = "nl") -> str:
    register_messages()
    table = CommandTable()
    for module in load_features():
        table.add(getattr(module, "COMMANDS", []))
    council = app.config["OVERLEG_SETTINGS"].council(SLUG)
    svc = Services(clients={"calendar": BotsCalendar(Client(app, "bot"))}, outbox=None, store=None,  # type: ignore[arg-type]
                   commands=table, settings=Settings.model_construct(),
                   clock=lambda: datetime(2027, 3, 1, tzinfo=timezone.utc))
    ctx = CommandContext(services=svc, settings=svc.settings, council=council, room_id="!main:example.org",
                         room_role="main", event_id="$cmd", sender="@anna:example.org", thread_root=None,
                         thread_key=None, lang=lang, ts=0)
    cmd = parse("!kalender")
    return asyncio.run(table.lookup(cmd.word).handler(ctx, cmd)).body


def test_kalender_in_chat_shows_the_residents_places(api, app):
    signals = Client(app, "signals")
    avond = api.event(type="bewonersavond", title="Bewonersavond Tarwewijk", start="2027-03-18T19:30")
    assert "bewoners:" not in kalender(app)
    put(signals, avond["number"], capacity=40, taken=3)
    assert "Bewonersavond Tarwewijk · bewoners: nog 37 van 40 plaatsen" in kalender(app)
    assert "residents: 37 of 40 places left" in kalender(app, "en")
    put(signals, avond["number"], capacity=40, taken=41)
    assert "Bewonersavond Tarwewijk · bewoners: vol, wachtlijst" in kalender(app)


def test_a_meeting_of_a_series_gets_its_own_numbers(api, app):
    signals = Client(app, "signals")
    series = api.event(type="bewonersavond", title="Spreekuur", start="2027-03-16T19:30",
                       recurrence={"freq": "weekly", "count": 4})
    assert put(signals, series["number"], None).json["error"] == "cal.resident_places.day_needed"
    assert put(signals, series["number"], None, day="2027-03-17").status_code == 404
    done = put(signals, series["number"], day="2027-03-23", capacity=20, taken=5).json
    assert done["day"] == "2027-03-23" and done["left"] == 15
    feed = descriptions(api.feed(api.feed_link(kind="council")).data)
    assert feed["Spreekuur 2027-03-23"].endswith(f"Bewoners: nog 15 van 20 plaatsen — aanmelden: {URL}")
    assert "Bewoners" not in feed["Spreekuur"]  # the series itself and its other meetings: no numbers
    upcoming = [o for o in api.get("/events?days=60", 200).json if o["number"] == series["number"]]
    assert [(o["day"], o["resident_places_left"]) for o in upcoming] == [
        ("2027-03-16", None), ("2027-03-23", 15), ("2027-03-30", None), ("2027-04-06", None)]
