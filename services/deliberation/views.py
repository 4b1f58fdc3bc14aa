"""Presenters: what the actions return (domain objects and the records of :mod:`.actions`), as the JSON
models of :mod:`.schemas`. Pure: no database, no request; the language is the caller's (``ctx.lang``).

Members appear by display name (``PersonOut``), never as a count: a round shows who has not responded,
the concerns and the open objections, no tally.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from services.deliberation import store
from services.deliberation.actions import (
    Absences,
    AdviceView,
    Agenda,
    Ctx,
    Deadlines,
    InfluenceOverview,
    InfluenceView,
    MemberView,
    Register,
    RosterView,
    RoundView,
    ScenarioEntry,
    ScenarioRegister,
    ScenarioView,
    TopicView,
    display_name,
    names_of,
    participants_of,
    scenario_participants,
    scenario_thread_url,
    status_label,
)
from services.deliberation.domain.agenda import RankedTopic, Topic
from services.deliberation.domain.background import Background, background_line
from services.deliberation.domain.background import shown as shown_background
from services.deliberation.domain.consensus import Objection
from services.deliberation.domain.register import (
    RegisterEntry, position_label, to_html, to_markdown, with_objections,
)
from services.deliberation.domain.influence import Averages, RealisedInfluence, TopicInfluence
from services.deliberation.domain.register import ScenarioRecord
from services.deliberation.domain.roster import AbsenceNotice, Application, Member, Roster, Seat
from services.deliberation.domain.scenarios import ObjectionView, OptionOutcome, ScenarioObjection, ScenarioOutcome
from services.deliberation.schemas import (
    AbsenceOut,
    AdviceCheckOut,
    AdviceOut,
    AgendaItem,
    AgendaOut,
    ApplicationOut,
    ApplicationReceipt,
    BackgroundOut,
    CheckOut,
    ConcernOut,
    DeadlineOut,
    DecisionOut,
    EventOut,
    InfluenceAveragesOut,
    InfluenceOverviewOut,
    InfluenceRecordOut,
    MemberOut,
    MergedOptionOut,
    ModeInfluenceOut,
    OptionOut,
    OptionOutcomeOut,
    ObjectionOut,
    ObjectionRecordOut,
    PersonOut,
    PositionOut,
    RegisterEntryOut,
    RosterOut,
    RoundOut,
    ScenarioObjectionOut,
    ScenarioObjectionRecordOut,
    ScenarioOutcomeOut,
    ScenarioRoundOut,
    SeatOut,
    TopicInfluenceOut,
    TopicOut,
    TrajectoryOut,
)
from shared import i18n


def person(matrix_id: str, names: Mapping[str, str]) -> PersonOut:
    return PersonOut(matrix_id=matrix_id, display_name=display_name(matrix_id, names))


# --------------------------------------------------------------------------- roster


def member_out(ctx: Ctx, member: Member, roster: Roster, groups: Mapping[str, str]) -> MemberOut:
    group = ""
    if member.seat_id is not None:
        group = next((s.group.label for s in roster.seats if s.id == member.seat_id), "")
    return MemberOut(matrix_id=member.matrix_id, display_name=member.display_name,
                     member_type=member.member_type.value,
                     member_type_label=status_label("member_type", member.member_type.value, ctx.lang),
                     customer_group=group or groups.get(member.matrix_id, ""), seat_id=member.seat_id,
                     term_start=member.term_start, term_end=member.term_end, secretary=member.secretary,
                     language=member.language, serving=member.active_on(ctx.today), in_chat=member.in_chat)


def member_view_out(ctx: Ctx, view: MemberView) -> MemberOut:
    return member_out(ctx, view.member, view.roster, view.groups)


def seat_out(seat: Seat, holder: Member | None = None, upcoming: Member | None = None,
             names: Mapping[str, str] | None = None) -> SeatOut:
    names = names or {}
    return SeatOut(id=seat.id, group=seat.group.label, age_band=seat.group.age_band, area=seat.group.area,
                   background=seat.group.background,
                   holder=person(holder.matrix_id, names) if holder else None,
                   upcoming_holder=person(upcoming.matrix_id, names) if upcoming else None)


def roster_out(ctx: Ctx, view: RosterView) -> RosterOut:
    roster, groups = view.roster, view.groups
    afspiegeling = roster.afspiegeling(ctx.today)
    names = names_of(ctx.council, roster)
    held = {h.seat.id: h.member for h in afspiegeling.held}
    upcoming = {h.seat.id: h.member for h in afspiegeling.upcoming}
    members = sorted((m for m in roster.members if m.not_ended_on(ctx.today)), key=lambda m: m.display_name.lower())
    return RosterOut(
        council=ctx.slug, max_seats=roster.max_seats,
        members=[member_out(ctx, m, roster, groups) for m in members],
        seats=[seat_out(s, held.get(s.id), upcoming.get(s.id), names) for s in roster.seats],
        vacant_seats=[s.id for s in afspiegeling.vacant],
        unrepresented_groups=[g.label for g in afspiegeling.unrepresented_groups],
        members_without_seat=[person(m.matrix_id, names) for m in afspiegeling.members_without_seat],
    )


def seat_of(ctx: Ctx, roster: Roster, seat_id: int) -> SeatOut:
    """One seat as the roster shows it (with its holder)."""
    return next(seat for seat in roster_out(ctx, RosterView(roster, {})).seats if seat.id == seat_id)


# --------------------------------------------------------------------------- applications


def application_out(ctx: Ctx, app: Application) -> ApplicationOut:
    return ApplicationOut(id=app.id, name=app.name, member_type=app.member_type.value, matrix_id=app.matrix_id,
                          contact=app.contact, motivation=app.motivation, status=app.status.value,
                          status_label=status_label("application_status", app.status.value, ctx.lang),
                          received_on=app.received_on, decided_on=app.decided_on, seat_id=app.seat_id,
                          note=app.note)


def application_receipt(app: Application) -> ApplicationReceipt:
    """The applicant learns only their receipt: nothing about other applications."""
    return ApplicationReceipt(id=app.id, status=app.status.value)


def absences_out(absences: Absences) -> list[AbsenceOut]:
    return [absence_out(n, absences.names) for n in absences.notices]


def absence_out(notice: AbsenceNotice, names: Mapping[str, str]) -> AbsenceOut:
    return AbsenceOut(matrix_id=notice.matrix_id, display_name=display_name(notice.matrix_id, names),
                      occasion=notice.occasion, noted_on=notice.noted_on)


# --------------------------------------------------------------------------- topics and the agenda


def decision_out(entry: store.StoredEntry | None) -> DecisionOut | None:
    if entry is None:
        return None
    a = entry.entry.agreement
    return DecisionOut(round_id=a.round_id, text=a.text, version=a.version, decided_at=a.decided_at,
                       decided_on=a.decided_on, thread_url=entry.entry.thread_url)


def topic_out(ctx: Ctx, view: TopicView) -> TopicOut:
    topic = view.topic
    advice = None
    if topic.advice is not None:
        a = topic.advice
        advice = AdviceOut(request_received_on=a.request_received_on, deadline=a.deadline, advice_text=a.advice_text,
                           advice_sent_on=a.advice_sent_on, sent_late=a.sent_late, reply_text=a.reply_text,
                           reply_received_on=a.reply_received_on, reply_due_on=a.reply_due_on,
                           reply_deviates=a.reply_deviates, late_deviation=a.late_deviation)
    return TopicOut(
        id=topic.id, title=topic.title, source=topic.source.value, source_ref=topic.source_ref,
        evidence=view.evidence, mode=topic.mode.value,
        mode_label=status_label("topic_mode", topic.mode.value, ctx.lang),
        status=topic.status.value, status_label=status_label("topic_status", topic.status.value, ctx.lang),
        importance=topic.council_importance, influence=topic.council_influence, score=topic.score,
        scored_by=topic.scored_by, score_line=topic.score_line(ctx.lang), created_at=topic.created_at, open_round_id=view.open_round_id,
        advice=advice,
        checks=[CheckOut(id=c.id, due_on=c.due_on, description=c.description, result_note=c.result_note,
                         checked_on=c.checked_on) for c in topic.checks],
        decision=decision_out(view.decision),
    )


def agenda_out(ctx: Ctx, agenda: Agenda) -> AgendaOut:
    def with_influence(ranked: RankedTopic, influence: TopicInfluence | None) -> AgendaItem:
        t = ranked.topic
        return AgendaItem(rank=ranked.rank, id=t.id, title=t.title, status=t.status.value,
                          status_label=status_label("topic_status", t.status.value, ctx.lang), mode=t.mode.value,
                          importance=t.council_importance, influence=t.council_influence,
                          scored_by=t.scored_by, score_line=t.score_line(ctx.lang),
                          open_round_id=agenda.open_rounds.get(t.id),
                          open_scenarios_id=agenda.open_scenarios.get(t.id),
                          expected_influence=influence.expected if influence else None,
                          realised_influence=influence.realised if influence else None)

    def item(ranked: RankedTopic) -> AgendaItem:
        return with_influence(ranked, agenda.influence.get(ranked.topic.id))

    view = agenda.view
    year = agenda.year
    return AgendaOut(council=ctx.slug, cap=view.cap, active=[item(r) for r in view.active],
                     waiting=[item(r) for r in view.waiting], influence_year=year.year if year else None,
                     influence=averages_out(year.averages) if year else None)


def deadlines_out(ctx: Ctx, deadlines: Deadlines) -> list[DeadlineOut]:
    """Advice deadlines, expected board replies and realisation checks inside the period, by date."""
    start, end = deadlines.start, deadlines.end
    out: list[DeadlineOut] = []

    def add(uid: str, kind: str, on: date, code: str, topic: Topic, done: bool) -> None:
        if start <= on <= end:
            out.append(DeadlineOut(uid=f"{uid}@{ctx.slug}.deliberation.overleg", kind=kind, date=on,
                                   title=i18n.t(code, ctx.lang, title=topic.title), topic_id=topic.id,
                                   topic_title=topic.title, done=done))

    for topic in deadlines.topics:
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
    topics = {t.id: t for t in deadlines.topics}
    for t in deadlines.trajectories:
        # An advice trajectory's dates, titled with the advice's own title.
        named = replace(topics[t.topic_id], title=t.title)
        add(f"advies-{t.id}", "advice_deadline", t.deadline, "delib.deadline.advice", named, t.sent_on is not None)
        if t.reply_due_on is not None:
            add(f"advies-reactie-{t.id}", "board_reply_due", t.reply_due_on, "delib.deadline.board_reply", named,
                t.reply is not None)
        for c in t.checks:
            add(f"advies-toets-{t.id}-{c.number}", "realisation_check", c.due_on, "delib.deadline.check", named,
                c.done)
    return sorted(out, key=lambda d: (d.date, d.topic_id, d.uid))


# --------------------------------------------------------------------------- rounds


def round_out(ctx: Ctx, view: RoundView) -> RoundOut:
    rnd, info = view.round, view.info
    participants = participants_of(ctx, view.roster, view.notices, rnd.round_id)
    names = names_of(ctx.council, view.roster)
    status = rnd.status(participants, ctx.council.quorum, ctx.now)
    return RoundOut(
        id=rnd.round_id, topic_id=rnd.topic_id, topic_title=view.topic_title, state=status.state.value,
        state_label=status_label("round_state", status.state.value, ctx.lang), phase=status.phase.value,
        phase_label=status_label("phase", status.phase.value, ctx.lang), version=status.version,
        proposal=status.proposal, opener=person(rnd.opener, names), deadline=status.deadline,
        deadline_passed=status.deadline_passed,
        not_responded=[person(m, names) for m in sorted(status.not_responded, key=lambda m: names.get(m, m).lower())],
        absent=[person(m, names) for m in sorted(participants.absent)] if rnd.is_open else [],
        not_in_chat=[person(m, names) for m in sorted(participants.not_in_chat)] if rnd.is_open else [],
        concerns=[ConcernOut(matrix_id=c.member, display_name=display_name(c.member, names), text=c.text)
                  for c in status.concerns],
        open_objections=[ObjectionOut(id=o.id, matrix_id=o.member, display_name=display_name(o.member, names),
                                      argument=o.argument, version=o.version,
                                      asked_about_version=o.asked_about_version) for o in status.open_objections],
        info_requested=[ConcernOut(matrix_id=i.member, display_name=display_name(i.member, names),
                                   text=i.question) for i in status.info_requested],
        quorum_shortfall=status.quorum_shortfall, can_record_agreement=status.can_record_agreement,
        thread_key=info.thread_key, thread_url=view.thread_url, duplicate=view.duplicate,
        objection_id=view.objection_id,
        background=[background_out(ctx, n) for n in view.background],
        background_lines=[background_line(n, ctx.lang) for n in shown_background(view.background)],
    )


def background_out(ctx: Ctx, note: Background, *, created: bool = False) -> BackgroundOut:
    return BackgroundOut(topic_id=note.topic_id, source=note.source, key=note.key, title=note.title, text=note.text,
                         added_on=note.added_on, line=background_line(note, ctx.lang), created=created)


def event_out(event: Mapping[str, Any]) -> EventOut:
    return EventOut(seq=event["seq"], type=event["type"], actor=event["actor"], at=datetime.fromisoformat(event["at"]),
                    data=event.get("data") or {})


# --------------------------------------------------------------------------- decision register


def objection_record_out(ctx: Ctx, o: Objection, names: Mapping[str, str]) -> ObjectionRecordOut:
    return ObjectionRecordOut(id=o.id, matrix_id=o.member, display_name=display_name(o.member, names),
                              argument=o.argument, version=o.version, status=o.status.value,
                              status_label=status_label("objection_status", o.status.value, ctx.lang), note=o.note,
                              resolved_in_version=o.resolved_in_version,
                              closed_by=person(o.closed_by, names) if o.closed_by else None)


def entry_out(ctx: Ctx, stored: store.StoredEntry, objections: Iterable[Objection] = (),
              influence: Iterable[RealisedInfluence] = (), background: Iterable[Background] = ()) -> RegisterEntryOut:
    a, names = stored.entry.agreement, stored.names
    return RegisterEntryOut(
        round_id=a.round_id, topic_id=a.topic_id, topic_title=stored.entry.topic_title, text=a.text,
        version=a.version, decided_at=a.decided_at, decided_on=a.decided_on, decided_by=person(a.decided_by, names),
        positions=[PositionOut(matrix_id=p.member, display_name=display_name(p.member, names),
                               position=p.position.value, position_label=position_label(p, ctx.lang), text=p.text)
                   for p in a.positions],
        absent=[person(m, names) for m in a.absent], thread_url=stored.entry.thread_url,
        objections=[objection_record_out(ctx, o, names) for o in objections],
        influence=[influence_record_out(ctx, r, names) for r in influence],
        background=[background_out(ctx, n) for n in background],
    )


def register_document(ctx: Ctx, register: Register, *, html: bool, start: date | None,
                      end: date | None, scenarios: ScenarioRegister | None = None) -> str:
    """The besluitenlijst as Markdown or HTML (escaped: members' text is inert): the agreements, then the ended
    scenario rounds (agreement on one option, or meegedacht) with every option's objections and concerns, and
    under each topic what changed because of the council."""
    entries: Iterable[RegisterEntry] = [
        with_objections(e.entry, register.objections.get(e.entry.agreement.round_id, ())) for e in register.entries]
    names = dict(register.names)
    influence = dict(register.influence)
    background = dict(register.background)
    records: list[ScenarioRecord] = []
    if scenarios is not None:
        names.update(scenarios.names)
        influence.update(scenarios.influence)
        background.update(scenarios.background)
        records = [ScenarioRecord(e.outcome, e.topic_title, e.round.objections, scenario_url(e))
                   for e in scenarios.entries]
    render = to_html if html else to_markdown
    return render(list(entries), council_name=ctx.council.name, lang=ctx.lang, start=start, end=end,
                  display_names=names, scenarios=records, influence=influence, background=background)


def scenario_url(entry: ScenarioEntry) -> str | None:
    return scenario_thread_url(entry.info)


# --------------------------------------------------------------------------- advice trajectories


def trajectory_out(ctx: Ctx, view: AdviceView) -> TrajectoryOut:
    t, topic = view.trajectory, view.topic
    return TrajectoryOut(
        id=t.id, title=t.title, kind=t.kind.value, kind_label=status_label("advice_kind", t.kind.value, ctx.lang),
        topic_id=topic.id, topic_title=topic.title, topic_mode=topic.mode.value, stage=t.stage.value,
        stage_label=status_label("advice_stage", t.stage.value, ctx.lang), open=t.is_open, next_date=t.next_date,
        received_on=t.received_on, deadline=t.deadline, round_id=view.round_id or t.round_id, agreed_on=t.agreed_on,
        agreed_version=t.agreed_version, sent_on=t.sent_on, sent_late=t.sent_late, reply_due_on=t.reply_due_on,
        reply=t.reply.value if t.reply else None,
        reply_label=status_label("reply_kind", t.reply.value, ctx.lang) if t.reply else None,
        reply_text=t.reply_text, reply_on=t.reply_on, reply_late=t.reply_late, late_deviation=t.late_deviation,
        reply_overdue=t.reply_overdue(ctx.today),
        checks=[AdviceCheckOut(number=c.number, due_on=c.due_on, outcome=c.outcome.value if c.outcome else None,
                               outcome_label=status_label("outcome", c.outcome.value, ctx.lang) if c.outcome else None,
                               note=c.note, checked_on=c.checked_on) for c in t.checks],
        thread_key=view.thread_key, created=view.created,
    )


# --------------------------------------------------------------------------- scenario rounds (co-creation)


def _objection_view_out(o: ObjectionView | ScenarioObjection, names: Mapping[str, str]) -> ScenarioObjectionOut:
    return ScenarioObjectionOut(id=o.id, matrix_id=o.member, display_name=display_name(o.member, names),
                                argument=o.argument, raised_option=o.raised_option, raised_version=o.raised_version,
                                asked_about_version=o.asked_about_version)


def _by_name(members: Iterable[str], names: Mapping[str, str]) -> list[PersonOut]:
    return [person(m, names) for m in sorted(members, key=lambda m: display_name(m, names).lower())]


def option_outcome_out(ctx: Ctx, o: OptionOutcome, names: Mapping[str, str]) -> OptionOutcomeOut:
    return OptionOutcomeOut(
        option=o.option, text=o.text, version=o.version, source=o.source.value,
        source_label=status_label("option_source", o.source.value, ctx.lang), merged_from=list(o.merged_from),
        merged_into=o.merged_into,
        positions=[PositionOut(matrix_id=p.member, display_name=display_name(p.member, names),
                               position=p.position.value, position_label=position_label(p, ctx.lang), text=p.text)
                   for p in o.positions],
        open_objections=[_objection_view_out(x, names) for x in o.open_objections],
        concerns=[ConcernOut(matrix_id=c.member, display_name=display_name(c.member, names), text=c.text)
                  for c in o.concerns],
        preferred_by=_by_name(o.preferred_by, names))


def scenario_objection_record_out(ctx: Ctx, o: ScenarioObjection,
                                  names: Mapping[str, str]) -> ScenarioObjectionRecordOut:
    return ScenarioObjectionRecordOut(
        id=o.id, matrix_id=o.member, display_name=display_name(o.member, names), argument=o.argument,
        option=o.option, raised_option=o.raised_option, raised_version=o.raised_version, status=o.status.value,
        status_label=status_label("objection_status", o.status.value, ctx.lang), note=o.note,
        resolved_in_version=o.resolved_in_version)


def outcome_out(ctx: Ctx, outcome: ScenarioOutcome, *, topic_title: str, objections: Iterable[ScenarioObjection],
                names: Mapping[str, str], thread_url: str | None,
                influence: Iterable[RealisedInfluence] = (),
                background: Iterable[Background] = ()) -> ScenarioOutcomeOut:
    return ScenarioOutcomeOut(
        round_id=outcome.round_id, topic_id=outcome.topic_id, topic_title=topic_title, title=outcome.title,
        kind=outcome.kind.value, kind_label=status_label("scenario_state", outcome.kind.value, ctx.lang),
        decided_at=outcome.decided_at, decided_on=outcome.decided_on, decided_by=person(outcome.decided_by, names),
        agreed_option=outcome.agreed_option, options=[option_outcome_out(ctx, o, names) for o in outcome.options],
        objections=[scenario_objection_record_out(ctx, o, names) for o in objections],
        absent=[person(m, names) for m in outcome.absent], note=outcome.note, thread_url=thread_url,
        influence=[influence_record_out(ctx, r, names) for r in influence],
        background=[background_out(ctx, n) for n in background])


def scenario_out(ctx: Ctx, view: ScenarioView) -> ScenarioRoundOut:
    rnd, info = view.round, view.info
    participants = scenario_participants(ctx, view.roster, view.notices, rnd.round_id)
    names = {**names_of(ctx.council, view.roster), **info.names}
    status = rnd.status(participants, ctx.council.quorum, ctx.now)
    options = [OptionOut(
        option=o.option, version=o.version, text=o.text, source=o.source.value,
        source_label=status_label("option_source", o.source.value, ctx.lang), merged_from=list(o.merged_from),
        not_responded=_by_name(o.not_responded, names),
        open_objections=[_objection_view_out(x, names) for x in o.open_objections],
        concerns=[ConcernOut(matrix_id=c.member, display_name=display_name(c.member, names), text=c.text)
                  for c in o.concerns],
        info_requested=[ConcernOut(matrix_id=i.member, display_name=display_name(i.member, names), text=i.question)
                        for i in o.info_requested],
        preferred_by=_by_name(o.preferred_by, names), unopposed=o.unopposed,
        can_record_agreement=o.can_record_agreement) for o in status.options]
    outcome = None
    if rnd.outcome is not None:
        outcome = outcome_out(ctx, rnd.outcome, topic_title=view.topic_title, objections=rnd.objections, names=names,
                              thread_url=view.thread_url)
    return ScenarioRoundOut(
        id=rnd.round_id, topic_id=rnd.topic_id, topic_title=view.topic_title, title=rnd.title,
        state=status.state.value, state_label=status_label("scenario_state", status.state.value, ctx.lang),
        phase=status.phase.value, phase_label=status_label("phase", status.phase.value, ctx.lang),
        opener=person(rnd.opener, names), deadline=status.deadline, deadline_passed=status.deadline_passed,
        options=options,
        merged=[MergedOptionOut(option=m.option, text=m.text, merged_into=m.merged_into) for m in status.merged],
        unopposed=list(status.unopposed), decidable=list(status.decidable),
        absent=[person(m, names) for m in sorted(participants.absent)] if rnd.is_open else [],
        not_in_chat=[person(m, names) for m in sorted(participants.not_in_chat)] if rnd.is_open else [],
        quorum_shortfall=status.quorum_shortfall, agreed_option=status.agreed_option, thread_key=info.thread_key,
        thread_url=view.thread_url, outcome=outcome, duplicate=view.duplicate, objection_id=view.objection_id,
        option=view.option)


def scenario_entry_out(ctx: Ctx, entry: ScenarioEntry, register: ScenarioRegister) -> ScenarioOutcomeOut:
    names = {**register.names, **entry.info.names}
    return outcome_out(ctx, entry.outcome, topic_title=entry.topic_title, objections=entry.round.objections,
                       names=names, thread_url=scenario_url(entry),
                       influence=register.influence.get(entry.round.topic_id, ()),
                       background=register.background.get(entry.round.topic_id, ()))


# --------------------------------------------------------------------------- influence on the record


def influence_record_out(ctx: Ctx, r: RealisedInfluence, names: Mapping[str, str]) -> InfluenceRecordOut:
    return InfluenceRecordOut(score=r.score, what_changed=r.what_changed, kind=r.kind.value,
                              kind_label=status_label("influence_kind", r.kind.value, ctx.lang),
                              kind_given=r.kind_given, basis=r.basis.value if r.basis else None,
                              recorded_on=r.recorded_on, recorded_by=person(r.recorded_by, names))


def averages_out(a: Averages) -> InfluenceAveragesOut:
    return InfluenceAveragesOut(**a.to_dict())


def topic_influence_out(ctx: Ctx, t: TopicInfluence, status: str, names: Mapping[str, str]) -> TopicInfluenceOut:
    latest = t.latest
    return TopicInfluenceOut(
        topic_id=t.topic_id, title=t.title, mode=t.mode.value,
        mode_label=status_label("topic_mode", t.mode.value, ctx.lang), status=status, started_on=t.started_on,
        year=t.year, expected=t.expected, realised=t.realised,
        difference=round(t.difference, 2) if t.difference is not None else None,
        kind=t.kind.value if t.kind else None,
        kind_label=status_label("influence_kind", t.kind.value, ctx.lang) if t.kind else None,
        what_changed=latest.what_changed if latest else None,
        records=[influence_record_out(ctx, r, names) for r in t.records])


def influence_view_out(ctx: Ctx, view: InfluenceView) -> TopicInfluenceOut:
    return topic_influence_out(ctx, view.topic, view.status, view.names)


def influence_overview_out(ctx: Ctx, found: InfluenceOverview) -> InfluenceOverviewOut:
    o = found.overview
    return InfluenceOverviewOut(
        council=ctx.slug, year=o.year,
        topics=[topic_influence_out(ctx, t, found.statuses.get(t.topic_id, ""), found.names) for t in o.topics],
        averages=averages_out(o.averages),
        per_mode=[ModeInfluenceOut(mode=m.mode.value, mode_label=status_label("topic_mode", m.mode.value, ctx.lang),
                                   topic_ids=list(m.topic_ids), **m.averages.to_dict()) for m in o.per_mode],
        awaiting=list(o.awaiting))
