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

from sqlalchemy.exc import IntegrityError

from services.werkplek import store
from services.werkplek.domain import access as rules
from services.werkplek.domain import adviezen, doelen, inzet, samenstelling, selectie
from services.werkplek.domain.access import Role, Session
from shared.errors import Forbidden, InvalidInput, NotFound
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


def year_overview(rt: Runtime, ctx: Ctx, year: int,
                  records: list[dict[str, Any]] | None = None) -> inzet.YearOverview:
    """Attendance (from the calendar), declared hours, costs and allowances of ``year``. Members with a term
    that year come from the roster. ``records``: the calendar's year attendance when the caller has read it
    already (None: read it here; unreadable, the overview has no attendance and the page says so)."""
    with rt.db.read() as s:
        declared, spent = store.hours(s, ctx.slug, year), store.costs(s, ctx.slug, year)
    if records is None:
        records = attendance_records(ctx, year) or []
    return inzet.year_overview(year, attendance=inzet.attendance_from_records(records), declared=declared,
                               costs=spent, rules=allowance_rules(ctx), terms=terms(ctx),
                               as_of=ctx.today if year == ctx.today.year else None)


def _calendar(ctx: Ctx) -> ServiceClient:
    return ServiceClient("calendar", ctx.settings.service_urls["calendar"], ctx.settings.token_for(CALLER),
                         timeout=10.0, retries=1)


def attendance_records(ctx: Ctx, year: int) -> list[dict[str, Any]] | None:
    """Who was at each held meeting, heidag, training and consultation of ``year`` (the calendar's
    ``GET /attendance?year=``: one record per expected person per activity). None: not readable now."""
    try:
        found = _calendar(ctx).get(f"/api/v1/councils/{ctx.slug}/attendance", params={"year": year}, lang=ctx.lang)
    except (ServiceUnavailable, ServiceError) as exc:
        log.warning("werkplek: attendance not read: %s", exc)
        return None
    records = found.get("records") if isinstance(found, dict) else None
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else None


def confirm_attendance(ctx: Ctx, actor: str, event: int, day: date, present: list[str]) -> dict[str, Any]:
    """The secretary confirms who was really there, as ``!aanwezigheid`` does: the calendar records it."""
    require_role(ctx, actor, Role.SECRETARY)
    return _calendar(ctx).post(f"/api/v1/councils/{ctx.slug}/events/{event}/attendance",
                               json={"day": day.isoformat(), "present": present}, lang=ctx.lang)


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
    meetings: list[dict[str, Any]] | None = None  # the next weeks' meetings (None: the calendar could not be read)
    groups: list[dict[str, Any]] | None = None  # open signal groups (None: signals could not be read)


OVERVIEW_DAYS = 42  # "next meetings": six weeks ahead
OVERVIEW_ITEMS = 8


def _read(service: str, ctx: Ctx, path: str, params: dict[str, Any] | None = None) -> Any:
    """One read for the overview; None when that service cannot be read (the page says so per section)."""
    url = ctx.settings.service_urls.get(service)
    if not url:
        return None
    client = ServiceClient(service, url, ctx.settings.token_for(CALLER), timeout=5.0, retries=1)
    try:
        return client.get(f"/api/v1/councils/{ctx.slug}{path}", params=params, lang=ctx.lang)
    except (ServiceUnavailable, ServiceError):
        return None


def overview(ctx: Ctx) -> Overview:
    meetings = _read("calendar", ctx, "/events", {"days": OVERVIEW_DAYS, "limit": OVERVIEW_ITEMS})
    groups = _read("signals", ctx, "/clusters/open", {"limit": OVERVIEW_ITEMS})
    return Overview(_read("deliberation", ctx, "/advice", {"state": "open"}), _read("deliberation", ctx, "/agenda"),
                    [m for m in meetings if not m.get("cancelled")] if meetings is not None else None, groups)


def applications(ctx: Ctx) -> list[dict[str, Any]] | None:
    """Applications for a seat, newest first (None: deliberation could not be read)."""
    client = ServiceClient("deliberation", ctx.settings.service_urls["deliberation"], ctx.settings.token_for(CALLER),
                           timeout=5.0, retries=1)
    try:
        found = client.get(f"/api/v1/councils/{ctx.slug}/applications", lang=ctx.lang)
    except (ServiceUnavailable, ServiceError):
        return None
    return list(reversed(found or []))


# --------------------------------------------------------------------------- selection: advice and decision


def _application(ctx: Ctx, application_id: int) -> dict[str, Any]:
    """One application from deliberation's list (it has no single-application route for the werkplek);
    NotFound when there is no such number. ServiceUnavailable passes on."""
    found = _deliberation(ctx).get(f"/api/v1/councils/{ctx.slug}/applications", lang=ctx.lang)
    for a in found or []:
        if isinstance(a, dict) and a.get("id") == application_id:
            return a
    raise NotFound("werkplek.selectie.unknown", f"no application {application_id}", nr=application_id)


def selection_advice(rt: Runtime, ctx: Ctx) -> dict[int, list[selectie.SelectionAdvice]]:
    """The committee's advice per application: one per person (their latest), newest first."""
    with rt.db.read() as s:
        return selectie.by_application(store.selection_advice(s, ctx.slug))


def forget_advice_of_gone_applications(rt: Runtime, settings: Settings, now: datetime) -> int:
    """The committee's notes about an applicant go when the application goes from deliberation (withdrawn: erased
    at once; decided: after deliberation's retention). Deliberation unreadable: nothing is deleted this time."""
    forgotten = 0
    for council in settings.councils:
        found = applications(context(settings, council.slug, now))
        if found is None:
            continue
        with rt.db.session() as s:
            forgotten += store.forget_selection_advice(s, council.slug, {int(a["id"]) for a in found})
    if forgotten:
        log.info("forgot the committee's advice on %d application(s) no longer held", forgotten)
    return forgotten


def give_selection_advice(rt: Runtime, ctx: Ctx, session: Session, application_id: int, advice: str,
                          note: str | None) -> selectie.SelectionAdvice:
    """A committee member's advice on an application, stored under their own link (a later one replaces
    theirs); named as the secretary named their link."""
    if not selectie.may_advise(session.role):
        raise Forbidden("werkplek.access.refused", "advice from a role other than the committee", page="")
    with rt.db.read() as s:
        link = store.committee_link(s, session.subject.removeprefix("committee:"))
    label = link.name if link else session.subject
    given = selectie.new_advice(application_id, session.subject, label, advice, note, ctx.now)
    try:
        _application(ctx, application_id)
    except ServiceError as exc:
        raise NotFound("werkplek.selectie.unknown", f"application {application_id}: {exc}",
                       nr=application_id) from exc
    for attempt in range(2):  # the same person sending twice at once: the second finds the first's row
        try:
            with rt.db.session() as s:
                store.save_selection_advice(s, ctx.slug, given)
            break
        except IntegrityError:
            if attempt:
                raise
    return given


def decide_application(ctx: Ctx, actor: str, application_id: int, form: dict[str, str],
                       key: str | None) -> dict[str, Any]:
    """The secretary's decision on the page: the same deliberation route as ``!selectie``, on the secretary's
    behalf (deliberation checks the actor again; on appointment it has the bot invite the new member). ``key``:
    the form's own idempotency key, so a form sent twice is one decision. Deliberation's refusals
    (ServiceError) carry its message in the page's language."""
    require_role(ctx, actor, Role.SECRETARY)
    try:
        application = _application(ctx, application_id)
    except ServiceError as exc:
        raise NotFound("werkplek.selectie.unknown", f"application {application_id}: {exc}",
                       nr=application_id) from exc
    body = selectie.decision_request(form, actor, application)
    body["language"] = ctx.council.language if ctx.council.language in ("nl", "en") else "nl"
    try:
        answer = _deliberation(ctx).post(f"/api/v1/councils/{ctx.slug}/applications/{application_id}/status",
                                         json=body, idempotency_key=f"werkplek:{key}" if key else None, lang=ctx.lang)
    except ServiceError as exc:
        if exc.code in ("forbidden", "unauthorized"):  # a deployment whose werkplek token deliberation does not know
            log.error("werkplek: deliberation refused the werkplek's token on the selection: %s", exc)
            raise Forbidden("werkplek.selectie.not_allowed", "deliberation refused the caller") from exc
        if exc.code == "delib.application.matrix_id_required":
            raise InvalidInput("werkplek.selectie.matrix_id_required", "no matrix id",
                               nr=application_id) from exc
        raise
    return answer if isinstance(answer, dict) else {}


# --------------------------------------------------------------------------- advice trajectories and decisions


def _deliberation(ctx: Ctx) -> ServiceClient:
    return ServiceClient("deliberation", ctx.settings.service_urls["deliberation"], ctx.settings.token_for(CALLER),
                         timeout=10.0, retries=1)


def trajectories(ctx: Ctx) -> list[dict[str, Any]] | None:
    """Every advice trajectory of the council, by number (None: deliberation could not be read)."""
    try:
        found = _deliberation(ctx).get(f"/api/v1/councils/{ctx.slug}/advice", params={"state": "all"},
                                       lang=ctx.lang)
    except (ServiceUnavailable, ServiceError):
        return None
    return list(found or [])


def trajectory(ctx: Ctx, advice_id: int) -> dict[str, Any]:
    """One trajectory; NotFound when deliberation knows no such number. ServiceUnavailable passes on."""
    try:
        return _deliberation(ctx).get(f"/api/v1/councils/{ctx.slug}/advice/{advice_id}", lang=ctx.lang)
    except ServiceError as exc:
        if exc.status == 404:
            raise NotFound("werkplek.advice.unknown", f"no advice {advice_id}", advice=advice_id) from exc
        raise


def advice_step(ctx: Ctx, actor: str, advice_id: int, step: str, form: dict[str, str],
                key: str | None) -> dict[str, Any]:
    """The secretary takes a step of the chat flow on the page: the same deliberation route as the chat
    command, on the secretary's behalf (deliberation checks the actor again). ``key``: the form's own
    idempotency key, so a form sent twice is one step. Deliberation's refusals (ServiceError) carry its
    message in the page's language."""
    require_role(ctx, actor, Role.SECRETARY)
    path, body = adviezen.step_request(step, form, actor)
    try:
        answer = _deliberation(ctx).post(f"/api/v1/councils/{ctx.slug}/advice/{advice_id}/{path}", json=body,
                                         idempotency_key=f"werkplek:{key}" if key else None, lang=ctx.lang)
    except ServiceError as exc:
        if exc.code in ("forbidden", "unauthorized"):  # a deployment whose werkplek token deliberation does not know
            log.error("werkplek: deliberation refused the werkplek's token on %s: %s", path, exc)
            raise Forbidden("werkplek.advice.not_allowed", f"deliberation refused the caller on {path}",
                            command=step) from exc
        raise
    return answer.get("advice", answer) if isinstance(answer, dict) else {}


def scenario_outcomes(ctx: Ctx, newest_first: bool) -> list[dict[str, Any]]:
    """The council's ended scenario rounds (co-creation), for the decision list's exports."""
    params = {"order": "newest" if newest_first else "oldest"}
    return list(_deliberation(ctx).get(f"/api/v1/councils/{ctx.slug}/register/scenarios", params=params,
                                       lang=ctx.lang) or [])


def decisions(ctx: Ctx, q: str | None, newest_first: bool) -> list[dict[str, Any]] | None:
    """The decision register: each agreement with its version, positions (bedenkingen among them) and every
    objection with how it ended (None: deliberation could not be read)."""
    params: dict[str, Any] = {"order": "newest" if newest_first else "oldest"}
    if q:
        params["q"] = q
    try:
        return list(_deliberation(ctx).get(f"/api/v1/councils/{ctx.slug}/register", params=params,
                                           lang=ctx.lang) or [])
    except (ServiceUnavailable, ServiceError) as exc:
        log.warning("werkplek: register not read: %s", exc)
        return None


def decisions_document(ctx: Ctx, fmt: str) -> bytes:
    """The besluitenlijst as deliberation writes it (markdown or html)."""
    found = _deliberation(ctx).get(f"/api/v1/councils/{ctx.slug}/register/export", params={"format": fmt},
                                   lang=ctx.lang)
    return found if isinstance(found, bytes) else str(found or "").encode()


# --------------------------------------------------------------------------- resident consultations


def _signals(ctx: Ctx) -> ServiceClient:
    return ServiceClient("signals", ctx.settings.service_urls["signals"], ctx.settings.token_for(CALLER),
                         timeout=10.0, retries=1)


def consultations(ctx: Ctx) -> list[dict[str, Any]] | None:
    """The council's consultations of residents, newest first (None: the signals service could not be read)."""
    if not ctx.settings.service_urls.get("signals"):
        return None
    try:
        return list(_signals(ctx).get(f"/api/v1/councils/{ctx.slug}/consultations", lang=ctx.lang) or [])
    except (ServiceUnavailable, ServiceError) as exc:
        log.warning("werkplek: consultations not read: %s", exc)
        return None


def open_consultation(ctx: Ctx, actor: str, topic_id: int, question: str, options: list[str],
                      closes_on: date | None, key: str) -> dict[str, Any]:
    """What ``!raadpleging`` does, from the page: the secretary opens a consultation on a topic (the signals
    service checks the topic and announces it in the topic's thread). ``key``: the form's own, so a form sent
    twice opens one consultation. The service's refusals arrive in the page's language."""
    require_role(ctx, actor, Role.SECRETARY)
    body: dict[str, Any] = {"topic_id": topic_id, "question": question, "options": options, "actor": actor}
    if closes_on is not None:
        body["closes_on"] = closes_on.isoformat()
    return dict(_signals(ctx).post(f"/api/v1/councils/{ctx.slug}/consultations", json=body,
                                   idempotency_key=f"werkplek:{key}", lang=ctx.lang) or {})


# --------------------------------------------------------------------------- roster and afspiegeling


@dataclass(frozen=True)
class Samenstelling:
    seat_groups: list[samenstelling.SeatGroup]
    vacant_seats: int
    max_seats: int
    dimensions: list[samenstelling.Dimension]
    gaps: list[samenstelling.Gap]
    configured: bool  # the operator set reference shares


def composition(ctx: Ctx) -> Samenstelling | None:
    """Seats by customer group and the council's make-up against the residents (None: deliberation could
    not be read). Counted: serving members, not a secretary without a seat (who facilitates)."""
    try:
        roster = _deliberation(ctx).get(f"/api/v1/councils/{ctx.slug}/members", lang=ctx.lang)
    except (ServiceUnavailable, ServiceError):
        return None
    seats = {int(s["id"]): s for s in roster.get("seats", [])}
    people = []
    for m in roster.get("members", []):
        if not m.get("serving") or (m.get("secretary") and m.get("seat_id") is None):
            continue
        seat = seats.get(m["seat_id"], {}) if m.get("seat_id") is not None else {}
        people.append(samenstelling.Person(customer_group=m.get("customer_group") or seat.get("group", ""),
                                           wijk=seat.get("area", ""), age_band=seat.get("age_band", "")))
    shares = samenstelling.reference(ctx.council.reference_shares)
    dims = samenstelling.makeup(people, shares)
    groups = samenstelling.seat_groups((s.get("group", ""), s.get("holder") is not None) for s in seats.values())
    return Samenstelling(groups, len(roster.get("vacant_seats", [])), int(roster.get("max_seats", 0)), dims,
                         samenstelling.gaps(dims), bool(shares))


# --------------------------------------------------------------------------- the agenda with scores


@dataclass(frozen=True)
class AgendaView:
    agenda: dict[str, Any] | None  # None: deliberation could not be read
    influence: dict[str, Any] | None  # expected against realised influence in the year; None: not available


def agenda(ctx: Ctx, year: int) -> AgendaView:
    client = _deliberation(ctx)
    try:
        found = client.get(f"/api/v1/councils/{ctx.slug}/agenda", lang=ctx.lang)
    except (ServiceUnavailable, ServiceError):
        found = None
    try:
        influence = client.get(f"/api/v1/councils/{ctx.slug}/influence", params={"year": year}, lang=ctx.lang)
    except (ServiceUnavailable, ServiceError) as exc:  # an older deliberation has no influence record
        log.info("werkplek: influence not read: %s", exc)
        influence = None
    return AgendaView(found if isinstance(found, dict) else None,
                      influence if isinstance(influence, dict) else None)
