"""Influence on the record: expected influence at the start, realised influence afterwards, and the yearly
overview that sets them side by side per topic, on average and per kind of topic."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from services.deliberation.domain.agenda import TopicMode, new_topic, score_by_member
from services.deliberation.domain.influence import (
    InfluenceBasis,
    InfluenceKind,
    RealisedInfluence,
    TopicInfluence,
    derive_kind,
    expected_influence,
    overview_by_year,
    parse_invloed,
    parse_kind,
    record_realised,
    register_lines,
    topic_influence,
    year_overview,
)
from services.deliberation.domain.scenarios import CATALOG
from shared import i18n
from shared.errors import InvalidInput

i18n.register(CATALOG)

CET = timezone(timedelta(hours=1))
SEC = "@secretaris:woonstad.nl"


def realised(topic_id: int, score: int, on: date, text: str = "iets veranderde", **kwargs) -> RealisedInfluence:
    return record_realised(topic_id=topic_id, score=score, what_changed=text, recorded_on=on, recorded_by=SEC,
                           **kwargs)


def topic(topic_id: int, mode: TopicMode, started: date, expected: float | None,
          *records: RealisedInfluence) -> TopicInfluence:
    return TopicInfluence(topic_id=topic_id, title=f"Onderwerp {topic_id}", mode=mode, started_on=started,
                          expected=expected, records=records)


# --------------------------------------------------------------------------- expected and realised


def test_expected_influence_is_the_median_of_the_members_scores(expect_error):
    assert expected_influence([4, 2, 5]) == 4.0
    assert expected_influence([3, 4]) == 3.5
    assert expected_influence([]) is None
    expect_error(InvalidInput, "delib.influence.score_range", expected_influence, [3, 6])


@pytest.mark.parametrize("score,kind", [(1, InfluenceKind.NIET_OVERGENOMEN), (2, InfluenceKind.AANGEPAST),
                                        (3, InfluenceKind.AANGEPAST), (4, InfluenceKind.OVERGENOMEN),
                                        (5, InfluenceKind.OVERGENOMEN)])
def test_the_kind_is_derived_from_the_score(score, kind):
    assert derive_kind(score) is kind
    record = realised(1, score, date(2026, 4, 1))
    assert (record.kind, record.kind_given) == (kind, False)


def test_a_given_kind_wins_over_the_derived_one():
    record = realised(1, 4, date(2026, 4, 1), kind="aangepast", basis="bestuursreactie")
    assert (record.kind, record.kind_given, record.basis) == (InfluenceKind.AANGEPAST, True,
                                                               InfluenceBasis.BESTUURSREACTIE)
    assert parse_kind("niet overgenomen") is InfluenceKind.NIET_OVERGENOMEN
    assert parse_kind("Adopted") is InfluenceKind.OVERGENOMEN


def test_realised_influence_refusals(expect_error):
    base = dict(topic_id=1, recorded_on=date(2026, 4, 1), recorded_by=SEC)
    for score in (0, 6, "3", True, None):
        expect_error(InvalidInput, "delib.influence.score_range", record_realised, score=score,
                     what_changed="x", **base)
    for text in (None, "", "  \n"):
        expect_error(InvalidInput, "delib.influence.what_changed_required", record_realised, score=3,
                     what_changed=text, **base)
    expect_error(InvalidInput, "delib.text.too_long", record_realised, score=3, what_changed="x" * 4_001, **base)
    expect_error(InvalidInput, "delib.influence.unknown_kind", lambda: record_realised(
        score=3, what_changed="x", kind="half", **base))


def test_a_record_survives_json():
    record = realised(7, 2, date(2026, 6, 30), "Bestuur nam de spreiding over", basis=InfluenceBasis.REALISATIETOETS)
    assert RealisedInfluence.from_dict(json.loads(json.dumps(record.to_dict()))) == record


# --------------------------------------------------------------------------- the !invloed command


def test_parse_invloed():
    cmd = parse_invloed("4 3 het bestuur nam de spreiding over, niet de lagere tarieven")
    assert (cmd.topic_id, cmd.score, cmd.kind, cmd.what_changed) == (
        4, 3, None, "het bestuur nam de spreiding over, niet de lagere tarieven")
    cmd = parse_invloed("#12 5 overgenomen: alle drie de punten staan in het beleid")
    assert (cmd.topic_id, cmd.score, cmd.kind, cmd.what_changed) == (
        12, 5, InfluenceKind.OVERGENOMEN, "alle drie de punten staan in het beleid")
    assert parse_invloed("2 1 niet-overgenomen bestuur koos anders").kind is InfluenceKind.NIET_OVERGENOMEN


@pytest.mark.parametrize("args,code", [
    ("", "delib.influence.usage"), ("vier 3 tekst", "delib.influence.usage"), ("4", "delib.influence.usage"),
    ("4 hoog tekst", "delib.influence.score_range"), ("4 7 tekst", "delib.influence.score_range"),
    ("4 3", "delib.influence.what_changed_required"), ("4 3 aangepast", "delib.influence.what_changed_required"),
])
def test_parse_invloed_refusals(expect_error, args, code):
    expect_error(InvalidInput, code, parse_invloed, args)


# --------------------------------------------------------------------------- per topic


def test_the_latest_record_counts_and_the_register_keeps_them_all():
    first = realised(3, 2, date(2026, 5, 1), "Bestuur zegt spreiding toe")
    check = realised(3, 4, date(2026, 11, 1), "Spreiding uitgevoerd, ook voor bedrijfsruimten",
                     basis="realisatietoets")
    t = topic(3, TopicMode.FORMEEL_ADVIES, date(2026, 2, 1), 3.0, check, first)  # stored out of order
    assert (t.realised, t.kind, t.difference) == (4, InfluenceKind.OVERGENOMEN, 1.0)
    assert register_lines(t) == (first, check)
    data = t.to_dict()
    assert data["what_changed"] == "Spreiding uitgevoerd, ook voor bedrijfsruimten" and data["year"] == 2026


def test_no_figures_without_scores_or_records():
    t = topic(1, TopicMode.COCREATIE, date(2026, 1, 5), None)
    assert (t.realised, t.kind, t.difference, t.latest) == (None, None, None, None)


def test_from_an_agenda_topic_the_members_median_is_the_expectation():
    t = new_topic(id=9, council_id="woonstad", title="Servicekosten 2027", source="eigen_initiatief",
                  mode="cocreatie", created_at=datetime(2026, 3, 2, 19, 30, tzinfo=CET))
    for member, score in (("@a:x", 2), ("@b:x", 4), ("@c:x", 5)):
        t = score_by_member(t, member, 3, score)
    records = [realised(9, 5, date(2026, 9, 1)), realised(8, 1, date(2026, 9, 1))]
    row = topic_influence(t, records)
    assert (row.topic_id, row.mode, row.expected, row.realised, row.started_on) == (
        9, TopicMode.COCREATIE, 4.0, 5, date(2026, 3, 2))
    assert len(row.records) == 1  # only this topic's records
    # the score as it stood at the start wins over later re-scoring
    assert topic_influence(t, records, expected_at_start=2.0).difference == 3.0


# --------------------------------------------------------------------------- a year of topics


def year_of_topics() -> list[TopicInfluence]:
    return [
        topic(1, TopicMode.COCREATIE, date(2026, 1, 12), 4.0,
              realised(1, 5, date(2026, 4, 2), "Bestuur koos het scenario van de raad")),
        topic(2, TopicMode.COCREATIE, date(2026, 3, 2), 3.0,
              realised(2, 4, date(2026, 6, 1), "Spreiding over vijf jaar overgenomen")),
        topic(3, TopicMode.FORMEEL_ADVIES, date(2026, 2, 9), 4.0,
              realised(3, 2, date(2026, 5, 20), "Alleen de planning aangepast", kind="aangepast")),
        topic(4, TopicMode.FORMEEL_ADVIES, date(2026, 5, 4), 5.0,
              realised(4, 1, date(2026, 8, 1), "Advies niet gevolgd")),
        topic(5, TopicMode.INSTEMMING, date(2026, 4, 6), 5.0,
              realised(5, 5, date(2026, 6, 15), "Instemming gegeven na aanpassing")),
        topic(6, TopicMode.COCREATIE, date(2026, 10, 5), 3.5),  # still waiting for the board
        topic(7, TopicMode.FORMEEL_ADVIES, date(2025, 11, 3), 2.0,
              realised(7, 3, date(2026, 1, 20), "Bewonersavond toegezegd")),
    ]


def test_a_year_overview_sets_expected_against_realised_per_topic_on_average_and_per_mode():
    overview = year_overview(year_of_topics(), 2026)
    assert [t.topic_id for t in overview.topics] == [1, 3, 2, 5, 4, 6]  # in order of start, 7 is 2025's
    assert [t.difference for t in overview.topics] == [1.0, -2.0, 1.0, 0.0, -4.0, None]
    assert overview.averages.expected == pytest.approx((4 + 3 + 4 + 5 + 5 + 3.5) / 6)
    assert overview.averages.realised == pytest.approx((5 + 4 + 2 + 1 + 5) / 5)
    assert overview.averages.difference == pytest.approx((1 - 2 + 1 + 0 - 4) / 5)
    assert overview.awaiting == (6,)
    modes = {m.mode: m for m in overview.per_mode}
    assert [m.mode for m in overview.per_mode] == [TopicMode.COCREATIE, TopicMode.FORMEEL_ADVIES,
                                                   TopicMode.INSTEMMING]
    assert modes[TopicMode.COCREATIE].topic_ids == (1, 2, 6)
    assert modes[TopicMode.COCREATIE].averages.difference == pytest.approx(1.0)  # co-creation pays off
    assert modes[TopicMode.FORMEEL_ADVIES].averages.difference == pytest.approx(-3.0)
    assert modes[TopicMode.INSTEMMING].averages.realised == pytest.approx(5.0)
    data = json.loads(json.dumps(overview.to_dict()))
    assert data["averages"] == {"expected": 4.08, "realised": 3.4, "difference": -0.8}
    assert data["per_mode"][0] == {"mode": "cocreatie", "topic_ids": [1, 2, 6], "expected": 3.5,
                                   "realised": 4.5, "difference": 1.0}
    assert data["topics"][1]["kind"] == "aangepast"


def test_overview_by_year_newest_first_and_an_empty_year():
    years = overview_by_year(year_of_topics())
    assert [y.year for y in years] == [2026, 2025]
    assert [t.topic_id for t in years[1].topics] == [7]
    empty = year_overview(year_of_topics(), 2024)
    assert (empty.topics, empty.per_mode, empty.awaiting) == ((), (), ())
    assert (empty.averages.expected, empty.averages.realised, empty.averages.difference) == (None, None, None)


def test_labels_render_in_both_languages():
    for kind in InfluenceKind:
        assert i18n.t(f"delib.influence_kind.{kind.value}", "en") != f"delib.influence_kind.{kind.value}"
    assert i18n.t("delib.influence_kind.niet_overgenomen", "nl") == "niet overgenomen"
