"""The werkplek's API, for the bot: sign-in links (``!werkplek``), declared hours (``!uren``), goals (``!doelen``)."""
from __future__ import annotations

from flask import current_app, request

from services.werkplek import actions, texts
from services.werkplek.schemas import GoalOut, GoalsQuery, HoursIn, HoursOut, LinkOut, SignInLinkIn
from shared.api import Api
from shared.councils_api import add_council_routes
from shared.service import now, runtime

API = Api("werkplek", "Overleg werkplek")
add_council_routes(API)
texts.register_messages()

CHAT = ("bot", "admin")


def _ctx(slug: str) -> actions.Ctx:
    return actions.context(current_app.config["OVERLEG_SETTINGS"], slug, now(),
                           request.headers.get("Accept-Language"))


@API.route("/councils/<slug>/sign-in-links", "POST", summary="A one-time sign-in link for a member (!werkplek)",
           body=SignInLinkIn, response=LinkOut, status=201, callers=CHAT, errors=(403, 503))
def sign_in_link(slug: str, body: SignInLinkIn) -> LinkOut:
    issued = actions.issue_sign_in_link(runtime(), _ctx(slug), body.matrix_id)
    return LinkOut(url=issued.url, expires_at=issued.expires_at)


@API.route("/councils/<slug>/hours", "POST", summary="Hours a member spent outside activities (!uren)",
           body=HoursIn, response=HoursOut, status=201, callers=CHAT, errors=(403, 422, 503))
def declare_hours(slug: str, body: HoursIn) -> HoursOut:
    declared, created = actions.declare_hours(runtime(), _ctx(slug), body.actor, body.day, body.hours,
                                              body.description, request.headers.get("Idempotency-Key"))
    return HoursOut(day=declared.day, hours=f"{declared.hours:f}", description=declared.description, created=created)


@API.route("/councils/<slug>/goals", summary="The council's goals of a year, with their topics (!doelen)",
           query=GoalsQuery, response=list[GoalOut], callers=CHAT)
def list_goals(slug: str, query: GoalsQuery) -> list[GoalOut]:
    ctx = _ctx(slug)
    views = actions.goals(runtime(), ctx, query.year or ctx.today.year)
    return [GoalOut(number=v.goal.id, title=v.goal.title, status=v.status.value,
                    status_label=texts.t(f"werkplek.goal_status.{v.status.value}", ctx.lang),
                    topics_done=v.topics_done,
                    topics=[{"number": n, "title": title, "status": status} for n, title, status in v.topics])
            for v in views]
