"""Roster: seats and afspiegeling, member validation, applications, absence with notice."""
from __future__ import annotations

from datetime import date

import pytest

from services.deliberation.domain import roster as rs
from services.deliberation.domain.roster import ApplicationStatus, CustomerGroup, MemberType
from shared.errors import Conflict, InvalidInput, NotFound

TODAY = date(2025, 6, 1)
YOUNG_NOORD = CustomerGroup("18-35", "Noord", "")
OLDER_ZUID = CustomerGroup("65+", "Feijenoord", "")
FAMILY = CustomerGroup("", "Charlois", "gezin met kinderen")


def member(local: str, seat: int | None = None, **kwargs) -> rs.Member:
    base = {"matrix_id": f"@{local}:woonstad.nl", "display_name": local.capitalize(), "member_type": "huurder",
            "term_start": date(2024, 1, 1), "seat_id": seat}
    return rs.new_member(**{**base, **kwargs})


def roster_with_seats(*groups: CustomerGroup, max_seats: int = 13) -> rs.Roster:
    r = rs.Roster(council_id="woonstad", max_seats=max_seats)
    for group in groups:
        r = r.add_seat(group)
    return r


# --------------------------------------------------------------------------- members


@pytest.mark.parametrize("matrix_id", ["@jan:woonstad.nl", "@jan.de-vries_1=x/y:matrix.org",
                                       "@j:localhost:8448", "@jan:[::1]", "@OldStyle:example.com"])
def test_valid_matrix_ids(matrix_id):
    assert rs.validate_matrix_id(f" {matrix_id} ") == matrix_id


@pytest.mark.parametrize("matrix_id", ["jan:woonstad.nl", "@jan", "@:woonstad.nl", "@jan:", "#kamer:woonstad.nl",
                                       "@jan de vries:woonstad.nl", "@jan:woon stad.nl", "", "@jan:-bad.nl",
                                       "@" + "x" * 250 + ":woonstad.nl"])
def test_invalid_matrix_ids(expect_error, matrix_id):
    expect_error(InvalidInput, "delib.member.bad_matrix_id", rs.validate_matrix_id, matrix_id)


@pytest.mark.parametrize("given,expected", [("huurder", MemberType.HUURDER), ("Koper", MemberType.KOPER),
                                            ("ondernemer", MemberType.ONDERNEMER)])
def test_member_types(given, expected):
    assert member("jan", member_type=given).member_type is expected


def test_member_validation(expect_error):
    error = expect_error(InvalidInput, "delib.member.bad_type", member, "jan", member_type="eigenaar")
    assert "huurder, koper, ondernemer" in error.user_message("nl")
    expect_error(InvalidInput, "delib.member.bad_term", member, "jan", term_end=date(2023, 12, 31))
    expect_error(InvalidInput, "delib.member.bad_language", member, "jan", language="de")
    expect_error(InvalidInput, "delib.member.name_too_long", member, "jan", display_name="x" * 121)
    assert member("jan", display_name="  ").display_name == "jan"


def test_is_member_honours_term_dates():
    m = member("jan", term_start=date(2025, 1, 1), term_end=date(2025, 12, 31))
    assert not rs.is_member([m], m.matrix_id, date(2024, 12, 31))
    assert rs.is_member([m], m.matrix_id, date(2025, 1, 1))
    assert rs.is_member([m], m.matrix_id, date(2025, 12, 31))
    assert not rs.is_member([m], m.matrix_id, date(2026, 1, 1))
    assert not rs.is_member([m], "@iemand:woonstad.nl", TODAY)
    assert rs.Roster("w", members=(m,)).is_member(m.matrix_id, TODAY)


def test_add_member_fills_a_seat_and_refuses_taken_or_unknown_seats(expect_error):
    r = roster_with_seats(YOUNG_NOORD, OLDER_ZUID)
    r = r.add_member(member("jan", seat=1), TODAY)
    error = expect_error(Conflict, "delib.seat.taken", r.add_member, member("piet", seat=1), TODAY)
    assert error.params["holder"] == "Jan"
    expect_error(NotFound, "delib.seat.not_found", r.add_member, member("piet", seat=9), TODAY)
    expect_error(Conflict, "delib.member.exists", r.add_member, member("jan", seat=2), TODAY)
    r = r.add_member(member("piet"), TODAY)  # !lid without a seat
    assert [m.display_name for m in r.current_members(TODAY)] == ["Jan", "Piet"]


def test_a_former_member_can_come_back_for_a_new_term():
    r = roster_with_seats(YOUNG_NOORD).add_member(member("jan", seat=1, term_end=date(2025, 1, 1)),
                                                  date(2024, 1, 1))
    r = r.add_member(member("jan", seat=1, term_start=TODAY), TODAY)
    assert r.member("@jan:woonstad.nl").term_start == TODAY and len(r.members) == 1


def test_adding_an_ended_term_is_refused(expect_error):
    expect_error(InvalidInput, "delib.member.term_ended", rs.Roster("w").add_member,
                 member("jan", term_end=date(2025, 1, 1)), TODAY)


def test_at_most_max_seats_seats_and_serving_members(expect_error):
    r = roster_with_seats(*[YOUNG_NOORD] * 2, max_seats=2)
    expect_error(Conflict, "delib.seat.max_reached", r.add_seat, FAMILY)
    r = r.add_member(member("a"), TODAY).add_member(member("b"), TODAY)
    expect_error(Conflict, "delib.member.max_reached", r.add_member, member("c"), TODAY)
    # an external secretary without a seat does not take a member's place
    assert r.add_member(member("sec", secretary=True), TODAY).is_member("@sec:woonstad.nl", TODAY)


def test_default_seat_cap_is_13(expect_error):
    r = roster_with_seats(*[YOUNG_NOORD] * 13)
    assert len(r.seats) == 13 and r.max_seats == 13
    expect_error(Conflict, "delib.seat.max_reached", r.add_seat, YOUNG_NOORD)


def test_seats_need_a_customer_group(expect_error):
    expect_error(InvalidInput, "delib.seat.group_required", rs.new_customer_group, " ", "", "")
    expect_error(InvalidInput, "delib.seat.group_required", rs.Roster("w").add_seat, CustomerGroup())
    expect_error(InvalidInput, "delib.seat.label_too_long", rs.new_customer_group, "x" * 81)
    assert rs.new_customer_group(" 18-35 ", "Noord").label == "18-35 · Noord"
    r = roster_with_seats(YOUNG_NOORD).regroup_seat(1, FAMILY)
    assert r.seat(1).group == FAMILY
    expect_error(NotFound, "delib.seat.not_found", r.regroup_seat, 5, FAMILY)


def test_assign_end_term_secretary_and_language(expect_error):
    r = roster_with_seats(YOUNG_NOORD, OLDER_ZUID).add_member(member("jan"), TODAY)
    r = r.add_member(member("piet", seat=2), TODAY)
    r = r.assign_seat("@jan:woonstad.nl", 1, TODAY)
    assert r.member("@jan:woonstad.nl").seat_id == 1
    assert r.assign_seat("@jan:woonstad.nl", 1, TODAY) == r  # own seat again: nothing changes
    expect_error(Conflict, "delib.seat.taken", r.assign_seat, "@jan:woonstad.nl", 2, TODAY)
    expect_error(NotFound, "delib.member.not_found", r.assign_seat, "@niemand:woonstad.nl", 1, TODAY)
    r = r.set_secretary("@jan:woonstad.nl", True).set_language("@jan:woonstad.nl", "en")
    assert r.member("@jan:woonstad.nl").secretary and r.member("@jan:woonstad.nl").language == "en"
    expect_error(InvalidInput, "delib.member.bad_language", r.set_language, "@jan:woonstad.nl", "fr")
    r = r.end_term("@piet:woonstad.nl", date(2025, 5, 31))
    assert not r.is_member("@piet:woonstad.nl", TODAY)
    assert [s.id for s in r.available_seats(TODAY)] == [2]
    expect_error(InvalidInput, "delib.member.bad_term", r.end_term, "@jan:woonstad.nl", date(2020, 1, 1))


# --------------------------------------------------------------------------- afspiegeling


def test_afspiegeling_shows_held_and_vacant_seats_and_groups_without_a_holder():
    seats = roster_with_seats(YOUNG_NOORD, OLDER_ZUID, FAMILY, YOUNG_NOORD).seats
    members = [member("jan", seat=1), member("ans", seat=3, term_end=date(2025, 5, 1)),
               member("kees", seat=2, term_start=date(2025, 9, 1)), member("sec", secretary=True)]
    view = rs.afspiegeling(seats, members, TODAY)
    assert [(h.seat.id, h.member.display_name) for h in view.held] == [(1, "Jan")]
    assert [s.id for s in view.vacant] == [2, 3, 4]
    assert [(h.seat.id, h.member.display_name) for h in view.upcoming] == [(2, "Kees")]
    assert view.unrepresented_groups == (OLDER_ZUID, FAMILY)  # YOUNG_NOORD has seat 1 held
    assert [m.display_name for m in view.members_without_seat] == ["Sec"]


def test_a_reserved_seat_is_not_available_for_appointment():
    r = roster_with_seats(YOUNG_NOORD, FAMILY).add_member(member("kees", seat=1, term_start=date(2025, 9, 1)),
                                                          TODAY)
    assert [s.id for s in r.available_seats(TODAY)] == [2]
    assert [s.id for s in r.afspiegeling(TODAY).vacant] == [1, 2]


# --------------------------------------------------------------------------- participants and absence


def test_participants_for_a_round():
    r = roster_with_seats(YOUNG_NOORD, FAMILY)
    r = r.add_member(member("jan", seat=1), TODAY).add_member(member("ans", seat=2, secretary=True), TODAY)
    r = r.add_member(member("sec", secretary=True), TODAY)  # external secretary, no seat
    r = r.add_member(member("oud", term_end=date(2025, 1, 1)), date(2024, 6, 1))
    notices = rs.mark_absent((), r, "@jan:woonstad.nl", rs.round_occasion(7), TODAY)
    p = r.participants(TODAY, rs.absent_for(notices, rs.round_occasion(7)))
    assert p.members == {"@jan:woonstad.nl", "@ans:woonstad.nl"}
    assert p.secretaries == {"@ans:woonstad.nl", "@sec:woonstad.nl"}
    assert p.absent == {"@jan:woonstad.nl"} and p.present == {"@ans:woonstad.nl"}


def test_absence_notices(expect_error):
    r = rs.Roster("w").add_member(member("jan"), TODAY)
    occasion = rs.meeting_occasion(3)
    notices = rs.mark_absent((), r, "@jan:woonstad.nl", occasion, TODAY)
    assert rs.mark_absent(notices, r, "@jan:woonstad.nl", occasion, TODAY) == notices
    assert rs.absent_for(notices, occasion) == {"@jan:woonstad.nl"}
    assert rs.absent_for(notices, rs.round_occasion(3)) == frozenset()
    assert rs.cancel_absence(notices, "@jan:woonstad.nl", occasion) == ()
    expect_error(NotFound, "delib.member.not_found", rs.mark_absent, (), r, "@piet:woonstad.nl", occasion, TODAY)


# --------------------------------------------------------------------------- applications


def application(**kwargs) -> rs.Application:
    base = {"id": 1, "council_id": "woonstad", "name": "Fatima El Amrani", "member_type": "huurder",
            "received_on": date(2025, 4, 1), "matrix_id": "@fatima:woonstad.nl"}
    return rs.new_application(**{**base, **kwargs})


def test_application_lifecycle_to_appointment_fills_a_vacant_seat():
    r = roster_with_seats(YOUNG_NOORD, FAMILY).add_member(member("jan", seat=1), TODAY)
    app = application()
    assert app.status is ApplicationStatus.ONTVANGEN
    app = rs.invite_for_interview(app)
    appointed, r2, new = rs.appoint(app, r, on=TODAY, term_end=date(2029, 5, 31))
    assert appointed.status is ApplicationStatus.BENOEMD and appointed.seat_id == 2 == new.seat_id
    assert appointed.decided_on == TODAY
    assert r2.is_member("@fatima:woonstad.nl", TODAY) and r2.afspiegeling(TODAY).vacant == ()
    assert new.display_name == "Fatima El Amrani" and new.member_type is MemberType.HUURDER


def test_appointing_needs_a_vacant_seat(expect_error):
    full = roster_with_seats(YOUNG_NOORD).add_member(member("jan", seat=1), TODAY)
    app = rs.invite_for_interview(application())
    expect_error(Conflict, "delib.seat.none_vacant", rs.appoint, app, full, on=TODAY)
    expect_error(Conflict, "delib.seat.taken", rs.appoint, app, full, on=TODAY, seat_id=1)
    expect_error(NotFound, "delib.seat.not_found", rs.appoint, app, full, on=TODAY, seat_id=4)


def test_appointing_needs_a_matrix_id(expect_error):
    app = rs.invite_for_interview(application(matrix_id=None))
    expect_error(InvalidInput, "delib.application.matrix_id_required", rs.appoint, app,
                 roster_with_seats(FAMILY), on=TODAY)


@pytest.mark.parametrize("path,allowed", [
    (["decline"], True),
    (["invite", "decline"], True),
    (["appoint"], False),
    (["invite", "invite"], False),
    (["decline", "invite"], False),
    (["invite", "appoint", "decline"], False),
    (["invite", "decline", "appoint"], False),
])
def test_application_transitions(expect_error, path, allowed):
    r = roster_with_seats(FAMILY)
    steps = {"invite": rs.invite_for_interview, "decline": lambda a: rs.decline(a, TODAY),
             "appoint": lambda a: rs.appoint(a, r, on=TODAY)[0]}
    app = application()
    for i, step in enumerate(path):
        if i == len(path) - 1 and not allowed:
            expect_error(Conflict, "delib.application.bad_transition", steps[step], app)
        else:
            app = steps[step](app)


def test_application_validation(expect_error):
    expect_error(InvalidInput, "delib.application.name_required", application, name=" ")
    expect_error(InvalidInput, "delib.member.bad_type", application, member_type="belegger")
    expect_error(InvalidInput, "delib.member.bad_matrix_id", application, matrix_id="fatima")
    expect_error(InvalidInput, "delib.text.too_long", application, motivation="x" * 4001)
    expect_error(InvalidInput, "delib.text.too_long", application, contact="x" * 255)
    assert application(contact=" fatima@example.org ").contact == "fatima@example.org"
    assert rs.decline(application(), TODAY).status is ApplicationStatus.NIET_BENOEMD
