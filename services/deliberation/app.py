"""The deliberation service: ``create_app(settings)`` builds it; gunicorn serves ``services.deliberation.wsgi:app``."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from services.deliberation import api, jobs, web
from services.deliberation.models import RUNTIME_MODELS
from shared.db import Database
from shared.migrations import migrate_service
from shared.ratelimit import RateLimiter
from shared.service import attach_runtime
from shared.settings import Settings
from shared.web import build_service_app

NAME = "deliberation"
SERVICE_DIR = Path(__file__).parent


def create_app(settings: Settings, *, database: Database | None = None) -> Flask:
    app = build_service_app(NAME, settings, database=database, title="Overleg deliberation API",
                            extra_openapi_paths=api.openapi_extra_paths)
    # Applying for a seat is public: counted per address (in Redis when configured),
    # see actions.APPLICATIONS_PER_ADDRESS.
    app.extensions["deliberation_ratelimiter"] = RateLimiter(settings.redis_url, f"{settings.redis_prefix}:deliberation")
    app.config.update(  # the public application form (web.py): CSRF in a signed session cookie
        WTF_CSRF_TIME_LIMIT=int(timedelta(hours=24).total_seconds()),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        SESSION_COOKIE_NAME="overleg_aanmelden",
    )
    db = app.extensions["overleg_db"]
    attach_runtime(app, NAME, settings, db, RUNTIME_MODELS, jobs=jobs.jobs(app, settings, db))
    api.API.register(app)
    app.register_blueprint(web.WEB)
    return app


def migrate(db: Database) -> None:
    migrate_service(db, NAME)
