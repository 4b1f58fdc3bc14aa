"""Routes of the roster: members and seats (afspiegeling), applications for a seat, absence with notice."""
from __future__ import annotations

from flask import current_app, request

from services.deliberation import actions, views
from services.deliberation.api.common import ADMIN, API, CHAT, READ, ctx, rt, settings
from services.deliberation.schemas import (
    AbsenceIn,
    AbsenceOut,
    AbsenceQuery,
    ApplicationIn,
    ApplicationOut,
    ApplicationQuery,
    ApplicationReceipt,
    ApplicationStatusIn,
    JoinedIn,
    JoinedOut,
    MemberIn,
    MemberOut,
    MemberPatch,
    RosterOut,
    SeatIn,
    SeatOut,
)
from shared.ratelimit import RateLimiter, client_address

# --------------------------------------------------------------------------- members and seats


@API.route("/councils/<slug>/members", summary="The roster: members, seats and afspiegeling", response=RosterOut,
           callers=READ)
def list_members(slug: str) -> RosterOut:
    c = ctx(slug)
    return views.roster_out(c, actions.roster(rt(), c))


@API.route("/councils/<slug>/members", "POST", summary="Add a member (!lid, seeding, the secretary's tools)",
           body=MemberIn, response=MemberOut, status=201, callers=CHAT, errors=(403, 409, 422))
def add_member(slug: str, body: MemberIn) -> MemberOut:
    c = ctx(slug)
    return views.member_view_out(c, actions.add_member(rt(), c, body))


@API.route("/councils/<slug>/members/<member_id>", "PATCH", summary="Update a member", body=MemberPatch,
           response=MemberOut, callers=ADMIN, errors=(409, 422))
def update_member(slug: str, member_id: str, body: MemberPatch) -> MemberOut:
    c = ctx(slug)
    return views.member_view_out(c, actions.update_member(rt(), c, member_id, body))


@API.route("/councils/<slug>/chat-joins", "POST",
           summary="The bot saw someone join the council's room: an appointed member waited for is now in the chat, "
                   "welcomed in the room and sent a direct message on how things work (idempotent)",
           body=JoinedIn, response=JoinedOut, callers=CHAT)
def member_joined(slug: str, body: JoinedIn) -> JoinedOut:
    joined = actions.joined_chat(rt(), ctx(slug), body.matrix_id)
    return JoinedOut(matrix_id=body.matrix_id, member=joined.member, welcomed=joined.welcomed)


@API.route("/councils/<slug>/seats", summary="Seats and who holds them", response=list[SeatOut], callers=READ)
def list_seats(slug: str) -> list[SeatOut]:
    c = ctx(slug)
    return views.roster_out(c, actions.roster(rt(), c)).seats


@API.route("/councils/<slug>/seats", "POST", summary="Add a seat for a customer group", body=SeatIn,
           response=SeatOut, status=201, callers=ADMIN, errors=(409,))
def add_seat(slug: str, body: SeatIn) -> SeatOut:
    return views.seat_out(actions.add_seat(rt(), ctx(slug), body))


@API.route("/councils/<slug>/seats/<int:seat_id>", "PATCH", summary="Assign a seat to another customer group",
           body=SeatIn, response=SeatOut, callers=ADMIN)
def regroup_seat(slug: str, seat_id: int, body: SeatIn) -> SeatOut:
    c = ctx(slug)
    return views.seat_of(c, actions.regroup_seat(rt(), c, seat_id, body), seat_id)


# --------------------------------------------------------------------------- applications


@API.route("/councils/<slug>/applications", "POST", summary="Apply for a seat (anyone)", body=ApplicationIn,
           response=ApplicationReceipt, status=201, callers=None, errors=(429,))
def apply_for_seat(slug: str, body: ApplicationIn) -> ApplicationReceipt:
    """Public: limited per client address (``actions.APPLICATIONS_PER_ADDRESS``, counted in Redis when
    configured) and per council per day (``actions.MAX_APPLICATIONS_PER_DAY``)."""
    c = ctx(slug)
    limiter: RateLimiter = current_app.extensions["deliberation_ratelimiter"]
    sender = client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                            settings().signals.proxy_hops)
    return views.application_receipt(actions.apply_for_seat(rt(), c, body, limiter=limiter, sender=sender))


@API.route("/councils/<slug>/applications", summary="Applications (!aanmeldingen: the secretary only; the "
           "werkplek for the secretary and the selection committee)",
           query=ApplicationQuery, response=list[ApplicationOut], callers=(*CHAT, "werkplek"), errors=(403, 422))
def list_applications(slug: str, query: ApplicationQuery) -> list[ApplicationOut]:
    c = ctx(slug)
    return [views.application_out(c, a) for a in actions.applications(rt(), c, query.status, query.actor)]


@API.route("/councils/<slug>/applications/<int:application_id>/status", "POST",
           summary="Record the selection committee's decision (!selectie): interview, appointed (fills a seat, the "
                   "bot invites the new member) or not appointed", body=ApplicationStatusIn, response=ApplicationOut,
           callers=(*CHAT, "werkplek"), errors=(403, 404, 409, 422))
def change_application(slug: str, application_id: int, body: ApplicationStatusIn) -> ApplicationOut:
    c = ctx(slug)
    return views.application_out(c, actions.change_application(rt(), c, application_id, body))


# --------------------------------------------------------------------------- absence with notice


@API.route("/councils/<slug>/absences", "POST", summary="Absent with notice for a round or meeting (!afmelden)",
           body=AbsenceIn, response=AbsenceOut, status=201, callers=CHAT, errors=(403, 409))
def add_absence(slug: str, body: AbsenceIn) -> AbsenceOut:
    return views.absences_out(actions.add_absence(rt(), ctx(slug), body))[0]


@API.route("/councils/<slug>/absences/cancel", "POST", summary="Take back an absence notice",
           body=AbsenceIn, response=list[AbsenceOut], callers=CHAT, errors=(403, 409))
def cancel_absence_notice(slug: str, body: AbsenceIn) -> list[AbsenceOut]:
    return views.absences_out(actions.cancel_absence_notice(rt(), ctx(slug), body))


@API.route("/councils/<slug>/absences", summary="Absence notices, for one occasion or all", query=AbsenceQuery,
           response=list[AbsenceOut], callers=READ)
def list_absences(slug: str, query: AbsenceQuery) -> list[AbsenceOut]:
    return views.absences_out(actions.absences(rt(), ctx(slug), query.occasion or None))
