"""Scenario rounds: one consensus round over several options, transition by transition; a refusal
changes nothing; the status names people and texts and never counts."""
from __future__ import annotations

import json
import re
import string
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from services.deliberation.domain import influence, scenarios
from services.deliberation.domain.consensus import (
    CorruptEventLog,
    ObjectionStatus,
    Participants,
    Phase,
    Position,
    WithdrawReason,
)
from services.deliberation.domain.messages import CATALOG as DELIB_CATALOG
from services.deliberation.domain.scenarios import (
    CATALOG,
    MAX_OPTIONS,
    OptionNotReady,
    OptionSource,
    ScenarioEvent,
    ScenarioEventType,
    ScenarioOutcome,
    ScenarioResult,
    ScenarioRound,
    ScenarioState,
    open_scenarios,
    parse_option_number,
    scenario_round_not_found,
)
from shared import i18n
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound

i18n.register(CATALOG)  # the lead registers it with the domain's messages; until then, here

CET = timezone(timedelta(hours=1))
T0 = datetime(2026, 3, 2, 19, 30, tzinfo=CET)
ANNA, BRAM, CEES, DIDI = "@anna:woonstad.nl", "@bram:woonstad.nl", "@cees:woonstad.nl", "@didi:woonstad.nl"
SEC = "@secretaris:woonstad.nl"
OUTSIDER = "@buurman:example.org"
MEMBERS = frozenset({ANNA, BRAM, CEES})
P = Participants(members=MEMBERS, secretaries=frozenset({SEC}))

OPTION_A = "Servicekosten per complex afrekenen"
OPTION_B = "Eén vast bedrag per woning"
OPTION_C = "Per wijk afrekenen, gespreid over drie jaar"


class Play:
    """A scenario round under test: applies commands, keeps the event log, checks replay after each step."""

    def __init__(self, participants: Participants = P, opener: str = SEC, options: tuple[str, ...] = (),
                 key: str | None = "$open") -> None:
        self.participants = participants
        self.minutes = 0
        result = open_scenarios(round_id=3, council_id="woonstad", topic_id=12, title="Servicekosten 2027",
                                opener=opener, participants=participants, at=T0, idempotency_key=key)
        self.events: list[ScenarioEvent] = list(result.events)
        self.round: ScenarioRound = result.round
        for text in options:
            self.do("add_option", opener, text)

    def now(self) -> datetime:
        self.minutes += 1
        return T0 + timedelta(minutes=self.minutes)

    def _kwargs(self, command: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs.setdefault("participants", self.participants)
        kwargs.setdefault("at", self.now())
        if command == "decide":
            kwargs.setdefault("quorum", 1)
        return kwargs

    def do(self, command: str, *args: Any, **kwargs: Any) -> ScenarioResult:
        result = getattr(self.round, command)(*args, **self._kwargs(command, kwargs))
        self.events += result.events
        self.round = result.round
        assert ScenarioRound.replay(self.events) == self.round
        assert ScenarioRound.replay(json.loads(json.dumps([e.to_dict() for e in self.events]))) == self.round
        return result

    def refuse(self, expect_error, kind, code, command: str, *args: Any, **kwargs: Any):
        before = self.round
        error = expect_error(kind, code, getattr(before, command), *args, **self._kwargs(command, kwargs))
        assert self.round == before
        return error

    def to_phase(self, phase: Phase, actor: str = SEC) -> None:
        while self.round.phase is not phase:
            self.do("advance_phase", actor)

    def status(self, quorum: int = 1):
        return self.round.status(self.participants, quorum)


def three_options(**kwargs: Any) -> Play:
    return Play(options=(OPTION_A, OPTION_B, OPTION_C), **kwargs)


# --------------------------------------------------------------------------- opening and options


def test_open_records_topic_title_and_opener_in_beeldvorming_without_options():
    play = Play()
    r = play.round
    assert (r.round_id, r.council_id, r.topic_id, r.title, r.opener) == (3, "woonstad", 12, "Servicekosten 2027",
                                                                          SEC)
    assert (r.phase, r.state, r.options, r.deadline) == (Phase.BEELDVORMING, ScenarioState.OPEN, (), None)
    assert [e.to_dict() for e in play.events] == [{
        "round_id": 3, "seq": 1, "type": "scenarios_opened", "actor": SEC, "at": T0.isoformat(),
        "idempotency_key": "$open",
        "data": {"council_id": "woonstad", "topic_id": 12, "title": "Servicekosten 2027", "deadline": None}}]


def test_open_refusals(expect_error):
    base = dict(round_id=1, council_id="w", topic_id=1, participants=P, at=T0)
    expect_error(Forbidden, "delib.not_member", open_scenarios, title="x", opener=OUTSIDER, **base)
    for title in (None, "", "  "):
        expect_error(InvalidInput, "delib.scenarios.title_required", open_scenarios, title=title, opener=ANNA,
                     **base)
    expect_error(InvalidInput, "delib.text.too_long", open_scenarios, title="x" * 201, opener=ANNA, **base)
    expect_error(InvalidInput, "delib.deadline.not_in_future", open_scenarios, title="x", opener=ANNA,
                 deadline=T0, **base)
    with pytest.raises(ValueError):
        open_scenarios(title="x", opener=ANNA, **{**base, "at": datetime(2026, 1, 1)})


def test_a_deadline_is_kept_and_shown_as_passed():
    result = open_scenarios(round_id=1, council_id="w", topic_id=1, title="x", opener=ANNA, participants=P,
                            at=T0, deadline=T0 + timedelta(days=7))
    r = result.round
    assert r.deadline == T0 + timedelta(days=7)
    assert r.status(P, 1, now=T0 + timedelta(days=8)).deadline_passed
    assert not r.status(P, 1, now=T0 + timedelta(days=1)).deadline_passed


def test_options_get_numbers_sources_and_a_first_version():
    play = Play()
    play.do("add_option", SEC, OPTION_A, "bestuur")
    play.do("add_option", SEC, OPTION_B, OptionSource.BESTUUR)
    play.do("add_option", SEC, f"  {OPTION_C}\r\n")
    opts = play.round.options
    assert [(o.number, o.text, o.version, o.source) for o in opts] == [
        (1, OPTION_A, 1, OptionSource.BESTUUR), (2, OPTION_B, 1, OptionSource.BESTUUR),
        (3, OPTION_C, 1, OptionSource.RAAD)]
    assert play.events[1].data == {"option": 1, "text": OPTION_A, "source": "bestuur"}


def test_the_opener_who_is_a_member_may_add_options_but_another_member_may_not(expect_error):
    play = Play(opener=ANNA)
    play.do("add_option", ANNA, OPTION_A)
    play.do("add_option", SEC, OPTION_B)
    play.refuse(expect_error, Forbidden, "delib.scenarios.not_facilitator", "add_option", BRAM, OPTION_C)
    play.refuse(expect_error, Forbidden, "delib.not_member", "add_option", OUTSIDER, OPTION_C)


def test_option_text_rules(expect_error):
    play = Play(options=(OPTION_A,))
    play.refuse(expect_error, InvalidInput, "delib.scenarios.option.text_required", "add_option", SEC, " ")
    play.refuse(expect_error, InvalidInput, "delib.text.too_long", "add_option", SEC, "x" * 4_001)
    play.refuse(expect_error, Conflict, "delib.scenarios.option.duplicate", "add_option", SEC, OPTION_A.upper())
    play.refuse(expect_error, InvalidInput, "delib.scenarios.option.unknown_source", "add_option", SEC, "x",
                "gemeente")


def test_options_only_in_beeldvorming(expect_error):
    play = Play(options=(OPTION_A, OPTION_B))
    play.do("advance_phase", SEC)
    error = play.refuse(expect_error, Conflict, "delib.scenarios.option.too_late", "add_option", SEC, OPTION_C)
    assert "oordeelsvorming" in error.user_message("nl")


def test_at_most_nine_open_options_and_merging_makes_room(expect_error):
    play = Play(options=tuple(f"Scenario {i}" for i in range(1, MAX_OPTIONS + 1)))
    play.refuse(expect_error, Conflict, "delib.scenarios.option.too_many", "add_option", SEC, "Scenario 10")
    play.do("merge_options", SEC, [1, 2], "Scenario 1 en 2")
    play.do("add_option", SEC, "Scenario 11")
    assert [o.number for o in play.round.open_options] == [3, 4, 5, 6, 7, 8, 9, 10, 11]


def test_the_round_needs_two_options_before_leaving_beeldvorming(expect_error):
    play = Play(options=(OPTION_A,))
    play.refuse(expect_error, Conflict, "delib.scenarios.phase.two_options_needed", "advance_phase", SEC)
    play.do("add_option", SEC, OPTION_B)
    play.do("advance_phase", SEC)
    play.do("advance_phase", SEC)
    play.refuse(expect_error, Conflict, "delib.scenarios.phase.last", "advance_phase", SEC)
    play.refuse(expect_error, Forbidden, "delib.scenarios.not_facilitator", "abandon", BRAM)


def test_parse_option_number(expect_error):
    assert parse_option_number("2") == 2
    assert parse_option_number(" #3 ") == 3
    assert parse_option_number("optie 4") == 4
    assert parse_option_number(5) == 5
    for word in ("twee", "0", "", "-1"):
        expect_error(InvalidInput, "delib.scenarios.option.number_needed", parse_option_number, word)


def test_not_found_helpers_render():
    assert "7" in scenario_round_not_found(7).user_message("nl")
    assert isinstance(scenario_round_not_found(7), NotFound)


# --------------------------------------------------------------------------- positions per option


@pytest.mark.parametrize("position,text", [
    (Position.EENS, None), (Position.BEDENKING, "let op ouderen"), (Position.OPZIJ, None),
    (Position.BEZWAAR, "te duur voor lage inkomens"), (Position.INFO, "wat kost het per maand?"),
])
def test_a_position_is_recorded_per_option(position, text):
    play = three_options()
    play.do("give_position", BRAM, 2, position, text)
    record = play.round.current_position(BRAM, 2)
    assert (record.member, record.option, record.position, record.text, record.version) == (BRAM, 2, position,
                                                                                             text, 1)
    assert play.round.current_position(BRAM, 1) is None and play.round.current_position(BRAM, 3) is None


@pytest.mark.parametrize("position,code", [
    (Position.BEDENKING, "delib.position.bedenking_needs_text"),
    (Position.BEZWAAR, "delib.position.bezwaar_needs_argument"),
    (Position.INFO, "delib.position.info_needs_question"),
])
def test_positions_that_need_text_refuse_without(expect_error, position, code):
    three_options().refuse(expect_error, InvalidInput, code, "give_position", BRAM, 1, position, "  ")


def test_position_refusals(expect_error):
    play = three_options()
    play.refuse(expect_error, Forbidden, "delib.not_member", "give_position", OUTSIDER, 1, Position.EENS)
    play.refuse(expect_error, Forbidden, "delib.not_member", "give_position", SEC, 1, Position.EENS)
    play.refuse(expect_error, NotFound, "delib.scenarios.option.not_found", "give_position", BRAM, 9, "eens")
    play.refuse(expect_error, InvalidInput, "delib.position.unknown", "give_position", BRAM, 1, "misschien")
    play.refuse(expect_error, InvalidInput, "delib.scenarios.option.number_needed", "give_position", BRAM, "twee",
                "eens")
    play.refuse(expect_error, InvalidInput, "delib.scenarios.option.number_needed", "merge_options", SEC,
                ["1", "x"], "samen")
    play.do("give_position", BRAM, "2", "eens")  # the bot may pass the word as typed
    assert play.round.current_position(BRAM, 2).position is Position.EENS


def test_a_new_position_replaces_ones_own_on_that_option_only():
    play = three_options()
    play.do("give_position", BRAM, 1, "opzij")
    play.do("give_position", BRAM, 2, "eens")
    play.do("give_position", BRAM, 1, Position.BEDENKING, "planning is krap")
    assert play.round.current_position(BRAM, 1).position is Position.BEDENKING
    assert play.round.current_position(BRAM, 2).position is Position.EENS
    assert [r.position for r in play.round.history if r.member == BRAM] == [Position.OPZIJ, Position.EENS,
                                                                            Position.BEDENKING]


def test_objections_are_items_per_option_and_a_member_may_object_to_several_options():
    play = three_options()
    play.do("give_position", BRAM, 1, Position.BEZWAAR, "te duur")
    play.do("give_position", BRAM, 2, Position.BEZWAAR, "onrechtvaardig")
    assert [(o.id, o.option, o.member, o.argument) for o in play.round.open_objections] == [
        (1, 1, BRAM, "te duur"), (2, 2, BRAM, "onrechtvaardig")]
    # a new bezwaar on option 1 replaces his objection there, not the one on option 2
    play.do("give_position", BRAM, 1, Position.BEZWAAR, "te duur en te snel")
    assert play.round.objection(1).withdraw_reason is WithdrawReason.REPLACED
    assert [o.id for o in play.round.open_objections] == [2, 3]
    # another position on option 2 withdraws the objection there
    result = play.do("give_position", BRAM, 2, Position.OPZIJ)
    assert [e.type for e in result.events] == [ScenarioEventType.OBJECTION_WITHDRAWN,
                                               ScenarioEventType.POSITION_GIVEN]
    assert play.round.objection(2).withdraw_reason is WithdrawReason.POSITION_CHANGED


def test_info_on_an_option_sends_the_round_back_to_beeldvorming_and_options_may_be_added_again():
    play = three_options()
    play.to_phase(Phase.BESLUITVORMING)
    result = play.do("give_position", CEES, 2, Position.INFO, "Wat kost optie 2 per maand?")
    assert play.round.phase is Phase.BEELDVORMING
    assert result.events[-1].data == {"from": "besluitvorming", "to": "beeldvorming", "reason": "info"}
    assert [(i.member, i.question) for i in play.status().option(2).info_requested] == [
        (CEES, "Wat kost optie 2 per maand?")]
    play.do("add_option", SEC, "Een vierde scenario")


# --------------------------------------------------------------------------- preferences


def test_a_preference_is_one_per_member_and_shown_as_names(expect_error):
    play = three_options()
    play.do("prefer", BRAM, 2)
    play.do("prefer", ANNA, 2)
    play.do("prefer", CEES, 3)
    play.do("prefer", BRAM, 3)  # replaces his earlier preference
    status = play.status()
    assert status.option(2).preferred_by == (ANNA,)
    assert status.option(3).preferred_by == (BRAM, CEES)
    assert play.round.preference_of(BRAM) == 3
    play.refuse(expect_error, Conflict, "delib.scenarios.preference.unchanged", "prefer", BRAM, 3)
    play.refuse(expect_error, Forbidden, "delib.not_member", "prefer", SEC, 1)
    play.refuse(expect_error, NotFound, "delib.scenarios.option.not_found", "prefer", BRAM, 7)
    play.do("prefer", BRAM, None)
    assert play.round.preference_of(BRAM) is None
    play.refuse(expect_error, NotFound, "delib.scenarios.preference.none", "prefer", BRAM, None)


def test_a_preference_is_not_a_position_and_does_not_count_towards_agreement():
    play = three_options()
    play.to_phase(Phase.BESLUITVORMING)
    for member in MEMBERS:
        play.do("prefer", member, 1)
    assert play.status().option(1).not_responded == tuple(sorted(MEMBERS))
    with pytest.raises(OptionNotReady):
        play.do("decide", SEC, 1)


# --------------------------------------------------------------------------- amending and merging


def test_amending_an_option_resets_its_positions_and_asks_the_objector():
    play = three_options()
    play.do("give_position", BRAM, 3, Position.BEZWAAR, "drie jaar is te kort")
    play.do("give_position", CEES, 3, Position.EENS)
    play.do("give_position", CEES, 1, Position.EENS)
    play.do("amend_option", SEC, 3, "Per wijk afrekenen, gespreid over vijf jaar")
    r = play.round
    assert (r.option(3).version, r.option(3).text) == (2, "Per wijk afrekenen, gespreid over vijf jaar")
    assert r.positions_on(3) == ()
    assert r.current_position(CEES, 1).position is Position.EENS  # other options keep their positions
    objection = r.objection(1)
    assert objection.is_open and objection.asked_about_version == 2 and objection.raised_version == 1
    status = play.status()
    assert status.option(3).not_responded == (ANNA, CEES)  # Bram's objection is his standing answer
    [shown] = status.option(3).open_objections
    assert (shown.id, shown.member, shown.asked_about_version) == (1, BRAM, 2)


def test_the_objector_agreeing_with_the_new_version_resolves_it_by_amendment():
    play = three_options()
    play.do("give_position", BRAM, 3, Position.BEZWAAR, "drie jaar is te kort")
    play.do("amend_option", SEC, 3, "Gespreid over vijf jaar")
    result = play.do("give_position", BRAM, 3, Position.EENS)
    assert [e.type for e in result.events] == [ScenarioEventType.OBJECTION_RESOLVED,
                                               ScenarioEventType.POSITION_GIVEN]
    assert play.round.objection(1).status is ObjectionStatus.RESOLVED_BY_AMENDMENT
    assert play.round.current_position(BRAM, 3).version == 2


def test_amend_refusals(expect_error):
    play = three_options()
    play.refuse(expect_error, Conflict, "delib.scenarios.option.unchanged", "amend_option", SEC, 1, OPTION_A)
    play.refuse(expect_error, InvalidInput, "delib.scenarios.option.text_required", "amend_option", SEC, 1, "")
    play.refuse(expect_error, Conflict, "delib.scenarios.option.duplicate", "amend_option", SEC, 1, OPTION_B)
    play.refuse(expect_error, Forbidden, "delib.scenarios.not_facilitator", "amend_option", BRAM, 1, "x")
    play.refuse(expect_error, NotFound, "delib.scenarios.option.not_found", "amend_option", SEC, 4, "x")


def test_merging_closes_the_merged_options_and_carries_their_objections_over():
    play = three_options()
    play.do("give_position", BRAM, 1, Position.BEZWAAR, "te duur")
    play.do("give_position", CEES, 2, Position.BEZWAAR, "onrechtvaardig")
    play.do("give_position", ANNA, 1, Position.EENS)
    play.do("prefer", ANNA, 1)
    play.do("prefer", CEES, 3)
    play.do("merge_options", SEC, [2, 1], "Per complex, met een vast minimum per woning")
    r = play.round
    new = r.option(4)
    assert (new.text, new.merged_from, new.source, new.version) == (
        "Per complex, met een vast minimum per woning", (1, 2), OptionSource.RAAD, 1)
    assert (r.option(1).merged_into, r.option(2).merged_into, r.option(3).merged_into) == (4, 4, None)
    assert [(o.id, o.option, o.raised_option, o.asked_about_version) for o in r.open_objections] == [
        (1, 4, 1, 1), (2, 4, 2, 1)]
    assert r.positions_on(1) == () and r.preference_of(ANNA) is None and r.preference_of(CEES) == 3
    status = play.status()
    assert [o.option for o in status.options] == [3, 4]
    assert [(m.option, m.merged_into) for m in status.merged] == [(1, 4), (2, 4)]
    assert status.unopposed == (3,)
    assert status.option(4).not_responded == (ANNA,)


def test_a_merged_option_takes_no_more_positions(expect_error):
    play = three_options()
    play.do("merge_options", SEC, [1, 2], "Samen")
    error = play.refuse(expect_error, Conflict, "delib.scenarios.option.merged", "give_position", BRAM, 1, "eens")
    assert error.params["merged_into"] == 4
    play.refuse(expect_error, Conflict, "delib.scenarios.option.merged", "amend_option", SEC, 2, "nieuw")
    play.refuse(expect_error, Conflict, "delib.scenarios.option.merged", "merge_options", SEC, [1, 3], "nieuw")
    play.refuse(expect_error, Conflict, "delib.scenarios.option.merged", "prefer", BRAM, 2)


def test_merge_refusals(expect_error):
    play = three_options()
    play.refuse(expect_error, InvalidInput, "delib.scenarios.merge.two_needed", "merge_options", SEC, [1, 1], "x")
    play.refuse(expect_error, InvalidInput, "delib.scenarios.option.text_required", "merge_options", SEC, [1, 2],
                None)
    play.refuse(expect_error, Conflict, "delib.scenarios.option.duplicate", "merge_options", SEC, [1, 2],
                OPTION_C)
    play.refuse(expect_error, Forbidden, "delib.scenarios.not_facilitator", "merge_options", CEES, [1, 2], "x")


def test_merging_the_boards_scenarios_keeps_them_the_boards():
    play = Play()
    play.do("add_option", SEC, OPTION_A, "bestuur")
    play.do("add_option", SEC, OPTION_B, "bestuur")
    play.do("merge_options", SEC, [1, 2], "Beide van het bestuur")
    assert play.round.option(3).source is OptionSource.BESTUUR


def test_an_objector_with_two_carried_objections_answers_both_at_once():
    play = three_options()
    play.do("give_position", BRAM, 1, Position.BEZWAAR, "te duur")
    play.do("give_position", BRAM, 2, Position.BEZWAAR, "onrechtvaardig")
    play.do("merge_options", SEC, [1, 2], "Samen")
    play.refuse(lambda kind, code, fn, *a, **k: _expect(kind, code, fn, *a, **k), InvalidInput,
                "delib.scenarios.objection.which", "withdraw_objection", BRAM)
    play.do("give_position", BRAM, 4, Position.OPZIJ)
    assert [o.status for o in play.round.objections] == [ObjectionStatus.RESOLVED_BY_AMENDMENT] * 2
    assert play.round.open_objections == ()


def _expect(kind, code, fn, *args, **kwargs):
    with pytest.raises(kind) as info:
        fn(*args, **kwargs)
    assert info.value.code == code
    assert "1, 2" in info.value.user_message("nl")
    return info.value


# --------------------------------------------------------------------------- objections


def test_withdraw_and_resolve_per_option(expect_error):
    play = three_options()
    play.do("give_position", BRAM, 1, Position.BEZWAAR, "te duur")
    play.do("give_position", BRAM, 2, Position.BEZWAAR, "onrechtvaardig")
    play.refuse(expect_error, InvalidInput, "delib.scenarios.objection.which", "withdraw_objection", BRAM)
    play.do("withdraw_objection", BRAM, option=2)
    assert play.round.objection(2).withdraw_reason is WithdrawReason.INTREKKEN
    assert play.round.current_position(BRAM, 2) is None
    play.refuse(expect_error, Forbidden, "delib.scenarios.objection.not_yours", "withdraw_objection", CEES, 1)
    play.refuse(expect_error, NotFound, "delib.scenarios.objection.none_open", "withdraw_objection", CEES)
    play.refuse(expect_error, NotFound, "delib.scenarios.objection.not_found", "withdraw_objection", BRAM, 9)
    play.refuse(expect_error, Conflict, "delib.objection.not_open", "withdraw_objection", BRAM, 2)
    play.refuse(expect_error, InvalidInput, "delib.scenarios.objection.note_required", "resolve_objection", SEC,
                1, " ")
    play.refuse(expect_error, Forbidden, "delib.scenarios.not_facilitator", "resolve_objection", CEES, 1, "ok")
    play.do("resolve_objection", SEC, 1, "Besproken: spreiding over drie jaar.")
    objection = play.round.objection(1)
    assert (objection.status, objection.note, objection.closed_by) == (
        ObjectionStatus.RESOLVED, "Besproken: spreiding over drie jaar.", SEC)


def test_the_objector_resolves_their_own_without_a_note():
    play = three_options()
    play.do("give_position", BRAM, 1, Position.BEZWAAR, "te duur")
    play.do("resolve_objection", BRAM, None)
    assert play.round.objection(1).status is ObjectionStatus.RESOLVED
    assert BRAM in play.status().option(1).not_responded


# --------------------------------------------------------------------------- deciding


def test_the_scenario_from_the_issue_objection_amendment_agreement_on_the_amended_option():
    """Three options; option 1 draws an objection, option 3 is amended, agreement lands on amended 3."""
    play = three_options()
    play.do("give_position", BRAM, 1, Position.BEZWAAR, "te duur voor huurders met een laag inkomen")
    play.do("give_position", ANNA, 1, Position.EENS)
    play.do("give_position", CEES, 2, Position.BEDENKING, "vast bedrag is niet eerlijk voor kleine woningen")
    play.do("give_position", BRAM, 3, Position.BEZWAAR, "drie jaar is te kort")
    play.do("prefer", ANNA, 3)
    play.to_phase(Phase.OORDEELSVORMING)
    play.do("amend_option", SEC, 3, "Per wijk afrekenen, gespreid over vijf jaar")
    status = play.status()
    assert status.unopposed == (2,)
    assert [o.member for o in status.option(1).open_objections] == [BRAM]
    assert [(c.member, c.text) for c in status.option(2).concerns] == [
        (CEES, "vast bedrag is niet eerlijk voor kleine woningen")]
    assert status.option(3).preferred_by == (ANNA,)
    play.do("give_position", BRAM, 3, Position.EENS)  # the new version resolves his objection
    play.do("give_position", ANNA, 3, Position.OPZIJ)
    play.do("give_position", CEES, 3, Position.BEDENKING, "let op de huurtoeslaggrens")
    play.to_phase(Phase.BESLUITVORMING)
    assert play.status().decidable == (3,)
    error = pytest.raises(OptionNotReady, play.do, "decide", SEC, 1).value
    assert error.params["open_objection_members"] == [BRAM] and error.params["option"] == 1
    result = play.do("decide", ANNA, 3)
    r = play.round
    assert r.state is ScenarioState.AGREED and not r.is_open
    outcome = result.outcome
    assert (outcome.kind, outcome.agreed_option, outcome.decided_by) == (ScenarioState.AGREED, 3, ANNA)
    agreed = outcome.agreed
    assert (agreed.text, agreed.version) == ("Per wijk afrekenen, gespreid over vijf jaar", 2)
    assert [(p.member, p.position) for p in agreed.positions] == [
        (ANNA, Position.OPZIJ), (BRAM, Position.EENS), (CEES, Position.BEDENKING)]
    assert [(c.member, c.text) for c in agreed.concerns] == [(CEES, "let op de huurtoeslaggrens")]
    # the other options are in the record too, with the objections that stood
    option_1 = next(o for o in outcome.options if o.option == 1)
    assert [(o.member, o.argument) for o in option_1.open_objections] == [
        (BRAM, "te duur voor huurders met een laag inkomen")]
    assert ScenarioOutcome.from_dict(json.loads(json.dumps(outcome.to_dict()))) == outcome
    agreement = outcome.as_agreement()  # the existing decision register takes it as it is
    assert (agreement.text, agreement.version, agreement.topic_id, agreement.decided_by) == (
        "Per wijk afrekenen, gespreid over vijf jaar", 2, 12, ANNA)
    assert [c.member for c in agreement.concerns] == [CEES]
    register_objections = [o.as_objection() for o in r.objections]
    assert [(o.id, o.version, o.status, o.resolved_in_version) for o in register_objections] == [
        (1, 1, ObjectionStatus.OPEN, None), (2, 1, ObjectionStatus.RESOLVED_BY_AMENDMENT, 2)]
    assert r.status(P, 1).agreed_option == 3 and r.status(P, 1).options[0].not_responded == ()


def test_decide_says_per_option_what_is_missing(expect_error):
    play = three_options(participants=Participants(members=MEMBERS | {DIDI}, absent=frozenset({DIDI}),
                                                   secretaries=frozenset({SEC})))
    play.do("give_position", ANNA, 2, Position.INFO, "wat kost het?")
    play.do("give_position", BRAM, 2, Position.BEZWAAR, "te duur")
    error = play.refuse(expect_error, OptionNotReady, "delib.scenarios.decide.not_ready", "decide", SEC, 2,
                        quorum=4)
    assert error.params["not_responded"] == [CEES]  # Didi is excused
    assert error.params["info_pending"] == [ANNA]
    assert error.params["open_objections"] == [1]
    assert error.params["quorum_shortfall"] == 1 and error.params["phase"] == "beeldvorming"
    text = error.user_message("nl")
    assert "optie 2" in text and CEES in text and "bezwaar 1" in text and "beeldvorming" in text
    assert "option 2" in error.user_message("en")
    play.refuse(expect_error, Forbidden, "delib.not_member", "decide", OUTSIDER, 2)
    play.refuse(expect_error, NotFound, "delib.scenarios.option.not_found", "decide", SEC, 8)


def test_not_in_chat_members_are_not_waited_for():
    participants = Participants(members=MEMBERS | {DIDI}, not_in_chat=frozenset({DIDI}),
                                secretaries=frozenset({SEC}))
    play = three_options(participants=participants)
    play.to_phase(Phase.BESLUITVORMING)
    for member in MEMBERS:
        play.do("give_position", member, 2, Position.EENS)
    assert play.status().decidable == (2,)
    assert DIDI not in play.status().option(1).not_responded


def test_after_agreement_or_stop_nothing_changes(expect_error):
    play = three_options()
    play.to_phase(Phase.BESLUITVORMING)
    for member in MEMBERS:
        play.do("give_position", member, 1, Position.EENS)
    play.do("decide", SEC, 1)
    error = play.refuse(expect_error, Conflict, "delib.scenarios.closed", "give_position", BRAM, 2, "eens")
    assert "overeenstemming" in error.user_message("nl")
    play.refuse(expect_error, Conflict, "delib.scenarios.closed", "end_as_input", SEC)
    stopped = three_options()
    stopped.do("abandon", SEC, "Bestuur trekt de scenario's terug")
    assert (stopped.round.state, stopped.round.close_reason) == (ScenarioState.ABANDONED,
                                                                 "Bestuur trekt de scenario's terug")
    stopped.refuse(expect_error, Conflict, "delib.scenarios.closed", "add_option", SEC, "x")


# --------------------------------------------------------------------------- meegedacht


def test_meegedacht_records_every_options_view_for_the_board(expect_error):
    play = three_options()
    play.refuse(expect_error, Conflict, "delib.scenarios.input.too_early", "end_as_input", SEC)
    play.do("give_position", BRAM, 1, Position.BEZWAAR, "te duur")
    play.do("give_position", ANNA, 1, Position.EENS)
    play.do("give_position", CEES, 2, Position.BEDENKING, "niet eerlijk voor kleine woningen")
    play.do("give_position", ANNA, 2, Position.OPZIJ)
    play.do("prefer", ANNA, 1)
    play.do("merge_options", SEC, [2, 3], "Per wijk, met een vast minimum")
    play.to_phase(Phase.OORDEELSVORMING)
    play.refuse(expect_error, Forbidden, "delib.scenarios.not_facilitator", "end_as_input", BRAM)
    result = play.do("end_as_input", SEC, "De raad ziet het meest in optie 4; optie 1 stuit op bezwaar.")
    r = play.round
    assert r.state is ScenarioState.INPUT
    outcome = result.outcome
    assert (outcome.kind, outcome.agreed_option, outcome.note) == (
        ScenarioState.INPUT, None, "De raad ziet het meest in optie 4; optie 1 stuit op bezwaar.")
    by_number = {o.option: o for o in outcome.options}
    assert sorted(by_number) == [1, 2, 3, 4]
    assert [(o.member, o.argument) for o in by_number[1].open_objections] == [(BRAM, "te duur")]
    assert [(p.member, p.position) for p in by_number[1].positions] == [(ANNA, Position.EENS),
                                                                        (BRAM, Position.BEZWAAR)]
    assert by_number[1].preferred_by == (ANNA,)
    assert (by_number[2].merged_into, by_number[3].merged_into, by_number[4].merged_from) == (4, 4, (2, 3))
    assert by_number[2].positions == ()  # cleared by the merge: the council's view is on option 4
    assert outcome.as_agreement() is None  # input for the board, not a decision
    assert ScenarioOutcome.from_dict(json.loads(json.dumps(outcome.to_dict()))) == outcome


def test_meegedacht_keeps_concerns_per_option():
    play = three_options()
    play.to_phase(Phase.BESLUITVORMING)
    play.do("give_position", CEES, 3, Position.BEDENKING, "let op de huurtoeslaggrens")
    outcome = play.do("end_as_input", SEC).outcome
    [option_3] = [o for o in outcome.options if o.option == 3]
    assert [(c.member, c.text) for c in option_3.concerns] == [(CEES, "let op de huurtoeslaggrens")]


# --------------------------------------------------------------------------- idempotency and replay


def test_a_repeated_message_is_a_no_op():
    play = three_options()
    first = play.do("give_position", BRAM, 1, "eens", idempotency_key="$evt1")
    again = play.do("give_position", BRAM, 1, "bezwaar", "x", idempotency_key="$evt1")
    assert again.duplicate and again.events == () and again.round == first.round
    assert play.do("add_option", SEC, "Nog een", idempotency_key="$open").duplicate


def test_events_are_numbered_and_replay_checks_them():
    play = three_options()
    play.do("give_position", BRAM, 1, Position.BEZWAAR, "te duur")
    assert [e.seq for e in play.events] == list(range(1, len(play.events) + 1))
    raw = [e.to_dict() for e in play.events]
    with pytest.raises(CorruptEventLog):
        ScenarioRound.replay(raw[1:])
    with pytest.raises(CorruptEventLog):
        ScenarioRound.replay(raw[:2] + raw[3:])
    with pytest.raises(CorruptEventLog):
        ScenarioRound.replay([])
    with pytest.raises(CorruptEventLog):
        ScenarioRound.replay([raw[0], {**raw[1], "round_id": 99}])


def test_to_remind_lists_the_options_each_member_has_not_answered():
    play = three_options()
    play.do("give_position", BRAM, 1, "eens")
    play.do("give_position", BRAM, 2, Position.BEZWAAR, "nee")
    assert play.round.to_remind(MEMBERS) == {ANNA: (1, 2, 3), BRAM: (3,), CEES: (1, 2, 3)}
    for option in (1, 2, 3):
        for member in MEMBERS - {BRAM}:
            play.do("give_position", member, option, "opzij")
    play.do("give_position", BRAM, 3, "eens")
    assert play.round.to_remind(MEMBERS) == {}


# --------------------------------------------------------------------------- the status never counts


def test_status_shows_names_texts_and_the_options_nobody_objects_to():
    play = three_options()
    play.do("give_position", BRAM, 1, Position.BEZWAAR, "te duur")
    play.do("give_position", ANNA, 2, Position.EENS)
    status = play.status()
    assert status.unopposed == (2, 3)
    assert status.option(1).not_responded == (ANNA, CEES)
    assert status.option(2).not_responded == (BRAM, CEES)
    assert status.option(1).unopposed is False
    dumped = json.dumps(status.to_dict())
    for word in ("count", "tally", "aantal", "votes", "stemmen"):
        assert word not in dumped


# --------------------------------------------------------------------------- texts


CODE = re.compile(r"""["'](delib\.[a-z0-9_.]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_code_the_new_modules_raise_has_a_dutch_and_english_text():
    known = {**DELIB_CATALOG["nl"], **CATALOG["nl"]}
    for module in (scenarios, influence):
        source = Path(module.__file__).read_text(encoding="utf-8").split("CATALOG: dict")[0]
        codes = {c for c in CODE.findall(source) if not c.endswith(".")}
        assert codes and sorted(c for c in codes if c not in known) == []
    assert set(CATALOG["nl"]) == set(CATALOG["en"])
    assert not set(CATALOG["nl"]) & set(DELIB_CATALOG["nl"])  # no clash with the existing catalog
    for code in CATALOG["nl"]:
        assert _placeholders(CATALOG["nl"][code]) == _placeholders(CATALOG["en"][code]), code
    labels = {"delib.scenario_state.": ScenarioState, "delib.option_source.": OptionSource,
              "delib.influence_kind.": influence.InfluenceKind,
              "delib.influence_basis.": influence.InfluenceBasis}
    for prefix, enum in labels.items():
        for lang in ("nl", "en"):
            assert [v.value for v in enum if f"{prefix}{v.value}" not in CATALOG[lang]] == []
