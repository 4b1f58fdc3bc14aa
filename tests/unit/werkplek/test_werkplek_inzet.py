"""Inzet in geld en tijd: hours as members write them, amounts as a secretary writes them, allowances by the
council's rules, and the year overview the annual report needs."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from services.werkplek.domain.inzet import (
    ActivityKind,
    AllowanceRules,
    Attendance,
    CostKind,
    declare_hours,
    months_served,
    new_cost,
    parse_amount,
    parse_hours,
    to_csv,
    year_overview,
)
from shared.errors import InvalidInput

ANNA, BRAM, CEES = "@anna:w.nl", "@bram:w.nl", "@cees:w.nl"
TODAY = date(2026, 12, 2)
LABELS = {"member": "Lid", "activities": "Activiteiten", "activity_hours": "Uren activiteiten",
          "declared_hours": "Eigen uren", "hours": "Uren", "allowance": "Vergoeding", "costs": "Kosten",
          "total": "Totaal"}


@pytest.mark.parametrize("text,hours", [("2", "2.00"), ("1,5", "1.50"), ("1.5", "1.50"), ("1:30", "1.50"),
                                        ("1u30", "1.50"), ("0:15", "0.25"), ("3u", "3.00"), (" 16 ", "16.00")])
def test_hours_as_members_write_them(text, hours):
    assert parse_hours(text) == Decimal(hours)


@pytest.mark.parametrize("text,code", [("twee", "werkplek.hours.unreadable"), ("", "werkplek.hours.unreadable"),
                                       ("0:10", "werkplek.hours.out_of_range"), ("17", "werkplek.hours.out_of_range"),
                                       ("-2", "werkplek.hours.unreadable")])
def test_unreadable_or_impossible_hours_are_refused(text, code):
    with pytest.raises(InvalidInput) as refused:
        parse_hours(text)
    assert refused.value.code == code


def test_declared_hours_are_written_afterwards_with_a_description():
    declared = declare_hours(ANNA, date(2026, 11, 30), "2,5", "  stukken   gelezen ", today=TODAY)
    assert (declared.hours, declared.description) == (Decimal("2.50"), "stukken gelezen")
    for day, text, code in ((date(2026, 12, 3), "x", "werkplek.hours.future"),
                            (date(2024, 12, 31), "x", "werkplek.hours.too_old"),
                            (date(2026, 12, 1), "  ", "werkplek.hours.description_required"),
                            (date(2026, 12, 1), "x" * 201, "werkplek.text.too_long")):
        with pytest.raises(InvalidInput) as refused:
            declare_hours(ANNA, day, "1", text, today=TODAY)
        assert refused.value.code == code


@pytest.mark.parametrize("text,amount", [("12,50", "12.50"), ("€ 1.250,00", "1250.00"), ("1250", "1250.00"),
                                         ("12.5", "12.50"), ("EUR 7", "7.00")])
def test_amounts_as_a_secretary_writes_them(text, amount):
    assert parse_amount(text) == Decimal(amount)


def test_bad_amounts_and_kinds_are_refused():
    for text in ("twaalf", "0", "1.2.3", "200000"):
        with pytest.raises(InvalidInput):
            parse_amount(text)
    with pytest.raises(InvalidInput) as refused:
        new_cost("cadeau", "10", TODAY, "bloemen")
    assert "training" in refused.value.params["kinds"]


def test_months_served_count_partly_served_months():
    assert months_served(2026, date(2020, 1, 1), None) == 12
    assert months_served(2026, date(2026, 3, 31), None) == 10
    assert months_served(2026, date(2025, 1, 1), date(2026, 2, 1)) == 2
    assert months_served(2026, date(2027, 1, 1), None) == 0


def meeting(member: str, n: int, day: date, hours: str = "2", confirmed: bool = True,
            kind: ActivityKind = ActivityKind.VERGADERING) -> Attendance:
    return Attendance(member, f"{kind.value}:{n}", kind, day, Decimal(hours), confirmed)


def test_the_year_overview_per_member_and_per_kind():
    attendance = [meeting(ANNA, 1, date(2026, 1, 14)), meeting(BRAM, 1, date(2026, 1, 14)),
                  meeting(ANNA, 2, date(2026, 2, 11)), meeting(BRAM, 2, date(2026, 2, 11), confirmed=False),
                  meeting(ANNA, 3, date(2026, 6, 6), "7", kind=ActivityKind.HEIDAG),
                  meeting(CEES, 4, date(2026, 3, 1), "3", kind=ActivityKind.TRAINING),
                  meeting(ANNA, 9, date(2025, 12, 10))]  # last year: not counted
    declared = [declare_hours(BRAM, date(2026, 3, 3), "1:30", "bewoners gesproken", today=TODAY)]
    costs = [new_cost("training", "450", date(2026, 3, 1), "cursus huurrecht", activity_kind=ActivityKind.TRAINING,
                      member=CEES),
             new_cost("locatie", "€ 1.200,00", date(2026, 6, 6), "zaal heidag", activity_kind=ActivityKind.HEIDAG)]
    rules = AllowanceRules(per_activity={ActivityKind.VERGADERING: Decimal("25"), ActivityKind.HEIDAG: Decimal("50")})
    terms = {ANNA: (date(2022, 1, 1), None), BRAM: (date(2026, 1, 1), None), CEES: (date(2026, 3, 1), None)}
    overview = year_overview(2026, attendance=attendance, declared=declared, costs=costs, rules=rules, terms=terms)

    anna, bram, cees = overview.members
    assert (anna.activities, anna.hours, anna.allowance) == (3, Decimal("11"), Decimal("100.00"))
    assert anna.by_kind == {ActivityKind.VERGADERING: 2, ActivityKind.HEIDAG: 1}
    # Bram's second meeting was not confirmed: no hours, no allowance for it.
    assert (bram.activities, bram.activity_hours, bram.declared_hours, bram.allowance) == (
        1, Decimal("2"), Decimal("1.50"), Decimal("25.00"))
    assert (cees.costs, cees.allowance) == (Decimal("450.00"), Decimal("0.00"))
    kinds = {k.kind: k for k in overview.kinds}
    assert (kinds[ActivityKind.VERGADERING].activities, kinds[ActivityKind.VERGADERING].attendances) == (2, 3)
    assert kinds[ActivityKind.HEIDAG].costs == Decimal("1200.00")
    assert kinds[ActivityKind.OVERIG].hours == Decimal("1.50")
    assert overview.total_hours == Decimal("17.50") and overview.total_allowance == Decimal("125.00")
    assert overview.total_costs == Decimal("1650.00")
    assert overview.costs_by_kind == {CostKind.TRAINING: Decimal("450.00"), CostKind.LOCATIE: Decimal("1200.00")}


def test_a_monthly_allowance_follows_the_months_served():
    rules = AllowanceRules(per_month=Decimal("30"))
    overview = year_overview(2026, attendance=[], declared=[], costs=[], rules=rules,
                             terms={ANNA: (date(2020, 1, 1), None), BRAM: (date(2026, 10, 15), None)})
    assert [(m.member, m.allowance) for m in overview.members] == [(ANNA, Decimal("360.00")),
                                                                   (BRAM, Decimal("90.00"))]
    so_far = year_overview(2026, attendance=[], declared=[], costs=[], rules=rules,
                           terms={ANNA: (date(2020, 1, 1), None), BRAM: (date(2026, 10, 15), None)},
                           as_of=date(2026, 11, 2))
    assert [m.allowance for m in so_far.members] == [Decimal("330.00"), Decimal("60.00")]


def test_the_csv_reads_in_a_dutch_spreadsheet_and_cannot_run_formulas():
    attendance = [meeting(ANNA, 1, date(2026, 1, 14), "2.5")]
    overview = year_overview(2026, attendance=attendance, declared=[], costs=[],
                             rules=AllowanceRules(per_activity={ActivityKind.VERGADERING: Decimal("12.5")}),
                             terms={ANNA: (date(2020, 1, 1), None)})
    rows = list(csv.reader(io.StringIO(to_csv(overview, {ANNA: "=HYPERLINK(\"x\")"}, LABELS)), delimiter=";"))
    assert rows[0] == ["Lid", "Activiteiten", "Uren activiteiten", "Eigen uren", "Uren", "Vergoeding", "Kosten"]
    assert rows[1] == ["'=HYPERLINK(\"x\")", "1", "2,50", "0,00", "2,50", "12,50", "0,00"]
    assert rows[2][0] == "Totaal" and rows[2][4] == "2,50"


# --------------------------------------------------------------------------- attendance from the calendar


def _rec(event, day, member, present, confirmed, kind="vergadering", hours=2.5, title="Vergadering"):
    return {"event": event, "kind": kind, "title": title, "date": day, "hours": hours, "member": member,
            "present": present, "confirmed": confirmed}


def test_the_calendars_records_become_attendance_and_count_once_confirmed():
    from services.werkplek.domain.inzet import attendance_from_records, held_activities

    records = [_rec(1, "2026-03-02", "@a:x", True, True), _rec(1, "2026-03-02", "@b:x", False, True),
               _rec(2, "2026-04-11", "@a:x", True, False, kind="heidag", hours=6, title="Heidag"),
               _rec(2, "2026-04-11", "@b:x", True, False, kind="heidag", hours=6, title="Heidag"),
               {"event": "x", "date": "gisteren"}]  # another service's odd row is left out, not a crash
    attended = attendance_from_records(records)
    assert [(a.member, a.activity, a.kind.value, a.hours, a.confirmed) for a in attended] == [
        ("@a:x", "1:2026-03-02", "vergadering", Decimal("2.50"), True),
        ("@a:x", "2:2026-04-11", "heidag", Decimal("6.00"), False), ("@b:x", "2:2026-04-11", "heidag", Decimal("6.00"),
                                                                     False)]
    overview = year_overview(2026, attendance=attended, declared=(), costs=(),
                             rules=AllowanceRules(per_activity={ActivityKind.VERGADERING: Decimal(25)}), terms={})
    a = next(m for m in overview.members if m.member == "@a:x")
    assert (a.activities, a.activity_hours, a.allowance) == (1, Decimal("2.50"), Decimal("25.00"))  # heidag unconfirmed
    held = held_activities(records)
    assert [(h.event, h.confirmed, h.present, h.people) for h in held] == [
        (2, False, ("@a:x", "@b:x"), ("@a:x", "@b:x")), (1, True, ("@a:x",), ("@a:x", "@b:x"))]


def test_the_chart_draws_hours_per_member_most_first():
    from services.werkplek.domain.chart import BAR_AREA, hours_chart
    from services.werkplek.domain.inzet import DeclaredHours

    attended = [Attendance("@a:x", "1:2026-03-02", ActivityKind.VERGADERING, date(2026, 3, 2), Decimal(2), True)]
    declared = [DeclaredHours("@b:x", date(2026, 3, 3), Decimal(4), "lezen"),
                DeclaredHours("@a:x", date(2026, 3, 3), Decimal(1), "lezen")]
    overview = year_overview(2026, attendance=attended, declared=declared, costs=(), rules=AllowanceRules(),
                             terms={"@c:x": (date(2026, 1, 1), None)})
    chart = hours_chart(overview, {"@a:x": "Anna", "@b:x": "Bram"})
    assert [b.label for b in chart.bars] == ["Bram", "Anna"]  # Cees has no hours: no bar
    bram, anna = chart.bars
    assert [(s.key, s.width) for s in bram.segments] == [("declared", BAR_AREA)]
    assert [(s.key, s.x, s.width) for s in anna.segments] == [("activity", 0.0, 120.0), ("declared", 120.0, 60.0)]
    assert anna.total == Decimal(3) and anna.y > bram.y
    empty = year_overview(2026, attendance=(), declared=(), costs=(), rules=AllowanceRules(), terms={})
    assert hours_chart(empty, {}) is None
