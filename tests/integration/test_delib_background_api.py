"""Background notes on topics (a residents' consultation's summary, posted by signals): stored once per source key,
refused when malformed, shown in short in the round's first message and status, and in full with the decision in
the register JSON and the besluitenlijst export."""
from __future__ import annotations

import uuid

import pytest

from test_deliberation_api import (  # noqa: F401 - fixtures
    ANNA,
    SEC,
    Council,
    agree_all,
    council,
    seeded,
    to_besluitvorming,
)

pytestmark = pytest.mark.postgres

SUMMARY = ("Bewonersraadpleging \"Moet de binnentuin 's avonds open?\": 12 antwoorden, gesloten op 1 december 2026. "
           "Ja (8); Nee (4). Thema's in de toelichtingen: veiligheid (5), geluid (3)." + " Meer uitleg." * 40)


def note(key: str = "signals:consultation:abc", text: str = SUMMARY, **extra: str) -> dict[str, str]:
    return {"source": "raadpleging", "key": key, "title": "Bewonersraadpleging", "text": text, **extra}


def test_background_is_stored_once_per_key_and_refuses_bad_input(seeded: Council):
    c = seeded
    topic_id = c.topic("Binnentuin open in de avond")
    first = c.signals.post(f"/topics/{topic_id}/background", note())
    assert first.status_code == 201, first.json
    assert first.json["created"] is True and first.json["topic_id"] == topic_id
    line = first.json["line"]
    assert line.startswith("Achtergrond: Bewonersraadpleging \"Moet de binnentuin") and line.endswith("…")
    assert len(line) < 340  # title and the first ~300 characters, not the whole text

    # The same key again (a retried hand-off): no second note; a corrected text replaces the first.
    again = c.signals.post(f"/topics/{topic_id}/background", note())
    assert again.status_code == 200 and again.json["created"] is False
    fixed = c.admin.post(f"/topics/{topic_id}/background", note(text="Bewonersraadpleging: 13 antwoorden."))
    assert fixed.status_code == 200 and fixed.json["text"] == "Bewonersraadpleging: 13 antwoorden."
    other = c.admin.post(f"/topics/{topic_id}/background",
                         {"source": "admin", "key": "nota-1", "title": "Nota van het bestuur", "text": "Zie bijlage."})
    assert other.status_code == 201
    rnd = c.bot.post("/rounds", {"topic_id": topic_id, "proposal": "De tuin gaat om 22 uur dicht.", "actor": ANNA},
                     key=f"$r-{uuid.uuid4().hex}").json
    assert [b["key"] for b in rnd["background"]] == ["signals:consultation:abc", "nota-1"]
    assert rnd["background_lines"] == ["Achtergrond: Bewonersraadpleging: 13 antwoorden.",
                                       "Achtergrond: Nota van het bestuur — Zie bijlage."]

    # Unknown topic: 404; blank or malformed fields: 422 (the domain's message); over the schema's bounds: 400.
    missing = c.signals.post("/topics/424242/background", note())
    assert missing.status_code == 404 and missing.json["error"] == "delib.topic.not_found"
    for body, error in ((note(text="   "), "delib.background.text_required"),
                        (note(title=" \n "), "delib.background.title_required"),
                        (note(key="  "), "delib.background.key_required"),
                        (note(source="Raad pleging"), "delib.background.bad_source")):
        resp = c.signals.post(f"/topics/{topic_id}/background", body)
        assert resp.status_code == 422 and resp.json["error"] == error, (body, resp.json)
    assert c.signals.post(f"/topics/{topic_id}/background", note(text="x" * 4001)).status_code == 400
    assert c.signals.post(f"/topics/{topic_id}/background", {"source": "raadpleging"}).status_code == 400
    # Only signals and the operator add background; the bot (members' chat) does not.
    assert c.bot.post(f"/topics/{topic_id}/background", note(key="bot")).status_code == 403
    assert c.signals.post(f"/topics/{topic_id}/background", note(), slug="anders").status_code == 404


def test_background_shows_in_the_round_and_with_the_decision(seeded: Council):
    c = seeded
    topic_id = c.topic("Binnentuin open in de avond")
    assert c.signals.post(f"/topics/{topic_id}/background", note()).status_code == 201
    rnd = c.bot.post("/rounds", {"topic_id": topic_id, "proposal": "De tuin gaat om 22 uur dicht.", "actor": ANNA},
                     key=f"$r-{uuid.uuid4().hex}").json
    rid = rnd["id"]
    # The round's first message (its thread root) carries the short line.
    root = next(m for m in c.handoff() if m["key"] == f"delib:round:raad:{rid}")
    assert "Achtergrond: Bewonersraadpleging \"Moet de binnentuin" in root["body"]
    assert " Meer uitleg." * 40 not in root["body"]
    # The status (!stand) in the caller's language.
    status = c.bot.get(f"/rounds/{rid}", headers={"Accept-Language": "en"}).json
    assert status["background_lines"][0].startswith("Background: Bewonersraadpleging")
    # A topic without background shows none.
    plain = c.open_round(title="Iets anders")
    assert plain["background"] == [] and plain["background_lines"] == []

    agree_all(c, rid)
    to_besluitvorming(c, rid)
    assert c.act(rid, "decide", ANNA).status_code == 200
    entries = {e["round_id"]: e for e in c.admin.get("/register").json}
    assert [b["text"] for b in entries[rid]["background"]] == [SUMMARY]
    assert entries[rid]["background"][0]["source"] == "raadpleging"
    md = c.admin.get("/register/export?format=markdown").get_data(as_text=True)
    assert "**Achtergrond**" in md and "Meer uitleg." in md and "Bewonersraadpleging \"Moet de binnentuin" in md
    html = c.admin.get("/register/export?format=html").get_data(as_text=True)
    assert '<ul class="background">' in html and "Bewonersraadpleging &quot;Moet de binnentuin" in html
    # Added after the decision (a consultation that closed later): the decision list shows it too.
    later = c.signals.post(f"/topics/{topic_id}/background", note(key="later", text="Later: 3 reacties."))
    assert later.status_code == 201
    assert "Later: 3 reacties." in c.admin.get("/register/export?format=markdown").get_data(as_text=True)


def test_background_shows_with_an_ended_scenario_round(seeded: Council):
    from test_delib_scenarios_api import add, open_scenarios, post, say

    c = seeded
    opened = open_scenarios(c, "Twee routes voor de renovatie", topic_title="Renovatie Zuid")
    n, topic_id = opened["id"], opened["topic_id"]
    assert c.signals.post(f"/topics/{topic_id}/background", note(key="reno")).status_code == 201
    add(c, n, "Eerst de daken", "bestuur")
    add(c, n, "Eerst de kozijnen", "bestuur")
    post(c, n, "phase", {"actor": SEC})
    say(c, n, ANNA, 2, "eens")
    ended = post(c, n, "meegedacht", {"actor": SEC})
    assert ended.status_code == 200, ended.json
    entry = c.bot.get("/register/scenarios").json[0]
    assert [b["key"] for b in entry["background"]] == ["reno"]
    md = c.admin.get("/register/export?format=markdown").get_data(as_text=True)
    assert "**Achtergrond**" in md and "Bewonersraadpleging \"Moet de binnentuin" in md
