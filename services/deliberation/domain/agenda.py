"""The council's own agenda: topics, their lifecycle, ranking, the cap on active topics, formal
advice and the follow-up of its realisation ("toetsen van de realisatie").

The council "does not handle too much at once": at most ``cap`` topics are active (``actief`` or
``in_ronde``) per council. Topics are chosen on importance × (expected) influence.

All functions are pure: they take a :class:`Topic` (and where needed the council's other topics)
and return a new one, or raise a :class:`~shared.errors.DomainError`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import Enum
from statistics import median
from typing import Iterable

from shared import i18n
from shared.errors import Conflict, InvalidInput, NotFound

from .messages import LabelledConflict

DEFAULT_ACTIVE_CAP = 5
ADVICE_PERIOD_WEEKS = 6  # Overlegwet: at least six weeks for an advice
BOARD_REPLY_DAYS = 14  # a landlord who deviates answers in writing within 14 days
SCORE_MIN, SCORE_MAX = 1, 5
MAX_TITLE_LENGTH = 200
MAX_TEXT_LENGTH = 20_000


class TopicSource(str, Enum):
    SIGNAAL_CLUSTER = "signaal_cluster"
    VERZOEK_CORPORATIE = "verzoek_corporatie"
    EIGEN_INITIATIEF = "eigen_initiatief"


class TopicMode(str, Enum):
    COCREATIE = "cocreatie"
    FORMEEL_ADVIES = "formeel_advies"
    INSTEMMING = "instemming"  # consent right, e.g. service-charge policy
    INFORMATIE = "informatie"


class TopicStatus(str, Enum):
    VOORGESTELD = "voorgesteld"
    ACTIEF = "actief"
    IN_RONDE = "in_ronde"
    AKKOORD = "akkoord"
    ADVIES_GEGEVEN = "advies_gegeven"
    REALISATIE_GETOETST = "realisatie_getoetst"
    GESLOTEN = "gesloten"
    GEPARKEERD = "geparkeerd"


# Statuses that take the council's attention; they count against the cap.
ACTIVE_STATUSES = frozenset({TopicStatus.ACTIEF, TopicStatus.IN_RONDE})
WAITING_STATUSES = frozenset({TopicStatus.VOORGESTELD, TopicStatus.GEPARKEERD})

TRANSITIONS: dict[TopicStatus, frozenset[TopicStatus]] = {
    TopicStatus.VOORGESTELD: frozenset({TopicStatus.ACTIEF, TopicStatus.GEPARKEERD, TopicStatus.GESLOTEN}),
    TopicStatus.ACTIEF: frozenset({TopicStatus.IN_RONDE, TopicStatus.GEPARKEERD, TopicStatus.GESLOTEN}),
    # A round either ends in agreement or is stopped, which puts the topic back to active.
    TopicStatus.IN_RONDE: frozenset({TopicStatus.AKKOORD, TopicStatus.ACTIEF}),
    # Co-creation or information may end at agreement; advice goes to the board first.
    TopicStatus.AKKOORD: frozenset({TopicStatus.ADVIES_GEGEVEN, TopicStatus.GESLOTEN}),
    TopicStatus.ADVIES_GEGEVEN: frozenset({TopicStatus.REALISATIE_GETOETST, TopicStatus.GESLOTEN}),
    TopicStatus.REALISATIE_GETOETST: frozenset({TopicStatus.GESLOTEN}),
    TopicStatus.GEPARKEERD: frozenset({TopicStatus.ACTIEF, TopicStatus.GESLOTEN}),
    TopicStatus.GESLOTEN: frozenset(),
}


@dataclass(frozen=True)
class FormalAdvice:
    """An advice (or consent) request from the corporation, the council's advice and the board's reply."""

    request_received_on: date
    deadline: date
    advice_text: str | None = None
    advice_sent_on: date | None = None
    reply_text: str | None = None
    reply_received_on: date | None = None
    reply_deviates: bool | None = None

    @property
    def reply_due_on(self) -> date | None:
        return self.advice_sent_on + timedelta(days=BOARD_REPLY_DAYS) if self.advice_sent_on else None

    @property
    def sent_late(self) -> bool:
        return self.advice_sent_on is not None and self.advice_sent_on > self.deadline

    @property
    def late_deviation(self) -> bool:
        """The board deviated from the advice and answered later than 14 days after it was sent."""
        return bool(self.reply_deviates and self.reply_received_on and self.reply_due_on
                    and self.reply_received_on > self.reply_due_on)

    def reply_overdue(self, today: date) -> bool:
        """Advice sent, no reply yet, and the 14 days have passed."""
        return self.reply_due_on is not None and self.reply_received_on is None and today > self.reply_due_on


@dataclass(frozen=True)
class RealisationCheck:
    id: int
    due_on: date
    description: str
    result_note: str | None = None
    checked_on: date | None = None

    @property
    def done(self) -> bool:
        return self.checked_on is not None


@dataclass(frozen=True)
class MemberScore:
    """One member's own score of a topic: a new score replaces their earlier one."""

    member: str
    importance: int
    influence: int


@dataclass(frozen=True)
class Topic:
    id: int
    council_id: str
    title: str
    source: TopicSource
    mode: TopicMode
    created_at: datetime
    importance: int | None = None  # belang 1-5
    influence: int | None = None  # (expected) invloed 1-5
    status: TopicStatus = TopicStatus.VOORGESTELD
    source_ref: str | None = None  # e.g. the signal cluster it came from
    advice: FormalAdvice | None = None
    checks: tuple[RealisationCheck, ...] = ()
    # The members' own scores. When there are any, the council's score is their median; ``importance`` and
    # ``influence`` are then only the first estimate (given when the topic was made, or by the operator).
    scores: tuple[MemberScore, ...] = ()

    @property
    def scored_by(self) -> int:
        return len(self.scores)

    @property
    def council_importance(self) -> float | None:
        return float(median(s.importance for s in self.scores)) if self.scores else _float(self.importance)

    @property
    def council_influence(self) -> float | None:
        return float(median(s.influence for s in self.scores)) if self.scores else _float(self.influence)

    @property
    def score(self) -> float | None:
        importance, influence = self.council_importance, self.council_influence
        if importance is None or influence is None:
            return None
        return importance * influence

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def score_line(self, lang: str | None = None) -> str:
        """"belang 4 · invloed 5" (or "nog niet gescoord")."""
        if self.score is None:
            return i18n.t("delib.agenda.not_scored", lang)
        importance = format_score(self.council_importance, lang)
        influence = format_score(self.council_influence, lang)
        if not self.scores:
            return i18n.t("delib.agenda.score_line", lang, importance=importance, influence=influence)
        code = "delib.agenda.score_line_one" if self.scored_by == 1 else "delib.agenda.score_line_council"
        return i18n.t(code, lang, importance=importance, influence=influence, count=self.scored_by)


def _float(value: int | None) -> float | None:
    return float(value) if value is not None else None


def format_score(value: float | None, lang: str | None = None) -> str:
    """4.0 → "4"; 3.5 → "3,5" (Dutch) or "3.5" (English)."""
    if value is None:
        return "-"
    if float(value).is_integer():
        return str(int(value))
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if i18n.normalise_language(lang) == "nl" else shown


# --------------------------------------------------------------------------- creating and scoring


def new_topic(*, id: int, council_id: str, title: str, source: TopicSource | str, mode: TopicMode | str,
              created_at: datetime, importance: int | None = None, influence: int | None = None,
              source_ref: str | None = None) -> Topic:
    """``!onderwerp <titel>`` or a promoted signal cluster; starts as ``voorgesteld``."""
    topic = Topic(id=id, council_id=council_id, title=_check_title(title), source=_source(source),
                  mode=_mode(mode), created_at=created_at, source_ref=source_ref)
    if importance is not None or influence is not None:
        topic = replace(topic, importance=_check_score(importance, "importance"),
                        influence=_check_score(influence, "influence"))
    return topic


def set_scores(topic: Topic, importance: int, influence: int) -> Topic:
    """``!score <nr> belang <1-5> invloed <1-5>``."""
    _require_not_closed(topic)
    return replace(topic, importance=_check_score(importance, "importance"),
                   influence=_check_score(influence, "influence"))


def score_by_member(topic: Topic, member: str, importance: int, influence: int) -> Topic:
    """``!score <nr> belang <1-5> invloed <1-5>`` by a member: their own score, replacing their earlier one.
    The agenda shows the council's median and how many scored."""
    _require_not_closed(topic)
    own = MemberScore(member, _check_score(importance, "importance"), _check_score(influence, "influence"))
    others = tuple(s for s in topic.scores if s.member != member)
    return replace(topic, scores=tuple(sorted(others + (own,), key=lambda s: s.member)))


def rename(topic: Topic, title: str) -> Topic:
    _require_not_closed(topic)
    return replace(topic, title=_check_title(title))


def set_mode(topic: Topic, mode: TopicMode | str) -> Topic:
    _require_not_closed(topic)
    wanted = _mode(mode)
    if topic.advice is not None and wanted not in (TopicMode.FORMEEL_ADVIES, TopicMode.INSTEMMING):
        raise Conflict("delib.advice.mode_locked", f"topic {topic.id} has an advice request", topic_id=topic.id)
    return replace(topic, mode=wanted)


# --------------------------------------------------------------------------- lifecycle


def change_status(topic: Topic, wanted: TopicStatus | str, *, council_topics: Iterable[Topic] | None = None,
                  cap: int = DEFAULT_ACTIVE_CAP) -> Topic:
    """Move a topic on. ``council_topics`` (the council's topics) is needed when it becomes active."""
    wanted = _status(wanted)
    if wanted is topic.status:
        raise LabelledConflict("delib.topic.already", f"topic {topic.id} already {wanted.value}",
                               labels={"status": "delib.topic_status."}, topic_id=topic.id, status=wanted.value)
    if wanted not in TRANSITIONS[topic.status]:
        raise LabelledConflict("delib.topic.bad_transition",
                               f"topic {topic.id}: {topic.status.value} -> {wanted.value}",
                               labels={"current": "delib.topic_status.", "wanted": "delib.topic_status."},
                               topic_id=topic.id, current=topic.status.value, wanted=wanted.value)
    if wanted in ACTIVE_STATUSES and not topic.is_active:
        if council_topics is None:
            raise ValueError("activating a topic needs the council's topics to check the cap")
        _check_cap(topic, council_topics, cap)
    if (wanted is TopicStatus.ADVIES_GEGEVEN and topic.mode in (TopicMode.FORMEEL_ADVIES, TopicMode.INSTEMMING)
            and (topic.advice is None or topic.advice.advice_sent_on is None)):
        raise Conflict("delib.advice.not_sent", f"topic {topic.id}: advice not recorded", topic_id=topic.id)
    return replace(topic, status=wanted)


def activate(topic: Topic, council_topics: Iterable[Topic], cap: int = DEFAULT_ACTIVE_CAP) -> Topic:
    """``!activeer <nr>``: from voorgesteld or geparkeerd, within the cap."""
    return change_status(topic, TopicStatus.ACTIEF, council_topics=council_topics, cap=cap)


def park(topic: Topic) -> Topic:
    """``!parkeer <nr>``: from voorgesteld or actief (a running round is stopped first)."""
    return change_status(topic, TopicStatus.GEPARKEERD)


def start_round(topic: Topic) -> Topic:
    """A round opened on the topic; only an active topic gets a round."""
    return change_status(topic, TopicStatus.IN_RONDE)


def record_agreement(topic: Topic) -> Topic:
    return change_status(topic, TopicStatus.AKKOORD)


def round_stopped(topic: Topic) -> Topic:
    """The round was abandoned: the topic is active again (it never left the cap)."""
    if topic.status is not TopicStatus.IN_RONDE:
        raise LabelledConflict("delib.topic.bad_transition", f"topic {topic.id}: no round to stop",
                               labels={"current": "delib.topic_status.", "wanted": "delib.topic_status."},
                               topic_id=topic.id, current=topic.status.value, wanted=TopicStatus.ACTIEF.value)
    return change_status(topic, TopicStatus.ACTIEF)


def close(topic: Topic) -> Topic:
    return change_status(topic, TopicStatus.GESLOTEN)


def _check_cap(topic: Topic, council_topics: Iterable[Topic], cap: int) -> None:
    active = sorted((t for t in council_topics
                     if t.council_id == topic.council_id and t.id != topic.id and t.is_active),
                    key=lambda t: t.id)
    if len(active) >= cap:
        raise Conflict("delib.agenda.cap_reached", f"council {topic.council_id}: {len(active)} active topics",
                       cap=cap, topic_id=topic.id,
                       active=", ".join(f"#{t.id} {t.title}" for t in active),
                       active_topic_ids=[t.id for t in active])


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class RankedTopic:
    rank: int
    topic: Topic

    @property
    def score(self) -> float | None:
        return self.topic.score

    @property
    def importance(self) -> float | None:
        return self.topic.council_importance

    @property
    def influence(self) -> float | None:
        return self.topic.council_influence


@dataclass(frozen=True)
class AgendaView:
    """What ``!agenda`` shows: the active topics and the waiting list, each ranked."""

    council_id: str
    active: tuple[RankedTopic, ...]
    waiting: tuple[RankedTopic, ...]
    cap: int


def rank(topics: Iterable[Topic]) -> tuple[RankedTopic, ...]:
    """Importance × influence, high first; ties: higher importance, then older first. Unscored last."""
    ordered = sorted(topics, key=lambda t: (t.score is None, -(t.score or 0), -(t.council_importance or 0),
                                            t.created_at, t.id))
    return tuple(RankedTopic(rank=i, topic=t) for i, t in enumerate(ordered, start=1))


def agenda(topics: Iterable[Topic], council_id: str, cap: int = DEFAULT_ACTIVE_CAP) -> AgendaView:
    own = [t for t in topics if t.council_id == council_id]
    return AgendaView(
        council_id=council_id,
        active=rank(t for t in own if t.status in ACTIVE_STATUSES),
        waiting=rank(t for t in own if t.status in WAITING_STATUSES),
        cap=cap,
    )


# --------------------------------------------------------------------------- formal advice


def receive_advice_request(topic: Topic, received_on: date, *, period_weeks: int = ADVICE_PERIOD_WEEKS) -> Topic:
    """The corporation asked for advice (or consent) on ``received_on``; the deadline follows."""
    _require_not_closed(topic)
    if topic.mode not in (TopicMode.FORMEEL_ADVIES, TopicMode.INSTEMMING):
        raise LabelledConflict("delib.advice.wrong_mode", f"topic {topic.id} mode {topic.mode.value}",
                               labels={"mode": "delib.topic_mode."}, topic_id=topic.id, mode=topic.mode.value)
    if topic.advice is not None and topic.advice.advice_sent_on is not None:
        raise Conflict("delib.advice.already_sent", f"topic {topic.id}: advice already sent", topic_id=topic.id)
    if isinstance(period_weeks, bool) or not isinstance(period_weeks, int) or period_weeks < 1:
        raise InvalidInput("delib.advice.bad_period", f"advice period {period_weeks!r}", given=period_weeks)
    advice = FormalAdvice(request_received_on=received_on, deadline=received_on + timedelta(weeks=period_weeks))
    return replace(topic, advice=advice)


def send_advice(topic: Topic, text: str, sent_on: date) -> Topic:
    """The council's advice went to the board on ``sent_on``; the topic moves to ``advies_gegeven``."""
    advice = _require_request(topic)
    if advice.advice_sent_on is not None:
        raise Conflict("delib.advice.already_sent", f"topic {topic.id}: advice already sent", topic_id=topic.id)
    text = _clean(text)
    if not text:
        raise InvalidInput("delib.advice.text_required", "advice without text")
    if sent_on < advice.request_received_on:
        raise InvalidInput("delib.advice.sent_before_request", f"topic {topic.id}: sent before request",
                           sent_on=sent_on.isoformat(), received_on=advice.request_received_on.isoformat())
    with_advice = replace(topic, advice=replace(advice, advice_text=text, advice_sent_on=sent_on))
    return change_status(with_advice, TopicStatus.ADVIES_GEGEVEN)


def record_board_reply(topic: Topic, text: str, received_on: date, *, deviates: bool) -> Topic:
    """The board's written reply; ``deviates`` when it does not follow the advice."""
    advice = _require_request(topic)
    if advice.advice_sent_on is None:
        raise Conflict("delib.advice.not_sent", f"topic {topic.id}: reply before advice", topic_id=topic.id)
    if advice.reply_received_on is not None:
        raise Conflict("delib.advice.reply_exists", f"topic {topic.id}: reply already recorded", topic_id=topic.id)
    text = _clean(text)
    if not text:
        raise InvalidInput("delib.advice.reply_text_required", "reply without text")
    if received_on < advice.advice_sent_on:
        raise InvalidInput("delib.advice.reply_before_advice", f"topic {topic.id}: reply before advice",
                           received_on=received_on.isoformat(), sent_on=advice.advice_sent_on.isoformat())
    return replace(topic, advice=replace(advice, reply_text=text, reply_received_on=received_on,
                                         reply_deviates=bool(deviates)))


def _require_request(topic: Topic) -> FormalAdvice:
    if topic.advice is None:
        raise Conflict("delib.advice.no_request", f"topic {topic.id}: no advice request", topic_id=topic.id)
    return topic.advice


# --------------------------------------------------------------------------- realisation checks


@dataclass(frozen=True)
class DueCheck:
    topic: Topic
    check: RealisationCheck


def plan_check(topic: Topic, due_on: date, description: str) -> Topic:
    """Plan a realisation check on a review date, once the advice (or outcome) has been given."""
    if topic.status not in (TopicStatus.ADVIES_GEGEVEN, TopicStatus.REALISATIE_GETOETST):
        raise LabelledConflict("delib.check.wrong_status", f"topic {topic.id} is {topic.status.value}",
                               labels={"status": "delib.topic_status."}, topic_id=topic.id,
                               status=topic.status.value)
    description = _clean(description)
    if not description:
        raise InvalidInput("delib.check.description_required", "check without description")
    check = RealisationCheck(id=len(topic.checks) + 1, due_on=due_on, description=description)
    return replace(topic, checks=topic.checks + (check,))


def record_check_result(topic: Topic, check_id: int, note: str, checked_on: date) -> Topic:
    """The result of a check; the first one moves the topic to ``realisatie_getoetst``."""
    _require_not_closed(topic)
    check = next((c for c in topic.checks if c.id == check_id), None)
    if check is None:
        raise NotFound("delib.check.not_found", f"topic {topic.id}: no check {check_id}",
                       topic_id=topic.id, check_id=check_id)
    if check.done:
        raise Conflict("delib.check.already_done", f"topic {topic.id}: check {check_id} done",
                       topic_id=topic.id, check_id=check_id)
    note = _clean(note)
    if not note:
        raise InvalidInput("delib.check.note_required", "check result without note")
    checks = tuple(replace(c, result_note=note, checked_on=checked_on) if c.id == check_id else c
                   for c in topic.checks)
    topic = replace(topic, checks=checks)
    if topic.status is TopicStatus.ADVIES_GEGEVEN:
        topic = change_status(topic, TopicStatus.REALISATIE_GETOETST)
    return topic


def checks_due(topics: Iterable[Topic], on: date) -> tuple[DueCheck, ...]:
    """Checks not done whose review date is ``on`` or earlier, on topics that are not closed."""
    due = [DueCheck(t, c) for t in topics if t.status is not TopicStatus.GESLOTEN
           for c in t.checks if not c.done and c.due_on <= on]
    return tuple(sorted(due, key=lambda d: (d.check.due_on, d.topic.id, d.check.id)))


def topic_not_found(topic_id: int | str) -> NotFound:
    """For the store: an unknown topic number."""
    return NotFound("delib.topic.not_found", f"no topic {topic_id}", topic_id=topic_id)


# --------------------------------------------------------------------------- validation helpers


def _check_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("delib.topic.title_required", "topic without title")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput("delib.topic.title_too_long", "topic title too long", max=MAX_TITLE_LENGTH)
    return title


_SCORE_CODES = {"importance": "delib.topic.importance_range", "influence": "delib.topic.influence_range"}


def _check_score(value: int | None, which: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
        raise InvalidInput(_SCORE_CODES[which], f"{which} {value!r} out of range",
                           value=value, min=SCORE_MIN, max=SCORE_MAX)
    return value


def _source(value: TopicSource | str) -> TopicSource:
    try:
        return TopicSource(value)
    except ValueError:
        raise InvalidInput("delib.topic.bad_source", f"source {value!r}", given=str(value),
                           allowed=", ".join(s.value for s in TopicSource)) from None


def _mode(value: TopicMode | str) -> TopicMode:
    try:
        return TopicMode(value)
    except ValueError:
        raise InvalidInput("delib.topic.bad_mode", f"mode {value!r}", given=str(value),
                           allowed=", ".join(m.value for m in TopicMode)) from None


def _status(value: TopicStatus | str) -> TopicStatus:
    try:
        return TopicStatus(value)
    except ValueError:
        raise InvalidInput("delib.topic.bad_status", f"status {value!r}", given=str(value),
                           allowed=", ".join(s.value for s in TopicStatus)) from None


def _require_not_closed(topic: Topic) -> None:
    if topic.status is TopicStatus.GESLOTEN:
        raise Conflict("delib.topic.closed", f"topic {topic.id} is closed", topic_id=topic.id)


def _clean(text: str | None) -> str | None:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput("delib.text.too_long", f"text of {len(text)} characters", max=MAX_TEXT_LENGTH)
    return text or None
