"""The calendar service: ``create_app(settings)`` builds it; gunicorn serves ``services.calendar.wsgi:app``."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from prometheus_client import Counter

from services.calendar import api, feeds, jobs
from services.calendar.domain.messages import register_messages
from services.calendar.models import RUNTIME_MODELS
from shared.db import Database
from shared.migrations import migrate_service
from shared.service import attach_runtime
from shared.settings import Settings
from shared.web import build_service_app

NAME = "calendar"
SERVICE_DIR = Path(__file__).parent


def create_app(settings: Settings, *, database: Database | None = None) -> Flask:
    register_messages()
    app = build_service_app(NAME, settings, database=database, title="Overleg calendar API")
    db = app.extensions["overleg_db"]
    runtime = attach_runtime(app, NAME, settings, db, RUNTIME_MODELS, jobs=jobs.jobs(app, settings, db))
    renders = Counter("overleg_calendar_feed_bodies_total",
                      "Feed bodies by origin: rendered in a request, ahead after a change, or read from the shared cache",
                      ["how"], registry=app.extensions["overleg_metrics_registry"])
    app.extensions["overleg_feed_count"] = count_body = lambda how: renders.labels(how).inc()
    disk = feeds.DiskBodies.for_database(settings.data_dir, db) if settings.feeds_render_ahead else None
    app.extensions["overleg_feed_disk"] = disk
    if disk is not None:
        prerender = feeds.Prerenderer(db, settings, disk, count_body)
        app.extensions["overleg_feed_prerender"] = prerender
        db.after_commit(prerender.after_commit)
        runtime.background_stops.append(prerender.stop)
    api.API.register(app)
    api.FEEDS.register(app)
    count = app.extensions["overleg_count_request"]
    app.wsgi_app = feeds.NotModifiedShortcut(  # type: ignore[method-assign]
        app.wsgi_app, db, settings,
        count=lambda method, status, seconds: count("/feeds/<token>.ics", method, status, seconds))
    return app


def migrate(db: Database) -> None:
    migrate_service(db, NAME)
