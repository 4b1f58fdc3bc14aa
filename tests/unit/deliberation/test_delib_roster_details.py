"""Correcting a member's name or type (the secretary's roster tools)."""
from __future__ import annotations

from datetime import date

import pytest

from services.deliberation.domain import roster as rs
from services.deliberation.domain.roster import MemberType
from shared.errors import InvalidInput, NotFound

TODAY = date(2025, 6, 1)


def roster() -> rs.Roster:
    r = rs.Roster(council_id="woonstad").add_seat(rs.CustomerGroup("65+", "Zuid", ""))
    anna = rs.new_member(matrix_id="@anna:woonstad.nl", display_name="Anna", member_type="huurder",
                         term_start=date(2024, 1, 1), seat_id=1)
    return r.add_member(anna, TODAY)


def test_name_and_type_change_and_nothing_else():
    before = roster()
    after = before.update_details("@anna:woonstad.nl", display_name="  Anna   de Vries ", member_type="Koper")
    anna = after.member("@anna:woonstad.nl")
    assert anna.display_name == "Anna de Vries" and anna.member_type is MemberType.KOPER
    assert anna.seat_id == 1 and anna.term_start == date(2024, 1, 1)
    assert before.member("@anna:woonstad.nl").display_name == "Anna"  # rosters are immutable


def test_leaving_out_a_detail_keeps_it():
    after = roster().update_details("@anna:woonstad.nl", member_type="ondernemer")
    assert after.member("@anna:woonstad.nl").display_name == "Anna"


@pytest.mark.parametrize("kwargs,kind,code", [
    ({"display_name": "   "}, InvalidInput, "delib.member.name_required"),
    ({"display_name": "x" * 121}, InvalidInput, "delib.member.name_too_long"),
    ({"member_type": "directeur"}, InvalidInput, "delib.member.bad_type"),
])
def test_bad_details_are_refused(expect_error, kwargs, kind, code):
    expect_error(kind, code, roster().update_details, "@anna:woonstad.nl", **kwargs)


def test_an_unknown_member_is_not_found(expect_error):
    expect_error(NotFound, "delib.member.not_found", roster().update_details, "@bram:woonstad.nl", display_name="B")
