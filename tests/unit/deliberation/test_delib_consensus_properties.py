"""Property tests: random sequences of commands against the consensus rules."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.deliberation.domain.consensus import (
    CONSENTING_POSITIONS,
    Participants,
    Phase,
    Position,
    Round,
    RoundState,
    open_round,
)
from shared.errors import DomainError

T0 = datetime(2025, 5, 1, 12, 0, tzinfo=timezone.utc)
MEMBERS = ("@a:x.nl", "@b:x.nl", "@c:x.nl", "@d:x.nl")
SEC = "@sec:x.nl"

# Ints a status may hold: ids, the version and the quorum shortfall (a headcount of presence).
ALLOWED_INT_KEYS = {"round_id", "topic_id", "version", "id", "quorum_shortfall"}

# Weighted towards commands that can succeed, so sequences regularly reach agreement.
actor = st.sampled_from(MEMBERS * 3 + (SEC, SEC, "@stranger:y.org"))
text = st.sampled_from(("reden", "andere reden", "nieuwe tekst", "reden", None, ""))
position = st.sampled_from([Position.EENS] * 4 + [Position.BEDENKING, Position.OPZIJ, Position.BEZWAAR,
                                                  Position.BEZWAAR, Position.INFO])
give = st.tuples(st.just("give_position"), actor, position, text)
blind_command = st.one_of(
    give, give, give, give,
    st.tuples(st.just("withdraw_objection"), actor, st.one_of(st.none(), st.integers(1, 4))),
    st.tuples(st.just("resolve_objection"), actor, st.integers(1, 4), text),
    st.tuples(st.just("amend_proposal"), actor, text),
    st.tuples(st.just("advance_phase"), actor),
    st.tuples(st.just("advance_phase"), st.just(SEC)),
    st.tuples(st.just("decide"), actor),
    st.tuples(st.just("decide"), st.just(SEC)),
    st.tuples(st.just("abandon"), st.sampled_from(MEMBERS[1:] * 5 + (SEC,))),  # rarely: it ends the round
)


def informed_commands(r: Round) -> list[tuple]:
    """Commands that fit the state: withdrawing and resolving the objections that are open."""
    steps: list[tuple] = []
    for objection in r.open_objections:
        steps += [("withdraw_objection", objection.member, None),
                  ("resolve_objection", SEC, objection.id, "besproken"),
                  ("resolve_objection", objection.member, None, None)]
    return steps


def run(round_: Round, step: tuple, participants: Participants, quorum: int, at: datetime, key: str):
    name, who, *args = step
    kwargs: dict[str, Any] = {"participants": participants, "at": at, "idempotency_key": key}
    if name == "decide":
        kwargs["quorum"] = quorum
    return getattr(round_, name)(who, *args, **kwargs)


def assert_invariants(r: Round) -> None:
    # A bezwaar on the current version is exactly an open objection raised on it; an older objection stays
    # open only as carried over to the current version, its objector asked and not yet answering otherwise.
    holders = {p.member for p in r.current if p.position is Position.BEZWAAR}
    assert holders == {o.member for o in r.open_objections if o.version == r.version}
    for o in r.open_objections:
        if o.version != r.version:
            assert o.version < r.version and o.asked_about_version == r.version
            assert r.current_position(o.member) is None
    assert len({o.member for o in r.open_objections}) == len(r.open_objections)  # one open objection a member
    assert all(p.version == r.version for p in r.current)
    assert len({p.member for p in r.current}) == len(r.current)


def assert_no_tally(value: Any, key: str | None = None) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            assert "count" not in k and "tally" not in k
            assert_no_tally(v, k)
    elif isinstance(value, list):
        for v in value:
            assert_no_tally(v, key)
    elif isinstance(value, int) and not isinstance(value, bool):
        assert key in ALLOWED_INT_KEYS, f"status holds a number under {key!r}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), absent=st.frozensets(st.sampled_from(MEMBERS), max_size=2), quorum=st.integers(1, 3))
def test_random_command_sequences_keep_the_consensus_rules(data, absent, quorum):
    participants = Participants(members=frozenset(MEMBERS), absent=absent, secretaries=frozenset({SEC}))
    opened = open_round(round_id=1, council_id="k", topic_id=1, opener=MEMBERS[0], proposal="eerste tekst",
                        deadline=T0 + timedelta(days=30), participants=participants, at=T0, idempotency_key="k0")
    state, events = opened.round, list(opened.events)
    applied_keys = ["k0"]

    def plan():
        """Random steps, then every member responds, some objections are handled, then !besluit.
        A generator, so informed steps see the state as it is by then."""
        for _ in range(data.draw(st.integers(0, 30), label="random steps")):
            fitting = informed_commands(state)
            if fitting:
                informed = st.sampled_from(fitting)
                step = data.draw(st.one_of(blind_command, informed, informed))
            else:
                step = data.draw(blind_command)
            yield step, data.draw(st.booleans(), label="reuse key")
        for member in data.draw(st.permutations(MEMBERS), label="response order"):
            yield ("give_position", member, data.draw(position), "reden"), False
        for step in informed_commands(state):
            if data.draw(st.booleans(), label="handle objection"):
                yield step, False
        yield from ((step, False) for step in [("advance_phase", SEC), ("advance_phase", SEC), ("decide", SEC)])

    for i, (step, reuse_key) in enumerate(plan(), start=1):
        at = T0 + timedelta(minutes=i)
        key = applied_keys[i % len(applied_keys)] if reuse_key else f"k{i}"
        before = state
        try:
            result = run(state, step, participants, quorum, at, key)
        except DomainError:
            assert state == before  # a refusal changes nothing
            continue

        if key in before.seen_keys:
            # a repeated Matrix event is a no-op, whatever it asked for
            assert result.duplicate and result.events == () and result.round is before
            continue

        assert not result.duplicate and result.events
        first = before.last_seq + 1
        assert [e.seq for e in result.events] == list(range(first, first + len(result.events)))
        if step[0] == "decide":
            # agreement only without open objections, with every present member consenting, in besluitvorming
            assert before.open_objections == ()
            assert before.phase is Phase.BESLUITVORMING
            for member in participants.present:
                assert before.current_position(member).position in CONSENTING_POSITIONS
            assert len(participants.present) >= quorum
            assert result.round.state is RoundState.AGREED
        state = result.round
        events += result.events
        applied_keys.append(key)
        assert_invariants(state)
        assert run(state, step, participants, quorum, at, key).duplicate  # the same command again

        status = state.status(participants, quorum)
        assert_no_tally(status.to_dict())
        if status.can_record_agreement:
            assert state.open_objections == ()

    # replay from the stored (JSON) events equals the state built command by command
    stored = json.loads(json.dumps([e.to_dict() for e in events]))
    assert Round.replay(stored) == state
    assert Round.replay(events) == state


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(MEMBERS), st.sampled_from([Position.EENS, Position.OPZIJ,
                                                                      Position.BEZWAAR, Position.BEDENKING])),
                min_size=1, max_size=20))
def test_decide_is_never_allowed_while_an_objection_is_open(positions):
    participants = Participants(members=frozenset(MEMBERS), secretaries=frozenset({SEC}))
    r = open_round(round_id=1, council_id="k", topic_id=1, opener=SEC, proposal="tekst",
                   deadline=T0 + timedelta(days=1), participants=participants, at=T0).round
    for _ in range(2):
        r = r.advance_phase(SEC, participants=participants, at=T0).round
    for member, pos in positions:
        r = r.give_position(member, pos, "waarom", participants=participants, at=T0).round
    try:
        r.decide(SEC, participants=participants, quorum=1, at=T0)
    except DomainError as error:
        assert error.code == "delib.decide.not_ready"
        assert error.params["open_objections"] == [o.id for o in r.open_objections]
        assert r.open_objections or any(r.current_position(m) is None for m in MEMBERS)
    else:
        assert r.open_objections == ()
        assert all(r.current_position(m).position in CONSENTING_POSITIONS for m in MEMBERS)
