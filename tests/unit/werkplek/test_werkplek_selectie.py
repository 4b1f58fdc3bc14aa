"""Selection on the werkplek: the committee's advice (one per person, newest first) and the body of the
secretary's decision for deliberation's status route."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.werkplek.domain.access import Role
from services.werkplek.domain.selectie import (
    by_application,
    decision_request,
    may_advise,
    may_decide,
    new_advice,
)
from shared.errors import InvalidInput

T0 = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)
SEC = "@secretaris:test.local"


def test_only_the_committee_advises_and_only_the_secretary_decides():
    assert may_advise(Role.COMMITTEE) and not may_advise(Role.SECRETARY) and not may_advise(Role.MEMBER)
    assert may_decide(Role.SECRETARY) and not may_decide(Role.COMMITTEE) and not may_decide(Role.MEMBER)
    assert not may_advise(None) and not may_decide(None)


def test_an_advice_is_a_known_choice_with_a_short_tidy_note():
    a = new_advice(3, "committee:abc", "  Dhr.   Visser ", "benoemen", "  Sterke   motivatie \n", T0)
    assert (a.application_id, a.author, a.author_label, a.advice, a.note) == (
        3, "committee:abc", "Dhr. Visser", "benoemen", "Sterke motivatie")
    assert new_advice(3, "committee:abc", "", "gesprek", "   ", T0).note is None
    assert new_advice(3, "committee:abc", "", "gesprek", None, T0).author_label == "committee:abc"
    with pytest.raises(InvalidInput) as unknown:
        new_advice(3, "committee:abc", "X", "misschien", None, T0)
    assert unknown.value.code == "werkplek.selectie.advice_required"
    with pytest.raises(InvalidInput) as long:
        new_advice(3, "committee:abc", "X", "gesprek", "x" * 501, T0)
    assert long.value.code == "werkplek.selectie.note_too_long"


def test_each_person_counts_once_with_their_latest_advice_newest_first():
    advices = [new_advice(1, "committee:a", "A", "gesprek", None, T0),
               new_advice(1, "committee:b", "B", "niet_benoemen", None, T0 + timedelta(hours=1)),
               new_advice(1, "committee:a", "A", "benoemen", "na het gesprek", T0 + timedelta(hours=2)),
               new_advice(2, "committee:a", "A", "gesprek", None, T0 + timedelta(minutes=5))]
    grouped = by_application(advices)
    assert [(a.author, a.advice) for a in grouped[1]] == [("committee:a", "benoemen"), ("committee:b", "niet_benoemen")]
    assert [(a.author, a.advice) for a in grouped[2]] == [("committee:a", "gesprek")]
    assert by_application([]) == {}


def test_a_decision_becomes_the_body_of_the_status_route():
    app = {"id": 4, "matrix_id": None}
    assert decision_request({"status": "gesprek", "note": " eerst  kennismaken "}, SEC, app) == {
        "actor": SEC, "status": "gesprek", "note": "eerst kennismaken"}
    assert decision_request({"status": "benoemd", "seat": "#2", "matrix_id": "@fatima:test.local"}, SEC, app) == {
        "actor": SEC, "status": "benoemd", "seat_id": 2, "matrix_id": "@fatima:test.local"}
    # An application that names its Matrix address: no address needed, no seat: the first vacant one.
    assert decision_request({"status": "benoemd"}, SEC, {"id": 5, "matrix_id": "@x:test.local"}) == {
        "actor": SEC, "status": "benoemd"}
    # The seat and address only count when appointing.
    assert decision_request({"status": "niet_benoemd", "seat": "x", "matrix_id": "nee"}, SEC, app) == {
        "actor": SEC, "status": "niet_benoemd"}


@pytest.mark.parametrize("form, code", [
    ({"status": ""}, "werkplek.selectie.status_required"),
    ({"status": "afgewezen"}, "werkplek.selectie.status_required"),
    ({"status": "benoemd", "seat": "twee", "matrix_id": "@a:b.nl"}, "werkplek.selectie.seat"),
    ({"status": "benoemd", "seat": "0", "matrix_id": "@a:b.nl"}, "werkplek.selectie.seat"),
    ({"status": "benoemd", "matrix_id": "fatima"}, "werkplek.selectie.matrix_id"),
    ({"status": "benoemd"}, "werkplek.selectie.matrix_id_required"),
    ({"status": "gesprek", "note": "x" * 1001}, "werkplek.selectie.note_too_long"),
])
def test_a_decision_the_service_would_refuse_is_refused_with_the_reason(form, code):
    with pytest.raises(InvalidInput) as refused:
        decision_request(form, SEC, {"id": 4, "matrix_id": None})
    assert refused.value.code == code
