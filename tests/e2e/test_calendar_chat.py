"""The calendar as members use it: in the council's Matrix room, through the bot, with the whole
stack running (Synapse, Radicale, the services under gunicorn)."""
from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator

import httpx
import icalendar
import pytest

from devstack.e2ee_client import E2EEClient
from devstack.matrix_client import MatrixTestClient
from services.calendar.domain.events import AMSTERDAM

pytestmark = pytest.mark.timeout(300)

SLUG = "klantenraad"


def bot_id(stack) -> str:
    return stack.user_id("overleg")


def reply_to(bot: str, event_id: str) -> Callable[[dict], bool]:
    def match(event: dict) -> bool:
        rel = (event.get("content") or {}).get("m.relates_to") or {}
        return event.get("sender") == bot and (rel.get("m.in_reply_to") or {}).get("event_id") == event_id
    return match


def from_bot(bot: str, *needles: str) -> Callable[[dict], bool]:
    def match(event: dict) -> bool:
        body = (event.get("content") or {}).get("body", "")
        return event.get("sender") == bot and event.get("type") == "m.room.message" and all(n in body for n in needles)
    return match


def body(event: dict) -> str:
    return (event.get("content") or {}).get("body", "")


@pytest.fixture(scope="module")
def members(stack) -> Iterator[dict[str, MatrixTestClient]]:
    clients = {name: MatrixTestClient(stack.synapse.base_url, stack.member(name))
               for name in ("anna", "bram", "chantal", "dirk", "secretaris")}
    for client in clients.values():
        client.sync(0)
    yield clients
    for client in clients.values():
        client.close()


def say(stack, client: MatrixTestClient, text: str, *, thread_root: str | None = None, timeout: float = 45) -> dict:
    """Send a command; return the bot's threaded answer to it."""
    room = stack.state.room_id
    event_id = client.send_text(room, text, thread_root=thread_root)
    return client.wait_for(room, reply_to(bot_id(stack), event_id), timeout=timeout)


def admin(stack) -> httpx.Client:
    return httpx.Client(base_url=f"{stack.url('calendar')}/api/v1/councils/{SLUG}", timeout=15,
                        headers={"Authorization": f"Bearer {stack.state.tokens['admin']}"})


def chat_date(day: Any) -> str:
    return f"{day.day}-{day.month}-{day.year}"


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.5)


def in_shared_calendar(stack, title: str) -> Callable[[], bool]:
    def check() -> bool:
        with stack.radicale.client() as client:
            calendar = client.calendar(url=stack.state.caldav_url)
            return any(str(o.icalendar_component.get("SUMMARY")) == title for o in calendar.events())
    return check


def test_kalender_activiteit_and_aanwezig(stack, members):
    run = uuid.uuid4().hex[:6]
    day = datetime.now(AMSTERDAM).date() + timedelta(days=9)
    title = f"Overleg {run}"
    refused = say(stack, members["bram"], f"!activiteit vergadering {title} {chat_date(day)} 19:30")
    assert "Alleen de secretaris" in body(refused)
    created = body(say(stack, members["secretaris"], f"!activiteit vergadering {title} {chat_date(day)} 19:30-21:00"))
    number = int(re.search(r"Afspraak (\d+) staat in de kalender", created)[1])
    members["anna"].wait_for(stack.state.room_id, from_bot(bot_id(stack), f"Nieuwe afspraak {number}", title))

    listing = body(say(stack, members["anna"], "!kalender"))
    assert "Wat er aan komt" in listing and f"{number}. " in listing and title in listing
    assert "jij: nog niet gereageerd" in listing
    assert "Genoteerd: je bent erbij" in body(say(stack, members["anna"], f"!aanwezig {number}"))
    assert f"{title} · jij: aanwezig" in body(say(stack, members["anna"], "!kalender"))
    assert "Genoteerd: je bent er niet bij" in body(say(stack, members["bram"], f"!afwezig {number}"))
    english = body(say(stack, members["bram"], "!calendar"))
    assert "Coming up" in english and "you: not coming" in english
    unknown = body(say(stack, members["anna"], "!aanwezig 999999"))
    assert "bestaat niet" in unknown

    called_off = body(say(stack, members["secretaris"], f"!afgelast {number}"))
    assert called_off.startswith(f"Afgelast: {title}")
    members["anna"].wait_for(stack.state.room_id, from_bot(bot_id(stack), "Afgelast:", title, "–"))
    assert f"{title} · vervallen" in body(say(stack, members["anna"], "!kalender"))


def test_date_poll_from_chat_to_the_feed_and_the_shared_calendar(stack, members):
    run = uuid.uuid4().hex[:6]
    title = f"Heidag {run}"
    today = datetime.now(AMSTERDAM).date()
    first, second = today + timedelta(days=20), today + timedelta(days=27)
    room = stack.state.room_id
    anna = members["anna"]
    command = anna.send_text(room, f"!datumprikker {title} {chat_date(first)} {chat_date(second)}")
    root = anna.wait_for(room, from_bot(bot_id(stack), "Datumprikker", title), timeout=45, after=command)
    assert "!kan" in body(root) and "m.relates_to" not in root["content"]  # a thread root of its own
    root_id = root["event_id"]

    say(stack, anna, "!kan 1 2", thread_root=root_id)
    say(stack, members["bram"], "!kan 1", thread_root=root_id)
    summary = body(say(stack, members["chantal"], "!kan 1", thread_root=root_id))
    option_one = next(line for line in summary.split("\n") if line.startswith("• 1."))
    assert "(3)" in option_one and "quorum gehaald" in option_one
    for name, localpart in (("Anna", "anna"), ("Bram", "bram"), ("Chantal", "chantal")):
        assert name in option_one or stack.user_id(localpart) in option_one
    assert "Quorum: 3" in summary and "Beste keuze nu: 1" in summary
    wrong = body(say(stack, members["dirk"], "!kan 4", thread_root=root_id))
    assert "Optie 4 bestaat niet" in wrong
    assert "Alleen wie de datumprikker begon" in body(say(stack, members["dirk"], "!vastleggen 1", thread_root=root_id))

    fixed = body(say(stack, anna, "!vastleggen 1", thread_root=root_id))
    assert fixed.startswith("Vastgelegd:") and title in fixed
    anna.wait_for(room, from_bot(bot_id(stack), "is beslist", title), timeout=45)

    with admin(stack) as api:
        link = api.post("/feeds", json={"kind": "council"}).json()
    feed = httpx.get(link["url"], timeout=15)
    assert feed.status_code == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    event = next(v for v in icalendar.Calendar.from_ical(feed.content).walk("VEVENT") if str(v["SUMMARY"]) == title)
    assert event["DTSTART"].dt == first and "HEIDAG" in str(event["CATEGORIES"].to_ical()).upper()
    assert httpx.get(link["url"], headers={"If-None-Match": feed.headers["etag"]}, timeout=15).status_code == 304
    wait_until(in_shared_calendar(stack, title), 45, f"{title} in the shared calendar")


def test_feed_link_arrives_in_a_direct_message_only(stack, members, tmp_path):
    room = stack.state.room_id
    anna = members["anna"]
    # Anna's phone: the bot's direct chats are end-to-end encrypted, as Element makes them.
    with E2EEClient(stack.synapse.base_url, stack.member("anna"), tmp_path / "anna-phone") as phone:
        phone.sync(0)
        command = anna.send_text(room, "!feed")
        answer = anna.wait_for(room, reply_to(bot_id(stack), command), timeout=45)
        assert "privébericht" in body(answer)
        dm = phone.wait_for_invite(timeout=45)
        phone.join(dm)
        message = phone.wait_for(dm, lambda e: e.get("sender") == bot_id(stack) and "webcal://" in body(e),
                                 timeout=45)
        assert message["decrypted"] and dm != room
    url = re.search(r"https?://\S+/feeds/[A-Za-z0-9_-]{43}\.ics", body(message))[0]
    assert url.replace("http://", "webcal://").replace("https://", "webcal://") in body(message)
    feed = httpx.get(url, timeout=15)
    assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.content
    assert "mijn afspraken" in feed.content.decode()
    # Nothing of the link in the group room.
    anna.sync(500)
    for event in anna.events(room, after=command):
        assert "/feeds/" not in body(event) and "webcal" not in body(event)


def test_a_due_reminder_is_posted_in_the_room(stack, members):
    run = uuid.uuid4().hex[:6]
    title = f"Herinneringstest {run}"
    start = (datetime.now(AMSTERDAM) + timedelta(hours=23)).replace(second=0, microsecond=0)
    with admin(stack) as api:
        resp = api.post("/events", json={"type": "vergadering", "title": title, "start": start.isoformat()})
        assert resp.status_code == 201, resp.text
    reminder = members["bram"].wait_for(stack.state.room_id, from_bot(bot_id(stack), title), timeout=90)
    text = body(reminder)
    assert text.split(":")[0] in ("Herinnering", "Vandaag", "Zo meteen") and "!aanwezig" in text
    assert "later dan gepland" not in text


def test_secretary_moves_a_meeting_with_place_and_places_and_members_see_it(stack, members):
    """Issue 17 in chat: `!activiteit … plaatsen= plaats=`, `!kalender` with the place and the places
    left, an answer for "the next meeting" of a series, `!verplaats` of that meeting (answers kept, the
    room told, the shared calendar and the personal feed following), the agenda with `!vergaderagenda`."""
    from tests.js.icaljs import occurrences as icaljs_occurrences

    run = uuid.uuid4().hex[:6]
    room = stack.state.room_id
    secretary, anna = members["secretaris"], members["anna"]
    today = datetime.now(AMSTERDAM).date()
    day = today + timedelta(days=12)
    title = f"Bewonersavond {run}"
    created = body(say(stack, secretary, f"!activiteit bewonersavond {title} {chat_date(day)} 19:30-21:30 "
                                         f"plaatsen=2 plaats=Wijkcentrum De Esch, zaal 2"))
    assert "Locatie: Wijkcentrum De Esch, zaal 2" in created, created
    single = int(re.search(r"Afspraak (\d+) staat in de kalender", created)[1])
    assert "Genoteerd: je bent erbij" in body(say(stack, anna, f"!aanwezig {single}"))
    listing = body(say(stack, members["bram"], "!kalender"))
    line = next(ln for ln in listing.split("\n") if title in ln)
    assert "📍 Wijkcentrum De Esch, zaal 2" in line and "nog 1 van 2 plaatsen vrij" in line, line

    # A weekly series (the secretary's desk makes series); Anna answers for "the next meeting".
    series_title = f"Werkgroep {run}"
    first = today + timedelta(days=8)
    with admin(stack) as api:
        resp = api.post("/events", json={"type": "vergadering", "title": series_title, "location": "Kantoor Woonstad",
                                         "start": f"{first.isoformat()}T19:30",
                                         "recurrence": {"freq": "weekly", "count": 4}})
        assert resp.status_code == 201, resp.text
        series = resp.json()
    answered = body(say(stack, anna, f"!aanwezig {series['number']}"))
    assert "Genoteerd: je bent erbij" in answered and str(first.day) in answered, answered

    refused = body(say(stack, members["bram"], f"!verplaats {series['number']} {chat_date(first)} "
                                               f"{chat_date(first + timedelta(days=1))}"))
    assert "Alleen de secretaris" in refused
    new_day = first + timedelta(days=1)
    moved = body(say(stack, secretary, f"!verplaats {series['number']} {chat_date(first)} {chat_date(new_day)} 20:00"))
    assert moved.startswith(f"Verplaatst: {series_title}") and "20:00" in moved, moved
    anna.wait_for(room, from_bot(bot_id(stack), f"Verplaatst, afspraak {series['number']}", series_title,
                                 "Kantoor Woonstad"))
    listing = body(say(stack, anna, "!kalender"))
    line = next(ln for ln in listing.split("\n") if series_title in ln and "verplaatst" in ln)
    assert "20:00" in line and "jij: aanwezig" in line, line

    agenda = body(say(stack, secretary, f"!vergaderagenda {series['number']} {chat_date(new_day)} "
                                        f"https://docs.example.org/agenda-{run}"))
    assert agenda.startswith("De agenda staat bij"), agenda

    # Anna's personal feed (ical.js, as Thunderbird reads it): accepted, on the new day at 20:00,
    # with the agenda; and the shared calendar holds the override.
    with admin(stack) as api:
        link = api.post("/feeds", json={"kind": "member", "member": stack.user_id("anna")}).json()
    feed = httpx.get(link["url"], timeout=15).content
    window = (today, today + timedelta(days=60))
    mine = [o for o in icaljs_occurrences(feed, *window) if o["summary"] == series_title]
    (accepted,) = [o for o in mine if o["partstat"] == "ACCEPTED"]
    assert accepted["local_start"] == f"{new_day.isoformat()}T20:00:00"
    assert accepted["recurrence_id"] == f"{first.isoformat()}T19:30:00"
    assert f"https://docs.example.org/agenda-{run}" in accepted["description"]
    assert len(mine) == 4

    def override_in_shared_calendar() -> bool:
        with stack.radicale.client() as client:
            for obj in client.calendar(url=stack.state.caldav_url).events():
                parts = icalendar.Calendar.from_ical(obj.data).walk("VEVENT")
                if str(parts[0]["SUMMARY"]) == series_title:
                    return any("RECURRENCE-ID" in p and p["DTSTART"].dt.hour == 20 for p in parts)
        return False

    wait_until(override_in_shared_calendar, 45, f"{series_title}'s moved meeting in the shared calendar")
