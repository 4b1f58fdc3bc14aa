"""Attendance as the secretary records it in chat, on the whole stack: a meeting is held, members
said whether they would come, the secretary looks (in the event's thread) and confirms who was
there with ``!aanwezigheid``, and the year's attendance the werkplek reads has each member's hours."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

import pytest

from services.calendar.domain.events import AMSTERDAM
from test_calendar_chat import admin, body, bot_id, from_bot, members, say, wait_until  # noqa: F401 - fixture

pytestmark = pytest.mark.timeout(300)

# Time to answer and look before the meeting starts (answers close at the start): the chat before the
# start is nine commands, about 5 s on a quiet machine. The lead is measured against one command's
# round trip just before, so a busy machine gets more time and a quiet one waits less for the start.
COMMANDS_BEFORE_START = 9
MIN_LEAD = timedelta(seconds=10)
LENGTH = timedelta(minutes=90)


def lead_time(round_trip: float) -> timedelta:
    return max(MIN_LEAD, timedelta(seconds=4 * COMMANDS_BEFORE_START * round_trip))


def test_secretary_confirms_who_was_there_and_the_year_counts_the_hours(stack, members):
    run = uuid.uuid4().hex[:6]
    title = f"Vergadering {run}"
    room = stack.state.room_id
    secretary, anna, bram, chantal = (members[n] for n in ("secretaris", "anna", "bram", "chantal"))
    began = time.monotonic()
    assert "Zo werkt het: !aanwezigheid <nr>" in body(say(stack, secretary, "!aanwezigheid vier"))
    lead = lead_time(time.monotonic() - began)
    start = (datetime.now(AMSTERDAM) + lead).replace(microsecond=0)
    with admin(stack) as api:
        resp = api.post("/events", json={"type": "vergadering", "title": title, "start": start.isoformat(),
                                         "end": (start + LENGTH).isoformat(), "announce": True})
        assert resp.status_code == 201, resp.text
        number = resp.json()["number"]
    announced = anna.wait_for(room, from_bot(bot_id(stack), f"Nieuwe afspraak {number}", title), timeout=45)

    # Before the start: the members answer, the secretary looks in the event's thread.
    assert "Genoteerd: je bent erbij" in body(say(stack, anna, f"!aanwezig {number}"))
    assert "Genoteerd: je bent erbij" in body(say(stack, bram, f"!aanwezig {number}"))
    assert "Genoteerd: je bent er niet bij" in body(say(stack, chantal, f"!afwezig {number}"))
    assert datetime.now(AMSTERDAM) < start, "the answers took longer than the lead time"
    overview = body(say(stack, secretary, "!aanwezigheid", thread_root=announced["event_id"]))
    assert overview.startswith(f"Aanwezigheid {number}: {title}"), overview
    assert "Aangemeld (2): Anna de Vries, Bram Jansen" in overview and "Afgemeld (1): Chantal Pinas" in overview
    silent = next(line for line in overview.split("\n") if "Niets laten weten" in line)
    assert "Dirk Bakker" in silent and "Anna" not in silent
    assert "Na de start bevestig je wie er was" in overview
    assert "Alleen de secretaris" in body(say(stack, anna, f"!aanwezigheid {number}"))
    early = body(say(stack, secretary, f"!aanwezigheid {number} Anna"))
    assert "kan pas als de bijeenkomst begonnen is" in early, early
    # A name nobody has is refused (before or after the start) and nothing is recorded.
    unknown = body(say(stack, secretary, f"!aanwezigheid {number} Anna Evert{run}"))
    assert f"Ik weet niet wie je bedoelt met: Evert{run}" in unknown and "niets vastgelegd" in unknown
    assert datetime.now(AMSTERDAM) < start, "the secretary's checks took longer than the lead time"

    with admin(stack) as api:
        wait_until(lambda: api.get(f"/events/{number}/attendance", params={"begun": "true"}).json()["begun"],
                   timeout=lead.total_seconds() + 30, what="the meeting to begin")

    # After the start: the secretary confirms who was there (Bram said he'd come but did not; Dirk came).
    done = body(say(stack, secretary, f"!aanwezigheid {number} @anna Dirk Bakker"))
    assert f"Vastgelegd voor {title}" in done and "aanwezig waren Anna de Vries, Dirk Bakker (2)" in done, done
    absent = next(line for line in done.split("\n") if line.startswith("Niet aanwezig:"))
    assert "Bram Jansen" in absent and "Chantal Pinas" in absent
    again = body(say(stack, secretary, f"!aanwezigheid {number}", thread_root=announced["event_id"]))
    assert "Door de secretaris bevestigd aanwezig (2): Anna de Vries, Dirk Bakker" in again

    with admin(stack) as api:
        year = api.get("/attendance", params={"year": start.year})
        assert year.status_code == 200, year.text
        records = {r["member"]: r for r in year.json()["records"] if r["event"] == number}
    hours = {lp: records[stack.user_id(lp)]["hours"] if records[stack.user_id(lp)]["present"] else 0.0
             for lp in ("anna", "bram", "chantal", "dirk")}
    assert hours == {"anna": 1.5, "bram": 0.0, "chantal": 0.0, "dirk": 1.5}
    anna_record = records[stack.user_id("anna")]
    assert anna_record == {"event": number, "kind": "vergadering", "title": title, "date": start.date().isoformat(),
                           "hours": 1.5, "member": stack.user_id("anna"), "present": True, "confirmed": True}
