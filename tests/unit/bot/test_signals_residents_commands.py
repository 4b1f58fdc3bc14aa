"""The residents' commands of the signals feature on fakes: ``!raadpleging`` passes the secretary's words to the
service and answers with the link; ``!doorsturen`` takes a group number (or the thread's group) and a commissie;
``!agenderen`` in a pattern card's thread goes to the pattern; ``!signalen`` shows patterns first."""
from __future__ import annotations

from typing import Any

import pytest

from test_bot_handlers import FakeClient, run, services, table  # noqa: F401

BASE = "/api/v1/councils/klantenraad"


def test_raadpleging_sends_the_command_and_answers_with_the_link(table):  # noqa: F811
    signals = FakeClient({f"{BASE}/consultations": {
        "code": "a" * 24, "url": "https://x.example/raadpleging/" + "a" * 24, "topic_id": 12, "options": ["ja", "nee"],
        "last_day": "2027-01-15", "thread_key": "delib:round:klantenraad:3"}})
    reply = run(table, services(table, {"signals": signals}), "!raadpleging 12 Wat vindt u? opties: ja | nee tot 15-1")
    assert signals.calls[0][2]["json"] == {"command": "12 Wat vindt u? opties: ja | nee tot 15-1", "actor": "@anna:x"}
    assert signals.calls[0][2]["idempotency_key"] == "$cmd"
    assert "https://x.example/raadpleging/" + "a" * 24 in reply.body and "15 januari 2027" in reply.body
    assert "2 opties" in reply.body and "draad van onderwerp #12" in reply.body


@pytest.mark.parametrize("body", ["!raadpleging", "!raadpleging Wat vindt u?"])
def test_raadpleging_without_a_topic_number_gets_the_usage(table, body):  # noqa: F811
    signals = FakeClient({})
    reply = run(table, services(table, {"signals": signals}), body)
    assert signals.calls == [] and "!raadpleging <onderwerp-nr> <vraag>" in reply.body


def test_raadpleging_is_for_the_secretary(table):  # noqa: F811
    assert table.lookup("raadpleging").secretary_only and not table.lookup("doorsturen").secretary_only


@pytest.mark.parametrize("body, thread_key, number, commissie", [
    ("!doorsturen 7", None, 7, None),
    ("!doorsturen #7 tarwehof", None, 7, "tarwehof"),
    ("!doorsturen", "signals:cluster:klantenraad:9", 9, None),
    ("!doorsturen Bewonerscommissie Carnisse", "signals:cluster:klantenraad:9", 9, "Bewonerscommissie Carnisse"),
])
def test_doorsturen_takes_a_number_or_the_thread_s_group(table, body, thread_key, number, commissie):  # noqa: F811
    signals = FakeClient({f"{BASE}/clusters/{number}/forward": {
        "changed": True, "commissie": "BC Tarwehof", "by_room": True, "by_email": False, "cluster": {}}})
    reply = run(table, services(table, {"signals": signals}), body, thread_key=thread_key)
    assert signals.calls[0][2]["json"] == {"commissie": commissie, "actor": "@anna:x"}
    assert f"#{number} is doorgestuurd aan BC Tarwehof" in reply.body and "room van de commissie" in reply.body


def test_doorsturen_outside_a_group_s_thread_without_a_number_gets_the_usage(table):  # noqa: F811
    reply = run(table, services(table, {"signals": FakeClient({})}), "!doorsturen")
    assert "!doorsturen <groep-nr>" in reply.body


def test_agenderen_in_a_pattern_card_s_thread_puts_the_pattern_on_the_agenda(table):  # noqa: F811
    pid = "pattern-schoonmaak_groen-0123456789"
    signals = FakeClient({f"{BASE}/patterns/{pid}/agenda": {
        "changed": True, "pattern": {"theme_label": "Schoonmaak", "wijken": ["A", "B", "C"], "topic_id": 4}}})
    reply = run(table, services(table, {"signals": signals}), "!agenderen", thread_key=f"signals:pattern:{pid}")
    assert signals.calls[0][1] == f"{BASE}/patterns/{pid}/agenda"
    assert "Schoonmaak in 3 wijken staat op de agenda als onderwerp #4" in reply.body


def test_signalen_shows_patterns_first_then_the_open_list(table):  # noqa: F811
    answers: dict[str, Any] = {
        f"{BASE}/patterns": [{"theme_label": "Schoonmaak", "wijken": ["A", "B", "C"], "topic_id": None,
                              "groups": [{"number": 1}, {"number": 2}, {"number": 3}]}],
        f"{BASE}/stats": {"total": 3, "since": "2026-01", "themes": [{"label": "Schoonmaak", "count": 3}],
                          "neighbourhoods": [{"label": "A", "count": 1}]},
        f"{BASE}/clusters/open": [{"id": 2, "theme_label": "Schoonmaak", "wijk": "B", "signal_count": 1}],
        f"{BASE}/stats/chart": {"key": "k"},
    }
    reply = run(table, services(table, {"signals": FakeClient(answers)}), "!signalen")
    text = reply.body
    assert text.startswith("Patronen over wijken heen") and "Schoonmaak in 3 wijken (A, B, C): groepen #1, #2, #3" in text
    assert text.index("Patronen") < text.index("Per thema") < text.index("Open signaalgroepen")
    assert "#2 Schoonmaak – B (1)" in text


def test_bewonersavond_reads_the_event_from_the_calendar_and_opens_it(table):  # noqa: F811
    event = {"number": 4, "type": "bewonersavond", "title": "Bewonersavond", "start": "2027-03-16T19:30",
             "location": "Buurthuis", "capacity": 30, "uid": "u", "invitees": []}
    calendar = FakeClient({f"{BASE}/events/4": event})
    signals = FakeClient({f"{BASE}/signups": {"created": True, "title": "Bewonersavond", "url": "https://x/b/c",
                                              "confirmed": 0, "waiting": 0, "places_text": "Nog 40 van 40 plaatsen vrij."}})
    reply = run(table, services(table, {"signals": signals, "calendar": calendar}), "!bewonersavond 4 plaatsen 40")
    sent = signals.calls[0][2]["json"]
    assert sent["capacity"] == 40 and sent["event"] == {k: event[k] for k in ("number", "type", "title", "start",
                                                                              "location", "capacity")}
    assert "https://x/b/c" in reply.body and "0 aangemeld, 0 op de wachtlijst. Nog 40 van 40" in reply.body
    assert table.lookup("bewonersavond").secretary_only


SERIES = {"number": 4, "type": "bewonersavond", "title": "Bewonersavond", "start": "2027-01-12T19:30:00+01:00",
          "location": "Buurthuis", "capacity": 30, "recurrence": {"freq": "monthly"}, "uid": "u", "invitees": []}
COMING = [  # the calendar's coming occurrences of bewonersavonden: a called-off one, another event, the next ones
    {"number": 4, "day": "2027-03-09", "start": "2027-03-09T19:30:00+01:00", "cancelled": True},
    {"number": 7, "day": "2027-03-10", "start": "2027-03-10T19:30:00+01:00", "cancelled": False},
    {"number": 4, "day": "2027-04-13", "start": "2027-04-13T19:30:00+02:00", "cancelled": False},
    {"number": 4, "day": "2027-05-11", "start": "2027-05-11T19:30:00+02:00", "cancelled": False},
]


def signup_answer(meeting: str) -> dict[str, Any]:
    return {"created": True, "title": "Bewonersavond", "url": "https://x/b/c", "confirmed": 0, "waiting": 0,
            "places_text": "Nog 30 van 30 plaatsen vrij.", "meeting": meeting}


@pytest.mark.parametrize("body, meeting", [("!bewonersavond 4", "2027-04-13"),
                                           ("!bewonersavond 4 11-5-2027 plaatsen 20", "2027-05-11")])
def test_bewonersavond_of_a_series_opens_one_meeting_the_next_or_the_one_named(table, body, meeting):  # noqa: F811
    calendar = FakeClient({f"{BASE}/events/4": SERIES, f"{BASE}/events": COMING})
    signals = FakeClient({f"{BASE}/signups": signup_answer(meeting)})
    reply = run(table, services(table, {"signals": signals, "calendar": calendar}), body)
    sent = signals.calls[0][2]["json"]["event"]
    chosen = next(o for o in COMING if o["number"] == 4 and o["day"] == meeting)
    assert sent["meeting"] == meeting and sent["start"] == chosen["start"]  # not the series' first start
    assert calendar.calls[1][2]["params"]["type"] == "bewonersavond"
    day = {"2027-04-13": "dinsdag 13 april 2027", "2027-05-11": "dinsdag 11 mei 2027"}[meeting]
    assert f"evenement #4, bijeenkomst van {day}" in reply.body, reply.body


def test_bewonersavond_on_a_day_the_series_does_not_meet_opens_nothing(table):  # noqa: F811
    calendar = FakeClient({f"{BASE}/events/4": SERIES, f"{BASE}/events": COMING})
    signals = FakeClient({})
    for body in ("!bewonersavond 4 9-3-2027", "!bewonersavond 4 1-4-2027"):  # called off; no meeting that day
        reply = run(table, services(table, {"signals": signals, "calendar": calendar}), body)
        assert "geen komende bijeenkomst op" in reply.body and "!kalender" in reply.body, reply.body
    assert signals.calls == []


@pytest.mark.parametrize("body", ["!bewonersavond", "!bewonersavond morgen", "!bewonersavond 4 plaatsen"])
def test_bewonersavond_without_an_event_number_gets_the_usage(table, body):  # noqa: F811
    reply = run(table, services(table, {"signals": FakeClient({}), "calendar": FakeClient({})}), body)
    assert "!bewonersavond <evenement-nr>" in reply.body
