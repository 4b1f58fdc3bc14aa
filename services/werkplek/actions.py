"""The werkplek's use cases: one transaction each, returning what the caller (a page, the bot) needs.

Who someone is comes from the roster in deliberation (``shared.membership``, cached briefly), asked again on
every request: a member whose term ended loses the werkplek at once, as they lose the chat commands.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.werkplek import store
from services.werkplek.domain import access as rules
from services.werkplek.domain import doelen, inzet
from services.werkplek.domain.access import Role, Session
from shared.errors import Forbidden, NotFound
from shared.http import ServiceClient, ServiceError, ServiceUnavailable
from shared.membership import fetch_roster
from shared.service import Runtime
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.werkplek")

CALLER = "werkplek"


@dataclass(frozen=True)
class Ctx:
    settings: Settings
    council: CouncilConfig
    now: datetime  # aware, in the council's zone
    lang: str

    @property
    def slug(self) -> str:
        return self.council.slug

    @property
    def today(self) -> date:
        return self.now.date()


def context(settings: Settings, slug: str, now: datetime, lang: str | None = None) -> Ctx:
    council = settings.council(slug)
    if council is None:
        raise NotFound("werkplek.council_not_found", "unknown council")
    return Ctx(settings, council, now.astimezone(ZoneInfo(council.timezone)), lang or council.language)


def base_url(settings: Settings) -> str:
    return (settings.werkplek_base_url or settings.service_urls.get("werkplek") or "").rstrip("/")


# --------------------------------------------------------------------------- who is this


def role_of(ctx: Ctx, matrix_id: str) -> Role | None:
    """Secretaries named in the settings, or the roster's serving members and secretaries. Raises
    ServiceUnavailable when the roster cannot be read: nobody is let in on a guess."""
    if matrix_id in ctx.council.secretaries:
        return Role.SECRETARY
    roster = fetch_roster(ctx.settings, ctx.slug, CALLER)
    entry = roster.entries.get(matrix_id)
    if entry is None or not entry.serving:
        return None
    return Role.SECRETARY if entry.secretary else Role.MEMBER


def names(ctx: Ctx) -> dict[str, str]:
    try:
        return fetch_roster(ctx.settings, ctx.slug, CALLER).names()
    except ServiceUnavailable:
        return {}


def require_role(ctx: Ctx, matrix_id: str, *wanted: Role) -> Role:
    role = role_of(ctx, matrix_id)
    if role is None or (wanted and role not in wanted):
        raise Forbidden("werkplek.access.refused", "not a member, or not in the wanted role", page="")
    return role


# --------------------------------------------------------------------------- signing in


@dataclass(frozen=True)
class IssuedLink:
    url: str
    expires_at: datetime


def issue_sign_in_link(rt: Runtime, ctx: Ctx, matrix_id: str) -> IssuedLink:
    """``!werkplek``: a one-time link for a member or the secretary; the bot sends it in a DM."""
    require_role(ctx, matrix_id)
    token, link = rules.new_sign_in_link(ctx.slug, matrix_id, ctx.now, ctx.settings.secret_key, secrets.token_bytes)
    with rt.db.session() as s:
        store.add_sign_in_link(s, link)
    return IssuedLink(f"{base_url(ctx.settings)}/werkplek/in/{token}", link.expires_at)


def sign_in_with_link(rt: Runtime, settings: Settings, token: str, now: datetime) -> Session:
    hashed = rules.token_hash(token, settings.secret_key)
    with rt.db.session() as s:
        used = rules.redeem(store.sign_in_link(s, hashed, lock=True), now)
        store.mark_link_used(s, used)
    ctx = context(settings, used.council, now)
    role = role_of(ctx, used.matrix_id)
    if role is None:  # the term ended between the link and its use
        raise Forbidden("werkplek.access.refused", "no longer a member", page="")
    return rules.start_session(used.council, role, used.matrix_id, now)


def sign_in_with_openid(settings: Settings, slug: str, access_token: str, now: datetime) -> Session:
    """The widget in the council's room: the homeserver confirms whose OpenID token this is."""
    homeserver = settings.matrix.homeserver_url.rstrip("/")
    client = ServiceClient("homeserver", homeserver, None, timeout=10.0, retries=1)
    try:
        info = client.get("/_matrix/federation/v1/openid/userinfo", params={"access_token": access_token})
    except ServiceError as exc:
        raise Forbidden("werkplek.openid.refused", f"homeserver refused the token ({exc.status})") from exc
    server_name = settings.matrix.user_id.split(":", 1)[1]
    matrix_id = rules.openid_subject(info if isinstance(info, dict) else {}, server_name)
    ctx = context(settings, slug, now)
    role = require_role(ctx, matrix_id)
    return rules.start_session(slug, role, matrix_id, now)


def issue_committee_link(rt: Runtime, ctx: Ctx, actor: str, name: str, days: int) -> IssuedLink:
    require_role(ctx, actor, Role.SECRETARY)
    token, link = rules.new_committee_link(ctx.slug, name, days, ctx.now, actor, ctx.settings.secret_key,
                                           secrets.token_bytes)
    with rt.db.session() as s:
        store.add_committee_link(s, link)
    return IssuedLink(f"{base_url(ctx.settings)}/werkplek/commissie/{token}", link.expires_at)


def sign_in_as_committee(rt: Runtime, settings: Settings, token: str, now: datetime) -> Session:
    with rt.db.read() as s:
        link = rules.use_committee_link(store.committee_link(s, rules.token_hash(token, settings.secret_key)), now)
    return replace(rules.start_session(link.council, Role.COMMITTEE, f"committee:{link.name}", now),
                   subject=f"committee:{link.token_hash}")


def session_still_valid(rt: Runtime, ctx: Ctx, session: Session) -> Session:
    """Every request: the session's age, and whether the person still holds the role (a revoked committee
    link or an ended term ends the session)."""
    session = rules.check_session(session, ctx.now)
    if session.role is Role.COMMITTEE:
        with rt.db.read() as s:
            link = store.committee_link(s, session.subject.removeprefix("committee:"))
        rules.use_committee_link(link, ctx.now)
        return session
    role = role_of(ctx, session.subject)
    if role is None:
        raise Forbidden("werkplek.session.ended", "no longer a member")
    return replace(session, role=role)


def committee_links(rt: Runtime, ctx: Ctx) -> list[tuple[int, rules.CommitteeLink]]:
    with rt.db.read() as s:
        return store.committee_links(s, ctx.slug)


def revoke_committee_link(rt: Runtime, ctx: Ctx, actor: str, link_id: int) -> None:
    require_role(ctx, actor, Role.SECRETARY)
    with rt.db.session() as s:
        if not store.revoke_committee_link(s, ctx.slug, link_id, ctx.now):
            raise NotFound("werkplek.link.invalid", f"no committee link {link_id}")


def forget_old_links(rt: Runtime, now: datetime) -> int:
    """Sign-in links are useless after ten minutes; their rows go after a day."""
    with rt.db.session() as s:
        return store.forget_links(s, now - timedelta(days=1))


# --------------------------------------------------------------------------- time and money


def declare_hours(rt: Runtime, ctx: Ctx, actor: str, day: date, hours: str, description: str,
                  key: str | None) -> tuple[inzet.DeclaredHours, bool]:
    """``!uren``: the hours, and whether they were stored now (False: this message declared them before)."""
    require_role(ctx, actor, Role.MEMBER, Role.SECRETARY)
    declared = inzet.declare_hours(actor, day, hours, description, today=ctx.today)
    with rt.db.session() as s:
        return declared, store.add_hours(s, ctx.slug, declared, key)


def add_cost(rt: Runtime, ctx: Ctx, actor: str, kind: str, amount: str, day: date, description: str,
             activity_kind: str | None, member: str | None) -> inzet.Cost:
    require_role(ctx, actor, Role.SECRETARY)
    cost = inzet.new_cost(kind, amount, day, description,
                          activity_kind=inzet.ActivityKind(activity_kind) if activity_kind else None,
                          member=member or None)
    with rt.db.session() as s:
        store.add_cost(s, ctx.slug, cost, actor)
    return cost


def allowance_rules(ctx: Ctx) -> inzet.AllowanceRules:
    return inzet.AllowanceRules(per_activity={inzet.ActivityKind(k): v
                                              for k, v in ctx.council.allowance_per_activity.items()},
                                per_month=ctx.council.allowance_per_month)


def year_overview(rt: Runtime, ctx: Ctx, year: int) -> inzet.YearOverview:
    """Declared hours, costs and allowances of ``year``. Members with a term that year come from the roster."""
    with rt.db.read() as s:
        declared, spent = store.hours(s, ctx.slug, year), store.costs(s, ctx.slug, year)
    return inzet.year_overview(year, attendance=(), declared=declared, costs=spent, rules=allowance_rules(ctx),
                               terms=terms(ctx), as_of=ctx.today if year == ctx.today.year else None)


def terms(ctx: Ctx) -> dict[str, tuple[date, date | None]]:
    """Each member's term, from deliberation's roster (empty when it cannot be read: the overview says so)."""
    client = ServiceClient("deliberation", ctx.settings.service_urls["deliberation"], ctx.settings.token_for(CALLER),
                           timeout=5.0, retries=1)
    try:
        roster = client.get(f"/api/v1/councils/{ctx.slug}/members")
    except (ServiceUnavailable, ServiceError):
        return {}
    out: dict[str, tuple[date, date | None]] = {}
    for m in roster.get("members", []) if isinstance(roster, dict) else []:
        if m.get("secretary") and m.get("seat_id") is None:
            continue  # a secretary without a seat facilitates; the allowance rules are for members
        end = m.get("term_end")
        out[m["matrix_id"]] = (date.fromisoformat(m["term_start"]), date.fromisoformat(end) if end else None)
    return out


# --------------------------------------------------------------------------- goals


def topics(ctx: Ctx) -> dict[int, tuple[str, str]]:
    """The council's topics (number → (title, status)) from deliberation."""
    client = ServiceClient("deliberation", ctx.settings.service_urls["deliberation"], ctx.settings.token_for(CALLER),
                           timeout=5.0, retries=1)
    found = client.get(f"/api/v1/councils/{ctx.slug}/topics")
    return {int(t["id"]): (str(t["title"]), str(t["status"])) for t in found or []}


def goals(rt: Runtime, ctx: Ctx, year: int) -> list[doelen.GoalView]:
    with rt.db.read() as s:
        stored = store.goals(s, ctx.slug, year)
    try:
        known = topics(ctx)
    except (ServiceUnavailable, ServiceError):
        known = {}
    return doelen.overview(stored, known, year)


def add_goal(rt: Runtime, ctx: Ctx, actor: str, year: int, title: str) -> doelen.Goal:
    require_role(ctx, actor, Role.SECRETARY)
    with rt.db.session() as s:
        goal = doelen.new_goal(store.next_goal_number(s, ctx.slug), ctx.slug, year, title, store.goals(s, ctx.slug))
        store.save_goal(s, goal)
    return goal


def link_goal_topic(rt: Runtime, ctx: Ctx, actor: str, goal_number: int, topic_id: int) -> doelen.Goal:
    require_role(ctx, actor, Role.SECRETARY)
    known = topics(ctx)
    with rt.db.session() as s:
        found = next((g for g in store.goals(s, ctx.slug) if g.id == goal_number), None)
        if found is None:
            raise NotFound("werkplek.goal.unknown", f"no goal {goal_number}", goal=goal_number)
        goal = doelen.link_topic(found, topic_id, known)
        store.save_goal(s, goal)
    return goal


# --------------------------------------------------------------------------- the overview page


@dataclass(frozen=True)
class Overview:
    trajectories: list[dict[str, Any]] | None  # None: deliberation could not be read
    agenda: dict[str, Any] | None


def overview(ctx: Ctx) -> Overview:
    client = ServiceClient("deliberation", ctx.settings.service_urls["deliberation"], ctx.settings.token_for(CALLER),
                           timeout=5.0, retries=1)
    try:
        trajectories = client.get(f"/api/v1/councils/{ctx.slug}/advice", params={"state": "open"}, lang=ctx.lang)
    except (ServiceUnavailable, ServiceError):
        trajectories = None
    try:
        agenda = client.get(f"/api/v1/councils/{ctx.slug}/agenda", lang=ctx.lang)
    except (ServiceUnavailable, ServiceError):
        agenda = None
    return Overview(trajectories, agenda)


def applications(ctx: Ctx) -> list[dict[str, Any]] | None:
    """Applications for a seat, newest first (None: deliberation could not be read)."""
    client = ServiceClient("deliberation", ctx.settings.service_urls["deliberation"], ctx.settings.token_for(CALLER),
                           timeout=5.0, retries=1)
    try:
        found = client.get(f"/api/v1/councils/{ctx.slug}/applications", lang=ctx.lang)
    except (ServiceUnavailable, ServiceError):
        return None
    return list(reversed(found or []))
