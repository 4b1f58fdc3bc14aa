"""The chat words of co-creation as the bot reads them (services/bot/features/deliberation.py), on fake services:
in a scenario round's thread the round words take an option's number first, ``!optie`` puts, amends and merges
options, ``!invloed`` records realised influence; malformed input is refused with the usage; ordinary round
threads are untouched."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest

from services.bot.commands import CommandTable, parse
from services.bot.context import CommandContext, Services
from services.bot.features import deliberation
from services.bot.messages import register_messages
from shared.errors import DomainError
from shared.settings import CouncilConfig, Settings

COUNCIL = CouncilConfig(slug="klantenraad", name="Klantenraad", rooms={"main": "!m:x"}, secretaries=["@sec:x"])
BASE = "/api/v1/councils/klantenraad"
THREAD = "delib:scenarios:klantenraad:3"
STATUS = {"id": 3, "options": [{"option": 1, "version": 1}, {"option": 2, "version": 2}], "objection_id": 4,
          "option": 5, "phase": "oordeelsvorming", "phase_label": "oordeelsvorming",
          "outcome": {"options": [{"option": 2, "version": 2}]}, "deadline": "2026-03-20T23:59:00+01:00"}


class FakeClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    async def get(self, path: str, **kw: Any) -> Any:
        self.calls.append(("GET", path, kw))
        return STATUS

    async def post(self, path: str, **kw: Any) -> Any:
        self.calls.append(("POST", path, kw))
        if path.endswith("/influence"):
            return {"title": "Groen", "realised": 3, "kind_label": "aangepast", "expected": 2.0}
        if path.endswith("/positions") and "/rounds/" in path:
            return {"version": 1}
        return STATUS


@pytest.fixture(scope="module")
def table() -> CommandTable:
    register_messages()
    deliberation.register_messages()
    return CommandTable(list(deliberation.COMMANDS))


def run(table: CommandTable, body: str, *, thread_key: str | None = THREAD) -> tuple[Any, FakeClient]:
    client = FakeClient()
    svc = Services(clients={"deliberation": client}, outbox=None, store=None,  # type: ignore[arg-type]
                   commands=table, settings=Settings.model_construct(),
                   clock=lambda: datetime(2026, 3, 10, 12, tzinfo=timezone.utc))
    cmd = parse(body)
    assert cmd is not None
    ctx = CommandContext(services=svc, settings=svc.settings, council=COUNCIL, room_id="!m:x", room_role="main",
                         event_id="$cmd", sender="@sec:x", thread_root="$root" if thread_key else None,
                         thread_key=thread_key, lang="nl", ts=0)
    return asyncio.run(table.lookup(cmd.word).handler(ctx, cmd)), client


def posted(client: FakeClient) -> tuple[str, dict[str, Any]]:
    method, path, kw = client.calls[-1]
    assert method == "POST"
    return path.removeprefix(BASE), kw["json"]


def refused(table: CommandTable, body: str, **kw: Any) -> str:
    with pytest.raises(DomainError) as caught:
        run(table, body, **kw)
    for lang in ("nl", "en"):  # the member reads the usage in their language, every placeholder filled
        text = caught.value.user_message(lang)
        assert text and text != caught.value.code and "{" not in text, text
    return caught.value.code


@pytest.mark.parametrize("body, path, payload", [
    ("!optie Servicekosten per complex", "/scenarios/3/options",
     {"actor": "@sec:x", "text": "Servicekosten per complex", "source": "raad"}),
    ("!optie bestuur: Per complex\nmet een plafond", "/scenarios/3/options",
     {"actor": "@sec:x", "text": "Per complex\nmet een plafond", "source": "bestuur"}),
    ("!optie 3 maanden de huur bevriezen", "/scenarios/3/options",
     {"actor": "@sec:x", "text": "3 maanden de huur bevriezen", "source": "raad"}),
    ("!optie 2 wijzig Per wijk, met plafond", "/scenarios/3/options/2/versions",
     {"actor": "@sec:x", "text": "Per wijk, met plafond"}),
    ("!voorstel 2 Per wijk, met plafond", "/scenarios/3/options/2/versions",
     {"actor": "@sec:x", "text": "Per wijk, met plafond"}),
    ("!optie 1 3 samen Een tussenvorm", "/scenarios/3/options/merge",
     {"actor": "@sec:x", "options": [1, 3], "text": "Een tussenvorm"}),
    ("!bezwaar 1 Te duur voor ouderen", "/scenarios/3/positions",
     {"actor": "@sec:x", "option": 1, "position": "bezwaar", "text": "Te duur voor ouderen"}),
    ("!opzij optie2", "/scenarios/3/positions", {"actor": "@sec:x", "option": 2, "position": "opzij"}),
    ("!voorkeur 2", "/scenarios/3/preference", {"actor": "@sec:x", "option": 2}),
    ("!voorkeur geen", "/scenarios/3/preference", {"actor": "@sec:x"}),
    ("!intrekken 1", "/scenarios/3/withdraw", {"actor": "@sec:x", "option": 1}),
    ("!besluit 2", "/scenarios/3/decide", {"actor": "@sec:x", "option": 2}),
    ("!meegedacht Graag terug in juni", "/scenarios/3/meegedacht", {"actor": "@sec:x", "note": "Graag terug in juni"}),
    ("!afmelden", "/absences", {"actor": "@sec:x", "scenarios_id": 3}),
    ("!verder", "/scenarios/3/phase", {"actor": "@sec:x"}),
    ("!termijn 20-3", "/scenarios/3/deadline", {"actor": "@sec:x", "day": "2026-03-20"}),
])
def test_the_words_in_a_scenario_thread_name_an_option(table, body, path, payload):
    reply, client = run(table, body)
    assert posted(client) == (path, payload)
    assert reply.body and "stemmen" not in reply.body


def test_replies_name_the_option_and_its_version(table):
    assert run(table, "!eens 2")[0].body == "Genoteerd: je stemt in met optie 2 (versie 2)."
    assert "bezwaar 4" in run(table, "!bezwaar 1 Te duur")[0].body
    assert "optie 2 (versie 2)" in run(table, "!besluit 2")[0].body
    assert "Optie 5 staat erbij" in run(table, "!optie Nog een")[0].body
    assert "deadline van scenarioronde 3 is nu" in run(table, "!termijn 20-3")[0].body


@pytest.mark.parametrize("body, code", [
    ("!eens", "bot.deliberation.usage.option_number"),
    ("!bezwaar geen-nummer Te duur", "bot.deliberation.usage.option_number"),
    ("!optie", "bot.deliberation.usage.optie"),
    ("!optie bestuur:", "bot.deliberation.usage.optie"),
    ("!optie 2 wijzig", "bot.deliberation.usage.optie"),
    ("!optie 1 2 wijzig Twee tegelijk", "bot.deliberation.usage.optie"),
    ("!optie 1 3 samen", "bot.deliberation.usage.optie"),
    ("!voorkeur", "bot.deliberation.usage.voorkeur"),
    ("!voorkeur de tweede", "bot.deliberation.usage.voorkeur"),
    ("!besluit", "bot.deliberation.usage.besluit_optie"),
    ("!termijn", "bot.deliberation.usage.termijn"),
])
def test_malformed_input_in_a_scenario_thread_gets_the_usage(table, body, code):
    assert refused(table, body) == code


def test_scenario_words_outside_their_thread_say_where_they_work(table):
    for body in ("!optie Iets", "!voorkeur 2", "!meegedacht"):
        assert refused(table, body, thread_key=None) == "bot.deliberation.scenarios_needed"
        assert refused(table, body, thread_key="delib:round:klantenraad:12") == "bot.deliberation.scenarios_needed"


def test_ordinary_round_threads_are_unchanged(table):
    reply, client = run(table, "!eens", thread_key="delib:round:klantenraad:12")
    assert posted(client) == ("/rounds/12/positions", {"actor": "@sec:x", "position": "eens"})
    assert reply.body.startswith("Genoteerd: je stemt in met versie 1")


def test_scenarios_opens_a_round_on_a_topic(table):
    reply, client = run(table, "!scenarios 4 Drie varianten", thread_key=None)
    assert posted(client) == ("/scenarios", {"topic_id": 4, "title": "Drie varianten", "actor": "@sec:x"})
    assert reply.body.startswith("Scenarioronde 3 staat open over onderwerp #4")
    assert refused(table, "!scenarios Drie varianten", thread_key=None) == "bot.deliberation.usage.scenarios"
    assert refused(table, "!scenarios 4", thread_key=None) == "bot.deliberation.usage.scenarios"


def test_invloed_records_the_realised_influence_or_shows_the_usage(table):
    reply, client = run(table, "!invloed 4 3 aangepast Het bestuur nam de spreiding over.", thread_key=None)
    assert posted(client) == ("/topics/4/influence", {"actor": "@sec:x", "score": 3, "kind": "aangepast",
                                                      "what_changed": "Het bestuur nam de spreiding over."})
    assert reply.body == "Genoteerd voor onderwerp #4 Groen: invloed 3 van 5 (aangepast). Verwacht was 2."
    _, client = run(table, "!invloed #4 5 Alles overgenomen", thread_key=None)
    assert posted(client)[1] == {"actor": "@sec:x", "score": 5, "what_changed": "Alles overgenomen"}
    for body in ("!invloed 4", "!invloed 4 3", "!invloed vier 3 iets", "!invloed 4 drie iets",
                 "!invloed 4 3 aangepast"):
        assert refused(table, body, thread_key=None) == "bot.deliberation.usage.invloed"
    spec = table.lookup("invloed")
    assert spec is not None and spec.secretary_only and spec.group == "ronde"
