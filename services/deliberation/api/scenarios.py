"""Routes of co-creation over several scenarios (scenario rounds) and of influence on the record.

A scenario round is numbered per council on its own (``/scenarios/<n>``) and has its own thread
(``delib:scenarios:<council>:<n>``). Chat commands carry the Matrix event id as Idempotency-Key, so a replayed
command changes nothing (``duplicate: true``). Never a tally: per option who has not responded, the objections
that stand, the concerns and who prefers it, by name."""
from __future__ import annotations

from services.deliberation import actions, views
from services.deliberation.api.common import ADMIN, API, CHAT, READ, ctx, rt, settings
from services.deliberation.schemas import (
    AbandonIn,
    DeadlineIn,
    EventOut,
    InfluenceIn,
    InfluenceOverviewOut,
    InfluenceQuery,
    OptionAmendIn,
    OptionIn,
    OptionPositionIn,
    OptionsMergeIn,
    PreferenceIn,
    RoundActorIn,
    ScenarioDecideIn,
    ScenarioInputIn,
    ScenarioObjectionIn,
    ScenarioOutcomeOut,
    ScenarioQuery,
    ScenarioRegisterQuery,
    ScenarioRoundOut,
    ScenariosOpenIn,
    TopicInfluenceOut,
)
from shared.errors import InvalidInput


@API.route("/councils/<slug>/scenarios", "POST",
           summary="Open a scenario round (!scenarios): co-creation over several options on one topic, in a new "
                   "thread", body=ScenariosOpenIn, response=ScenarioRoundOut, status=201, callers=CHAT,
           errors=(403, 404, 409))
def scenarios_open_scenarios(slug: str, body: ScenariosOpenIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    return views.scenario_out(c, actions.open_scenarios(rt(), c, body))


@API.route("/councils/<slug>/scenarios", summary="Scenario rounds of the council", query=ScenarioQuery,
           response=list[ScenarioRoundOut], callers=READ)
def scenarios_list_scenarios(slug: str, query: ScenarioQuery) -> list[ScenarioRoundOut]:
    c = ctx(slug)
    return [views.scenario_out(c, v) for v in actions.scenario_rounds(rt(), c, query.state, query.topic_id)]


@API.route("/councils/<slug>/scenarios/<int:round_id>",
           summary="Status of a scenario round (!stand): per option who has not responded, the objections that "
                   "stand, the concerns, who prefers it, and which options nobody objects to",
           response=ScenarioRoundOut, callers=READ, errors=(404,))
def scenarios_get_scenarios(slug: str, round_id: int) -> ScenarioRoundOut:
    c = ctx(slug)
    return views.scenario_out(c, actions.scenario_status(rt(), c, round_id))


@API.route("/councils/<slug>/scenarios/<int:round_id>/events", summary="The full history of a scenario round",
           response=list[EventOut], callers=ADMIN, errors=(404,))
def scenarios_scenario_events(slug: str, round_id: int) -> list[EventOut]:
    return [views.event_out(e) for e in actions.scenario_events(rt(), ctx(slug), round_id)]


@API.route("/councils/<slug>/scenarios/<int:round_id>/options", "POST",
           summary="Add an option (!optie; secretary or opener, during beeldvorming): the board's scenario or the "
                   "council's", body=OptionIn, response=ScenarioRoundOut, callers=CHAT, errors=(403, 404, 409))
def scenarios_add_option(slug: str, round_id: int, body: OptionIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    return views.scenario_out(c, actions.add_option(rt(), c, round_id, body.actor, body.text, body.source))


@API.route("/councils/<slug>/scenarios/<int:round_id>/options/<int:option>/versions", "POST",
           summary="Amend an option (!optie <nr> wijzig): a new version; positions on it are cleared, its open "
                   "objections carry over and their objectors are asked", body=OptionAmendIn,
           response=ScenarioRoundOut, callers=CHAT, errors=(403, 404, 409))
def scenarios_amend_option(slug: str, round_id: int, option: int, body: OptionAmendIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    return views.scenario_out(c, actions.amend_option(rt(), c, round_id, option, body.actor, body.text))


@API.route("/councils/<slug>/scenarios/<int:round_id>/options/merge", "POST",
           summary="Merge options into a new option (!optie <nr> <nr> samen): the merged ones close, their open "
                   "objections carry over", body=OptionsMergeIn, response=ScenarioRoundOut, callers=CHAT,
           errors=(403, 404, 409))
def scenarios_merge_options(slug: str, round_id: int, body: OptionsMergeIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    return views.scenario_out(c, actions.merge_options(rt(), c, round_id, list(body.options), body.actor,
                                                       body.text))


@API.route("/councils/<slug>/scenarios/<int:round_id>/positions", "POST",
           summary="A position on one option: eens, bedenking, opzij, bezwaar, info (or voorkeur, intrekken)",
           body=OptionPositionIn, response=ScenarioRoundOut, callers=CHAT, errors=(403, 404, 409))
def scenarios_give_position(slug: str, round_id: int, body: OptionPositionIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    return views.scenario_out(c, actions.give_option_position(rt(), c, round_id, body.actor, body.option,
                                                              body.position, body.text))


@API.route("/councils/<slug>/scenarios/<int:round_id>/preference", "POST",
           summary="Which option the member prefers (!voorkeur); without an option the preference is taken back. "
                   "Shown as names per option, never counted", body=PreferenceIn, response=ScenarioRoundOut,
           callers=CHAT, errors=(403, 404, 409))
def scenarios_prefer(slug: str, round_id: int, body: PreferenceIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    return views.scenario_out(c, actions.prefer_option(rt(), c, round_id, body.actor, body.option))


@API.route("/councils/<slug>/scenarios/<int:round_id>/withdraw", "POST",
           summary="Withdraw one's own objection (!intrekken [optie])", body=ScenarioObjectionIn,
           response=ScenarioRoundOut, callers=CHAT, errors=(403, 404, 409))
def scenarios_withdraw(slug: str, round_id: int, body: ScenarioObjectionIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    return views.scenario_out(c, actions.withdraw_option_objection(rt(), c, round_id, body.actor, body.option,
                                                                   body.objection_id))


@API.route("/councils/<slug>/scenarios/<int:round_id>/resolve", "POST",
           summary="An objection is resolved (!opgelost): the objector says so, or the secretary or opener records "
                   "how (with a note)", body=ScenarioObjectionIn, response=ScenarioRoundOut, callers=CHAT,
           errors=(403, 404, 409))
def scenarios_resolve(slug: str, round_id: int, body: ScenarioObjectionIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    return views.scenario_out(c, actions.resolve_option_objection(rt(), c, round_id, body.actor, body.option,
                                                                  body.objection_id, body.note))


@API.route("/councils/<slug>/scenarios/<int:round_id>/phase", "POST",
           summary="Move to the next phase (!verder; secretary or opener); beeldvorming ends with two options or more",
           body=RoundActorIn, response=ScenarioRoundOut, callers=CHAT, errors=(403, 404, 409))
def scenarios_advance_phase(slug: str, round_id: int, body: RoundActorIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    return views.scenario_out(c, actions.advance_scenarios(rt(), c, round_id, body.actor))


@API.route("/councils/<slug>/scenarios/<int:round_id>/deadline", "POST",
           summary="Move the deadline of a scenario round (!termijn in its thread): to the end of a day (23:59 "
                   "local) or an exact moment; announced in the thread and its first message edited",
           body=DeadlineIn, response=ScenarioRoundOut, callers=CHAT, errors=(403, 404, 409))
def scenarios_set_deadline(slug: str, round_id: int, body: DeadlineIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    if (body.deadline is None) == (body.day is None):
        raise InvalidInput("delib.api.deadline_one_of", "give a day or an exact deadline")
    return views.scenario_out(c, actions.set_scenarios_deadline(rt(), c, round_id, body.actor, body.deadline,
                                                                body.day))


@API.route("/councils/<slug>/scenarios/<int:round_id>/decide", "POST",
           summary="Agreement on one option (!besluit <optie>) by the consent rule of a round, or exactly what is "
                   "missing for it; recorded in the decision list with every option's objections and concerns",
           body=ScenarioDecideIn, response=ScenarioRoundOut, callers=CHAT, errors=(403, 404, 409))
def scenarios_decide(slug: str, round_id: int, body: ScenarioDecideIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    view = actions.decide_option(rt(), c, round_id, body.actor, body.option)
    return views.scenario_out(c, actions.link_scenarios(rt(), settings(), c, view))


@API.route("/councils/<slug>/scenarios/<int:round_id>/meegedacht", "POST",
           summary="End as 'meegedacht' (!meegedacht; secretary or opener, from oordeelsvorming on): the council's "
                   "view on every option goes to the board as co-creation input, recorded in the decision list",
           body=ScenarioInputIn, response=ScenarioRoundOut, callers=CHAT, errors=(403, 404, 409))
def scenarios_end_as_input(slug: str, round_id: int, body: ScenarioInputIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    view = actions.end_scenarios_as_input(rt(), c, round_id, body.actor, body.note)
    return views.scenario_out(c, actions.link_scenarios(rt(), settings(), c, view))


@API.route("/councils/<slug>/scenarios/<int:round_id>/abandon", "POST",
           summary="Stop a scenario round without agreement and without input; the topic is active again",
           body=AbandonIn, response=ScenarioRoundOut, callers=CHAT, errors=(403, 404, 409))
def scenarios_abandon(slug: str, round_id: int, body: AbandonIn) -> ScenarioRoundOut:
    c = ctx(slug, keyed=True)
    return views.scenario_out(c, actions.abandon_scenarios(rt(), c, round_id, body.actor, body.reason))


@API.route("/councils/<slug>/register/scenarios",
           summary="The decision list's co-creation part: every ended scenario round (agreement on one option, or "
                   "meegedacht) with every option's positions, standing objections and concerns, every objection "
                   "and how it ended, and what changed because of the council", query=ScenarioRegisterQuery,
           response=list[ScenarioOutcomeOut], callers=READ)
def scenarios_scenario_register(slug: str, query: ScenarioRegisterQuery) -> list[ScenarioOutcomeOut]:
    c = ctx(slug)
    found = actions.scenario_register(rt(), c, query.start, query.end, query.topic_id, query.order == "newest")
    return [views.scenario_entry_out(c, e, found) for e in found.entries]


@API.route("/councils/<slug>/topics/<int:topic_id>/influence", "POST",
           summary="Record realised influence (!invloed; the secretary): 1-5 and what changed, with the board's "
                   "answer or the realisation check", body=InfluenceIn, response=TopicInfluenceOut, status=201,
           callers=CHAT, errors=(403, 404))
def scenarios_record_influence(slug: str, topic_id: int, body: InfluenceIn) -> TopicInfluenceOut:
    c = ctx(slug, keyed=True)
    return views.influence_view_out(c, actions.record_influence(rt(), c, topic_id, body))


@API.route("/councils/<slug>/influence",
           summary="Expected against realised influence for the topics that started in a year (this year by "
                   "default): per topic and on average, also per way of working", query=InfluenceQuery,
           response=InfluenceOverviewOut, callers=READ)
def scenarios_influence_overview(slug: str, query: InfluenceQuery) -> InfluenceOverviewOut:
    c = ctx(slug)
    return views.influence_overview_out(c, actions.influence_overview(rt(), c, query.year))
