"""Routes of the agenda: topics (from members or from residents' signals), the ranked agenda with its cap,
formal advice and the board's reply, realisation checks, and the deadlines feed for the calendar."""
from __future__ import annotations

from flask import Response, jsonify

from services.deliberation import actions, views
from services.deliberation.api.common import ADMIN, API, CHAT, READ, ctx, rt
from services.deliberation.schemas import (
    ActorIn,
    AdviceIn,
    AdviceRequestIn,
    AgendaOut,
    BackgroundIn,
    BackgroundOut,
    BoardReplyIn,
    CheckIn,
    CheckResultIn,
    DeadlineOut,
    ModeIn,
    PeriodQuery,
    ScoreIn,
    TextErasureIn,
    TopicIn,
    TopicOut,
    TopicQuery,
)
from shared.api import dump

# --------------------------------------------------------------------------- topics and the agenda


@API.route("/councils/<slug>/topics", "POST", summary="Put a topic on the agenda (!onderwerp, or a signal cluster)",
           body=TopicIn, response=TopicOut, status=201, callers=("bot", "admin", "signals"), errors=(403,))
def create_topic(slug: str, body: TopicIn) -> TopicOut | Response:
    c = ctx(slug, keyed=True)
    made = actions.create_topic(rt(), c, body)
    out = views.topic_out(c, made.view)
    if made.created:
        return out
    resp = jsonify(dump(out))  # made before (same key, or the same signal cluster): 200, not 201
    resp.status_code = 200
    return resp


@API.route("/councils/<slug>/topics/<int:topic_id>/erase-signal-text", "POST",
           summary="A resident erased a signal: remove its text from the topic's evidence (and title)",
           body=TextErasureIn, response=TopicOut, callers=("signals", "admin"), errors=(403,))
def erase_signal_text(slug: str, topic_id: int, body: TextErasureIn) -> TopicOut:
    c = ctx(slug)
    view, _changed = actions.erase_signal_text(rt(), c, topic_id, body)
    return views.topic_out(c, view)


@API.route("/councils/<slug>/topics/<int:topic_id>/background", "POST",
           summary="A background note on a topic (a residents' consultation's summary): shown in short in the topic's "
                   "rounds and in full with its decisions in the decision list; the same key again replaces it",
           body=BackgroundIn, response=BackgroundOut, status=201, also=(200,), callers=("signals", "admin"),
           errors=(404,))
def add_background(slug: str, topic_id: int, body: BackgroundIn) -> BackgroundOut | Response:
    c = ctx(slug)
    note, created = actions.add_background(rt(), c, topic_id, body)
    out = views.background_out(c, note, created=created)
    if created:
        return out
    resp = jsonify(dump(out))  # the key was known: 200, not 201
    resp.status_code = 200
    return resp


@API.route("/councils/<slug>/topics", summary="All topics of the council", query=TopicQuery,
           response=list[TopicOut], callers=READ)
def list_topics(slug: str, query: TopicQuery) -> list[TopicOut]:
    c = ctx(slug)
    return [views.topic_out(c, t) for t in actions.topics(rt(), c, query.status or None)]


@API.route("/councils/<slug>/topics/<int:topic_id>",
           summary="One topic: status, advice, checks and, once agreed, the decision", response=TopicOut,
           callers=READ)
def get_topic(slug: str, topic_id: int) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.topic(rt(), c, topic_id))


@API.route("/councils/<slug>/agenda", summary="The agenda (!agenda): active topics and the waiting list, ranked",
           response=AgendaOut, callers=READ)
def get_agenda(slug: str) -> AgendaOut:
    c = ctx(slug)
    return views.agenda_out(c, actions.agenda(rt(), c))


@API.route("/councils/<slug>/topics/<int:topic_id>/score", "POST", summary="Score importance and influence (!score)",
           body=ScoreIn, response=TopicOut, callers=CHAT, errors=(403, 409))
def score_topic(slug: str, topic_id: int, body: ScoreIn) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.score_topic(rt(), c, topic_id, body.actor, body.importance, body.influence))


@API.route("/councils/<slug>/topics/<int:topic_id>/activate", "POST",
           summary="Activate a topic (!activeer); refused with the active topics when the cap is reached",
           body=ActorIn, response=TopicOut, callers=CHAT, errors=(403, 409))
def activate_topic(slug: str, topic_id: int, body: ActorIn) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.activate_topic(rt(), c, topic_id, body.actor))


@API.route("/councils/<slug>/topics/<int:topic_id>/park", "POST", summary="Park a topic (!parkeer)", body=ActorIn,
           response=TopicOut, callers=CHAT, errors=(403, 409))
def park_topic(slug: str, topic_id: int, body: ActorIn) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.park_topic(rt(), c, topic_id, body.actor))


@API.route("/councils/<slug>/topics/<int:topic_id>/mode", "POST",
           summary="Set the way of working: cocreatie, formeel_advies, instemming, informatie", body=ModeIn,
           response=TopicOut, callers=CHAT, errors=(403, 409))
def set_topic_mode(slug: str, topic_id: int, body: ModeIn) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.set_topic_mode(rt(), c, topic_id, body.actor, body.mode))


@API.route("/councils/<slug>/topics/<int:topic_id>/close", "POST", summary="Close a topic", body=ActorIn,
           response=TopicOut, callers=ADMIN, errors=(409,))
def close_topic(slug: str, topic_id: int, body: ActorIn) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.close_topic(rt(), c, topic_id, body.actor))


# --------------------------------------------------------------------------- formal advice and realisation


@API.route("/councils/<slug>/topics/<int:topic_id>/advice-request", "POST",
           summary="The corporation's advice (or consent) request arrived; the deadline follows",
           body=AdviceRequestIn, response=TopicOut, callers=ADMIN, errors=(409,))
def receive_advice_request(slug: str, topic_id: int, body: AdviceRequestIn) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.receive_advice_request(rt(), c, topic_id, body.received_on, body.period_weeks))


@API.route("/councils/<slug>/topics/<int:topic_id>/advice", "POST", summary="The advice went to the board",
           body=AdviceIn, response=TopicOut, callers=ADMIN, errors=(409,))
def send_advice(slug: str, topic_id: int, body: AdviceIn) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.send_advice(rt(), c, topic_id, body.text, body.sent_on))


@API.route("/councils/<slug>/topics/<int:topic_id>/board-reply", "POST",
           summary="The board's written reply (a deviating reply after 14 days is flagged)", body=BoardReplyIn,
           response=TopicOut, callers=ADMIN, errors=(409,))
def board_reply(slug: str, topic_id: int, body: BoardReplyIn) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.board_reply(rt(), c, topic_id, body.text, body.received_on, body.deviates))


@API.route("/councils/<slug>/topics/<int:topic_id>/checks", "POST",
           summary="Plan a realisation check (toetsen van de realisatie) on a review date", body=CheckIn,
           response=TopicOut, status=201, callers=ADMIN, errors=(409,))
def plan_check(slug: str, topic_id: int, body: CheckIn) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.plan_check(rt(), c, topic_id, body.due_on, body.description))


@API.route("/councils/<slug>/topics/<int:topic_id>/checks/<int:check_id>/result", "POST",
           summary="Record the result of a realisation check", body=CheckResultIn, response=TopicOut,
           callers=ADMIN, errors=(409,))
def check_result(slug: str, topic_id: int, check_id: int, body: CheckResultIn) -> TopicOut:
    c = ctx(slug)
    return views.topic_out(c, actions.check_result(rt(), c, topic_id, check_id, body.note, body.checked_on))


# --------------------------------------------------------------------------- deadlines feed


@API.route("/councils/<slug>/deadlines",
           summary="Advice deadlines, expected board replies and realisation checks (for the calendar)",
           query=PeriodQuery, response=list[DeadlineOut], callers=("calendar", "admin", "bot"))
def list_deadlines(slug: str, query: PeriodQuery) -> list[DeadlineOut]:
    c = ctx(slug)
    return views.deadlines_out(c, actions.deadlines(rt(), c, query.start, query.end))
