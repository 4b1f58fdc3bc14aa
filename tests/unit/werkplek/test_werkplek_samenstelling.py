"""Afspiegeling: the council's make-up against the residents' shares, and the gaps named."""
from __future__ import annotations

from decimal import Decimal

from services.werkplek.domain.samenstelling import Person, gaps, makeup, percent, reference, seat_groups
from services.werkplek.texts import register_messages, t

REFERENCE = {"customer_group": {"Huurders": Decimal(80), "Woningzoekenden": Decimal(20)},
             "wijk": {"Noord": Decimal("0.5"), "Zuid": Decimal("0.5")},
             "age_band": {"18-30": 25, "30-65": 50, "65+": 25}}


def council() -> list[Person]:
    return [Person("huurders", "Noord", "65+"), Person("Huurders", "noord", "65+"), Person("Huurders", "Noord", "30-65"),
            Person("Huurders", "Zuid", "30-65"), Person("Woningzoekenden", "", "")]


def test_percentages_and_fractions_are_scaled_to_one_and_nonsense_is_left_out():
    shares = reference({**REFERENCE, "wijk": {"Noord": 3, "Zuid": 1, "": 5, "West": -2}})
    assert shares["customer_group"] == {"Huurders": 0.8, "Woningzoekenden": 0.2}
    assert shares["wijk"] == {"Noord": 0.75, "Zuid": 0.25}
    assert reference({}) == {}


def test_the_makeup_counts_labels_ignoring_case_and_keeps_the_unknown_apart():
    dims = {d.name: d for d in makeup(council(), reference(REFERENCE))}
    groups = {r.label: (r.count, r.share, r.reference) for r in dims["customer_group"].rows}
    assert groups == {"Huurders": (4, 0.8, 0.8), "Woningzoekenden": (1, 0.2, 0.2)}
    wijk = dims["wijk"]
    assert (wijk.known, wijk.unknown) == (4, 1)
    assert {r.label: r.count for r in wijk.rows} == {"Noord": 3, "Zuid": 1}
    ages = {r.label: r.count for r in dims["age_band"].rows}
    assert ages == {"18-30": 0, "30-65": 2, "65+": 2}  # the reference's labels even when nobody has them


def test_the_gaps_name_who_is_missing_first_then_the_biggest_difference():
    found = gaps(makeup(council(), reference(REFERENCE)))
    assert [(g.dimension, g.label, g.kind) for g in found] == [
        ("age_band", "18-30", "ontbreekt"), ("age_band", "65+", "boven"), ("wijk", "Noord", "boven"),
        ("wijk", "Zuid", "onder")]  # 30-65 matches; equal differences in a stable order
    register_messages()
    g = found[0]
    line = t(f"werkplek.gap.{g.kind}", "nl", dimension=t("werkplek.dimension.age_band", "nl"), label=g.label,
             share=percent(g.share), reference=percent(g.reference))
    assert line == "Leeftijd 18-30: niemand in de raad, terwijl 25% van de huurders hierbij hoort."


def test_without_reference_shares_nothing_is_named():
    dims = makeup(council(), {})
    assert gaps(dims) == [] and all(r.reference is None for d in dims for r in d.rows)
    assert gaps(makeup([], reference(REFERENCE))) == []


def test_seats_by_customer_group():
    groups = seat_groups([("Huurders", True), ("huurders ", False), ("Woningzoekenden", False)])
    assert [(g.label, g.seats, g.held, g.vacant) for g in groups] == [("Huurders", 2, 1, 1),
                                                                      ("Woningzoekenden", 1, 0, 1)]
    assert percent(0.125) == 13 and percent(2 / 3) == 67
