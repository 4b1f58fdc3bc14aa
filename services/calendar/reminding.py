"""The reminders job: posts due reminders in each council's main room through the outbox.

The schedule is computed (``domain.reminders``); the only state is the set of keys already
posted. A key is stored in the same transaction as its outbox message, under a unique
constraint, so a reminder is never posted twice, also not by two workers at once. After a
restart, whatever fell due meanwhile is due now, and is posted once, marked late.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy.exc import IntegrityError

from services.calendar import actions, roster, store
from services.calendar.actions import DEADLINE_TYPES, Poster
from services.calendar.domain import messages, presence
from services.calendar.domain.events import Occurrence
from services.calendar.domain.reminders import (
    Reminder,
    ReminderOffset,
    due_reminders,
    offsets_from_config,
    reminder_message,
)
from shared import i18n
from shared.db import Database
from shared.errors import DomainError
from shared.formatting import Rich
from shared.outbox import OutboundMessage
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.calendar.reminders")


def council_offsets(council: CouncilConfig) -> tuple[ReminderOffset, ...]:
    try:
        return offsets_from_config(council.reminder_offsets)
    except DomainError as exc:
        log.error("council %s: reminder_offsets %r not understood (%s); using none",
                  council.slug, council.reminder_offsets, exc.log_message)
        return ()


def reminder_text(reminder: Reminder, number: int, council: CouncilConfig, *, late: bool) -> Rich:
    lang = council.language
    code, params = reminder_message(reminder)
    params = {**params, "title": actions.safe_title(str(params["title"]))}
    rich = Rich().line(messages.text(code, lang, **params))
    event = reminder.occurrence.event
    if event.location:
        rich.line(messages.text("cal.announce.location", lang, location=actions.safe_title(event.location)))
    if event.type not in DEADLINE_TYPES:
        rich.line(messages.text("cal.announce.rsvp_hint", lang, number=number))
    if late:
        rich.line(messages.text("cal.reminder.late_note", lang))
    return rich


def send_due(db: Database, settings: Settings, post: Poster, now: datetime) -> int:
    """Post every reminder due at ``now``; returns how many were posted."""
    posted = 0
    for council in settings.councils:
        offsets = council_offsets(council)
        if not offsets:
            continue
        lead = max(timedelta(days=o.days_before, hours=o.hours_before) for o in offsets)
        with db.read() as s:
            stored = store.events(s, council.slug, ending_after=now, starting_before=now + lead + timedelta(days=2),
                                  confirmed_only=True)
            numbers = {item.uid: item.number for item in stored}
            sent = store.sent_reminder_keys(s, council.slug, numbers)
        for reminder in due_reminders([item.event for item in stored], offsets, sent, now):
            event = reminder.occurrence.event
            # Late means missed while we were away; not "due before the event existed".
            late = reminder.late and reminder.due_at > event.changed_at
            message = OutboundMessage(key=f"calendar:reminder:{reminder.key}", council=council.slug, room="main",
                                      **_body(reminder_text(reminder, numbers[reminder.event_uid], council,
                                                            late=late)))
            try:
                with db.session() as s:
                    if store.reminder_sent(s, reminder.key):
                        continue
                    store.mark_reminder_sent(s, reminder.key, council.slug, reminder.event_uid, late, now)
                    post(s, message)
            except IntegrityError:
                continue  # another worker posted it a moment ago
            posted += 1
            log.info("reminder %s posted%s", reminder.key, " (late)" if late else "")
    return posted


def attendance_question(occ: Occurrence, number: int, council: CouncilConfig, coming: list[str]) -> Rich:
    """After a meeting: the secretary is asked who was there, with the words to answer."""
    lang = council.language
    day = "" if occ.event.recurrence is None else f" {occ.day.day}-{occ.day.month}"
    rich = Rich().line(messages.text("cal.attendance.ask", lang, title=actions.safe_title(occ.event.title),
                                     when=i18n.fmt_date(occ.day, lang), command=f"!aanwezigheid {number}{day}"))
    if coming:
        rich.line(messages.text("cal.attendance.ask_coming", lang, names=", ".join(coming)))
    return rich


def ask_attendance(db: Database, settings: Settings, post: Poster, now: datetime) -> int:
    """Once per meeting that has ended unconfirmed: ask in the council room who was there (the
    council's year account counts confirmed attendance; answers alone are a guess)."""
    asked_now = 0
    for council in settings.councils:
        with db.read() as s:
            stored = store.events(s, council.slug, ending_after=now - presence.ASK_AFTER_MEETING_FOR,
                                  starting_before=now, confirmed_only=True,
                                  types=[t.value for t in presence.COUNTED_TYPES])
            if not stored:
                continue
            numbers = {item.uid: item.number for item in stored}
            atts = store.attendances(s, council.slug, numbers)
            asked = store.sent_reminder_keys(s, council.slug, numbers)
        due = presence.ended_unconfirmed([item.event for item in stored], atts, asked, now)
        if not due:
            continue
        names = roster.member_names(settings, council.slug) or {}
        for occ in due:
            att = atts.get(occ.key)
            coming = [names.get(m) or m for m in (att.places if att is not None else ())]
            key = presence.after_meeting_key(occ)
            message = OutboundMessage(key=f"calendar:reminder:{key}", council=council.slug, room="main",
                                      **_body(attendance_question(occ, numbers[occ.uid], council, coming)))
            try:
                with db.session() as s:
                    if store.reminder_sent(s, key):
                        continue
                    store.mark_reminder_sent(s, key, council.slug, occ.uid, False, now)
                    post(s, message)
            except IntegrityError:
                continue  # another worker asked a moment ago
            asked_now += 1
            log.info("asked who was at %s", key)
    return asked_now


def _body(rich: Rich) -> dict[str, str]:
    return {"body": rich.body, "html": rich.html}


def job_function(db: Database, settings: Settings, runtime: Callable[[], object],
                 clock: Callable[[], datetime]) -> Callable[[], int]:
    def run() -> int:
        now = clock()
        post = Poster(runtime())
        return send_due(db, settings, post, now) + ask_attendance(db, settings, post, now)
    return run
