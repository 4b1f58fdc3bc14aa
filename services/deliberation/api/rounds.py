"""Routes of the consensus rounds: open, give positions, handle objections, amend, move on, decide or stop.

Chat commands carry the Matrix event id as Idempotency-Key: the round records it with its events, so a
replayed command changes nothing (``duplicate: true``)."""
from __future__ import annotations

from services.deliberation import actions, views
from services.deliberation.api.common import ADMIN, API, CHAT, READ, ctx, rt, settings
from shared.errors import InvalidInput
from services.deliberation.schemas import (
    AbandonIn,
    AmendIn,
    DeadlineIn,
    EventOut,
    PositionIn,
    ResolveIn,
    RoundActorIn,
    RoundOpenIn,
    RoundOut,
    RoundQuery,
    ThreadOut,
    ThreadQuery,
    WithdrawIn,
)


@API.route("/councils/<slug>/rounds", "POST",
           summary="Open a round (!ronde): the proposal becomes the root of a new thread", body=RoundOpenIn,
           response=RoundOut, status=201, callers=CHAT, errors=(403, 409))
def open_new_round(slug: str, body: RoundOpenIn) -> RoundOut:
    c = ctx(slug, keyed=True)
    return views.round_out(c, actions.open_new_round(rt(), c, body))


@API.route("/councils/<slug>/rounds", summary="Rounds of the council", query=RoundQuery, response=list[RoundOut],
           callers=READ)
def list_rounds(slug: str, query: RoundQuery) -> list[RoundOut]:
    c = ctx(slug)
    return [views.round_out(c, r) for r in actions.rounds(rt(), c, query.state, query.topic_id)]


@API.route("/councils/<slug>/rounds/<int:round_id>",
           summary="Status of a round (!stand): phase, version, who has not responded, concerns, open objections",
           response=RoundOut, callers=READ)
def get_round(slug: str, round_id: int) -> RoundOut:
    c = ctx(slug)
    return views.round_out(c, actions.round_status(rt(), c, round_id))


@API.route("/councils/<slug>/rounds/<int:round_id>/events", summary="The full history of a round",
           response=list[EventOut], callers=ADMIN)
def round_events(slug: str, round_id: int) -> list[EventOut]:
    return [views.event_out(e) for e in actions.round_events(rt(), ctx(slug), round_id)]


@API.route("/councils/<slug>/threads", summary="Which round or advice trajectory a thread key stands for (also the "
           "keys of threads opened before numbers per council, whose digits are a global id)", query=ThreadQuery,
           response=ThreadOut, callers=READ, errors=(404,))
def thread(slug: str, query: ThreadQuery) -> ThreadOut:
    found = actions.thread(rt(), ctx(slug), query.key)
    return ThreadOut(kind=found.kind, id=found.number, thread_key=query.key)


@API.route("/councils/<slug>/rounds/<int:round_id>/positions", "POST",
           summary="Give a position: eens, bedenking, opzij, bezwaar, info (a bezwaar answers its objection_id)",
           body=PositionIn, response=RoundOut, callers=CHAT, errors=(403, 409))
def give_position(slug: str, round_id: int, body: PositionIn) -> RoundOut:
    c = ctx(slug, keyed=True)
    return views.round_out(c, actions.give_position(rt(), c, round_id, body.actor, body.position, body.text))


@API.route("/councils/<slug>/rounds/<int:round_id>/withdraw", "POST",
           summary="Withdraw one's own objection (!intrekken)", body=WithdrawIn, response=RoundOut, callers=CHAT,
           errors=(403, 409))
def withdraw_objection(slug: str, round_id: int, body: WithdrawIn) -> RoundOut:
    c = ctx(slug, keyed=True)
    return views.round_out(c, actions.withdraw_objection(rt(), c, round_id, body.actor, body.objection_id))


@API.route("/councils/<slug>/rounds/<int:round_id>/objections/<int:objection_id>/resolve", "POST",
           summary="An objection is resolved (!opgelost): the objector says so (a note optional), or the secretary "
                   "or opener records how the group resolved it (with a note)", body=ResolveIn,
           response=RoundOut, callers=CHAT, errors=(403, 404, 409, 422))
def resolve_objection(slug: str, round_id: int, objection_id: int, body: ResolveIn) -> RoundOut:
    c = ctx(slug, keyed=True)
    return views.round_out(c, actions.resolve_objection(rt(), c, round_id, objection_id, body.actor, body.note))


@API.route("/councils/<slug>/rounds/<int:round_id>/objections/resolve", "POST",
           summary="The objector says their own open objection is resolved (!opgelost without a number), e.g. by "
                   "the new version of the proposal", body=ResolveIn,
           response=RoundOut, callers=CHAT, errors=(403, 404, 409, 422))
def resolve_own_objection(slug: str, round_id: int, body: ResolveIn) -> RoundOut:
    c = ctx(slug, keyed=True)
    return views.round_out(c, actions.resolve_objection(rt(), c, round_id, None, body.actor, body.note))


@API.route("/councils/<slug>/rounds/<int:round_id>/proposal", "POST",
           summary="Amend the proposal (!voorstel): a new version, posted in the thread; everyone responds again",
           body=AmendIn, response=RoundOut, callers=CHAT, errors=(403, 409))
def amend_proposal(slug: str, round_id: int, body: AmendIn) -> RoundOut:
    c = ctx(slug, keyed=True)
    return views.round_out(c, actions.amend_proposal(rt(), c, round_id, body.actor, body.text))


@API.route("/councils/<slug>/rounds/<int:round_id>/phase", "POST",
           summary="Move to the next phase (!verder; secretary or opener)", body=RoundActorIn, response=RoundOut,
           callers=CHAT, errors=(403, 409))
def advance_phase(slug: str, round_id: int, body: RoundActorIn) -> RoundOut:
    c = ctx(slug, keyed=True)
    return views.round_out(c, actions.advance_phase(rt(), c, round_id, body.actor))


@API.route("/councils/<slug>/rounds/<int:round_id>/deadline", "POST", summary="Move the deadline of a round (!termijn): to the end of a day (23:59 local), or an exact "
           "moment; announced in the thread and the round's first message edited",
           body=DeadlineIn, response=RoundOut, callers=CHAT, errors=(403, 409))
def set_deadline(slug: str, round_id: int, body: DeadlineIn) -> RoundOut:
    c = ctx(slug, keyed=True)
    if (body.deadline is None) == (body.day is None):
        raise InvalidInput("delib.api.deadline_one_of", "give a day or an exact deadline")
    return views.round_out(c, actions.set_deadline(rt(), c, round_id, body.actor, body.deadline, body.day))


@API.route("/councils/<slug>/rounds/<int:round_id>/decide", "POST",
           summary="Record agreement (!besluit), or say exactly what is missing", body=RoundActorIn,
           response=RoundOut, callers=CHAT, errors=(403, 409))
def decide(slug: str, round_id: int, body: RoundActorIn) -> RoundOut:
    c = ctx(slug, keyed=True)
    return views.round_out(c, actions.decide(rt(), settings(), c, round_id, body.actor))


@API.route("/councils/<slug>/rounds/<int:round_id>/abandon", "POST",
           summary="Stop a round without agreement; the topic is active again", body=AbandonIn, response=RoundOut,
           callers=CHAT, errors=(403, 409))
def abandon_round(slug: str, round_id: int, body: AbandonIn) -> RoundOut:
    c = ctx(slug, keyed=True)
    return views.round_out(c, actions.abandon_round(rt(), c, round_id, body.actor, body.reason))
