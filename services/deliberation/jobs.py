"""The deliberation service's background work, all in one place: reminders before a round's deadline,
realisation checks that fall due, and links from the decision register to the rounds' threads.
:func:`jobs` wires them for ``create_app`` (as ``jobs`` does in the other services).

Each function takes ``now`` (default: the clock) so tests can play a day ahead, and returns how much it
did (0 lets the job runner sleep). Every message has a stable outbox key, and the rows remember what
was sent, so a job that runs twice (or in two workers after a lease change) posts nothing twice.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from flask import Flask

from services.deliberation import store, texts
from services.deliberation.domain.consensus import Round, members_to_remind
from services.deliberation.domain.register import matrix_to_url
from services.deliberation.domain.roster import absent_for, round_occasion, scenarios_occasion
from shared.db import Database
from shared.errors import DomainError
from shared.jobs import Job
from shared.outbox import OutboundMessage, utcnow
from shared.service import Runtime, clock_of
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.deliberation.jobs")

REMINDER_LEAD = timedelta(days=1)


def reminder_due_at(rnd: Round) -> datetime:
    """A day before the deadline; for a short round, halfway, so nobody is pinged right after opening."""
    return max(rnd.deadline - REMINDER_LEAD, rnd.opened_at + (rnd.deadline - rnd.opened_at) / 2)


def _local(council: CouncilConfig, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(council.timezone))


def send_reminders(rt: Runtime, settings: Settings, now: datetime | None = None) -> int:
    """Once per round per deadline: a message in the round's thread that notifies only the members who
    have not responded to the current version."""
    now = now or utcnow()
    with rt.db.read() as s:
        candidates = store.rounds_to_remind(s)
    sent = 0
    for round_id, slug in candidates:
        council = settings.council(slug)
        if council is None:
            continue
        local = _local(council, now)
        with rt.db.session() as s:
            info, rnd = store.load_round(s, slug, round_id, lock=True)
            if not rnd.is_open or info.reminded_for == rnd.deadline or local < reminder_due_at(rnd):
                continue
            roster = store.load_roster(s, slug, council.max_seats)
            absent = absent_for(store.absences(s, slug, round_occasion(round_id)), round_occasion(round_id))
            p = roster.participants(local.date(), absent)
            to_remind = members_to_remind(rnd, p.present)
            if not to_remind:
                # Everyone responded: look again later (an amended proposal clears the positions), until
                # the deadline has passed.
                if local > rnd.deadline:
                    store.mark_reminded(s, slug, round_id, rnd.deadline)
                continue
            store.mark_reminded(s, slug, round_id, rnd.deadline)
            topic = store.topic(s, slug, rnd.topic_id)
            rich = texts.reminder(council.language, round_id=round_id, title=topic.title, version=rnd.version,
                                  deadline=_local(council, rnd.deadline), passed=local > rnd.deadline)
            rt.post(s, OutboundMessage(
                key=f"{info.thread_key}:herinnering:{int(rnd.deadline.timestamp())}", council=slug, room="main",
                kind="text", body=rich.body, html=rich.html, thread_key=info.thread_key, mentions=list(to_remind)))
            sent += 1
    return sent


def send_scenario_reminders(rt: Runtime, settings: Settings, now: datetime | None = None) -> int:
    """Once per scenario round, a day before its deadline (or halfway for a short one): a message in its thread
    that notifies only the present members who have not responded on every open option, and lists the options
    still waiting for someone. No names and no counts in the room: the mentions say who."""
    now = now or utcnow()
    with rt.db.read() as s:
        candidates = store.scenarios_to_remind(s)
    sent = 0
    for number, slug in candidates:
        council = settings.council(slug)
        if council is None:
            continue
        local = _local(council, now)
        with rt.db.session() as s:
            info, rnd = store.load_scenario_round(s, slug, number, lock=True)
            if not rnd.is_open or rnd.deadline is None or not rnd.open_options:
                continue
            due = max(rnd.deadline - REMINDER_LEAD, rnd.opened_at + (rnd.deadline - rnd.opened_at) / 2)
            if local < due:
                continue
            roster = store.load_roster(s, slug, council.max_seats)
            occasion = scenarios_occasion(number)
            p = roster.participants(local.date(), absent_for(store.absences(s, slug, occasion), occasion))
            waiting = rnd.to_remind(p.present)
            if not waiting:
                if local > rnd.deadline:
                    store.mark_scenarios_reminded(s, slug, number, now)
                continue
            store.mark_scenarios_reminded(s, slug, number, now)
            topic = store.topic(s, slug, rnd.topic_id)
            options = sorted({n for numbers in waiting.values() for n in numbers})
            rich = texts.scenarios_reminder(council.language, round_id=number, title=topic.title,
                                            deadline=_local(council, rnd.deadline), passed=local > rnd.deadline,
                                            options=options)
            rt.post(s, OutboundMessage(key=f"{info.thread_key}:herinnering", council=slug, room="main", kind="text",
                                       body=rich.body, html=rich.html, thread_key=info.thread_key,
                                       mentions=sorted(waiting)))
            sent += 1
    return sent


def announce_checks(rt: Runtime, settings: Settings, now: datetime | None = None) -> int:
    """Realisation checks due today (or missed on an earlier day): the bot opens a short check in the main
    room, once per check."""
    now = now or utcnow()
    sent = 0
    for council in settings.councils:
        local = _local(council, now)
        with rt.db.read() as s:
            due = store.checks_to_announce(s, council.slug, local.date())
        for item in due:
            with rt.db.session() as s:
                topic = store.topic(s, council.slug, item.topic_id, lock=True)
                check = next((c for c in topic.checks if c.id == item.number), None)
                if check is None or check.done:
                    continue
                rich = texts.check_due(council.language, topic_id=topic.id, title=topic.title,
                                       description=check.description)
                # The slug: topic numbers repeat across councils.
                rt.post(s, OutboundMessage(key=f"delib:check:{council.slug}:{topic.id}:{check.id}",
                                           council=council.slug, room="main", kind="text", body=rich.body,
                                           html=rich.html))
                store.mark_check_announced(s, council.slug, topic.id, check.id, now)
                sent += 1
    return sent


def _secretaries(s, council: CouncilConfig, local: datetime) -> list[str]:
    roster = store.load_roster(s, council.slug, council.max_seats)
    return sorted(set(council.secretaries) | set(roster.participants(local.date(), frozenset()).secretaries))


def announce_overdue_replies(rt: Runtime, settings: Settings, now: datetime | None = None) -> int:
    """No written reply 14 days after the advice was sent: on day 15 (or the first run after it) the advice's
    thread and the room are told, and the secretary is mentioned. Once per trajectory: the row remembers it,
    and the messages' keys are stable."""
    now = now or utcnow()
    sent = 0
    for council in settings.councils:
        local = _local(council, now)
        with rt.db.read() as s:
            candidates = store.overdue_not_announced(s, council.slug)
        for advice_id in candidates:
            with rt.db.session() as s:
                t = store.trajectory(s, council.slug, advice_id, lock=True)
                if not t.reply_overdue(local.date()):
                    continue
                assert t.sent_on is not None and t.reply_due_on is not None
                rich = texts.advice_overdue(council.language, advice_id=t.id, title=t.title, sent_on=t.sent_on,
                                            due=t.reply_due_on)
                secretaries = _secretaries(s, council, local)
                key = store.advice_thread_key(s, council.slug, t.id)
                for suffix, thread in (("geen-reactie", key), ("geen-reactie:raad", None)):
                    rt.post(s, OutboundMessage(key=f"{key}:{suffix}", council=council.slug, room="main", kind="text",
                                               body=rich.body, html=rich.html, thread_key=thread,
                                               mentions=secretaries))
                store.mark_overdue_announced(s, council.slug, t.id, now)
                sent += 1
    return sent


def announce_advice_checks(rt: Runtime, settings: Settings, now: datetime | None = None) -> int:
    """A trajectory's realisation check falls due: its thread asks for ``!uitkomst``, once per check."""
    now = now or utcnow()
    sent = 0
    for council in settings.councils:
        local = _local(council, now)
        with rt.db.read() as s:
            due = store.advice_checks_to_announce(s, council.slug, local.date())
        for advice_id, number in due:
            with rt.db.session() as s:
                t = store.trajectory(s, council.slug, advice_id, lock=True)
                check = next((c for c in t.checks if c.number == number), None)
                if check is None or check.done:
                    continue
                rich = texts.advice_check_due(council.language, advice_id=t.id, title=t.title)
                key = store.advice_thread_key(s, council.slug, t.id)
                rt.post(s, OutboundMessage(key=f"{key}:toets:{number}", council=council.slug, room="main",
                                           kind="text", body=rich.body, html=rich.html, thread_key=key,
                                           mentions=_secretaries(s, council, local)))
                store.mark_advice_check_announced(s, council.slug, t.id, number, now)
                sent += 1
    return sent


def fill_links(rt: Runtime, settings: Settings,
               link_round: Callable[[Runtime, Settings, str, int], str | None]) -> int:
    """Register entries decided before the bot could say where their thread is: ask again."""
    with rt.db.read() as s:
        waiting = store.entries_without_link(s)
    filled = 0
    for council, round_id in waiting:
        if link_round(rt, settings, council, round_id) is None:
            break  # the bot does not know yet (or is down): the next run tries again
        filled += 1
    return filled


def link_round(rt: Runtime, settings: Settings, council: str, round_id: int) -> str | None:
    """Ask the bot where the round's thread root landed; store it on the round and its register entry."""
    from shared.http import ServiceClient

    with rt.db.read() as s:
        thread_key = store.round_thread_key_of(s, council, round_id)
    if thread_key is None:
        return None
    client = ServiceClient("bot", settings.service_urls["bot"], settings.token_for("deliberation"), timeout=2.0,
                           retries=0)
    try:
        status = client.get(f"/api/v1/outbox/{thread_key}")
    except DomainError as exc:  # not handed over yet, or the bot is down: try again later
        log.info("round %s: thread link not known yet (%s)", round_id, exc.log_message)
        return None
    if not isinstance(status, dict) or not status.get("event_id") or not status.get("room_id"):
        return None
    url = matrix_to_url(str(status["room_id"]), str(status["event_id"]))
    with rt.db.session() as s:
        store.set_thread_location(s, council, round_id, str(status["room_id"]), str(status["event_id"]))
        store.set_entry_link(s, council, round_id, url)
    return url


def link_scenarios(rt: Runtime, settings: Settings, council: str, number: int) -> str | None:
    """The same for a scenario round: where its thread root landed, for the decision list's link."""
    from shared.http import ServiceClient

    thread_key = store.scenario_thread_key(council, number)
    client = ServiceClient("bot", settings.service_urls["bot"], settings.token_for("deliberation"), timeout=2.0,
                           retries=0)
    try:
        status = client.get(f"/api/v1/outbox/{thread_key}")
    except DomainError as exc:  # not handed over yet, or the bot is down: the list shows no link
        log.info("scenario round %s: thread link not known yet (%s)", number, exc.log_message)
        return None
    if not isinstance(status, dict) or not status.get("event_id") or not status.get("room_id"):
        return None
    with rt.db.session() as s:
        store.set_scenario_thread_location(s, council, number, str(status["room_id"]), str(status["event_id"]))
    return matrix_to_url(str(status["room_id"]), str(status["event_id"]))


# Applications that ended without appointment keep their personal data this long after the decision (the form
# says so); then this job erases it.
APPLICATION_RETENTION_DAYS = 180


def forget_applications(rt: Runtime, settings: Settings, now: datetime) -> int:
    erased = 0
    for council in settings.councils:
        today = now.astimezone(ZoneInfo(council.timezone)).date()
        with rt.db.session() as s:
            for application_id in store.applications_to_forget(
                    s, council.slug, today - timedelta(days=APPLICATION_RETENTION_DAYS)):
                store.erase_application(s, council.slug, application_id, now)
                erased += 1
    if erased:
        log.info("erased the personal data of %d applications after the retention period", erased)
    return erased


def jobs(app: Flask, settings: Settings, db: Database) -> list[Job]:
    """Reminders before a round's (and a scenario round's) deadline, realisation checks due, board replies
    overdue, advice checks due, and links from the register to threads."""

    def rt() -> Runtime:
        return app.extensions["overleg_runtime"]

    now = clock_of(app)  # the service's clock (shared.service.set_clock in tests)

    return [
        Job("delib_reminders", lambda: send_reminders(rt(), settings, now()), interval=30.0),
        Job("delib_scenario_reminders", lambda: send_scenario_reminders(rt(), settings, now()), interval=30.0),
        Job("delib_checks", lambda: announce_checks(rt(), settings, now()), interval=60.0),
        # Short intervals: a POST kicks only its own worker, and the lease may sit with another one (each run is
        # one indexed read per council when nothing is due).
        Job("delib_advice_replies", lambda: announce_overdue_replies(rt(), settings, now()), interval=5.0),
        Job("delib_advice_checks", lambda: announce_advice_checks(rt(), settings, now()), interval=5.0),
        Job("delib_links", lambda: fill_links(rt(), settings, link_round), interval=5.0),
        Job("delib_forget_applications", lambda: forget_applications(rt(), settings, now()), interval=3600.0),
    ]
