"""The calendar service's background jobs besides the handoff to the bot: reminders, CalDAV sync,
deadlines from deliberation, and ending the access of people whose membership ended."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Flask

from services.calendar import caldav_sync, deadlines, membership, reminding
from shared.db import Database
from shared.jobs import Job
from shared.service import clock_of
from shared.settings import Settings


MEMBERSHIP_INTERVAL = 300.0  # how often the roster is compared with who holds feed links and poll answers


def jobs(app: Flask, settings: Settings, db: Database) -> list[Job]:
    """Background jobs besides the handoff to the bot: reminders, CalDAV sync, deadlines."""

    service_clock = clock_of(app)

    def job_clock() -> datetime:
        # An instant: each council's local day and time come from its own zone.
        return service_clock().astimezone(timezone.utc).replace(microsecond=0)

    def rt() -> Any:
        return app.extensions["overleg_runtime"]

    def forget_feeds(keys: list[str]) -> None:
        disk = app.extensions.get("overleg_feed_disk")  # set after the jobs are built; None: no shared cache
        if disk is not None:
            disk.forget(keys)

    return [
        Job("reminders", reminding.job_function(db, settings, rt, job_clock), interval=10.0),
        Job("caldav_sync", caldav_sync.job_function(db, settings, job_clock), interval=2.0),
        Job("deadlines", deadlines.job_function(db, settings, rt, job_clock), interval=300.0),
        Job("membership", membership.job_function(db, settings, rt, job_clock, every=MEMBERSHIP_INTERVAL,
                                                  forget=forget_feeds),
            interval=MEMBERSHIP_INTERVAL),
    ]
