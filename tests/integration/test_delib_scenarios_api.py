"""Co-creation over several scenarios and influence on the record, through the deliberation API on a real
database (SQLite, and PostgreSQL in the second pass for the storage-critical ones): options added, amended and
merged, positions per option without a tally, agreement on one option by the consent rule, the "meegedacht"
ending, both in the decision list; realised influence against the expected, per year and on the agenda."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.deliberation import jobs

from test_deliberation_api import ANNA, BRAM, CEES, DIRK, SEC, Council, council, seeded  # noqa: F401 - fixtures

ALL = (ANNA, BRAM, CEES, DIRK)


def key() -> str:
    return f"${uuid.uuid4().hex}"


def open_scenarios(c: Council, title: str = "Drie varianten voor de servicekosten", *, actor: str = SEC,
                   topic_title: str = "Servicekosten 2027") -> dict[str, Any]:
    topic_id = c.topic(topic_title)
    resp = c.bot.post("/scenarios", {"topic_id": topic_id, "title": title, "actor": actor}, key=key())
    assert resp.status_code == 201, resp.json
    return resp.json


def post(c: Council, round_id: int, what: str, body: dict[str, Any], *, k: str | None = None) -> Any:
    return c.bot.post(f"/scenarios/{round_id}/{what}", body, key=k or key())


def say(c: Council, round_id: int, actor: str, option: int, position: str, text: str | None = None) -> Any:
    return post(c, round_id, "positions", {"actor": actor, "option": option, "position": position, "text": text})


def add(c: Council, round_id: int, text: str, source: str = "raad", actor: str = SEC) -> Any:
    return post(c, round_id, "options", {"actor": actor, "text": text, "source": source})


def to_besluitvorming(c: Council, round_id: int) -> None:
    while c.bot.get(f"/scenarios/{round_id}").json["phase"] != "besluitvorming":
        assert post(c, round_id, "phase", {"actor": SEC}).status_code == 200


def no_tally(payload: Any) -> None:
    """Names and texts only: no key in the JSON counts positions."""
    text = repr(payload).lower()
    for word in ("count", "tally", "votes", "n_eens", "agree_count"):
        assert f"'{word}" not in text


@pytest.mark.postgres
def test_three_options_one_objected_one_amended_agreement_on_the_amended_one(seeded: Council):
    c = seeded
    opened = open_scenarios(c)
    n = opened["id"]
    assert opened["thread_key"] == f"delib:scenarios:raad:{n}" and opened["options"] == []
    assert c.bot.get(f"/threads?key=delib:scenarios:raad:{n}").json == {"kind": "scenarios", "id": n,
                                                                        "thread_key": f"delib:scenarios:raad:{n}"}
    # A second scenario round is numbered on its own, per council.
    assert add(c, n, "Servicekosten per complex afrekenen", "bestuur").json["option"] == 1
    assert add(c, n, "Servicekosten per wijk middelen").json["option"] == 2
    third = add(c, n, "Vast bedrag per woning")
    assert third.status_code == 200 and [o["option"] for o in third.json["options"]] == [1, 2, 3]
    assert third.json["options"][0]["source"] == "bestuur"
    assert post(c, n, "phase", {"actor": SEC}).json["phase"] == "oordeelsvorming"
    # Options are added during beeldvorming only.
    late = add(c, n, "Nog een variant")
    assert late.status_code == 409 and late.json["error"] == "delib.scenarios.option.too_late"

    objected = say(c, n, BRAM, 1, "bezwaar", "Complexen met veel ouderen betalen dan veel meer.")
    assert objected.status_code == 200 and objected.json["objection_id"] == 1
    for who in ALL:
        assert say(c, n, who, 2, "eens").status_code == 200
    assert say(c, n, CEES, 3, "bedenking", "Grote woningen betalen te weinig.").status_code == 200
    assert post(c, n, "preference", {"actor": ANNA, "option": 2}).status_code == 200

    status = c.bot.get(f"/scenarios/{n}").json
    no_tally(status)
    one, two, three = status["options"]
    assert [o["display_name"] for o in one["not_responded"]] == ["Anna de Vries", "Cees Pinas", "Dirk Bakker"]
    assert [o["argument"] for o in one["open_objections"]] == ["Complexen met veel ouderen betalen dan veel meer."]
    assert [c_["text"] for c_ in three["concerns"]] == ["Grote woningen betalen te weinig."]
    assert [p["display_name"] for p in two["preferred_by"]] == ["Anna de Vries"]
    assert status["unopposed"] == [2, 3]

    # Option 2 is amended: everyone responds on version 2 again.
    amended = post(c, n, "options/2/versions", {"actor": SEC, "text": "Per wijk middelen, met een plafond."})
    assert amended.status_code == 200 and amended.json["option"] == 2
    two = amended.json["options"][1]
    assert two["version"] == 2 and len(two["not_responded"]) == 4
    to_besluitvorming(c, n)
    refused = post(c, n, "decide", {"actor": SEC, "option": 2})
    assert refused.status_code == 409 and refused.json["error"] == "delib.scenarios.decide.not_ready"
    assert "Anna de Vries" in refused.json["message"] and "optie 2" in refused.json["message"]
    for who in (ANNA, BRAM, DIRK):
        assert say(c, n, who, 2, "eens").status_code == 200
    assert say(c, n, CEES, 2, "bedenking", "Houd het plafond jaarlijks tegen het licht.").status_code == 200
    # Agreement on option 1 cannot be recorded: Bram's objection stands.
    still = post(c, n, "decide", {"actor": SEC, "option": 1})
    assert still.status_code == 409 and "bezwaar 1" in still.json["message"]
    k = key()
    decided = post(c, n, "decide", {"actor": SEC, "option": 2}, k=k)
    assert decided.status_code == 200 and decided.json["state"] == "akkoord" and decided.json["agreed_option"] == 2
    events = len(c.admin.get(f"/scenarios/{n}/events").json)
    again = post(c, n, "decide", {"actor": SEC, "option": 2}, k=k)
    assert again.status_code == 200 and again.json["agreed_option"] == 2
    assert len(c.admin.get(f"/scenarios/{n}/events").json) == events
    assert c.bot.get(f"/topics/{opened['topic_id']}").json["status"] == "akkoord"

    entries = c.bot.get("/register/scenarios").json
    assert len(entries) == 1
    entry = entries[0]
    no_tally(entry)
    assert entry["kind"] == "akkoord" and entry["agreed_option"] == 2
    by_option = {o["option"]: o for o in entry["options"]}
    assert by_option[2]["text"] == "Per wijk middelen, met een plafond." and by_option[2]["version"] == 2
    assert [o["display_name"] for o in by_option[1]["open_objections"]] == ["Bram Jansen"]
    assert [x["text"] for x in by_option[3]["concerns"]] == ["Grote woningen betalen te weinig."]
    assert [x["text"] for x in by_option[2]["concerns"]] == ["Houd het plafond jaarlijks tegen het licht."]
    assert [(o["id"], o["status"]) for o in entry["objections"]] == [(1, "open")]
    document = c.bot.get("/register/export?format=markdown").get_data(as_text=True)
    assert "Scenarioronde 1: Drie varianten voor de servicekosten" in document
    assert "overeenstemming over optie 2" in document and "Complexen met veel ouderen" in document
    html = c.bot.get("/register/export?format=html").get_data(as_text=True)
    assert 'id="scenarios-1"' in html

    thread = [m for m in c.handoff() if m["thread_key"] == f"delib:scenarios:raad:{n}"
              or m["key"] == f"delib:scenarios:raad:{n}"]
    keys = [m["key"] for m in thread]
    assert keys[0] == f"delib:scenarios:raad:{n}"
    assert f"delib:scenarios:raad:{n}:optie:2:v2" in keys and f"delib:scenarios:raad:{n}:besluit" in keys
    assert all("Bram" not in m["body"] for m in thread)  # the room gets no names


@pytest.mark.postgres
def test_meegedacht_sends_every_options_view_and_keeps_the_topic_active(seeded: Council):
    c = seeded
    opened = open_scenarios(c, "Twee routes voor de renovatie", topic_title="Renovatie Zuid")
    n = opened["id"]
    add(c, n, "Eerst de daken", "bestuur")
    add(c, n, "Eerst de kozijnen", "bestuur")
    too_early = post(c, n, "meegedacht", {"actor": SEC})
    assert too_early.status_code == 409 and too_early.json["error"] == "delib.scenarios.input.too_early"
    post(c, n, "phase", {"actor": SEC})
    say(c, n, ANNA, 1, "bezwaar", "Lekkage gaat voor.")
    say(c, n, BRAM, 2, "bedenking", "Tocht is in de winter erg.")
    say(c, n, CEES, 2, "eens")
    member = post(c, n, "meegedacht", {"actor": DIRK})
    assert member.status_code == 403
    ended = post(c, n, "meegedacht", {"actor": SEC, "note": "Het bestuur hoort graag wat de raad vindt."})
    assert ended.status_code == 200 and ended.json["state"] == "meegedacht"
    assert c.bot.get(f"/topics/{opened['topic_id']}").json["status"] == "actief"
    entry = c.bot.get("/register/scenarios").json[0]
    assert entry["kind"] == "meegedacht" and entry["agreed_option"] is None
    assert entry["note"] == "Het bestuur hoort graag wat de raad vindt."
    by_option = {o["option"]: o for o in entry["options"]}
    assert [o["argument"] for o in by_option[1]["open_objections"]] == ["Lekkage gaat voor."]
    assert [x["display_name"] for x in by_option[2]["concerns"]] == ["Bram Jansen"]
    assert {p["display_name"]: p["position"] for p in by_option[2]["positions"]} == {
        "Bram Jansen": "bedenking", "Cees Pinas": "eens"}
    closed = say(c, n, DIRK, 1, "eens")
    assert closed.status_code == 409 and closed.json["error"] == "delib.scenarios.closed"
    document = c.bot.get("/register/export").get_data(as_text=True)
    assert "meegedacht: de mening van de raad over elke optie" in document
    room = [m for m in c.handoff() if m["key"] == f"delib:scenarios:raad:{n}:meegedacht"]
    assert room and "optie 1: Eerst de daken – er staan bezwaren" in room[0]["body"]


def test_options_merge_preferences_and_refusals(seeded: Council):
    c = seeded
    n = open_scenarios(c, actor=ANNA)["id"]
    # The opener adds options too; another member may not.
    assert add(c, n, "Variant A", actor=ANNA).status_code == 200
    refused = add(c, n, "Variant B", actor=BRAM)
    assert refused.status_code == 403 and refused.json["error"] == "delib.scenarios.not_facilitator"
    assert add(c, n, "Variant B").status_code == 200
    assert add(c, n, "variant b").json["error"] == "delib.scenarios.option.duplicate"
    too_few = post(c, n + 1, "phase", {"actor": SEC})
    assert too_few.status_code == 404
    assert add(c, n, "Variant C").status_code == 200
    post(c, n, "phase", {"actor": SEC})
    say(c, n, BRAM, 1, "bezwaar", "A is te duur.")
    post(c, n, "preference", {"actor": CEES, "option": 1})
    merged = post(c, n, "options/merge", {"actor": SEC, "options": [1, 2], "text": "A en B samen, goedkoper."})
    assert merged.status_code == 200 and merged.json["option"] == 4
    status = merged.json
    assert [o["option"] for o in status["options"]] == [3, 4]
    assert status["merged"] == [{"option": 1, "text": "Variant A", "merged_into": 4},
                                {"option": 2, "text": "Variant B", "merged_into": 4}]
    four = status["options"][1]
    # Bram's objection moved along and he is asked again; Cees's preference lapsed.
    assert [(o["id"], o["raised_option"], o["asked_about_version"]) for o in four["open_objections"]] == [(1, 1, 1)]
    assert four["preferred_by"] == []
    gone = say(c, n, ANNA, 1, "eens")
    assert gone.status_code == 409 and gone.json["error"] == "delib.scenarios.option.merged"
    resolved = say(c, n, BRAM, 4, "eens")
    assert resolved.status_code == 200 and resolved.json["options"][1]["open_objections"] == []
    # Bad input: a helpful 4xx, never a 500.
    assert say(c, n, ANNA, 9, "eens").status_code == 404
    assert say(c, n, ANNA, 3, "stemmen").status_code == 422
    assert say(c, n, ANNA, 3, "bezwaar").json["error"].startswith("delib.")
    assert post(c, n, "positions", {"actor": ANNA, "option": 0, "position": "eens"}).status_code == 400
    assert post(c, n, "options/merge", {"actor": SEC, "options": [3], "text": "x"}).json["error"] == \
        "delib.scenarios.merge.two_needed"
    assert c.bot.post("/scenarios", {"topic_id": 99, "title": "x", "actor": SEC}, key=key()).status_code == 404
    empty = c.bot.post("/scenarios", {"topic_id": c.topic("Leeg"), "title": " ", "actor": SEC}, key=key())
    assert empty.status_code == 422 and empty.json["error"] == "delib.scenarios.title_required"
    # A secretary without a seat guides the round and gives no position.
    assert say(c, n, SEC, 3, "eens").status_code == 403
    # Another council does not see this round.
    assert c.bot.get(f"/scenarios/{n}", slug="anders").status_code == 404


@pytest.mark.postgres
def test_influence_on_the_record_expected_against_realised(seeded: Council):
    c = seeded
    year = c.bot.get("/influence").json["year"]
    topics = []
    for title, expected in (("Servicekosten", 4), ("Groen in de wijk", 2), ("Huurverhoging", 3)):
        topic_id = c.topic(title)
        for who in (ANNA, BRAM):
            assert c.bot.post(f"/topics/{topic_id}/score", {"actor": who, "importance": 3, "influence": expected},
                              key=key()).status_code == 200
        assert c.bot.post(f"/topics/{topic_id}/activate", {"actor": SEC}, key=key()).status_code == 200
        topics.append(topic_id)
    k = key()
    recorded = c.bot.post(f"/topics/{topics[0]}/influence",
                          {"actor": SEC, "score": 3, "what_changed": "Het bestuur nam de spreiding over."}, key=k)
    assert recorded.status_code == 201, recorded.json
    assert recorded.json["realised"] == 3 and recorded.json["expected"] == 4.0 and recorded.json["kind"] == "aangepast"
    again = c.bot.post(f"/topics/{topics[0]}/influence",
                       {"actor": SEC, "score": 3, "what_changed": "Het bestuur nam de spreiding over."}, key=k)
    assert len(again.json["records"]) == 1
    assert c.bot.post(f"/topics/{topics[1]}/influence",
                      {"actor": SEC, "score": 4, "kind": "overgenomen", "basis": "realisatietoets",
                       "what_changed": "Meer groen, zoals de raad vroeg."}, key=key()).status_code == 201
    member = c.bot.post(f"/topics/{topics[2]}/influence", {"actor": ANNA, "score": 2, "what_changed": "x"}, key=key())
    assert member.status_code == 403 and member.json["error"] == "delib.api.secretary_only_influence"
    wrong = c.bot.post(f"/topics/{topics[2]}/influence", {"actor": SEC, "score": 7, "what_changed": "x"}, key=key())
    assert wrong.status_code == 422 and "1 tot en met 5" in wrong.json["message"]
    blank = c.bot.post(f"/topics/{topics[2]}/influence", {"actor": SEC, "score": 2, "what_changed": " "}, key=key())
    assert blank.status_code == 422 and blank.json["error"] == "delib.influence.what_changed_required"
    odd = c.bot.post(f"/topics/{topics[2]}/influence", {"actor": SEC, "score": 2, "kind": "half",
                                                         "what_changed": "x"}, key=key())
    assert odd.status_code == 422 and odd.json["error"] == "delib.influence.unknown_kind"

    overview = c.bot.get(f"/influence?year={year}").json
    rows = {t["topic_id"]: t for t in overview["topics"]}
    assert set(rows) == set(topics)
    assert (rows[topics[0]]["expected"], rows[topics[0]]["realised"], rows[topics[0]]["difference"]) == (4.0, 3, -1.0)
    assert (rows[topics[1]]["expected"], rows[topics[1]]["realised"], rows[topics[1]]["kind"]) == (2.0, 4,
                                                                                                   "overgenomen")
    assert rows[topics[2]]["realised"] is None and overview["awaiting"] == [topics[2]]
    assert overview["averages"] == {"expected": 3.0, "realised": 3.5, "difference": 0.5}
    assert overview["per_mode"][0]["mode"] == "cocreatie"
    assert c.bot.get(f"/influence?year={year - 1}").json["topics"] == []
    assert c.bot.get("/influence?year=1999").status_code == 400

    agenda = c.bot.get("/agenda").json
    items = {i["id"]: i for i in agenda["active"]}
    assert (items[topics[0]]["expected_influence"], items[topics[0]]["realised_influence"]) == (4.0, 3)
    assert agenda["influence_year"] == year and agenda["influence"]["realised"] == 3.5

    # The decision list shows what changed because of the council under the topic's decision.
    rnd = c.bot.post("/rounds", {"topic_id": topics[0], "proposal": "Spreiden over drie jaar.", "actor": ANNA},
                     key=key()).json
    for who in ALL:
        c.say(rnd["id"], who, "eens")
    while c.bot.get(f"/rounds/{rnd['id']}").json["phase"] != "besluitvorming":
        c.act(rnd["id"], "phase")
    assert c.act(rnd["id"], "decide").status_code == 200
    entry = c.bot.get("/register").json[0]
    assert [r["what_changed"] for r in entry["influence"]] == ["Het bestuur nam de spreiding over."]
    assert entry["influence"][0]["recorded_by"]["display_name"] == "Secretaris"
    assert "Wat veranderde door de raad" in c.bot.get("/register/export").get_data(as_text=True)


def test_absent_with_notice_for_a_scenario_round_is_not_waited_for(seeded: Council):
    c = seeded
    n = open_scenarios(c)["id"]
    add(c, n, "Variant A")
    add(c, n, "Variant B")
    absent = c.bot.post("/absences", {"actor": DIRK, "scenarios_id": n}, key=key())
    assert absent.status_code in (200, 201), absent.json
    both = c.bot.post("/absences", {"actor": DIRK, "scenarios_id": n, "round_id": 1}, key=key())
    assert both.status_code == 422 and both.json["error"] == "delib.api.occasion_required"
    status = c.bot.get(f"/scenarios/{n}").json
    assert [p["display_name"] for p in status["absent"]] == ["Dirk Bakker"]
    assert "Dirk Bakker" not in {p["display_name"] for p in status["options"][0]["not_responded"]}
    to_besluitvorming(c, n)
    for who in (ANNA, BRAM, CEES):
        say(c, n, who, 1, "eens")
    decided = post(c, n, "decide", {"actor": SEC, "option": 1})
    assert decided.status_code == 200 and decided.json["outcome"]["absent"][0]["display_name"] == "Dirk Bakker"
    late = c.bot.post("/absences", {"actor": ANNA, "scenarios_id": n}, key=key())
    assert late.status_code == 409 and late.json["error"] == "delib.api.scenarios_closed_for_absence"


def test_a_reminder_before_the_deadline_notifies_only_who_has_not_responded_on_every_option(seeded: Council):
    c = seeded
    n = open_scenarios(c)["id"]
    add(c, n, "Variant A")
    add(c, n, "Variant B")
    post(c, n, "phase", {"actor": SEC})
    for option in (1, 2):
        say(c, n, ANNA, option, "eens")
    say(c, n, BRAM, 1, "bezwaar", "Te duur.")  # an objection is an answer on that option, not on option 2
    c.bot.post("/absences", {"actor": DIRK, "scenarios_id": n}, key=key())
    rt, settings = c.runtime, c.settings
    deadline = datetime.fromisoformat(c.bot.get(f"/scenarios/{n}").json["deadline"])
    assert jobs.send_scenario_reminders(rt, settings, now=deadline - timedelta(days=3)) == 0
    assert jobs.send_scenario_reminders(rt, settings, now=deadline - timedelta(hours=2)) == 1
    assert jobs.send_scenario_reminders(rt, settings, now=deadline - timedelta(hours=1)) == 0
    reminders = [m for m in c.handoff() if m["key"] == f"delib:scenarios:raad:{n}:herinnering"]
    assert len(reminders) == 1 and reminders[0]["thread_key"] == f"delib:scenarios:raad:{n}"
    assert sorted(reminders[0]["mentions"]) == [BRAM, CEES]
    assert "Nog open: optie 1, 2." in reminders[0]["body"] and "Bram" not in reminders[0]["body"]


@pytest.mark.postgres
def test_termijn_moves_a_scenario_round_s_deadline_announced_and_the_root_edited(seeded: Council):
    c = seeded
    n = open_scenarios(c)["id"]
    add(c, n, "Variant A")
    add(c, n, "Variant B")
    post(c, n, "phase", {"actor": SEC})
    for option in (1, 2):
        say(c, n, ANNA, option, "eens")
    say(c, n, BRAM, 1, "eens")  # Bram has not responded on option 2 yet
    before = datetime.fromisoformat(c.bot.get(f"/scenarios/{n}").json["deadline"])
    day = (before + timedelta(days=7)).date()
    moved = post(c, n, "deadline", {"actor": SEC, "day": day.isoformat()})
    assert moved.status_code == 200, moved.json
    deadline = datetime.fromisoformat(moved.json["deadline"])
    assert deadline.date() == day and (deadline.hour, deadline.minute) == (23, 59)
    assert datetime.fromisoformat(c.bot.get(f"/scenarios/{n}").json["deadline"]) == deadline  # kept
    thread = f"delib:scenarios:raad:{n}"
    sent = c.handoff()
    told = [m for m in sent if m["key"] == f"{thread}:deadline:{int(deadline.timestamp())}"]
    assert len(told) == 1 and told[0]["thread_key"] == thread and "verplaatst naar" in told[0]["body"]
    assert ANNA not in told[0]["mentions"] and {BRAM, CEES, DIRK} <= set(told[0]["mentions"])  # not on every option
    root = [m for m in sent if m.get("edit_key") == thread]
    assert root and str(day.day) in root[-1]["body"] and "Reageer vóór" in root[-1]["body"]
    # A member may not move it, nor may anyone move it into the past; the reminder follows the new deadline.
    assert post(c, n, "deadline", {"actor": BRAM, "day": day.isoformat()}).status_code == 403
    past = post(c, n, "deadline", {"actor": SEC, "deadline": "2020-01-01T12:00:00+01:00"})
    assert past.status_code == 422 and past.json["error"] == "delib.deadline.not_in_future"
    assert jobs.send_scenario_reminders(c.runtime, c.settings, now=before - timedelta(hours=2)) == 0
    assert jobs.send_scenario_reminders(c.runtime, c.settings, now=deadline - timedelta(hours=2)) == 1
