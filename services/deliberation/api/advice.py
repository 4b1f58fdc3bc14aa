"""Routes of advice trajectories: the board's advice (or consent) request, the draft in a consensus round, the
sending, the board's written reply, and the realisation checks with their outcomes. Every step posts in the
trajectory's thread (``delib:advice:<id>``); the chat commands are ``!advies``, ``!concept``, ``!verstuurd``,
``!reactie``, ``!toets``, ``!uitkomst``, ``!adviezen`` and ``!beloften``."""
from __future__ import annotations

from flask import Response, jsonify

from services.deliberation import actions, views
from services.deliberation.api.common import API, CHAT, CHAT_OR_WERKPLEK, READ, ctx, rt
from services.deliberation.domain.advice import open_by_next_date
from services.deliberation.schemas import (
    AdviceCheckPlanIn,
    AdviceOpenIn,
    AdviceOutcomeIn,
    AdviceQuery,
    AdviceReplyIn,
    AdviceSentIn,
    DraftIn,
    DraftOut,
    TrajectoryOut,
)
from shared.api import dump


@API.route("/councils/<slug>/advice", "POST",
           summary="Register an advice or consent request (!advies; secretary): its thread shows the legal dates",
           body=AdviceOpenIn, response=TrajectoryOut, status=201, callers=CHAT, errors=(403, 409))
def register_advice(slug: str, body: AdviceOpenIn) -> TrajectoryOut | Response:
    c = ctx(slug, keyed=True)
    view = actions.register_advice(rt(), c, body)
    out = views.trajectory_out(c, view)
    if view.created:
        return out
    resp = jsonify(dump(out))  # registered before by the same request: 200
    resp.status_code = 200
    return resp


@API.route("/councils/<slug>/advice", summary="Advice trajectories (?state=open: open ones, next date first)",
           query=AdviceQuery, response=list[TrajectoryOut], callers=READ)
def list_advice(slug: str, query: AdviceQuery) -> list[TrajectoryOut]:
    c = ctx(slug)
    found = actions.advice_list(rt(), c)
    if query.state == "open":
        order = {t.id: i for i, t in enumerate(open_by_next_date(v.trajectory for v in found))}
        found = sorted((v for v in found if v.trajectory.id in order), key=lambda v: order[v.trajectory.id])
    return [views.trajectory_out(c, v) for v in found]


@API.route("/councils/<slug>/advice/<int:advice_id>", summary="One advice trajectory", response=TrajectoryOut,
           callers=READ)
def get_advice(slug: str, advice_id: int) -> TrajectoryOut:
    c = ctx(slug)
    return views.trajectory_out(c, actions.advice(rt(), c, advice_id))


@API.route("/councils/<slug>/advice/<int:advice_id>/draft", "POST",
           summary="Open a consensus round on the draft advice (!concept)", body=DraftIn, response=DraftOut,
           status=201, callers=CHAT_OR_WERKPLEK, errors=(403, 409))
def open_draft(slug: str, advice_id: int, body: DraftIn) -> DraftOut:
    c = ctx(slug, keyed=True)
    view, rnd = actions.open_draft(rt(), c, advice_id, body.actor, body.proposal, body.deadline_day)
    return DraftOut(advice=views.trajectory_out(c, view), round=views.round_out(c, rnd))


@API.route("/councils/<slug>/advice/<int:advice_id>/sent", "POST",
           summary="The advice was sent (!verstuurd; secretary, only after agreement)", body=AdviceSentIn,
           response=TrajectoryOut, callers=CHAT_OR_WERKPLEK, errors=(403, 409))
def advice_sent(slug: str, advice_id: int, body: AdviceSentIn) -> TrajectoryOut:
    c = ctx(slug, keyed=True)
    return views.trajectory_out(c, actions.mark_advice_sent(rt(), c, advice_id, body.actor, body.on))


@API.route("/councils/<slug>/advice/<int:advice_id>/reply", "POST",
           summary="The board's written reply (!reactie volgt|wijktaf; a deviating reply needs its reasons)",
           body=AdviceReplyIn, response=TrajectoryOut, callers=CHAT_OR_WERKPLEK, errors=(403, 409))
def advice_reply(slug: str, advice_id: int, body: AdviceReplyIn) -> TrajectoryOut:
    c = ctx(slug, keyed=True)
    return views.trajectory_out(c, actions.record_board_reply(rt(), c, advice_id, body.actor, body.kind, body.text,
                                                              body.on))


@API.route("/councils/<slug>/advice/<int:advice_id>/checks", "POST",
           summary="Plan a realisation check (!toets; secretary)", body=AdviceCheckPlanIn, response=TrajectoryOut,
           status=201, callers=CHAT_OR_WERKPLEK, errors=(403, 409))
def advice_check(slug: str, advice_id: int, body: AdviceCheckPlanIn) -> TrajectoryOut:
    c = ctx(slug, keyed=True)
    return views.trajectory_out(c, actions.plan_advice_check(rt(), c, advice_id, body.actor, body.on))


@API.route("/councils/<slug>/advice/<int:advice_id>/outcome", "POST",
           summary="Record the outcome of the next open check (!uitkomst uitgevoerd|deels|niet)",
           body=AdviceOutcomeIn, response=TrajectoryOut, callers=CHAT_OR_WERKPLEK, errors=(403, 404, 409))
def advice_outcome(slug: str, advice_id: int, body: AdviceOutcomeIn) -> TrajectoryOut:
    c = ctx(slug, keyed=True)
    return views.trajectory_out(c, actions.record_check_outcome(rt(), c, advice_id, body.actor, body.outcome,
                                                                body.note))
