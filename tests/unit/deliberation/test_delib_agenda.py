"""The agenda: topic lifecycle (every transition), cap on active topics, ranking, formal advice and
realisation checks."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.deliberation.domain import agenda as ag
from services.deliberation.domain.agenda import TopicMode, TopicSource, TopicStatus
from shared.errors import Conflict, InvalidInput, NotFound

T0 = datetime(2025, 1, 6, 10, 0, tzinfo=timezone.utc)


def topic(id: int = 1, *, status: TopicStatus = TopicStatus.VOORGESTELD, council: str = "woonstad",
          importance: int | None = 3, influence: int | None = 3, mode: TopicMode = TopicMode.COCREATIE,
          age_days: int = 0, title: str | None = None) -> ag.Topic:
    t = ag.new_topic(id=id, council_id=council, title=title or f"Onderwerp {id}",
                     source=TopicSource.EIGEN_INITIATIEF, mode=mode, created_at=T0 - timedelta(days=age_days),
                     importance=importance, influence=influence)
    return ag.Topic(**{**t.__dict__, "status": status})


# --------------------------------------------------------------------------- creating and scoring


def test_new_topic_starts_proposed_with_its_fields():
    t = ag.new_topic(id=4, council_id="woonstad", title="  Servicekosten   2026 ", source="signaal_cluster",
                     mode="formeel_advies", created_at=T0, source_ref="cluster-17")
    assert (t.title, t.source, t.mode, t.status, t.source_ref) == (
        "Servicekosten 2026", TopicSource.SIGNAAL_CLUSTER, TopicMode.FORMEEL_ADVIES, TopicStatus.VOORGESTELD,
        "cluster-17")
    assert t.score is None and t.score_line("nl") == "nog niet gescoord"


@pytest.mark.parametrize("kwargs,code", [
    ({"title": "  "}, "delib.topic.title_required"),
    ({"title": "x" * 201}, "delib.topic.title_too_long"),
    ({"source": "buurman"}, "delib.topic.bad_source"),
    ({"mode": "stemming"}, "delib.topic.bad_mode"),
    ({"importance": 0, "influence": 3}, "delib.topic.importance_range"),
    ({"importance": 3, "influence": 6}, "delib.topic.influence_range"),
    ({"importance": 3}, "delib.topic.influence_range"),
])
def test_new_topic_validates(expect_error, kwargs, code):
    base = {"id": 1, "council_id": "w", "title": "t", "source": "eigen_initiatief", "mode": "cocreatie",
            "created_at": T0}
    expect_error(InvalidInput, code, ag.new_topic, **{**base, **kwargs})


@pytest.mark.parametrize("importance,influence,code", [
    (0, 3, "delib.topic.importance_range"), (6, 3, "delib.topic.importance_range"),
    (True, 3, "delib.topic.importance_range"), ("4", 3, "delib.topic.importance_range"),
    (3, 0, "delib.topic.influence_range"), (3, 9, "delib.topic.influence_range"),
])
def test_scores_are_1_to_5(expect_error, importance, influence, code):
    error = expect_error(InvalidInput, code, ag.set_scores, topic(), importance, influence)
    assert (error.params["min"], error.params["max"]) == (1, 5)


def test_score_is_importance_times_influence_and_shown_as_belang_invloed():
    t = ag.set_scores(topic(), 4, 5)
    assert t.score == 20
    assert t.score_line("nl") == "belang 4 · invloed 5"
    assert t.score_line("en") == "importance 4 · influence 5"


def test_a_closed_topic_cannot_be_scored_or_renamed(expect_error):
    closed = topic(status=TopicStatus.GESLOTEN)
    expect_error(Conflict, "delib.topic.closed", ag.set_scores, closed, 3, 3)
    expect_error(Conflict, "delib.topic.closed", ag.rename, closed, "Nieuw")
    expect_error(Conflict, "delib.topic.closed", ag.set_mode, closed, "informatie")


def test_mode_can_change_but_not_away_from_advice_once_requested(expect_error):
    t = ag.set_mode(topic(), "formeel_advies")
    t = ag.receive_advice_request(t, date(2025, 2, 1))
    assert ag.set_mode(t, "instemming").mode is TopicMode.INSTEMMING
    expect_error(Conflict, "delib.advice.mode_locked", ag.set_mode, t, "cocreatie")


# --------------------------------------------------------------------------- every transition

ALL_PAIRS = [(a, b) for a in TopicStatus for b in TopicStatus]


@pytest.mark.parametrize("current,wanted", ALL_PAIRS, ids=[f"{a.value}->{b.value}" for a, b in ALL_PAIRS])
def test_every_status_transition_is_allowed_or_refused_with_a_code(expect_error, current, wanted):
    t = topic(status=current)
    if wanted in ag.TRANSITIONS[current]:
        assert ag.change_status(t, wanted, council_topics=[]).status is wanted
    elif wanted is current:
        error = expect_error(Conflict, "delib.topic.already", ag.change_status, t, wanted)
        assert error.params["status"] == current.value
    else:
        error = expect_error(Conflict, "delib.topic.bad_transition", ag.change_status, t, wanted)
        assert (error.params["current"], error.params["wanted"]) == (current.value, wanted.value)


def test_the_lifecycle_in_order():
    t = topic()
    t = ag.activate(t, [])
    t = ag.start_round(t)
    assert ag.round_stopped(t).status is TopicStatus.ACTIEF
    t = ag.record_agreement(t)
    t = ag.change_status(t, TopicStatus.ADVIES_GEGEVEN)
    t = ag.change_status(t, TopicStatus.REALISATIE_GETOETST)
    t = ag.close(t)
    assert t.status is TopicStatus.GESLOTEN


def test_park_and_reactivate():
    parked = ag.park(ag.activate(topic(), []))
    assert parked.status is TopicStatus.GEPARKEERD
    assert ag.activate(parked, []).status is TopicStatus.ACTIEF
    assert ag.park(topic()).status is TopicStatus.GEPARKEERD


def test_a_topic_in_a_round_cannot_be_parked(expect_error):
    error = expect_error(Conflict, "delib.topic.bad_transition", ag.park, topic(status=TopicStatus.IN_RONDE))
    text = error.user_message("nl")
    assert "in een overlegronde" in text and "geparkeerd" in text
    assert "in a consensus round" in error.user_message("en")


def test_becoming_active_without_the_councils_topics_is_a_programming_error():
    with pytest.raises(ValueError):
        ag.change_status(topic(), TopicStatus.ACTIEF)


def test_round_stopped_only_applies_to_a_topic_in_a_round(expect_error):
    expect_error(Conflict, "delib.topic.bad_transition", ag.round_stopped, topic())


def test_status_words_are_validated(expect_error):
    expect_error(InvalidInput, "delib.topic.bad_status", ag.change_status, topic(), "ergens")


# --------------------------------------------------------------------------- the cap


def council_with_active(n: int, council: str = "woonstad") -> list[ag.Topic]:
    statuses = [TopicStatus.ACTIEF, TopicStatus.IN_RONDE]
    return [topic(i, status=statuses[i % 2], council=council) for i in range(1, n + 1)]


def test_activating_beyond_the_cap_is_refused_with_the_topics_to_park_from(expect_error):
    active = council_with_active(5)
    newcomer = topic(9, title="Groenonderhoud")
    error = expect_error(Conflict, "delib.agenda.cap_reached", ag.activate, newcomer, active + [newcomer])
    assert error.params["active_topic_ids"] == [1, 2, 3, 4, 5]
    assert error.params["cap"] == 5
    assert "#3 Onderwerp 3" in error.user_message("nl")


def test_the_cap_is_a_parameter_per_council():
    assert ag.activate(topic(9), council_with_active(5), cap=6).status is TopicStatus.ACTIEF
    with pytest.raises(Conflict):
        ag.activate(topic(9), council_with_active(2), cap=2)


def test_other_councils_and_inactive_topics_do_not_count():
    others = council_with_active(5, council="andere-raad")
    waiting = [topic(20 + i, status=s) for i, s in enumerate([TopicStatus.VOORGESTELD, TopicStatus.GEPARKEERD,
                                                               TopicStatus.AKKOORD, TopicStatus.GESLOTEN])]
    assert ag.activate(topic(9), others + waiting + council_with_active(4)).status is TopicStatus.ACTIEF


def test_parking_one_makes_room(expect_error):
    active = council_with_active(5)
    expect_error(Conflict, "delib.agenda.cap_reached", ag.activate, topic(9), active)
    active[1] = ag.park(active[1])  # an actief one; a topic in a round is not parked
    assert ag.activate(topic(9), active).status is TopicStatus.ACTIEF


def test_reactivating_a_parked_topic_also_respects_the_cap(expect_error):
    expect_error(Conflict, "delib.agenda.cap_reached", ag.activate, topic(9, status=TopicStatus.GEPARKEERD),
                 council_with_active(5))


def test_moving_between_active_statuses_is_not_capped():
    active = council_with_active(5)
    in_round = next(t for t in active if t.status is TopicStatus.IN_RONDE)
    assert ag.round_stopped(in_round).status is TopicStatus.ACTIEF
    acting = next(t for t in active if t.status is TopicStatus.ACTIEF)
    assert ag.change_status(acting, TopicStatus.IN_RONDE, council_topics=active).status is TopicStatus.IN_RONDE


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["activate", "park", "start", "stop", "agree", "close"]),
                          st.integers(1, 9)), max_size=60),
       st.integers(1, 5))
def test_random_agenda_moves_never_exceed_the_cap(moves, cap):
    topics = {i: topic(i) for i in range(1, 10)}
    apply = {"activate": lambda t: ag.activate(t, topics.values(), cap), "park": ag.park,
             "start": ag.start_round, "stop": ag.round_stopped, "agree": ag.record_agreement, "close": ag.close}
    for move, tid in moves:
        try:
            topics[tid] = apply[move](topics[tid])
        except Conflict:
            pass
        assert sum(t.is_active for t in topics.values()) <= cap


# --------------------------------------------------------------------------- ranking


def test_ranking_uses_importance_times_influence_then_importance_then_age():
    topics = [
        topic(1, importance=2, influence=5, age_days=1),   # 10
        topic(2, importance=5, influence=2, age_days=1),   # 10, higher importance
        topic(3, importance=4, influence=5),               # 20
        topic(4, importance=5, influence=2, age_days=9),   # 10, importance 5, older than 2
        topic(5, importance=None, influence=None),         # not scored: last
        topic(6, importance=1, influence=1),               # 1
    ]
    assert [r.topic.id for r in ag.rank(topics)] == [3, 4, 2, 1, 6, 5]
    ranked = ag.rank(topics)
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5, 6]
    assert (ranked[0].score, ranked[0].importance, ranked[0].influence) == (20, 4, 5)


def test_agenda_view_shows_active_topics_and_the_waiting_list():
    topics = [topic(1, status=TopicStatus.ACTIEF, importance=1, influence=1),
              topic(2, status=TopicStatus.IN_RONDE, importance=5, influence=5),
              topic(3, status=TopicStatus.VOORGESTELD, importance=2, influence=2),
              topic(4, status=TopicStatus.GEPARKEERD, importance=4, influence=4),
              topic(5, status=TopicStatus.AKKOORD),
              topic(6, status=TopicStatus.ACTIEF, council="andere-raad")]
    view = ag.agenda(topics, "woonstad", cap=5)
    assert [r.topic.id for r in view.active] == [2, 1]
    assert [r.topic.id for r in view.waiting] == [4, 3]
    assert view.cap == 5 and view.council_id == "woonstad"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(0, 30)), max_size=15))
def test_ranking_is_always_ordered_by_score(scores):
    topics = [topic(i, importance=imp, influence=inf, age_days=age) for i, (imp, inf, age) in enumerate(scores)]
    ranked = ag.rank(topics)
    keys = [(-r.score, -r.importance, r.topic.created_at) for r in ranked]
    assert keys == sorted(keys)


# --------------------------------------------------------------------------- formal advice


def advice_topic() -> ag.Topic:
    return topic(status=TopicStatus.AKKOORD, mode=TopicMode.FORMEEL_ADVIES)


def test_an_advice_request_gets_a_deadline_six_weeks_later():
    t = ag.receive_advice_request(advice_topic(), date(2025, 3, 3))
    assert t.advice.deadline == date(2025, 4, 14)
    assert ag.receive_advice_request(advice_topic(), date(2025, 3, 3), period_weeks=8).advice.deadline == \
        date(2025, 4, 28)


def test_advice_requests_fit_formal_advice_or_consent_only(expect_error):
    expect_error(Conflict, "delib.advice.wrong_mode", ag.receive_advice_request, topic(mode=TopicMode.INFORMATIE),
                 date(2025, 3, 3))
    assert ag.receive_advice_request(topic(mode=TopicMode.INSTEMMING), date(2025, 3, 3)).advice is not None
    expect_error(InvalidInput, "delib.advice.bad_period", ag.receive_advice_request, advice_topic(),
                 date(2025, 3, 3), period_weeks=0)


def test_sending_the_advice_records_text_and_date_and_moves_the_topic():
    t = ag.receive_advice_request(advice_topic(), date(2025, 3, 3))
    t = ag.send_advice(t, "De raad adviseert positief, mits ...", date(2025, 4, 10))
    assert t.status is TopicStatus.ADVIES_GEGEVEN
    assert (t.advice.advice_text, t.advice.advice_sent_on, t.advice.sent_late) == (
        "De raad adviseert positief, mits ...", date(2025, 4, 10), False)
    assert t.advice.reply_due_on == date(2025, 4, 24)


def test_sending_advice_is_validated(expect_error):
    expect_error(Conflict, "delib.advice.no_request", ag.send_advice, advice_topic(), "tekst", date(2025, 4, 1))
    t = ag.receive_advice_request(advice_topic(), date(2025, 3, 3))
    expect_error(InvalidInput, "delib.advice.text_required", ag.send_advice, t, "  ", date(2025, 4, 1))
    expect_error(InvalidInput, "delib.advice.sent_before_request", ag.send_advice, t, "tekst", date(2025, 3, 1))
    sent = ag.send_advice(t, "tekst", date(2025, 4, 1))
    expect_error(Conflict, "delib.advice.already_sent", ag.send_advice, sent, "nog eens", date(2025, 4, 2))
    expect_error(Conflict, "delib.advice.already_sent", ag.receive_advice_request, sent, date(2025, 4, 2))
    # advice before agreement: the topic is not ready for it
    early = ag.receive_advice_request(topic(status=TopicStatus.ACTIEF, mode=TopicMode.FORMEEL_ADVIES),
                                      date(2025, 3, 3))
    expect_error(Conflict, "delib.topic.bad_transition", ag.send_advice, early, "tekst", date(2025, 4, 1))


def test_formal_advice_cannot_skip_recording_the_advice(expect_error):
    expect_error(Conflict, "delib.advice.not_sent", ag.change_status, advice_topic(), TopicStatus.ADVIES_GEGEVEN)


def test_advice_sent_after_the_deadline_is_marked_late():
    t = ag.receive_advice_request(advice_topic(), date(2025, 3, 3))
    assert ag.send_advice(t, "tekst", date(2025, 4, 15)).advice.sent_late


@pytest.mark.parametrize("reply_day,deviates,late", [
    (14, True, False), (15, True, True), (30, False, False), (3, True, False),
])
def test_late_deviation_flags_a_deviating_reply_after_14_days(reply_day, deviates, late):
    t = ag.receive_advice_request(advice_topic(), date(2025, 3, 3))
    t = ag.send_advice(t, "tekst", date(2025, 4, 1))
    t = ag.record_board_reply(t, "Wij wijken af omdat ...", date(2025, 4, 1) + timedelta(days=reply_day),
                              deviates=deviates)
    assert t.advice.reply_deviates is deviates
    assert t.advice.late_deviation is late


def test_board_reply_is_validated_and_reply_overdue_is_reported(expect_error):
    t = ag.receive_advice_request(advice_topic(), date(2025, 3, 3))
    expect_error(Conflict, "delib.advice.not_sent", ag.record_board_reply, t, "antwoord", date(2025, 4, 2),
                 deviates=False)
    t = ag.send_advice(t, "tekst", date(2025, 4, 1))
    assert not t.advice.reply_overdue(date(2025, 4, 15))
    assert t.advice.reply_overdue(date(2025, 4, 16))
    expect_error(InvalidInput, "delib.advice.reply_before_advice", ag.record_board_reply, t, "antwoord",
                 date(2025, 3, 30), deviates=False)
    expect_error(InvalidInput, "delib.advice.reply_text_required", ag.record_board_reply, t, "",
                 date(2025, 4, 2), deviates=False)
    replied = ag.record_board_reply(t, "antwoord", date(2025, 4, 2), deviates=False)
    assert not replied.advice.reply_overdue(date(2025, 6, 1))
    expect_error(Conflict, "delib.advice.reply_exists", ag.record_board_reply, replied, "nog een",
                 date(2025, 4, 3), deviates=True)


# --------------------------------------------------------------------------- realisation checks


def given_advice() -> ag.Topic:
    t = ag.receive_advice_request(advice_topic(), date(2025, 3, 3))
    return ag.send_advice(t, "tekst", date(2025, 4, 1))


def test_checks_are_planned_after_the_advice(expect_error):
    expect_error(Conflict, "delib.check.wrong_status", ag.plan_check, topic(status=TopicStatus.ACTIEF),
                 date(2025, 9, 1), "Zijn de tuinen aangepakt?")
    t = ag.plan_check(given_advice(), date(2025, 9, 1), "Zijn de tuinen aangepakt?")
    assert [(c.id, c.due_on, c.done) for c in t.checks] == [(1, date(2025, 9, 1), False)]
    expect_error(InvalidInput, "delib.check.description_required", ag.plan_check, t, date(2025, 9, 1), " ")


def test_recording_a_check_result_moves_to_realisatie_getoetst(expect_error):
    t = ag.plan_check(given_advice(), date(2025, 9, 1), "Tuinen")
    t = ag.plan_check(t, date(2026, 3, 1), "Tuinen, een jaar later")
    t = ag.record_check_result(t, 1, "Grotendeels gedaan; drie tuinen nog niet.", date(2025, 9, 3))
    assert t.status is TopicStatus.REALISATIE_GETOETST
    assert t.checks[0].result_note == "Grotendeels gedaan; drie tuinen nog niet."
    t = ag.record_check_result(t, 2, "Klaar.", date(2026, 3, 2))
    assert t.status is TopicStatus.REALISATIE_GETOETST and all(c.done for c in t.checks)
    expect_error(Conflict, "delib.check.already_done", ag.record_check_result, t, 1, "weer", date(2026, 3, 3))
    expect_error(NotFound, "delib.check.not_found", ag.record_check_result, t, 7, "x", date(2026, 3, 3))
    t = ag.plan_check(t, date(2027, 1, 1), "Nog eens")
    expect_error(InvalidInput, "delib.check.note_required", ag.record_check_result, t, 3, "", date(2027, 1, 1))


def test_checks_due_lists_open_checks_up_to_the_day():
    a = ag.plan_check(ag.plan_check(given_advice(), date(2025, 9, 1), "A1"), date(2025, 12, 1), "A2")
    b = ag.Topic(**{**ag.plan_check(given_advice(), date(2025, 8, 1), "B1").__dict__, "id": 2})
    done = ag.record_check_result(ag.Topic(**{**ag.plan_check(given_advice(), date(2025, 7, 1), "C1").__dict__,
                                              "id": 3}), 1, "ok", date(2025, 7, 1))
    closed = ag.close(ag.Topic(**{**ag.plan_check(given_advice(), date(2025, 7, 1), "D1").__dict__, "id": 4}))
    due = ag.checks_due([a, b, done, closed], date(2025, 9, 1))
    assert [(d.topic.id, d.check.description) for d in due] == [(2, "B1"), (1, "A1")]
    assert ag.checks_due([a], date(2025, 8, 31)) == ()


def test_store_helper_for_unknown_topics(expect_error):
    def raise_(error):
        raise error
    expect_error(NotFound, "delib.topic.not_found", raise_, ag.topic_not_found(42))
