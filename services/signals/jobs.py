"""The signals service's background jobs: grouping the signals a partner queued, the card edits owed after intakes, polling deliberation for decisions on clusters' topics,
closing stale clusters and erasing contact details after the retention period."""
from __future__ import annotations

from flask import Flask

from services.signals import actions
from services.signals.config import SignalsConfig
from services.signals.models import MAIL_MODEL
from shared.db import Database
from shared.jobs import Job
from shared.mail import MailQueue
from shared.service import Runtime, clock_of
from shared.settings import Settings


def jobs(app: Flask, settings: Settings, db: Database) -> list[Job]:
    """Polling deliberation for decisions on clusters' topics; closing stale clusters and erasing
    contact details after the retention period."""
    cfg: SignalsConfig = app.extensions["signals_config"]

    def rt() -> Runtime:
        return app.extensions["overleg_runtime"]

    clock = clock_of(app)  # the service's clock (shared.service.set_clock in tests)

    return [
        # Signals received through the queue (answered 202), grouped once the burst is over.
        Job("signals_intake", lambda: actions.group_queue(rt(), cfg, settings, clock()), interval=0.5),
        # Card edits owed after an intake, one per burst (cheap when nothing is owed: one indexed read).
        # With them, the running consultations: their count in the topic's thread (an edit when it changed) and
        # closing with the summary when due (two indexed reads when there is nothing to do).
        # And the patterns across neighbourhoods (found again only when the groups changed), and the bewonersavond
        # sign-ups' numbers owed to the calendar, whose feeds show the places left (one read when none is owed).
        Job("signals_cards", lambda: actions.flush_cards(rt(), cfg, settings, clock())
            + actions.consultations_job(rt(), cfg, settings, clock())
            + actions.patterns_job(rt(), cfg, settings, clock())
            + actions.push_signup_places(rt(), settings, clock()), interval=1.0),
        # Decisions on clusters' topics, and on consultations' topics for residents who asked to hear the outcome.
        Job("signals_feedback", lambda: actions.poll_decisions(rt(), cfg, settings, clock())
            + actions.consultation_outcomes(rt(), cfg, settings, clock())
            # closed consultations' summaries that deliberation did not take yet (it was down), as background
            + actions.consultation_backgrounds(rt(), cfg, settings, clock())
            # and the bewonersavond reminders a day before (addresses of events that are over are erased).
            + actions.signup_reminders(rt(), settings, clock()), interval=cfg.feedback_interval),
        Job("signals_retention", lambda: actions.retention(rt(), cfg, settings, clock()), interval=3600.0),
        # Residents' e-mails: sent over SMTP when mail is configured, kept until then.
        *MailQueue(db, MAIL_MODEL, settings.mail).jobs(),
    ]
