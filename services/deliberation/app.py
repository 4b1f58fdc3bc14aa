"""The deliberation service: ``create_app(settings)`` builds it; gunicorn serves ``services.deliberation.wsgi:app``."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from services.deliberation import api
from services.deliberation.models import RUNTIME_MODELS
from shared.db import Database
from shared.errors import InvalidInput
from shared.migrations import upgrade
from shared.service import attach_runtime
from shared.settings import Settings
from shared.web import build_service_app

NAME = "deliberation"
SERVICE_DIR = Path(__file__).parent


def create_app(settings: Settings, *, database: Database | None = None) -> Flask:
    app = build_service_app(NAME, settings, database=database, title="Overleg deliberation API",
                            extra_openapi_paths=api.openapi_extra_paths)
    # Domain refusals of schema-valid input are 422 (a 400 is for what the schema itself refuses).
    app.register_error_handler(InvalidInput, api.refused_by_rule)
    db = app.extensions["overleg_db"]
    attach_runtime(app, NAME, settings, db, RUNTIME_MODELS, jobs=api.jobs(app, settings, db))
    api.API.register(app)
    return app


def migrate(db: Database) -> None:
    upgrade(db, SERVICE_DIR, f"{NAME}_alembic_version")
