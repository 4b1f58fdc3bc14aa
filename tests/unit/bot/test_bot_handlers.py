"""Command handlers run on a :class:`Services` made of fakes: no Bot, no homeserver, no service."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from typing import Any

import pytest

from services.bot.commands import CommandTable, parse
from services.bot.context import CommandContext, ReactionContext, Services
from services.bot.features import load_features
from services.bot.matrix import IncomingReaction
from services.bot.messages import register_messages
from shared.dates import parse_day
from shared.errors import DomainError
from shared.settings import CouncilConfig, Settings

COUNCIL = CouncilConfig(slug="klantenraad", name="Klantenraad", rooms={"main": "!m:x"}, secretaries=["@sec:x"])
NOW = datetime(2026, 3, 10, 23, 30, tzinfo=timezone.utc)  # already 11 March in Amsterdam (UTC+1)


class FakeClient:
    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    async def get(self, path: str, **kw: Any) -> Any:
        self.calls.append(("GET", path, kw))
        return self.answers[path]

    async def post(self, path: str, **kw: Any) -> Any:
        self.calls.append(("POST", path, kw))
        return self.answers[path]


class FakeOutbox:
    def __init__(self) -> None:
        self.accepted: list[Any] = []

    def accept(self, messages: list[Any], *, dm_allowed: set[str] | None = None) -> tuple[int, int]:
        self.accepted.extend(messages)
        return len(messages), 0


@pytest.fixture(scope="module")
def table() -> CommandTable:
    register_messages()
    table = CommandTable()
    for module in load_features():
        table.add(getattr(module, "COMMANDS", []))
    return table


def services(table: CommandTable, clients: dict[str, FakeClient], outbox: FakeOutbox | None = None) -> Services:
    return Services(clients=clients, outbox=outbox or FakeOutbox(), store=None,  # type: ignore[arg-type]
                    commands=table, settings=Settings.model_construct(), clock=lambda: NOW)


def run(table: CommandTable, svc: Services, body: str, *, lang: str = "nl", thread_key: str | None = None) -> Any:
    cmd = parse(body)
    ctx = CommandContext(services=svc, settings=svc.settings, council=COUNCIL, room_id="!m:x", room_role="main",
                         event_id="$cmd", sender="@anna:x", thread_root="$root" if thread_key else None,
                         thread_key=thread_key, lang=lang, ts=0)
    return asyncio.run(table.lookup(cmd.word).handler(ctx, cmd))


def test_help_reads_the_command_table_from_the_services(table):
    reply = run(table, services(table, {}), "!hulp en")
    assert "!kalender (!calendar)" in reply.body and "!signaal (!signal)" in reply.body
    assert "commands for Klantenraad" in reply.body


@pytest.mark.parametrize("lang, label", [("nl", "telefoonnummer"), ("en", "phone number")])
def test_a_signal_with_personal_data_names_it_and_redacts_the_message(table, lang, label):
    signals = FakeClient({"/api/v1/councils/klantenraad/signals": {
        "signal": {"id": 7, "themes": [{"label": "Onderhoud"}], "theme": "onderhoud", "wijk": None, "cluster_id": 3,
                   "personal_data_removed": ["telefoon", "onbekend-soort"]},
        "duplicate": False, "new_cluster": True, "reference": "S-7", "status_url": "https://x/s/7"}})
    outbox = FakeOutbox()
    reply = run(table, services(table, {"signals": signals}, outbox), "!signaal de lift, bel 0612345678", lang=lang)
    assert f"({label}, onbekend-soort)" in reply.body
    redactions = [(m.key, m.kind, m.redact_event_id) for m in outbox.accepted]
    assert redactions == [("sigbot:redact:$cmd", "redaction", "$cmd")]
    assert signals.calls[0][2]["idempotency_key"] == "$cmd"


def test_a_deadline_day_is_read_with_the_councils_clock(table):
    delib = FakeClient({"/api/v1/councils/klantenraad/rounds/12/deadline": {"deadline": "2026-03-12T22:59:00+00:00"}})
    reply = run(table, services(table, {"deliberation": delib}), "!termijn morgen", thread_key="delib:round:12")
    assert delib.calls[0][2]["json"] == {"actor": "@anna:x", "day": "2026-03-12"}
    assert "ronde 12" in reply.body


def test_a_day_that_does_not_exist_is_refused_in_the_members_language(table):
    delib = FakeClient({})
    with pytest.raises(DomainError) as refused:
        run(table, services(table, {"deliberation": delib}), "!termijn 12 31-2")
    assert refused.value.code == "bot.deliberation.bad_date"
    assert refused.value.user_message("nl").startswith("‘31-2’ herken ik niet als datum")
    assert refused.value.user_message("en").startswith("I don't recognise ‘31-2’ as a date")
    assert delib.calls == []


def test_a_date_poll_is_shown_with_the_bots_own_texts(table):
    cal = FakeClient({"/api/v1/councils/klantenraad/polls": {
        "number": 2, "title": "Heidag", "thread_key": "calendar:poll:klantenraad:2",
        "options": [{"number": 1, "label": "do 12 mrt"}, {"number": 2, "label": "do 19 mrt"}]}})
    reply = run(table, services(table, {"calendar": cal}), "!datumprikker Heidag 12 maart 19 maart")
    assert reply.new_thread_key == "calendar:poll:klantenraad:2"
    assert reply.body.startswith("Datumprikker 2: Heidag") and "!vastleggen" in reply.body


def test_a_thumbs_up_on_a_card_counts_through_the_signals_client(table):
    signals = FakeClient({"/api/v1/councils/klantenraad/clusters/5/heard": {"counted": True}})
    handler = dict(importable_reactions())["signals:cluster:"]
    reaction = IncomingReaction("!s:x", "$r", "@anna:x", "$card", "👍", 0)
    asyncio.run(handler(ReactionContext(services=services(table, {"signals": signals}), council=COUNCIL,
                                        reaction=reaction, key="signals:cluster:5")))
    assert signals.calls == [("POST", "/api/v1/councils/klantenraad/clusters/5/heard",
                              {"json": {"member": "@anna:x"}, "idempotency_key": "$r"})]


def importable_reactions() -> list[tuple[str, Any]]:
    return [r for module in load_features() for r in getattr(module, "REACTIONS", [])]


@pytest.mark.parametrize("text, day", [
    ("2026-03-12", date(2026, 3, 12)), ("12-3-2026", date(2026, 3, 12)), ("12/3/26", date(2026, 3, 12)),
    ("12.3", date(2026, 3, 12)), ("vandaag", date(2026, 3, 11)), ("Morgen", date(2026, 3, 12)),
    ("eergisteren", date(2026, 3, 9)), ("31-2", None), ("donderdag", None), ("", None),
])
def test_days_as_members_type_them(text, day):
    assert parse_day(text, date(2026, 3, 11)) == day


@pytest.mark.parametrize("thread_key", ["delib:round:klantenraad:3", "delib:round:3"])
def test_in_a_rounds_thread_a_position_applies_to_that_round(table, thread_key):
    delib = FakeClient({"/api/v1/councils/klantenraad/rounds/3/positions": {"version": 2}})
    reply = run(table, services(table, {"deliberation": delib}), "!eens", thread_key=thread_key)
    assert delib.calls[0][2]["json"] == {"actor": "@anna:x", "position": "eens"}
    assert "versie 2" in reply.body


# --------------------------------------------------------------------------- issue 13 and 14 commands


def test_werkplek_sends_the_link_only_in_a_direct_message(table):
    werkplek = FakeClient({"/api/v1/councils/klantenraad/sign-in-links": {
        "url": "https://werkplek.example/werkplek/in/abc", "expires_at": "2026-03-11T00:40:00+00:00"}})
    private, public = run(table, services(table, {"werkplek": werkplek}), "!werkplek")
    assert private.dm_to == "@anna:x" and "https://werkplek.example/werkplek/in/abc" in private.body
    assert "/werkplek/in/" not in public.body and public.dm_to is None
    assert werkplek.calls[0][2]["json"] == {"matrix_id": "@anna:x"}


def test_hours_are_read_as_written_and_dated_in_the_council_s_zone(table):
    werkplek = FakeClient({"/api/v1/councils/klantenraad/hours": {
        "day": "2026-03-11", "hours": "1.50", "description": "stukken gelezen", "created": True}})
    reply = run(table, services(table, {"werkplek": werkplek}), "!uren vandaag 1,5 stukken gelezen")
    assert reply.body == "Genoteerd: 1,5 uur op woensdag 11 maart 2026 (stukken gelezen)."
    sent = werkplek.calls[0][2]["json"]
    assert sent == {"actor": "@anna:x", "day": "2026-03-11", "hours": "1,5", "description": "stukken gelezen"}
    with pytest.raises(DomainError) as refused:
        run(table, services(table, {"werkplek": werkplek}), "!uren morgen")
    assert refused.value.code == "bot.werkplek.usage.uren"


def test_the_decision_list_comes_as_a_file_in_the_thread(table):
    delib = FakeClient({"/api/v1/councils/klantenraad/register/export": b"# Besluitenlijst\n"})
    outbox = FakeOutbox()
    reply = run(table, services(table, {"deliberation": delib}, outbox), "!besluiten bestand")
    [upload] = outbox.accepted
    assert upload.kind == "file" and upload.file_mimetype == "text/markdown"
    assert upload.body == "besluitenlijst-klantenraad-2026-03-11.md"  # the council's date, not UTC's
    assert upload.thread_event_id == "$cmd" and "als bestand" in reply.body


def test_selection_records_the_committee_s_decision_with_seat_and_reason(table):
    delib = FakeClient({"/api/v1/councils/klantenraad/applications/4/status": {
        "id": 4, "name": "Fatima", "status": "benoemd", "seat_id": 7}})
    reply = run(table, services(table, {"deliberation": delib}), "!selectie 4 benoemd zetel 7 sterke motivatie")
    assert "Fatima is benoemd in zetel 7" in reply.body
    assert delib.calls[0][2]["json"] == {"actor": "@anna:x", "status": "benoemd", "seat_id": 7,
                                         "note": "sterke motivatie"}
    with pytest.raises(DomainError) as refused:
        run(table, services(table, {"deliberation": delib}), "!selectie 4 misschien")
    assert refused.value.code == "bot.deliberation.usage.selectie"
