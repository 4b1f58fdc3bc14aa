"""Rows to domain objects and back. Nothing else in the service touches the ORM.

Every function takes the caller's session, so a change, its round events and the Matrix message it
causes are committed together (or not at all). Lookups by id always include the council: an id of
another council is as unknown as an id that does not exist.

Numbers per council: the ids the domain and the API use for topics, rounds, advice trajectories and
applications are the council's numbers (``number``, from 1 in each council). The rows' primary and foreign
keys stay global and stay in here: this module translates between (council, number) and rows, also for the
cross-references (a round's topic, a trajectory's rounds, a register entry's round and topic). The JSON the
domain writes (round events, the register's agreement) holds numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterable, TypeVar

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from services.deliberation.domain.advice import (
    AdviceCheck,
    AdviceKind,
    Outcome,
    ReplyKind,
    Trajectory,
    advice_not_found,
)
from services.deliberation.domain.agenda import (
    FormalAdvice,
    MemberScore,
    RealisationCheck,
    Topic,
    TopicMode,
    TopicSource,
    TopicStatus,
    topic_not_found,
)
from services.deliberation.domain.background import Background
from services.deliberation.domain.consensus import Agreement, Event, Round, round_not_found
from services.deliberation.domain.influence import InfluenceBasis, InfluenceKind, RealisedInfluence
from services.deliberation.domain.register import RegisterEntry
from services.deliberation.domain.scenarios import ScenarioEvent, ScenarioRound, scenario_round_not_found
from services.deliberation.domain.roster import (
    AbsenceNotice,
    Application,
    ApplicationStatus,
    CustomerGroup,
    Member,
    MemberType,
    Roster,
    Seat,
)
from services.deliberation.models import (
    AbsenceRow,
    AdviceCheckRow,
    AdviceRow,
    ApplicationRow,
    CheckRow,
    InfluenceRow,
    MemberRow,
    RegisterRow,
    RoundEventRow,
    RoundRow,
    ScenarioEventRow,
    ScenarioRoundRow,
    SeatRow,
    TopicBackgroundRow,
    TopicRow,
    TopicScoreRow,
)
from shared.errors import NotFound
from shared.outbox import aware

Numbered = TypeVar("Numbered", TopicRow, RoundRow, AdviceRow, ApplicationRow, ScenarioRoundRow)


def _utc(value: datetime | None) -> datetime | None:
    """Datetimes are stored in UTC: SQLite keeps no offset, and :func:`aware` reads them back as UTC."""
    return value.astimezone(timezone.utc) if value is not None else None


def round_thread_key(council: str, number: int) -> str:
    """The outbox key of a new round's proposal, and so the key of its thread: unique across councils in the
    bot's outbox. (Rounds opened before numbers per council keep their stored ``delib:round:<id>``.)"""
    return f"delib:round:{council}:{number}"


def new_advice_thread_key(council: str, number: int) -> str:
    """The outbox key of a new trajectory's first message, and so the key of its thread (older trajectories
    keep their stored ``delib:advice:<id>``)."""
    return f"delib:advice:{council}:{number}"


_LEGACY_KEY = re.compile(r"^delib:(round|advice):\d+$")


def is_legacy_thread_key(key: str) -> bool:
    """A thread key from before numbers per council: its digits are a global id, not the number."""
    return _LEGACY_KEY.match(key) is not None


# --------------------------------------------------------------------------- numbers per council


def _next_number(s: Session, model: type[Numbered], council: str) -> int:
    """The council's next number, read in the insert's transaction. Two concurrent inserts may read the same
    one: the unique (council, number) key fails the second, and the use case's retry takes the next."""
    return (s.scalar(select(func.max(model.number)).where(model.council == council)) or 0) + 1


def _row(s: Session, model: type[Numbered], council: str, number: int | None, *,
         lock: bool = False) -> Numbered | None:
    if number is None:
        return None
    query = select(model).where(model.council == council, model.number == number)
    if lock:
        query = query.with_for_update()
    return s.scalar(query)


def _numbers(s: Session, model: type[Numbered], ids: Iterable[int | None]) -> dict[int, int]:
    """Numbers by row key, for the keys given."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {pk: number for pk, number in s.execute(select(model.id, model.number).where(model.id.in_(wanted)))}


def _pk(s: Session, model: type[Numbered], council: str, number: int | None) -> int | None:
    """The row key of the council's ``number`` (None for None); a number the council lacks is a bug here."""
    if number is None:
        return None
    pk = s.scalar(select(model.id).where(model.council == council, model.number == number))
    if pk is None:
        raise LookupError(f"{model.__tablename__}: no number {number} in council {council}")
    return pk


# --------------------------------------------------------------------------- roster


def lock_council(s: Session, council: str) -> None:
    """Serialise changes that count across a council (the cap on active topics, seats, members).
    SQLite's write transactions are serial already; PostgreSQL takes a transaction-level advisory lock."""
    if s.bind is not None and s.bind.dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"deliberation:{council}"})


def load_roster(s: Session, council: str, max_seats: int) -> Roster:
    seats = tuple(Seat(r.number, CustomerGroup(r.age_band, r.area, r.background))
                  for r in s.scalars(select(SeatRow).where(SeatRow.council == council).order_by(SeatRow.number)))
    members = tuple(_member(r) for r in s.scalars(select(MemberRow).where(MemberRow.council == council)
                                                   .order_by(MemberRow.id)))
    return Roster(council_id=council, seats=seats, members=members, max_seats=max_seats)


def member_groups(s: Session, council: str) -> dict[str, str]:
    """Each member's own customer group label."""
    return {r.matrix_id: r.customer_group for r in
            s.scalars(select(MemberRow).where(MemberRow.council == council))}


def _member(r: MemberRow) -> Member:
    return Member(matrix_id=r.matrix_id, display_name=r.display_name, member_type=MemberType(r.member_type),
                  term_start=r.term_start, term_end=r.term_end, seat_id=r.seat_number, secretary=r.secretary,
                  language=r.language, in_chat=r.in_chat)


def save_member(s: Session, council: str, member: Member, customer_group: str | None = None) -> None:
    row = s.scalar(select(MemberRow).where(MemberRow.council == council, MemberRow.matrix_id == member.matrix_id))
    if row is None:
        row = MemberRow(council=council, matrix_id=member.matrix_id, customer_group=customer_group or "")
        s.add(row)
    elif customer_group is not None:
        row.customer_group = customer_group
    row.display_name = member.display_name
    row.member_type = member.member_type.value
    row.term_start = member.term_start
    row.term_end = member.term_end
    row.seat_number = member.seat_id
    row.secretary = member.secretary
    row.language = member.language
    row.in_chat = member.in_chat
    s.flush()


def save_seats(s: Session, council: str, seats: Iterable[Seat]) -> None:
    rows = {r.number: r for r in s.scalars(select(SeatRow).where(SeatRow.council == council))}
    for seat in seats:
        row = rows.get(seat.id)
        if row is None:
            row = SeatRow(council=council, number=seat.id)
            s.add(row)
        row.age_band, row.area, row.background = seat.group.age_band, seat.group.area, seat.group.background
    s.flush()


# --------------------------------------------------------------------------- absence with notice


def absences(s: Session, council: str, occasion: str | None = None) -> tuple[AbsenceNotice, ...]:
    query = select(AbsenceRow).where(AbsenceRow.council == council)
    if occasion is not None:
        query = query.where(AbsenceRow.occasion == occasion)
    return tuple(AbsenceNotice(r.matrix_id, r.occasion, r.noted_on) for r in s.scalars(query.order_by(AbsenceRow.id)))


def save_absences(s: Session, council: str, before: Iterable[AbsenceNotice], after: Iterable[AbsenceNotice]) -> None:
    """Store the difference between two lists of notices (the domain returns the new list)."""
    old, new = set(before), set(after)
    for notice in new - old:
        s.add(AbsenceRow(council=council, matrix_id=notice.matrix_id, occasion=notice.occasion,
                         noted_on=notice.noted_on))
    for notice in old - new:
        row = s.scalar(select(AbsenceRow).where(AbsenceRow.council == council,
                                                AbsenceRow.matrix_id == notice.matrix_id,
                                                AbsenceRow.occasion == notice.occasion))
        if row is not None:
            s.delete(row)
    s.flush()


# --------------------------------------------------------------------------- applications


def _application(r: ApplicationRow) -> Application:
    return Application(id=r.number, council_id=r.council, name=r.name, member_type=MemberType(r.member_type),
                       received_on=r.received_on, matrix_id=r.matrix_id, contact=r.contact,
                       motivation=r.motivation, status=ApplicationStatus(r.status), decided_on=r.decided_on,
                       seat_id=r.seat_number, note=r.note)


def insert_application(s: Session, application: Application, *, reference_hash: str | None = None,
                       intake_hash: str | None = None) -> Application:
    """Store a new application (its ``id`` is ignored) and return it with the number it got."""
    row = ApplicationRow(council=application.council_id,
                         number=_next_number(s, ApplicationRow, application.council_id), name=application.name,
                         member_type=application.member_type.value, matrix_id=application.matrix_id,
                         contact=application.contact, motivation=application.motivation,
                         status=application.status.value, received_on=application.received_on,
                         reference_hash=reference_hash, intake_hash=intake_hash)
    s.add(row)
    s.flush()
    return _application(row)


def application_by_intake(s: Session, intake_hash: str) -> Application | None:
    row = s.scalar(select(ApplicationRow).where(ApplicationRow.intake_hash == intake_hash))
    return _application(row) if row else None


def application_by_reference(s: Session, reference_hash: str) -> Application | None:
    row = s.scalar(select(ApplicationRow).where(ApplicationRow.reference_hash == reference_hash,
                                                ApplicationRow.erased_at.is_(None)))
    return _application(row) if row else None


def erase_application(s: Session, council: str, application_id: int, at: datetime) -> None:
    """Keep that there was an application (the counts, the decision), not who it was."""
    row = _row(s, ApplicationRow, council, application_id)
    assert row is not None
    row.name, row.contact, row.motivation, row.matrix_id, row.note = "—", None, None, None, None
    row.reference_hash = None
    row.erased_at = at


def applications_to_forget(s: Session, council: str, decided_before: date) -> list[int]:
    """Applications that ended without appointment before ``decided_before`` and still hold personal data."""
    return list(s.scalars(select(ApplicationRow.number).where(
        ApplicationRow.council == council, ApplicationRow.status == "niet_benoemd",
        ApplicationRow.decided_on < decided_before, ApplicationRow.erased_at.is_(None))
        .order_by(ApplicationRow.number)))


def application(s: Session, council: str, application_id: int) -> Application:
    row = _row(s, ApplicationRow, council, application_id)
    if row is None:
        raise NotFound("delib.api.application_not_found", f"no application {application_id}",
                       application_id=application_id)
    return _application(row)


def save_application(s: Session, application: Application) -> None:
    row = _row(s, ApplicationRow, application.council_id, application.id)
    assert row is not None
    row.status = application.status.value
    row.decided_on = application.decided_on
    row.seat_number = application.seat_id
    row.matrix_id = application.matrix_id
    row.note = application.note
    s.flush()


def applications(s: Session, council: str, status: str | None = None) -> list[Application]:
    query = select(ApplicationRow).where(ApplicationRow.council == council, ApplicationRow.erased_at.is_(None))
    if status is not None:
        query = query.where(ApplicationRow.status == status)
    return [_application(r) for r in s.scalars(query.order_by(ApplicationRow.number))]


def applications_received(s: Session, council: str, on: date) -> int:
    return s.scalar(select(func.count()).select_from(ApplicationRow)
                    .where(ApplicationRow.council == council, ApplicationRow.received_on == on)) or 0


# --------------------------------------------------------------------------- topics


@dataclass(frozen=True)
class TopicExtras:
    """What the store keeps of a topic besides the domain's view."""

    evidence: str | None
    created_key: str | None


def _topic(row: TopicRow, checks: Iterable[CheckRow], scores: Iterable[TopicScoreRow] = ()) -> Topic:
    advice = None
    if row.advice_requested_on is not None and row.advice_deadline is not None:
        advice = FormalAdvice(request_received_on=row.advice_requested_on, deadline=row.advice_deadline,
                              advice_text=row.advice_text, advice_sent_on=row.advice_sent_on,
                              reply_text=row.reply_text, reply_received_on=row.reply_received_on,
                              reply_deviates=row.reply_deviates)
    return Topic(id=row.number, council_id=row.council, title=row.title, source=TopicSource(row.source),
                 mode=TopicMode(row.mode), created_at=aware(row.created_at), importance=row.importance,
                 influence=row.influence, status=TopicStatus(row.status), source_ref=row.source_ref,
                 advice=advice,
                 checks=tuple(RealisationCheck(id=c.number, due_on=c.due_on, description=c.description,
                                               result_note=c.result_note, checked_on=c.checked_on)
                              for c in sorted(checks, key=lambda c: c.number)),
                 scores=tuple(MemberScore(r.matrix_id, r.importance, r.influence)
                              for r in sorted(scores, key=lambda r: r.matrix_id)))


def _scores_by_topic(s: Session, topic_pks: list[int]) -> dict[int, list[TopicScoreRow]]:
    out: dict[int, list[TopicScoreRow]] = {pk: [] for pk in topic_pks}
    if topic_pks:
        for r in s.scalars(select(TopicScoreRow).where(TopicScoreRow.topic_id.in_(topic_pks))):
            out[r.topic_id].append(r)
    return out


def _checks_by_topic(s: Session, topic_pks: list[int]) -> dict[int, list[CheckRow]]:
    out: dict[int, list[CheckRow]] = {pk: [] for pk in topic_pks}
    if topic_pks:
        for c in s.scalars(select(CheckRow).where(CheckRow.topic_id.in_(topic_pks))):
            out[c.topic_id].append(c)
    return out


def _full_topic(s: Session, row: TopicRow) -> Topic:
    return _topic(row, _checks_by_topic(s, [row.id])[row.id], _scores_by_topic(s, [row.id])[row.id])


def topic(s: Session, council: str, topic_id: int, *, lock: bool = False) -> Topic:
    row = _row(s, TopicRow, council, topic_id, lock=lock)
    if row is None:
        raise topic_not_found(topic_id)
    return _full_topic(s, row)


def topic_extras(s: Session, council: str, topic_id: int) -> TopicExtras:
    row = _row(s, TopicRow, council, topic_id)
    assert row is not None
    return TopicExtras(evidence=row.evidence, created_key=row.created_key)


def topics(s: Session, council: str, status: str | None = None) -> list[Topic]:
    query = select(TopicRow).where(TopicRow.council == council)
    if status is not None:
        query = query.where(TopicRow.status == status)
    rows = list(s.scalars(query.order_by(TopicRow.number)))
    checks = _checks_by_topic(s, [r.id for r in rows])
    scores = _scores_by_topic(s, [r.id for r in rows])
    return [_topic(r, checks[r.id], scores[r.id]) for r in rows]


def topic_by_created_key(s: Session, council: str, key: str) -> Topic | None:
    row = s.scalar(select(TopicRow).where(TopicRow.council == council, TopicRow.created_key == key))
    return _full_topic(s, row) if row else None


def topic_by_source_ref(s: Session, council: str, source: str, source_ref: str) -> Topic | None:
    row = s.scalar(select(TopicRow).where(TopicRow.council == council, TopicRow.source == source,
                                          TopicRow.source_ref == source_ref).order_by(TopicRow.number).limit(1))
    return _full_topic(s, row) if row else None


def insert_topic(s: Session, new: Topic, *, evidence: str | None = None, created_key: str | None = None) -> Topic:
    """Store a new topic (its ``id`` is ignored) and return it with the number it got."""
    row = TopicRow(council=new.council_id, number=_next_number(s, TopicRow, new.council_id), title=new.title,
                   source=new.source.value, source_ref=new.source_ref, evidence=evidence, mode=new.mode.value,
                   status=new.status.value, importance=new.importance, influence=new.influence,
                   created_at=_utc(new.created_at), created_key=created_key)
    s.add(row)
    s.flush()
    return _full_topic(s, row)


def set_topic_text(s: Session, council: str, topic_id: int, *, title: str, evidence: str | None) -> None:
    """A resident's erasure rewrote the title or evidence of a signal-cluster topic."""
    row = _row(s, TopicRow, council, topic_id)
    assert row is not None
    row.title = title
    row.evidence = evidence


def save_topic(s: Session, changed: Topic) -> None:
    row = _row(s, TopicRow, changed.council_id, changed.id)
    assert row is not None
    row.title = changed.title
    row.mode = changed.mode.value
    row.status = changed.status.value
    row.importance = changed.importance
    row.influence = changed.influence
    advice = changed.advice
    row.advice_requested_on = advice.request_received_on if advice else None
    row.advice_deadline = advice.deadline if advice else None
    row.advice_text = advice.advice_text if advice else None
    row.advice_sent_on = advice.advice_sent_on if advice else None
    row.reply_text = advice.reply_text if advice else None
    row.reply_received_on = advice.reply_received_on if advice else None
    row.reply_deviates = advice.reply_deviates if advice else None
    existing = {c.number: c for c in s.scalars(select(CheckRow).where(CheckRow.topic_id == row.id))}
    for check in changed.checks:
        crow = existing.get(check.id)
        if crow is None:
            crow = CheckRow(topic_id=row.id, number=check.id)
            s.add(crow)
        crow.due_on = check.due_on
        crow.description = check.description
        crow.result_note = check.result_note
        crow.checked_on = check.checked_on
    scores = {r.matrix_id: r for r in s.scalars(select(TopicScoreRow).where(TopicScoreRow.topic_id == row.id))}
    for score in changed.scores:
        srow = scores.get(score.member)
        if srow is None:
            srow = TopicScoreRow(topic_id=row.id, matrix_id=score.member)
            s.add(srow)
        elif (srow.importance, srow.influence) == (score.importance, score.influence):
            continue
        srow.importance, srow.influence = score.importance, score.influence
        srow.scored_at = datetime.now(timezone.utc)
    s.flush()


# --------------------------------------------------------------------------- rounds


def create_round(s: Session, *, council: str, topic_id: int, deadline: datetime, opened_at: datetime,
                 open_key: str | None) -> int:
    """A new round row on the council's topic ``topic_id``; its events follow. Returns the round's number."""
    number = _next_number(s, RoundRow, council)
    row = RoundRow(council=council, number=number, topic_id=_pk(s, TopicRow, council, topic_id),
                   thread_key=round_thread_key(council, number), state="open", deadline=_utc(deadline),
                   opened_at=_utc(opened_at), open_key=open_key)
    s.add(row)
    s.flush()
    return number


def round_id_by_open_key(s: Session, council: str, key: str) -> int | None:
    return s.scalar(select(RoundRow.number).where(RoundRow.council == council, RoundRow.open_key == key))


@dataclass(frozen=True)
class RoundInfo:
    """The round row's facts that are not part of the domain state (``id``, ``topic_id``: the council's numbers)."""

    id: int
    council: str
    topic_id: int
    thread_key: str
    thread_room_id: str | None
    thread_event_id: str | None
    reminded_for: datetime | None


def _info(row: RoundRow, topic_number: int) -> RoundInfo:
    return RoundInfo(row.number, row.council, topic_number, row.thread_key, row.thread_room_id,
                     row.thread_event_id, aware(row.reminded_for))


def _events(s: Session, round_pk: int) -> list[dict[str, Any]]:
    return [r.payload for r in s.scalars(select(RoundEventRow).where(RoundEventRow.round_id == round_pk)
                                         .order_by(RoundEventRow.seq))]


def load_round(s: Session, council: str, round_id: int, *, lock: bool = False) -> tuple[RoundInfo, Round]:
    # PostgreSQL, with lock: commands on one round queue up here instead of racing for the next seq.
    row = _row(s, RoundRow, council, round_id, lock=lock)
    if row is None:
        raise round_not_found(round_id)
    topic_number = s.scalar(select(TopicRow.number).where(TopicRow.id == row.topic_id))
    assert topic_number is not None
    return _info(row, topic_number), Round.replay(_events(s, row.id))


def events_of(s: Session, council: str, round_id: int) -> list[dict[str, Any]]:
    """The council's round's stored events (the domain's dicts), oldest first."""
    row = _row(s, RoundRow, council, round_id)
    if row is None:
        raise round_not_found(round_id)
    return _events(s, row.id)


def append_events(s: Session, events: Iterable[Event], state: Round) -> None:
    """Append a command's events (unique on (round_id, seq): a concurrent writer makes this raise
    IntegrityError, and the caller retries on fresh state) and refresh the row's copies."""
    row = _row(s, RoundRow, state.council_id, state.round_id)
    assert row is not None
    for event in events:
        assert event.round_id == state.round_id
        s.add(RoundEventRow(round_id=row.id, seq=event.seq, type=event.type.value, actor=event.actor,
                            at=_utc(event.at), idempotency_key=event.idempotency_key, payload=event.to_dict()))
    s.flush()
    row.state = state.state.value
    row.deadline = _utc(state.deadline)
    s.flush()


def rounds(s: Session, council: str, *, state: str | None = None,
           topic_id: int | None = None) -> list[tuple[RoundInfo, Round]]:
    query = (select(RoundRow, TopicRow.number).join(TopicRow, TopicRow.id == RoundRow.topic_id)
             .where(RoundRow.council == council))
    if state is not None:
        query = query.where(RoundRow.state == state)
    if topic_id is not None:
        query = query.where(TopicRow.number == topic_id)
    return [(_info(row, topic_number), Round.replay(_events(s, row.id)))
            for row, topic_number in s.execute(query.order_by(RoundRow.number))]


def open_round_ids_by_topic(s: Session, council: str) -> dict[int, int]:
    """The open round's number by topic number."""
    rows = s.execute(select(TopicRow.number, RoundRow.number).join(TopicRow, TopicRow.id == RoundRow.topic_id)
                     .where(RoundRow.council == council, RoundRow.state == "open"))
    return {topic_number: round_number for topic_number, round_number in rows}


def rounds_to_remind(s: Session) -> list[tuple[int, str]]:
    """(round number, council) of open rounds whose current deadline has had no reminder yet."""
    rows = s.execute(select(RoundRow.number, RoundRow.council)
                     .where(RoundRow.state == "open",
                            or_(RoundRow.reminded_for.is_(None), RoundRow.reminded_for != RoundRow.deadline))
                     .order_by(RoundRow.id))
    return [(number, council) for number, council in rows]


def mark_reminded(s: Session, council: str, round_id: int, deadline: datetime) -> None:
    row = _row(s, RoundRow, council, round_id)
    assert row is not None
    row.reminded_for = _utc(deadline)


def round_thread_key_of(s: Session, council: str, round_id: int) -> str | None:
    """The stored thread key of the council's round (None: no such round)."""
    return s.scalar(select(RoundRow.thread_key).where(RoundRow.council == council, RoundRow.number == round_id))


def set_thread_location(s: Session, council: str, round_id: int, room_id: str, event_id: str) -> None:
    row = _row(s, RoundRow, council, round_id)
    if row is not None:
        row.thread_room_id, row.thread_event_id = room_id, event_id


@dataclass(frozen=True)
class Thread:
    """What a thread key stands for: a round, an advice trajectory or a scenario round, by its number in the
    council."""

    kind: str  # "round", "advice" or "scenarios"
    number: int


def thread_by_key(s: Session, council: str, key: str) -> Thread | None:
    """The council's round or trajectory whose thread has the outbox key ``key`` (also an old key, whose digits
    are a global id and not the number)."""
    number = s.scalar(select(RoundRow.number).where(RoundRow.council == council, RoundRow.thread_key == key))
    if number is not None:
        return Thread("round", number)
    number = s.scalar(select(AdviceRow.number).where(AdviceRow.council == council, AdviceRow.thread_key == key))
    if number is not None:
        return Thread("advice", number)
    number = s.scalar(select(ScenarioRoundRow.number).where(ScenarioRoundRow.council == council,
                                                            ScenarioRoundRow.thread_key == key))
    return Thread("scenarios", number) if number is not None else None


# --------------------------------------------------------------------------- realisation checks


@dataclass(frozen=True)
class CheckToAnnounce:
    council: str
    topic_id: int  # the topic's number
    number: int


def checks_to_announce(s: Session, council: str, on: date) -> list[CheckToAnnounce]:
    """Checks due on or before ``on``, not done, not yet announced, on topics that are not closed."""
    rows = s.execute(select(TopicRow.council, TopicRow.number, CheckRow.number).select_from(CheckRow)
                     .join(TopicRow, TopicRow.id == CheckRow.topic_id)
                     .where(TopicRow.council == council, CheckRow.due_on <= on, CheckRow.checked_on.is_(None),
                            CheckRow.announced_at.is_(None), TopicRow.status != TopicStatus.GESLOTEN.value)
                     .order_by(CheckRow.due_on, TopicRow.number, CheckRow.number))
    return [CheckToAnnounce(council, topic_number, number) for council, topic_number, number in rows]


def mark_check_announced(s: Session, council: str, topic_id: int, number: int, at: datetime) -> None:
    row = s.scalar(select(CheckRow).join(TopicRow, TopicRow.id == CheckRow.topic_id)
                   .where(TopicRow.council == council, TopicRow.number == topic_id, CheckRow.number == number))
    if row is not None:
        row.announced_at = _utc(at)


# --------------------------------------------------------------------------- decision register


@dataclass(frozen=True)
class StoredEntry:
    entry: RegisterEntry
    names: dict[str, str]


def add_register_entry(s: Session, agreement: Agreement, *, topic_title: str, names: dict[str, str],
                       thread_url: str | None) -> None:
    council = agreement.council_id
    s.add(RegisterRow(council=council, round_id=_pk(s, RoundRow, council, agreement.round_id),
                      topic_id=_pk(s, TopicRow, council, agreement.topic_id), topic_title=topic_title,
                      decided_at=_utc(agreement.decided_at), decided_on=agreement.decided_on,
                      agreement=agreement.to_dict(), names=dict(names), thread_url=thread_url))
    s.flush()


def _entry(row: RegisterRow) -> StoredEntry:
    return StoredEntry(RegisterEntry(Agreement.from_dict(row.agreement), row.topic_title, row.thread_url),
                       {str(k): str(v) for k, v in (row.names or {}).items()})


def register_entries(s: Session, council: str, *, start: date | None = None, end: date | None = None,
                     topic_id: int | None = None) -> list[StoredEntry]:
    query = select(RegisterRow).where(RegisterRow.council == council)
    if start is not None:
        query = query.where(RegisterRow.decided_on >= start)
    if end is not None:
        query = query.where(RegisterRow.decided_on <= end)
    if topic_id is not None:
        query = query.join(TopicRow, TopicRow.id == RegisterRow.topic_id).where(TopicRow.number == topic_id)
    return [_entry(r) for r in s.scalars(query.order_by(RegisterRow.decided_at, RegisterRow.round_id))]


def latest_entry_for_topic(s: Session, council: str, topic_id: int) -> StoredEntry | None:
    row = s.scalar(select(RegisterRow).join(TopicRow, TopicRow.id == RegisterRow.topic_id)
                   .where(RegisterRow.council == council, TopicRow.number == topic_id)
                   .order_by(RegisterRow.decided_at.desc()).limit(1))
    return _entry(row) if row else None


def entries_without_link(s: Session, limit: int = 20) -> list[tuple[str, int]]:
    """(council, round number) of register entries whose thread link is not known yet."""
    rows = s.execute(select(RoundRow.council, RoundRow.number).select_from(RegisterRow)
                     .join(RoundRow, RoundRow.id == RegisterRow.round_id)
                     .where(RegisterRow.thread_url.is_(None)).order_by(RegisterRow.id).limit(limit))
    return [(council, number) for council, number in rows]


def set_entry_link(s: Session, council: str, round_id: int, url: str) -> None:
    row = s.scalar(select(RegisterRow).join(RoundRow, RoundRow.id == RegisterRow.round_id)
                   .where(RoundRow.council == council, RoundRow.number == round_id))
    if row is not None and row.thread_url is None:
        row.thread_url = url


# --------------------------------------------------------------------------- advice trajectories


def advice_thread_key(s: Session, council: str, advice_id: int) -> str:
    """The stored outbox key of the trajectory's first message, and so the key of its thread."""
    key = s.scalar(select(AdviceRow.thread_key).where(AdviceRow.council == council, AdviceRow.number == advice_id))
    if key is None:
        raise advice_not_found(advice_id)
    return key


def _trajectories(s: Session, rows: list[AdviceRow]) -> list[Trajectory]:
    """The rows as the domain sees them: the topic and rounds by their numbers."""
    pks = [r.id for r in rows]
    checks: dict[int, list[AdviceCheckRow]] = {pk: [] for pk in pks}
    if pks:
        for c in s.scalars(select(AdviceCheckRow).where(AdviceCheckRow.advice_id.in_(pks))):
            checks[c.advice_id].append(c)
    topics = _numbers(s, TopicRow, (r.topic_id for r in rows))
    round_pks = {pk for r in rows for pk in (r.round_id, r.agreed_round_id) if pk is not None}
    round_rows: dict[int, tuple[int, str]] = {}
    if round_pks:
        round_rows = {pk: (number, state) for pk, number, state in s.execute(
            select(RoundRow.id, RoundRow.number, RoundRow.state).where(RoundRow.id.in_(round_pks)))}

    def number(pk: int | None) -> int | None:
        return round_rows[pk][0] if pk is not None else None

    return [Trajectory(
        id=row.number, council_id=row.council, topic_id=topics[row.topic_id], title=row.title,
        kind=AdviceKind(row.kind), received_on=row.received_on, deadline=row.deadline,
        round_id=number(row.round_id), round_open=row.round_id is not None and round_rows[row.round_id][1] == "open",
        agreed_text=row.agreed_text, agreed_on=row.agreed_on, agreed_round_id=number(row.agreed_round_id),
        agreed_version=row.agreed_version, sent_on=row.sent_on,
        reply=ReplyKind(row.reply_kind) if row.reply_kind else None, reply_text=row.reply_text,
        reply_on=row.reply_on,
        checks=tuple(AdviceCheck(number=c.number, due_on=c.due_on, outcome=Outcome(c.outcome) if c.outcome else None,
                                 note=c.note, checked_on=c.checked_on)
                     for c in sorted(checks[row.id], key=lambda c: c.number)))
        for row in rows]


def trajectory(s: Session, council: str, advice_id: int, *, lock: bool = False) -> Trajectory:
    row = _row(s, AdviceRow, council, advice_id, lock=lock)
    if row is None:
        raise advice_not_found(advice_id)
    return _trajectories(s, [row])[0]


def trajectories(s: Session, council: str) -> list[Trajectory]:
    return _trajectories(s, list(s.scalars(select(AdviceRow).where(AdviceRow.council == council)
                                           .order_by(AdviceRow.number))))


def trajectory_by_created_key(s: Session, council: str, key: str) -> Trajectory | None:
    row = s.scalar(select(AdviceRow).where(AdviceRow.council == council, AdviceRow.created_key == key))
    return _trajectories(s, [row])[0] if row else None


def trajectory_by_round(s: Session, council: str, round_id: int) -> Trajectory | None:
    """The trajectory whose draft is the council's round ``round_id`` (locked)."""
    row = s.scalar(select(AdviceRow).join(RoundRow, RoundRow.id == AdviceRow.round_id)
                   .where(AdviceRow.council == council, RoundRow.number == round_id))
    return trajectory(s, council, row.number, lock=True) if row else None


def insert_trajectory(s: Session, new: Trajectory, *, created_key: str | None) -> Trajectory:
    """Store a new trajectory (its ``id`` is ignored) and return it with the number it got."""
    council = new.council_id
    number = _next_number(s, AdviceRow, council)
    row = AdviceRow(council=council, number=number, thread_key=new_advice_thread_key(council, number),
                    topic_id=_pk(s, TopicRow, council, new.topic_id), title=new.title, kind=new.kind.value,
                    received_on=new.received_on, deadline=new.deadline, created_key=created_key)
    s.add(row)
    s.flush()
    return trajectory(s, council, number)


def save_trajectory(s: Session, changed: Trajectory) -> None:
    council = changed.council_id
    row = _row(s, AdviceRow, council, changed.id)
    assert row is not None
    row.round_id = _pk(s, RoundRow, council, changed.round_id)
    row.agreed_text, row.agreed_on = changed.agreed_text, changed.agreed_on
    row.agreed_round_id = _pk(s, RoundRow, council, changed.agreed_round_id)
    row.agreed_version = changed.agreed_version
    row.sent_on = changed.sent_on
    row.reply_kind = changed.reply.value if changed.reply else None
    row.reply_text, row.reply_on = changed.reply_text, changed.reply_on
    existing = {c.number: c for c in s.scalars(select(AdviceCheckRow).where(AdviceCheckRow.advice_id == row.id))}
    for check in changed.checks:
        crow = existing.get(check.number)
        if crow is None:
            crow = AdviceCheckRow(advice_id=row.id, number=check.number)
            s.add(crow)
        crow.due_on = check.due_on
        crow.outcome = check.outcome.value if check.outcome else None
        crow.note, crow.checked_on = check.note, check.checked_on
    s.flush()


def overdue_not_announced(s: Session, council: str) -> list[int]:
    """Trajectories sent without a reply whose day-15 announcement has not gone out yet (the caller checks
    the dates)."""
    return list(s.scalars(select(AdviceRow.number).where(AdviceRow.council == council,
                                                         AdviceRow.sent_on.is_not(None),
                                                         AdviceRow.reply_kind.is_(None),
                                                         AdviceRow.overdue_announced_at.is_(None))
                          .order_by(AdviceRow.number)))


def mark_overdue_announced(s: Session, council: str, advice_id: int, at: datetime) -> None:
    row = _row(s, AdviceRow, council, advice_id)
    if row is not None:
        row.overdue_announced_at = _utc(at)


def advice_checks_to_announce(s: Session, council: str, on: date) -> list[tuple[int, int]]:
    """(advice number, check number) of checks due on or before ``on``, without outcome, not yet announced."""
    rows = s.execute(select(AdviceRow.number, AdviceCheckRow.number).select_from(AdviceCheckRow)
                     .join(AdviceRow, AdviceRow.id == AdviceCheckRow.advice_id)
                     .where(AdviceRow.council == council, AdviceCheckRow.due_on <= on,
                            AdviceCheckRow.outcome.is_(None), AdviceCheckRow.announced_at.is_(None))
                     .order_by(AdviceCheckRow.due_on, AdviceRow.number, AdviceCheckRow.number))
    return [(advice_number, number) for advice_number, number in rows]


def mark_advice_check_announced(s: Session, council: str, advice_id: int, number: int, at: datetime) -> None:
    row = s.scalar(select(AdviceCheckRow).join(AdviceRow, AdviceRow.id == AdviceCheckRow.advice_id)
                   .where(AdviceRow.council == council, AdviceRow.number == advice_id,
                          AdviceCheckRow.number == number))
    if row is not None:
        row.announced_at = _utc(at)


# --------------------------------------------------------------------------- scenario rounds (co-creation)


def scenario_thread_key(council: str, number: int) -> str:
    """The outbox key of a scenario round's first message, and so the key of its thread."""
    return f"delib:scenarios:{council}:{number}"


def create_scenario_round(s: Session, *, council: str, topic_id: int, opened_at: datetime,
                          open_key: str | None) -> int:
    """A new scenario round row on the council's topic; its events follow. Returns its number."""
    number = _next_number(s, ScenarioRoundRow, council)
    s.add(ScenarioRoundRow(council=council, number=number, topic_id=_pk(s, TopicRow, council, topic_id),
                           thread_key=scenario_thread_key(council, number), state="open",
                           opened_at=_utc(opened_at), open_key=open_key))
    s.flush()
    return number


def scenario_round_id_by_open_key(s: Session, council: str, key: str) -> int | None:
    return s.scalar(select(ScenarioRoundRow.number).where(ScenarioRoundRow.council == council,
                                                          ScenarioRoundRow.open_key == key))


@dataclass(frozen=True)
class ScenarioInfo:
    """The scenario round row's facts beside the domain state (numbers of the council)."""

    id: int
    council: str
    topic_id: int
    thread_key: str
    thread_room_id: str | None
    thread_event_id: str | None
    names: dict[str, str]  # display names on the day it ended (empty while open)


def _scenario_info(row: ScenarioRoundRow, topic_number: int) -> ScenarioInfo:
    return ScenarioInfo(row.number, row.council, topic_number, row.thread_key, row.thread_room_id,
                        row.thread_event_id, {str(k): str(v) for k, v in (row.names or {}).items()})


def _scenario_events(s: Session, round_pk: int) -> list[dict[str, Any]]:
    return [r.payload for r in s.scalars(select(ScenarioEventRow).where(ScenarioEventRow.round_id == round_pk)
                                         .order_by(ScenarioEventRow.seq))]


def load_scenario_round(s: Session, council: str, number: int, *,
                        lock: bool = False) -> tuple[ScenarioInfo, ScenarioRound]:
    row = _row(s, ScenarioRoundRow, council, number, lock=lock)
    if row is None:
        raise scenario_round_not_found(number)
    topic_number = s.scalar(select(TopicRow.number).where(TopicRow.id == row.topic_id))
    assert topic_number is not None
    return _scenario_info(row, topic_number), ScenarioRound.replay(_scenario_events(s, row.id))


def scenario_events_of(s: Session, council: str, number: int) -> list[dict[str, Any]]:
    row = _row(s, ScenarioRoundRow, council, number)
    if row is None:
        raise scenario_round_not_found(number)
    return _scenario_events(s, row.id)


def append_scenario_events(s: Session, events: Iterable[ScenarioEvent], state: ScenarioRound, *,
                           names: dict[str, str] | None = None) -> None:
    """Append a command's events (unique on (round_id, seq), as for rounds) and refresh the row's copies: the
    state, and once it ended the outcome with the names on the day."""
    row = _row(s, ScenarioRoundRow, state.council_id, state.round_id)
    assert row is not None
    for event in events:
        assert event.round_id == state.round_id
        s.add(ScenarioEventRow(round_id=row.id, seq=event.seq, type=event.type.value, actor=event.actor,
                               at=_utc(event.at), idempotency_key=event.idempotency_key, payload=event.to_dict()))
    s.flush()
    row.state = state.state.value
    if state.outcome is not None and row.outcome is None:
        row.outcome = state.outcome.to_dict()
        row.decided_on = state.outcome.decided_on
        row.names = dict(names or {})
    s.flush()


def scenario_rounds(s: Session, council: str, *, state: str | None = None, topic_id: int | None = None,
                    start: date | None = None, end: date | None = None,
                    ended: bool = False) -> list[tuple[ScenarioInfo, ScenarioRound]]:
    """The council's scenario rounds by number; ``ended``: only those with an outcome, decided inside
    ``start``-``end``."""
    query = (select(ScenarioRoundRow, TopicRow.number).join(TopicRow, TopicRow.id == ScenarioRoundRow.topic_id)
             .where(ScenarioRoundRow.council == council))
    if state is not None:
        query = query.where(ScenarioRoundRow.state == state)
    if topic_id is not None:
        query = query.where(TopicRow.number == topic_id)
    if ended:
        query = query.where(ScenarioRoundRow.decided_on.is_not(None))
        if start is not None:
            query = query.where(ScenarioRoundRow.decided_on >= start)
        if end is not None:
            query = query.where(ScenarioRoundRow.decided_on <= end)
    return [(_scenario_info(row, topic_number), ScenarioRound.replay(_scenario_events(s, row.id)))
            for row, topic_number in s.execute(query.order_by(ScenarioRoundRow.number))]


def scenarios_to_remind(s: Session) -> list[tuple[int, str]]:
    """(number, council) of open scenario rounds with a deadline and no reminder yet."""
    rows = s.execute(select(ScenarioRoundRow.number, ScenarioRoundRow.council)
                     .where(ScenarioRoundRow.state == "open", ScenarioRoundRow.reminded_at.is_(None))
                     .order_by(ScenarioRoundRow.id))
    return [(number, council) for number, council in rows]


def mark_scenarios_reminded(s: Session, council: str, number: int, at: datetime) -> None:
    row = _row(s, ScenarioRoundRow, council, number)
    assert row is not None
    row.reminded_at = _utc(at)


def set_scenario_thread_location(s: Session, council: str, number: int, room_id: str, event_id: str) -> None:
    row = _row(s, ScenarioRoundRow, council, number)
    if row is not None:
        row.thread_room_id, row.thread_event_id = room_id, event_id


def open_scenario_ids_by_topic(s: Session, council: str) -> dict[int, int]:
    """The open scenario round's number by topic number."""
    rows = s.execute(select(TopicRow.number, ScenarioRoundRow.number)
                     .join(TopicRow, TopicRow.id == ScenarioRoundRow.topic_id)
                     .where(ScenarioRoundRow.council == council, ScenarioRoundRow.state == "open"))
    return {topic_number: number for topic_number, number in rows}


# --------------------------------------------------------------------------- influence on the record


def mark_topic_started(s: Session, council: str, topic_id: int, *, expected: float | None, on: date) -> None:
    """Keep the expected influence as it stands when work on the topic starts (its first round of any kind)."""
    row = _row(s, TopicRow, council, topic_id)
    assert row is not None
    if row.started_on is None:
        row.started_on, row.expected_influence = on, expected
        s.flush()


@dataclass(frozen=True)
class TopicStart:
    expected: float | None
    started_on: date | None


def topic_starts(s: Session, council: str) -> dict[int, TopicStart]:
    rows = s.execute(select(TopicRow.number, TopicRow.expected_influence, TopicRow.started_on)
                     .where(TopicRow.council == council))
    return {number: TopicStart(expected, started) for number, expected, started in rows}


def _influence(row: InfluenceRow, topic_number: int) -> RealisedInfluence:
    return RealisedInfluence(topic_id=topic_number, score=row.score, what_changed=row.what_changed,
                             recorded_on=row.recorded_on, recorded_by=row.recorded_by, kind=InfluenceKind(row.kind),
                             kind_given=row.kind_given, basis=InfluenceBasis(row.basis) if row.basis else None)


def add_influence(s: Session, council: str, record: RealisedInfluence, *, created_key: str | None) -> None:
    s.add(InfluenceRow(council=council, topic_id=_pk(s, TopicRow, council, record.topic_id), score=record.score,
                       what_changed=record.what_changed, kind=record.kind.value, kind_given=record.kind_given,
                       basis=record.basis.value if record.basis else None, recorded_on=record.recorded_on,
                       recorded_by=record.recorded_by, created_key=created_key))
    s.flush()


def influence_by_key(s: Session, council: str, topic_id: int, key: str) -> bool:
    """Whether the chat message ``key`` recorded influence on the topic already."""
    return s.scalar(select(InfluenceRow.id).join(TopicRow, TopicRow.id == InfluenceRow.topic_id)
                    .where(InfluenceRow.council == council, TopicRow.number == topic_id,
                           InfluenceRow.created_key == key)) is not None


def influence_records(s: Session, council: str, topic_id: int | None = None) -> dict[int, list[RealisedInfluence]]:
    """Realised influence by topic number, in the order recorded."""
    query = (select(InfluenceRow, TopicRow.number).join(TopicRow, TopicRow.id == InfluenceRow.topic_id)
             .where(InfluenceRow.council == council))
    if topic_id is not None:
        query = query.where(TopicRow.number == topic_id)
    out: dict[int, list[RealisedInfluence]] = {}
    for row, number in s.execute(query.order_by(InfluenceRow.id)):
        out.setdefault(number, []).append(_influence(row, number))
    return out


# --------------------------------------------------------------------------- background notes on topics


def _background(row: TopicBackgroundRow, number: int) -> Background:
    return Background(topic_id=number, source=row.source, key=row.source_key, title=row.title, text=row.text,
                      added_on=row.added_on)


def set_background(s: Session, council: str, note: Background, at: datetime) -> tuple[Background, bool]:
    """Store the note, or replace the title and text of the topic's note with the same key. (note, created)."""
    topic_pk = _pk(s, TopicRow, council, note.topic_id)
    row = s.scalar(select(TopicBackgroundRow).where(TopicBackgroundRow.topic_id == topic_pk,
                                                    TopicBackgroundRow.source_key == note.key).with_for_update())
    if row is None:
        row = TopicBackgroundRow(council=council, topic_id=topic_pk, source=note.source, source_key=note.key,
                                 title=note.title, text=note.text, added_on=note.added_on, created_at=at,
                                 updated_at=at)
        s.add(row)
        s.flush()
        return _background(row, note.topic_id), True
    if (row.source, row.title, row.text) != (note.source, note.title, note.text):
        row.source, row.title, row.text, row.updated_at = note.source, note.title, note.text, at
        s.flush()
    return _background(row, note.topic_id), False


def backgrounds(s: Session, council: str, topic_ids: Iterable[int] | None = None) -> dict[int, list[Background]]:
    """Background notes by topic number, oldest first (of the topics given, or all)."""
    query = (select(TopicBackgroundRow, TopicRow.number).join(TopicRow, TopicRow.id == TopicBackgroundRow.topic_id)
             .where(TopicBackgroundRow.council == council))
    if topic_ids is not None:
        wanted = sorted(set(topic_ids))
        if not wanted:
            return {}
        query = query.where(TopicRow.number.in_(wanted))
    out: dict[int, list[Background]] = {}
    for row, number in s.execute(query.order_by(TopicBackgroundRow.id)):
        out.setdefault(number, []).append(_background(row, number))
    return out
