"""Every transition of a consensus round: what is allowed, what is refused, and that a refusal
changes nothing."""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from services.deliberation.domain.consensus import (
    Agreement,
    CommandResult,
    CorruptEventLog,
    Event,
    EventType,
    FinalPosition,
    NotReadyToDecide,
    ObjectionStatus,
    Participants,
    Phase,
    Position,
    Round,
    RoundState,
    StatusView,
    WithdrawReason,
    members_to_remind,
    no_round_here,
    open_round,
    parse_position,
    round_not_found,
)
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound

CET = timezone(timedelta(hours=1))
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=CET)
ANNA, BRAM, CEES, DIDI = "@anna:woonstad.nl", "@bram:woonstad.nl", "@cees:woonstad.nl", "@didi:woonstad.nl"
SEC = "@secretaris:woonstad.nl"  # external secretary, holds no seat
OUTSIDER = "@buurman:example.org"
MEMBERS = frozenset({ANNA, BRAM, CEES})
P = Participants(members=MEMBERS, secretaries=frozenset({SEC}))


class Play:
    """A round under test: applies commands, keeps the event log, checks replay after each step."""

    def __init__(self, participants: Participants = P, opener: str = ANNA, proposal: str = "Servicekosten per wijk",
                 key: str | None = "$open") -> None:
        self.participants = participants
        self.minutes = 0
        result = open_round(round_id=7, council_id="woonstad", topic_id=12, opener=opener, proposal=proposal,
                            deadline=T0 + timedelta(days=14), participants=participants, at=T0,
                            idempotency_key=key)
        self.events: list[Event] = list(result.events)
        self.round: Round = result.round

    def now(self) -> datetime:
        self.minutes += 1
        return T0 + timedelta(minutes=self.minutes)

    def do(self, command: str, *args: Any, **kwargs: Any) -> CommandResult:
        kwargs.setdefault("participants", self.participants)
        kwargs.setdefault("at", self.now())
        if command == "decide":
            kwargs.setdefault("quorum", 1)
        result = getattr(self.round, command)(*args, **kwargs)
        self.events += result.events
        self.round = result.round
        assert Round.replay(self.events) == self.round
        return result

    def refuse(self, expect_error, kind, code, command: str, *args: Any, **kwargs: Any):
        """The command is refused with ``code`` and the round stays exactly as it was."""
        before = self.round
        kwargs.setdefault("participants", self.participants)
        kwargs.setdefault("at", self.now())
        if command == "decide":
            kwargs.setdefault("quorum", 1)
        error = expect_error(kind, code, getattr(before, command), *args, **kwargs)
        assert self.round == before
        return error

    def to_besluitvorming(self, actor: str = ANNA) -> None:
        while self.round.phase is not Phase.BESLUITVORMING:
            self.do("advance_phase", actor)

    def all_agree(self) -> None:
        for member in sorted(self.participants.present):
            self.do("give_position", member, Position.EENS)


# --------------------------------------------------------------------------- opening


def test_open_round_records_the_proposal_as_version_1_in_beeldvorming():
    play = Play()
    r = play.round
    assert (r.round_id, r.council_id, r.topic_id, r.opener) == (7, "woonstad", 12, ANNA)
    assert (r.phase, r.state, r.version, r.proposal) == (Phase.BEELDVORMING, RoundState.OPEN, 1,
                                                         "Servicekosten per wijk")
    assert r.deadline == T0 + timedelta(days=14)
    assert [e.to_dict() for e in play.events] == [{
        "round_id": 7, "seq": 1, "type": "round_opened", "actor": ANNA, "at": T0.isoformat(),
        "idempotency_key": "$open",
        "data": {"council_id": "woonstad", "topic_id": 12, "proposal": "Servicekosten per wijk",
                 "deadline": (T0 + timedelta(days=14)).isoformat()},
    }]
    assert "$open" in r.seen_keys


def test_a_secretary_without_seat_may_open_a_round():
    assert Play(opener=SEC).round.opener == SEC


def test_open_round_refuses_a_non_member(expect_error):
    expect_error(Forbidden, "delib.not_member", open_round, round_id=1, council_id="w", topic_id=1,
                 opener=OUTSIDER, proposal="x", deadline=T0 + timedelta(days=1), participants=P, at=T0)


@pytest.mark.parametrize("proposal", [None, "", "   \n "])
def test_open_round_needs_a_proposal(expect_error, proposal):
    expect_error(InvalidInput, "delib.proposal.text_required", open_round, round_id=1, council_id="w", topic_id=1,
                 opener=ANNA, proposal=proposal, deadline=T0 + timedelta(days=1), participants=P, at=T0)


def test_open_round_needs_a_deadline_in_the_future(expect_error):
    expect_error(InvalidInput, "delib.deadline.not_in_future", open_round, round_id=1, council_id="w", topic_id=1,
                 opener=ANNA, proposal="x", deadline=T0, participants=P, at=T0)


def test_open_round_refuses_an_overlong_proposal(expect_error):
    expect_error(InvalidInput, "delib.text.too_long", open_round, round_id=1, council_id="w", topic_id=1,
                 opener=ANNA, proposal="x" * 20_001, deadline=T0 + timedelta(days=1), participants=P, at=T0)


def test_naive_datetimes_are_a_programming_error():
    with pytest.raises(ValueError):
        open_round(round_id=1, council_id="w", topic_id=1, opener=ANNA, proposal="x",
                   deadline=datetime(2030, 1, 1), participants=P, at=datetime(2029, 1, 1))


# --------------------------------------------------------------------------- positions


@pytest.mark.parametrize("position,text", [
    (Position.EENS, None), (Position.EENS, "goed plan"), (Position.BEDENKING, "let op ouderen"),
    (Position.OPZIJ, None), (Position.BEZWAAR, "te duur voor lage inkomens"), (Position.INFO, "wat kost het?"),
])
def test_each_position_is_recorded_with_member_text_version_and_time(position, text):
    play = Play()
    result = play.do("give_position", BRAM, position, text)
    record = play.round.current_position(BRAM)
    assert (record.member, record.position, record.text, record.version) == (BRAM, position, text, 1)
    assert record.at == result.events[-1].at
    assert play.round.history == (record,)


@pytest.mark.parametrize("position,code", [
    (Position.BEDENKING, "delib.position.bedenking_needs_text"),
    (Position.BEZWAAR, "delib.position.bezwaar_needs_argument"),
    (Position.INFO, "delib.position.info_needs_question"),
])
@pytest.mark.parametrize("text", [None, "", "   "])
def test_positions_that_need_text_refuse_without(expect_error, position, code, text):
    Play().refuse(expect_error, InvalidInput, code, "give_position", BRAM, position, text)


def test_a_non_member_gets_a_polite_refusal_and_nothing_is_recorded(expect_error):
    play = Play()
    error = play.refuse(expect_error, Forbidden, "delib.not_member", "give_position", OUTSIDER, Position.EENS)
    assert OUTSIDER not in error.log_message
    # the secretary holds no seat: facilitates, but takes no position
    play.refuse(expect_error, Forbidden, "delib.not_member", "give_position", SEC, Position.EENS)


def test_position_words_and_aliases_parse():
    assert parse_position("!eens") is Position.EENS
    assert parse_position("Bedenking") is Position.BEDENKING
    assert parse_position("standaside") is Position.OPZIJ
    assert parse_position("object") is Position.BEZWAAR
    assert parse_position("info") is Position.INFO
    play = Play()
    play.do("give_position", BRAM, "opzij")
    assert play.round.current_position(BRAM).position is Position.OPZIJ


def test_an_unknown_position_word_is_refused(expect_error):
    expect_error(InvalidInput, "delib.position.unknown", parse_position, "!misschien")


def test_a_member_may_change_position_and_the_history_keeps_every_change():
    play = Play()
    play.do("give_position", BRAM, Position.OPZIJ)
    play.do("give_position", BRAM, Position.BEDENKING, "de planning is krap")
    play.do("give_position", BRAM, Position.EENS)
    assert play.round.current_position(BRAM).position is Position.EENS
    assert [r.position for r in play.round.history_of(BRAM)] == [Position.OPZIJ, Position.BEDENKING, Position.EENS]
    assert play.round.history_of(BRAM)[1].text == "de planning is krap"


def test_an_objection_becomes_an_open_item_with_an_id():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    objection = play.round.objection(1)
    assert (objection.id, objection.member, objection.argument, objection.version, objection.status) == \
        (1, BRAM, "te duur", 1, ObjectionStatus.OPEN)
    assert play.round.current_position(BRAM).objection_id == 1


def test_changing_from_bezwaar_to_another_position_withdraws_the_objection():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    result = play.do("give_position", BRAM, Position.OPZIJ)
    assert [e.type for e in result.events] == [EventType.OBJECTION_WITHDRAWN, EventType.POSITION_GIVEN]
    assert play.round.objection(1).status is ObjectionStatus.WITHDRAWN
    assert play.round.objection(1).withdraw_reason is WithdrawReason.POSITION_CHANGED
    assert play.round.current_position(BRAM).position is Position.OPZIJ
    assert play.round.open_objections == ()


def test_a_new_bezwaar_replaces_the_members_open_objection():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur en te snel")
    assert play.round.objection(1).withdraw_reason is WithdrawReason.REPLACED
    assert [(o.id, o.argument) for o in play.round.open_objections] == [(2, "te duur en te snel")]


@pytest.mark.parametrize("phase_steps", [1, 2])
def test_info_sends_the_round_back_to_beeldvorming(phase_steps):
    play = Play()
    for _ in range(phase_steps):
        play.do("advance_phase", ANNA)
    result = play.do("give_position", CEES, Position.INFO, "Wat kost het per maand?")
    assert play.round.phase is Phase.BEELDVORMING
    assert result.events[-1].data == {"from": ("oordeelsvorming", "besluitvorming")[phase_steps - 1],
                                      "to": "beeldvorming", "reason": "info"}
    status = play.round.status(P, quorum=1)
    assert [(i.member, i.question) for i in status.info_requested] == [(CEES, "Wat kost het per maand?")]


def test_info_in_beeldvorming_changes_no_phase():
    play = Play()
    result = play.do("give_position", CEES, Position.INFO, "Wat kost het?")
    assert [e.type for e in result.events] == [EventType.POSITION_GIVEN]


# --------------------------------------------------------------------------- objections


def test_the_objector_withdraws_with_intrekken_and_is_asked_again():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("withdraw_objection", BRAM)
    objection = play.round.objection(1)
    assert objection.status is ObjectionStatus.WITHDRAWN
    assert objection.withdraw_reason is WithdrawReason.INTREKKEN
    assert (objection.closed_by, objection.closed_at) == (BRAM, play.events[-1].at)
    assert play.round.current_position(BRAM) is None
    assert BRAM in play.round.status(P, quorum=1).not_responded


def test_withdraw_by_id_works_for_the_objector():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("withdraw_objection", BRAM, 1)
    assert play.round.objection(1).status is ObjectionStatus.WITHDRAWN


def test_only_the_objector_may_withdraw(expect_error):
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.refuse(expect_error, Forbidden, "delib.objection.not_yours", "withdraw_objection", CEES, 1)
    play.refuse(expect_error, Forbidden, "delib.objection.not_yours", "withdraw_objection", ANNA, 1)


def test_withdraw_without_open_objection_is_refused(expect_error):
    play = Play()
    play.refuse(expect_error, NotFound, "delib.objection.none_open", "withdraw_objection", BRAM)
    play.refuse(expect_error, NotFound, "delib.objection.not_found", "withdraw_objection", BRAM, 5)


def test_withdraw_twice_is_refused(expect_error):
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("withdraw_objection", BRAM)
    play.refuse(expect_error, NotFound, "delib.objection.none_open", "withdraw_objection", BRAM)
    error = play.refuse(expect_error, Conflict, "delib.objection.not_open", "withdraw_objection", BRAM, 1)
    assert "ingetrokken" in error.user_message("nl") and "withdrawn" in error.user_message("en")


def test_a_non_member_cannot_withdraw(expect_error):
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.refuse(expect_error, Forbidden, "delib.not_member", "withdraw_objection", OUTSIDER, 1)


@pytest.mark.parametrize("resolver", [SEC, ANNA])  # secretary, opener
def test_secretary_or_opener_resolves_an_objection_with_a_note(resolver):
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("resolve_objection", resolver, 1, "Besproken: kosten worden gespreid over drie jaar.")
    objection = play.round.objection(1)
    assert objection.status is ObjectionStatus.RESOLVED
    assert objection.note == "Besproken: kosten worden gespreid over drie jaar."
    assert objection.closed_by == resolver
    assert play.round.current_position(BRAM) is None  # Bram confirms with a new position


def test_resolving_needs_a_note_and_the_right_person(expect_error):
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.refuse(expect_error, InvalidInput, "delib.objection.note_required", "resolve_objection", SEC, 1, " ")
    play.refuse(expect_error, Forbidden, "delib.not_facilitator", "resolve_objection", CEES, 1, "opgelost")
    play.refuse(expect_error, Forbidden, "delib.not_member", "resolve_objection", OUTSIDER, 1, "opgelost")
    play.refuse(expect_error, NotFound, "delib.objection.not_found", "resolve_objection", SEC, 9, "opgelost")
    play.do("resolve_objection", SEC, 1, "opgelost")
    play.refuse(expect_error, Conflict, "delib.objection.not_open", "resolve_objection", SEC, 1, "nog eens")


# --------------------------------------------------------------------------- amending the proposal


def test_amending_makes_a_new_version_and_everyone_responds_again():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("give_position", CEES, Position.EENS)
    play.do("amend_proposal", ANNA, "Servicekosten per wijk, gespreid over drie jaar")
    r = play.round
    assert (r.version, r.proposal) == (2, "Servicekosten per wijk, gespreid over drie jaar")
    assert [p.version for p in r.proposals] == [1, 2]
    assert r.current == ()
    # Bram's objection stands for him until he answers; everyone else responds again.
    assert r.status(P, quorum=1).not_responded == tuple(sorted(MEMBERS - {BRAM}))
    assert [h.version for h in r.history] == [1, 1]  # the old positions stay in the history


def test_a_new_version_does_not_drop_an_objection_it_asks_the_objector():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("amend_proposal", ANNA, "Gespreid over drie jaar")
    objection = play.round.objection(1)
    assert objection.is_open and objection.asked_about_version == 2
    [shown] = play.round.status(P, quorum=1).open_objections
    assert (shown.id, shown.member, shown.version, shown.asked_about_version) == (1, BRAM, 1, 2)
    # Until Bram answers, his objection carries over and blocks agreement.
    for member in MEMBERS - {BRAM}:
        play.do("give_position", member, Position.EENS)
    play.do("advance_phase", ANNA)
    play.do("advance_phase", ANNA)
    with pytest.raises(NotReadyToDecide):
        play.do("decide", SEC)


def test_the_objector_says_the_new_version_resolves_it():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("amend_proposal", ANNA, "Gespreid over drie jaar")
    play.do("resolve_objection", BRAM, None, "Met de spreiding kan ik leven.")
    objection = play.round.objection(1)
    assert objection.status is ObjectionStatus.RESOLVED_BY_AMENDMENT
    assert (objection.closed_by, objection.note, objection.resolved_in_version) == (
        BRAM, "Met de spreiding kan ik leven.", 2)
    assert BRAM in play.round.status(P, quorum=1).not_responded  # he still gives his position on version 2


def test_the_objector_agreeing_with_the_new_version_resolves_the_objection_by_it():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("amend_proposal", ANNA, "Gespreid over drie jaar")
    play.do("give_position", BRAM, Position.EENS)
    objection = play.round.objection(1)
    assert objection.status is ObjectionStatus.RESOLVED_BY_AMENDMENT and objection.resolved_in_version == 2
    assert play.round.current_position(BRAM).position is Position.EENS


def test_the_secretary_s_note_after_a_new_version_is_kept():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("amend_proposal", ANNA, "Gespreid over drie jaar")
    play.do("resolve_objection", SEC, 1, "Besproken in de vergadering van 3 maart.")
    objection = play.round.objection(1)
    assert objection.status is ObjectionStatus.RESOLVED and objection.note == "Besproken in de vergadering van 3 maart."


def test_an_old_log_whose_amendment_closed_objections_replays_as_recorded():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("amend_proposal", ANNA, "Gespreid over drie jaar")
    events = [e.to_dict() for e in play.events]
    for event in events:  # as stored before objections carried over
        event["data"].pop("carry_objections", None)
    objection = Round.replay(events).objection(1)
    assert objection.status is ObjectionStatus.RESOLVED_BY_AMENDMENT and objection.closed_by == ANNA


def test_the_objector_may_object_again_on_the_new_version():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("amend_proposal", SEC, "Nieuwe tekst")
    play.do("give_position", BRAM, Position.BEZWAAR, "nog steeds te duur")
    assert [(o.id, o.version) for o in play.round.open_objections] == [(2, 2)]


def test_amending_is_refused_when_it_changes_nothing_or_comes_from_the_wrong_person(expect_error):
    play = Play()
    play.refuse(expect_error, Conflict, "delib.proposal.unchanged", "amend_proposal", ANNA,
                "  Servicekosten per wijk ")
    play.refuse(expect_error, InvalidInput, "delib.proposal.text_required", "amend_proposal", ANNA, "")
    play.refuse(expect_error, Forbidden, "delib.not_facilitator", "amend_proposal", BRAM, "Andere tekst")
    play.refuse(expect_error, Forbidden, "delib.not_member", "amend_proposal", OUTSIDER, "Andere tekst")


def test_an_opener_who_left_the_council_no_longer_facilitates(expect_error):
    play = Play()
    play.participants = Participants(members=MEMBERS - {ANNA}, secretaries=frozenset({SEC}))
    play.refuse(expect_error, Forbidden, "delib.not_member", "advance_phase", ANNA)
    play.do("advance_phase", SEC)


# --------------------------------------------------------------------------- phases and deadline


def test_phases_advance_in_order_and_stop_at_besluitvorming(expect_error):
    play = Play()
    play.do("advance_phase", ANNA)
    assert play.round.phase is Phase.OORDEELSVORMING
    play.do("advance_phase", SEC)
    assert play.round.phase is Phase.BESLUITVORMING
    play.refuse(expect_error, Conflict, "delib.phase.last", "advance_phase", ANNA)


def test_only_secretary_or_opener_advances_the_phase(expect_error):
    play = Play()
    play.refuse(expect_error, Forbidden, "delib.not_facilitator", "advance_phase", BRAM)
    play.refuse(expect_error, Forbidden, "delib.not_member", "advance_phase", OUTSIDER)


def test_the_deadline_can_be_moved_by_a_facilitator(expect_error):
    play = Play()
    new = T0 + timedelta(days=21)
    play.do("set_deadline", SEC, new)
    assert play.round.deadline == new
    play.refuse(expect_error, InvalidInput, "delib.deadline.not_in_future", "set_deadline", SEC, T0)
    play.refuse(expect_error, Forbidden, "delib.not_facilitator", "set_deadline", CEES, new)


def test_status_says_whether_the_deadline_passed():
    play = Play()
    assert not play.round.status(P, 1, now=T0 + timedelta(days=13)).deadline_passed
    assert play.round.status(P, 1, now=T0 + timedelta(days=15)).deadline_passed


# --------------------------------------------------------------------------- recording agreement


def test_decide_records_agreement_with_final_text_version_positions_and_concerns():
    participants = Participants(members=MEMBERS | {DIDI}, absent=frozenset({DIDI}), secretaries=frozenset({SEC}))
    play = Play(participants)
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("amend_proposal", ANNA, "Gespreid over drie jaar")
    play.do("give_position", ANNA, Position.EENS)
    play.do("give_position", BRAM, Position.BEDENKING, "volg de kosten per jaar")
    play.do("give_position", CEES, Position.OPZIJ)
    play.to_besluitvorming()
    at = T0 + timedelta(days=2)
    result = play.do("decide", SEC, quorum=3, at=at, idempotency_key="$besluit")
    agreement = result.agreement
    assert agreement == Agreement(
        round_id=7, council_id="woonstad", topic_id=12, text="Gespreid over drie jaar", version=2,
        decided_at=at, decided_by=SEC,
        positions=(FinalPosition(ANNA, Position.EENS, None),
                   FinalPosition(BRAM, Position.BEDENKING, "volg de kosten per jaar"),
                   FinalPosition(CEES, Position.OPZIJ, None)),
        absent=(DIDI,),
    )
    assert agreement.decided_on == at.date()
    assert agreement.concerns == (FinalPosition(BRAM, Position.BEDENKING, "volg de kosten per jaar"),)
    assert play.round.state is RoundState.AGREED and play.round.agreement == agreement
    assert Agreement.from_dict(json.loads(json.dumps(agreement.to_dict()))) == agreement


def test_decide_refused_while_an_objection_is_open(expect_error):
    play = Play()
    play.do("give_position", ANNA, Position.EENS)
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("give_position", CEES, Position.EENS)
    play.to_besluitvorming()
    error = play.refuse(expect_error, NotReadyToDecide, "delib.decide.not_ready", "decide", ANNA)
    assert error.params["open_objections"] == [1]
    assert error.params["open_objection_members"] == [BRAM]
    assert error.params["not_responded"] == [] and error.params["quorum_shortfall"] == 0
    assert error.params["phase"] is None
    assert "bezwaar 1" in error.user_message("nl")
    assert isinstance(error, Conflict) and error.status == 409


def test_decide_lists_exactly_what_is_missing(expect_error):
    participants = Participants(members=MEMBERS | {DIDI}, absent=frozenset({CEES}), secretaries=frozenset({SEC}))
    play = Play(participants)
    play.do("give_position", ANNA, Position.BEZWAAR, "onduidelijk")
    play.do("give_position", BRAM, Position.INFO, "wie betaalt?")
    error = play.refuse(expect_error, NotReadyToDecide, "delib.decide.not_ready", "decide", ANNA, quorum=5)
    assert error.params == {
        "round_id": 7, "not_responded": [DIDI], "open_objections": [1], "open_objection_members": [ANNA],
        "info_pending": [BRAM], "quorum": 5, "present": 3, "quorum_shortfall": 2, "phase": "beeldvorming",
    }
    text = error.user_message("nl")
    for fragment in (DIDI, "bezwaar 1", BRAM, "nodig zijn er 5", "beeldvorming"):
        assert fragment in text
    assert CEES not in text  # absent with notice: not expected to respond


def test_decide_refused_while_a_present_member_has_not_responded(expect_error):
    play = Play()
    play.do("give_position", ANNA, Position.EENS)
    play.do("give_position", BRAM, Position.EENS)
    play.to_besluitvorming()
    error = play.refuse(expect_error, NotReadyToDecide, "delib.decide.not_ready", "decide", ANNA)
    assert error.params["not_responded"] == [CEES]


def test_decide_refused_on_quorum_shortfall(expect_error):
    participants = Participants(members=MEMBERS, absent=frozenset({CEES}))
    play = Play(participants)
    play.all_agree()
    play.to_besluitvorming()
    error = play.refuse(expect_error, NotReadyToDecide, "delib.decide.not_ready", "decide", ANNA, quorum=3)
    assert (error.params["quorum_shortfall"], error.params["not_responded"]) == (1, [])
    play.do("decide", ANNA, quorum=2)
    assert play.round.state is RoundState.AGREED


def test_decide_refused_outside_besluitvorming(expect_error):
    play = Play()
    play.all_agree()
    play.do("advance_phase", ANNA)
    error = play.refuse(expect_error, NotReadyToDecide, "delib.decide.not_ready", "decide", ANNA)
    assert error.params["phase"] == "oordeelsvorming"


def test_decide_refused_for_a_non_member(expect_error):
    play = Play()
    play.all_agree()
    play.to_besluitvorming()
    play.refuse(expect_error, Forbidden, "delib.not_member", "decide", OUTSIDER)


def test_positions_of_an_older_version_do_not_count():
    play = Play()
    play.all_agree()
    play.do("amend_proposal", ANNA, "Tweede versie")
    play.to_besluitvorming()
    with pytest.raises(NotReadyToDecide) as info:
        play.round.decide(ANNA, participants=P, quorum=1, at=play.now())
    assert info.value.params["not_responded"] == sorted(MEMBERS)


# --------------------------------------------------------------------------- closing


def closed_play(how: str) -> Play:
    play = Play()
    if how == "agreed":
        play.all_agree()
        play.to_besluitvorming()
        play.do("decide", ANNA)
    else:
        play.do("abandon", SEC, "Onderwerp is van tafel")
    return play


@pytest.mark.parametrize("how,code", [("agreed", "delib.round.closed_agreed"),
                                      ("abandoned", "delib.round.closed_abandoned")])
@pytest.mark.parametrize("command,args", [
    ("give_position", (BRAM, Position.EENS)),
    ("give_position", (OUTSIDER, Position.EENS)),
    ("withdraw_objection", (BRAM,)),
    ("resolve_objection", (SEC, 1, "x")),
    ("amend_proposal", (ANNA, "nieuwe tekst")),
    ("advance_phase", (ANNA,)),
    ("set_deadline", (ANNA, T0 + timedelta(days=30))),
    ("decide", (ANNA,)),
    ("abandon", (ANNA,)),
])
def test_a_closed_round_refuses_every_command(expect_error, how, code, command, args):
    closed_play(how).refuse(expect_error, Conflict, code, command, *args)


def test_abandon_records_the_reason_and_is_for_facilitators_only(expect_error):
    play = Play()
    play.refuse(expect_error, Forbidden, "delib.not_facilitator", "abandon", BRAM)
    play.do("abandon", ANNA, "  Geen steun  ")
    assert (play.round.state, play.round.close_reason, play.round.closed_by) == \
        (RoundState.ABANDONED, "Geen steun", ANNA)
    assert play.round.agreement is None


# --------------------------------------------------------------------------- idempotency


def test_the_same_matrix_event_twice_is_a_duplicate_and_adds_nothing():
    play = Play()
    first = play.do("give_position", BRAM, Position.EENS, idempotency_key="$evt1")
    assert not first.duplicate and len(first.events) == 1
    again = play.do("give_position", BRAM, Position.EENS, idempotency_key="$evt1")
    assert again.duplicate and again.events == () and again.round is first.round
    # the key survives a replay from the store
    replayed = Round.replay([e.to_dict() for e in play.events])
    assert replayed.give_position(BRAM, Position.EENS, participants=P, at=T0 + timedelta(hours=1),
                                  idempotency_key="$evt1").duplicate


def test_a_repeated_besluit_after_agreement_is_a_duplicate_not_an_error():
    play = Play()
    play.all_agree()
    play.to_besluitvorming()
    play.do("decide", ANNA, idempotency_key="$besluit")
    assert play.do("decide", ANNA, idempotency_key="$besluit").duplicate


def test_every_event_of_a_command_carries_its_key():
    play = Play()
    play.do("advance_phase", ANNA)
    play.do("give_position", BRAM, Position.BEZWAAR, "x")
    result = play.do("give_position", BRAM, Position.INFO, "vraag", idempotency_key="$k")
    assert len(result.events) == 3 and {e.idempotency_key for e in result.events} == {"$k"}


def test_a_refused_command_leaves_no_key_behind(expect_error):
    play = Play()
    play.refuse(expect_error, InvalidInput, "delib.position.bezwaar_needs_argument", "give_position", BRAM,
                Position.BEZWAAR, "", idempotency_key="$k")
    assert "$k" not in play.round.seen_keys
    assert not play.do("give_position", BRAM, Position.BEZWAAR, "reden", idempotency_key="$k").duplicate


# --------------------------------------------------------------------------- status and reminders


def test_status_shows_names_and_texts_never_a_tally():
    participants = Participants(members=MEMBERS | {DIDI}, absent=frozenset({DIDI}))
    play = Play(participants)
    play.do("give_position", ANNA, Position.BEDENKING, "planning is krap")
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    status = play.round.status(participants, quorum=2)
    assert status.not_responded == (CEES,)
    assert [(c.member, c.text) for c in status.concerns] == [(ANNA, "planning is krap")]
    assert [(o.id, o.member, o.argument) for o in status.open_objections] == [(1, BRAM, "te duur")]
    assert status.can_record_agreement is False
    fields = {f.name for f in dataclasses.fields(StatusView)}
    assert fields == {"round_id", "topic_id", "state", "phase", "version", "proposal", "deadline",
                      "deadline_passed", "not_responded", "concerns", "open_objections", "info_requested",
                      "quorum_shortfall", "can_record_agreement"}
    assert not any(word in name for name in fields for word in ("count", "tally", "total", "aantal", "votes"))
    json.dumps(status.to_dict())


def test_status_says_when_agreement_can_be_recorded():
    play = Play()
    play.all_agree()
    assert not play.round.status(P, 1).can_record_agreement  # still beeldvorming
    play.to_besluitvorming()
    assert play.round.status(P, 1).can_record_agreement
    play.do("decide", ANNA)
    closed = play.round.status(P, 1)
    assert not closed.can_record_agreement and closed.not_responded == () and closed.state is RoundState.AGREED


def test_members_to_remind_are_only_those_who_have_not_responded():
    play = Play()
    play.do("give_position", ANNA, Position.EENS)
    play.do("give_position", BRAM, Position.INFO, "wanneer?")
    assert members_to_remind(play.round, [ANNA, BRAM, CEES]) == (CEES,)
    assert members_to_remind(play.round, [ANNA, BRAM]) == ()
    play.do("amend_proposal", ANNA, "Versie 2")
    assert members_to_remind(play.round, P.present) == tuple(sorted(MEMBERS))
    play.do("abandon", ANNA)
    assert members_to_remind(play.round, P.present) == ()


# --------------------------------------------------------------------------- events and replay


def test_events_round_trip_through_json_and_replay_to_the_same_state():
    play = Play()
    play.do("give_position", BRAM, Position.BEZWAAR, "te duur")
    play.do("advance_phase", ANNA)
    play.do("resolve_objection", SEC, 1, "besproken")
    play.do("amend_proposal", ANNA, "versie 2")
    play.do("set_deadline", SEC, T0 + timedelta(days=30))
    play.all_agree()
    play.to_besluitvorming()
    play.do("decide", ANNA, idempotency_key="$b")
    stored = json.loads(json.dumps([e.to_dict() for e in play.events]))
    assert [Event.from_dict(d) for d in stored] == play.events
    assert Round.replay(stored) == play.round
    assert [e.seq for e in play.events] == list(range(1, len(play.events) + 1))


def test_replay_refuses_a_broken_event_log():
    play = Play()
    play.do("give_position", BRAM, Position.EENS)
    opened, given = play.events
    with pytest.raises(CorruptEventLog):
        Round.replay([])
    with pytest.raises(CorruptEventLog):
        Round.replay([given])
    with pytest.raises(CorruptEventLog):
        Round.replay([opened, given, given])
    with pytest.raises(CorruptEventLog):
        Round.replay([opened, dataclasses.replace(given, round_id=8)])
    with pytest.raises(CorruptEventLog):
        Round.replay([opened, dataclasses.replace(opened, seq=2)])


def test_event_data_must_be_json():
    event = Event(round_id=1, seq=1, type=EventType.ROUND_OPENED, actor=ANNA, at=T0, data={"x": {1, 2}})
    with pytest.raises(TypeError):
        event.to_dict()


def test_store_and_bot_helpers_carry_codes(expect_error):
    def raise_(error):
        raise error
    expect_error(NotFound, "delib.round.not_found", raise_, round_not_found(99))
    expect_error(InvalidInput, "delib.round.none_here", raise_, no_round_here())


def test_the_agreement_lists_the_members_of_the_day_only():
    play = Play(Participants(members=MEMBERS | {DIDI}, secretaries=frozenset({SEC})))
    play.all_agree()
    play.participants = P  # Didi's term ended during the round
    play.to_besluitvorming()
    result = play.do("decide", SEC, idempotency_key="$b")
    assert [p.member for p in result.agreement.positions] == sorted(MEMBERS)
    assert DIDI in {r.member for r in play.round.history}
    assert play.do("decide", SEC, idempotency_key="$b").agreement == result.agreement
