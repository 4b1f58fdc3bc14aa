"""Property tests: random sequences of commands against the rules of a scenario round."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from services.deliberation.domain.consensus import CONSENTING_POSITIONS, Participants, Phase, Position
from services.deliberation.domain.scenarios import (
    CATALOG,
    MAX_OPTIONS,
    ScenarioRound,
    ScenarioState,
    open_scenarios,
)
from shared import i18n
from shared.errors import DomainError

i18n.register(CATALOG)

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
MEMBERS = ("@a:x.nl", "@b:x.nl", "@c:x.nl", "@d:x.nl")
SEC = "@sec:x.nl"

# Ints a status or outcome may hold: ids, option numbers and versions, and the quorum shortfall (presence).
ALLOWED_INT_KEYS = {"round_id", "topic_id", "option", "version", "id", "quorum_shortfall", "merged_into",
                    "merged_from", "unopposed", "decidable", "agreed_option", "raised_option", "raised_version",
                    "asked_about_version"}

actor = st.sampled_from(MEMBERS * 3 + (SEC, SEC, "@stranger:y.org"))
option = st.integers(1, 6)
text = st.sampled_from(("reden", "andere reden", "nieuwe tekst", "reden", None, ""))
option_text = st.sampled_from(("scenario A", "scenario B", "scenario C", "scenario D", "", None))
position = st.sampled_from([Position.EENS] * 4 + [Position.BEDENKING, Position.OPZIJ, Position.BEZWAAR,
                                                  Position.BEZWAAR, Position.INFO])
give = st.tuples(st.just("give_position"), actor, option, position, text)
blind_command = st.one_of(
    give, give, give, give,
    st.tuples(st.just("add_option"), st.just(SEC), option_text),
    st.tuples(st.just("add_option"), actor, option_text),
    st.tuples(st.just("amend_option"), st.sampled_from((SEC, MEMBERS[0])), option, option_text),
    st.tuples(st.just("merge_options"), st.just(SEC), st.lists(option, max_size=3), option_text),
    st.tuples(st.just("prefer"), actor, st.one_of(st.none(), option)),
    st.tuples(st.just("withdraw_objection"), actor, st.one_of(st.none(), st.integers(1, 5))),
    st.tuples(st.just("resolve_objection"), actor, st.integers(1, 5), text),
    st.tuples(st.just("advance_phase"), st.just(SEC)),
    st.tuples(st.just("advance_phase"), actor),
    st.tuples(st.just("decide"), actor, option),
    st.tuples(st.just("end_as_input"), st.just(SEC), text),  # ends the round: drawn rarely through one_of
    st.tuples(st.just("abandon"), st.sampled_from(MEMBERS[1:] * 5 + (SEC,)), text),
)


def informed_commands(r: ScenarioRound) -> list[tuple]:
    """Commands that fit the state: amending or merging options that draw objections, handling objections."""
    steps: list[tuple] = []
    open_numbers = [o.number for o in r.open_options]
    if len(open_numbers) >= 2:
        steps.append(("merge_options", SEC, open_numbers[-2:], f"samen {open_numbers[-2]}+{open_numbers[-1]}"))
    for objection in r.open_objections:
        steps += [("withdraw_objection", objection.member, objection.id),
                  ("resolve_objection", SEC, objection.id, "besproken"),
                  ("give_position", objection.member, objection.option, Position.EENS, None),
                  ("amend_option", SEC, objection.option, f"optie {objection.option} v{len(r.options)}")]
    return steps


def run(round_: ScenarioRound, step: tuple, participants: Participants, quorum: int, at: datetime, key: str):
    name, who, *args = step
    kwargs: dict[str, Any] = {"participants": participants, "at": at, "idempotency_key": key}
    if name == "decide":
        kwargs["quorum"] = quorum
    return getattr(round_, name)(who, *args, **kwargs)


def assert_invariants(r: ScenarioRound) -> None:
    numbers = [o.number for o in r.options]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(r.open_options) <= MAX_OPTIONS
    for o in r.options:
        if o.merged_into is not None:
            assert r.option(o.merged_into).is_open or r.option(o.merged_into).merged_into is not None
            assert o.number in r.option(o.merged_into).merged_from
    # every current position is on an open option's current version, one per member and option
    for p in r.current:
        assert r.option(p.option).is_open and p.version == r.option(p.option).version
    assert len({(p.member, p.option) for p in r.current}) == len(r.current)
    for o in r.open_objections:
        option_ = r.option(o.option)
        assert option_.is_open  # no objection stands on a merged option: it moved with the merge
        if o.asked_about_version is None:
            # raised on the current version: it is the objector's current bezwaar there
            assert o.option == o.raised_option and o.raised_version == option_.version
            assert r.current_position(o.member, o.option).objection_id == o.id
        else:
            # carried over: the objector is asked about exactly this version and has not answered otherwise
            assert o.asked_about_version == option_.version
            assert r.current_position(o.member, o.option) is None
    for p in r.current:
        if p.position is Position.BEZWAAR:
            assert r.objection(p.objection_id).is_open and r.objection(p.objection_id).option == p.option
    # at most one objection raised on the current version per member and option
    fresh = [(o.member, o.option) for o in r.open_objections if o.asked_about_version is None]
    assert len(set(fresh)) == len(fresh)
    # preferences: one per member, on open options
    assert len({p.member for p in r.preferences}) == len(r.preferences)
    assert all(r.option(p.option).is_open for p in r.preferences)


def assert_no_tally(value: Any, key: str | None = None) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            assert "count" not in k and "tally" not in k and "total" not in k
            assert_no_tally(v, k)
    elif isinstance(value, list):
        for v in value:
            assert_no_tally(v, key)
    elif isinstance(value, int) and not isinstance(value, bool):
        assert key in ALLOWED_INT_KEYS, f"status holds a number under {key!r}"
    elif isinstance(value, float):
        raise AssertionError(f"status holds a fraction under {key!r}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), absent=st.frozensets(st.sampled_from(MEMBERS), max_size=2), quorum=st.integers(1, 3))
def test_random_command_sequences_keep_the_scenario_rules(data, absent, quorum):
    participants = Participants(members=frozenset(MEMBERS), absent=absent, secretaries=frozenset({SEC}))
    opened = open_scenarios(round_id=1, council_id="k", topic_id=1, title="Scenario's", opener=MEMBERS[0],
                            participants=participants, at=T0, idempotency_key="k0")
    state, events = opened.round, list(opened.events)
    applied_keys = ["k0"]

    def plan():
        """Options, random steps, then every member responds on one option, objections handled, !besluit."""
        for name in ("scenario 1", "scenario 2"):
            yield ("add_option", SEC, name), False
        for _ in range(data.draw(st.integers(0, 30), label="random steps")):
            fitting = informed_commands(state)
            if fitting:
                informed = st.sampled_from(fitting)
                step = data.draw(st.one_of(blind_command, informed, informed))
            else:
                step = data.draw(blind_command)
            yield step, data.draw(st.booleans(), label="reuse key")
        if not state.open_options:
            return
        target = data.draw(st.sampled_from([o.number for o in state.open_options]), label="target")
        for member in data.draw(st.permutations(MEMBERS), label="response order"):
            yield ("give_position", member, target, data.draw(position), "reden"), False
        for step in informed_commands(state):
            if step[0] in ("withdraw_objection", "resolve_objection") and data.draw(st.booleans(),
                                                                                     label="handle objection"):
                yield step, False
        yield from ((step, False) for step in [("advance_phase", SEC), ("advance_phase", SEC),
                                               ("decide", SEC, target)])

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
            assert result.duplicate and result.events == () and result.round is before
            continue

        assert not result.duplicate and result.events
        first = before.last_seq + 1
        assert [e.seq for e in result.events] == list(range(first, first + len(result.events)))
        name = step[0]
        if name == "add_option":
            assert before.phase is Phase.BEELDVORMING
        if name == "decide":
            chosen = step[2]
            # agreement on an option only without objections on it, every present member consenting on its
            # current version, in besluitvorming, with the quorum
            assert before.open_objections_on(chosen) == ()
            assert before.phase is Phase.BESLUITVORMING
            for member in participants.present:
                assert before.current_position(member, chosen).position in CONSENTING_POSITIONS
            assert len(participants.present) >= quorum
            assert result.round.state is ScenarioState.AGREED and result.outcome.agreed_option == chosen
        if name == "end_as_input":
            assert before.phase is not Phase.BEELDVORMING
            assert result.round.state is ScenarioState.INPUT
            # every option's open objections are in the record
            recorded = {v.id for o in result.outcome.options for v in o.open_objections}
            assert recorded == {o.id for o in before.open_objections}
        state = result.round
        events += result.events
        applied_keys.append(key)
        assert_invariants(state)
        assert run(state, step, participants, quorum, at, key).duplicate  # the same command again

        status = state.status(participants, quorum)
        assert_no_tally(status.to_dict())
        if state.outcome is not None:
            assert_no_tally(state.outcome.to_dict())
        for view in status.options:
            assert view.unopposed == (state.open_objections_on(view.option) == ())
            if view.can_record_agreement:
                assert state.open_objections_on(view.option) == ()

    event(f"ended: {state.state.value}")
    event(f"merged: {any(o.merged_from for o in state.options)}")
    event(f"carried objection: {any(o.asked_about_version for o in state.objections)}")
    # replay from the stored (JSON) events equals the state built command by command
    stored = json.loads(json.dumps([e.to_dict() for e in events]))
    assert ScenarioRound.replay(stored) == state
    assert ScenarioRound.replay(events) == state


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(MEMBERS), st.integers(1, 3),
                          st.sampled_from([Position.EENS, Position.OPZIJ, Position.BEZWAAR, Position.BEDENKING])),
                min_size=1, max_size=24),
       st.integers(1, 3))
def test_decide_is_never_allowed_on_an_option_with_an_open_objection(positions, chosen):
    participants = Participants(members=frozenset(MEMBERS), secretaries=frozenset({SEC}))
    r = open_scenarios(round_id=1, council_id="k", topic_id=1, title="t", opener=SEC, participants=participants,
                       at=T0).round
    for name in ("A", "B", "C"):
        r = r.add_option(SEC, name, participants=participants, at=T0).round
    for _ in range(2):
        r = r.advance_phase(SEC, participants=participants, at=T0).round
    for member, number, pos in positions:
        r = r.give_position(member, number, pos, "waarom", participants=participants, at=T0).round
    try:
        r.decide(SEC, chosen, participants=participants, quorum=1, at=T0)
    except DomainError as error:
        assert error.code == "delib.scenarios.decide.not_ready"
        assert error.params["open_objections"] == [o.id for o in r.open_objections_on(chosen)]
        assert r.open_objections_on(chosen) or any(r.current_position(m, chosen) is None for m in MEMBERS)
    else:
        assert r.open_objections_on(chosen) == ()
        assert all(r.current_position(m, chosen).position in CONSENTING_POSITIONS for m in MEMBERS)
        # objections on other options do not block agreement on this one
