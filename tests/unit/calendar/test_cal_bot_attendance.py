"""``!aanwezigheid`` and ``!trainingen iedereen`` on fake service clients: what the bot asks the calendar
and what the secretary reads. No Bot, no homeserver, no service."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest

from services.bot.commands import CommandTable, parse
from services.bot.context import CommandContext, Services
from services.bot.features import load_features
from services.bot.messages import register_messages
from shared.http import ServiceError
from shared.settings import CouncilConfig, Settings

COUNCIL = CouncilConfig(slug="klantenraad", name="Klantenraad", rooms={"main": "!m:x"}, secretaries=["@sec:x"])
BASE = "/api/v1/councils/klantenraad"
ANNA, BRAM, CHANTAL, DIRK = "@anna:x", "@bram:x", "@chantal:x", "@dirk:x"
NAMES = {ANNA: "Anna", BRAM: "Bram de Vries", CHANTAL: "Chantal", DIRK: "Dirk"}


def attendance(**over: Any) -> dict[str, Any]:
    out = {"number": 4, "key": "uid4", "day": "2027-03-16", "rsvps": {ANNA: "aanwezig", CHANTAL: "afwezig"},
           "places": [ANNA], "waiting": [], "confirmed": None, "title": "Vergadering", "when": "dinsdag 16 maart 2027",
           "begun": True, "not_coming": [CHANTAL], "not_answered": [BRAM, DIRK], "names": NAMES}
    out.update(over)
    return out


class FakeCalendar:
    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    async def _answer(self, method: str, path: str, kw: dict[str, Any]) -> Any:
        self.calls.append((method, path, kw))
        answer = self.answers[(method, path)]
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def get(self, path: str, **kw: Any) -> Any:
        return await self._answer("GET", path, kw)

    async def post(self, path: str, **kw: Any) -> Any:
        return await self._answer("POST", path, kw)


@pytest.fixture(scope="module")
def table() -> CommandTable:
    register_messages()
    table = CommandTable()
    for module in load_features():
        table.add(getattr(module, "COMMANDS", []))
    return table


def run(table: CommandTable, cal: FakeCalendar, body: str, *, sender: str = "@sec:x", lang: str = "nl",
        thread_key: str | None = None) -> Any:
    svc = Services(clients={"calendar": cal}, outbox=None, store=None, commands=table,  # type: ignore[arg-type]
                   settings=Settings.model_construct(), clock=lambda: datetime(2027, 3, 17, tzinfo=timezone.utc))
    cmd = parse(body)
    ctx = CommandContext(services=svc, settings=svc.settings, council=COUNCIL, room_id="!m:x", room_role="main",
                         event_id="$cmd", sender=sender, thread_root="$root" if thread_key else None,
                         thread_key=thread_key, lang=lang, ts=0)
    return asyncio.run(table.lookup(cmd.word).handler(ctx, cmd))


def test_the_command_is_the_secretarys(table):
    spec = table.lookup("aanwezigheid")
    assert spec.secretary_only and spec.group == "kalender" and table.lookup("attendance") is spec


def test_without_names_the_secretary_sees_who_said_what(table):
    cal = FakeCalendar({("GET", f"{BASE}/events/4/attendance"): attendance()})
    reply = run(table, cal, "!aanwezigheid 4")
    assert cal.calls[0][2]["params"] == {"begun": "true"}
    assert reply.body.startswith("Aanwezigheid 4: Vergadering (dinsdag 16 maart 2027)")
    assert "Aangemeld (1): Anna" in reply.body and "Afgemeld (1): Chantal" in reply.body
    assert "Niets laten weten (2): Bram de Vries, Dirk" in reply.body
    assert "!aanwezigheid 4 16-3-2027 @naam Naam" in reply.body and "bevestigd" not in reply.body


def test_before_the_start_it_says_when_to_confirm(table):
    cal = FakeCalendar({("GET", f"{BASE}/events/4/attendance"): attendance(begun=False, places=[], not_coming=[],
                                                                          not_answered=[])})
    reply = run(table, cal, "!attendance 4", lang="en")
    assert "Nobody has answered yet." in reply.body and "Once it has started" in reply.body


def test_with_names_the_confirmation_goes_to_the_calendar(table):
    done = attendance(confirmed=[ANNA, DIRK])
    cal = FakeCalendar({("POST", f"{BASE}/events/4/attendance"): done})
    reply = run(table, cal, "!aanwezigheid 4 16-3 @anna Dirk")
    method, _, kw = cal.calls[0]
    assert method == "POST" and kw["json"] == {"text": "16-3 @anna Dirk"} and kw["idempotency_key"] == "$cmd"
    assert "aanwezig waren Anna, Dirk (2)" in reply.body
    assert "Niet aanwezig: Bram de Vries, Chantal." in reply.body


def test_nobody_there(table):
    cal = FakeCalendar({("POST", f"{BASE}/events/4/attendance"): attendance(confirmed=[])})
    reply = run(table, cal, "!aanwezigheid 4 niemand")
    assert "er was niemand" in reply.body and "Niet aanwezig: Anna, Bram de Vries, Chantal, Dirk." in reply.body


def test_only_a_day_shows_that_meeting(table):
    no_names = ServiceError("calendar", 422, {"error": "cal.attendance.no_names", "message": "Noem wie er was"})
    cal = FakeCalendar({("POST", f"{BASE}/events/4/attendance"): no_names,
                        ("GET", f"{BASE}/events/4/attendance"): attendance()})
    reply = run(table, cal, "!aanwezigheid 4 16-3")
    assert cal.calls[1][2]["params"] == {"begun": "true", "day": "16-3"}
    assert reply.body.startswith("Aanwezigheid 4")


def test_refusals_are_passed_on_and_malformed_input_gets_the_usage(table):
    unknown = ServiceError("calendar", 422, {"error": "cal.attendance.unknown_names",
                                             "message": "Ik weet niet wie je bedoelt met: Evert."})
    cal = FakeCalendar({("POST", f"{BASE}/events/4/attendance"): unknown})
    with pytest.raises(ServiceError) as refused:
        run(table, cal, "!aanwezigheid 4 Evert")
    assert "Evert" in refused.value.user_message("nl")
    for body in ("!aanwezigheid", "!aanwezigheid vier Anna", "!aanwezigheid Anna"):
        reply = run(table, FakeCalendar({}), body)
        assert reply.body.startswith("Zo werkt het: !aanwezigheid <nr>")


def test_in_the_events_thread_the_number_may_be_left_out(table):
    cal = FakeCalendar({("GET", f"{BASE}/events/by-uid/abc123"): {"number": 4},
                        ("POST", f"{BASE}/events/4/attendance"): attendance(confirmed=[ANNA])})
    reply = run(table, cal, "!aanwezigheid Anna", thread_key="calendar:event:abc123:s2")
    assert cal.calls[1][2]["json"] == {"text": "Anna"} and "aanwezig waren Anna (1)" in reply.body


def test_everyones_trainings_for_the_secretary_only(table):
    records = {"records": [
        {"member": ANNA, "name": "Anna", "confirmed": 1, "unconfirmed": 1, "entries": [
            {"day": "2027-03-10", "title": "Training media", "confirmed": True},
            {"day": "2027-03-24", "title": "Training begroting", "confirmed": False}]},
        {"member": DIRK, "name": "", "confirmed": 0, "unconfirmed": 0, "entries": []}]}
    cal = FakeCalendar({("GET", f"{BASE}/training-records"): records})
    reply = run(table, cal, "!trainingen iedereen")
    assert "Gevolgde trainingen – Klantenraad" in reply.body
    assert "Anna: wo 10 mrt – Training media; wo 24 mrt – Training begroting (nog niet bevestigd door de " \
           "secretaris)" in reply.body
    assert f"{DIRK}: nog geen" in reply.body
    member = run(table, cal, "!trainingen iedereen", sender=ANNA)
    assert "Alleen de secretaris" in member.body and len(cal.calls) == 1
