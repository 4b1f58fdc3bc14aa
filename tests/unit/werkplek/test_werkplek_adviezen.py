"""Adviestrajecten on the werkplek: the timeline with its legal dates, the next steps, and the API body of a step."""
from __future__ import annotations

from datetime import date

import pytest

from services.werkplek.domain.adviezen import next_steps, step_request, timeline
from shared.errors import InvalidInput

TODAY = date(2026, 6, 1)
BASE = {"id": 3, "stage": "ontvangen", "received_on": "2026-04-01", "deadline": "2026-05-13", "round_id": None,
        "agreed_on": None, "agreed_version": None, "sent_on": None, "sent_late": False, "reply_due_on": None,
        "reply": None, "reply_label": None, "reply_on": None, "reply_late": False, "late_deviation": False,
        "reply_overdue": False, "checks": []}


def test_a_fresh_request_shows_its_deadline_missed_and_offers_a_draft():
    steps = timeline(BASE, TODAY)
    assert [s.code for s in steps] == ["ontvangen", "termijn", "concept", "akkoord", "verstuurd"]
    deadline = steps[1]
    assert deadline.legal and deadline.day == date(2026, 5, 13) and deadline.late and not deadline.done
    assert next_steps(BASE) == ("concept",)


def test_a_sent_advice_with_a_reply_and_checks_lists_every_date():
    t = {**BASE, "stage": "toets", "round_id": 7, "agreed_on": "2026-05-01", "agreed_version": 2,
         "sent_on": "2026-05-02", "reply_due_on": "2026-05-16", "reply": "wijktaf", "reply_label": "wijkt af",
         "reply_on": "2026-05-20", "reply_late": True, "late_deviation": True,
         "checks": [{"number": 1, "due_on": "2026-05-25", "outcome": "deels", "outcome_label": "deels",
                     "note": "half gedaan", "checked_on": "2026-05-26"},
                    {"number": 2, "due_on": "2026-09-01", "outcome": None, "outcome_label": None, "note": None,
                     "checked_on": None}]}
    steps = {(s.code, s.number): s for s in timeline(t, TODAY)}
    assert steps[("termijn", None)].done and not steps[("termijn", None)].late
    assert steps[("akkoord", None)].detail == "2"
    due = steps[("reactie_termijn", None)]
    assert due.legal and due.late and due.done and due.day == date(2026, 5, 16)
    assert steps[("reactie", None)].detail == "wijkt af" and steps[("reactie", None)].late
    assert steps[("toets", 1)].detail == "deels — half gedaan" and steps[("toets", 1)].day == date(2026, 5, 26)
    assert not steps[("toets", 2)].done and not steps[("toets", 2)].late
    assert next_steps(t) == ("uitkomst", "toets")
    assert next_steps({**t, "stage": "concept"}) == ()  # a running round is finished in the chat


def test_each_step_becomes_the_chat_commands_api_call():
    actor = "@sec:test"
    assert step_request("concept", {"text": " Wij adviseren ", "day": ""}, actor) == (
        "draft", {"actor": actor, "proposal": "Wij adviseren"})
    assert step_request("verstuurd", {"day": "2026-05-02"}, actor) == ("sent", {"actor": actor, "on": "2026-05-02"})
    assert step_request("reactie", {"kind": "wijktaf", "text": "Geen budget"}, actor) == (
        "reply", {"actor": actor, "kind": "wijktaf", "text": "Geen budget"})
    assert step_request("toets", {"day": "2026-09-01"}, actor) == ("checks", {"actor": actor, "on": "2026-09-01"})
    assert step_request("uitkomst", {"outcome": "niet"}, actor) == ("outcome", {"actor": actor, "outcome": "niet"})


@pytest.mark.parametrize("step, form, code", [
    ("concept", {"text": "  "}, "werkplek.advice.draft_required"),
    ("reactie", {"kind": "misschien"}, "werkplek.advice.reply_kind"),
    ("toets", {}, "werkplek.advice.day_required"),
    ("uitkomst", {"outcome": ""}, "werkplek.advice.outcome"),
    ("concept", {"text": "x" * 20_001}, "werkplek.advice.too_long"),
    ("stemmen", {}, "werkplek.advice.unknown_step"),
])
def test_a_step_the_chat_would_refuse_is_refused_before_asking(step, form, code):
    with pytest.raises(InvalidInput) as err:
        step_request(step, form, "@sec:test")
    assert err.value.code == code
