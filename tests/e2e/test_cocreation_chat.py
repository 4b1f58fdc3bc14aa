"""Co-creation over several scenarios and influence on the record, end to end: the whole stack, the demo
secretary and four members on the real Synapse, through chat. A scenario round with three options where one
gets an objection, one is amended and the council agrees on the amended one; a round that ends as
"meegedacht"; and a year of topics whose realised influence is set against what the council expected (the
topics prepared through the API, one figure recorded with ``!invloed`` in chat)."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterator
from urllib.parse import quote

import pytest

from test_deliberation_flow import NO_TALLY, Room, body, run_id

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def room(stack: Any) -> Iterator[Room]:
    council = Room(stack)
    try:
        yield council
    finally:
        council.close()


def open_scenarios(room: Room, topic_id: int, title: str) -> tuple[int, str]:
    reply = room.say("secretaris", f"!scenarios {topic_id} {title}")
    found = re.search(r"Scenarioronde (\d+) staat open over onderwerp #(\d+)", reply)
    assert found and int(found.group(2)) == topic_id, reply
    number = int(found.group(1))
    root = room.bot_message("secretaris", lambda e: body(e).startswith(f"Scenarioronde {number}:")
                            and "m.relates_to" not in e["content"])
    assert title in body(root) and "!optie" in body(root)
    return number, root["event_id"]


def in_thread(root: str):
    return lambda e: (e["content"].get("m.relates_to") or {}).get("event_id") == root


def test_three_options_one_objected_one_amended_and_agreement_on_the_amended_one(room: Room):
    run = run_id()
    topic_id = room.new_topic("anna", f"Servicekosten 2027 {run}")
    number, root = open_scenarios(room, topic_id, f"Drie varianten voor de servicekosten {run}")

    assert "Optie 1 staat erbij" in room.say("secretaris", "!optie bestuur: Servicekosten per complex afrekenen.", root)
    assert "Optie 2 staat erbij" in room.say("secretaris", "!optie Servicekosten per wijk middelen.", root)
    assert "Optie 3 staat erbij" in room.say("secretaris", "!optie Een vast bedrag per woning.", root)
    shown = room.bot_message("anna", lambda e: body(e).startswith("Optie 1 (scenario van het bestuur)")
                             and in_thread(root)(e))
    assert "per complex afrekenen" in body(shown)
    assert "oordeelsvorming" in room.say("secretaris", "!verder", root)
    late = room.say("secretaris", "!optie Nog een variant.", root)
    assert late.startswith("Opties voeg je toe tijdens de beeldvorming")

    # Positions per option, with the words of an ordinary round; without a number the bot says how.
    assert "Noem het nummer van de optie" in room.say("anna", "!eens", root)
    assert "bezwaar 1" in room.say("bram", "!bezwaar 1 Complexen met veel ouderen gaan veel meer betalen.", root)
    assert "optie 2 (versie 1)" in room.say("anna", "!eens 2", root)
    assert "bedenking" in room.say("chantal", "!bedenking 3 Grote woningen betalen dan te weinig.", root)
    assert "voorkeur" in room.say("dirk", "!voorkeur 2", root)

    stand = room.say("chantal", "!stand", root)
    assert f"Scenarioronde {number}:" in stand and "Optie 1 (versie 1, scenario van het bestuur)" in stand
    assert "bezwaar 1, Bram Jansen: Complexen met veel ouderen gaan veel meer betalen." in stand
    assert "bedenking van Chantal Pinas: Grote woningen betalen dan te weinig." in stand
    assert "voorkeur van: Dirk Bakker" in stand and "Niemand heeft bezwaar tegen optie 2 en 3." in stand
    assert not NO_TALLY.search(stand), stand

    # Option 2 is amended: a new version in the thread, everyone present is asked again.
    amended = room.say("secretaris", "!optie 2 wijzig Per wijk middelen, met een plafond per huishouden.", root)
    assert "Optie 2 heeft nu versie 2" in amended
    posted = room.bot_message("anna", lambda e: body(e).startswith(f"Nieuwe versie van optie 2 in scenarioronde "
                                                                      f"{number}: versie 2") and in_thread(root)(e))
    assert set(posted["content"]["m.mentions"]["user_ids"]) == {
        room.stack.user_id(n) for n in ("anna", "bram", "chantal", "dirk")}
    for who in ("anna", "bram", "dirk"):
        assert "optie 2 (versie 2)" in room.say(who, "!eens 2", root)
    assert "met een bedenking" in room.say("chantal", "!bedenking 2 Het plafond jaarlijks bijstellen.", root)
    assert "besluitvorming" in room.say("secretaris", "!verder", root)

    assert room.say("anna", "!besluit", root).startswith("Noem de optie waarover de raad het eens is")
    refused = room.say("anna", "!besluit 1", root).splitlines()
    assert refused[0].startswith("Er kan nog geen overeenstemming over optie 1 worden vastgelegd")
    assert "• bezwaar 1 van Bram Jansen staat nog open." in refused
    decided = room.say("anna", "!besluit 2", root)
    assert "de raad is het eens over optie 2 (versie 2)" in decided
    room.bot_message("anna", lambda e: body(e).startswith(f"Overeenstemming in scenarioronde {number}")
                     and in_thread(root)(e))

    entry = room.api.get("/register/scenarios", params={"topic_id": topic_id}).json()[0]
    assert entry["kind"] == "akkoord" and entry["agreed_option"] == 2
    options = {o["option"]: o for o in entry["options"]}
    assert options[2]["text"] == "Per wijk middelen, met een plafond per huishouden." and options[2]["version"] == 2
    assert [o["display_name"] for o in options[1]["open_objections"]] == ["Bram Jansen"]
    assert [c["text"] for c in options[3]["concerns"]] == ["Grote woningen betalen dan te weinig."]
    assert quote(root, safe="") in (entry["thread_url"] or "")  # the decision list links to the thread
    document = room.api.get("/register/export", params={"topic_id": topic_id}).text
    assert f"Scenarioronde {number}: Drie varianten voor de servicekosten {run}" in document
    assert "overeenstemming over optie 2" in document and "bezwaar van Bram Jansen staat" in document
    assert room.api.get(f"/topics/{topic_id}").json()["status"] == "akkoord"
    listed = room.say("dirk", "!besluiten")
    assert "Co-creatie (scenariorondes), nieuwste eerst:" in listed
    assert (f"scenarioronde {number} Drie varianten voor de servicekosten {run} (onderwerp #{topic_id}): "
            "overeenstemming over optie 2") in listed
    assert "optie 1: Servicekosten per complex afrekenen. – bezwaar 1, Bram Jansen: Complexen met veel" in listed


def test_meegedacht_the_councils_view_on_every_option_goes_to_the_board(room: Room):
    run = run_id()
    topic = room.api.post("/topics", json={"title": f"Renovatie Zuid {run}"}).json()
    try:
        number, root = open_scenarios(room, topic["id"], f"Twee routes voor de renovatie {run}")
        room.say("secretaris", "!optie bestuur: Eerst de daken, dan de kozijnen.", root)
        room.say("secretaris", "!optie bestuur: Eerst de kozijnen, dan de daken.", root)
        assert "vanaf de oordeelsvorming" in room.say("secretaris", "!meegedacht", root)
        room.say("secretaris", "!verder", root)
        room.say("anna", "!bezwaar 1 Tocht is voor ouderen erger dan een lekkend dak.", root)
        room.say("bram", "!bedenking 2 Plan de kozijnen niet in de winter.", root)
        room.say("chantal", "!eens 2", root)
        assert "afwezig met bericht voor scenarioronde" in room.say("dirk", "!afmelden", root)
        assert [p["display_name"] for p in room.api.get(f"/scenarios/{number}").json()["absent"]] == ["Dirk Bakker"]
        refused = room.say("anna", "!meegedacht", root)
        assert refused.startswith("Dit kan alleen de secretaris of degene die scenarioronde")
        ended = room.say("secretaris", "!meegedacht De raad ziet meer in de kozijnen eerst.", root)
        assert f"Scenarioronde {number} is afgesloten als ‘meegedacht’" in ended
        summary = room.bot_message("anna", lambda e: body(e).startswith(
            f"Scenarioronde {number} is afgesloten als ‘meegedacht’: Twee routes") and in_thread(root)(e))
        assert "optie 1: Eerst de daken, dan de kozijnen. – er staan bezwaren" in body(summary)
        assert "Anna" not in body(summary)  # the room gets the view per option; the names are in the decision list
        entry = room.api.get("/register/scenarios", params={"topic_id": topic["id"]}).json()[0]
        assert entry["kind"] == "meegedacht" and entry["note"] == "De raad ziet meer in de kozijnen eerst."
        options = {o["option"]: o for o in entry["options"]}
        assert [o["display_name"] for o in options[1]["open_objections"]] == ["Anna de Vries"]
        assert {p["display_name"]: p["position"] for p in options[2]["positions"]} == {
            "Bram Jansen": "bedenking", "Chantal Pinas": "eens"}
        assert room.api.get(f"/topics/{topic['id']}").json()["status"] == "actief"
        assert "is afgesloten" in room.say("dirk", "!eens 2", root)
    finally:
        room.api.post(f"/topics/{topic['id']}/park", json={})


def test_influence_figures_for_a_year_of_topics(room: Room):
    run = run_id()
    expected = {"Servicekosten": 4, "Groen in de wijk": 2, "Huurverhoging": 3}
    ids: dict[str, int] = {}
    for title, score in expected.items():
        topic = room.api.post("/topics", json={"title": f"{title} {run}", "importance": 3, "influence": score}).json()
        # Worked on and finished: activated, then closed (so the agenda's cap stays free for other tests).
        assert room.api.post(f"/topics/{topic['id']}/activate", json={}).status_code == 200
        assert room.api.post(f"/topics/{topic['id']}/close", json={}).status_code == 200
        ids[title] = topic["id"]
    first = room.api.post(f"/topics/{ids['Servicekosten']}/influence",
                          json={"score": 4, "what_changed": "Het bestuur nam de spreiding over.",
                                "basis": "bestuursreactie"})
    assert first.status_code == 201 and first.json()["kind"] == "overgenomen"

    green = ids["Groen in de wijk"]
    recorded = room.say("secretaris", f"!invloed {green} 3 aangepast Meer bomen, maar niet in elke straat.")
    assert f"Genoteerd voor onderwerp #{green} Groen in de wijk {run}: invloed 3 van 5 (aangepast)" in recorded
    assert "Verwacht was 2." in recorded
    assert room.say("anna", f"!invloed {green} 5 Alles.") == "Alleen de secretaris kan !invloed gebruiken."
    assert room.say("secretaris", f"!invloed {green} 9 Alles.") == "Invloed is een getal van 1 tot en met 5."
    assert room.say("secretaris", "!invloed groen").startswith("Zo leg je de invloed vast: !invloed <onderwerp-nr>")

    year = date.today().year
    overview = room.api.get("/influence", params={"year": year}).json()
    rows = {t["topic_id"]: t for t in overview["topics"]}
    mine = [rows[i] for i in ids.values()]
    assert [(t["expected"], t["realised"]) for t in mine] == [(4.0, 4), (2.0, 3), (3.0, None)]
    assert rows[green]["what_changed"] == "Meer bomen, maar niet in elke straat." and rows[green]["difference"] == 1.0
    assert ids["Huurverhoging"] in overview["awaiting"]
    # The averages are over the year's topics (other tests add theirs): consistent with the rows.
    realised = [t["realised"] for t in overview["topics"] if t["realised"] is not None]
    assert overview["averages"]["realised"] == round(sum(realised) / len(realised), 2)

    listing = room.say("secretaris", "!invloed")
    assert f"Invloed van de raad in {year}" in listing and "Gemiddeld: verwacht" in listing
    assert f"#{green} Groen in de wijk {run}: verwacht 2, gerealiseerd 3 (aangepast)" in listing
    assert f"#{ids['Huurverhoging']} Huurverhoging {run}: verwacht 3, gerealiseerd nog niet vastgelegd" in listing
    assert not NO_TALLY.search(listing), listing
    agenda = room.say("anna", "!agenda")
    assert f"Invloed in {year}, gemiddeld: verwacht" in agenda
