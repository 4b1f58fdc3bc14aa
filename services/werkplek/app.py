"""The werkplek: ``create_app(settings)`` builds it; gunicorn serves ``services.werkplek.wsgi:app``.

One web place for the secretary, the members and the selection committee (issue 14): signed in through
Matrix (a one-time link from ``!werkplek``, or an OpenID token when opened as a widget in the council's
room), with the council's own records of time, money and goals. Topics, trajectories and the roster stay
with deliberation; the werkplek reads them there.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from services.werkplek import api, jobs, web
from services.werkplek.actions import CALLER
from services.werkplek.models import RUNTIME_MODELS
from shared.db import Database
from shared.migrations import migrate_service
from shared.service import attach_runtime
from shared.settings import Settings
from shared.web import build_service_app

NAME = "werkplek"
SERVICE_DIR = Path(__file__).parent


def create_app(settings: Settings, *, database: Database | None = None) -> Flask:
    app = build_service_app(NAME, settings, database=database, title="Overleg werkplek API")
    secure = (settings.werkplek_base_url or settings.service_urls.get(NAME, "")).startswith("https://")
    app.config.update(
        WTF_CSRF_TIME_LIMIT=int(timedelta(hours=12).total_seconds()),
        SESSION_COOKIE_NAME="overleg_werkplek",
        SESSION_COOKIE_HTTPONLY=True,
        # Lax: a sign-in link opened from the chat app carries the cookie back; the widget inside Element is a
        # third-party frame, where browsers that block such cookies ask for the link instead.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    app.extensions["werkplek_caller"] = CALLER
    db = app.extensions["overleg_db"]
    attach_runtime(app, NAME, settings, db, RUNTIME_MODELS, jobs=jobs.jobs(app))
    api.API.register(app)
    app.register_blueprint(web.WEB)
    return app


def migrate(db: Database) -> None:
    migrate_service(db, NAME)
