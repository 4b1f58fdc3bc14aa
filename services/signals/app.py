"""The signals service: ``create_app(settings)`` builds it; gunicorn serves ``services.signals.wsgi:app``.

Service-specific settings are ``Settings.signals`` and the councils' taxonomy and neighbourhood
files (see :mod:`services.signals.config`); tests may pass a :class:`SignalsConfig` directly.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from services.signals import api, jobs, texts, web
from services.signals.config import SignalsConfig
from services.signals.domain.messages import register_messages
from services.signals.models import RUNTIME_MODELS
from services.signals.ratelimit import RateLimiter
from shared.db import Database
from shared.migrations import migrate_service
from shared.service import attach_runtime
from shared.settings import Settings
from shared.web import build_service_app

NAME = "signals"
SERVICE_DIR = Path(__file__).parent


def create_app(settings: Settings, *, database: Database | None = None, config: SignalsConfig | None = None) -> Flask:
    register_messages()
    texts.register_messages()
    cfg = config or SignalsConfig.from_settings(settings)
    cfg.load(settings)
    app = build_service_app(NAME, settings, database=database, title="Overleg signals API")
    secure = settings.public_base_url.startswith("https://")
    app.config.update(
        WTF_CSRF_TIME_LIMIT=int(timedelta(hours=24).total_seconds()),  # residents may take their time writing
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME="overleg_signaal",
    )
    app.extensions["signals_config"] = cfg
    app.extensions["signals_ratelimiter"] = RateLimiter(settings.redis_url, cfg.rate_namespace)
    db = app.extensions["overleg_db"]
    attach_runtime(app, NAME, settings, db, RUNTIME_MODELS, jobs=jobs.jobs(app, settings, db))
    api.API.register(app)
    app.register_blueprint(web.WEB)
    return app


def migrate(db: Database) -> None:
    migrate_service(db, NAME)
