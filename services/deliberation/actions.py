"""What the deliberation service does: one function per use case, each in one write transaction (or one
read), retried as a whole when a concurrent writer won a unique key (:func:`retry_on_conflict`).

An action gets the runtime (database, outbox), a :class:`Ctx` (the council, its clock, the caller's
language, who called and the request's idempotency key) and the parsed input. It loads the domain
objects from :mod:`.store`, lets the domain decide, stores the result and queues any Matrix message in
the same transaction, and returns what the caller needs: domain objects and small result records, which
:mod:`.views` turns into JSON. No Flask here: the routes (:mod:`.api`) read the request, the jobs
(:mod:`.jobs`) run without one.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Iterable, Mapping, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.deliberation import jobs, store, texts
from services.deliberation.domain import advice as advice_rules
from services.deliberation.domain import agenda as agenda_rules
from services.deliberation.domain import background as background_rules
from services.deliberation.domain.advice import ReplyKind, Trajectory
from services.deliberation.domain.agenda import WAITING_STATUSES, AgendaView, Topic, TopicSource
from services.deliberation.domain.background import Background
from services.deliberation.domain.consensus import (
    DEADLINE_TIME,
    ROUND_DAYS,
    CommandResult,
    Event,
    EventType,
    NotReadyToDecide,
    Participants,
    Position,
    Objection,
    Round,
    deadline_on,
    default_deadline,
    members_to_remind,
    open_round,
)
from services.deliberation.domain import influence as influence_rules
from services.deliberation.domain import scenarios as scenario_rules
from services.deliberation.domain.influence import RealisedInfluence, TopicInfluence, YearOverview
from services.deliberation.domain.register import matrix_to_url
from services.deliberation.domain.scenarios import (
    OptionNotReady,
    ScenarioEvent,
    ScenarioEventType,
    ScenarioOutcome,
    ScenarioResult,
    ScenarioRound,
)
from services.deliberation.domain.roster import (
    AbsenceNotice,
    Application,
    ApplicationStatus,
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
    scenarios_occasion,
    validate_matrix_id,
)
from services.deliberation.schemas import (
    AbsenceIn,
    AdviceOpenIn,
    ApplicationIn,
    ApplicationStatusIn,
    BackgroundIn,
    InfluenceIn,
    MemberIn,
    MemberPatch,
    RoundOpenIn,
    ScenariosOpenIn,
    SeatIn,
    TextErasureIn,
    TopicIn,
)
from shared import i18n
from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from shared.formatting import Rich
from shared.outbox import OutboundMessage
from shared.ratelimit import Limit, RateLimiter
from shared.service import Runtime
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.deliberation")

MAX_DEADLINE_DAYS = 366
MAX_PERIOD_DAYS = 3 * 366
# Applying is public. Each address gets a few applications an hour (a household, or a resident
# evening on one wifi, fits; a flood from one sender does not); the council's daily ceiling only
# stops a flood spread over many addresses, so it is set far above any real call for candidates.
APPLICATIONS_PER_ADDRESS = Limit(10, 3600)
MAX_APPLICATIONS_PER_DAY = 500
COMMAND_ATTEMPTS = 3  # tries of one use case on write conflicts, in all (see retry_on_conflict)

F = TypeVar("F", bound=Callable[..., Any])


class TooManyRequests(DomainError):
    status = 429


# --------------------------------------------------------------------------- the one retry


def retry_on_conflict(fn: F) -> F:
    """Run a use case again when its transaction lost a unique key to a concurrent one: two requests that
    insert the same row at once (a retried chat command still in flight, two members adding the same
    person), or two workers appending the next event of a round from the same state. The loser's insert
    fails; running it again sees the winner's row and answers as a repeat would. At most
    :data:`COMMAND_ATTEMPTS` tries in all; a conflict that persists is a 409 (``delib.api.busy``), never a
    500. This is the only retry layer of the service: wrap the use case (whose body is one transaction),
    never a function that calls another wrapped one."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(COMMAND_ATTEMPTS):
            try:
                return fn(*args, **kwargs)
            except IntegrityError:
                log.info("%s: unique key conflict, retrying (%d)", fn.__name__, attempt + 1)
        raise Conflict("delib.api.busy", f"{fn.__name__}: gave up after unique key conflicts")

    return run  # type: ignore[return-value]


# --------------------------------------------------------------------------- the call's context


@dataclass(frozen=True)
class Ctx:
    """Who asks what of which council, and when."""

    council: CouncilConfig
    now: datetime  # aware, in the council's time zone
    lang: str
    caller: str | None = None  # the authenticated caller (bot, admin, signals, …); None when public
    key: str | None = None  # the request's Idempotency-Key (a chat command's Matrix event id)
    deadline_time: time = DEADLINE_TIME  # the local time at which a round's deadline day ends

    @property
    def slug(self) -> str:
        return self.council.slug

    @property
    def today(self) -> date:
        return self.now.date()


def council_now(council: CouncilConfig, at: datetime | None = None) -> datetime:
    zone = ZoneInfo(council.timezone)
    return at.astimezone(zone) if at is not None else datetime.now(zone)


def context(settings: Settings, slug: str, *, language: str | None = None, caller: str | None = None,
            key: str | None = None, now: datetime | None = None, deadline_time: time | None = None) -> Ctx:
    """The council named ``slug`` (404 when unknown), its clock (``now``: the service's clock hook, else the
    real time), and the caller's language (else the council's)."""
    council = settings.council(slug)
    if council is None:
        raise NotFound("delib.api.council_not_found", "unknown council")
    lang = i18n.normalise_language(language) if language else council.language
    ends_day = deadline_time or time.fromisoformat(council.round_deadline_time)
    return Ctx(council, council_now(council, now), lang, caller, key, ends_day)


def secretaries_of(ctx: Ctx, roster: Roster) -> set[str]:
    """Who is reminded of the secretary's tasks: the settings' secretaries and the roster's serving ones."""
    return set(ctx.council.secretaries) | set(roster.participants(ctx.today, frozenset()).secretaries)


# --------------------------------------------------------------------------- shared rules


def localpart(matrix_id: str) -> str:
    return matrix_id[1:].split(":", 1)[0] if matrix_id.startswith("@") else matrix_id


def names_of(council: CouncilConfig, roster: Roster) -> dict[str, str]:
    """Display names by Matrix id: the roster's, and the settings' secretaries by their localpart."""
    names = {m.matrix_id: m.display_name for m in roster.members}
    for secretary in council.secretaries:
        names.setdefault(secretary, localpart(secretary))
    return names


def display_name(matrix_id: str, names: Mapping[str, str]) -> str:
    return names.get(matrix_id) or localpart(matrix_id)


def not_member() -> Forbidden:
    return Forbidden("delib.not_member", "actor is not a member of the council")


def is_secretary(ctx: Ctx, roster: Roster, actor: str) -> bool:
    if actor in ctx.council.secretaries:
        return True
    return any(m.matrix_id == actor and m.secretary and m.active_on(ctx.today) for m in roster.members)


def check_actor(ctx: Ctx, roster: Roster, actor: str | None) -> None:
    """Chat actions come from a member (or a secretary); the bot must say who."""
    if actor is None:
        if ctx.caller == "bot":
            raise InvalidInput("delib.api.actor_required", "bot call without actor")
        return
    if is_secretary(ctx, roster, actor) or roster.is_member(actor, ctx.today):
        return
    raise not_member()


def participants_of(ctx: Ctx, roster: Roster, notices: Iterable[AbsenceNotice] = (),
                    round_id: int | None = None, *, occasion: str | None = None) -> Participants:
    if occasion is None and round_id is not None:
        occasion = round_occasion(round_id)
    absent = absent_for(notices, occasion) if occasion is not None else frozenset()
    p = roster.participants(ctx.today, absent)
    # Secretaries named in the settings facilitate even when they are not on the roster.
    return Participants(members=p.members, absent=p.absent, secretaries=p.secretaries | set(ctx.council.secretaries),
                        not_in_chat=p.not_in_chat)


def check_period(start: date | None, end: date | None, max_days: int | None = None) -> None:
    if start and end and (start > end or (max_days is not None and (end - start).days > max_days)):
        raise InvalidInput("delib.api.period_invalid", "bad period", max_days=max_days or MAX_PERIOD_DAYS)


def status_label(kind: str, value: str, lang: str) -> str:
    return i18n.t(f"delib.{kind}.{value}", lang)


def _post(rt: Runtime, s: Session, ctx: Ctx, key: str, rich: Rich, *, thread_key: str | None = None,
          mentions: Iterable[str] = ()) -> None:
    rt.post(s, OutboundMessage(key=key, council=ctx.slug, room="main", kind="text", body=rich.body,
                               html=rich.html, thread_key=thread_key, mentions=sorted(mentions)))


def _check_deadline(ctx: Ctx, deadline: datetime) -> None:
    if deadline > ctx.now + timedelta(days=MAX_DEADLINE_DAYS):
        raise InvalidInput("delib.api.deadline_too_far", "deadline too far ahead", max_days=MAX_DEADLINE_DAYS)


# --------------------------------------------------------------------------- roster


@dataclass(frozen=True)
class RosterView:
    roster: Roster
    groups: Mapping[str, str]  # customer group labels by Matrix id, as the members were named


@dataclass(frozen=True)
class MemberView:
    member: Member
    roster: Roster
    groups: Mapping[str, str]


def roster(rt: Runtime, ctx: Ctx) -> RosterView:
    with rt.db.read() as s:
        return RosterView(store.load_roster(s, ctx.slug, ctx.council.max_seats), store.member_groups(s, ctx.slug))


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


@retry_on_conflict
def add_member(rt: Runtime, ctx: Ctx, body: MemberIn) -> MemberView:
    with rt.db.session() as s:
        store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        if ctx.caller == "bot" or body.actor is not None:
            if body.actor is None:
                raise InvalidInput("delib.api.actor_required", "bot call without actor")
            if not is_secretary(ctx, roster, body.actor):
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
        return MemberView(member, roster, store.member_groups(s, ctx.slug))


@retry_on_conflict
def update_member(rt: Runtime, ctx: Ctx, member_id: str, body: MemberPatch) -> MemberView:
    matrix_id = validate_matrix_id(member_id)
    given = body.model_fields_set
    with rt.db.session() as s:
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
        return MemberView(member, roster, store.member_groups(s, ctx.slug))


@retry_on_conflict
def add_seat(rt: Runtime, ctx: Ctx, body: SeatIn) -> Seat:
    with rt.db.session() as s:
        store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        roster = roster.add_seat(new_customer_group(body.age_band, body.area, body.background))
        store.save_seats(s, ctx.slug, roster.seats)
    return roster.seats[-1]


@retry_on_conflict
def regroup_seat(rt: Runtime, ctx: Ctx, seat_id: int, body: SeatIn) -> Roster:
    """The roster after the seat changed group (the caller shows the seat from it)."""
    with rt.db.session() as s:
        store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        roster = roster.regroup_seat(seat_id, new_customer_group(body.age_band, body.area, body.background))
        store.save_seats(s, ctx.slug, roster.seats)
    return roster


# --------------------------------------------------------------------------- applications


def apply_for_seat(rt: Runtime, ctx: Ctx, body: ApplicationIn, *, limiter: RateLimiter, sender: str) -> Application:
    """Anyone may apply: counted per address (``sender``) first, then against the council's daily ceiling.
    The address is counted once per request, however often the insert below is retried."""
    verdict = limiter.check(f"applications:{ctx.slug}", sender, APPLICATIONS_PER_ADDRESS)
    if not verdict.allowed:
        raise TooManyRequests("delib.api.too_many_applications_from_address", "application limit per address reached",
                              minutes=max(1, -(-verdict.retry_after // 60)))
    return _insert_application(rt, ctx, body)[0]


@retry_on_conflict
def _insert_application(rt: Runtime, ctx: Ctx, body: ApplicationIn, *, reference_hash: str | None = None,
                        intake_hash: str | None = None) -> tuple[Application, bool]:
    """The application, and whether this call stored it (False: the same form was stored by a concurrent
    request, whose unique intake hash made this one's insert fail and the retry find it)."""
    with rt.db.session() as s:
        if intake_hash is not None and (earlier := store.application_by_intake(s, intake_hash)) is not None:
            return earlier, False
        if store.applications_received(s, ctx.slug, ctx.today) >= MAX_APPLICATIONS_PER_DAY:
            raise TooManyRequests("delib.api.too_many_applications", "application limit for today reached")
        app = new_application(id=0, council_id=ctx.slug, name=body.name, member_type=body.member_type,
                              received_on=ctx.today, matrix_id=body.matrix_id or None, contact=body.contact,
                              motivation=body.motivation)
        return store.insert_application(s, app, reference_hash=reference_hash, intake_hash=intake_hash), True


def _hash(kind: str, value: str) -> str:
    return hashlib.sha256(f"delib-{kind}:{value}".encode()).hexdigest()


@dataclass(frozen=True)
class FormReceipt:
    application: Application
    reference: str | None  # None: this form was sent before; its reference went to that first answer only


def apply_through_form(rt: Runtime, ctx: Ctx, body: ApplicationIn, *, limiter: RateLimiter, sender: str,
                       nonce: str | None) -> FormReceipt:
    """The public form: the same limits as the API, plus a reference for the applicant's own page (only its hash
    is kept) and one application per form however often it is sent (the hidden nonce, hashed)."""
    intake = _hash("intake", f"{ctx.slug}:{nonce}") if nonce and 16 <= len(nonce) <= 64 else None
    if intake is not None:
        with rt.db.read() as s:
            earlier = store.application_by_intake(s, intake)
        if earlier is not None:
            return FormReceipt(earlier, None)
    verdict = limiter.check(f"applications:{ctx.slug}", sender, APPLICATIONS_PER_ADDRESS)
    if not verdict.allowed:
        raise TooManyRequests("delib.api.too_many_applications_from_address", "application limit per address reached",
                              minutes=max(1, -(-verdict.retry_after // 60)))
    reference = secrets.token_urlsafe(16)  # 128 random bits
    app, created = _insert_application(rt, ctx, body, reference_hash=_hash("ref", reference), intake_hash=intake)
    return FormReceipt(app, reference if created else None)


def application_by_reference(rt: Runtime, reference: str) -> Application:
    with rt.db.read() as s:
        found = store.application_by_reference(s, _hash("ref", reference.strip()))
    if found is None:
        raise NotFound("delib.web.reference_unknown", "unknown application reference")
    return found


@retry_on_conflict
def withdraw_application(rt: Runtime, reference: str, at: datetime) -> Application:
    """The applicant withdraws: their personal data is erased. An appointed member asks the secretary instead
    (their name is on the roster and in the council's decisions)."""
    with rt.db.session() as s:
        found = store.application_by_reference(s, _hash("ref", reference.strip()))
        if found is None:
            raise NotFound("delib.web.reference_unknown", "unknown application reference")
        if found.status is ApplicationStatus.BENOEMD:
            raise Conflict("delib.web.appointed_already", f"application {found.id} appointed")
        store.erase_application(s, found.council_id, found.id, at)
        return found


def _require_applications_desk(ctx: Ctx, roster: Roster, actor: str | None) -> None:
    """Applications hold applicants' contact details: only the secretary (through the bot) or the admin tools."""
    if actor is None:
        if ctx.caller == "bot":
            raise InvalidInput("delib.api.actor_required", "bot call without actor")
        return
    if not is_secretary(ctx, roster, actor):
        raise Forbidden("delib.api.secretary_only_applications", "applications asked by a non-secretary")


def applications(rt: Runtime, ctx: Ctx, status: str | None, actor: str | None = None) -> list[Application]:
    with rt.db.read() as s:
        _require_applications_desk(ctx, store.load_roster(s, ctx.slug, ctx.council.max_seats), actor)
        return store.applications(s, ctx.slug, status)


@retry_on_conflict
def change_application(rt: Runtime, ctx: Ctx, application_id: int, body: ApplicationStatusIn) -> Application:
    """The selection committee's decision. On appointment the member is added to the roster (not in the chat
    yet), the bot invites them to the council's room, and the room is told; the welcome follows when they join."""
    with rt.db.session() as s:
        store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        _require_applications_desk(ctx, roster, body.actor)
        app = store.application(s, ctx.slug, application_id)
        if body.matrix_id:
            app = replace(app, matrix_id=validate_matrix_id(body.matrix_id))
        if body.status == "gesprek":
            app = invite_for_interview(app)
        elif body.status == "niet_benoemd":
            app = decline(app, ctx.today)
        else:
            app, roster, member = appoint(app, roster, on=ctx.today, term_end=body.term_end, seat_id=body.seat_id,
                                          language=body.language)
            seat = roster.seat(member.seat_id) if member.seat_id is not None else None
            group = seat.group.label if seat else ""
            store.save_member(s, ctx.slug, member, group)
            # "app<number>": keys from before numbers per council hold the global id in that place.
            rt.post(s, OutboundMessage(key=f"delib:member:{ctx.slug}:app{app.id}:invite", council=ctx.slug,
                                       room="main", kind="invite", invite_user=member.matrix_id))
            _post(rt, s, ctx, f"delib:member:{ctx.slug}:app{app.id}:appointed",
                  texts.appointed(ctx.council.language, name=member.display_name, seat=member.seat_id, group=group))
        note = " ".join((body.note or "").split()) or None
        app = replace(app, note=note or app.note)
        store.save_application(s, app)
    return app


@dataclass(frozen=True)
class Joined:
    member: bool
    welcomed: bool


@retry_on_conflict
def joined_chat(rt: Runtime, ctx: Ctx, matrix_id: str) -> Joined:
    """The bot saw ``matrix_id`` join the council's room. A member appointed and waited for is now in the chat:
    counted for the quorum, welcomed in the room and sent a direct message on how things work. Idempotent."""
    with rt.db.session() as s:
        store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        if not any(m.matrix_id == matrix_id and m.not_ended_on(ctx.today) for m in roster.members):
            return Joined(member=False, welcomed=False)
        roster, was_waiting = roster.joined_chat(matrix_id)
        if not was_waiting:
            return Joined(member=True, welcomed=False)
        member = roster.member(matrix_id)
        store.save_member(s, ctx.slug, member)
        seat = roster.seat(member.seat_id) if member.seat_id is not None else None
        group = seat.group.label if seat else ""
        lang = member.language or ctx.council.language
        rich = texts.welcome(ctx.council.language, name=member.display_name, seat=member.seat_id, group=group)
        stamp = ctx.today.isoformat()
        rt.post(s, OutboundMessage(key=f"delib:member:{ctx.slug}:welcome:{_key_part(matrix_id)}:{stamp}",
                                   council=ctx.slug, room="main", kind="text", body=rich.body, html=rich.html,
                                   mentions=[matrix_id]))
        howto = texts.howto(lang, council=ctx.council.name, quorum=ctx.council.quorum)
        rt.post(s, OutboundMessage(key=f"delib:member:{ctx.slug}:howto:{_key_part(matrix_id)}:{stamp}",
                                   council=ctx.slug, dm_to=matrix_id, kind="text", body=howto.body, html=howto.html))
    return Joined(member=True, welcomed=True)


def _key_part(matrix_id: str) -> str:
    # Outbox keys allow a narrow alphabet and should not spell out who it is: a short hash names the member.
    return hashlib.sha256(matrix_id.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- absence with notice


@dataclass(frozen=True)
class Absences:
    notices: tuple[AbsenceNotice, ...]
    names: Mapping[str, str]


def _occasion(s: Session, ctx: Ctx, body: AbsenceIn) -> str:
    if [body.round_id, body.meeting_id, body.scenarios_id].count(None) != 2:
        raise InvalidInput("delib.api.occasion_required", "absence needs exactly one occasion")
    if body.scenarios_id is not None:
        _, weighing = store.load_scenario_round(s, ctx.slug, body.scenarios_id)
        if not weighing.is_open:
            raise Conflict("delib.api.scenarios_closed_for_absence", f"scenario round {weighing.round_id} closed",
                           round_id=weighing.round_id)
        return scenarios_occasion(body.scenarios_id)
    if body.round_id is not None:
        _, rnd = store.load_round(s, ctx.slug, body.round_id)
        if not rnd.is_open:
            raise Conflict("delib.api.round_closed_for_absence", f"round {rnd.round_id} closed",
                           round_id=rnd.round_id)
        return round_occasion(body.round_id)
    return meeting_occasion(body.meeting_id or "")


@retry_on_conflict
def add_absence(rt: Runtime, ctx: Ctx, body: AbsenceIn) -> Absences:
    """The new notice (one)."""
    with rt.db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        if not roster.is_member(body.actor, ctx.today):
            raise not_member()
        occasion = _occasion(s, ctx, body)
        before = store.absences(s, ctx.slug)
        after = mark_absent(before, roster, body.actor, occasion, ctx.today)
        store.save_absences(s, ctx.slug, before, after)
        notice = next(n for n in after if n.matrix_id == body.actor and n.occasion == occasion)
        return Absences((notice,), names_of(ctx.council, roster))


@retry_on_conflict
def cancel_absence_notice(rt: Runtime, ctx: Ctx, body: AbsenceIn) -> Absences:
    """The notices that remain for the occasion."""
    with rt.db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        if not roster.is_member(body.actor, ctx.today):
            raise not_member()
        occasion = _occasion(s, ctx, body)
        before = store.absences(s, ctx.slug)
        after = cancel_absence(before, body.actor, occasion)
        store.save_absences(s, ctx.slug, before, after)
        return Absences(tuple(n for n in after if n.occasion == occasion), names_of(ctx.council, roster))


def absences(rt: Runtime, ctx: Ctx, occasion: str | None) -> Absences:
    with rt.db.read() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        return Absences(store.absences(s, ctx.slug, occasion), names_of(ctx.council, roster))


# --------------------------------------------------------------------------- topics and the agenda


@dataclass(frozen=True)
class TopicView:
    """A topic with what the store keeps beside it: the evidence, its open round and its latest decision."""

    topic: Topic
    evidence: str | None
    open_round_id: int | None
    decision: store.StoredEntry | None


@dataclass(frozen=True)
class TopicCreated:
    view: TopicView
    created: bool  # False: the same request (key) or the same signal cluster made it before


def _topic_view(s: Session, ctx: Ctx, topic: Topic, open_rounds: Mapping[int, int] | None = None) -> TopicView:
    if open_rounds is None:
        open_rounds = store.open_round_ids_by_topic(s, ctx.slug)
    return TopicView(topic, store.topic_extras(s, ctx.slug, topic.id).evidence, open_rounds.get(topic.id),
                     store.latest_entry_for_topic(s, ctx.slug, topic.id))


def check_topic_source(ctx: Ctx, body: TopicIn) -> None:
    cluster = TopicSource.SIGNAAL_CLUSTER.value
    if ctx.caller == "signals" and body.source != cluster:
        raise Forbidden("delib.api.source_not_allowed", "signals creates signal-cluster topics only", allowed=cluster)
    if body.source == cluster and not body.source_ref:
        raise InvalidInput("delib.api.source_ref_required", "signal cluster topic without source_ref")


@retry_on_conflict
def create_topic(rt: Runtime, ctx: Ctx, body: TopicIn) -> TopicCreated:
    check_topic_source(ctx, body)
    cluster = TopicSource.SIGNAAL_CLUSTER.value
    with rt.db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        check_actor(ctx, roster, body.actor)
        existing = store.topic_by_created_key(s, ctx.slug, ctx.key) if ctx.key else None
        if existing is None and body.source == cluster and body.source_ref:
            # The same cluster promoted twice is the same topic: the signals service may retry freely.
            existing = store.topic_by_source_ref(s, ctx.slug, cluster, body.source_ref)
        if existing is not None:
            return TopicCreated(_topic_view(s, ctx, existing), created=False)
        topic = agenda_rules.new_topic(id=0, council_id=ctx.slug, title=body.title, source=body.source,
                                       mode=body.mode, created_at=ctx.now, importance=body.importance,
                                       influence=body.influence, source_ref=body.source_ref)
        stored = store.insert_topic(s, topic, evidence=body.evidence, created_key=ctx.key)
        return TopicCreated(_topic_view(s, ctx, stored, {}), created=True)


ERASED_PREFIX = 40  # a title or evidence cut short still holds this much of a fragment


def without_fragments(text: str, fragments: Iterable[str], replacement: str) -> str:
    """``text`` with every erased fragment gone: whole occurrences, and a line that holds the start of
    one (a sample cut short) loses that line's rest from there."""
    frags = sorted({f.strip() for f in fragments if f and f.strip()}, key=len, reverse=True)
    for frag in frags:
        text = text.replace(frag, replacement)
    lines = []
    for line in text.split("\n"):
        for frag in frags:
            at = line.find(frag[:ERASED_PREFIX])
            if at >= 0:
                line = line[:at] + replacement + ("”" if line[:at].endswith("“") else "")
        lines.append(line)
    return "\n".join(lines)


@retry_on_conflict
def erase_signal_text(rt: Runtime, ctx: Ctx, topic_id: int, body: TextErasureIn) -> tuple[TopicView, bool]:
    """A resident's erasure reaches the topic made from their signal: the text goes from the evidence,
    and the title is rewritten when it came from it. Asking again changes nothing."""
    with rt.db.session() as s:
        topic = store.topic(s, ctx.slug, topic_id, lock=True)
        if topic.source != TopicSource.SIGNAAL_CLUSTER:
            raise Forbidden("delib.api.source_not_allowed", "only a signal-cluster topic holds residents' text",
                            allowed=TopicSource.SIGNAAL_CLUSTER.value)
        evidence = store.topic_extras(s, ctx.slug, topic_id).evidence
        new_evidence = without_fragments(evidence, body.fragments, body.replacement) if evidence else evidence
        new_title = topic.title
        if any(f.strip()[:ERASED_PREFIX] in topic.title for f in body.fragments if f.strip()):
            new_title = body.title or without_fragments(topic.title, body.fragments, "…")[:200]
        changed = new_evidence != evidence or new_title != topic.title
        if changed:
            store.set_topic_text(s, ctx.slug, topic_id, title=new_title, evidence=new_evidence)
            log.info("topic %s: a resident's erased signal text removed", topic_id)
        return _topic_view(s, ctx, store.topic(s, ctx.slug, topic_id)), changed


@retry_on_conflict
def add_background(rt: Runtime, ctx: Ctx, topic_id: int, body: BackgroundIn) -> tuple[Background, bool]:
    """A background note on a topic from another service (a consultation's summary) or the operator. The same
    source key again replaces the note's title and text: a retried hand-off never adds a second note.
    (note, created)."""
    source, key, title, text = background_rules.validate(source=body.source, key=body.key, title=body.title,
                                                         text=body.text)
    with rt.db.session() as s:
        store.topic(s, ctx.slug, topic_id, lock=True)  # 404 for a topic the council lacks
        note, created = store.set_background(s, ctx.slug, Background(
            topic_id=topic_id, source=source, key=key, title=title, text=text, added_on=ctx.today), ctx.now)
    log.info("topic %s of %s: background %s (%s)", topic_id, ctx.slug, "added" if created else "kept/replaced",
             source)
    return note, created


def topics(rt: Runtime, ctx: Ctx, status: str | None) -> list[TopicView]:
    with rt.db.read() as s:
        open_rounds = store.open_round_ids_by_topic(s, ctx.slug)
        return [_topic_view(s, ctx, t, open_rounds) for t in store.topics(s, ctx.slug, status)]


def topic(rt: Runtime, ctx: Ctx, topic_id: int) -> TopicView:
    with rt.db.read() as s:
        return _topic_view(s, ctx, store.topic(s, ctx.slug, topic_id))


@dataclass(frozen=True)
class Agenda:
    view: AgendaView
    open_rounds: Mapping[int, int]  # open round id by topic id
    open_scenarios: Mapping[int, int] = field(default_factory=dict)  # open scenario round by topic id
    influence: Mapping[int, TopicInfluence] = field(default_factory=dict)  # expected and realised, by topic id
    year: YearOverview | None = None  # this year's expected against realised influence


def agenda(rt: Runtime, ctx: Ctx) -> Agenda:
    with rt.db.read() as s:
        all_topics = store.topics(s, ctx.slug)
        open_rounds = store.open_round_ids_by_topic(s, ctx.slug)
        open_scenarios = store.open_scenario_ids_by_topic(s, ctx.slug)
        starts = store.topic_starts(s, ctx.slug)
        records = store.influence_records(s, ctx.slug)
    influence = {t.id: _topic_influence(t, starts.get(t.id), records.get(t.id, ())) for t in all_topics}
    worked_on = [influence[t.id] for t in all_topics
                 if _counts_for_influence(t, starts.get(t.id), records.get(t.id, ()))]
    return Agenda(agenda_rules.agenda(all_topics, ctx.slug, ctx.council.active_topic_cap), open_rounds,
                  open_scenarios, influence, influence_rules.year_overview(worked_on, ctx.today.year))


TopicChange = Callable[[Session, Topic], Topic]


@retry_on_conflict
def change_topic(rt: Runtime, ctx: Ctx, topic_id: int, change: TopicChange, *, actor: str | None = None,
                 council_wide: bool = False) -> TopicView:
    """Every change of one topic: load it locked, let ``change`` (a domain rule) decide, store it."""
    with rt.db.session() as s:
        if council_wide:
            store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        check_actor(ctx, roster, actor)
        changed = change(s, store.topic(s, ctx.slug, topic_id, lock=True))
        store.save_topic(s, changed)
        return _topic_view(s, ctx, changed)


def score_topic(rt: Runtime, ctx: Ctx, topic_id: int, actor: str | None, importance: int | None,
                influence: int | None) -> TopicView:
    """A member's ``!score`` is their own (a new one replaces it); the agenda shows the council's median. Without
    an actor (the operator's tools) the topic's first estimate is set."""
    if actor is None:
        return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.set_scores(t, importance, influence))
    return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.score_by_member(
        t, actor, importance, influence), actor=actor)  # type: ignore[arg-type]


def activate_topic(rt: Runtime, ctx: Ctx, topic_id: int, actor: str | None) -> TopicView:
    """Refused, with the active topics, when the cap is reached: so the whole council is locked."""
    return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.activate(
        t, store.topics(s, ctx.slug), ctx.council.active_topic_cap), actor=actor, council_wide=True)


def park_topic(rt: Runtime, ctx: Ctx, topic_id: int, actor: str | None) -> TopicView:
    return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.park(t), actor=actor)


def set_topic_mode(rt: Runtime, ctx: Ctx, topic_id: int, actor: str | None, mode: str) -> TopicView:
    return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.set_mode(t, mode), actor=actor)


def close_topic(rt: Runtime, ctx: Ctx, topic_id: int, actor: str | None) -> TopicView:
    return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.close(t), actor=actor)


def receive_advice_request(rt: Runtime, ctx: Ctx, topic_id: int, received_on: date,
                           period_weeks: int | None) -> TopicView:
    weeks = period_weeks if period_weeks is not None else ctx.council.advice_weeks
    return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.receive_advice_request(
        t, received_on, period_weeks=weeks))


def send_advice(rt: Runtime, ctx: Ctx, topic_id: int, text: str, sent_on: date) -> TopicView:
    return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.send_advice(t, text, sent_on))


def board_reply(rt: Runtime, ctx: Ctx, topic_id: int, text: str, received_on: date,
                deviates: bool) -> TopicView:
    return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.record_board_reply(
        t, text, received_on, deviates=deviates))


def plan_check(rt: Runtime, ctx: Ctx, topic_id: int, due_on: date, description: str) -> TopicView:
    return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.plan_check(t, due_on, description))


def check_result(rt: Runtime, ctx: Ctx, topic_id: int, check_id: int, note: str,
                 checked_on: date) -> TopicView:
    return change_topic(rt, ctx, topic_id, lambda s, t: agenda_rules.record_check_result(
        t, check_id, note, checked_on))


@dataclass(frozen=True)
class Deadlines:
    """The council's topics, for the dates they carry inside ``start``–``end``."""

    topics: list[Topic]
    start: date
    end: date
    trajectories: list[Trajectory] = field(default_factory=list)


def deadlines(rt: Runtime, ctx: Ctx, start: date | None, end: date | None) -> Deadlines:
    start = start or ctx.today - timedelta(days=31)
    end = end or ctx.today + timedelta(days=366)
    check_period(start, end, MAX_PERIOD_DAYS)
    with rt.db.read() as s:
        return Deadlines(store.topics(s, ctx.slug), start, end, store.trajectories(s, ctx.slug))


# --------------------------------------------------------------------------- rounds


class NamedNotReady(NotReadyToDecide):
    """The same refusal of ``!besluit``, but its text names members by display name; the params keep
    the matrix ids for machines."""

    def __init__(self, original: NotReadyToDecide, names: Mapping[str, str]) -> None:
        super().__init__(int(original.params["round_id"]), original.missing)
        m = original.missing

        def name(matrix_id: str) -> str:
            return display_name(matrix_id, names)

        self.missing = replace(m, not_responded=tuple(name(x) for x in m.not_responded),
                               info_pending=tuple(name(x) for x in m.info_pending),
                               open_objections=tuple(replace(o, member=name(o.member)) for o in m.open_objections))


@dataclass(frozen=True)
class RoundView:
    """A round as its callers see it, and what the command that produced it did."""

    info: store.RoundInfo
    round: Round
    roster: Roster
    notices: tuple[AbsenceNotice, ...]
    topic_title: str
    thread_url: str | None
    duplicate: bool = False  # the command (idempotency key) was applied before: nothing changed now
    events: tuple[Event, ...] = ()  # what the command appended (for a duplicate: what it appended then)
    background: tuple[Background, ...] = ()  # the topic's background notes, oldest first

    @property
    def objection_id(self) -> int | None:
        """The objection this command raised (``!bezwaar``), if it raised one."""
        return next((int(e.data["objection_id"]) for e in self.events
                     if e.type is EventType.POSITION_GIVEN and e.data.get("objection_id") is not None), None)


@dataclass(frozen=True)
class RoundCall:
    """What a round command works with: the state of the round and who takes part today."""

    rt: Runtime
    ctx: Ctx
    s: Session
    info: store.RoundInfo
    round: Round
    roster: Roster
    notices: tuple[AbsenceNotice, ...]
    participants: Participants
    names: dict[str, str]

    @property
    def key(self) -> str | None:
        return self.ctx.key


def thread_url(info: store.RoundInfo) -> str | None:
    if info.thread_room_id and info.thread_event_id:
        return matrix_to_url(info.thread_room_id, info.thread_event_id)
    return None


def _round_view(s: Session, ctx: Ctx, info: store.RoundInfo, rnd: Round, roster: Roster,
                notices: tuple[AbsenceNotice, ...], *, duplicate: bool = False,
                events: tuple[Event, ...] = (), background: tuple[Background, ...] | None = None) -> RoundView:
    if background is None:
        background = _topic_background(s, ctx, rnd.topic_id)
    return RoundView(info, rnd, roster, notices, store.topic(s, ctx.slug, rnd.topic_id).title, thread_url(info),
                     duplicate, events, background)


def _topic_background(s: Session, ctx: Ctx, topic_id: int) -> tuple[Background, ...]:
    return tuple(store.backgrounds(s, ctx.slug, [topic_id]).get(topic_id, ()))


def _load_round_view(s: Session, ctx: Ctx, round_id: int, *, duplicate: bool = False) -> RoundView:
    info, rnd = store.load_round(s, ctx.slug, round_id)
    roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
    return _round_view(s, ctx, info, rnd, roster, store.absences(s, ctx.slug, round_occasion(round_id)),
                       duplicate=duplicate)


def _events_of_key(s: Session, ctx: Ctx, round_id: int, key: str | None) -> tuple[Event, ...]:
    if key is None:
        return ()
    return tuple(Event.from_dict(e) for e in store.events_of(s, ctx.slug, round_id)
                 if e.get("idempotency_key") == key)


def _round_command(rt: Runtime, ctx: Ctx, round_id: int, command: Callable[[RoundCall], CommandResult],
                   after: Callable[[RoundCall, CommandResult], None] | None = None) -> RoundView:
    """Load, decide, append, react: in one transaction. Not retried here: a concurrent append (the same
    ``seq``) fails on the unique key, and the use case that called this is retried as a whole."""
    with rt.db.session() as s:
        info, rnd = store.load_round(s, ctx.slug, round_id, lock=True)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        notices = store.absences(s, ctx.slug, round_occasion(round_id))
        call = RoundCall(rt, ctx, s, info, rnd, roster, notices, participants_of(ctx, roster, notices, round_id),
                         names_of(ctx.council, roster))
        result = command(call)
        if result.duplicate:
            events = _events_of_key(s, ctx, round_id, ctx.key)
        else:
            events = tuple(result.events)
            store.append_events(s, result.events, result.round)
            if after is not None:
                after(call, result)
        return _round_view(s, ctx, info, result.round, roster, notices, duplicate=result.duplicate, events=events)


def round_deadline(ctx: Ctx, moment: datetime | None = None, day: date | None = None) -> datetime:
    """A round's deadline: an exact moment when a caller gives one; otherwise the end of the chosen day (23:59
    local, or the configured time), and without a day, the end of the day a week from today."""
    if moment is not None:
        return council_now(ctx.council, moment)
    if day is not None:
        return deadline_on(day, ctx.council.timezone, ctx.deadline_time)
    return default_deadline(ctx.now, ctx.council.timezone, ctx.deadline_time)


def _round_root(s: Session, ctx: Ctx, rnd: Round, title: str, draft: Trajectory | None) -> Rich:
    """The round's first message (its thread root): the proposal's first version, the topic's background in
    short (a consultation's summary, ...), the phase words explained once, the deadline."""
    lang = ctx.council.language
    notes = background_rules.shown(_topic_background(s, ctx, rnd.topic_id))
    return texts.round_opened(lang, round_id=rnd.round_id, title=title, proposal=rnd.proposals[0].text,
                              phase_label=status_label("phase", rnd.phase.value, lang),
                              deadline=council_now(ctx.council, rnd.deadline),
                              advice_id=draft.id if draft else None,
                              background=[background_rules.background_line(n, lang) for n in notes])


def _open_round(rt: Runtime, s: Session, ctx: Ctx, *, topic_id: int, proposal: str, actor: str,
                deadline: datetime, draft: Trajectory | None = None) -> int:
    """Open a round in the caller's transaction: the topic is activated if it waits (within the cap), the
    proposal becomes the root of a new thread. Returns the round's id."""
    store.lock_council(s, ctx.slug)
    roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
    participants = participants_of(ctx, roster)
    if actor not in participants.members and actor not in participants.secretaries:
        raise not_member()
    topic = store.topic(s, ctx.slug, topic_id, lock=True)
    if topic.status in WAITING_STATUSES:
        # "!ronde" on a waiting topic activates it first, within the cap.
        topic = agenda_rules.activate(topic, store.topics(s, ctx.slug), ctx.council.active_topic_cap)
    topic = agenda_rules.start_round(topic)
    _check_deadline(ctx, deadline)
    round_id = store.create_round(s, council=ctx.slug, topic_id=topic.id, deadline=deadline,
                                  opened_at=ctx.now, open_key=ctx.key)
    result = open_round(round_id=round_id, council_id=ctx.slug, topic_id=topic.id, opener=actor,
                        proposal=proposal, deadline=deadline, participants=participants, at=ctx.now,
                        idempotency_key=ctx.key)
    store.append_events(s, result.events, result.round)
    store.save_topic(s, topic)
    _start_topic(s, ctx, topic)
    _post(rt, s, ctx, store.round_thread_key(ctx.slug, round_id), _round_root(s, ctx, result.round, topic.title, draft))
    return round_id


@retry_on_conflict
def open_new_round(rt: Runtime, ctx: Ctx, body: RoundOpenIn) -> RoundView:
    """``!ronde``: the topic is activated if it waits (within the cap), the proposal becomes the root of a
    new thread. A repeat of the same request (key) answers with the round it opened."""
    with rt.db.session() as s:
        existing = store.round_id_by_open_key(s, ctx.slug, ctx.key) if ctx.key else None
        if existing is not None:
            return _load_round_view(s, ctx, existing, duplicate=True)
        deadline = round_deadline(ctx, body.deadline, body.deadline_day)
        round_id = _open_round(rt, s, ctx, topic_id=body.topic_id, proposal=body.proposal, actor=body.actor,
                               deadline=deadline)
        return _load_round_view(s, ctx, round_id)


def rounds(rt: Runtime, ctx: Ctx, state: str | None, topic_id: int | None) -> list[RoundView]:
    with rt.db.read() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        found = store.rounds(s, ctx.slug, state=state, topic_id=topic_id)
        notes = store.backgrounds(s, ctx.slug, {rnd.topic_id for _, rnd in found})
        return [_round_view(s, ctx, info, rnd, roster, store.absences(s, ctx.slug, round_occasion(rnd.round_id)),
                            background=tuple(notes.get(rnd.topic_id, ())))
                for info, rnd in found]


def round_status(rt: Runtime, ctx: Ctx, round_id: int) -> RoundView:
    with rt.db.read() as s:
        return _load_round_view(s, ctx, round_id)


def round_events(rt: Runtime, ctx: Ctx, round_id: int) -> list[dict[str, Any]]:
    """The round's stored events, oldest first (404 for a round of another council)."""
    with rt.db.read() as s:
        return store.events_of(s, ctx.slug, round_id)


def thread(rt: Runtime, ctx: Ctx, key: str) -> store.Thread:
    """The council's round or advice trajectory whose thread has the outbox key ``key`` (404 when none)."""
    with rt.db.read() as s:
        found = store.thread_by_key(s, ctx.slug, key)
    if found is None:
        raise NotFound("delib.api.thread_not_found", "no round or advice thread with that key")
    return found


@retry_on_conflict
def give_position(rt: Runtime, ctx: Ctx, round_id: int, actor: str, position: Position | str,
                  text: str | None) -> RoundView:
    """``!eens``, ``!bedenking``, ``!opzij``, ``!bezwaar``, ``!info``; for a ``!bezwaar`` the view names the
    new objection (:attr:`RoundView.objection_id`)."""

    def command(c: RoundCall) -> CommandResult:
        p = c.participants
        if actor in p.secretaries and actor not in p.members and c.round.is_open:
            raise Forbidden("delib.api.secretary_no_position", "secretary without seat gave a position")
        return c.round.give_position(actor, position, text, participants=p, at=c.ctx.now, idempotency_key=c.key)

    return _round_command(rt, ctx, round_id, command)


@retry_on_conflict
def withdraw_objection(rt: Runtime, ctx: Ctx, round_id: int, actor: str, objection_id: int | None) -> RoundView:
    return _round_command(rt, ctx, round_id, lambda c: c.round.withdraw_objection(
        actor, objection_id, participants=c.participants, at=c.ctx.now, idempotency_key=c.key))


@retry_on_conflict
def resolve_objection(rt: Runtime, ctx: Ctx, round_id: int, objection_id: int | None, actor: str,
                      note: str | None) -> RoundView:
    return _round_command(rt, ctx, round_id, lambda c: c.round.resolve_objection(
        actor, objection_id, note, participants=c.participants, at=c.ctx.now, idempotency_key=c.key))


@retry_on_conflict
def amend_proposal(rt: Runtime, ctx: Ctx, round_id: int, actor: str, text: str | None) -> RoundView:
    """``!voorstel``: a new version, posted in the thread; everyone present is asked to respond again."""

    def after(c: RoundCall, result: CommandResult) -> None:
        rnd = result.round
        # Each open objection carries over; its objector is asked whether this version resolves it.
        carried = [(o.id, o.version) for o in rnd.open_objections
                   if o.asked_about_version == rnd.version]
        _post(c.rt, c.s, c.ctx, f"{c.info.thread_key}:v{rnd.version}",
              texts.amended(c.ctx.council.language, round_id=rnd.round_id, version=rnd.version, text=rnd.proposal,
                            carried=carried),
              thread_key=c.info.thread_key, mentions=c.participants.present)

    return _round_command(rt, ctx, round_id, lambda c: c.round.amend_proposal(
        actor, text, participants=c.participants, at=c.ctx.now, idempotency_key=c.key), after)


@retry_on_conflict
def advance_phase(rt: Runtime, ctx: Ctx, round_id: int, actor: str) -> RoundView:
    return _round_command(rt, ctx, round_id, lambda c: c.round.advance_phase(
        actor, participants=c.participants, at=c.ctx.now, idempotency_key=c.key))


@retry_on_conflict
def set_deadline(rt: Runtime, ctx: Ctx, round_id: int, actor: str, deadline: datetime | None = None,
                 day: date | None = None) -> RoundView:
    """Move the deadline (to the end of ``day``, or to an exact moment): announced in the thread, notifying who
    has not responded yet, and the round's first message edited to show the new deadline."""

    def command(c: RoundCall) -> CommandResult:
        local = round_deadline(c.ctx, deadline, day)
        _check_deadline(c.ctx, local)
        return c.round.set_deadline(actor, local, participants=c.participants, at=c.ctx.now, idempotency_key=c.key)

    def after(c: RoundCall, result: CommandResult) -> None:
        rnd = result.round
        lang = c.ctx.council.language
        stamp = int(rnd.deadline.timestamp())
        topic = store.topic(c.s, c.ctx.slug, rnd.topic_id)
        draft = store.trajectory_by_round(c.s, c.ctx.slug, rnd.round_id)
        _post(c.rt, c.s, c.ctx, f"{c.info.thread_key}:deadline:{stamp}",
              texts.deadline_moved(lang, round_id=rnd.round_id, deadline=council_now(c.ctx.council, rnd.deadline)),
              thread_key=c.info.thread_key, mentions=members_to_remind(rnd, c.participants.present))
        root = _round_root(c.s, c.ctx, rnd, topic.title, draft)
        c.rt.post(c.s, OutboundMessage(key=f"{c.info.thread_key}:root:{stamp}", council=c.ctx.slug, room="main",
                                       kind="text", body=root.body, html=root.html, edit_key=c.info.thread_key))

    return _round_command(rt, ctx, round_id, command, after)


def decide(rt: Runtime, settings: Settings, ctx: Ctx, round_id: int, actor: str) -> RoundView:
    """``!besluit``: the agreement goes into the register (or the refusal says exactly what is missing).
    The register links to the round's thread: when that link is not known yet, the bot is asked now
    (outside the transaction), and otherwise the links job asks later."""
    view = _record_agreement(rt, ctx, round_id, actor)
    if view.thread_url is None:
        url = jobs.link_round(rt, settings, ctx.slug, round_id)
        if url:
            view = replace(view, thread_url=url)
    return view


@retry_on_conflict
def _record_agreement(rt: Runtime, ctx: Ctx, round_id: int, actor: str) -> RoundView:
    def command(c: RoundCall) -> CommandResult:
        try:
            return c.round.decide(actor, participants=c.participants, quorum=c.ctx.council.quorum,
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
                                 names={m: display_name(m, c.names) for m in people},
                                 thread_url=thread_url(c.info))
        _post(c.rt, c.s, c.ctx, f"{c.info.thread_key}:besluit", texts.decided(
            c.ctx.council.language, round_id=agreement.round_id, title=topic.title, text=agreement.text,
            version=agreement.version, on=agreement.decided_on, with_concerns=bool(agreement.concerns)),
            thread_key=c.info.thread_key)
        draft = store.trajectory_by_round(c.s, c.ctx.slug, agreement.round_id)
        if draft is not None:
            # The council agreed a draft advice: the trajectory moves on, and its thread says what is next.
            agreed = advice_rules.draft_agreed(draft, agreement.round_id, agreement.text, agreement.version,
                                               agreement.decided_on)
            store.save_trajectory(c.s, agreed)
            key = store.advice_thread_key(c.s, c.ctx.slug, draft.id)
            _post(c.rt, c.s, c.ctx, f"{key}:akkoord:{_round_part(key, agreement.round_id)}",
                  texts.draft_agreed(c.ctx.council.language, advice_id=draft.id, round_id=agreement.round_id,
                                     version=agreement.version, deadline=draft.deadline),
                  thread_key=key, mentions=secretaries_of(c.ctx, c.roster))

    return _round_command(rt, ctx, round_id, command, after)


@retry_on_conflict
def abandon_round(rt: Runtime, ctx: Ctx, round_id: int, actor: str, reason: str | None) -> RoundView:
    """Stop a round without agreement; the topic is active again."""

    def after(c: RoundCall, result: CommandResult) -> None:
        topic = store.topic(c.s, c.ctx.slug, c.round.topic_id, lock=True)
        store.save_topic(c.s, agenda_rules.round_stopped(topic))
        _post(c.rt, c.s, c.ctx, f"{c.info.thread_key}:gestopt", texts.abandoned(
            c.ctx.council.language, round_id=c.round.round_id, topic_id=topic.id), thread_key=c.info.thread_key)

    return _round_command(rt, ctx, round_id, lambda c: c.round.abandon(
        actor, reason, participants=c.participants, at=c.ctx.now, idempotency_key=c.key), after)


# --------------------------------------------------------------------------- decision register


@dataclass(frozen=True)
class Register:
    entries: list[store.StoredEntry]
    names: dict[str, str] = field(default_factory=dict)  # everyone named in the entries
    # Every objection raised in each entry's round, and how it ended (resolved, withdrawn, by a new version).
    objections: Mapping[int, tuple[Objection, ...]] = field(default_factory=dict)
    # What changed because of the council (realised influence), by topic id.
    influence: Mapping[int, tuple[RealisedInfluence, ...]] = field(default_factory=dict)
    # The topics' background notes (a consultation's summary, ...), by topic id.
    background: Mapping[int, tuple[Background, ...]] = field(default_factory=dict)


def _matches(words: list[str], entry: store.StoredEntry, objections: Iterable[Objection]) -> bool:
    a = entry.entry.agreement
    haystack = " ".join([entry.entry.topic_title, a.text, *(p.text or "" for p in a.positions),
                         *(o.argument for o in objections), *(o.note or "" for o in objections)]).lower()
    return all(w in haystack for w in words)


def register(rt: Runtime, ctx: Ctx, start: date | None, end: date | None, topic_id: int | None,
             search: str | None = None, newest_first: bool = False) -> Register:
    """The register (oldest first, or newest first for ``!besluiten``), optionally only the entries whose topic,
    text, concerns or objections contain every word of ``search``."""
    check_period(start, end)
    with rt.db.read() as s:
        entries = store.register_entries(s, ctx.slug, start=start, end=end, topic_id=topic_id)
        objections = {e.entry.agreement.round_id: store.load_round(s, ctx.slug, e.entry.agreement.round_id)[1].objections
                      for e in entries}
        records = store.influence_records(s, ctx.slug)
        notes = store.backgrounds(s, ctx.slug, {e.entry.agreement.topic_id for e in entries})
        known = names_of(ctx.council, store.load_roster(s, ctx.slug, ctx.council.max_seats))
    words = (search or "").lower().split()
    if words:
        entries = [e for e in entries if _matches(words, e, objections[e.entry.agreement.round_id])]
    if newest_first:
        entries = list(reversed(entries))
    names: dict[str, str] = {}
    for e in entries:
        names.update(e.names)
    influence = {e.entry.agreement.topic_id: tuple(records.get(e.entry.agreement.topic_id, ())) for e in entries}
    if influence:
        for records_of in influence.values():
            for r in records_of:
                names.setdefault(r.recorded_by, display_name(r.recorded_by, known))
    background = {e.entry.agreement.topic_id: tuple(notes.get(e.entry.agreement.topic_id, ())) for e in entries}
    return Register(entries, names, objections, influence, background)


# --------------------------------------------------------------------------- advice trajectories


@dataclass(frozen=True)
class AdviceView:
    trajectory: Trajectory
    topic: Topic
    thread_key: str  # the outbox key of its thread
    created: bool = True  # False: the same request (key) registered it before
    round_id: int | None = None  # the round a ``!concept`` opened


def _advice_view(s: Session, ctx: Ctx, t: Trajectory, *, created: bool = True,
                 round_id: int | None = None) -> AdviceView:
    return AdviceView(t, store.topic(s, ctx.slug, t.topic_id), store.advice_thread_key(s, ctx.slug, t.id), created,
                      round_id)


def _round_part(advice_key: str, round_id: int) -> str:
    """A round in an advice message's key. Under a thread key from before numbers per council, the earlier
    messages named rounds by their global id: a round's number must not meet one of those."""
    return f"n{round_id}" if store.is_legacy_thread_key(advice_key) else str(round_id)


def _day(ctx: Ctx, text: str | None) -> date:
    return advice_rules.parse_day(text, ctx.today) if text and text.strip() else ctx.today


def _require_secretary(ctx: Ctx, roster: Roster, actor: str | None) -> None:
    """The secretary's desk work: the request, sending, the board's reply, planning checks."""
    if actor is None:
        if ctx.caller == "bot":
            raise InvalidInput("delib.api.actor_required", "bot call without actor")
        return
    if not is_secretary(ctx, roster, actor):
        raise Forbidden("delib.api.secretary_only_advice", "advice step by a non-secretary")


def _advice_post(rt: Runtime, s: Session, ctx: Ctx, t: Trajectory, suffix: str, rich: Rich, *,
                 mentions: Iterable[str] = ()) -> None:
    key = store.advice_thread_key(s, ctx.slug, t.id)
    _post(rt, s, ctx, f"{key}:{suffix}", rich, thread_key=key, mentions=mentions)


@retry_on_conflict
def register_advice(rt: Runtime, ctx: Ctx, body: AdviceOpenIn) -> AdviceView:
    """``!advies <onderwerp-nr> <titel> [ontvangen <datum>] [instemming]``: the trajectory and its thread, with the
    legal dates. The topic's way of working becomes formal advice (or consent)."""
    with rt.db.session() as s:
        existing = store.trajectory_by_created_key(s, ctx.slug, ctx.key) if ctx.key else None
        if existing is not None:
            return _advice_view(s, ctx, existing, created=False)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        _require_secretary(ctx, roster, body.actor)
        topic = store.topic(s, ctx.slug, body.topic_id, lock=True)
        mode = agenda_rules.TopicMode.INSTEMMING if body.kind == "instemming" else agenda_rules.TopicMode.FORMEEL_ADVIES
        if topic.mode is not mode:
            topic = agenda_rules.set_mode(topic, mode)
            store.save_topic(s, topic)
        new = advice_rules.new_trajectory(id=0, council_id=ctx.slug, topic_id=topic.id, title=body.title,
                                          kind=body.kind, received_on=_day(ctx, body.received), today=ctx.today,
                                          weeks=ctx.council.advice_weeks)
        t = store.insert_trajectory(s, new, created_key=ctx.key)
        lang = ctx.council.language
        _post(rt, s, ctx, store.advice_thread_key(s, ctx.slug, t.id), texts.advice_opened(
            lang, advice_id=t.id, title=t.title, kind=t.kind.value, topic_id=topic.id, topic_title=topic.title,
            mode_label=status_label("topic_mode", topic.mode.value, lang), received_on=t.received_on,
            deadline=t.deadline, weeks=ctx.council.advice_weeks))
        return _advice_view(s, ctx, t)


@retry_on_conflict
def open_draft(rt: Runtime, ctx: Ctx, advice_id: int, actor: str, proposal: str,
               deadline_day: date | None = None) -> tuple[AdviceView, RoundView]:
    """``!concept <tekst>``: the draft advice goes into a consensus round (the round machinery as ``!ronde``)."""
    with rt.db.session() as s:
        existing = store.round_id_by_open_key(s, ctx.slug, ctx.key) if ctx.key else None
        if existing is not None:
            t = store.trajectory(s, ctx.slug, advice_id)
            return _advice_view(s, ctx, t, round_id=existing), _load_round_view(s, ctx, existing, duplicate=True)
        t = store.trajectory(s, ctx.slug, advice_id, lock=True)
        advice_rules.start_draft(t, 0)  # refused before anything is opened
        day = deadline_day
        if day is None:  # a week, but the round ends by the advice deadline when that comes sooner
            week = ctx.today + timedelta(days=ROUND_DAYS)
            day = min(week, t.deadline) if t.deadline > ctx.today else week
        deadline = round_deadline(ctx, None, day)
        round_id = _open_round(rt, s, ctx, topic_id=t.topic_id, proposal=proposal, actor=actor, deadline=deadline,
                               draft=t)
        t = advice_rules.start_draft(t, round_id)
        store.save_trajectory(s, t)
        part = _round_part(store.advice_thread_key(s, ctx.slug, t.id), round_id)
        _advice_post(rt, s, ctx, t, f"concept:{part}", texts.draft_opened(
            ctx.council.language, advice_id=t.id, round_id=round_id))
        return _advice_view(s, ctx, t, round_id=round_id), _load_round_view(s, ctx, round_id)


@retry_on_conflict
def mark_advice_sent(rt: Runtime, ctx: Ctx, advice_id: int, actor: str | None, on: str | None) -> AdviceView:
    """``!verstuurd [datum]``: only after the council agreed the draft; the board's reply is due 14 days later."""
    with rt.db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        _require_secretary(ctx, roster, actor)
        t = advice_rules.mark_sent(store.trajectory(s, ctx.slug, advice_id, lock=True), _day(ctx, on), ctx.today)
        store.save_trajectory(s, t)
        assert t.sent_on is not None and t.reply_due_on is not None
        _advice_post(rt, s, ctx, t, "verstuurd", texts.advice_sent(
            ctx.council.language, advice_id=t.id, sent_on=t.sent_on, reply_due=t.reply_due_on,
            late_after=t.deadline if t.sent_late else None))
        return _advice_view(s, ctx, t)


@retry_on_conflict
def record_board_reply(rt: Runtime, ctx: Ctx, advice_id: int, actor: str | None, kind: str, text: str | None,
                       on: str | None) -> AdviceView:
    """``!reactie volgt|wijktaf <toelichting> [datum]``: in the thread; a deviating or late reply is also told in
    the room, so it never reaches nobody."""
    with rt.db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        _require_secretary(ctx, roster, actor)
        t = store.trajectory(s, ctx.slug, advice_id, lock=True)
        t = advice_rules.record_reply(t, kind, text, _day(ctx, on), ctx.today)
        store.save_trajectory(s, t)
        assert t.reply is not None and t.reply_on is not None and t.reply_due_on is not None
        lang = ctx.council.language
        rich = texts.board_reply(lang, advice_id=t.id, title=t.title, kind=t.reply.value, text=t.reply_text,
                                 on=t.reply_on, due=t.reply_due_on, late=t.reply_late)
        _advice_post(rt, s, ctx, t, "reactie", rich)
        if t.reply is ReplyKind.WIJKT_AF or t.reply_late:
            _post(rt, s, ctx, f"{store.advice_thread_key(s, ctx.slug, t.id)}:reactie:raad", texts.board_reply_room(
                lang, advice_id=t.id, title=t.title, kind=t.reply.value, late=t.reply_late, due=t.reply_due_on),
                mentions=secretaries_of(ctx, roster))
        return _advice_view(s, ctx, t)


@retry_on_conflict
def plan_advice_check(rt: Runtime, ctx: Ctx, advice_id: int, actor: str | None, on: str) -> AdviceView:
    """``!toets <advies-nr> <datum>``: on that day the thread asks for the outcome (see :mod:`.jobs`)."""
    with rt.db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        _require_secretary(ctx, roster, actor)
        due = advice_rules.parse_day(on, ctx.today)
        t = advice_rules.plan_check(store.trajectory(s, ctx.slug, advice_id, lock=True), due)
        store.save_trajectory(s, t)
        check = t.checks[-1]
        _advice_post(rt, s, ctx, t, f"toets:{check.number}:gepland", texts.advice_check_planned(
            ctx.council.language, advice_id=t.id, due_on=check.due_on))
        return _advice_view(s, ctx, t)


@retry_on_conflict
def record_check_outcome(rt: Runtime, ctx: Ctx, advice_id: int, actor: str | None, outcome: str,
                         note: str | None) -> AdviceView:
    """``!uitkomst <advies-nr> uitgevoerd|deels|niet <toelichting>``: posted in the thread and kept."""
    with rt.db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        if actor is None and ctx.caller == "bot":
            raise InvalidInput("delib.api.actor_required", "bot call without actor")
        check_actor(ctx, roster, actor)
        t, check = advice_rules.record_outcome(store.trajectory(s, ctx.slug, advice_id, lock=True), outcome, note,
                                               ctx.today)
        store.save_trajectory(s, t)
        assert check.outcome is not None
        _advice_post(rt, s, ctx, t, f"toets:{check.number}:uitkomst", texts.advice_outcome(
            ctx.council.language, advice_id=t.id, title=t.title, outcome=check.outcome.value, note=check.note or "",
            on=ctx.today))
        return _advice_view(s, ctx, t)


def advice_list(rt: Runtime, ctx: Ctx) -> list[AdviceView]:
    with rt.db.read() as s:
        topics = {t.id: t for t in store.topics(s, ctx.slug)}
        return [AdviceView(t, topics[t.topic_id], store.advice_thread_key(s, ctx.slug, t.id))
                for t in store.trajectories(s, ctx.slug)]


def advice(rt: Runtime, ctx: Ctx, advice_id: int) -> AdviceView:
    with rt.db.read() as s:
        return _advice_view(s, ctx, store.trajectory(s, ctx.slug, advice_id))


# --------------------------------------------------------------------------- scenario rounds (co-creation)
#
# A scenario round is its own kind of round: numbered per council on its own ("scenarioronde 2"), with its own
# event log and thread (``delib:scenarios:<council>:<number>``), because its events (options, preferences, an
# outcome per option) are not those of a round over one proposal. It follows the same rules: the consent rule
# for agreement on one option, no tally, every command keyed by the chat message.


class NamedOptionNotReady(OptionNotReady):
    """``!besluit <optie>`` refused, naming members by display name (the params keep the matrix ids)."""

    def __init__(self, original: OptionNotReady, names: Mapping[str, str]) -> None:
        super().__init__(int(original.params["round_id"]), original.missing)
        m = original.missing

        def name(matrix_id: str) -> str:
            return display_name(matrix_id, names)

        self.missing = replace(m, not_responded=tuple(name(x) for x in m.not_responded),
                               info_pending=tuple(name(x) for x in m.info_pending),
                               open_objections=tuple(replace(o, member=name(o.member)) for o in m.open_objections))


@dataclass(frozen=True)
class ScenarioView:
    """A scenario round as its callers see it, and what the command that produced it did."""

    info: store.ScenarioInfo
    round: ScenarioRound
    roster: Roster
    topic_title: str
    thread_url: str | None
    duplicate: bool = False
    events: tuple[ScenarioEvent, ...] = ()
    notices: tuple[AbsenceNotice, ...] = ()  # absent with notice for this scenario round

    @property
    def objection_id(self) -> int | None:
        return next((int(e.data["objection_id"]) for e in self.events
                     if e.type is ScenarioEventType.POSITION_GIVEN and e.data.get("objection_id") is not None), None)

    @property
    def option(self) -> int | None:
        """The option this command added, amended or merged into."""
        return next((int(e.data["option"]) for e in self.events
                     if e.type in (ScenarioEventType.OPTION_ADDED, ScenarioEventType.OPTION_AMENDED,
                                   ScenarioEventType.OPTIONS_MERGED)), None)


@dataclass(frozen=True)
class ScenarioCall:
    rt: Runtime
    ctx: Ctx
    s: Session
    info: store.ScenarioInfo
    round: ScenarioRound
    roster: Roster
    participants: Participants
    names: dict[str, str]

    @property
    def key(self) -> str | None:
        return self.ctx.key

    @property
    def lang(self) -> str:
        return self.ctx.council.language


def scenario_thread_url(info: store.ScenarioInfo) -> str | None:
    if info.thread_room_id and info.thread_event_id:
        return matrix_to_url(info.thread_room_id, info.thread_event_id)
    return None


def _scenario_view(s: Session, ctx: Ctx, info: store.ScenarioInfo, rnd: ScenarioRound, roster: Roster, *,
                   duplicate: bool = False, events: tuple[ScenarioEvent, ...] = ()) -> ScenarioView:
    return ScenarioView(info, rnd, roster, store.topic(s, ctx.slug, rnd.topic_id).title, scenario_thread_url(info),
                        duplicate, events, store.absences(s, ctx.slug, scenarios_occasion(rnd.round_id)))


def scenario_participants(ctx: Ctx, roster: Roster, notices: Iterable[AbsenceNotice], number: int) -> Participants:
    return participants_of(ctx, roster, notices, occasion=scenarios_occasion(number))


def _load_scenario_view(s: Session, ctx: Ctx, number: int, *, duplicate: bool = False) -> ScenarioView:
    info, rnd = store.load_scenario_round(s, ctx.slug, number)
    return _scenario_view(s, ctx, info, rnd, store.load_roster(s, ctx.slug, ctx.council.max_seats),
                          duplicate=duplicate)


def _outcome_names(rnd: ScenarioRound, names: Mapping[str, str]) -> dict[str, str]:
    """The display names the decision list needs, as they are on the day the round ends."""
    outcome = rnd.outcome
    people: set[str] = {o.member for o in rnd.objections}
    if outcome is not None:
        people |= {outcome.decided_by, *outcome.absent}
        for option in outcome.options:
            people |= {p.member for p in option.positions} | set(option.preferred_by)
    return {m: display_name(m, names) for m in sorted(people)}


def _scenario_command(rt: Runtime, ctx: Ctx, number: int, command: Callable[[ScenarioCall], ScenarioResult],
                      after: Callable[[ScenarioCall, ScenarioResult], None] | None = None) -> ScenarioView:
    """Load, decide, append, react: in one transaction (the use case that calls this is retried as a whole on
    a concurrent append)."""
    with rt.db.session() as s:
        info, rnd = store.load_scenario_round(s, ctx.slug, number, lock=True)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        notices = store.absences(s, ctx.slug, scenarios_occasion(number))
        call = ScenarioCall(rt, ctx, s, info, rnd, roster, scenario_participants(ctx, roster, notices, number),
                            names_of(ctx.council, roster))
        result = command(call)
        if result.duplicate:
            key = ctx.key
            events = tuple(ScenarioEvent.from_dict(e) for e in store.scenario_events_of(s, ctx.slug, number)
                           if key is not None and e.get("idempotency_key") == key)
        else:
            events = tuple(result.events)
            store.append_scenario_events(s, result.events, result.round,
                                         names=_outcome_names(result.round, call.names))
            if after is not None:
                after(call, result)
        return _scenario_view(s, ctx, info, result.round, roster, duplicate=result.duplicate, events=events)


def _scenario_post(c: ScenarioCall, suffix: str, rich: Rich, *, mentions: Iterable[str] = ()) -> None:
    _post(c.rt, c.s, c.ctx, f"{c.info.thread_key}:{suffix}", rich, thread_key=c.info.thread_key, mentions=mentions)


def _start_topic(s: Session, ctx: Ctx, topic: Topic) -> None:
    """Work on the topic starts: keep the expected influence as it stands now (once)."""
    store.mark_topic_started(s, ctx.slug, topic.id, expected=topic.council_influence, on=ctx.today)


@retry_on_conflict
def open_scenarios(rt: Runtime, ctx: Ctx, body: ScenariosOpenIn) -> ScenarioView:
    """``!scenarios <onderwerp-nr> <titel>``: the topic is activated if it waits (within the cap) and is in a
    round now; the title becomes the root of a new thread where the options follow."""
    with rt.db.session() as s:
        existing = store.scenario_round_id_by_open_key(s, ctx.slug, ctx.key) if ctx.key else None
        if existing is not None:
            return _load_scenario_view(s, ctx, existing, duplicate=True)
        store.lock_council(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        participants = participants_of(ctx, roster)
        if body.actor not in participants.members and body.actor not in participants.secretaries:
            raise not_member()
        topic = store.topic(s, ctx.slug, body.topic_id, lock=True)
        if topic.status in WAITING_STATUSES:
            topic = agenda_rules.activate(topic, store.topics(s, ctx.slug), ctx.council.active_topic_cap)
        topic = agenda_rules.start_round(topic)
        deadline = round_deadline(ctx, body.deadline, body.deadline_day)
        _check_deadline(ctx, deadline)
        number = store.create_scenario_round(s, council=ctx.slug, topic_id=topic.id, opened_at=ctx.now,
                                             open_key=ctx.key)
        result = scenario_rules.open_scenarios(round_id=number, council_id=ctx.slug, topic_id=topic.id,
                                               title=body.title, opener=body.actor, participants=participants,
                                               at=ctx.now, deadline=deadline, idempotency_key=ctx.key)
        store.append_scenario_events(s, result.events, result.round)
        store.save_topic(s, topic)
        _start_topic(s, ctx, topic)
        lang = ctx.council.language
        _post(rt, s, ctx, store.scenario_thread_key(ctx.slug, number), texts.scenarios_opened(
            lang, round_id=number, topic_id=topic.id, topic_title=topic.title, title=result.round.title,
            deadline=council_now(ctx.council, deadline)))
        return _load_scenario_view(s, ctx, number)


def scenario_rounds(rt: Runtime, ctx: Ctx, state: str | None, topic_id: int | None) -> list[ScenarioView]:
    with rt.db.read() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        return [_scenario_view(s, ctx, info, rnd, roster)
                for info, rnd in store.scenario_rounds(s, ctx.slug, state=state, topic_id=topic_id)]


def scenario_status(rt: Runtime, ctx: Ctx, number: int) -> ScenarioView:
    with rt.db.read() as s:
        return _load_scenario_view(s, ctx, number)


def scenario_events(rt: Runtime, ctx: Ctx, number: int) -> list[dict[str, Any]]:
    with rt.db.read() as s:
        return store.scenario_events_of(s, ctx.slug, number)


@retry_on_conflict
def add_option(rt: Runtime, ctx: Ctx, number: int, actor: str, text: str | None, source: str) -> ScenarioView:
    """``!optie <tekst>`` (secretary or opener, in beeldvorming): posted in the thread as option N."""

    def after(c: ScenarioCall, result: ScenarioResult) -> None:
        option = result.round.options[-1]
        _scenario_post(c, f"optie:{option.number}", texts.option_added(
            c.lang, round_id=c.round.round_id, option=option.number, text=option.text,
            source_label=status_label("option_source", option.source.value, c.lang)))

    return _scenario_command(rt, ctx, number, lambda c: c.round.add_option(
        actor, text, source, participants=c.participants, at=c.ctx.now, idempotency_key=c.key), after)


@retry_on_conflict
def amend_option(rt: Runtime, ctx: Ctx, number: int, option: int, actor: str, text: str | None) -> ScenarioView:
    """A new version of one option: everyone responds on it again; its open objections carry over and their
    objectors are asked (mentioned) whether the new version resolves them."""

    def after(c: ScenarioCall, result: ScenarioResult) -> None:
        changed = result.round.option(option)
        carried = [(o.id, o.raised_version) for o in result.round.open_objections_on(option)]
        _scenario_post(c, f"optie:{option}:v{changed.version}", texts.option_amended(
            c.lang, round_id=c.round.round_id, option=option, version=changed.version, text=changed.text,
            carried=carried), mentions=c.participants.present)

    return _scenario_command(rt, ctx, number, lambda c: c.round.amend_option(
        actor, option, text, participants=c.participants, at=c.ctx.now, idempotency_key=c.key), after)


@retry_on_conflict
def merge_options(rt: Runtime, ctx: Ctx, number: int, options: list[int], actor: str,
                  text: str | None) -> ScenarioView:
    """Two or more options become a new one; their objections carry over to it (objectors asked again)."""

    def after(c: ScenarioCall, result: ScenarioResult) -> None:
        new = result.round.options[-1]
        carried = [(o.id, o.raised_version) for o in result.round.open_objections_on(new.number)]
        _scenario_post(c, f"optie:{new.number}", texts.options_merged(
            c.lang, round_id=c.round.round_id, option=new.number, merged=new.merged_from, text=new.text,
            carried=carried), mentions=c.participants.present)

    return _scenario_command(rt, ctx, number, lambda c: c.round.merge_options(
        actor, options, text, participants=c.participants, at=c.ctx.now, idempotency_key=c.key), after)


@retry_on_conflict
def give_option_position(rt: Runtime, ctx: Ctx, number: int, actor: str, option: int, position: str,
                         text: str | None) -> ScenarioView:
    """``!eens 2``, ``!bedenking 2 <tekst>``, ``!opzij 2``, ``!bezwaar 2 <argument>``, ``!info 2 <vraag>``;
    ``intrekken`` as a position withdraws one's own objection on that option."""

    def command(c: ScenarioCall) -> ScenarioResult:
        p = c.participants
        if actor in p.secretaries and actor not in p.members and c.round.is_open:
            raise Forbidden("delib.api.secretary_no_position", "secretary without seat gave a position")
        if position.strip().lower() in WITHDRAW_WORDS:
            return c.round.withdraw_objection(actor, option=option, participants=p, at=c.ctx.now,
                                              idempotency_key=c.key)
        if position.strip().lower() in scenario_rules.PREFERENCE_WORDS:
            return c.round.prefer(actor, option, participants=p, at=c.ctx.now, idempotency_key=c.key)
        return c.round.give_position(actor, option, position, text, participants=p, at=c.ctx.now,
                                     idempotency_key=c.key)

    return _scenario_command(rt, ctx, number, command)


WITHDRAW_WORDS = frozenset({"intrekken", "withdraw"})


@retry_on_conflict
def prefer_option(rt: Runtime, ctx: Ctx, number: int, actor: str, option: int | None) -> ScenarioView:
    """``!voorkeur 2``: which option the member prefers (names per option, never counted); None takes it back."""

    def command(c: ScenarioCall) -> ScenarioResult:
        p = c.participants
        if actor in p.secretaries and actor not in p.members and c.round.is_open:
            raise Forbidden("delib.api.secretary_no_position", "secretary without seat gave a preference")
        return c.round.prefer(actor, option, participants=p, at=c.ctx.now, idempotency_key=c.key)

    return _scenario_command(rt, ctx, number, command)


@retry_on_conflict
def withdraw_option_objection(rt: Runtime, ctx: Ctx, number: int, actor: str, option: int | None,
                              objection_id: int | None) -> ScenarioView:
    return _scenario_command(rt, ctx, number, lambda c: c.round.withdraw_objection(
        actor, objection_id, option=option, participants=c.participants, at=c.ctx.now, idempotency_key=c.key))


@retry_on_conflict
def resolve_option_objection(rt: Runtime, ctx: Ctx, number: int, actor: str, option: int | None,
                             objection_id: int | None, note: str | None) -> ScenarioView:
    return _scenario_command(rt, ctx, number, lambda c: c.round.resolve_objection(
        actor, objection_id, note, option=option, participants=c.participants, at=c.ctx.now, idempotency_key=c.key))


@retry_on_conflict
def advance_scenarios(rt: Runtime, ctx: Ctx, number: int, actor: str) -> ScenarioView:
    return _scenario_command(rt, ctx, number, lambda c: c.round.advance_phase(
        actor, participants=c.participants, at=c.ctx.now, idempotency_key=c.key))


@retry_on_conflict
def set_scenarios_deadline(rt: Runtime, ctx: Ctx, number: int, actor: str, deadline: datetime | None = None,
                           day: date | None = None) -> ScenarioView:
    """``!termijn`` in a scenario round's thread: as for a round, the new deadline is announced in the thread
    (notifying who has not responded on every open option) and the thread's first message shows it."""

    def command(c: ScenarioCall) -> ScenarioResult:
        local = round_deadline(c.ctx, deadline, day)
        _check_deadline(c.ctx, local)
        return c.round.set_deadline(actor, local, participants=c.participants, at=c.ctx.now, idempotency_key=c.key)

    def after(c: ScenarioCall, result: ScenarioResult) -> None:
        rnd = result.round
        lang = c.ctx.council.language
        stamp = int(rnd.deadline.timestamp())
        moved = council_now(c.ctx.council, rnd.deadline)
        _scenario_post(c, f"deadline:{stamp}", texts.deadline_moved(lang, round_id=rnd.round_id, deadline=moved,
                                                                     scenarios=True),
                       mentions=sorted(rnd.to_remind(c.participants.present)))
        topic = store.topic(c.s, c.ctx.slug, rnd.topic_id)
        root = texts.scenarios_opened(lang, round_id=rnd.round_id, topic_id=topic.id, topic_title=topic.title,
                                      title=rnd.title, deadline=moved)
        c.rt.post(c.s, OutboundMessage(key=f"{c.info.thread_key}:root:{stamp}", council=c.ctx.slug, room="main",
                                       kind="text", body=root.body, html=root.html, edit_key=c.info.thread_key))

    return _scenario_command(rt, ctx, number, command, after)


def link_scenarios(rt: Runtime, settings: Settings, ctx: Ctx, view: ScenarioView) -> ScenarioView:
    """An ended scenario round links to its thread in the decision list: when that link is not known yet, the bot
    is asked now (outside the use case's transaction); without an answer the list shows no link."""
    if view.thread_url is not None or view.round.outcome is None:
        return view
    url = jobs.link_scenarios(rt, settings, ctx.slug, view.round.round_id)
    return replace(view, thread_url=url) if url else view


@retry_on_conflict
def decide_option(rt: Runtime, ctx: Ctx, number: int, actor: str, option: int) -> ScenarioView:
    """``!besluit <optie>``: agreement on one option by the consent rule (or what is missing for it). The
    decision list keeps every option's positions, objections and concerns."""

    def command(c: ScenarioCall) -> ScenarioResult:
        try:
            return c.round.decide(actor, option, participants=c.participants, quorum=c.ctx.council.quorum,
                                  at=c.ctx.now, idempotency_key=c.key)
        except OptionNotReady as refused:
            raise NamedOptionNotReady(refused, c.names) from None

    def after(c: ScenarioCall, result: ScenarioResult) -> None:
        outcome = result.outcome
        assert outcome is not None and outcome.agreed is not None
        topic = agenda_rules.record_agreement(store.topic(c.s, c.ctx.slug, outcome.topic_id, lock=True))
        store.save_topic(c.s, topic)
        agreed = outcome.agreed
        _scenario_post(c, "besluit", texts.scenarios_agreed(
            c.lang, round_id=outcome.round_id, title=outcome.title, option=agreed.option, version=agreed.version,
            text=agreed.text, on=outcome.decided_on))

    return _scenario_command(rt, ctx, number, command, after)


@retry_on_conflict
def end_scenarios_as_input(rt: Runtime, ctx: Ctx, number: int, actor: str, note: str | None) -> ScenarioView:
    """``!meegedacht``: the round ends without choosing; the council's view on every option goes to the board as
    co-creation input (recorded in the decision list). The topic is active again until the board answers."""

    def after(c: ScenarioCall, result: ScenarioResult) -> None:
        outcome = result.outcome
        assert outcome is not None
        topic = store.topic(c.s, c.ctx.slug, outcome.topic_id, lock=True)
        store.save_topic(c.s, agenda_rules.round_stopped(topic))
        _scenario_post(c, "meegedacht", texts.scenarios_input(
            c.lang, round_id=outcome.round_id, title=outcome.title, topic_id=outcome.topic_id,
            options=[(o.option, o.text, bool(o.open_objections), bool(o.concerns))
                     for o in outcome.options if o.merged_into is None], on=outcome.decided_on))

    return _scenario_command(rt, ctx, number, lambda c: c.round.end_as_input(
        actor, note, participants=c.participants, at=c.ctx.now, idempotency_key=c.key), after)


@retry_on_conflict
def abandon_scenarios(rt: Runtime, ctx: Ctx, number: int, actor: str, reason: str | None) -> ScenarioView:
    """Stop a scenario round without agreement and without input; the topic is active again."""

    def after(c: ScenarioCall, result: ScenarioResult) -> None:
        topic = store.topic(c.s, c.ctx.slug, c.round.topic_id, lock=True)
        store.save_topic(c.s, agenda_rules.round_stopped(topic))
        _scenario_post(c, "gestopt", texts.scenarios_abandoned(c.lang, round_id=c.round.round_id, topic_id=topic.id))

    return _scenario_command(rt, ctx, number, lambda c: c.round.abandon(
        actor, reason, participants=c.participants, at=c.ctx.now, idempotency_key=c.key), after)


@dataclass(frozen=True)
class ScenarioEntry:
    """One ended scenario round in the decision list."""

    info: store.ScenarioInfo
    round: ScenarioRound
    topic_title: str

    @property
    def outcome(self) -> ScenarioOutcome:
        assert self.round.outcome is not None
        return self.round.outcome


@dataclass(frozen=True)
class ScenarioRegister:
    entries: list[ScenarioEntry]
    influence: Mapping[int, tuple[RealisedInfluence, ...]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    background: Mapping[int, tuple[Background, ...]] = field(default_factory=dict)  # by topic id


def scenario_register(rt: Runtime, ctx: Ctx, start: date | None, end: date | None, topic_id: int | None,
                      newest_first: bool = False) -> ScenarioRegister:
    """The ended scenario rounds (agreement on one option, or meegedacht), by the day they ended."""
    check_period(start, end)
    with rt.db.read() as s:
        found = store.scenario_rounds(s, ctx.slug, topic_id=topic_id, start=start, end=end, ended=True)
        titles = {t.id: t.title for t in store.topics(s, ctx.slug)}
        records = store.influence_records(s, ctx.slug)
        notes = store.backgrounds(s, ctx.slug, {rnd.topic_id for _, rnd in found})
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
    entries = sorted((ScenarioEntry(info, rnd, titles.get(rnd.topic_id, "")) for info, rnd in found
                      if rnd.outcome is not None),
                     key=lambda e: (e.outcome.decided_at, e.round.round_id), reverse=newest_first)
    names = names_of(ctx.council, roster)
    for e in entries:
        names.update(e.info.names)
    influence = {e.round.topic_id: tuple(records.get(e.round.topic_id, ())) for e in entries}
    background = {e.round.topic_id: tuple(notes.get(e.round.topic_id, ())) for e in entries}
    return ScenarioRegister(entries, influence, names, background)


# --------------------------------------------------------------------------- influence on the record


@dataclass(frozen=True)
class InfluenceView:
    topic: TopicInfluence
    status: str
    names: dict[str, str]


@dataclass(frozen=True)
class InfluenceOverview:
    overview: YearOverview
    statuses: Mapping[int, str]
    names: dict[str, str]


def _counts_for_influence(topic: Topic, start: store.TopicStart | None, records: Iterable[RealisedInfluence]) -> bool:
    """A topic the council worked on: started (a round of any kind), past the waiting list, or with a record."""
    return bool((start and start.started_on) or topic.status not in WAITING_STATUSES or list(records))


def _topic_influence(topic: Topic, start: store.TopicStart | None,
                     records: Iterable[RealisedInfluence]) -> TopicInfluence:
    return influence_rules.topic_influence(topic, records, expected_at_start=start.expected if start else None,
                                           started_on=start.started_on if start else None)


@retry_on_conflict
def record_influence(rt: Runtime, ctx: Ctx, topic_id: int, body: InfluenceIn) -> InfluenceView:
    """``!invloed <onderwerp-nr> <1-5> <wat veranderde>`` (the secretary): the realised influence, with the
    board's answer or the realisation check. A repeated message records nothing twice."""
    with rt.db.session() as s:
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
        if body.actor is None:
            if ctx.caller == "bot":
                raise InvalidInput("delib.api.actor_required", "bot call without actor")
        elif not is_secretary(ctx, roster, body.actor):
            raise Forbidden("delib.api.secretary_only_influence", "influence recorded by a non-secretary")
        topic = store.topic(s, ctx.slug, topic_id, lock=True)
        if not (ctx.key and store.influence_by_key(s, ctx.slug, topic_id, ctx.key)):
            record = influence_rules.record_realised(
                topic_id=topic.id, score=body.score, what_changed=body.what_changed, recorded_on=body.on or ctx.today,
                recorded_by=body.actor or (ctx.caller or "admin"), kind=body.kind, basis=body.basis)
            store.add_influence(s, ctx.slug, record, created_key=ctx.key)
        start = store.topic_starts(s, ctx.slug).get(topic.id)
        records = store.influence_records(s, ctx.slug, topic.id).get(topic.id, [])
        return InfluenceView(_topic_influence(topic, start, records), topic.status.value,
                             names_of(ctx.council, roster))


def influence_overview(rt: Runtime, ctx: Ctx, year: int | None) -> InfluenceOverview:
    """Expected against realised influence per topic and on average for the topics that started in ``year``
    (this year when left out), also per way of working (co-creation, formal advice, consent)."""
    with rt.db.read() as s:
        topics = store.topics(s, ctx.slug)
        starts = store.topic_starts(s, ctx.slug)
        records = store.influence_records(s, ctx.slug)
        roster = store.load_roster(s, ctx.slug, ctx.council.max_seats)
    items = [_topic_influence(t, starts.get(t.id), records.get(t.id, ())) for t in topics
             if _counts_for_influence(t, starts.get(t.id), records.get(t.id, ()))]
    overview = influence_rules.year_overview(items, year or ctx.today.year)
    return InfluenceOverview(overview, {t.id: t.status.value for t in topics}, names_of(ctx.council, roster))
