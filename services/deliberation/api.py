"""JSON API of the deliberation service, under /api/v1/councils/<slug>/….

Who calls what: ``bot`` for members' chat commands (always naming the member as ``actor``, with the
Matrix event id as ``Idempotency-Key``), ``admin`` for the operator's and secretary's tools,
``calendar`` for the deadlines feed, ``signals`` to put a cluster of residents' signals on the agenda
and to read back what became of it. Applying for a seat is public.

Each route: find the council (from the settings), open one transaction, load the domain objects
from :mod:`.store`, let the domain decide, store the result and queue any Matrix message in the
same transaction. A refusal is a :class:`~shared.errors.DomainError`, answered as a JSON 4xx.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, g, jsonify, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.deliberation import store, texts
from services.deliberation.domain import agenda as agenda_rules
from services.deliberation.domain.agenda import WAITING_STATUSES, RankedTopic, Topic, TopicSource
from services.deliberation.domain.consensus import (
    CommandResult,
    NotReadyToDecide,
    Participants,
    Round,
    open_round,
)
from services.deliberation.domain.register import RegisterEntry, matrix_to_url, position_label, to_html, to_markdown
from services.deliberation.domain.roster import (
    AbsenceNotice,
    Application,
    Member,
    Roster,
    Seat,
    absent_for,
    appoint,
    cancel_absence,
    decline,
    invite_for_interview,
    mark_absent,
    meeting_occasion,
    new_application,
    new_customer_group,
    new_member,
    round_occasion,
    validate_matrix_id,
)
from services.deliberation.schemas import (
    AbsenceIn,
    AbsenceOut,
    AbsenceQuery,
    AbandonIn,
    ActorIn,
    AdviceIn,
    AdviceOut,
    AdviceRequestIn,
    AgendaItem,
    AgendaOut,
    AmendIn,
    ApplicationIn,
    ApplicationOut,
    ApplicationQuery,
    ApplicationReceipt,
    ApplicationStatusIn,
    BoardReplyIn,
    CheckIn,
    CheckOut,
    CheckResultIn,
    ConcernOut,
    DeadlineIn,
    DeadlineOut,
    DecisionOut,
    EventOut,
    ExportQuery,
    MemberIn,
    MemberOut,
    MemberPatch,
    ModeIn,
    ObjectionOut,
    PeriodQuery,
    PersonOut,
    PositionIn,
    PositionOut,
    RegisterEntryOut,
    RegisterQuery,
    ResolveIn,
    RosterOut,
    RoundActorIn,
    RoundOpenIn,
    RoundOut,
    RoundQuery,
    ScoreIn,
    SeatIn,
    SeatOut,
    TopicIn,
    TopicOut,
    TopicQuery,
    WithdrawIn,
)
from shared import i18n
from shared.api import Api, dump
from shared.councils_api import add_council_routes
from shared.db import Database
from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from shared.formatting import Rich
from shared.jobs import Job
from shared.outbox import OutboundMessage
from shared.service import Runtime, runtime
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.deliberation")

API = Api("deliberation", "Overleg deliberation")
add_council_routes(API)
texts.register_messages()

READ = ("bot", "admin", "calendar", "signals")
CHAT = ("bot", "admin")
ADMIN = ("admin",)

ROUND_DAYS = 7  # a round's deadline when none is given
MAX_DEADLINE_DAYS = 366
MAX_PERIOD_DAYS = 3 * 366
MAX_APPLICATIONS_PER_DAY = 50  # a public form: enough for a real call for candidates, not for a flood
MAX_IDEMPOTENCY_KEY = 200
COMMAND_ATTEMPTS = 3


class TooManyRequests(DomainError):
    status = 429


class BadHeader(DomainError):
    """A malformed request header: not part of the documented input, refused as a bad request."""

    status = 400


def retry_on_conflict(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Two requests that insert the same unique row at once (a retried chat command still in flight, two
    members adding the same person): the loser's insert fails on the unique key. Running it again sees the
    winner's row and answers as a repeat would; a conflict that persists is a 409, never a 500."""

    @functools.wraps(fn)
    def run(**kwargs: Any) -> Any:
        for attempt in range(COMMAND_ATTEMPTS):
            try:
                return fn(**kwargs)
            except IntegrityError:
                log.info("%s: unique key conflict, retrying (%d)", fn.__name__, attempt + 1)
        raise Conflict("delib.api.busy", f"{fn.__name__}: gave up after unique key conflicts")

    return run


# --------------------------------------------------------------------------- context helpers


@dataclass(frozen=True)
class Ctx:
    council: CouncilConfig
    now: datetime  # aware, in the council's time zone
    lang: str

    @property
    def slug(self) -> str:
        return self.council.slug

    @property
    def today(self) -> date:
        return self.now.date()


def _settings() -> Settings:
    return current_app.config["OVERLEG_SETTINGS"]


def council_now(council: CouncilConfig, at: datetime | None = None) -> datetime:
    zone = ZoneInfo(council.timezone)
    return at.astimezone(zone) if at is not None else datetime.now(zone)


def _ctx(slug: str) -> Ctx:
    council = _settings().council(slug)
    if council is None:
        raise NotFound("delib.api.council_not_found", "unknown council")
    header = request.headers.get("Accept-Language")
    return Ctx(council, council_now(council), i18n.normalise_language(header) if header else council.language)


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None or not key.strip():
        return None
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise BadHeader("delib.api.bad_idempotency_key", "idempotency key too long", max=MAX_IDEMPOTENCY_KEY)
    return key


def _caller() -> str | None:
    return getattr(g, "caller", None)


def _localpart(matrix_id: str) -> str:
    return matrix_id[1:].split(":", 1)[0] if matrix_id.startswith("@") else matrix_id


def _names(ctx: Ctx, roster: Roster) -> dict[str, str]:
    names = {m.matrix_id: m.display_name for m in roster.members}
    for secretary in ctx.council.secretaries:
        names.setdefault(secretary, _localpart(secretary))
    return names


def _person(matrix_id: str, names: Mapping[str, str]) -> PersonOut:
    return PersonOut(matrix_id=matrix_id, display_name=names.get(matrix_id) or _localpart(matrix_id))


def _not_member() -> Forbidden:
    return Forbidden("delib.not_member", "actor is not a member of the council")


def _is_secretary(ctx: Ctx, roster: Roster, actor: str) -> bool:
    if actor in ctx.council.secretaries:
        return True
    return any(m.matrix_id == actor and m.secretary and m.active_on(ctx.today) for m in roster.members)


def _check_actor(ctx: Ctx, roster: Roster, actor: str | None) -> None:
    """Chat actions come from a member (or a secretary); the bot must say who."""
    if actor is None:
        if _caller() == "bot":
            raise InvalidInput("delib.api.actor_required", "bot call without actor")
        return
    if _is_secretary(ctx, roster, actor) or roster.is_member(actor, ctx.today):
        return
    raise _not_member()


def _participants(ctx: Ctx, roster: Roster, notices: Iterable[AbsenceNotice] = (),
                  round_id: int | None = None) -> Participants:
    absent = absent_for(notices, round_occasion(round_id)) if round_id is not None else frozenset()
    p = roster.participants(ctx.today, absent)
    # Secretaries named in the settings facilitate even when they are not on the roster.
    return Participants(members=p.members, absent=p.absent, secretaries=p.secretaries | set(ctx.council.secretaries))


def _check_period(start: date | None, end: date | None, max_days: int | None = None) -> None:
    if start and end and (start > end or (max_days is not None and (end - start).days > max_days)):
        raise InvalidInput("delib.api.period_invalid", "bad period", max_days=max_days or MAX_PERIOD_DAYS)


def _status_label(kind: str, value: str, lang: str) -> str:
    return i18n.t(f"delib.{kind}.{value}", lang)


# --------------------------------------------------------------------------- roster


def _member_out(ctx: Ctx, member: Member, roster: Roster, groups: Mapping[str, str]) -> MemberOut:
    group = ""
    if member.seat_id is not None:
        group = next((s.group.label for s in roster.seats if s.id == member.seat_id), "")
    return MemberOut(matrix_id=member.matrix_id, display_name=member.display_name,
                     member_type=member.member_type.value,
                     member_type_label=_status_label("member_type", member.member_type.value, ctx.lang),
                     customer_group=group or groups.get(member.matrix_id, ""), seat_id=member.seat_id,
                     term_start=member.term_start, term_end=member.term_end, secretary=member.secretary,
                     language=member.language, serving=member.active_on(ctx.today))


def _seat_out(seat: Seat, holder: Member | None, upcoming: Member | None, names: Mapping[str, str]) -> SeatOut:
    return SeatOut(id=seat.id, group=seat.group.label, age_band=seat.group.age_band, area=seat.group.area,
                   background=seat.group.background,
                   holder=_person(holder.matrix_id, names) if holder else None,
                   upcoming_holder=_person(upcoming.matrix_id, names) if upcoming else None)


def _roster_out(ctx: Ctx, roster: Roster, groups: Mapping[str, str]) -> RosterOut:
    view = roster.afspiegeling(ctx.today)
    names = _names(ctx, roster)
    held = {h.seat.id: h.member for h in view.held}
    upcoming = {h.seat.id: h.member for h in view.upcoming}
    members = sorted((m for m in roster.members if m.not_ended_on(ctx.today)), key=lambda m: m.display_name.lower())
    return RosterOut(
        council=ctx.slug, max_seats=roster.max_seats,
        members=[_member_out(ctx, m, roster, groups) for m in members],
        seats=[_seat_out(s, held.get(s.id), upcoming.get(s.id), names) for s in roster.seats],
        vacant_seats=[s.id for s in view.vacant],
        unrepresented_groups=[g.label for g in view.unrepresented_groups],
        members_without_seat=[_person(m.matrix_id, names) for m in view.members_without_seat],
    )


def _seat_for_group(roster: Roster, label: str, today: date) -> tuple[int | None, Roster]:
    """A member named with a customer group takes a vacant seat of that group, or a new seat for it while
    the council has fewer seats than its maximum: so the roster mirrors the customers from the start."""
    match = next((s for s in roster.available_seats(today) if s.group.label == label), None)
    if match is not None:
        return match.id, roster
    if len(roster.seats) >= roster.max_seats:
        return None, roster
    roster = roster.add_seat(new_customer_group(area=label))
    return roster.seats[-1].id, roster


@API.route("/councils/<slug>/members", summary="The roster: members, seats and afspiegeling", response=RosterOut,
           callers=READ)
def list_members(slug: str) -> RosterOut:
    ctx = _ctx(slug)
    with runtime().db.read() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        groups = store.member_groups(s, ctx.slug)
    return _roster_out(ctx, roster, groups)


@API.route("/councils/<slug>/members", "POST", summary="Add a member (!lid, seeding, the secretary's tools)",
           body=MemberIn, response=MemberOut, status=201, callers=CHAT, errors=(403, 409, 422))
@retry_on_conflict
def add_member(slug: str, body: MemberIn) -> MemberOut:
    ctx = _ctx(slug)
    with runtime().db.session() as s:
        store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        if _caller() == "bot" or body.actor is not None:
            if body.actor is None:
                raise InvalidInput("delib.api.actor_required", "bot call without actor")
            if not _is_secretary(ctx, roster, body.actor):
                raise Forbidden("delib.api.secretary_only", "member added by a non-secretary")
        label = " ".join(body.customer_group.split())
        seat_id = body.seat_id
        if seat_id is None and label and not body.secretary:
            seat_id, roster = _seat_for_group(roster, label, ctx.today)
        member = new_member(matrix_id=body.matrix_id, display_name=body.display_name, member_type=body.member_type,
                            term_start=body.term_start or ctx.today, term_end=body.term_end, seat_id=seat_id,
                            secretary=body.secretary, language=body.language)
        roster = roster.add_member(member, ctx.today)
        store.save_seats(s, ctx.slug, roster.seats)
        store.save_member(s, ctx.slug, member, label)
        groups = store.member_groups(s, ctx.slug)
    return _member_out(ctx, member, roster, groups)


@API.route("/councils/<slug>/members/<member_id>", "PATCH", summary="Update a member", body=MemberPatch,
           response=MemberOut, callers=ADMIN, errors=(409, 422))
@retry_on_conflict
def update_member(slug: str, member_id: str, body: MemberPatch) -> MemberOut:
    ctx = _ctx(slug)
    matrix_id = validate_matrix_id(member_id)
    given = body.model_fields_set
    with runtime().db.session() as s:
        store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        roster.member(matrix_id)
        if body.display_name is not None or body.member_type is not None:
            roster = roster.update_details(matrix_id, display_name=body.display_name, member_type=body.member_type)
        if "seat_id" in given:
            roster = roster.assign_seat(matrix_id, body.seat_id, ctx.today)
        if body.term_end is not None:
            roster = roster.end_term(matrix_id, body.term_end)
        if body.secretary is not None:
            roster = roster.set_secretary(matrix_id, body.secretary)
        if body.language is not None:
            roster = roster.set_language(matrix_id, body.language)
        label = " ".join(body.customer_group.split()) if body.customer_group is not None else None
        member = roster.member(matrix_id)
        store.save_member(s, ctx.slug, member, label)
        groups = store.member_groups(s, ctx.slug)
    return _member_out(ctx, member, roster, groups)


@API.route("/councils/<slug>/seats", summary="Seats and who holds them", response=list[SeatOut], callers=READ)
def list_seats(slug: str) -> list[SeatOut]:
    return list_members(slug).seats


@API.route("/councils/<slug>/seats", "POST", summary="Add a seat for a customer group", body=SeatIn,
           response=SeatOut, status=201, callers=ADMIN, errors=(409,))
@retry_on_conflict
def add_seat(slug: str, body: SeatIn) -> SeatOut:
    ctx = _ctx(slug)
    with runtime().db.session() as s:
        store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        roster = roster.add_seat(new_customer_group(body.age_band, body.area, body.background))
        store.save_seats(s, ctx.slug, roster.seats)
    return _seat_out(roster.seats[-1], None, None, {})


@API.route("/councils/<slug>/seats/<int:seat_id>", "PATCH", summary="Assign a seat to another customer group",
           body=SeatIn, response=SeatOut, callers=ADMIN)
@retry_on_conflict
def regroup_seat(slug: str, seat_id: int, body: SeatIn) -> SeatOut:
    ctx = _ctx(slug)
    with runtime().db.session() as s:
        store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        roster = roster.regroup_seat(seat_id, new_customer_group(body.age_band, body.area, body.background))
        store.save_seats(s, ctx.slug, roster.seats)
    return next(seat for seat in _roster_out(ctx, roster, {}).seats if seat.id == seat_id)


# --------------------------------------------------------------------------- applications


def _application_out(ctx: Ctx, app: Application) -> ApplicationOut:
    return ApplicationOut(id=app.id, name=app.name, member_type=app.member_type.value, matrix_id=app.matrix_id,
                          contact=app.contact, motivation=app.motivation, status=app.status.value,
                          status_label=_status_label("application_status", app.status.value, ctx.lang),
                          received_on=app.received_on, decided_on=app.decided_on, seat_id=app.seat_id)


@API.route("/councils/<slug>/applications", "POST", summary="Apply for a seat (anyone)", body=ApplicationIn,
           response=ApplicationReceipt, status=201, callers=None, errors=(429,))
@retry_on_conflict
def apply_for_seat(slug: str, body: ApplicationIn) -> ApplicationReceipt:
    ctx = _ctx(slug)
    with runtime().db.session() as s:
        if store.applications_received(s, ctx.slug, ctx.today) >= MAX_APPLICATIONS_PER_DAY:
            raise TooManyRequests("delib.api.too_many_applications", "application limit for today reached")
        app = new_application(id=0, council_id=ctx.slug, name=body.name, member_type=body.member_type,
                              received_on=ctx.today, matrix_id=body.matrix_id or None, contact=body.contact,
                              motivation=body.motivation)
        stored = store.insert_application(s, app)
    # The applicant learns only their receipt: nothing about other applications.
    return ApplicationReceipt(id=stored.id, status=stored.status.value)


@API.route("/councils/<slug>/applications", summary="Applications (selection committee)", query=ApplicationQuery,
           response=list[ApplicationOut], callers=ADMIN)
def list_applications(slug: str, query: ApplicationQuery) -> list[ApplicationOut]:
    ctx = _ctx(slug)
    with runtime().db.read() as s:
        return [_application_out(ctx, a) for a in store.applications(s, ctx.slug, query.status)]


@API.route("/councils/<slug>/applications/<int:application_id>/status", "POST",
           summary="Move an application on: interview, appointed (fills a seat) or not appointed",
           body=ApplicationStatusIn, response=ApplicationOut, callers=ADMIN, errors=(409, 422))
@retry_on_conflict
def change_application(slug: str, application_id: int, body: ApplicationStatusIn) -> ApplicationOut:
    ctx = _ctx(slug)
    with runtime().db.session() as s:
        store.lock_council(s, ctx.slug)
        app = store.application(s, ctx.slug, application_id)
        if body.matrix_id:
            app = replace(app, matrix_id=validate_matrix_id(body.matrix_id))
        if body.status == "gesprek":
            app = invite_for_interview(app)
        elif body.status == "niet_benoemd":
            app = decline(app, ctx.today)
        else:
            roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
            app, roster, member = appoint(app, roster, on=ctx.today, term_end=body.term_end, seat_id=body.seat_id,
                                          language=body.language)
            seat = roster.seat(member.seat_id) if member.seat_id is not None else None
            store.save_member(s, ctx.slug, member, seat.group.label if seat else "")
        store.save_application(s, app)
    return _application_out(ctx, app)


# --------------------------------------------------------------------------- absence with notice


def _occasion(s: Session, ctx: Ctx, body: AbsenceIn) -> str:
    if (body.round_id is None) == (body.meeting_id is None):
        raise InvalidInput("delib.api.occasion_required", "absence needs exactly one occasion")
    if body.round_id is not None:
        _, rnd = store.load_round(s, ctx.slug, body.round_id)
        if not rnd.is_open:
            raise Conflict("delib.api.round_closed_for_absence", f"round {rnd.round_id} closed",
                           round_id=rnd.round_id)
        return round_occasion(body.round_id)
    return meeting_occasion(body.meeting_id or "")


def _absence_outs(notices: Iterable[AbsenceNotice], names: Mapping[str, str]) -> list[AbsenceOut]:
    return [AbsenceOut(matrix_id=n.matrix_id, display_name=_person(n.matrix_id, names).display_name,
                       occasion=n.occasion, noted_on=n.noted_on) for n in notices]


@API.route("/councils/<slug>/absences", "POST", summary="Absent with notice for a round or meeting (!afmelden)",
           body=AbsenceIn, response=AbsenceOut, status=201, callers=CHAT, errors=(403, 409))
@retry_on_conflict
def add_absence(slug: str, body: AbsenceIn) -> AbsenceOut:
    ctx = _ctx(slug)
    with runtime().db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        if not roster.is_member(body.actor, ctx.today):
            raise _not_member()
        occasion = _occasion(s, ctx, body)
        before = store.absences(s, ctx.slug)
        after = mark_absent(before, roster, body.actor, occasion, ctx.today)
        store.save_absences(s, ctx.slug, before, after)
        notice = next(n for n in after if n.matrix_id == body.actor and n.occasion == occasion)
        return _absence_outs([notice], _names(ctx, roster))[0]


@API.route("/councils/<slug>/absences/cancel", "POST", summary="Take back an absence notice",
           body=AbsenceIn, response=list[AbsenceOut], callers=CHAT, errors=(403, 409))
@retry_on_conflict
def cancel_absence_notice(slug: str, body: AbsenceIn) -> list[AbsenceOut]:
    ctx = _ctx(slug)
    with runtime().db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        if not roster.is_member(body.actor, ctx.today):
            raise _not_member()
        occasion = _occasion(s, ctx, body)
        before = store.absences(s, ctx.slug)
        after = cancel_absence(before, body.actor, occasion)
        store.save_absences(s, ctx.slug, before, after)
        return _absence_outs([n for n in after if n.occasion == occasion], _names(ctx, roster))


@API.route("/councils/<slug>/absences", summary="Absence notices, for one occasion or all", query=AbsenceQuery,
           response=list[AbsenceOut], callers=READ)
def list_absences(slug: str, query: AbsenceQuery) -> list[AbsenceOut]:
    ctx = _ctx(slug)
    with runtime().db.read() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        return _absence_outs(store.absences(s, ctx.slug, query.occasion or None), _names(ctx, roster))


# --------------------------------------------------------------------------- topics and the agenda


def _decision_out(entry: store.StoredEntry | None) -> DecisionOut | None:
    if entry is None:
        return None
    a = entry.entry.agreement
    return DecisionOut(round_id=a.round_id, text=a.text, version=a.version, decided_at=a.decided_at,
                       decided_on=a.decided_on, thread_url=entry.entry.thread_url)


def _topic_out(s: Session, ctx: Ctx, topic: Topic, open_rounds: Mapping[int, int] | None = None) -> TopicOut:
    extras = store.topic_extras(s, topic.id)
    if open_rounds is None:
        open_rounds = store.open_round_ids_by_topic(s, ctx.slug)
    advice = None
    if topic.advice is not None:
        a = topic.advice
        advice = AdviceOut(request_received_on=a.request_received_on, deadline=a.deadline, advice_text=a.advice_text,
                           advice_sent_on=a.advice_sent_on, sent_late=a.sent_late, reply_text=a.reply_text,
                           reply_received_on=a.reply_received_on, reply_due_on=a.reply_due_on,
                           reply_deviates=a.reply_deviates, late_deviation=a.late_deviation)
    return TopicOut(
        id=topic.id, title=topic.title, source=topic.source.value, source_ref=topic.source_ref,
        evidence=extras.evidence, mode=topic.mode.value, mode_label=_status_label("topic_mode", topic.mode.value, ctx.lang),
        status=topic.status.value, status_label=_status_label("topic_status", topic.status.value, ctx.lang),
        importance=topic.importance, influence=topic.influence, score=topic.score,
        score_line=topic.score_line(ctx.lang), created_at=topic.created_at, open_round_id=open_rounds.get(topic.id),
        advice=advice,
        checks=[CheckOut(id=c.id, due_on=c.due_on, description=c.description, result_note=c.result_note,
                         checked_on=c.checked_on) for c in topic.checks],
        decision=_decision_out(store.latest_entry_for_topic(s, ctx.slug, topic.id)),
    )


@API.route("/councils/<slug>/topics", "POST", summary="Put a topic on the agenda (!onderwerp, or a signal cluster)",
           body=TopicIn, response=TopicOut, status=201, callers=("bot", "admin", "signals"), errors=(403,))
@retry_on_conflict
def create_topic(slug: str, body: TopicIn) -> TopicOut | Response:
    ctx = _ctx(slug)
    cluster = TopicSource.SIGNAAL_CLUSTER.value
    if _caller() == "signals" and body.source != cluster:
        raise Forbidden("delib.api.source_not_allowed", "signals creates signal-cluster topics only", allowed=cluster)
    if body.source == cluster and not body.source_ref:
        raise InvalidInput("delib.api.source_ref_required", "signal cluster topic without source_ref")
    key = _idempotency_key()
    with runtime().db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        _check_actor(ctx, roster, body.actor)
        existing = store.topic_by_created_key(s, ctx.slug, key) if key else None
        if existing is None and body.source == cluster and body.source_ref:
            # The same cluster promoted twice is the same topic: the signals service may retry freely.
            existing = store.topic_by_source_ref(s, ctx.slug, cluster, body.source_ref)
        if existing is not None:
            resp = jsonify(dump(_topic_out(s, ctx, existing)))
            resp.status_code = 200
            return resp
        topic = agenda_rules.new_topic(id=0, council_id=ctx.slug, title=body.title, source=body.source,
                                       mode=body.mode, created_at=ctx.now, importance=body.importance,
                                       influence=body.influence, source_ref=body.source_ref)
        stored = store.insert_topic(s, topic, evidence=body.evidence, created_key=key)
        return _topic_out(s, ctx, stored, {})


@API.route("/councils/<slug>/topics", summary="All topics of the council", query=TopicQuery,
           response=list[TopicOut], callers=READ)
def list_topics(slug: str, query: TopicQuery) -> list[TopicOut]:
    ctx = _ctx(slug)
    with runtime().db.read() as s:
        open_rounds = store.open_round_ids_by_topic(s, ctx.slug)
        return [_topic_out(s, ctx, t, open_rounds) for t in store.topics(s, ctx.slug, query.status or None)]


@API.route("/councils/<slug>/topics/<int:topic_id>",
           summary="One topic: status, advice, checks and, once agreed, the decision", response=TopicOut,
           callers=READ)
def get_topic(slug: str, topic_id: int) -> TopicOut:
    ctx = _ctx(slug)
    with runtime().db.read() as s:
        return _topic_out(s, ctx, store.topic(s, ctx.slug, topic_id))


@API.route("/councils/<slug>/agenda", summary="The agenda (!agenda): active topics and the waiting list, ranked",
           response=AgendaOut, callers=READ)
def get_agenda(slug: str) -> AgendaOut:
    ctx = _ctx(slug)
    with runtime().db.read() as s:
        topics = store.topics(s, ctx.slug)
        open_rounds = store.open_round_ids_by_topic(s, ctx.slug)
    view = agenda_rules.agenda(topics, ctx.slug, ctx.council.active_topic_cap)

    def item(ranked: RankedTopic) -> AgendaItem:
        t = ranked.topic
        return AgendaItem(rank=ranked.rank, id=t.id, title=t.title, status=t.status.value,
                          status_label=_status_label("topic_status", t.status.value, ctx.lang), mode=t.mode.value,
                          importance=t.importance, influence=t.influence, score_line=t.score_line(ctx.lang),
                          open_round_id=open_rounds.get(t.id))

    return AgendaOut(council=ctx.slug, cap=view.cap, active=[item(r) for r in view.active],
                     waiting=[item(r) for r in view.waiting])


def _topic_change(slug: str, topic_id: int, change: Callable[[Ctx, Session, Topic], Topic], *,
                  actor: str | None = None, council_wide: bool = False) -> TopicOut:
    ctx = _ctx(slug)
    with runtime().db.session() as s:
        if council_wide:
            store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        _check_actor(ctx, roster, actor)
        topic = change(ctx, s, store.topic(s, ctx.slug, topic_id, lock=True))
        store.save_topic(s, topic)
        return _topic_out(s, ctx, topic)


@API.route("/councils/<slug>/topics/<int:topic_id>/score", "POST", summary="Score importance and influence (!score)",
           body=ScoreIn, response=TopicOut, callers=CHAT, errors=(403, 409))
@retry_on_conflict
def score_topic(slug: str, topic_id: int, body: ScoreIn) -> TopicOut:
    return _topic_change(slug, topic_id, lambda ctx, s, t: agenda_rules.set_scores(t, body.importance, body.influence),
                         actor=body.actor)


@API.route("/councils/<slug>/topics/<int:topic_id>/activate", "POST",
           summary="Activate a topic (!activeer); refused with the active topics when the cap is reached",
           body=ActorIn, response=TopicOut, callers=CHAT, errors=(403, 409))
@retry_on_conflict
def activate_topic(slug: str, topic_id: int, body: ActorIn) -> TopicOut:
    return _topic_change(slug, topic_id, lambda ctx, s, t: agenda_rules.activate(
        t, store.topics(s, ctx.slug), ctx.council.active_topic_cap), actor=body.actor, council_wide=True)


@API.route("/councils/<slug>/topics/<int:topic_id>/park", "POST", summary="Park a topic (!parkeer)", body=ActorIn,
           response=TopicOut, callers=CHAT, errors=(403, 409))
@retry_on_conflict
def park_topic(slug: str, topic_id: int, body: ActorIn) -> TopicOut:
    return _topic_change(slug, topic_id, lambda ctx, s, t: agenda_rules.park(t), actor=body.actor)


@API.route("/councils/<slug>/topics/<int:topic_id>/mode", "POST",
           summary="Set the way of working: cocreatie, formeel_advies, instemming, informatie", body=ModeIn,
           response=TopicOut, callers=CHAT, errors=(403, 409))
@retry_on_conflict
def set_topic_mode(slug: str, topic_id: int, body: ModeIn) -> TopicOut:
    return _topic_change(slug, topic_id, lambda ctx, s, t: agenda_rules.set_mode(t, body.mode), actor=body.actor)


@API.route("/councils/<slug>/topics/<int:topic_id>/close", "POST", summary="Close a topic", body=ActorIn,
           response=TopicOut, callers=ADMIN, errors=(409,))
@retry_on_conflict
def close_topic(slug: str, topic_id: int, body: ActorIn) -> TopicOut:
    return _topic_change(slug, topic_id, lambda ctx, s, t: agenda_rules.close(t), actor=body.actor)


@API.route("/councils/<slug>/topics/<int:topic_id>/advice-request", "POST",
           summary="The corporation's advice (or consent) request arrived; the deadline follows",
           body=AdviceRequestIn, response=TopicOut, callers=ADMIN, errors=(409,))
@retry_on_conflict
def receive_advice_request(slug: str, topic_id: int, body: AdviceRequestIn) -> TopicOut:
    return _topic_change(slug, topic_id, lambda ctx, s, t: agenda_rules.receive_advice_request(
        t, body.received_on, period_weeks=body.period_weeks if body.period_weeks is not None
        else ctx.council.advice_weeks))


@API.route("/councils/<slug>/topics/<int:topic_id>/advice", "POST", summary="The advice went to the board",
           body=AdviceIn, response=TopicOut, callers=ADMIN, errors=(409,))
@retry_on_conflict
def send_advice(slug: str, topic_id: int, body: AdviceIn) -> TopicOut:
    return _topic_change(slug, topic_id, lambda ctx, s, t: agenda_rules.send_advice(t, body.text, body.sent_on))


@API.route("/councils/<slug>/topics/<int:topic_id>/board-reply", "POST",
           summary="The board's written reply (a deviating reply after 14 days is flagged)", body=BoardReplyIn,
           response=TopicOut, callers=ADMIN, errors=(409,))
@retry_on_conflict
def board_reply(slug: str, topic_id: int, body: BoardReplyIn) -> TopicOut:
    return _topic_change(slug, topic_id, lambda ctx, s, t: agenda_rules.record_board_reply(
        t, body.text, body.received_on, deviates=body.deviates))


@API.route("/councils/<slug>/topics/<int:topic_id>/checks", "POST",
           summary="Plan a realisation check (toetsen van de realisatie) on a review date", body=CheckIn,
           response=TopicOut, status=201, callers=ADMIN, errors=(409,))
@retry_on_conflict
def plan_check(slug: str, topic_id: int, body: CheckIn) -> TopicOut:
    return _topic_change(slug, topic_id, lambda ctx, s, t: agenda_rules.plan_check(t, body.due_on, body.description))


@API.route("/councils/<slug>/topics/<int:topic_id>/checks/<int:check_id>/result", "POST",
           summary="Record the result of a realisation check", body=CheckResultIn, response=TopicOut,
           callers=ADMIN, errors=(409,))
@retry_on_conflict
def check_result(slug: str, topic_id: int, check_id: int, body: CheckResultIn) -> TopicOut:
    return _topic_change(slug, topic_id, lambda ctx, s, t: agenda_rules.record_check_result(
        t, check_id, body.note, body.checked_on))


# --------------------------------------------------------------------------- rounds


class NamedNotReady(NotReadyToDecide):
    """The same refusal of ``!besluit``, but its text names members by display name; the params keep
    the matrix ids for machines."""

    def __init__(self, original: NotReadyToDecide, names: Mapping[str, str]) -> None:
        super().__init__(int(original.params["round_id"]), original.missing)
        m = original.missing

        def name(matrix_id: str) -> str:
            return names.get(matrix_id) or _localpart(matrix_id)

        self.missing = replace(m, not_responded=tuple(name(x) for x in m.not_responded),
                               info_pending=tuple(name(x) for x in m.info_pending),
                               open_objections=tuple(replace(o, member=name(o.member)) for o in m.open_objections))


@dataclass(frozen=True)
class RoundCall:
    """What a round command works with: the state of the round and who takes part today."""

    ctx: Ctx
    s: Session
    info: store.RoundInfo
    round: Round
    roster: Roster
    notices: tuple[AbsenceNotice, ...]
    participants: Participants
    names: dict[str, str]
    key: str | None


def _thread_url(info: store.RoundInfo) -> str | None:
    if info.thread_room_id and info.thread_event_id:
        return matrix_to_url(info.thread_room_id, info.thread_event_id)
    return None


def _round_out(s: Session, ctx: Ctx, info: store.RoundInfo, rnd: Round, roster: Roster,
               notices: Iterable[AbsenceNotice],
               *, duplicate: bool = False) -> RoundOut:
    participants = _participants(ctx, roster, notices, rnd.round_id)
    names = _names(ctx, roster)
    view = rnd.status(participants, ctx.council.quorum, ctx.now)
    topic = store.topic(s, ctx.slug, rnd.topic_id)
    return RoundOut(
        id=rnd.round_id, topic_id=rnd.topic_id, topic_title=topic.title, state=view.state.value,
        state_label=_status_label("round_state", view.state.value, ctx.lang), phase=view.phase.value,
        phase_label=_status_label("phase", view.phase.value, ctx.lang), version=view.version, proposal=view.proposal,
        opener=_person(rnd.opener, names), deadline=view.deadline, deadline_passed=view.deadline_passed,
        not_responded=[_person(m, names) for m in sorted(view.not_responded, key=lambda m: names.get(m, m).lower())],
        absent=[_person(m, names) for m in sorted(participants.absent)] if rnd.is_open else [],
        concerns=[ConcernOut(matrix_id=c.member, display_name=_person(c.member, names).display_name, text=c.text)
                  for c in view.concerns],
        open_objections=[ObjectionOut(id=o.id, matrix_id=o.member, display_name=_person(o.member, names).display_name,
                                      argument=o.argument) for o in view.open_objections],
        info_requested=[ConcernOut(matrix_id=i.member, display_name=_person(i.member, names).display_name,
                                   text=i.question) for i in view.info_requested],
        quorum_shortfall=view.quorum_shortfall, can_record_agreement=view.can_record_agreement,
        thread_key=info.thread_key, thread_url=_thread_url(info), duplicate=duplicate,
    )


def _round_command(slug: str, round_id: int, command: Callable[[RoundCall], CommandResult],
                   after: Callable[[RoundCall, CommandResult], None] | None = None) -> RoundOut:
    """Load, decide, append, react: in one transaction, retried when another worker appended first."""
    ctx = _ctx(slug)
    key = _idempotency_key()
    rt = runtime()
    for attempt in range(COMMAND_ATTEMPTS):
        try:
            with rt.db.session() as s:
                info, rnd = store.load_round(s, ctx.slug, round_id, lock=True)
                roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
                notices = store.absences(s, ctx.slug, round_occasion(round_id))
                call = RoundCall(ctx, s, info, rnd, roster, notices, _participants(ctx, roster, notices, round_id),
                                 _names(ctx, roster), key)
                result = command(call)
                if not result.duplicate:
                    store.append_events(s, result.events, result.round)
                    if after is not None:
                        after(call, result)
                return _round_out(s, ctx, info, result.round, roster, notices, duplicate=result.duplicate)
        except IntegrityError:
            log.info("round %s: concurrent append, retrying (%d)", round_id, attempt + 1)
    raise Conflict("delib.api.busy", f"round {round_id}: gave up after concurrent appends")


def _post(s: Session, ctx: Ctx, key: str, rich: Rich, *, thread_key: str | None = None,
          mentions: Iterable[str] = ()) -> None:
    runtime().post(s, OutboundMessage(key=key, council=ctx.slug, room="main", kind="text", body=rich.body,
                                      html=rich.html, thread_key=thread_key, mentions=sorted(mentions)))


@API.route("/councils/<slug>/rounds", "POST",
           summary="Open a round (!ronde): the proposal becomes the root of a new thread", body=RoundOpenIn,
           response=RoundOut, status=201, callers=CHAT, errors=(403, 409))
@retry_on_conflict
def open_new_round(slug: str, body: RoundOpenIn) -> RoundOut:
    ctx = _ctx(slug)
    key = _idempotency_key()
    with runtime().db.session() as s:
        existing = store.round_id_by_open_key(s, ctx.slug, key) if key else None
        if existing is None:
            store.lock_council(s, ctx.slug)
            roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
            participants = _participants(ctx, roster)
            if body.actor not in participants.members and body.actor not in participants.secretaries:
                raise _not_member()
            topic = store.topic(s, ctx.slug, body.topic_id, lock=True)
            if topic.status in WAITING_STATUSES:
                # "!ronde" on a waiting topic activates it first, within the cap.
                topic = agenda_rules.activate(topic, store.topics(s, ctx.slug), ctx.council.active_topic_cap)
            topic = agenda_rules.start_round(topic)
            deadline = council_now(ctx.council, body.deadline) if body.deadline else ctx.now + timedelta(days=ROUND_DAYS)
            if deadline > ctx.now + timedelta(days=MAX_DEADLINE_DAYS):
                raise InvalidInput("delib.api.deadline_too_far", "deadline too far ahead", max_days=MAX_DEADLINE_DAYS)
            round_id = store.create_round(s, council=ctx.slug, topic_id=topic.id, deadline=deadline,
                                          opened_at=ctx.now, open_key=key)
            result = open_round(round_id=round_id, council_id=ctx.slug, topic_id=topic.id, opener=body.actor,
                                proposal=body.proposal, deadline=deadline, participants=participants, at=ctx.now,
                                idempotency_key=key)
            store.append_events(s, result.events, result.round)
            store.save_topic(s, topic)
            rnd = result.round
            lang = ctx.council.language
            _post(s, ctx, store.round_thread_key(round_id), texts.round_opened(
                lang, round_id=round_id, title=topic.title, proposal=rnd.proposal,
                phase_label=_status_label("phase", rnd.phase.value, lang),
                deadline=council_now(ctx.council, rnd.deadline)))
        else:
            round_id = existing
        info, rnd = store.load_round(s, ctx.slug, round_id)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        return _round_out(s, ctx, info, rnd, roster, store.absences(s, ctx.slug, round_occasion(round_id)),
                          duplicate=existing is not None)


@API.route("/councils/<slug>/rounds", summary="Rounds of the council", query=RoundQuery, response=list[RoundOut],
           callers=READ)
def list_rounds(slug: str, query: RoundQuery) -> list[RoundOut]:
    ctx = _ctx(slug)
    with runtime().db.read() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        out = []
        for info, rnd in store.rounds(s, ctx.slug, state=query.state, topic_id=query.topic_id):
            out.append(_round_out(s, ctx, info, rnd, roster, store.absences(s, ctx.slug, round_occasion(rnd.round_id))))
        return out


@API.route("/councils/<slug>/rounds/<int:round_id>",
           summary="Status of a round (!stand): phase, version, who has not responded, concerns, open objections",
           response=RoundOut, callers=READ)
def get_round(slug: str, round_id: int) -> RoundOut:
    ctx = _ctx(slug)
    with runtime().db.read() as s:
        info, rnd = store.load_round(s, ctx.slug, round_id)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        return _round_out(s, ctx, info, rnd, roster, store.absences(s, ctx.slug, round_occasion(round_id)))


@API.route("/councils/<slug>/rounds/<int:round_id>/events", summary="The full history of a round",
           response=list[EventOut], callers=ADMIN)
def round_events(slug: str, round_id: int) -> list[EventOut]:
    ctx = _ctx(slug)
    with runtime().db.read() as s:
        store.load_round(s, ctx.slug, round_id)
        return [EventOut(seq=e["seq"], type=e["type"], actor=e["actor"], at=datetime.fromisoformat(e["at"]),
                         data=e.get("data") or {}) for e in store.events_of(s, round_id)]


@API.route("/councils/<slug>/rounds/<int:round_id>/positions", "POST",
           summary="Give a position: eens, bedenking, opzij, bezwaar, info", body=PositionIn, response=RoundOut,
           callers=CHAT, errors=(403, 409))
@retry_on_conflict
def give_position(slug: str, round_id: int, body: PositionIn) -> RoundOut:
    def command(c: RoundCall) -> CommandResult:
        p = c.participants
        if body.actor in p.secretaries and body.actor not in p.members and c.round.is_open:
            raise Forbidden("delib.api.secretary_no_position", "secretary without seat gave a position")
        return c.round.give_position(body.actor, body.position, body.text, participants=p, at=c.ctx.now,
                                     idempotency_key=c.key)

    return _round_command(slug, round_id, command)


@API.route("/councils/<slug>/rounds/<int:round_id>/withdraw", "POST",
           summary="Withdraw one's own objection (!intrekken)", body=WithdrawIn, response=RoundOut, callers=CHAT,
           errors=(403, 409))
@retry_on_conflict
def withdraw_objection(slug: str, round_id: int, body: WithdrawIn) -> RoundOut:
    return _round_command(slug, round_id, lambda c: c.round.withdraw_objection(
        body.actor, body.objection_id, participants=c.participants, at=c.ctx.now, idempotency_key=c.key))


@API.route("/councils/<slug>/rounds/<int:round_id>/objections/<int:objection_id>/resolve", "POST",
           summary="Record how the group resolved an objection (!opgelost; secretary or opener)", body=ResolveIn,
           response=RoundOut, callers=CHAT, errors=(403, 409))
@retry_on_conflict
def resolve_objection(slug: str, round_id: int, objection_id: int, body: ResolveIn) -> RoundOut:
    return _round_command(slug, round_id, lambda c: c.round.resolve_objection(
        body.actor, objection_id, body.note, participants=c.participants, at=c.ctx.now, idempotency_key=c.key))


@API.route("/councils/<slug>/rounds/<int:round_id>/proposal", "POST",
           summary="Amend the proposal (!voorstel): a new version, posted in the thread; everyone responds again",
           body=AmendIn, response=RoundOut, callers=CHAT, errors=(403, 409))
@retry_on_conflict
def amend_proposal(slug: str, round_id: int, body: AmendIn) -> RoundOut:
    def after(c: RoundCall, result: CommandResult) -> None:
        rnd = result.round
        _post(c.s, c.ctx, f"{c.info.thread_key}:v{rnd.version}",
              texts.amended(c.ctx.council.language, round_id=rnd.round_id, version=rnd.version, text=rnd.proposal),
              thread_key=c.info.thread_key, mentions=c.participants.present)

    return _round_command(slug, round_id, lambda c: c.round.amend_proposal(
        body.actor, body.text, participants=c.participants, at=c.ctx.now, idempotency_key=c.key), after)


@API.route("/councils/<slug>/rounds/<int:round_id>/phase", "POST",
           summary="Move to the next phase (!verder; secretary or opener)", body=RoundActorIn, response=RoundOut,
           callers=CHAT, errors=(403, 409))
@retry_on_conflict
def advance_phase(slug: str, round_id: int, body: RoundActorIn) -> RoundOut:
    return _round_command(slug, round_id, lambda c: c.round.advance_phase(
        body.actor, participants=c.participants, at=c.ctx.now, idempotency_key=c.key))


@API.route("/councils/<slug>/rounds/<int:round_id>/deadline", "POST", summary="Move the deadline of a round",
           body=DeadlineIn, response=RoundOut, callers=CHAT, errors=(403, 409))
@retry_on_conflict
def set_deadline(slug: str, round_id: int, body: DeadlineIn) -> RoundOut:
    def command(c: RoundCall) -> CommandResult:
        deadline = council_now(c.ctx.council, body.deadline)
        if deadline > c.ctx.now + timedelta(days=MAX_DEADLINE_DAYS):
            raise InvalidInput("delib.api.deadline_too_far", "deadline too far ahead", max_days=MAX_DEADLINE_DAYS)
        return c.round.set_deadline(body.actor, deadline, participants=c.participants, at=c.ctx.now,
                                    idempotency_key=c.key)

    return _round_command(slug, round_id, command)


@API.route("/councils/<slug>/rounds/<int:round_id>/decide", "POST",
           summary="Record agreement (!besluit), or say exactly what is missing", body=RoundActorIn,
           response=RoundOut, callers=CHAT, errors=(403, 409))
@retry_on_conflict
def decide(slug: str, round_id: int, body: RoundActorIn) -> RoundOut:
    def command(c: RoundCall) -> CommandResult:
        try:
            return c.round.decide(body.actor, participants=c.participants, quorum=c.ctx.council.quorum,
                                  at=c.ctx.now, idempotency_key=c.key)
        except NotReadyToDecide as refused:
            raise NamedNotReady(refused, c.names) from None

    def after(c: RoundCall, result: CommandResult) -> None:
        agreement = result.round.agreement
        assert agreement is not None
        topic = agenda_rules.record_agreement(store.topic(c.s, c.ctx.slug, agreement.topic_id, lock=True))
        store.save_topic(c.s, topic)
        people = {p.member for p in agreement.positions} | set(agreement.absent) | {agreement.decided_by}
        store.add_register_entry(c.s, agreement, topic_title=topic.title,
                                 names={m: _person(m, c.names).display_name for m in people},
                                 thread_url=_thread_url(c.info))
        _post(c.s, c.ctx, f"{c.info.thread_key}:besluit", texts.decided(
            c.ctx.council.language, round_id=agreement.round_id, title=topic.title, text=agreement.text,
            version=agreement.version, on=agreement.decided_on, with_concerns=bool(agreement.concerns)),
            thread_key=c.info.thread_key)

    out = _round_command(slug, round_id, command, after)
    if out.thread_url is None:
        # The register links to the thread; ask the bot where it is now, or the links job will later.
        url = link_round(runtime(), _settings(), round_id)
        if url:
            out = out.model_copy(update={"thread_url": url})
    return out


@API.route("/councils/<slug>/rounds/<int:round_id>/abandon", "POST",
           summary="Stop a round without agreement; the topic is active again", body=AbandonIn, response=RoundOut,
           callers=CHAT, errors=(403, 409))
@retry_on_conflict
def abandon_round(slug: str, round_id: int, body: AbandonIn) -> RoundOut:
    def after(c: RoundCall, result: CommandResult) -> None:
        topic = store.topic(c.s, c.ctx.slug, c.round.topic_id, lock=True)
        store.save_topic(c.s, agenda_rules.round_stopped(topic))
        _post(c.s, c.ctx, f"{c.info.thread_key}:gestopt", texts.abandoned(
            c.ctx.council.language, round_id=c.round.round_id, topic_id=topic.id), thread_key=c.info.thread_key)

    return _round_command(slug, round_id, lambda c: c.round.abandon(
        body.actor, body.reason, participants=c.participants, at=c.ctx.now, idempotency_key=c.key), after)


# --------------------------------------------------------------------------- decision register


def _entry_out(ctx: Ctx, stored: store.StoredEntry) -> RegisterEntryOut:
    a, names = stored.entry.agreement, stored.names
    return RegisterEntryOut(
        round_id=a.round_id, topic_id=a.topic_id, topic_title=stored.entry.topic_title, text=a.text,
        version=a.version, decided_at=a.decided_at, decided_on=a.decided_on, decided_by=_person(a.decided_by, names),
        positions=[PositionOut(matrix_id=p.member, display_name=_person(p.member, names).display_name,
                               position=p.position.value, position_label=position_label(p, ctx.lang), text=p.text)
                   for p in a.positions],
        absent=[_person(m, names) for m in a.absent], thread_url=stored.entry.thread_url,
    )


@API.route("/councils/<slug>/register", summary="The decision register, filtered by period and topic",
           query=RegisterQuery, response=list[RegisterEntryOut], callers=CHAT)
def list_register(slug: str, query: RegisterQuery) -> list[RegisterEntryOut]:
    ctx = _ctx(slug)
    _check_period(query.start, query.end)
    with runtime().db.read() as s:
        entries = store.register_entries(s, ctx.slug, start=query.start, end=query.end, topic_id=query.topic_id)
    return [_entry_out(ctx, e) for e in entries]


@API.route("/councils/<slug>/register/export",
           summary="The besluitenlijst as a document: ?format=markdown (text/markdown) or html (text/html)",
           query=ExportQuery, callers=CHAT, content_type="text/markdown")
def export_register(slug: str, query: ExportQuery) -> Response:
    ctx = _ctx(slug)
    _check_period(query.start, query.end)
    with runtime().db.read() as s:
        stored = store.register_entries(s, ctx.slug, start=query.start, end=query.end, topic_id=query.topic_id)
    entries: list[RegisterEntry] = [e.entry for e in stored]
    names: dict[str, str] = {}
    for e in stored:
        names.update(e.names)
    render = to_html if query.format == "html" else to_markdown
    document = render(entries, council_name=ctx.council.name, lang=ctx.lang, start=query.start, end=query.end,
                      display_names=names)
    mimetype = "text/html" if query.format == "html" else "text/markdown"
    extension = "html" if query.format == "html" else "md"
    resp = Response(document, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'inline; filename="besluitenlijst-{ctx.slug}.{extension}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


# --------------------------------------------------------------------------- deadlines feed


@API.route("/councils/<slug>/deadlines",
           summary="Advice deadlines, expected board replies and realisation checks (for the calendar)",
           query=PeriodQuery, response=list[DeadlineOut], callers=("calendar", "admin", "bot"))
def list_deadlines(slug: str, query: PeriodQuery) -> list[DeadlineOut]:
    ctx = _ctx(slug)
    start = query.start or ctx.today - timedelta(days=31)
    end = query.end or ctx.today + timedelta(days=366)
    _check_period(start, end, MAX_PERIOD_DAYS)
    with runtime().db.read() as s:
        topics = store.topics(s, ctx.slug)
    out: list[DeadlineOut] = []

    def add(uid: str, kind: str, on: date, code: str, topic: Topic, done: bool) -> None:
        if start <= on <= end:
            out.append(DeadlineOut(uid=f"{uid}@{ctx.slug}.deliberation.overleg", kind=kind, date=on,
                                   title=i18n.t(code, ctx.lang, title=topic.title), topic_id=topic.id,
                                   topic_title=topic.title, done=done))

    for topic in topics:
        advice = topic.advice
        if advice is not None:
            add(f"advice-{topic.id}", "advice_deadline", advice.deadline, "delib.deadline.advice", topic,
                advice.advice_sent_on is not None)
            if advice.reply_due_on is not None:
                add(f"reply-{topic.id}", "board_reply_due", advice.reply_due_on, "delib.deadline.board_reply", topic,
                    advice.reply_received_on is not None)
        for check in topic.checks:
            add(f"check-{topic.id}-{check.id}", "realisation_check", check.due_on, "delib.deadline.check", topic,
                check.done)
    return sorted(out, key=lambda d: (d.date, d.topic_id, d.uid))


# --------------------------------------------------------------------------- what the document promises


def refused_by_rule(exc: InvalidInput) -> Response:
    """A domain refusal of input: the schema (the 400 ``invalid_input`` answer) let it through, so it is a rule
    the schema cannot express (a period whose start lies after its end, a seat without a customer group):
    422, as documented. The code, message and params stay as the domain raised them."""
    log.info("refused: %s", exc.log_message)
    resp = jsonify(exc.to_json(request.headers.get("Accept-Language")))
    resp.status_code = 422
    return resp


# Every operation that takes input (a body, a query or a member id in its path) can meet such a rule.
for _op in API.operations:
    if _op.body is not None or _op.query is not None or "<member_id>" in _op.rule:
        _op.errors = tuple(sorted(set(_op.errors) | {422}))

EXPORT_PATH = "/councils/{slug}/register/export"


def openapi_extra_paths() -> dict[str, Any]:
    """``/register/export`` answers ``text/markdown`` or ``text/html`` (``?format=``); ``Api.route`` declares one
    content type, so the operation it describes is completed here with the other."""
    from shared.api import openapi_document

    path = API.url_prefix + EXPORT_PATH
    operation = openapi_document(current_app, "", "").get("paths", {}).get(path, {}).get("get")
    if operation is None:
        return {}
    ok = operation["responses"][str(200)]
    ok["content"] = {"text/markdown": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}}}
    return {path: {"get": operation}}


# --------------------------------------------------------------------------- background jobs


def link_round(rt: Runtime, settings: Settings, round_id: int) -> str | None:
    """Ask the bot where the round's thread root landed; store it on the round and its register entry."""
    from shared.http import ServiceClient

    client = ServiceClient("bot", settings.service_urls["bot"], settings.token_for("deliberation"), timeout=2.0,
                           retries=0)
    try:
        status = client.get(f"/api/v1/outbox/{store.round_thread_key(round_id)}")
    except DomainError as exc:  # not handed over yet, or the bot is down: try again later
        log.info("round %s: thread link not known yet (%s)", round_id, exc.log_message)
        return None
    if not isinstance(status, dict) or not status.get("event_id") or not status.get("room_id"):
        return None
    url = matrix_to_url(str(status["room_id"]), str(status["event_id"]))
    with rt.db.session() as s:
        store.set_thread_location(s, round_id, str(status["room_id"]), str(status["event_id"]))
        store.set_entry_link(s, round_id, url)
    return url


def jobs(app: Flask, settings: Settings, db: Database) -> list[Job]:
    """Reminders before a round's deadline, realisation checks due, and links from the register to threads."""
    from services.deliberation import followup

    def rt() -> Runtime:
        return app.extensions["overleg_runtime"]

    return [
        Job("delib_reminders", lambda: followup.send_reminders(rt(), settings), interval=30.0),
        Job("delib_checks", lambda: followup.announce_checks(rt(), settings), interval=60.0),
        Job("delib_links", lambda: followup.fill_links(rt(), settings, link_round), interval=5.0),
    ]
