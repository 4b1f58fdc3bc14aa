"""Advice trajectories (the legal dates, the order of the steps), agenda scores by member, deadlines at a human
hour and the phase refusal that names !verder: pure rules, no clock (the day is a parameter)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.deliberation.domain import advice as adv
from services.deliberation.domain import agenda as ag
from services.deliberation.domain.consensus import (
    Missing,
    NotReadyToDecide,
    Phase,
    deadline_on,
    default_deadline,
)
from shared.errors import Conflict, InvalidInput, NotFound

AMS = ZoneInfo("Europe/Amsterdam")
RECEIVED = date(2026, 3, 2)


def trajectory(kind: str = "advies", received: date = RECEIVED, today: date = date(2026, 3, 5)) -> adv.Trajectory:
    return adv.new_trajectory(id=4, council_id="raad", topic_id=3, title="  Servicekosten  2026 ", kind=kind,
                              received_on=received, today=today)


def agreed(t: adv.Trajectory | None = None) -> adv.Trajectory:
    t = adv.start_draft(t or trajectory(), round_id=9)
    return adv.draft_agreed(t, 9, "Ons advies: toon de kosten per wijk.", 2, date(2026, 3, 20))


def sent(on: date = date(2026, 3, 23)) -> adv.Trajectory:
    return adv.mark_sent(agreed(), on, today=on)


# --------------------------------------------------------------------------- legal dates


def test_the_advice_is_due_six_weeks_after_receipt_and_the_reply_14_days_after_sending():
    t = trajectory()
    assert t.title == "Servicekosten 2026" and t.kind is adv.AdviceKind.ADVIES
    assert t.deadline == date(2026, 4, 13) == RECEIVED + timedelta(weeks=6)
    assert t.stage is adv.Stage.ONTVANGEN and t.next_date == t.deadline and t.reply_due_on is None
    s = sent(date(2026, 3, 23))
    assert s.reply_due_on == date(2026, 4, 6)
    assert s.stage is adv.Stage.VERSTUURD and s.next_date == date(2026, 4, 6)
    # Day 14 is still in time; day 15 is overdue.
    assert not s.reply_overdue(date(2026, 4, 6)) and s.reply_overdue(date(2026, 4, 7))
    assert adv.overdue_replies([s, trajectory()], date(2026, 4, 7)) == (s,)


def test_a_consent_request_and_the_councils_own_period():
    t = adv.new_trajectory(id=1, council_id="raad", topic_id=3, title="Servicekosten", kind="instemming",
                           received_on=RECEIVED, today=RECEIVED, weeks=8)
    assert t.kind is adv.AdviceKind.INSTEMMING and t.deadline == RECEIVED + timedelta(weeks=8)


def test_a_request_cannot_be_received_in_the_future_or_without_title(expect_error):
    def make(title: str = "X", kind: str = "advies", received: date = RECEIVED) -> adv.Trajectory:
        return adv.new_trajectory(id=1, council_id="raad", topic_id=3, title=title, kind=kind, received_on=received,
                                  today=date(2026, 3, 5))

    expect_error(InvalidInput, "delib.advice.received_in_future", make, received=date(2026, 3, 6))
    expect_error(InvalidInput, "delib.advice.title_required", make, title="  ")
    expect_error(InvalidInput, "delib.advice.bad_kind", make, "X", "stemming")


# --------------------------------------------------------------------------- the order of the steps


def test_the_stages_follow_the_steps():
    t = adv.start_draft(trajectory(), round_id=9)
    assert t.stage is adv.Stage.CONCEPT
    assert agreed().stage is adv.Stage.AKKOORD and agreed().agreed_version == 2
    s = sent()
    replied = adv.record_reply(s, "volgt", "We doen het zo.", date(2026, 4, 1), today=date(2026, 4, 1))
    assert replied.stage is adv.Stage.REACTIE and replied.is_open and replied.next_date is None
    checked = adv.plan_check(replied, date(2026, 9, 1))
    assert checked.stage is adv.Stage.TOETS and checked.next_date == date(2026, 9, 1)
    done, check = adv.record_outcome(checked, "deels", "De kosten staan er, per wijk nog niet.", date(2026, 9, 1))
    assert check.outcome is adv.Outcome.DEELS and check.checked_on == date(2026, 9, 1)
    assert done.stage is adv.Stage.AFGEROND and not done.is_open


def test_sending_only_after_agreement_and_not_twice(expect_error):
    expect_error(Conflict, "delib.advice.not_agreed", adv.mark_sent, trajectory(), date(2026, 3, 5),
                 today=date(2026, 3, 5))
    expect_error(InvalidInput, "delib.advice.sent_before_received", adv.mark_sent, agreed(), date(2026, 3, 1),
                 today=date(2026, 3, 25))
    expect_error(InvalidInput, "delib.advice.date_in_future", adv.mark_sent, agreed(), date(2026, 3, 26),
                 today=date(2026, 3, 25))
    expect_error(Conflict, "delib.advice.sent", adv.mark_sent, sent(), date(2026, 3, 24), today=date(2026, 3, 24))
    expect_error(Conflict, "delib.advice.sent", adv.start_draft, sent(), 10)


def test_a_second_draft_waits_for_the_running_round(expect_error):
    running = adv.start_draft(trajectory(), round_id=9)
    expect_error(Conflict, "delib.advice.draft_open", adv.start_draft, running, 10)


def test_sent_after_the_deadline_is_marked_late():
    late = adv.mark_sent(agreed(), date(2026, 4, 14), today=date(2026, 4, 14))
    assert late.sent_late and not sent().sent_late


def test_a_deviating_reply_needs_reasons_and_a_late_one_is_flagged(expect_error):
    s = sent(date(2026, 3, 23))
    expect_error(InvalidInput, "delib.advice.reasons_required", adv.record_reply, s, "wijktaf", "  ",
                 date(2026, 4, 1), today=date(2026, 4, 1))
    expect_error(Conflict, "delib.advice.reply_before_sent", adv.record_reply, agreed(), "volgt", None,
                 date(2026, 4, 1), today=date(2026, 4, 1))
    expect_error(InvalidInput, "delib.advice.reply_before_sent_date", adv.record_reply, s, "volgt", None,
                 date(2026, 3, 22), today=date(2026, 4, 1))
    expect_error(InvalidInput, "delib.advice.bad_reply_kind", adv.record_reply, s, "misschien", None,
                 date(2026, 4, 1), today=date(2026, 4, 1))
    in_time = adv.record_reply(s, "wijktaf", "Te duur.", date(2026, 4, 6), today=date(2026, 4, 6))
    assert in_time.reply is adv.ReplyKind.WIJKT_AF and not in_time.reply_late and not in_time.late_deviation
    late = adv.record_reply(s, "deviates", "Te duur.", date(2026, 4, 7), today=date(2026, 4, 8))
    assert late.reply_late and late.late_deviation
    follows_late = adv.record_reply(s, "volgt", None, date(2026, 4, 8), today=date(2026, 4, 8))
    assert follows_late.reply_late and not follows_late.late_deviation and follows_late.reply_text is None
    expect_error(Conflict, "delib.advice.reply_recorded", adv.record_reply, late, "volgt", None, date(2026, 4, 8),
                 today=date(2026, 4, 8))


def test_checks_after_sending_and_outcomes_in_date_order(expect_error):
    expect_error(Conflict, "delib.advice.check_before_sent", adv.plan_check, agreed(), date(2026, 9, 1))
    expect_error(InvalidInput, "delib.advice.check_before_sent_date", adv.plan_check, sent(), date(2026, 3, 1))
    expect_error(NotFound, "delib.advice.no_open_check", adv.record_outcome, sent(), "niet", "x", date(2026, 9, 1))
    t = adv.plan_check(adv.plan_check(sent(), date(2026, 12, 1)), date(2026, 9, 1))
    assert [c.number for c in t.checks] == [1, 2]
    assert adv.checks_due([t], date(2026, 9, 1)) == ((t, t.checks[1]),)
    expect_error(InvalidInput, "delib.advice.outcome_note_required", adv.record_outcome, t, "niet", " ",
                 date(2026, 9, 1))
    expect_error(InvalidInput, "delib.advice.bad_outcome", adv.record_outcome, t, "half", "x", date(2026, 9, 1))
    after, check = adv.record_outcome(t, "uitgevoerd", "Gedaan.", date(2026, 9, 1))
    assert check.number == 2  # the earliest due first
    assert [c.done for c in after.checks] == [False, True]


def test_the_open_list_has_the_oldest_next_date_first():
    a = trajectory()  # advice due 13 April
    b = adv.new_trajectory(id=5, council_id="raad", topic_id=3, title="B", kind="advies",
                           received_on=date(2026, 2, 1), today=date(2026, 3, 5))  # due 15 March
    c = sent(date(2026, 3, 23))  # reply due 6 April
    c = adv.Trajectory(**{**c.__dict__, "id": 6})
    finished, _ = adv.record_outcome(adv.plan_check(adv.record_reply(sent(), "volgt", None, date(2026, 3, 24),
                                                                     today=date(2026, 3, 24)), date(2026, 5, 1)),
                                     "niet", "Niets gebeurd.", date(2026, 5, 1))
    assert [t.id for t in adv.open_by_next_date([a, b, c, finished])] == [5, 6, 4]


@pytest.mark.parametrize("word,expected", [
    ("2026-03-12", date(2026, 3, 12)), ("12-3-2026", date(2026, 3, 12)), ("12/03/26", date(2026, 3, 12)),
    ("12.3.2026", date(2026, 3, 12)), ("12-3", date(2026, 3, 12)), ("vandaag", date(2026, 5, 20)),
    ("gisteren", date(2026, 5, 19)), ("morgen", date(2026, 5, 21)), ("Today", date(2026, 5, 20)),
])
def test_days_as_members_type_them(word, expected):
    assert adv.parse_day(word, date(2026, 5, 20)) == expected
    assert adv.DATE_WORD.match(word)


@pytest.mark.parametrize("word", ["31-2-2026", "volgende week", "", "2026-13-01", "12"])
def test_what_is_not_a_day_is_refused_with_examples(expect_error, word):
    error = expect_error(InvalidInput, "delib.advice.bad_date", adv.parse_day, word, date(2026, 5, 20))
    assert "12-3-2026" in error.user_message("nl")


# --------------------------------------------------------------------------- agenda scores by member


def _topic() -> ag.Topic:
    return ag.new_topic(id=1, council_id="raad", title="Groen", source="eigen_initiatief", mode="cocreatie",
                        created_at=datetime(2026, 3, 1, tzinfo=AMS))


def test_each_member_scores_once_and_the_agenda_shows_the_median():
    t = ag.score_by_member(_topic(), "@anna:x", 2, 5)
    assert t.score_line("nl") == "belang 2 · invloed 5 (1 lid scoorde)"
    t = ag.score_by_member(ag.score_by_member(t, "@bram:x", 4, 3), "@cees:x", 5, 1)
    assert (t.council_importance, t.council_influence, t.scored_by, t.score) == (4, 3, 3, 12)
    t = ag.score_by_member(t, "@anna:x", 5, 4)  # Anna's new score replaces hers
    assert t.scored_by == 3 and (t.council_importance, t.council_influence) == (5, 3)
    t = ag.score_by_member(t, "@dirk:x", 1, 1)
    assert t.score_line("nl") == "belang 4,5 · invloed 2 (mediaan van de raad, 4 leden scoorden)"
    assert t.score_line("en") == "importance 4.5 · influence 2 (the council's median, 4 members scored)"


def test_member_scores_rank_the_agenda_and_outweigh_the_first_estimate(expect_error):
    estimate = ag.set_scores(_topic(), 5, 5)
    members = ag.score_by_member(estimate, "@anna:x", 1, 2)
    assert members.score == 2 and estimate.score == 25
    other = ag.score_by_member(ag.new_topic(id=2, council_id="raad", title="B", source="eigen_initiatief",
                                            mode="cocreatie", created_at=datetime(2026, 3, 2, tzinfo=AMS)),
                               "@anna:x", 3, 3)
    assert [r.topic.id for r in ag.rank([members, other])] == [2, 1]
    expect_error(InvalidInput, "delib.topic.importance_range", ag.score_by_member, _topic(), "@anna:x", 0, 3)


# --------------------------------------------------------------------------- deadlines at a human hour


def test_a_round_deadline_ends_its_day_at_2359_local_in_summer_and_winter():
    assert deadline_on(date(2026, 1, 15), "Europe/Amsterdam") == datetime(2026, 1, 15, 23, 59, tzinfo=AMS)
    summer = deadline_on(date(2026, 7, 15), AMS)
    assert summer.utcoffset() == timedelta(hours=2) and (summer.hour, summer.minute) == (23, 59)
    assert deadline_on(date(2026, 7, 15), AMS, time(17, 0)).hour == 17


def test_the_default_deadline_is_a_week_later_at_the_end_of_the_day_not_168_hours():
    opened = datetime(2026, 3, 24, 9, 30, tzinfo=AMS)  # the clocks go forward on 29 March
    deadline = default_deadline(opened, AMS)
    assert deadline == datetime(2026, 3, 31, 23, 59, tzinfo=AMS)
    assert deadline - opened != timedelta(hours=168)
    # Opened just after midnight UTC but still the previous evening in Amsterdam? The local day counts.
    late = datetime(2026, 3, 24, 23, 30, tzinfo=AMS)
    assert default_deadline(late, "Europe/Amsterdam").date() == date(2026, 3, 31)


# --------------------------------------------------------------------------- the phase refusal


def test_a_besluit_refused_for_its_phase_names_verder():
    refused = NotReadyToDecide(12, Missing(quorum=1, present=3, wrong_phase=Phase.OORDEELSVORMING))
    nl, en = refused.user_message("nl"), refused.user_message("en")
    assert "fase oordeelsvorming" in nl and "!verder" in nl
    assert "!verder (!next)" in en
